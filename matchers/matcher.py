"""Score items against claims: relevance from terms, entities and figures; stance from scoped cues."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import cast

from rapidfuzz import fuzz, process

from matchers.calibrator import MODEL_PATH, MatcherModel, load_model
from matchers.clustering import cluster_stories, story_alerts, story_title
from matchers.cues import Cue, Polarity, find_cues, is_restriction, restriction_word_at
from matchers.entities import (
    ENTITY_ALIASES,
    acting_government,
    agency_pattern,
    canonical_entity,
    entity_pattern,
    find_entities,
)
from matchers.lexical import SCHEME, Mark, pair_terms
from matchers.quantities import Figure, canonical_unit, compare, extract_figures
from matchers.text import LiteralIndex, has_cjk, index_terms, normalise, sentences
from matchers.verdict import Stance, Verdict
from seeds.registry import Claim, Quantity, linked_claims
from sources.item import Item

# Weights of the relevance evidence (sum to 1). Entities and keywords carry most of it: fuzzy similarity
# alone rewards shared filler words, which is how "Stargate" the TV series would sneak in.
W_FUZZY, W_KEYWORDS, W_ENTITIES, W_QUANTITY = 0.30, 0.30, 0.25, 0.15
KEYWORDS_FOR_FULL_CREDIT = 3
UNSPECIFIC_PENALTY = 0.7
SPECIFIC = 0.5  # topical weight that makes a story about the claim's subject: one keyword shared by <= 2 claims
COMPETITION_MARGIN = 0.2  # claims scoring this far below an item's best claim are left out
OUTRANK_FACTOR = 2.0  # a rival claim on the same companies with this many times the subject evidence takes the story
# A claim naming no company needs twice the subject evidence (terms, or a term and its figure) to take a side.
MIN_TOPICAL_WITHOUT_ENTITIES = 2 * SPECIFIC
# A claim whose own wording (statement, aliases, keywords) the item shares this much of is put to the calibrator even
# when its keywords and companies did not make it a candidate: news words a story in more ways than a keyword list
# foresees ("市值" for market value, "weekly audience" for weekly users). Each shared word or Chinese character pair
# counts its inverse claim frequency, scaled so that a word of one claim alone counts about 1 (0.9 among 72 claims):
# "H-1B" or "市值" says more than "NVIDIA" or "China". Only the trained calibrator can take a side on such a pair.
WORDING_CANDIDATE = 3.25
_BOUNDED = r"(?<![a-z0-9]){}(?![a-z0-9])"


@dataclass(frozen=True, slots=True)
class _Term:
    shown: str  # as the claim spells it, for the `why` line
    pattern: re.Pattern[str]
    names_company: bool = False  # "OpenAI" among the keywords of a claim that requires no entity
    weight: float = 1.0  # 1 / number of claims sharing the keyword: "H-1B" says more than "China"


@dataclass(frozen=True, slots=True)
class _CompiledClaim:
    claim: Claim
    entities: tuple[_Term, ...]
    keywords: tuple[_Term, ...]
    targets: tuple[str, ...]  # normalised statement and aliases for fuzzy scoring
    quantity: Quantity | None
    restriction: bool
    speaker: re.Pattern[str] | None = None  # the claim's source named as the one saying it (see `_frame`)
    actor: re.Pattern[str] | None = None  # the agency whose rules make a policy claim (stands in for its companies)
    absence: bool = False  # the claim states that something is absent ("guidance includes no revenue from China")
    bound: str = ""  # "min" for "more than 100-fold", "max" for "less than 1%": the figure is a limit, not a value
    conditional: bool = False  # the claim itself is a possibility ("if …, the deal could bring $400 billion")
    valuation: bool = False  # the claim's figure is what a company or business is worth: valuations are its evidence
    # Every company the claim is about: its required entities, companies among its keywords, and those its statement
    # names ("about 500,000 NVIDIA GB200-class GPUs" makes NVIDIA one of Colossus 2's companies).
    companies: frozenset[str] = frozenset()
    # The government whose restriction the claim is ("US export controls bar…" -> "US"): another government's
    # cues ("China lifts curbs on Nvidia purchases") say nothing about it.
    government: str | None = None


@dataclass(slots=True)
class _ItemView:
    item: Item
    text: str
    title: str  # normalised headline without the " - Publisher" suffix
    keywords: set[str]  # patterns of the claim keywords the text contains
    entities: frozenset[str]  # canonical organisations the text names
    known: frozenset[str] = frozenset()  # ... those of them `find_entities` knows (not claim-only names)
    _sentences: list[str] | None = None
    _figures: list[tuple[int, Figure]] | None = None
    _cues: dict[int, list[Cue]] = field(default_factory=dict)
    _organisations: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
    wording: dict[str, float] | None = None  # claim id -> shared wording, see `Matcher._wording`
    # id of a compiled claim -> (rank in the claim's keywords, keyword) of those the text contains, unordered
    claim_keywords: defaultdict[int, list[tuple[int, _Term]]] = field(default_factory=lambda: defaultdict(list))
    polar: dict[str, list[tuple[Cue, Polarity | None]]] = field(default_factory=dict)  # claim id -> cues read for it
    foreign: dict[str, list[Cue]] = field(default_factory=dict)  # claim id -> cues of another government, not read
    # What the stance, the features and the terms of one pair all ask, answered once: (claim id, sentence index) ->
    # whether the sentence carries the claim (`Matcher._carries`); claim id -> its frame, its doubt phrase.
    carried: dict[tuple[str, int], bool] = field(default_factory=dict)
    frames: dict[str, str] = field(default_factory=dict)
    doubts: dict[str, str] = field(default_factory=dict)
    _headline_frame: tuple[bool, bool] | None = None
    _deal_doubts: list[tuple[int, re.Match[str]]] | None = None

    @property
    def sentences(self) -> list[str]:
        """The headline, then the summary's sentences (a summary that only repeats the headline is dropped)."""
        if self._sentences is None:
            summary = sentences(normalise(self.item.summary)) if self.item.summary else []
            if summary and _repeats(summary[0], self.title):
                summary = summary[1:]  # Google News: the summary is the headline and the publisher again
            self._sentences = [self.title, *summary]
        return self._sentences

    @property
    def figures(self) -> list[tuple[int, Figure]]:
        """Each figure with the index of the sentence it stands in (extracted once per item)."""
        if self._figures is None:
            self._figures = [(i, f) for i, sentence in enumerate(self.sentences) for f in extract_figures(sentence)]
        return self._figures

    @property
    def headline_frame(self) -> tuple[bool, bool]:
        """Whether the headline (or the summary's first sentence) discusses rather than reports, and restates."""
        if self._headline_frame is None:
            lead = self.sentences[1] if len(self.sentences) > 1 else ""
            discusses = bool(_DISCUSSION.search(self.title) or (lead and _SUMMARY_DISCUSSION.search(lead)))
            restates = bool(_RESTATED.search(self.title) or (lead and _RESTATED.search(lead)))
            self._headline_frame = (discusses, restates)
        return self._headline_frame

    @property
    def deal_doubts(self) -> list[tuple[int, re.Match[str]]]:
        """Each sentence's phrase saying a deal is not final (`_DEAL_DOUBT`), unless it recalls earlier news."""
        if self._deal_doubts is None:
            self._deal_doubts = [(index, found) for index, sentence in enumerate(self.sentences)
                                 if (found := _DEAL_DOUBT.search(sentence)) is not None
                                 and not _in_background(sentence, found.start())]
        return self._deal_doubts

    def cues(self, index: int) -> list[Cue]:
        """The stance cues of one sentence (found once per item)."""
        found = self._cues.get(index)
        if found is None:
            found = self._cues[index] = find_cues(self.sentences[index])
        return found

    def organisations(self, index: int) -> list[tuple[int, int, str]]:
        """Where one sentence names known organisations: (start, end, canonical name), found once per item."""
        found = self._organisations.get(index)
        if found is None:
            sentence = self.sentences[index]
            found = self._organisations[index] = [
                (match.start(), match.end(), name) for name in self.known
                for match in entity_pattern(name).finditer(sentence)]
        return found


def _repeats(sentence: str, title: str) -> bool:
    return sentence.startswith(title[: max(20, len(title) - 5)]) or fuzz.ratio(sentence, title, score_cutoff=90) > 0


_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ers", "er", "res", "re", "ed", "es", "e", "s", "y")


def _stem_pattern(word: str) -> str:
    """A pattern for a word and its inflections: "investment" also finds "invest", "invested"."""
    if word.isalpha() and 3 <= len(word) < 5:
        return re.escape(word) + "(?:e?s)?"  # "visa" also finds "visas", "fee" "fees"
    if not word.isalpha() or len(word) < 5:
        return re.escape(word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    stem = re.escape(word)
    stem = re.sub(r"i[sz]$", "i[sz]", stem)  # annualised / annualized
    return stem.replace("licenc", "licen[cs]").replace("licens", "licen[cs]") + "[a-z]*"


def _term(shown: str) -> _Term:
    text = normalise(shown)
    names_company = canonical_entity(shown) in ENTITY_ALIASES
    if not text.isascii():
        return _Term(shown, re.compile(re.escape(text)), names_company)
    stems = [_stem_pattern(word).replace(r"\-", "[- ]?") for word in text.split()]
    return _Term(shown, re.compile(_BOUNDED.format(r"\s+".join(stems))), names_company)


def _anchor(keyword: str) -> str:
    """A literal substring every match of the keyword's pattern contains."""
    text = normalise(keyword)
    if not text.isascii():
        return text
    pieces = re.findall(r"[a-z0-9]+", text)
    longest = max(pieces, key=len, default=text)
    if len(longest) < 5:
        return longest  # short words are matched whole (plus a plural ending)
    stem = re.sub(r"\[a-z\]\*$", "", _stem_pattern(longest)) if longest.isalpha() else longest
    return re.sub(r"i\[sz\]$", "i", stem).replace("licen[cs]", "licen")


def _is_topical(keyword: str) -> bool:
    """Keywords that say what a claim is about; a bare year ("2026") says nothing."""
    return not keyword.strip().isdigit()


def _is_figure(keyword: str) -> bool:
    return bool(extract_figures(normalise(keyword)))


def compile_claim(claim: Claim) -> _CompiledClaim:
    """Precompile one claim's patterns, fuzzy targets and quantity."""
    entity_names = {canonical_entity(name) for name in claim.entities}
    entities = tuple(_Term(name, entity_pattern(name)) for name in sorted(entity_names))
    keywords = tuple(
        _term(keyword) for keyword in claim.keywords
        if _is_topical(keyword) and not _is_figure(keyword) and canonical_entity(keyword) not in entity_names
    )
    statement = normalise(claim.statement)
    targets = (statement, *(normalise(alias) for alias in claim.aliases))
    restriction = is_restriction(claim.statement)
    federal_register = claim.watch.federal_register
    actor = agency_pattern(federal_register.agencies) if restriction and federal_register and entities else None
    government = acting_government(statement, restriction_word_at(statement)) if restriction else None
    return _CompiledClaim(claim, entities, keywords, targets, claim.quantity, restriction,
                          _speaker_pattern(claim, entity_names), actor,
                          claim.quantity is None and _ABSENCE_CLAIM.search(statement) is not None,
                          _bound(claim), _HEDGED_HEADLINE.search(statement) is not None,
                          claim.quantity is not None and canonical_unit(claim.quantity.unit)[0] == "USD"
                          and _VALUATION_CLAIM.search(statement) is not None,
                          frozenset({term.shown for term in entities} | {canonical_entity(term.shown) for term in keywords
                                                                         if term.names_company}
                                    | find_entities(statement)), government)


def _speaker_pattern(claim: Claim, entity_names: set[str]) -> re.Pattern[str] | None:
    """How a headline attributes words to the claim's speaker ("Huang:", "Patel says"), unless that is first-party.

    A chief executive stating a fact about his own company (Huang on NVIDIA's China share) is evidence; a speaker
    repeating his forecast or estimate, or his view of someone else's business, is not.
    """
    if not claim.speaker:
        return None
    speaker = normalise(claim.speaker)
    if not claim.horizon and canonical_entity(speaker) in entity_names:
        return None
    surname = speaker.split()[-1]
    chinese = "".join(f"|{re.escape(name)}\\s?[:：]" for name in SPEAKER_NAMES.get(speaker, ()))
    return re.compile(_BOUNDED.format(re.escape(surname)) + _SAYS + chinese)


_VALUATION_CLAIM = re.compile(r"\b(?:market value|valuation|worth|market cap\w*|trillion-dollar)\b")
_LOWER_BOUND = re.compile(r"\b(?:more than|at least|over|above|exceeds?|upwards of)\s+(?:\$|us\$)?\d")
_UPPER_BOUND = re.compile(r"\b(?:less than|under|below|at most|no more than)\s+(?:\$|us\$)?\d")


def _bound(claim: Claim) -> str:
    """Whether the claim's figure is a floor ("more than 100-fold") or a ceiling ("less than 1%") rather than a value."""
    statement = normalise(claim.statement)
    if claim.quantity is None:
        return ""
    if _UPPER_BOUND.search(statement):
        return "max"
    return "min" if _LOWER_BOUND.search(statement) else ""


def _bounded_compare(figure: Figure, compiled: _CompiledClaim) -> str:
    """`compare`, where a figure beyond a floor or within a ceiling states the claim: 150-fold is "more than 100-fold"."""
    assert compiled.quantity is not None
    outcome = compare(figure, compiled.quantity)
    if outcome != "different" or not compiled.bound:
        return outcome
    unit, factor = canonical_unit(compiled.quantity.unit)
    limit = compiled.quantity.value * factor
    if compiled.bound == "min" and figure.value >= limit or compiled.bound == "max" and figure.upper <= limit:
        return "same"
    return outcome


def _best_score_without_keywords(compiled: _CompiledClaim) -> float:
    """The highest score `Matcher._evidence` can give an item that names the claim's companies but none of its
    keywords: every company and the claimed figure present, a perfect fuzzy match (the same formula, bounded)."""
    factor = 1.0 if compiled.quantity is not None and len(compiled.entities) != 1 else UNSPECIFIC_PENALTY
    return (W_ENTITIES + W_QUANTITY * (compiled.quantity is not None) + W_FUZZY) * factor


def _scaled_unitless(figure: Figure, quantity: Quantity) -> bool:
    """"500 million" beside "weekly users" in the same sentence: a count whose noun stands apart from it."""
    unit, factor = canonical_unit(quantity.unit)
    return not figure.unit and unit == "count" and figure.value >= 1e3 and compare(
        Figure(figure.value, "count", figure.text, figure.start, figure.end, figure.high), quantity) == "different"


def _is_specific(compiled: _CompiledClaim, evidence: _Evidence, *, alerting: bool = False) -> bool:
    """True when the item carries the claim's own subject, not just its companies or a shared word.

    Subject keywords count by how few claims share them ("H-1B" more than "investment"). A figure for the claim's
    quantity (the same, a different or the old one) beside all of its companies counts as much as a subject keyword
    when the claim names two companies, or when a one-company claim also has a subject term: "$30 billion" with
    NVIDIA and OpenAI, "$38 billion" with Anthropic and "ARR". Claims naming no company need twice the evidence
    before they take a side.
    """
    if evidence.missing_entities:
        return False
    figure = bool(evidence.same or evidence.different or evidence.reference)
    pair = len(compiled.entities) >= 2
    subject = evidence.topical + (SPECIFIC if figure and (pair or evidence.topical > 0) else 0)
    if pair and evidence.topical > 0:
        subject = max(subject, SPECIFIC)
    needed = MIN_TOPICAL_WITHOUT_ENTITIES if alerting and not compiled.entities else SPECIFIC
    return subject >= needed


def _figures_disagree(evidence: _Evidence) -> bool:
    """True when the earliest sentence stating a figure for the claim's subject states a different one."""
    if not evidence.different:
        return False
    first_same = min((index for index, _ in evidence.same), default=None)
    first_different = min(index for index, _ in evidence.different)
    return first_same is None or first_different < first_same


_FORECAST = re.compile(
    r"\b(?:will|(?:expected|set|on (?:track|course)|poised|likely|forecast|projected|going|seen) to (?:reach|hit|rise|"
    r"fall|grow|account for|be|peak|top)|expects?|expected|forecasts?|projects?|projected|"
    r"predicts?|sees|see|estimates?|outlook|by (?:the end of |end-)?20\d\d|in 20\d\d|through 20\d\d|over the next|"
    r"within|decade)\b|将|预计|预期|预测|到20\d\d|20\d\d年"
)


def _organisations_in_order(sentence: str) -> list[str]:
    """The known organisations a sentence names, in the order it first names them."""
    found = [(match.start(), name) for name in find_entities(sentence)
             if (match := entity_pattern(name).search(sentence)) is not None]
    return [name for _, name in sorted(found)]


def _comparable_magnitude(figure: Figure, quantity: Quantity) -> bool:
    """A figure within two orders of magnitude of the claim's can revise it; $215 is another fee than $100,000."""
    unit, factor = canonical_unit(quantity.unit)
    target = quantity.value * factor
    if unit == "x" or target == 0 or figure.value == 0:
        return True  # "1,000-fold" against "a billion-fold" is still the same kind of quantity
    ratio = figure.value / target
    return 0.01 <= ratio <= 100


def _is_tranche(figure: Figure, quantity: Quantity) -> bool:
    """A first instalment smaller than the claimed amount, in its unit: "$10 billion" of "up to $100 billion"."""
    unit, factor = canonical_unit(quantity.unit)
    return figure.unit == unit and 0 < figure.upper < quantity.value * factor


@dataclass(frozen=True, slots=True)
class _Evidence:
    score: float
    entities: tuple[str, ...]
    missing_entities: tuple[str, ...]
    keywords: tuple[str, ...]
    topical: float  # weight of the matched keywords that name the subject rather than a company
    same: tuple[tuple[int, Figure], ...]  # (sentence index, figure) stating the claim's figure
    different: tuple[tuple[int, Figure], ...]  # a clearly different figure for the same subject
    reference: tuple[tuple[int, Figure], ...] = ()  # the claim's figure named as old value or expectation
    part: tuple[tuple[int, Figure], ...] = ()  # a first tranche of the claimed amount: the deal is proceeding


@dataclass(frozen=True, slots=True)
class _Judged:
    compiled: _CompiledClaim
    evidence: _Evidence
    stance: Stance | None  # the rules' stance; None when they leave the pair out (too weak, or beside a stronger claim)
    notes: tuple[str, ...]
    best: float  # the score of the item's best claim
    outranked_by: str = ""  # a rival claim that fits the story better
    by_wording: bool = False  # found only because the item shares much of the claim's wording (WORDING_CANDIDATE)


# What the calibrator reads about a pair, in `Matcher._features` order. Renaming, adding or reordering one changes
# the schema hash, and a model trained on the old list is refused (retrain with benchmarks/train_matcher.py).
# The FNC-1 stance model's four probabilities were tried as features: dev alert F1 0.850 with them, 0.844 without
# (one pair), for a third more matching time; left out.
FEATURES: tuple[str, ...] = (
    "score", "margin_to_best", "margin_to_rival", "log_candidates",
    "rule_confirms", "rule_contradicts", "rule_mentions", "rule_left_out",
    "keyword_share", "topical", "entity_coverage", "claim_entities", "missing_entities",
    "specific", "specific_to_alert",
    "same_figure", "same_figure_in_headline", "different_figure", "figures_disagree", "reference_figure",
    "tranche_figure",
    "claim_quantity", "claim_forecast", "claim_restriction", "claim_absence", "headline_carries_claim",
    "frame_discussion", "frame_speaker_restating", "frame_taken_as_given", "frame_conditional_headline",
    "outranked",
    "read_confirm_cues", "read_contradict_cues", "read_scoped_cues",
    "negated_cues", "hedged_cues", "deal_doubted", "foreign_government_cues",
    "chinese", "has_summary", "wording_overlap", "found_by_wording",
)
_ALERTING = frozenset({"confirms", "contradicts"})
# What `Matcher.describe_pairs` says of one pair: claim id, rules' stance, feature row, terms, links.
PairDescription = tuple[str, str, list[float], frozenset[str], dict[str, tuple[str, ...]]]


def _quantity_label(quantity: Quantity) -> str:
    value = quantity.value
    for scale, word in ((1e12, " trillion"), (1e9, " billion"), (1e6, " million")):
        if abs(value) >= scale and quantity.unit.upper() == "USD":
            return f"${value / scale:g}{word}"
    return f"{value:g} {quantity.unit}".replace(" %", "%")


class Matcher:
    """Claims compiled once, matched against any number of item batches."""

    def __init__(self, claims: Sequence[Claim], *, threshold: float = 0.5, model_path: Path | None = MODEL_PATH):
        """Compile the claims; with `model_path`, also load the calibration model (MatcherModelError if unusable)."""
        self.threshold = threshold
        self.model: MatcherModel | None = None if model_path is None else load_model(FEATURES, model_path, SCHEME)
        compiled_claims = [compile_claim(claim) for claim in claims if not claim.retired]
        shared = Counter(term.pattern.pattern for compiled in compiled_claims for term in set(compiled.keywords))
        self.claims = [
            replace(compiled, keywords=tuple(replace(term, weight=1 / shared[term.pattern.pattern])
                                             for term in compiled.keywords))
            for compiled in compiled_claims
        ]
        # Keyword pattern -> (claim, rank, term) for each claim using it, at its first place in the claim's list:
        # `_view` collects an item's keywords per claim in one pass, in the claim's own order once sorted.
        self._keyword_places: dict[str, list[tuple[int, int, _Term]]] = defaultdict(list)
        for compiled in self.claims:
            first: dict[str, tuple[int, _Term]] = {}
            for rank, term in enumerate(compiled.keywords):
                first.setdefault(term.pattern.pattern, (rank, term))
            for pattern, (rank, term) in first.items():
                self._keyword_places[pattern].append((id(compiled), rank, term))
        # Inverted index: keyword pattern / organisation -> claims (only those a company name alone could reach).
        self._by_keyword: dict[str, list[int]] = defaultdict(list)
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._by_id = {compiled.claim.id: compiled for compiled in self.claims}
        self._linked = linked_claims([compiled.claim for compiled in self.claims])  # active claims only
        # The words and Chinese character pairs of each claim's statement, aliases and keywords (WORDING_CANDIDATE).
        wording = {compiled.claim.id: index_terms(normalise(" ".join(
            [compiled.claim.statement, *compiled.claim.aliases, *compiled.claim.keywords]))) for compiled in self.claims}
        used_by = Counter(term for terms in wording.values() for term in terms)
        count = len(wording)
        self._by_wording: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for claim_id, words in wording.items():
            for word in words:
                weight = math.log((count + 1) / (used_by[word] + 0.5)) / math.log(count + 1)
                self._by_wording[word].append((claim_id, weight))
        self._by_entity_passing: dict[str, list[int]] = defaultdict(list)
        for position, compiled in enumerate(self.claims):
            for term in compiled.keywords:
                self._by_keyword[term.pattern.pattern].append(position)
                self._patterns[term.pattern.pattern] = term.pattern
            if _best_score_without_keywords(compiled) >= threshold:
                for term in compiled.entities:
                    self._by_entity_passing[term.shown].append(position)
        # A literal piece of each keyword ("invest" of "investment") gates its regex: one pass finds them all.
        # Keywords shared by several claims ("China") are tested once.
        self._anchored = LiteralIndex({term.pattern.pattern: (_anchor(term.shown), term.pattern)
                                       for compiled in self.claims for term in compiled.keywords}.values())
        # Organisations only claims name ("Cursor"): their pattern is the name as a whole word, as for known ones.
        self._unknown_entities = LiteralIndex(
            ((normalise(term.shown), term.shown) for compiled in self.claims for term in compiled.entities
             if term.shown not in ENTITY_ALIASES), whole_words=True)

    def _view(self, item: Item) -> _ItemView:
        view = _ItemView(item, "", story_title(item), set(), frozenset())
        text = "\n".join(view.sentences)  # without the publisher: "Financial Times" is no "financing"
        view.text = text
        view.keywords = {pattern.pattern for pattern in self._anchored.found_in(text) if pattern.search(text)}
        for pattern in view.keywords:
            for claim, rank, term in self._keyword_places[pattern]:
                view.claim_keywords[claim].append((rank, term))
        view.known = find_entities(text)
        entities = set(view.known)
        entities.update(self._unknown_entities.found_in(text))
        view.entities = frozenset(entities)
        return view

    def _candidates(self, view: _ItemView) -> set[int]:
        found: set[int] = set()
        for pattern in view.keywords:
            found.update(self._by_keyword[pattern])
        # A claim reached through a company name alone shares no keyword with the item: most such claims cannot
        # reach the threshold whatever the item says (see `_evidence`), and are not looked at.
        for name in view.entities:
            found.update(self._by_entity_passing.get(name, ()))
        return found

    def _evidence(self, view: _ItemView, compiled: _CompiledClaim, floor: float | None = None) -> _Evidence | None:
        """The evidence for one pair, or None when even a perfect fuzzy score could not reach the threshold
        (or `floor`, where given)."""
        threshold = self.threshold if floor is None else floor
        entities = tuple(term.shown for term in compiled.entities if term.shown in view.entities)
        missing = tuple(term.shown for term in compiled.entities if term.shown not in view.entities)
        if missing and compiled.actor is not None and (agency := compiled.actor.search(view.text)):
            # A Bureau of Industry and Security rule binds NVIDIA without naming it: the agency is the actor.
            entities, missing = (*entities, agency.group(0)), ()
        matched = [term for _, term in sorted(view.claim_keywords.get(id(compiled), ()))]  # in the claim's own order
        keywords = tuple(term.shown for term in matched)
        topical = sum(term.weight for term in matched if not term.names_company)
        keyword_share = min(1.0, len(keywords) / max(1, min(KEYWORDS_FOR_FULL_CREDIT, len(compiled.keywords))))
        entity_share = len(entities) / len(compiled.entities) if compiled.entities else keyword_share
        # Bound the score before the costly parts (figures, fuzzy): most candidates stop here. A story without
        # any figure is neutral on the quantity (it scores like its keywords); a figure can only add.
        base = W_KEYWORDS * keyword_share + W_ENTITIES * entity_share
        can_be_specific = topical > 0 or (compiled.quantity is not None and len(compiled.entities) != 1)
        best_factor = 1.0 if topical >= SPECIFIC or (can_be_specific and not missing) else UNSPECIFIC_PENALTY
        best_quantity = 1.0 if compiled.quantity is not None else keyword_share
        if (base + W_QUANTITY * best_quantity + W_FUZZY) * best_factor < threshold:
            return None
        same: list[tuple[int, Figure]] = []
        different: list[tuple[int, Figure]] = []
        reference: list[tuple[int, Figure]] = []
        part: list[tuple[int, Figure]] = []
        if compiled.quantity is not None:
            revisions: list[tuple[int, Figure]] = []  # different figures, kept if they revise the claim (below)
            for sentence_index, figure in view.figures:
                if figure.role == "if" or (figure.role == "aside" and not compiled.valuation):
                    continue  # a share price, a valuation, or a premise ("if all 10 gigawatts…")
                outcome = _bounded_compare(figure, compiled)
                if figure.role == "part":
                    sentence = view.sentences[sentence_index]
                    if outcome == "different" and _is_tranche(figure, compiled.quantity) and any(
                            term.pattern.search(sentence) for term in compiled.keywords if not term.names_company):
                        part.append((sentence_index, figure))  # "the first $10 billion tranche of its investment"
                    continue
                if figure.role == "before":
                    if outcome == "same":  # "short of $45 billion projections", "scaling back its $100 billion plan"
                        reference.append((sentence_index, figure))
                elif outcome == "same":
                    same.append((sentence_index, figure))
                elif (outcome == "different" or _scaled_unitless(figure, compiled.quantity)) and _comparable_magnitude(
                        figure, compiled.quantity):
                    revisions.append((sentence_index, figure))
            # "NVIDIA's CoreWeave stake cost $1 billion, not $2 billion": a sentence naming both of the claim's
            # companies and giving its figure as the old value (a reference, wherever it stands in the sentence) is on
            # its subject whatever words it uses (as for `_is_specific`, one company and a figure could be another of
            # its amounts).
            corrected = {index for index, _ in reference} if len(compiled.entities) >= 2 else set()
            different = [(index, figure) for index, figure in revisions
                         if self._revises(view, index, compiled, index in corrected)]
        quantity_share = 1.0 if same else 0.7 if different or reference else keyword_share
        partial = base + W_QUANTITY * quantity_share
        figures = tuple(same), tuple(different), tuple(reference), tuple(part)
        factor = 1.0 if _is_specific(compiled, _Evidence(0.0, entities, missing, keywords, topical, *figures)) \
            else UNSPECIFIC_PENALTY
        if (partial + W_FUZZY) * factor < threshold:
            return None
        scorer = fuzz.partial_ratio if has_cjk(view.title) else fuzz.token_set_ratio
        fuzzy = process.extractOne(view.title, compiled.targets, scorer=scorer)[1] / 100  # one call into C
        return _Evidence((partial + W_FUZZY * fuzzy) * factor, entities, missing, keywords, topical, *figures)

    @staticmethod
    def _on_subject(sentence: str, compiled: _CompiledClaim) -> bool:
        return any(term.pattern.search(sentence) for term in compiled.keywords if not term.names_company) and all(
            term.pattern.search(sentence) for term in compiled.entities)

    def _revises(self, view: _ItemView, sentence_index: int, compiled: _CompiledClaim, corrected: bool = False) -> bool:
        """Whether a different figure in this sentence is a new value for the claim's own quantity.

        It must stand beside the claim's subject and companies, with one of the claim's companies as the actor
        (SoftBank selling its NVIDIA stake is not NVIDIA's investment). For an aggregate over several companies
        (hyperscaler capex) one company's figure is a component, not the total. A forecast is refuted by outcome
        data (news after it fell due) or by another forecast, not by today's progress towards it.
        """
        sentence = view.sentences[sentence_index]
        if not (self._on_subject(sentence, compiled) or corrected and all(
                term.pattern.search(sentence) for term in compiled.entities)):
            return False
        named = _organisations_in_order(sentence)
        if compiled.entities:
            # The claim's companies include those its keywords name: SoftBank acts in "SoftBank pulls back from
            # Stargate sites, leaving 3 gigawatts for OpenAI" as much as Oracle and OpenAI do.
            if named and named[0] not in compiled.companies:
                return False
        elif sum(term.names_company for term in compiled.keywords) >= 2 and len(named) == 1:
            return False
        check_after = compiled.claim.check_after
        if compiled.claim.horizon and check_after is not None:
            published = view.item.published
            due = published is not None and published.date() > check_after
            if not due and not _FORECAST.search(sentence):
                return False
        return True

    @staticmethod
    def _carries(view: _ItemView, sentence_index: int, compiled: _CompiledClaim, evidence: _Evidence) -> bool:
        """True when a sentence carries the claim's own subject: one of its terms or its figure, not just a company.

        The stance, the features and the terms of a pair all ask this: it is answered once per item.
        """
        key = (compiled.claim.id, sentence_index)
        carried = view.carried.get(key)
        if carried is None:
            sentence = view.sentences[sentence_index]
            carried = view.carried[key] = any(
                index == sentence_index
                for index, _ in (*evidence.same, *evidence.different, *evidence.reference, *evidence.part)) \
                or any(term.pattern.search(sentence) for term in compiled.keywords if not term.names_company)
        return carried

    def _stance(self, view: _ItemView, compiled: _CompiledClaim, evidence: _Evidence) -> tuple[Stance, list[str]]:
        notes: list[str] = []
        if evidence.missing_entities:
            notes.append("does not name " + ", ".join(evidence.missing_entities))
            return "mentions", notes
        if not _is_specific(compiled, evidence, alerting=True):
            return "mentions", notes  # too little of the claim's own subject to take a side on it
        title_anchored = self._carries(view, 0, compiled, evidence)
        frame = self._pair_frame(view, compiled, evidence, title_anchored)
        if frame:
            notes.append(frame)
            return "mentions", notes
        if compiled.absence:
            return self._absence_stance(view, compiled, evidence, notes)
        if not compiled.restriction and (doubt := self._doubted(view, compiled, evidence)):
            # A filing's risk factor ("no assurance that we will enter into definitive agreements") says the deal
            # may never happen: whatever else the item repeats about its terms, that is no confirmation.
            notes.append(f"says it may not happen {doubt!r}")
            return "contradicts", notes
        forecast_with_figure = bool(compiled.claim.horizon) and compiled.quantity is not None
        polar = [] if forecast_with_figure else self._polar_cues(view, compiled, evidence, title_anchored)
        if foreign := view.foreign.get(compiled.claim.id):
            notes.append(f"not the {compiled.government} acting: " + ", ".join(repr(cue.text) for cue in foreign[:3]))
        confirm = [cue for cue, side in polar if side == "confirm" and (evidence.same or cue.kind != "measure")]
        stated = evidence.same or (evidence.part and not evidence.different)
        contradict = [cue for cue, side in polar if side == "contradict"]
        scoped = [cue for cue, side in polar if side is None]
        if contradict:
            notes.append("cue " + ", ".join(cue.label for cue in contradict[:3]))
            return "contradicts", notes
        if _figures_disagree(evidence):
            return "contradicts", notes
        if scoped:
            notes.append("cue " + ", ".join(cue.label for cue in scoped[:3]))
        if confirm and (stated or compiled.quantity is None):
            notes.insert(0, "cue " + ", ".join(cue.label for cue in confirm[:3]))
            return "confirms", notes
        if not scoped and not contradict and _states_plainly(view.title, compiled, evidence.same):
            notes.insert(0, "headline states the figure")
            return "confirms", notes
        return "mentions", notes

    @staticmethod
    def _pair_frame(view: _ItemView, compiled: _CompiledClaim, evidence: _Evidence, title_anchored: bool) -> str:
        """`_frame`, once per pair: the stance and the features both ask it."""
        frame = view.frames.get(compiled.claim.id)
        if frame is None:
            frame = view.frames[compiled.claim.id] = _frame(view, compiled, evidence, title_anchored)
        return frame

    def _doubted(self, view: _ItemView, compiled: _CompiledClaim, evidence: _Evidence) -> str:
        """The phrase by which the item says the claimed deal is not final or may not be completed, or ""."""
        doubt = view.doubts.get(compiled.claim.id)
        if doubt is None:
            doubt = view.doubts[compiled.claim.id] = self._read_doubt(view, compiled, evidence)
        return doubt

    def _read_doubt(self, view: _ItemView, compiled: _CompiledClaim, evidence: _Evidence) -> str:
        for index, found in view.deal_doubts:
            sentence = view.sentences[index]
            # "The agreement is not final" refers back to the item's deal; a sentence naming companies but none of
            # the claim's subject ("OpenAI investment deal not finalized" for the 10 GW claim) is about another one.
            if self._carries(view, index, compiled, evidence) or (
                    _DEAL_NOUN.search(sentence) and not find_entities(sentence)):
                return found.group(0)
        return ""

    def _absence_stance(self, view: _ItemView, compiled: _CompiledClaim, evidence: _Evidence,
                        notes: list[str]) -> tuple[Stance, list[str]]:
        """A claim that something is absent is confirmed by "excludes"/"assumes no" and refuted by "includes"/"adds".

        Verbs of activity and of undoing read the wrong way round here: "orders never materialised" supports
        "guidance includes no China revenue", "H200 shipments" in the outlook refute it.
        """
        for index, sentence in enumerate(view.sentences):
            if not self._carries(view, index, compiled, evidence):
                continue
            if (absent := _ABSENT.search(sentence)) is not None:
                notes.insert(0, f"states absence {absent.group(0)!r}")
                return "confirms", notes
            if (present := _PRESENT.search(sentence)) is not None:
                notes.insert(0, f"states inclusion {present.group(0)!r}")
                return "contradicts", notes
        return "mentions", notes

    def _polar_cues(self, view: _ItemView, compiled: _CompiledClaim, evidence: _Evidence,
                    title_anchored: bool) -> list[tuple[Cue, Polarity | None]]:
        """The headline's cues when it carries the claim and takes a side; else those of summary sentences on it."""
        found = view.polar.get(compiled.claim.id)
        if found is None:
            found = view.polar[compiled.claim.id] = self._read_polar_cues(view, compiled, evidence, title_anchored)
        return found

    def _read_polar_cues(self, view: _ItemView, compiled: _CompiledClaim, evidence: _Evidence,
                         title_anchored: bool) -> list[tuple[Cue, Polarity | None]]:
        foreign = view.foreign.setdefault(compiled.claim.id, [])

        def read(index: int) -> list[tuple[Cue, Polarity | None]]:
            sentence = view.sentences[index]
            cues = view.cues(index)
            if compiled.restriction and any(cue.kind == "restrict" for cue in cues):
                # "revokes the licences, ending the revenue-share arrangement": the ending is part of the clampdown.
                first = next(cue.start for cue in cues if cue.kind == "restrict")
                cues = [cue for cue in cues if not (cue.kind == "undo" and cue.start > first)]
            read_cues = []
            for cue in cues:
                if compiled.government is not None and acting_government(sentence, cue.start) not in (
                        None, compiled.government):
                    foreign.append(cue)
                    continue
                side = cue.polarity(compiled.restriction)
                if side == "confirm" and compiled.restriction and cue.kind in ("assert", "measure") \
                        and not _RESTRICTION_WORDS.search(sentence):
                    continue  # "agree to pay 15%" asserts a deal, not the ban
                read_cues.append((cue, side))
            return read_cues

        if title_anchored:
            headline = read(0)
            if any(side for _, side in headline) or (headline and not evidence.same):
                return headline
        return [(cue, side) for index, sentence in enumerate(view.sentences) if index
                and self._carries(view, index, compiled, evidence) for cue, side in read(index)
                if not _in_background(sentence, cue.start)]

    def _judge(self, view: _ItemView) -> list[_Judged]:
        """The candidate claims with the rules' stance; a pair they leave out is kept (stance None) if specific."""
        scored = [(self.claims[position], evidence) for position in sorted(self._candidates(view))
                  if (evidence := self._evidence(view, self.claims[position])) is not None]
        scored = _settle_figures(scored)
        best = max((evidence.score for _, evidence in scored), default=0.0)
        outranked = _outranked(scored)
        judged: list[_Judged] = []
        for compiled, evidence in scored:
            if evidence.score < self.threshold or (
                    evidence.score < best - COMPETITION_MARGIN and not (len(compiled.entities) >= 2 and _is_specific(compiled, evidence))):
                # a weak claim beside a strong one is noise; one with its own subject is a second story
                if _is_specific(compiled, evidence, alerting=True):
                    # The calibrator may take it back as an alert; the rules would only say "mentions" otherwise.
                    judged.append(_Judged(compiled, evidence, None, (), best, outranked.get(compiled.claim.id, "")))
                continue
            stance, notes = self._stance(view, compiled, evidence)
            rival = outranked.get(compiled.claim.id, "")
            if rival and stance == "confirms" and self._arrives(view, compiled):
                rival = ""  # the product's own arrival: no rival takes that
            elif rival and stance != "mentions":
                stance = "mentions"
                notes.append(f"{rival} fits the story better")
            judged.append(_Judged(compiled, evidence, stance, tuple(notes), best, rival))
        taken = {pair.compiled.claim.id for pair in judged}
        wording = self._wording(view)
        # In claim order whatever the hash seed; most items share a little wording with many claims, so only those
        # sharing enough are sorted.
        for claim_id in sorted(claim_id for claim_id, overlap in wording.items()
                               if overlap >= WORDING_CANDIDATE and claim_id not in taken):
            compiled = self._by_id[claim_id]
            evidence = self._evidence(view, compiled, floor=0.0)
            if evidence is not None:
                judged.append(_Judged(compiled, evidence, None, (), best, outranked.get(claim_id, ""), True))
        return judged

    @staticmethod
    def _arrives(view: _ItemView, compiled: _CompiledClaim) -> bool:
        """Whether a forecast that something arrives ("Vera Rubin in the second half of 2026") reads its own subject
        switched on, shipped or deployed: that confirms it, whatever larger story (OpenAI's first gigawatt) it is
        part of. The forecast repeated ("首批系统预计2026年下半年基于Vera Rubin平台上线") is no arrival.
        """
        if not compiled.claim.horizon or compiled.quantity is not None:
            return False
        subject = [term.pattern for term in compiled.keywords if not term.names_company]  # figures were left out
        for cue, side in view.polar.get(compiled.claim.id, ()):
            if side != "confirm" or not _ARRIVAL.match(cue.text):
                continue
            for index, sentence in enumerate(view.sentences):
                if any(found is cue for found in view.cues(index)):
                    start, end = _clause(sentence, cue.start)
                    if not _EXPECTED.search(sentence, start, cue.start) and any(
                            pattern.search(sentence, start, end) for pattern in subject):
                        return True
        return False

    def _agreement_links(self, view: _ItemView, pair: _Judged, judged: Sequence[_Judged],
                         stances: tuple[str, ...] = ("confirms", "contradicts"),
                         ) -> dict[str, list[tuple[_CompiledClaim, _Evidence, Cue]]]:
        """Stance -> the linked claims (`Claim.linked`) an alert of that stance on this pair carries to, with the
        linked claim's evidence and the cue reporting the agreement (`_agreement_cue`), for each of `stances`.

        A linked claim lacking one of its companies, or whose figures disagree, takes nothing.
        """
        others = self._linked.get(pair.compiled.claim.id, ())
        links: dict[str, list[tuple[_CompiledClaim, _Evidence, Cue]]] = {}
        if not others or self._doubted(view, pair.compiled, pair.evidence):
            return links
        for stance in stances:
            cue = self._agreement_cue(view, pair.compiled, pair.evidence, stance)
            if cue is None:
                continue
            for other_id in others:
                compiled = self._by_id[other_id]
                own = next((other.evidence for other in judged if other.compiled is compiled), None)
                evidence = own if own is not None else self._evidence(view, compiled, floor=0.0)
                if evidence is not None and not evidence.missing_entities and not _figures_disagree(evidence):
                    links.setdefault(stance, []).append((compiled, evidence, cue))
        return links

    def _agreement_cue(self, view: _ItemView, compiled: _CompiledClaim, evidence: _Evidence, stance: str) -> Cue | None:
        """A cue of this stance that reports the claim's agreement (a deal, a letter of intent) as news.

        It stands in the headline or a sentence carrying the claim, in a clause naming an agreement, in a sentence
        naming no company but the claim's ("signed a separate cloud contract with Amazon Web Services" is another
        agreement; "…the letter of intent remains in place and that it is fully committed to helping OpenAI deploy"
        commits to the deployment, not the agreement), and is neither a condition ("once the two sign a definitive
        agreement") nor background ("comes weeks after they signed").
        Only events carry: a denial ("denies the partnership was cancelled"), an agreement said to stand ("remains in
        place") or one not yet final ("no assurance of definitive agreements") speaks to the claim it names, as the
        labelled sets read it.
        """
        side = "confirm" if stance == "confirms" else "contradict"
        for index, sentence in enumerate(view.sentences):
            if not _AGREEMENT.search(sentence) or (index and not self._carries(view, index, compiled, evidence)) \
                    or not find_entities(sentence) <= compiled.companies:
                continue
            for cue in view.cues(index):
                if cue.kind != "measure" and not cue.negated and not _NOT_AN_EVENT.search(cue.text) \
                        and cue.polarity(compiled.restriction) == side \
                        and _AGREEMENT.search(sentence, *_clause(sentence, cue.start)) \
                        and not _CONDITION.search(sentence, 0, cue.start) and not _in_background(sentence, cue.start):
                    return cue
        return None

    def _carry_agreements(self, item: Item, view: _ItemView, judged: Sequence[_Judged],
                          verdicts: list[Verdict]) -> list[Verdict]:
        """An alert whose cue reports the agreement itself also stands for the claims linked to it.

        "OpenAI and Nvidia let 10-gigawatt letter of intent lapse" contradicts the investment paid per gigawatt as
        much as the build-out; "Nvidia makes first $10 billion investment as definitive deal is signed" confirms
        both. It follows the final (calibrated) alert; a linked claim keeps an alert of its own.
        """
        by_claim = {verdict.claim_id: index for index, verdict in enumerate(verdicts)}
        pairs = {pair.compiled.claim.id: pair for pair in judged}
        for verdict in [verdict for verdict in verdicts if verdict.stance in _ALERTING]:
            links = self._agreement_links(view, pairs[verdict.claim_id], judged, (verdict.stance,))
            for compiled, evidence, cue in links.get(verdict.stance, ()):
                at = by_claim.get(compiled.claim.id)
                if at is not None and verdicts[at].stance in _ALERTING:
                    continue  # its own reading stands
                carried = Verdict(item.id, compiled.claim.id, verdict.stance, round(evidence.score, 4), _why(
                    compiled, evidence, [f"the agreement behind {verdict.claim_id}: cue {cue.label}"]))
                if at is None:
                    by_claim[compiled.claim.id] = len(verdicts)
                    verdicts.append(carried)
                else:
                    verdicts[at] = carried
        return verdicts

    def _wording(self, view: _ItemView) -> dict[str, float]:
        """Claim id -> how much of the claim's own wording the item shares (summed inverse claim frequency)."""
        if view.wording is None:
            shared: dict[str, float] = defaultdict(float)
            by_wording = self._by_wording
            for term in index_terms(view.text) & by_wording.keys():
                for claim_id, weight in by_wording[term]:
                    shared[claim_id] += weight
            view.wording = dict(shared)
        return view.wording

    def match_one(self, item: Item) -> list[Verdict]:
        """Verdicts for one item against every claim it relates to (story_id left empty)."""
        view = self._view(item)
        model = self.model
        judged = self._judge(view)
        verdicts: list[Verdict] = []
        for pair in judged:
            stance, notes = pair.stance, list(pair.notes)
            if model is not None:
                terms = self._terms(view, pair.compiled, pair.evidence) if model.terms else ()
                decision = model.decide(self._features(view, pair, judged), pair.stance, terms)
                if decision.stance == "unrelated" or (pair.stance is None and decision.stance not in _ALERTING):
                    continue  # a pair the rules left out is only taken back when the model would alert on it
                stance = cast(Stance, decision.stance)
                notes.append(decision.label)
            elif stance is None:
                continue
            verdicts.append(Verdict(item.id, pair.compiled.claim.id, stance, round(pair.evidence.score, 4),
                                    _why(pair.compiled, pair.evidence, notes)))
        if self._linked:
            verdicts = self._carry_agreements(item, view, judged, verdicts)
        return verdicts

    def describe_pairs(self, item: Item) -> list[PairDescription]:
        """(claim id, rules' stance or "unrelated", feature row, terms, links) per candidate pair: what the calibrator
        reads, and stance -> the linked claims an alert of that stance carries to (`_carry_agreements`)."""
        view = self._view(item)
        judged = self._judge(view)
        return [(pair.compiled.claim.id, pair.stance or "unrelated", self._features(view, pair, judged),
                 self._terms(view, pair.compiled, pair.evidence),
                 {stance: tuple(compiled.claim.id for compiled, _, _ in links)
                  for stance, links in self._agreement_links(view, pair, judged).items()}) for pair in judged]

    def _terms(self, view: _ItemView, compiled: _CompiledClaim, evidence: _Evidence) -> frozenset[str]:
        """The item's words about the claim (`matchers.lexical`): its headline and the sentences naming the claim."""
        own = {term.shown for term in compiled.entities}
        chosen: list[tuple[str, list[Mark]]] = []
        for index, sentence in enumerate(view.sentences):
            if index and not (self._carries(view, index, compiled, evidence)
                              or any(term.pattern.search(sentence) for term in compiled.entities)):
                continue
            marks: list[Mark] = [(figure.start, figure.end, placeholder) for placeholder, figures in (
                ("<same>", evidence.same), ("<diff>", evidence.different), ("<ref>", evidence.reference))
                for at, figure in figures if at == index]
            marks += [(found.start(), found.end(), "<kw>") for term in compiled.keywords
                      if term.pattern.pattern in view.keywords for found in term.pattern.finditer(sentence)]
            marks += [(start, end, "<own>" if name in own else "<org>") for start, end, name in view.organisations(index)]
            chosen.append((sentence, marks))
        return pair_terms(chosen, compiled.restriction, compiled.claim.id, compiled.claim.family)

    def _features(self, view: _ItemView, pair: _Judged, judged: Sequence[_Judged]) -> list[float]:
        """The feature row of one pair, in FEATURES order (see there)."""
        compiled, evidence = pair.compiled, pair.evidence
        claim = compiled.claim
        title_anchored = self._carries(view, 0, compiled, evidence)
        frame = self._pair_frame(view, compiled, evidence, title_anchored) if not evidence.missing_entities else ""
        polar = self._polar_cues(view, compiled, evidence, title_anchored)
        rivals = [other.evidence.score for other in judged if other is not pair]
        keyword_total = max(1, min(KEYWORDS_FOR_FULL_CREDIT, len(compiled.keywords)))
        return [
            evidence.score,
            evidence.score - pair.best,
            evidence.score - max(rivals, default=0.0),
            math.log1p(len(judged)),
            float(pair.stance == "confirms"), float(pair.stance == "contradicts"), float(pair.stance == "mentions"),
            float(pair.stance is None),
            min(1.0, len(evidence.keywords) / keyword_total),
            min(evidence.topical, 3.0),
            len(evidence.entities) / len(compiled.entities) if compiled.entities else 1.0,
            float(min(len(compiled.entities), 2)),
            float(bool(evidence.missing_entities)),
            float(_is_specific(compiled, evidence)), float(_is_specific(compiled, evidence, alerting=True)),
            float(bool(evidence.same)), float(any(index == 0 for index, _ in evidence.same)),
            float(bool(evidence.different)), float(_figures_disagree(evidence)),
            float(bool(evidence.reference)), float(bool(evidence.part)),
            float(compiled.quantity is not None), float(bool(claim.horizon)), float(compiled.restriction),
            float(compiled.absence), float(title_anchored),
            float(frame == "discusses rather than reports"), float(frame == "the claim's own speaker restating it"),
            float(frame in ("takes the claim as given", "a challenge filed, not decided")),
            float(frame == "headline is conditional"),
            float(bool(pair.outranked_by)),
            float(sum(side == "confirm" for _, side in polar)), float(sum(side == "contradict" for _, side in polar)),
            float(sum(side is None for _, side in polar)),
            float(sum(cue.negated for cue, _ in polar)), float(sum(cue.hedged for cue, _ in polar)),
            float(bool(self._doubted(view, compiled, evidence))), float(len(view.foreign.get(claim.id, ()))),
            float(has_cjk(view.title)), float(len(view.sentences) > 1),
            self._wording(view).get(claim.id, 0.0), float(pair.by_wording),
        ]

    def match(self, items: Sequence[Item], earlier: Sequence[tuple[Item, Verdict]] = ()) -> list[Verdict]:
        """Verdicts for a batch, each carrying the story id shared by near-duplicates.

        `earlier`: recently stored items, each with one of its stored verdicts. A copy of a story stored by an
        earlier run joins that story, so its alert key is the one already used, and can take its alert.
        """
        verdicts = [verdict for item in items for verdict in self.match_one(item)]
        if not verdicts:
            return verdicts
        related = {verdict.item_id for verdict in verdicts}
        stored: dict[str, Item] = {}
        previous: dict[tuple[str, str], Verdict] = {}
        for item, verdict in earlier:
            if item.id not in related:  # an item matched again (a rematch) is judged afresh, not by its old self
                stored[item.id] = item
                previous[(item.id, verdict.claim_id)] = verdict
        stories = _story_ids(cluster_stories([*stored.values(), *(item for item in items if item.id in related)]),
                             {pair[0]: verdict.story_id or pair[0] for pair, verdict in previous.items()})
        by_pair = {(verdict.item_id, verdict.claim_id): verdict for verdict in verdicts}
        leads = {**previous, **by_pair}
        taken = story_alerts({pair: verdict.stance for pair, verdict in leads.items()}, stories,
                             lambda pair: leads[pair].score)
        for pair, source in taken.items():
            if pair[0] in related:  # what earlier runs stored stays as stored
                lead = leads[source]
                by_pair[pair] = Verdict(pair[0], pair[1], lead.stance, lead.score,
                                        f"same story as {source[0]}: {lead.why}")
        order = {item.id: index for index, item in enumerate(items)}
        return [_with_story(verdict, stories.get(verdict.item_id, verdict.item_id))
                for verdict in sorted(by_pair.values(), key=lambda verdict: order[verdict.item_id])]


def _story_ids(clusters: dict[str, str], stored: dict[str, str]) -> dict[str, str]:
    """Item -> story id, where a story that already has stored copies keeps the id they were stored under.

    `clusters` maps items to their cluster's earliest item, in publication order; `stored` maps the stored items
    to their stored story ids.
    """
    kept: dict[str, str] = {}
    for item_id, head in clusters.items():
        if item_id in stored:
            kept.setdefault(head, stored[item_id])  # the earliest stored copy's story
    return {item_id: kept.get(head, head) for item_id, head in clusters.items()}


def _settle_figures(scored: list[tuple[_CompiledClaim, _Evidence]]) -> list[tuple[_CompiledClaim, _Evidence]]:
    """A figure that states one claim's quantity is that claim's: it cannot also refute another claim.

    "$100 billion of annualised revenue" confirms the industry-wide forecast; it says nothing against OpenAI's own.
    """
    owned = {(index, figure.start) for _, evidence in scored for index, figure in (*evidence.same, *evidence.reference)}
    settled = []
    for compiled, evidence in scored:
        different = tuple(pair for pair in evidence.different if (pair[0], pair[1].start) not in owned)
        settled.append((compiled, evidence if different == evidence.different else replace(evidence, different=different)))
    return settled


def _outranked(scored: list[tuple[_CompiledClaim, _Evidence]]) -> dict[str, str]:
    """Claims about the same companies compete: one whose subject evidence is far weaker than a rival's is left out.

    "Nvidia unveils Rubin CPX" is about the CPX claim (two of its terms), not about Vera Rubin (one shared word).
    """
    beaten: dict[str, str] = {}
    for compiled, evidence in scored:
        if not compiled.entities or evidence.missing_entities:
            continue
        names = {term.shown for term in compiled.entities}
        for rival, rival_evidence in scored:
            rival_names = {t.shown for t in rival.entities}
            if rival is compiled or rival_evidence.missing_entities or not rival_names >= names:
                continue
            # A rival naming more of the story's companies needs only as much subject; an equal one far more.
            needed = evidence.topical if rival_names > names else OUTRANK_FACTOR * max(evidence.topical, SPECIFIC)
            if rival_evidence.topical >= needed and _is_specific(rival, rival_evidence) and not (
                    evidence.same or evidence.part):
                beaten[compiled.claim.id] = rival.claim.id
                break
    return beaten


def _states_plainly(title: str, compiled: _CompiledClaim, figures: tuple[tuple[int, Figure], ...]) -> bool:
    """A headline that states the claim's figure as news, about the claim's companies and no others.

    "OpenAI's Broadcom deal adds 10GW on top of Nvidia and AMD agreements" states another company's 10 GW.
    """
    if not any(index == 0 for index, _ in figures):
        return False
    return not compiled.entities or find_entities(title) <= compiled.companies


# Filing language for a deal that is not done: not final, subject to definitive agreements, no assurance it closes.
_DEAL_DOUBT = re.compile(
    r"\b(?:(?:there )?(?:is|can be|could be) no assurance|no assurance (?:that|of)|not (?:yet )?final(?:i[sz]ed)?\b|"
    r"subject to (?:\w+ ){0,4}definitive (?:agreements?|documentation)|may not (?:be )?(?:completed|consummated|"
    r"finali[sz]ed|closed)|may not result in (?:a )?definitive)|无法保证|不能保证|尚未敲定|未最终确定|尚未最终确定"
)
# An agreement itself, not one of its terms ("investment", "plan"): what linked claims share (`Claim.linked`).
_AGREEMENT = re.compile(r"\b(?:letters? of intent|agreements?|deals?|contracts?)\b|意向书|协议|合同")
# Cues of a thing arriving, for forecasts of its arrival (`Matcher._arrives`).
_ARRIVAL = re.compile(
    r"deploy|(?:goes|went) live|(?:came|comes) online|switch(?:es|ed)? on|power(?:s|ed)? (?:up|on)|begins? operating|"
    r"(?:now |begun |began |begins |start(?:s|ed)? )shipping|ship(?:s|ped)? to|"
    r"(?:in|enters?|entered) (?:full |volume |mass )?production|交付|出货|量产|部署|上线|投产")
_EXPECTED = re.compile(r"\b(?:expected|due|set|plans?|planned|scheduled|will|would|to be)\b|预计|计划|将|有望|拟")
# A cue in a clause that makes it a condition or a time: "once the two sign", "until a deal is signed".
_CONDITION = re.compile(r"\b(?:once|if|unless|until|when|before)\b(?:\s[\w'$-]+){0,6}\s$|(?:一旦|如果|若|待)[^，。；]{0,12}$")
# Cues saying an agreement is not (yet) made or still stands, not that something happened to it: "not finalised",
# "may not result in", "尚未敲定", "remains in place", "仍然有效".
_NOT_AN_EVENT = re.compile(r"^(?:not|no|non|never|yet|may|can|could|remains?|stays?|still)\b|n't\b|"
                           r"^(?:has|have|had) not\b|^(?:尚未|未|无法)|有效$")
_DEAL_NOUN = re.compile(r"\b(?:agreements?|deal|investment|transaction|letter of intent|partnership)\b|意向书|协议|交易|投资")
_ABSENCE_CLAIM = re.compile(r"\b(?:includes? no|excludes?|no revenue|none)\b")
_ABSENT = re.compile(
    r"\b(?:exclud\w*|assum\w* (?:no|none|nothing|zero)\b|no (?:[\w-]+ ){0,3}(?:revenue|sales)\b|(?:includes?|from) nothing|"
    r"(?:does|do|did) not (?:assume|include)|zero)|不包括|不含|未计入|不计入|为零|排除"
)
_PRESENT = re.compile(r"\b(?:includ\w*|adds?|added|factor\w* in|books?|booked)\b|计入|纳入|包含")


# A summary sentence recalling earlier news as context ("comes three weeks after OpenAI signed…", "双方去年9月签署…"):
# its verbs describe the backdrop of another story, not news about the claim.
_BACKGROUND = re.compile(
    r"\b(?:comes?|came) (?:\w+ ){0,4}after\b|\bafter (?:\w+ ){0,4}(?:signed|announced|agreed|struck|unveiled|inked)\b|"
    r"\b(?:last year|earlier this year|previously announced|announced (?:in|last) \w+)\b|此前|去年|早前|曾经"
)


_CLAUSE_MARKS = (",", ";", "，", "；", " and ", " but ")


def _clause(sentence: str, position: int) -> tuple[int, int]:
    """The start and end of the clause around a position (commas, semicolons, "and", "but" divide clauses)."""
    starts = [found + len(mark) for mark in _CLAUSE_MARKS if (found := sentence.rfind(mark, 0, position)) >= 0]
    ends = [found for mark in _CLAUSE_MARKS if (found := sentence.find(mark, position)) >= 0]
    return max(starts, default=0), min(ends, default=len(sentence))


def _in_background(sentence: str, position: int) -> bool:
    """True when a cue stands in a clause that recalls earlier news ("…comes weeks after OpenAI signed…")."""
    # Chinese chains one subject's predicates with commas ("双方去年9月签署意向书，计划部署…"): only ";" ends its clause.
    marks = (";",) if has_cjk(sentence) else (",", ";", " and ", " but ")
    clause_start = max(sentence.rfind(mark, 0, position) for mark in marks)
    return _BACKGROUND.search(sentence, clause_start + 1, position) is not None


# Headlines that discuss rather than report: questions, explainers, opinion, worries, impact stories.
_DISCUSSION = re.compile(
    r"\?|？|\b(?:what (?:\w+ ){0,6}means?|what (?:\w+ ){0,3}(?:need|needs) to know|what to know|why|how|whether|"
    r"analysis|explainer|opinion|commentary|worries|fears|concerns?|debate|critics?|bubble|drop in the bucket|"
    r"tilts?|barely|dent|fret\w*|worr\w*|jitters?|scrutin\w*)\b|意味着|为何|如何|吗|能否|分析称|泡沫|担忧|几何|影响"
)
# "An analysis of substation data puts Microsoft's new capacity at 1.1 GW" reports a measurement; "an analysis" alone
# (or "an analysis by our columnist") is commentary.
_SUMMARY_DISCUSSION = re.compile(r"\b(?:an? (?:explainer|analysis(?! of)|opinion|column)|this article)\b|本文|分析称")
_RESTATED = re.compile(
    r"\b(?:repeat(?:s|ed)|reiterat(?:es|ed)|restat(?:es|ed)|doubles? down|doubled down|stands? by (?:his|her|its) (?:forecast|call|estimate))\b|重申|再次表示|重复"
)
_SAYS = r"(?:'s)?(?:\s+(?:and|&)\s+[a-z]+)?\s*(?::|says|said|pegs|predicts|expects|sees|thinks|argues|estimates|believes|told)"
# Chinese renderings of the seed documents' speakers, as Chinese headlines attribute them ("帕特尔：…").
SPEAKER_NAMES: dict[str, tuple[str, ...]] = {
    "jensen huang": ("黄仁勋",), "dylan patel": ("帕特尔",), "brad gerstner": ("格斯特纳",),
}
# "Walmart pauses offers after $100,000 fee": the claim is the backdrop of an impact story.
_IMPACT = re.compile(r"\b(?:after|amid|as|because of|due to|over|in response to|ahead of)\s(?:[\w'-]+\s){0,3}$|受[^，。]{0,6}$|因[^，。]{0,6}$")
# "US Chamber of Commerce sues to stop $100,000 H-1B fee": a lawsuit filed takes no side until a court rules on it
# ("Court rejects challenge to $100,000 fee" is a ruling).
_CHALLENGED = re.compile(
    r"\b(?:sues?|sued|suing|lawsuits?|challenges?|challenging)\b(?:\s[\w'-]+){0,3}\s$|(?:起诉|诉讼|状告)[^，。]{0,8}$")
# Not "blocks" or "strikes down": a lawsuit aims at those ("sues to block the fee").
_RULED = re.compile(r"\b(?:rules?|ruled|rejects?|rejected|dismiss\w*|toss\w*|throws? out|upholds?|upheld|denies|denied|"
                    r"sides? with)\b|裁定|驳回|判决")
_HEDGED_HEADLINE = re.compile(r"\b(?:would|could|might|may|if)\b|若|如果|或将|或为|可能")
# Words that make an assertion ("finalised", "approved") one about a restriction. Licences are not among them:
# "approved H200 licences" and "批准…出口许可" loosen a ban (`licence requirement` is a restriction cue of its own).
_RESTRICTION_WORDS = re.compile(
    r"\b(?:ban\w*|bar(?:s|red|ring)?|block\w*|restrict\w*|curb\w*|controls?|rules?|prohibit\w*|"
    r"entity list|blacklist\w*)\b|禁|管制|限制|规则"
)


def _frame(view: _ItemView, compiled: _CompiledClaim, evidence: _Evidence, title_anchored: bool) -> str:
    """Why an item takes no side on the claim whatever its verbs say, or "" when it may."""
    title = view.title
    discusses, restates = view.headline_frame
    if discusses:
        return "discusses rather than reports"
    if not compiled.restriction and restates:
        # "Patel doubles down", "Huang repeated that…", "吴泳铭重申": the same words said again are no new evidence.
        # An official restating a rule is different: it says the restriction still stands.
        return "restates an earlier statement"
    speaker = compiled.speaker
    if speaker is not None and speaker.search(title):
        # "Huang: $5 trillion a year makes sense" restates the claim; its source saying it again is no evidence.
        return "the claim's own speaker restating it"
    for index, figure in evidence.same:
        if index != 0:
            continue
        before = title[max(0, figure.start - 40) : figure.start]
        if _IMPACT.search(before):
            return "takes the claim as given"
        if _CHALLENGED.search(before) and not _RULED.search(title):
            return "a challenge filed, not decided"
    if title_anchored and not compiled.claim.horizon and not compiled.conditional and _HEDGED_HEADLINE.search(title):
        # "a full 10GW build would bring…": no news about the claim itself, unless the claim is that possibility
        return "headline is conditional"
    return ""


def _with_story(verdict: Verdict, story_id: str) -> Verdict:
    return Verdict(verdict.item_id, verdict.claim_id, verdict.stance, verdict.score, verdict.why, story_id)


def _why(compiled: _CompiledClaim, evidence: _Evidence, notes: list[str]) -> str:
    matched = [*evidence.keywords[:4], *evidence.entities]
    parts = ["matched " + ", ".join(f'"{term}"' for term in matched)] if matched else ["fuzzy match on the statement"]
    parts.extend(notes)
    if compiled.quantity is not None:
        claimed = _quantity_label(compiled.quantity)
        if evidence.same:
            parts.append(f"quantity {evidence.same[0][1].text} = claim {claimed}")
        elif evidence.different:
            parts.append(f"quantity {evidence.different[0][1].text} ≠ claim {claimed}")
    return "; ".join(parts)


@lru_cache(maxsize=8)
def _cached_matcher(claims: tuple[Claim, ...], threshold: float) -> Matcher:
    return Matcher(claims, threshold=threshold)


def match_items(items: Sequence[Item], claims: Sequence[Claim], *, threshold: float = 0.5) -> list[Verdict]:
    """A verdict for every related (item, claim) pair, with near-duplicates sharing a story id."""
    return _cached_matcher(tuple(claims), threshold).match(items)
