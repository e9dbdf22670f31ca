"""Score predicted verdicts against hand labels: relevance, per-stance and alert precision/recall/F1."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

CLASSES: tuple[str, ...] = ("confirms", "contradicts", "mentions", "unrelated")
ALERTING = frozenset({"confirms", "contradicts"})

Pair = tuple[str, str]  # (item_id, claim_id)


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and F1 with the counts they come from."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """Share of predictions that were right (1.0 when nothing was predicted)."""
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of labelled cases that were found (1.0 when there were none)."""
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_json(self) -> dict[str, float | int]:
        """A JSON-ready form with rounded figures and raw counts."""
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.true_positives, "fp": self.false_positives, "fn": self.false_negatives}


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Everything `claimwatch eval` reports about one run over a labelled set."""

    relevance: Scores
    stances: dict[str, Scores]
    alerts: Scores
    opposite_stance_alerts: int
    confusion: dict[str, dict[str, int]]  # label -> prediction -> count
    labelled_pairs: int
    predicted_pairs: int
    mistakes: tuple[tuple[str, str, str, str], ...] = field(default=())  # (item, claim, label, prediction)

    def as_json(self) -> dict[str, object]:
        """The JSON form of the report."""
        return {
            "relevance": self.relevance.as_json(),
            "stances": {stance: scores.as_json() for stance, scores in self.stances.items()},
            "alerts": self.alerts.as_json(),
            "opposite_stance_alerts": self.opposite_stance_alerts,
            "confusion": self.confusion,
            "labelled_pairs": self.labelled_pairs,
            "predicted_pairs": self.predicted_pairs,
            "mistakes": [
                {"item_id": item, "claim_id": claim, "label": label, "predicted": predicted}
                for item, claim, label, predicted in self.mistakes
            ],
        }


def _scores(pairs: Iterable[tuple[str, str]], hit: set[str]) -> Scores:
    tp = fp = fn = 0
    for label, predicted in pairs:
        if predicted in hit and label == predicted:
            tp += 1
        else:
            fp += predicted in hit
            fn += label in hit
    return Scores(tp, fp, fn)


def evaluate(predictions: Mapping[Pair, str], labels: Mapping[Pair, str]) -> EvalReport:
    """Compare predicted stances with labelled ones; pairs absent from either side are "unrelated"."""
    pairs = sorted(set(predictions) | set(labels))
    outcomes = [(labels.get(pair, "unrelated"), predictions.get(pair, "unrelated")) for pair in pairs]
    confusion = {label: dict.fromkeys(CLASSES, 0) for label in CLASSES}
    for label, predicted in outcomes:
        confusion[label][predicted] += 1
    related = [("related" if l != "unrelated" else "unrelated", "related" if p != "unrelated" else "unrelated")
               for l, p in outcomes]
    return EvalReport(
        relevance=_scores(related, {"related"}),
        stances={stance: _scores(outcomes, {stance}) for stance in CLASSES[:3]},
        alerts=_scores(outcomes, set(ALERTING)),
        opposite_stance_alerts=sum(1 for l, p in outcomes if {l, p} == ALERTING),
        confusion=confusion,
        labelled_pairs=len(labels),
        predicted_pairs=len(predictions),
        mistakes=tuple((item, claim, l, p) for (item, claim), (l, p) in zip(pairs, outcomes) if l != p),
    )


def format_report(report: EvalReport) -> str:
    """A plain-text table of the report for a terminal."""
    lines = [f"{'':14}{'precision':>10}{'recall':>8}{'f1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
    rows = [("relevance", report.relevance), *report.stances.items(), ("ALERTS", report.alerts)]
    for name, s in rows:
        lines.append(f"{name:14}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>8.3f}"
                     f"{s.true_positives:>6}{s.false_positives:>6}{s.false_negatives:>6}")
    lines.append(f"opposite-stance alerts: {report.opposite_stance_alerts}")
    lines.append(f"labelled pairs: {report.labelled_pairs}, predicted pairs: {report.predicted_pairs}")
    lines.append("")
    lines.append("confusion (rows = label, columns = prediction)")
    lines.append(f"{'':14}" + "".join(f"{name:>13}" for name in CLASSES))
    for label in CLASSES:
        lines.append(f"{label:14}" + "".join(f"{report.confusion[label][p]:>13}" for p in CLASSES))
    return "\n".join(lines)
