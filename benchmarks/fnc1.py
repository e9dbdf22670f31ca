"""FNC-1 stance benchmark: the matcher's relevance and stance cues on headline/body pairs.

    .venv/bin/python -m benchmarks.fnc1 [--stances FILE --bodies FILE] [--json]

The headline plays the claim statement, the body plays the item. agree -> confirms, disagree -> contradicts,
discuss -> mentions, unrelated -> no match. Nothing is trained on FNC-1: thresholds were tuned on the dev split.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from matchers.cues import find_cues
from matchers.text import STOPWORDS, normalise, sentences, words

FNC_LABELS = ("agree", "disagree", "discuss", "unrelated")
RELATED = frozenset({"agree", "disagree", "discuss"})
SHARED_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "fnc1"

RELATED_OVERLAP = 0.34  # share of the headline's content stems the body must contain
# Words with which bodies refute a story (FNC-1's "disagree" class is mostly debunking of viral news).
_REFUTE = re.compile(
    r"\b(?:hoax(?:es)?|fake|false(?:ly)?|debunk\w*|fabricat\w*|satir\w*|not true|untrue|no evidence|"
    r"didn't happen|did not happen|never happened|misleading|bogus|rumou?rs? (?:is|are|was) false|"
    r"denied|denies|deny|refut\w*|dismiss(?:ed|es) (?:the )?(?:report|claim|rumou?r)s?|made up|"
    r"not (?:actually|really)|nothing to do with|is not dead|isn't dead|alive and well|photoshop\w*|doctored)\b"
)
# Reporting without endorsement: the body passes the story on ("discuss").
_HEDGE = re.compile(
    r"\b(?:reportedly|allegedly|alleged|claim(?:s|ed)?|according to|unconfirmed|rumou?r\w*|purportedly|"
    r"apparently|supposedly|may|might|could|possibly|unverified|speculat\w*|if true|it is unclear|"
    r"not (?:yet )?(?:been )?(?:confirmed|verified)|cannot be (?:confirmed|verified)|appears? to|seem(?:s|ed)? to)\b"
)


DISAGREE_REFUTATIONS = 3  # refuting words in the body (or one in its opening) that make it a debunking
AGREE_MAX_HEDGES = 0.1  # hedges per sentence below which a related body asserts the story


def _stems(text: str) -> set[str]:
    return {word[:6] for word in words(normalise(text)) if len(word) > 2 and word not in STOPWORDS}


@lru_cache(maxsize=1024)
def _body_facts(body: str) -> tuple[frozenset[str], int, bool, float, tuple[frozenset[str], ...]]:
    """Per-body facts, computed once: FNC-1 pairs each body with many headlines."""
    lowered = normalise(body)
    parts = sentences(lowered) or [lowered]
    refutations = len(_REFUTE.findall(lowered))
    hedges_per_sentence = len(_HEDGE.findall(lowered)) / len(parts)
    return (frozenset(_stems(body)), refutations, _REFUTE.search(lowered[:300]) is not None, hedges_per_sentence,
            tuple(frozenset(_stems(part)) for part in parts))


def predict(headline: str, body: str) -> str:
    """The FNC-1 label the matcher's relevance and cue rules give a headline/body pair."""
    head = _stems(headline)
    if not head:
        return "unrelated"
    stems, refutations, refutes_early, hedges, parts = _body_facts(body)
    if len(head & stems) / len(head) < RELATED_OVERLAP:
        return "unrelated"
    # A headline that itself says "hoax" is agreed with, not contradicted, by a debunking body.
    headline_refutes = _REFUTE.search(normalise(headline)) is not None or any(
        cue.polarity(False) == "contradict" for cue in find_cues(normalise(headline)))
    if not headline_refutes and (refutations >= DISAGREE_REFUTATIONS or refutes_early):
        return "disagree"
    on_topic = sum(1 for part in parts if len(head & part) >= max(1, len(head) // 4))
    if hedges <= AGREE_MAX_HEDGES and on_topic:
        return "agree"
    return "discuss"


def fnc_score(gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    """The FNC-1 score and its maximum: +0.25 for the right related/unrelated call, +0.75 more for the right stance."""
    score = best = 0.0
    for g, p in zip(gold, predicted, strict=True):
        best += 0.25 + (0.75 if g in RELATED else 0)
        if (g in RELATED) == (p in RELATED):
            score += 0.25
            if g in RELATED and g == p:
                score += 0.75
    return score, best


def f1_per_class(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """F1 of each FNC-1 class."""
    scores = {}
    for label in FNC_LABELS:
        tp = sum(1 for g, p in zip(gold, predicted) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if p == label != g)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label != p)
        scores[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return scores


def read_pairs(stances: Path, bodies: Path) -> list[tuple[str, str, str]]:
    """(headline, body, gold label) rows of the FNC-1 CSV files."""
    with bodies.open(encoding="utf-8", newline="") as handle:
        texts = {row["Body ID"]: row["articleBody"] for row in csv.DictReader(handle)}
    with stances.open(encoding="utf-8", newline="") as handle:
        return [(row["Headline"], texts[row["Body ID"]], row["Stance"]) for row in csv.DictReader(handle)]


def evaluate_pairs(pairs: Iterable[tuple[str, str, str]]) -> dict[str, object]:
    """FNC score (% of max), macro-F1 and per-class F1 of the predictions for the pairs."""
    gold, predicted = [], []
    for headline, body, label in pairs:
        gold.append(label)
        predicted.append(predict(headline, body))
    score, best = fnc_score(gold, predicted)
    f1 = f1_per_class(gold, predicted)
    return {"pairs": len(gold), "fnc_score_pct": round(100 * score / best, 2) if best else 0.0,
            "macro_f1": round(sum(f1.values()) / len(f1), 4), "f1": {k: round(v, 4) for k, v in f1.items()}}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit 0 with a 'skipped' message when the data is absent."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stances", type=Path, default=SHARED_DIR / "dev_stances.csv")
    parser.add_argument("--bodies", type=Path, default=SHARED_DIR / "dev_bodies.csv")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not args.stances.is_file() or not args.bodies.is_file():
        print(f"skipped: data not found ({args.stances}, {args.bodies})")
        return 0
    result = evaluate_pairs(read_pairs(args.stances, args.bodies))
    command = "python -m benchmarks.fnc1 " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.json:
        print(json.dumps({**result, "command": command.strip()}))
        return 0
    print(f"FNC-1: {result['pairs']} pairs from {args.stances}")
    print(f"FNC score: {result['fnc_score_pct']:.2f}% of max   macro-F1: {result['macro_f1']:.4f}")
    for label, value in result["f1"].items():
        print(f"  F1 {label:10} {value:.4f}")
    print(f"command: {command.strip()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
