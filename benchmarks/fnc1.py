"""FNC-1 stance benchmark: claimwatch's stance model on the public FNC-1 development split.

    .venv/bin/python -m benchmarks.fnc1 [--stances FILE --bodies FILE] [--folds 5] [--group-by body|topic]
                                        [--shipped] [--json]

The headline plays the claim statement, the body plays the item. agree -> confirms, disagree -> contradicts,
discuss -> mentions, unrelated -> no match. The model (`matchers/stance_model.py`) is trained on this same
split, so the figures reported are cross-validated, grouped by Body ID: each pair is predicted by a model that
never saw its body (`benchmarks/train_stance.py`); `--group-by topic` also keeps every other body of the same
story out of training, a stricter figure. `--shipped` scores the shipped model instead, which was
fitted on every pair: an in-sample figure, printed as such, never the score.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matchers.stance_model import load_model

FNC_LABELS = ("agree", "disagree", "discuss", "unrelated")
RELATED = frozenset({"agree", "disagree", "discuss"})
SHARED_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "fnc1"
FOLDS = 5
FNC_TO_STANCE = {"agree": "confirms", "disagree": "contradicts", "discuss": "mentions"}
STANCE_TO_FNC = {v: k for k, v in FNC_TO_STANCE.items()}


@dataclass(frozen=True, slots=True)
class Pair:
    """One FNC-1 row: headline, body text, Body ID and gold label."""

    headline: str
    body: str
    body_id: str
    label: str


def predict(headline: str, body: str) -> str:
    """The FNC-1 label the shipped stance model gives a headline/body pair."""
    stance = load_model().scores(headline, body).stance
    return "unrelated" if stance is None else STANCE_TO_FNC[stance]


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


def read_rows(stances: Path, bodies: Path) -> list[Pair]:
    """The rows of the FNC-1 CSV files, with their Body ID (the cross-validation groups)."""
    with bodies.open(encoding="utf-8", newline="") as handle:
        texts = {row["Body ID"]: row["articleBody"] for row in csv.DictReader(handle)}
    with stances.open(encoding="utf-8", newline="") as handle:
        return [Pair(row["Headline"], texts[row["Body ID"]], row["Body ID"], row["Stance"])
                for row in csv.DictReader(handle)]


def read_pairs(stances: Path, bodies: Path) -> list[tuple[str, str, str]]:
    """(headline, body, gold label) rows of the FNC-1 CSV files."""
    return [(p.headline, p.body, p.label) for p in read_rows(stances, bodies)]


def summarise(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, object]:
    """FNC score (% of max), macro-F1 and per-class F1 of predicted against gold labels."""
    score, best = fnc_score(gold, predicted)
    f1 = f1_per_class(gold, predicted)
    return {"pairs": len(gold), "fnc_score_pct": round(100 * score / best, 2) if best else 0.0,
            "macro_f1": round(sum(f1.values()) / len(f1), 4), "f1": {k: round(v, 4) for k, v in f1.items()}}


def evaluate_pairs(pairs: Iterable[tuple[str, str, str]],
                   predictor: Callable[[str, str], str] = predict) -> dict[str, object]:
    """Figures of a predictor (the shipped model by default) on (headline, body, gold label) pairs."""
    gold, predicted = [], []
    for headline, body, label in pairs:
        gold.append(label)
        predicted.append(predictor(headline, body))
    return summarise(gold, predicted)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit 0 with a 'skipped' message when the data (or numpy, for training) is absent."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stances", type=Path, default=SHARED_DIR / "dev_stances.csv")
    parser.add_argument("--bodies", type=Path, default=SHARED_DIR / "dev_bodies.csv")
    parser.add_argument("--folds", type=int, default=FOLDS, help="cross-validation folds grouped by Body ID")
    parser.add_argument("--group-by", choices=("body", "topic"), default="body",
                        help="cross-validation groups: Body ID, or whole stories (stricter)")
    parser.add_argument("--shipped", action="store_true",
                        help="score the shipped model instead (in-sample: it was fitted on this split)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not args.stances.is_file() or not args.bodies.is_file():
        print(f"skipped: data not found ({args.stances}, {args.bodies})")
        return 0
    rows = read_rows(args.stances, args.bodies)
    gold = [p.label for p in rows]
    if args.shipped:
        method = "shipped model, IN-SAMPLE (fitted on these pairs)"
        result = summarise(gold, [predict(p.headline, p.body) for p in rows])
    else:
        try:
            from benchmarks.train_stance import cross_validated_labels, topic_groups
        except ModuleNotFoundError as error:
            print(f"skipped: cross-validation needs {error.name} (pip install 'claimwatch[bench]')")
            return 0
        if args.group_by == "topic":
            method = f"cross-validated, {args.folds} folds grouped by story (connected headlines and bodies)"
            result = summarise(gold, cross_validated_labels(rows, args.folds, topic_groups(rows)))
        else:
            method = f"cross-validated, {args.folds} folds grouped by Body ID"
            result = summarise(gold, cross_validated_labels(rows, args.folds))
    command = "python -m benchmarks.fnc1 " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.json:
        print(json.dumps({**result, "method": method, "command": command.strip()}))
        return 0
    print(f"FNC-1: {result['pairs']} pairs from {args.stances} ({method})")
    print(f"FNC score: {result['fnc_score_pct']:.2f}% of max   macro-F1: {result['macro_f1']:.4f}")
    for label, value in result["f1"].items():
        print(f"  F1 {label:10} {value:.4f}")
    print(f"command: {command.strip()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
