"""A small trained calibrator over the matcher's own evidence: unrelated, mentions, confirms or contradicts?

The rules find candidate (item, claim) pairs and describe them as a feature row (scores, subject and figure
evidence, cue polarity, frames, the stance model's probabilities). A softmax regression trained by
`benchmarks/train_matcher.py` on the training set turns the row into four probabilities, and a margin chosen on
the dev set downgrades an unsure confirms/contradicts to mentions: an alert must be worth a person's attention.
Pure Python at run time; the only I/O is reading `matcher_model.json` once.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("matcher_model.json")
CLASSES: tuple[str, ...] = ("unrelated", "mentions", "confirms", "contradicts")
ALERTING: frozenset[str] = frozenset({"confirms", "contradicts"})


class MatcherModelError(RuntimeError):
    """The calibration model file is missing, unreadable or was trained on other features."""


def schema_hash(feature_names: Sequence[str]) -> str:
    """A short fingerprint of the feature names in order: a model trained on other features is stale."""
    return hashlib.sha256("\n".join(feature_names).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Decision:
    """The calibrated stance of one pair and the model's probability for it."""

    stance: str  # one of CLASSES
    confidence: float
    downgraded: bool = False  # an alert the model was not sure of, or the reverse of the rules', reported as mentions

    @property
    def label(self) -> str:
        """How the decision reads in a `why` line: "model: confirms 0.91"."""
        if self.downgraded:
            return f"model: unsure ({self.confidence:.2f}), so mentions"
        return f"model: {self.stance} {self.confidence:.2f}"


@dataclass(frozen=True, slots=True)
class MatcherModel:
    """Standardisation, softmax weights and the decision margin, as `train_matcher` writes them."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[tuple[float, ...], ...]  # one row per class, in CLASSES order
    bias: tuple[float, ...]
    alert_margin: float  # an alerting class needs this much probability, else the pair only mentions the claim
    promote_margin: float  # ... and this much where the rules found no alert (above 1: never)

    def probabilities(self, row: Sequence[float]) -> dict[str, float]:
        """Class probabilities of one feature row."""
        x = [(value - m) / s for value, m, s in zip(row, self.mean, self.scale, strict=True)]
        logits = [b + sum(w * v for w, v in zip(weights, x)) for weights, b in zip(self.weights, self.bias)]
        top = max(logits)
        exp = [math.exp(z - top) for z in logits]
        total = sum(exp)
        return {name: e / total for name, e in zip(CLASSES, exp)}

    def decide(self, row: Sequence[float], rule_stance: str | None) -> Decision:
        """The calibrated stance of one pair: the likeliest class, an unsure or reversed alert downgraded."""
        return decide(self.probabilities(row), rule_stance, self.alert_margin, self.promote_margin)

    def as_json(self) -> dict[str, object]:
        """The JSON form stored in `matcher_model.json`."""
        return {"schema": schema_hash(self.features), "classes": list(CLASSES), "features": list(self.features),
                "alert_margin": round(self.alert_margin, 4), "promote_margin": round(self.promote_margin, 4), "mean": [round(v, 6) for v in self.mean],
                "scale": [round(v, 6) for v in self.scale], "bias": [round(v, 6) for v in self.bias],
                "weights": [[round(v, 6) for v in row] for row in self.weights]}

    @classmethod
    def from_json(cls, data: Mapping[str, object], feature_names: Sequence[str]) -> MatcherModel:
        """Read the JSON form back, refusing a model trained on features other than `feature_names`."""
        if data.get("schema") != schema_hash(feature_names) or tuple(data.get("classes", ())) != CLASSES:  # type: ignore[arg-type]
            raise MatcherModelError("the matcher model file was trained on other features than this matcher "
                                    "computes; rerun `python -m benchmarks.train_matcher` to rebuild it")
        try:
            model = cls(tuple(feature_names), tuple(map(float, data["mean"])),  # type: ignore[arg-type]
                        tuple(map(float, data["scale"])),  # type: ignore[arg-type]
                        tuple(tuple(map(float, row)) for row in data["weights"]),  # type: ignore[union-attr]
                        tuple(map(float, data["bias"])), float(data["alert_margin"]),  # type: ignore[arg-type]
                        float(data["promote_margin"]))  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError) as error:
            raise MatcherModelError(f"the matcher model file is incomplete ({error!r} is missing or malformed); "
                                    "rerun `python -m benchmarks.train_matcher`") from None
        width = len(feature_names)
        if not (len(model.mean) == len(model.scale) == width and len(model.weights) == len(CLASSES)
                and all(len(row) == width for row in model.weights) and len(model.bias) == len(CLASSES)):
            raise MatcherModelError("the matcher model file's weights do not fit its feature list; "
                                    "rerun `python -m benchmarks.train_matcher`")
        return model


def decide(probabilities: Mapping[str, float], rule_stance: str | None, alert_margin: float,
           promote_margin: float) -> Decision:
    """The likeliest class; an alert below its margin becomes mentions (precision over recall).

    The model calibrates how sure an alert is, it does not read polarity: where the rules found the opposite
    alerting stance (a cue with its negation and scope), the two disagree and the pair only mentions the claim.
    Where the rules found no alert at all (`rule_stance` "mentions" or None), the model needs `promote_margin`.
    """
    stance = max(CLASSES, key=probabilities.__getitem__)
    confidence = probabilities[stance]
    if stance in ALERTING:
        needed = alert_margin if rule_stance in ALERTING else promote_margin
        if confidence < needed or (rule_stance in ALERTING and stance != rule_stance):
            return Decision("mentions", confidence, downgraded=True)
    return Decision(stance, confidence)


def load_model(feature_names: Sequence[str], path: Path = MODEL_PATH) -> MatcherModel:
    """The calibration model at `path`, checked against the features the matcher computes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MatcherModelError(f"cannot read the matcher model file {path.name} ({error.strerror}); "
                                "rerun `python -m benchmarks.train_matcher` to build it") from None
    except ValueError as error:
        raise MatcherModelError(f"the matcher model file {path.name} is not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise MatcherModelError(f"the matcher model file {path.name} does not hold a JSON object")
    return MatcherModel.from_json(data, feature_names)
