"""Train the matcher's calibrator on the training set, choose its settings on the dev set, report both.

    .venv/bin/python -m benchmarks.train_matcher [--claims seeds/claims.yaml] [--output matchers/matcher_model.json]

For every candidate (item, claim) pair the rule-based matcher considers (those it judges, plus the specific ones
its threshold or claim competition leaves out), `Matcher.describe_pairs` gives the rules' stance and a feature row
(see `matchers.matcher.FEATURES`).
A softmax regression with an L2 penalty learns unrelated / mentions / confirms / contradicts from the TRAINING set
only. The penalty, the class balance and the alert margin (below which confirms/contradicts is downgraded to
mentions) are chosen on the DEV set: the highest alert F1 with no more opposite-stance alerts than the rules make.
The held-out set is never read. Needs numpy (the `bench` extra); the written model runs in pure Python.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.softmax import class_weights, fit_softmax_regression
from claimwatch.offline import read_items
from matchers.calibrator import ALERTING, CLASSES, MODEL_PATH, MatcherModel, decide
from matchers.evaluation import EvalReport, Pair, evaluate
from matchers.matcher import FEATURES, Matcher
from seeds.registry import DEFAULT_CLAIMS_FILE, load_claims

DATA = Path(__file__).with_name("data")
PENALTIES = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)  # L2 per example on standardised features
BALANCES = (0.0, 0.5)  # class weight (largest share / class share) ** balance
MARGINS = tuple(round(0.30 + 0.05 * step, 2) for step in range(14))  # 0.30 .. 0.95
PROMOTE_MARGINS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: the model never adds an alert the rules did not make
ITERATIONS = 800
STEP = 0.5


@dataclass(frozen=True, slots=True)
class PairRows:
    """The candidate pairs of one labelled set: who they are, what the rules said, features and labels."""

    pairs: list[Pair]
    rules: list[str]  # the rules' stance, "unrelated" where they left the pair out
    x: np.ndarray
    y: np.ndarray  # index into CLASSES
    labels: dict[Pair, str]  # every labelled pair of the set, reached by a candidate or not


def read_labels(path: Path) -> dict[Pair, str]:
    """(item id, claim id) -> labelled stance, from a labels JSONL file."""
    labels = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels[(row["item_id"], row["claim_id"])] = row["label"]
    return labels


def describe_set(matcher: Matcher, name: str) -> PairRows:
    """Feature rows for every candidate pair of `benchmarks/data/<name>_*.jsonl`."""
    if name.startswith("holdout"):
        raise ValueError("the held-out set is for the integrator's measurement only")
    labels = read_labels(DATA / f"{name}_labels.jsonl")
    pairs, rules, rows = [], [], []
    for item in read_items(DATA / f"{name}_items.jsonl"):
        for claim_id, rule, row in matcher.describe_pairs(item):
            pairs.append((item.id, claim_id))
            rules.append(rule)
            rows.append(row)
    y = np.array([CLASSES.index(labels.get(pair, "unrelated")) for pair in pairs])
    return PairRows(pairs, rules, np.array(rows, dtype=float), y, labels)


def fit_softmax(x: np.ndarray, y: np.ndarray, penalty: float, balance: float, margin: float) -> MatcherModel:
    """The calibrator: a class-weighted softmax regression over the matcher's features."""
    k = len(CLASSES)
    fit = fit_softmax_regression(x, y, k, penalty=penalty, iterations=ITERATIONS, step=STEP,
                                 sample_weight=class_weights(y, k, balance))
    return MatcherModel(FEATURES, tuple(fit.mean.tolist()), tuple(fit.scale.tolist()),
                        tuple(tuple(row) for row in fit.coef.T.tolist()), tuple(fit.bias.tolist()), margin, 1.01)


def rule_predictions(rows: PairRows) -> dict[Pair, str]:
    """What the rules alone predict for the set."""
    return {pair: rule for pair, rule in zip(rows.pairs, rows.rules) if rule != "unrelated"}


def model_predictions(model: MatcherModel, rows: PairRows,
                      probabilities: Sequence[dict[str, float]] | None = None) -> dict[Pair, str]:
    """What the calibrated matcher predicts, by the same rule as `Matcher.match_one` (checked by `verify`)."""
    if probabilities is None:
        probabilities = [model.probabilities(row.tolist()) for row in rows.x]
    predictions = {}
    for pair, rule, probs in zip(rows.pairs, rows.rules, probabilities):
        decision = decide(probs, None if rule == "unrelated" else rule, model.alert_margin, model.promote_margin)
        if decision.stance == "unrelated" or (rule == "unrelated" and decision.stance not in ALERTING):
            continue
        predictions[pair] = decision.stance
    return predictions


def verify(model: MatcherModel, claims_file: Path, name: str, expected: dict[Pair, str]) -> None:
    """Run the real `Matcher` with the written model over a set and check it predicts what training measured."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "matcher_model.json"
        path.write_text(json.dumps(model.as_json()), encoding="utf-8")
        matcher = Matcher(load_claims(claims_file), model_path=path)
        actual = {(v.item_id, v.claim_id): v.stance for v in matcher.match(read_items(DATA / f"{name}_items.jsonl"))}
    if actual != expected:
        differing = sorted(set(actual.items()) ^ set(expected.items()))[:5]
        raise SystemExit(f"the run-time matcher disagrees with the training figures on {name}: {differing}")


def line(name: str, report: EvalReport) -> str:
    """One report line: alert precision, recall, F1 and opposite-stance alerts."""
    alerts = report.alerts
    return (f"{name:22} alert P {alerts.precision:.3f} R {alerts.recall:.3f} F1 {alerts.f1:.3f}, "
            f"opposite {report.opposite_stance_alerts}, relevance F1 {report.relevance.f1:.3f}")


def choose(train: PairRows, dev: PairRows) -> tuple[MatcherModel, EvalReport]:
    """The settings with the best dev alert F1 among those with no more opposite-stance alerts than the rules.

    The rules' count is a ceiling on both sets: a model that alerts the wrong way round on its own training
    pairs more often than the rules do is not trusted, whatever dev says.
    """
    allowed = evaluate(rule_predictions(dev), dev.labels).opposite_stance_alerts
    allowed_in_training = evaluate(rule_predictions(train), train.labels).opposite_stance_alerts
    best: tuple[tuple[float, ...], MatcherModel, EvalReport] | None = None
    for penalty in PENALTIES:
        for balance in BALANCES:
            fitted = fit_softmax(train.x, train.y, penalty, balance, 0.0)
            dev_probabilities = [fitted.probabilities(row.tolist()) for row in dev.x]
            train_probabilities = [fitted.probabilities(row.tolist()) for row in train.x]
            for margin, promote in itertools.product(MARGINS, PROMOTE_MARGINS):
                model = MatcherModel(fitted.features, fitted.mean, fitted.scale, fitted.weights, fitted.bias, margin,
                                     max(margin, promote))
                report = evaluate(model_predictions(model, dev, dev_probabilities), dev.labels)
                if report.opposite_stance_alerts > allowed or evaluate(model_predictions(
                        model, train, train_probabilities), train.labels).opposite_stance_alerts > allowed_in_training:
                    continue
                # Ties go to fewer opposite alerts, then higher precision, then the stronger penalty (simpler model).
                key = (round(report.alerts.f1, 4), -report.opposite_stance_alerts, round(report.alerts.precision, 4),
                       penalty)
                if best is None or key > best[0]:
                    best = (key, model, report)
    if best is None:
        raise SystemExit("no setting keeps the opposite-stance alerts at the rules' level on dev")
    return best[1], best[2]


def main(argv: Sequence[str] | None = None) -> None:
    """Train on the training set, choose on dev, write the model and print train and dev figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=Path, default=DEFAULT_CLAIMS_FILE)
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    matcher = Matcher(load_claims(args.claims), model_path=None)
    train, dev = describe_set(matcher, "train"), describe_set(matcher, "devset")
    print(f"candidate pairs: train {len(train.pairs)}, dev {len(dev.pairs)}; features: {len(FEATURES)}")
    model, dev_report = choose(train, dev)
    train_report = evaluate(model_predictions(model, train), train.labels)
    print(line("train, rules", evaluate(rule_predictions(train), train.labels)))
    print(line("train, calibrated", train_report))
    print(line("dev, rules", evaluate(rule_predictions(dev), dev.labels)))
    print(line("dev, calibrated", dev_report))
    print(f"alert margin {model.alert_margin:.2f}, promote margin {model.promote_margin:.2f}")
    verify(model, args.claims, "devset", model_predictions(model, dev))
    args.output.write_text(json.dumps(model.as_json(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
