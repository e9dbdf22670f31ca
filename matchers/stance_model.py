"""A small trained stance model: is a text about a claim, and does it confirm, contradict or only mention it?

Two logistic regressions over hand-made features, trained by `benchmarks/train_stance.py` on the FNC-1
development split (headline = claim, article body = item): one says whether the text concerns the claim
(TF-IDF and term overlap), the other which stance a related text takes (refuting words, hedges, negation
and support near the sentences most like the claim). Pure Python at run time: the only I/O is reading the
shipped `stance_model.json` (IDF table and weights) on first use.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matchers.verdict import Stance

MODEL_PATH = Path(__file__).with_name("stance_model.json")
STANCES: tuple[Stance, ...] = ("confirms", "contradicts", "mentions")
LEAD_SENTENCES = 3  # news puts the story in its first sentences; FNC-1 bodies have no title
CLOSEST_SENTENCES = 3  # the sentences most like the claim, where a body states its stance towards it

CACHE_SIZE = 2048  # analysed texts kept per kind; FNC-1 has 457 bodies and 890 headlines

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+|\n+")
_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself nor of off
    on once only or other our ours out over own same she should so some such than that the their theirs them
    then there these they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours s t says said say new one two also like get got via""".split()
)

# Word families counted per sentence. The stance features are how often each occurs in the whole text, in its
# lead and in the sentences closest to the claim. "fabricated" and "denied" are FNC-1's "disagree": viral
# stories debunked; "reported" and "uncertain" mark a text that passes a story on without vouching ("discuss").
_LEXICONS: dict[str, re.Pattern[str]] = {name: re.compile(pattern) for name, pattern in {
    "fabricated": r"\b(?:hoax(?:es|er)?|fake[sd]?|false(?:ly|hood)?|debunk\w*|fabricat\w*|satir\w*|parody|spoof\w*|"
                  r"prank\w*|photoshop\w*|doctored|fraud\w*|scam\w*|bogus|made(?:-| )up|myth|urban legend|"
                  r"not real|isn't real|misleading|gag|joke)\b",
    "denied": r"\b(?:den(?:y|ies|ied|ying|ial)|refut\w*|dismiss\w*|not true|untrue|no truth|no evidence|baseless|"
              r"unfounded|groundless|didn't happen|did not happen|never happened|incorrect|erroneous\w*|retract\w*|"
              r"correction|misreport\w*|nothing to do with|alive and well|not dead|isn't dead|no such|"
              r"rumou?rs? (?:is|are|was|were) (?:false|untrue|wrong)|never (?:said|did|was|were|had))\b",
    "reported": r"\b(?:reportedly|allegedly|alleged|claim(?:s|ed|ing)?|according to|unconfirmed|rumou?r\w*|"
                r"purported\w*|supposed(?:ly)?|unverified|report(?:s|ed)?|circulat\w*|viral|speculat\w*)\b",
    "uncertain": r"\b(?:may|might|could|would|possibl[ey]|if|whether|unclear|apparent(?:ly)?|appears? to|"
                 r"seem(?:s|ed)? to|believed to|suggest\w*|not (?:yet )?(?:been )?(?:confirmed|verified)|"
                 r"cannot be (?:confirmed|verified)|unknown|unclear)\b",
    "support": r"\b(?:confirm(?:s|ed|ing|ation)?|official(?:ly|s)?|announc\w*|reveal\w*|verified|indeed|proof|"
               r"proves?|proven|footage|video shows|photos? shows?|statement|told|admit\w*|acknowledg\w*|true|"
               r"in fact|actually|has been|have been|was found|were found|arrested|charged)\b",
    "doubt": r"\b(?:doubt\w*|skeptic\w*|sceptic\w*|suspicio\w*|question\w*|unlikely|however|but|despite|"
             r"although|turns? out|turned out|in reality|actually)\b",
    "negation": r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without)\b|n't\b",
}.items()}
_REFUTING = ("fabricated", "denied")


def _lower(text: str) -> str:
    """Lower-case with typographic apostrophes folded, so "didn’t" reads as "didn't"."""
    return text.replace("\u2019", "'").replace("\u2018", "'").lower()


def _split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


_NUMBER_WORDS = {"1": "one", "first": "one", "2": "two", "second": "two", "3": "three", "third": "three",
                 "4": "four", "fourth": "four", "5": "five", "fifth": "five", "10": "ten", "tenth": "ten"}
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def _stem(token: str) -> str:
    """A cheap stemmer: drop one inflection, fold a final y, keep six letters ("boobed" ~ "boobs")."""
    token = _NUMBER_WORDS.get(token, token)
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            token = token[: -len(suffix)]
            break
    if token.endswith("y") and len(token) > 3:
        token = token[:-1] + "i"
    return token[:6]


def _terms(text: str) -> list[str]:
    """Stemmed content words of lower-cased text."""
    return [_stem(token) for token in _TOKEN.findall(text) if token not in _STOPWORDS and (
        len(token) > 1 or token.isdigit())]


def _bigrams(terms: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(terms, terms[1:]))


def _vector(terms: Sequence[str], idf: Mapping[str, float], unseen_idf: float) -> dict[str, float]:
    """A unit-length TF-IDF vector (sublinear term frequency)."""
    weights = {term: (1 + math.log(count)) * idf.get(term, unseen_idf) for term, count in Counter(terms).items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {term: w / norm for term, w in weights.items()}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(term, 0.0) for term, w in a.items())


def _counts(text: str) -> tuple[int, ...]:
    return tuple(len(pattern.findall(text)) for pattern in _LEXICONS.values())


@dataclass(frozen=True, slots=True)
class _Sentence:
    terms: frozenset[str]
    vector: dict[str, float]
    counts: tuple[int, ...]  # occurrences of each lexicon, in _LEXICONS order


@dataclass(frozen=True, slots=True)
class _Body:
    """What the features need from a text, computed once per text: FNC-1 pairs one body with many headlines."""

    terms: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    vector: dict[str, float]
    lead_vector: dict[str, float]
    lead_terms: frozenset[str]
    sentences: tuple[_Sentence, ...]
    rates: tuple[float, ...]  # occurrences of each lexicon per sentence
    questions: float
    quotes: float
    length: float


@dataclass(frozen=True, slots=True)
class _Headline:
    terms: tuple[str, ...]
    vector: dict[str, float]
    weight: dict[str, float]  # IDF of each distinct term
    counts: tuple[int, ...]
    question: bool


def _sums(sentences: Sequence[_Sentence]) -> list[int]:
    return [sum(column) for column in zip(*(s.counts for s in sentences))] or [0] * len(_LEXICONS)


class TextIndex:
    """IDF statistics plus per-text caches: turns (headline, body) pairs into the model's feature rows."""

    def __init__(self, idf: Mapping[str, float], unseen_idf: float) -> None:
        """Build from an IDF table; unseen_idf is the weight of a term the table lacks (a rare one)."""
        self.idf = dict(idf)
        self.unseen_idf = unseen_idf
        self._bodies: dict[str, _Body] = {}
        self._headlines: dict[str, _Headline] = {}

    @classmethod
    def fit(cls, documents: Sequence[str]) -> TextIndex:
        """An index whose IDF comes from the documents (smoothed, as in scikit-learn)."""
        df: Counter[str] = Counter()
        for document in documents:
            df.update(set(_terms(_lower(document))))
        n = len(documents)
        # An unseen term weighs as much as one seen once, so the table can leave those out.
        singleton = math.log((1 + n) / 2) + 1
        return cls({t: math.log((1 + n) / (1 + c)) + 1 for t, c in df.items() if c > 1}, singleton)

    def body(self, text: str) -> _Body:
        """The cached analysis of a body text."""
        found = self._bodies.get(text)
        if found is None:
            if len(self._bodies) >= CACHE_SIZE:  # a long-running matcher sees each item once: stay bounded
                self._bodies.clear()
            found = self._bodies[text] = self._analyse_body(text)
        return found

    def headline(self, text: str) -> _Headline:
        """The cached analysis of a headline (claim statement)."""
        found = self._headlines.get(text)
        if found is None:
            if len(self._headlines) >= CACHE_SIZE:
                self._headlines.clear()
            lowered = _lower(text)
            terms = tuple(_terms(lowered))
            found = self._headlines[text] = _Headline(
                terms, _vector(terms, self.idf, self.unseen_idf),
                {t: self.idf.get(t, self.unseen_idf) for t in set(terms)}, _counts(lowered), "?" in text)
        return found

    def _analyse_body(self, text: str) -> _Body:
        lowered = _lower(text)
        parts = _split_sentences(lowered) or [lowered]
        sentences = []
        for part in parts:
            terms = _terms(part)
            vector = _vector(terms, self.idf, self.unseen_idf)
            sentences.append(_Sentence(frozenset(terms), vector, _counts(part)))
        all_terms = _terms(lowered)
        lead_terms = [t for s in parts[:LEAD_SENTENCES] for t in _terms(s)]
        n = len(parts)
        return _Body(frozenset(all_terms), frozenset(_bigrams(all_terms)),
                     _vector(all_terms, self.idf, self.unseen_idf), _vector(lead_terms, self.idf, self.unseen_idf),
                     frozenset(lead_terms), tuple(sentences), tuple(total / n for total in _sums(sentences)),
                     lowered.count("?") / n, (lowered.count('"') + lowered.count("\u201c")) / n,
                     math.log1p(len(all_terms)))

    def relatedness_features(self, headline: str, body: str) -> list[float]:
        """Features saying whether the body concerns the headline at all."""
        head, text = self.headline(headline), self.body(body)
        if not head.terms:
            return [0.0] * len(RELATEDNESS_FEATURES)
        distinct = set(head.terms)
        total_weight = sum(head.weight.values())
        shared = distinct & text.terms
        sims = sorted((_cosine(head.vector, s.vector) for s in text.sentences), reverse=True)
        head_bigrams = _bigrams(head.terms)
        return [
            _cosine(head.vector, text.vector),
            _cosine(head.vector, text.lead_vector),
            sims[0],
            sum(sims[:CLOSEST_SENTENCES]) / CLOSEST_SENTENCES,
            len(shared) / len(distinct),
            sum(head.weight[t] for t in shared) / total_weight,
            len(head_bigrams & text.bigrams) / len(head_bigrams) if head_bigrams else 0.0,
            max((len(distinct & s.terms) for s in text.sentences), default=0) / len(distinct),
            math.log1p(len(shared)),
            max((head.weight[t] for t in shared), default=0.0) / max(head.weight.values()),
            len(distinct & text.lead_terms) / len(distinct),
        ]

    def stance_features(self, headline: str, body: str) -> list[float]:
        """Features saying how a related body stands towards the headline."""
        head, text = self.headline(headline), self.body(body)
        ranked = sorted(text.sentences, key=lambda s: _cosine(head.vector, s.vector), reverse=True)
        close = _sums(ranked[:CLOSEST_SENTENCES])
        lead = _sums(text.sentences[:LEAD_SENTENCES])
        first = text.sentences[0].counts
        # A headline that itself says "hoax" is agreed with, not contradicted, by a debunking body.
        flip = 1.0 if any(head.counts[_NAMES.index(name)] for name in _REFUTING) else 0.0
        lexical: list[float] = []
        for i, name in enumerate(_NAMES):
            lexical += [min(text.rates[i] * 5, 3.0), min(close[i], 3), min(lead[i], 3), min(first[i], 1)]
            if name in _REFUTING:
                lexical += [min(text.rates[i] * 5, 3.0) * flip, min(close[i], 3) * flip]
        return [
            *self.relatedness_features(headline, body)[:4],
            *lexical,
            *(min(c, 1) for c in head.counts),
            flip,
            min(text.questions, 1.0),
            min(text.quotes, 2.0),
            text.length,
            1.0 if head.question else 0.0,
        ]


_NAMES = tuple(_LEXICONS)
RELATEDNESS_FEATURES = ("cos_body", "cos_lead", "cos_best_sentence", "cos_top3_sentences", "overlap",
                        "idf_overlap", "bigram_overlap", "best_sentence_overlap", "log_shared", "rarest_shared",
                        "lead_overlap")
STANCE_FEATURES = (
    "cos_body", "cos_lead", "cos_best_sentence", "cos_top3_sentences",
    *(f"{name}_{where}" for name in _NAMES for where in (
        ("rate", "close", "lead", "first", "rate_x_headline_refutes", "close_x_headline_refutes")
        if name in _REFUTING else ("rate", "close", "lead", "first"))),
    *(f"headline_{name}" for name in _NAMES),
    "headline_refutes", "question_rate", "quote_rate", "log_length", "headline_question",
)
STANCE_CLASSES: tuple[Stance, ...] = STANCES  # the stance model's output order


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Standardised features -> softmax over classes; what the trainer writes and the runtime reads."""

    classes: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[tuple[float, ...], ...]  # one row per class
    bias: tuple[float, ...]

    def probabilities(self, features: Sequence[float]) -> dict[str, float]:
        """Class probabilities of one feature row."""
        x = [(f - m) / s for f, m, s in zip(features, self.mean, self.scale, strict=True)]
        logits = [b + sum(w * v for w, v in zip(row, x)) for row, b in zip(self.weights, self.bias)]
        top = max(logits)
        exp = [math.exp(z - top) for z in logits]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp)}

    def as_json(self) -> dict[str, object]:
        """The JSON form stored in the model file."""
        return {"classes": list(self.classes), "mean": [round(v, 6) for v in self.mean],
                "scale": [round(v, 6) for v in self.scale], "bias": [round(v, 6) for v in self.bias],
                "weights": [[round(v, 6) for v in row] for row in self.weights]}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> LinearModel:
        """Read the JSON form back."""
        return cls(tuple(data["classes"]), tuple(data["mean"]), tuple(data["scale"]),  # type: ignore[arg-type]
                   tuple(tuple(row) for row in data["weights"]), tuple(data["bias"]))  # type: ignore[union-attr]


@dataclass(frozen=True, slots=True)
class StanceScores:
    """How likely a text concerns a claim, and the probability of each stance if it does."""

    related: float
    confirms: float
    contradicts: float
    mentions: float
    threshold: float

    @property
    def stance(self) -> Stance | None:
        """The most likely stance, or None when the text is judged not to concern the claim."""
        if self.related < self.threshold:
            return None
        ranked = {"confirms": self.confirms, "contradicts": self.contradicts, "mentions": self.mentions}
        return max(ranked, key=ranked.__getitem__)  # type: ignore[return-value]


class StanceModel:
    """The relatedness and stance regressions with the text index they were trained with."""

    def __init__(self, index: TextIndex, relatedness: LinearModel, stance: LinearModel, threshold: float) -> None:
        """Assemble from parts (the trainer does this; callers use `load_model`)."""
        self.index = index
        self.relatedness = relatedness
        self.stance = stance
        self.threshold = threshold

    def scores(self, headline: str, body: str) -> StanceScores:
        """Relatedness and stance probabilities of a body towards a headline."""
        related = self.relatedness.probabilities(self.index.relatedness_features(headline, body))["related"]
        stance = self.stance.probabilities(self.index.stance_features(headline, body))
        return StanceScores(related, stance["confirms"], stance["contradicts"], stance["mentions"], self.threshold)

    def as_json(self) -> dict[str, object]:
        """The JSON form stored in `stance_model.json`."""
        return {"relatedness_features": list(RELATEDNESS_FEATURES), "stance_features": list(STANCE_FEATURES),
                "threshold": round(self.threshold, 4), "unseen_idf": round(self.index.unseen_idf, 4),
                "idf": {t: round(v, 3) for t, v in sorted(self.index.idf.items())},
                "relatedness": self.relatedness.as_json(), "stance": self.stance.as_json()}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> StanceModel:
        """Read the JSON form back, refusing a file written for other features."""
        if (tuple(data.get("relatedness_features", ())) != RELATEDNESS_FEATURES  # type: ignore[arg-type]
                or tuple(data.get("stance_features", ())) != STANCE_FEATURES):  # type: ignore[arg-type]
            raise StanceModelError("the stance model file was trained on other features; rerun "
                                   "`python -m benchmarks.train_stance` to rebuild it")
        index = TextIndex(data["idf"], float(data["unseen_idf"]))  # type: ignore[arg-type]
        return cls(index, LinearModel.from_json(data["relatedness"]),  # type: ignore[arg-type]
                   LinearModel.from_json(data["stance"]), float(data["threshold"]))  # type: ignore[arg-type]


class StanceModelError(RuntimeError):
    """The shipped stance model file is missing or does not fit this code."""


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> StanceModel:
    """The shipped stance model, read once."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise StanceModelError(f"cannot read the stance model file {path.name}: {error}") from None
    return StanceModel.from_json(data)


def stance_scores(claim_text: str, item_title: str, item_body: str = "") -> StanceScores:
    """Probabilities that an item concerns a claim and confirms, contradicts or only mentions it."""
    text = f"{item_title.strip()}.\n{item_body}" if item_title.strip() else item_body
    return load_model().scores(claim_text, text)


def classify_stance(claim_text: str, item_title: str, item_body: str = "") -> Stance | None:
    """The item's most likely stance towards the claim, or None when it is not about the claim."""
    return stance_scores(claim_text, item_title, item_body).stance
