"""A small trained calibrator over the matcher's own evidence: unrelated, mentions, confirms or contradicts?

The rules find candidate (item, claim) pairs and describe each as a feature row (scores, subject and figure
evidence, cue polarity, frames) plus the words the item uses about the claim (`matchers.lexical`). A softmax
regression trained by `benchmarks/train_matcher.py` on the training set turns them into four probabilities, and a
margin chosen on the dev set downgrades an unsure confirms/contradicts to mentions: an alert must be worth a
person's attention. Pure Python at run time; the only I/O is reading `matcher_model.json` once.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).with_name("matcher_model.json")
CLASSES: tuple[str, ...] = ("unrelated", "mentions", "confirms", "contradicts")
ALERTING: frozenset[str] = frozenset({"confirms", "contradicts"})


class MatcherModelError(RuntimeError):
    """The calibration model file is missing, unreadable or was trained on other features."""


def schema_hash(feature_names: Sequence[str], lexical_scheme: str = "") -> str:
    """A short fingerprint of the feature names in order and the term scheme: a model trained on others is stale."""
    names = [*feature_names, lexical_scheme] if lexical_scheme else list(feature_names)
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Decision:
    """The calibrated stance of one pair and the model's probability for it."""

    stance: str  # one of CLASSES
    confidence: float  # the model's probability for it (for an alert: that the pair deserves one, either polarity)
    downgraded: bool = False  # an alert the model was not sure of, or the reverse of the rules', reported as mentions
    reversed: bool = False  # the model read the opposite polarity to the rules' with a clear margin

    @property
    def label(self) -> str:
        """How the decision reads in a `why` line: "model: confirms 0.91"."""
        if self.downgraded:
            return f"model: unsure ({self.confidence:.2f}), so mentions"
        if self.reversed:
            return f"model: {self.stance} {self.confidence:.2f}, against the rules' cue"
        return f"model: {self.stance} {self.confidence:.2f}"


@dataclass(frozen=True, slots=True)
class MatcherModel:
    """Standardisation, softmax weights and the decision margin, as `train_matcher` writes them."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[tuple[float, ...], ...]  # one row per class, in CLASSES order
    bias: tuple[float, ...]
    alert_margin: float  # a rules' alert stands when the model gives "alert" (either polarity) this much
    promote_margin: float  # an alert the rules did not make needs this much of the model's own (above 1: never)
    terms: Mapping[str, tuple[float, ...]] = field(default_factory=dict)  # term -> weight per class; absent = 0
    lexical_scheme: str = ""  # `matchers.lexical.SCHEME` the terms were read with ("" for a model without terms)
    reverse_margin: float = 1.01  # how much more the model must give the opposite polarity to turn the rules' round
    doubt_margin: float = 1.01  # ... and to put the rules' polarity in doubt (the pair then only mentions the claim)
    _folded: tuple[tuple[float, ...], tuple[tuple[float, ...], ...]] = field(init=False, repr=False, compare=False)

    def probabilities(self, row: Sequence[float], terms: Iterable[str] = ()) -> dict[str, float]:
        """Class probabilities of one feature row and the pair's distinct terms."""
        if len(row) != len(self.mean):
            raise ValueError(f"a feature row of {len(row)} values for a model of {len(self.mean)} features")
        # Standardisation folded into the weights: w·(x - m)/s + b == (w/s)·x + (b - w·m/s); most features are
        # 0/1 flags, and a zero adds nothing.
        bias, columns = self._folded
        a, b, c, d = bias
        for value, (wa, wb, wc, wd) in zip(row, columns):
            if value:
                a += value * wa
                b += value * wb
                c += value * wc
                d += value * wd
        known = self.terms
        for term in terms:
            weights = known.get(term)
            if weights is not None:
                a, b, c, d = a + weights[0], b + weights[1], c + weights[2], d + weights[3]
        logits = (a, b, c, d)
        top = max(logits)
        exp = [math.exp(z - top) for z in logits]
        total = sum(exp)
        return {name: e / total for name, e in zip(CLASSES, exp)}

    def __post_init__(self) -> None:
        # (bias per class, then per feature its weight per class), standardisation folded in (see `probabilities`).
        bias = tuple(b - sum(w * m / s for w, m, s in zip(weights, self.mean, self.scale))
                     for weights, b in zip(self.weights, self.bias))
        columns = tuple(zip(*(tuple(w / s for w, s in zip(weights, self.scale)) for weights in self.weights)))
        object.__setattr__(self, "_folded", (bias, columns))

    def decide(self, row: Sequence[float], rule_stance: str | None, terms: Iterable[str] = ()) -> Decision:
        """The calibrated stance of one pair: the likeliest class, an unsure or reversed alert downgraded."""
        return decide(self.probabilities(row, terms), rule_stance, self.alert_margin, self.promote_margin,
                      self.reverse_margin, self.doubt_margin)

    def as_json(self) -> dict[str, object]:
        """The JSON form stored in `matcher_model.json` (terms sorted, so retraining gives a readable diff)."""
        return {"schema": schema_hash(self.features, self.lexical_scheme), "classes": list(CLASSES),
                "features": list(self.features), "lexical_scheme": self.lexical_scheme,
                "alert_margin": round(self.alert_margin, 4), "promote_margin": round(self.promote_margin, 4),
                "reverse_margin": round(self.reverse_margin, 4), "doubt_margin": round(self.doubt_margin, 4),
                "mean": [round(v, 6) for v in self.mean], "scale": [round(v, 6) for v in self.scale],
                "bias": [round(v, 6) for v in self.bias],
                "weights": [[round(v, 6) for v in row] for row in self.weights],
                "terms": {term: [round(v, 3) for v in self.terms[term]] for term in sorted(self.terms)}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], feature_names: Sequence[str],
                  lexical_scheme: str = "") -> MatcherModel:
        """Read the JSON form back, refusing a model trained on features or terms other than these."""
        if data.get("schema") != schema_hash(feature_names, lexical_scheme) or tuple(
                data.get("classes", ())) != CLASSES:
            raise MatcherModelError("the matcher model file was trained on other features than this matcher "
                                    "computes; rerun `python -m benchmarks.train_matcher` to rebuild it")
        try:
            terms = data.get("terms", {})
            model = cls(tuple(feature_names), tuple(map(float, data["mean"])),
                        tuple(map(float, data["scale"])),
                        tuple(tuple(map(float, row)) for row in data["weights"]),
                        tuple(map(float, data["bias"])), float(data["alert_margin"]),
                        float(data["promote_margin"]),
                        {str(term): tuple(map(float, weights))
                         for term, weights in terms.items()},
                        lexical_scheme, float(data.get("reverse_margin", 1.01)),
                        float(data.get("doubt_margin", 1.01)))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise MatcherModelError(f"the matcher model file is incomplete ({error!r} is missing or malformed); "
                                    "rerun `python -m benchmarks.train_matcher`") from None
        width = len(feature_names)
        if not (len(model.mean) == len(model.scale) == width and len(model.weights) == len(CLASSES)
                and all(len(row) == width for row in model.weights) and len(model.bias) == len(CLASSES)
                and all(len(weights) == len(CLASSES) for weights in model.terms.values())):
            raise MatcherModelError("the matcher model file's weights do not fit its feature list; "
                                    "rerun `python -m benchmarks.train_matcher`")
        return model


def decide(probabilities: Mapping[str, float], rule_stance: str | None, alert_margin: float,
           promote_margin: float, reverse_margin: float = 1.01, doubt_margin: float = 1.01) -> Decision:
    """The calibrated stance of one pair: the model says whether it deserves an alert, the rules which way it points.

    Where the rules found an alert (a cue with its negation and scope, a figure), it stands when the model gives
    the pair at least `alert_margin` of being an alert of either polarity: a short headline with one clear cue
    ("judge blocks the fee") can leave the model split between the polarities, which together still say "alert".
    The model turns the rules' polarity round only when it gives the opposite at least `reverse_margin` more
    (above 1: never); when it gives the opposite at least `doubt_margin` more but less than that, the polarity is in
    doubt and the pair only mentions the claim. Below the alert margin the pair is the likelier of mentions and
    unrelated.
    Where the rules found no alert (`rule_stance` "mentions" or None), the model's likeliest class decides, an
    alert only with `promote_margin` (above 1: never).
    """
    if rule_stance in ALERTING:
        opposite = "confirms" if rule_stance == "contradicts" else "contradicts"
        alert = probabilities["confirms"] + probabilities["contradicts"]
        if alert >= alert_margin:
            lead = probabilities[opposite] - probabilities[rule_stance]
            if lead >= reverse_margin:
                return Decision(opposite, alert, reversed=True)
            if lead >= doubt_margin:
                return Decision("mentions", alert, downgraded=True)
            return Decision(rule_stance, alert)
        quieter = max(("mentions", "unrelated"), key=probabilities.__getitem__)
        return Decision(quieter, probabilities[quieter], downgraded=quieter == "mentions")
    stance = max(CLASSES, key=probabilities.__getitem__)
    confidence = probabilities[stance]
    if stance in ALERTING and confidence < promote_margin:
        return Decision("mentions", confidence, downgraded=True)
    return Decision(stance, confidence)


def load_model(feature_names: Sequence[str], path: Path = MODEL_PATH, lexical_scheme: str = "") -> MatcherModel:
    """The calibration model at `path`, checked against the features and term scheme the matcher computes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MatcherModelError(f"cannot read the matcher model file {path.name} ({error.strerror}); "
                                "rerun `python -m benchmarks.train_matcher` to build it") from None
    except ValueError as error:
        raise MatcherModelError(f"the matcher model file {path.name} is not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise MatcherModelError(f"the matcher model file {path.name} does not hold a JSON object")
    return MatcherModel.from_json(data, feature_names, lexical_scheme)
