"""claimwatch's matcher against a plain fuzzy-string matcher, quality and speed, in one process run.

The baseline is what the matching issue describes: for every (item, claim) pair the best of
rapidfuzz's `token_set_ratio` and `partial_ratio` between the item text and the claim's
statement or aliases, related above a threshold, and no stance logic (every related pair is
reported as `confirms`). Its threshold is the one with the best alert F1 on the labelled set,
so the comparison is as kind to the baseline as it can be.

    .venv/bin/python -m benchmarks.baseline_comparison [--items FILE --labels FILE] [--speed-items 10000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rapidfuzz import fuzz

from claimwatch.offline import read_items, read_labels
from matchers.evaluation import EvalReport, evaluate
from matchers.matcher import Matcher
from seeds.registry import DEFAULT_CLAIMS_FILE, Claim, load_claims
from sources.item import Item

DATA = Path(__file__).resolve().parent / "data"


def baseline_scores(items: list[Item], claims: list[Claim]) -> dict[tuple[str, str], float]:
    """Best token_set_ratio / partial_ratio (0..1) of every (item, claim) pair."""
    phrases = {claim.id: [claim.statement.lower(), *(alias.lower() for alias in claim.aliases)] for claim in claims}
    scores: dict[tuple[str, str], float] = {}
    for item in items:
        text = item.text.lower()
        for claim_id, variants in phrases.items():
            best = max(max(fuzz.token_set_ratio(text, phrase), fuzz.partial_ratio(text, phrase)) for phrase in variants)
            scores[(item.id, claim_id)] = best / 100
    return scores


def best_baseline(scores: dict[tuple[str, str], float], labels: dict) -> tuple[float, EvalReport]:
    """The threshold (and its report) giving the baseline its best alert F1."""
    best: tuple[float, EvalReport] | None = None
    for step in range(40, 100):
        threshold = step / 100
        report = evaluate({pair: "confirms" for pair, score in scores.items() if score >= threshold}, labels)
        if best is None or report.alerts.f1 > best[1].alerts.f1:
            best = (threshold, report)
    assert best is not None
    return best


def _row(name: str, report: EvalReport) -> str:
    a = report.alerts
    return (f"{name:<28} {a.precision:>9.3f} {a.recall:>7.3f} {a.f1:>6.3f} "
            f"{report.stances['contradicts'].f1:>14.3f} {report.opposite_stance_alerts:>9d}")


def main(argv: list[str] | None = None) -> int:
    """Print both matchers' alert quality on a labelled set and their speed on the same items."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", default=str(DEFAULT_CLAIMS_FILE))
    parser.add_argument("--items", default=str(DATA / "devset_items.jsonl"))
    parser.add_argument("--labels", default=str(DATA / "devset_labels.jsonl"))
    parser.add_argument("--speed-items", type=int, default=2000, help="items timed for both matchers")
    args = parser.parse_args(argv)

    claims = [claim for claim in load_claims(args.claims) if not claim.retired]
    items = read_items(args.items)
    labels = read_labels(args.labels)

    threshold, base_report = best_baseline(baseline_scores(items, claims), labels)
    verdicts = Matcher(claims).match(items)
    ours = evaluate({(v.item_id, v.claim_id): v.stance for v in verdicts}, labels)

    print(f"command: python -m benchmarks.baseline_comparison --items {args.items} --labels {args.labels}")
    print(f"{len(items)} items, {len(labels)} labelled pairs, {len(claims)} claims\n")
    print(f"{'':<28} {'alert P':>9} {'R':>7} {'F1':>6} {'contradicts F1':>14} {'opposite':>9}")
    print(_row(f"fuzzy baseline (t={threshold:.2f})", base_report))
    print(_row("claimwatch matcher", ours))

    # Speed: both matchers over the same items (the labelled set repeated with fresh ids).
    timed = [Item(id=f"{item.id}#{n}", title=item.title, summary=item.summary)
             for n in range(args.speed_items // len(items) + 1) for item in items][: args.speed_items]
    started = time.perf_counter()
    baseline_scores(timed, claims)
    base_s = time.perf_counter() - started
    started = time.perf_counter()
    Matcher(claims).match(timed)
    ours_s = time.perf_counter() - started
    print(f"\nspeed on {len(timed)} items x {len(claims)} claims: baseline {len(timed) / base_s:,.0f} items/s, "
          f"claimwatch {len(timed) / ours_s:,.0f} items/s, ratio {base_s / ours_s:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
