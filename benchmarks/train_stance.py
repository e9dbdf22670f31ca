"""Train the stance model on the FNC-1 development split and report its cross-validated figures.

    .venv/bin/python -m benchmarks.train_stance [--stances FILE --bodies FILE] [--folds 5] [--output PATH]

Writes `matchers/stance_model.json` (IDF table + two logistic regressions) fitted on every dev pair. The
figures it prints are cross-validated, grouped by Body ID: each pair is predicted by a model (IDF included)
that never saw its body. Needs numpy (the `bench` extra); the shipped model runs without it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks.fnc1 import FNC_TO_STANCE, SHARED_DIR, STANCE_TO_FNC, Pair, read_rows, summarise
from benchmarks.softmax import class_weights, fit_softmax_regression

from matchers.stance_model import (
    MODEL_PATH,
    STANCE_CLASSES,
    LinearModel,
    StanceModel,
    TextIndex,
)

FOLDS = 5
SEED = 20170601  # fixed, so the folds and so the reported figures are reproducible
L2 = 1e-3  # ridge penalty per example on standardised features
ITERATIONS = 600
STEP = 0.5
# Stance classes are weighted by (share of the largest class / share of the class) ** BALANCE:
# 0 optimises accuracy (FNC score, all "discuss"), 1 fully balances (macro-F1, many false "disagree").
BALANCE = 0.5
RELATED_THRESHOLD = 0.5


def fit_softmax(x: np.ndarray, y: np.ndarray, classes: Sequence[str], sample_weight: np.ndarray | None = None
                ) -> LinearModel:
    """Multinomial logistic regression on standardised features (see `benchmarks.softmax`)."""
    fit = fit_softmax_regression(x, y, len(classes), penalty=L2, iterations=ITERATIONS, step=STEP,
                                 sample_weight=sample_weight)
    return LinearModel(tuple(classes), tuple(fit.mean.tolist()), tuple(fit.scale.tolist()),
                       tuple(tuple(row) for row in fit.coef.T.tolist()), tuple(fit.bias.tolist()))


def _class_weights(y: np.ndarray, k: int) -> np.ndarray:
    return class_weights(y, k, BALANCE)


class TrainingDataError(ValueError):
    """The pairs cannot train both regressions (a fold without related or without unrelated pairs)."""


def train(pairs: Sequence[Pair]) -> StanceModel:
    """Fit IDF, the relatedness regression (all pairs) and the stance regression (related pairs)."""
    unrelated = sum(1 for p in pairs if p.label == "unrelated")
    if not 0 < unrelated < len(pairs):
        raise TrainingDataError(f"training needs both related and unrelated pairs; got {len(pairs)} pairs, "
                                f"{unrelated} of them unrelated")
    index = TextIndex.fit(sorted({p.body for p in pairs}))
    x_rel = np.array([index.relatedness_features(p.headline, p.body) for p in pairs])
    y_rel = np.array([0 if p.label == "unrelated" else 1 for p in pairs])
    relatedness = fit_softmax(x_rel, y_rel, ("unrelated", "related"))
    related = [p for p in pairs if p.label != "unrelated"]
    x_st = np.array([index.stance_features(p.headline, p.body) for p in related])
    y_st = np.array([STANCE_CLASSES.index(FNC_TO_STANCE[p.label]) for p in related])
    stance = fit_softmax(x_st, y_st, STANCE_CLASSES, _class_weights(y_st, len(STANCE_CLASSES)))
    return StanceModel(index, relatedness, stance, RELATED_THRESHOLD)


def predict_label(model: StanceModel, headline: str, body: str) -> str:
    """The FNC-1 label the model gives a headline/body pair."""
    stance = model.scores(headline, body).stance
    return "unrelated" if stance is None else STANCE_TO_FNC[stance]


def group_folds(groups: Sequence[str], folds: int = FOLDS, seed: int = SEED) -> list[int]:
    """A fold number per row such that all rows of a group share one fold (GroupKFold with shuffled groups)."""
    distinct = sorted(set(groups))
    random.Random(seed).shuffle(distinct)
    fold_of = {g: i % folds for i, g in enumerate(distinct)}
    return [fold_of[g] for g in groups]


def topic_groups(pairs: Sequence[Pair]) -> list[str]:
    """A group per row that joins every body and headline linked by a related pair: one story, one group.

    Stricter than grouping by Body ID: the model is then also never trained on another body of the same story.
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for p in pairs:
        if p.label != "unrelated":
            parent[root("body:" + p.body_id)] = root("headline:" + p.headline)
    return [root("body:" + p.body_id) for p in pairs]


def cross_validated_labels(pairs: Sequence[Pair], folds: int = FOLDS, groups: Sequence[str] | None = None
                           ) -> list[str]:
    """Each pair's label from a model trained on the other folds (grouped by Body ID unless groups are given)."""
    fold = group_folds([p.body_id for p in pairs] if groups is None else groups, folds)
    predicted = [""] * len(pairs)
    for k in range(folds):
        model = train([p for p, f in zip(pairs, fold) if f != k])
        for i, (p, f) in enumerate(zip(pairs, fold)):
            if f == k:
                predicted[i] = predict_label(model, p.headline, p.body)
    return predicted


def main(argv: Sequence[str] | None = None) -> int:
    """Cross-validate, then fit on all pairs and write the model file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stances", type=Path, default=SHARED_DIR / "dev_stances.csv")
    parser.add_argument("--bodies", type=Path, default=SHARED_DIR / "dev_bodies.csv")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    if not args.stances.is_file() or not args.bodies.is_file():
        print(f"skipped: data not found ({args.stances}, {args.bodies})")
        return 0
    pairs = read_rows(args.stances, args.bodies)
    result = summarise([p.label for p in pairs], cross_validated_labels(pairs, args.folds))
    print(f"cross-validated ({args.folds} folds grouped by Body ID): {json.dumps(result)}")
    model = train(pairs)
    args.output.write_text(json.dumps(model.as_json(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
