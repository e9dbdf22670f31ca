"""Score items against claims: relevance from terms, entities and figures; stance from scoped cues."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz

from matchers.clustering import cluster_stories
from matchers.cues import Cue, find_cues, is_restriction
from matchers.entities import ENTITY_ALIASES, canonical_entity, entity_pattern, find_entities
from matchers.quantities import Figure, compare, extract_figures
from matchers.text import has_cjk, normalise, sentences
from matchers.verdict import Stance, Verdict
from seeds.registry import Claim, Quantity
from sources.item import Item

# Weights of the relevance evidence (sum to 1). Entities and keywords carry most of it: fuzzy similarity
# alone rewards shared filler words, which is how "Stargate" the TV series would sneak in.
W_FUZZY, W_KEYWORDS, W_ENTITIES, W_QUANTITY = 0.30, 0.30, 0.25, 0.15
KEYWORDS_FOR_FULL_CREDIT = 3
UNSPECIFIC_PENALTY = 0.7
SPECIFIC = 0.5  # topical weight that makes a story about the claim's subject: one keyword shared by <= 2 claims
COMPETITION_MARGIN = 0.2  # claims scoring this far below an item's best claim are left out
# A claim naming no company needs twice the subject evidence (terms, or a term and its figure) to take a side.
MIN_TOPICAL_WITHOUT_ENTITIES = 2 * SPECIFIC
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


@dataclass(slots=True)
class _ItemView:
    item: Item
    text: str
    title: str
    keywords: set[str]  # patterns of the claim keywords the text contains
    entities: frozenset[str]  # canonical organisations the text names
    _sentences: list[str] | None = None
    _figures: list[tuple[int, Figure]] | None = None

    @property
    def sentences(self) -> list[str]:
        """The title, then the summary's sentences, all normalised."""
        if self._sentences is None:
            summary = sentences(normalise(self.item.summary)) if self.item.summary else []
            self._sentences = [self.title, *summary]
        return self._sentences

    @property
    def figures(self) -> list[tuple[int, Figure]]:
        """Each figure with the index of the sentence it stands in."""
        if self._figures is None:
            self._figures = [(i, f) for i, sentence in enumerate(self.sentences) for f in extract_figures(sentence)]
        return self._figures


_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ers", "er", "res", "re", "ed", "es", "e", "s", "y")


def _stem_pattern(word: str) -> str:
    """A pattern for a word and its inflections: "investment" also finds "invest", "invested"."""
    if not word.isalpha() or len(word) < 5:
        return re.escape(word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    stem = re.escape(word)
    stem = re.sub(r"i[sz]$", "i[sz]", stem)  # annualised / annualized
    return stem.replace("licenc", "licen[cs]") + "[a-z]*"


def _term(shown: str) -> _Term:
    text = normalise(shown)
    names_company = canonical_entity(shown) in ENTITY_ALIASES
    if not text.isascii():
        return _Term(shown, re.compile(re.escape(text)), names_company)
    words = [_stem_pattern(word).replace(r"\-", "[- ]?") for word in text.split()]
    return _Term(shown, re.compile(_BOUNDED.format(r"\s+".join(words))), names_company)


def _anchor(keyword: str) -> str:
    """A literal substring every match of the keyword's pattern contains."""
    text = normalise(keyword)
    if not text.isascii():
        return text
    pieces = re.findall(r"[a-z0-9]+", text)
    longest = max(pieces, key=len, default=text)
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
    targets = tuple(normalise(text) for text in (claim.statement, *claim.aliases))
    return _CompiledClaim(claim, entities, keywords, targets, claim.quantity, is_restriction(claim.statement))


@dataclass(frozen=True, slots=True)
class _Evidence:
    score: float
    entities: tuple[str, ...]
    missing_entities: tuple[str, ...]
    keywords: tuple[str, ...]
    topical: float  # weight of the matched keywords that name the subject rather than a company
    same: tuple[Figure, ...]
    different: tuple[Figure, ...]


def _quantity_label(quantity: Quantity) -> str:
    value = quantity.value
    for scale, word in ((1e12, " trillion"), (1e9, " billion"), (1e6, " million")):
        if abs(value) >= scale and quantity.unit.upper() == "USD":
            return f"${value / scale:g}{word}"
    return f"{value:g} {quantity.unit}".replace(" %", "%")


class Matcher:
    """Claims compiled once, matched against any number of item batches."""

    def __init__(self, claims: Sequence[Claim], *, threshold: float = 0.5):
        self.threshold = threshold
        compiled_claims = [compile_claim(claim) for claim in claims if not claim.retired]
        shared = Counter(term.pattern.pattern for compiled in compiled_claims for term in set(compiled.keywords))
        self.claims = [
            replace(compiled, keywords=tuple(replace(term, weight=1 / shared[term.pattern.pattern])
                                             for term in compiled.keywords))
            for compiled in compiled_claims
        ]
        # Inverted index: keyword pattern / organisation -> claims.
        self._by_keyword: dict[str, list[int]] = defaultdict(list)
        self._by_entity: dict[str, list[int]] = defaultdict(list)
        self._patterns: dict[str, re.Pattern[str]] = {}
        for position, compiled in enumerate(self.claims):
            for term in compiled.keywords:
                self._by_keyword[term.pattern.pattern].append(position)
                self._patterns[term.pattern.pattern] = term.pattern
            for term in compiled.entities:
                self._by_entity[term.shown].append(position)
        # A literal piece of each keyword ("invest" of "investment") gates its regex: substring tests are cheap.
        self._anchored = tuple((_anchor(term.shown), term.pattern) for compiled in self.claims
                               for term in compiled.keywords)
        self._unknown_entities = {
            term.shown: term.pattern for compiled in self.claims for term in compiled.entities
            if term.shown not in ENTITY_ALIASES
        }

    def _view(self, item: Item) -> _ItemView:
        text = normalise(item.text)
        keywords = {pattern.pattern for anchor, pattern in self._anchored if anchor in text and pattern.search(text)}
        entities = set(find_entities(text))
        entities.update(name for name, pattern in self._unknown_entities.items() if pattern.search(text))
        return _ItemView(item, text, normalise(item.title), keywords, frozenset(entities))

    def _candidates(self, view: _ItemView) -> set[int]:
        found: set[int] = set()
        for pattern in view.keywords:
            found.update(self._by_keyword[pattern])
        for name in view.entities:
            found.update(self._by_entity.get(name, ()))
        return found

    def _evidence(self, view: _ItemView, compiled: _CompiledClaim) -> _Evidence | None:
        """The evidence for one pair, or None when even a perfect fuzzy score could not reach the threshold."""
        entities = tuple(term.shown for term in compiled.entities if term.shown in view.entities)
        missing = tuple(term.shown for term in compiled.entities if term.shown not in view.entities)
        matched = [term for term in compiled.keywords if term.pattern.pattern in view.keywords]
        keywords = tuple(term.shown for term in matched)
        topical = sum(term.weight for term in matched if not term.names_company)
        keyword_share = min(1.0, len(keywords) / max(1, min(KEYWORDS_FOR_FULL_CREDIT, len(compiled.keywords))))
        entity_share = len(entities) / len(compiled.entities) if compiled.entities else keyword_share
        # Bound the score before the costly parts (figures, fuzzy): most candidates stop here.
        figure_can_help = compiled.quantity is not None and compiled.entities and not missing
        best_factor = 1.0 if topical >= SPECIFIC or figure_can_help else UNSPECIFIC_PENALTY
        if compiled.quantity is None:
            partial = W_KEYWORDS * keyword_share + W_ENTITIES * entity_share + W_QUANTITY * keyword_share
            if (partial + W_FUZZY) * best_factor < self.threshold:
                return None
        elif (W_KEYWORDS * keyword_share + W_ENTITIES * entity_share + W_QUANTITY + W_FUZZY) * best_factor < self.threshold:
            return None
        same: list[Figure] = []
        different: list[Figure] = []
        if compiled.quantity is not None:
            for sentence_index, figure in view.figures:
                if figure.role:
                    continue  # the old value in "from X to Y", or a share price/valuation beside the point
                outcome = compare(figure, compiled.quantity)
                if outcome == "same":
                    same.append(figure)
                elif outcome == "different" and not compiled.claim.horizon and self._on_subject(
                        view.sentences[sentence_index], compiled):
                    # Only a figure stated next to the claim's own subject and companies is one "for the same
                    # thing"; and a forecast ("by 2030") is not refuted by today's figure.
                    different.append(figure)
            quantity_share = 1.0 if same else (0.3 if different else 0.0)
            partial = W_KEYWORDS * keyword_share + W_ENTITIES * entity_share + W_QUANTITY * quantity_share
        # The claim's figure beside all of its companies is as telling as a subject keyword.
        specific = topical + (SPECIFIC if same and compiled.entities and not missing else 0) >= SPECIFIC
        factor = 1.0 if specific else UNSPECIFIC_PENALTY
        if (partial + W_FUZZY) * factor < self.threshold:
            return None
        scorer = fuzz.partial_ratio if has_cjk(view.title) else fuzz.token_set_ratio
        fuzzy = max(scorer(view.title, target) for target in compiled.targets) / 100
        score = (partial + W_FUZZY * fuzzy) * factor
        return _Evidence(score, entities, missing, keywords, topical, tuple(same), tuple(different))

    @staticmethod
    def _on_subject(sentence: str, compiled: _CompiledClaim) -> bool:
        return any(term.pattern.search(sentence) for term in compiled.keywords if not term.names_company) and all(
            term.pattern.search(sentence) for term in compiled.entities)

    def _stance(self, view: _ItemView, compiled: _CompiledClaim, evidence: _Evidence) -> tuple[Stance, list[str]]:
        notes: list[str] = []
        if evidence.missing_entities:
            notes.append("does not name " + ", ".join(evidence.missing_entities))
            return "mentions", notes
        needed = SPECIFIC if compiled.entities else MIN_TOPICAL_WITHOUT_ENTITIES
        if evidence.topical + (SPECIFIC if evidence.same else 0) < needed:
            return "mentions", notes  # too little of the claim's own subject to take a side on it
        cues = self._cues(view, compiled)
        polar = [(cue, cue.polarity(compiled.restriction)) for cue in cues]
        confirm = [cue for cue, side in polar if side == "confirm" and (evidence.same or cue.kind != "measure")]
        contradict = [cue for cue, side in polar if side == "contradict"]
        scoped = [cue for cue, side in polar if side is None]
        if contradict:
            notes.append("cue " + ", ".join(cue.label for cue in contradict[:3]))
            return "contradicts", notes
        if evidence.different and not evidence.same:
            return "contradicts", notes
        if scoped:
            notes.append("cue " + ", ".join(cue.label for cue in scoped[:3]))
        if confirm and (evidence.same or compiled.quantity is None):
            notes.insert(0, "cue " + ", ".join(cue.label for cue in confirm[:3]))
            return "confirms", notes
        if not cues and evidence.same and _states_plainly(view.title, evidence.same):
            notes.insert(0, "headline states the figure")
            return "confirms", notes
        return "mentions", notes

    def _cues(self, view: _ItemView, compiled: _CompiledClaim) -> list[Cue]:
        """Cues of the headline when it has any (it states the news); else of summary sentences on the claim."""
        title_cues = find_cues(view.title)
        if title_cues:
            return title_cues
        claim_terms = [term.pattern for term in (*compiled.entities, *compiled.keywords)]
        return [cue for sentence in view.sentences[1:] if any(p.search(sentence) for p in claim_terms)
                for cue in find_cues(sentence)]

    def match_one(self, item: Item) -> list[Verdict]:
        """Verdicts for one item against every claim it relates to (story_id left empty)."""
        view = self._view(item)
        scored = [(self.claims[position], evidence) for position in sorted(self._candidates(view))
                  if (evidence := self._evidence(view, self.claims[position])) is not None]
        best = max((evidence.score for _, evidence in scored), default=0.0)
        verdicts: list[Verdict] = []
        for compiled, evidence in scored:
            if evidence.score < self.threshold or evidence.score < best - COMPETITION_MARGIN:
                continue
            stance, notes = self._stance(view, compiled, evidence)
            verdicts.append(Verdict(item.id, compiled.claim.id, stance, round(evidence.score, 4),
                                    _why(compiled, evidence, notes)))
        return verdicts

    def match(self, items: Sequence[Item]) -> list[Verdict]:
        """Verdicts for a batch, each carrying the story id shared by near-duplicates."""
        verdicts = [verdict for item in items for verdict in self.match_one(item)]
        if not verdicts:
            return verdicts
        related = {verdict.item_id for verdict in verdicts}
        stories = cluster_stories([item for item in items if item.id in related])
        return [_with_story(verdict, stories.get(verdict.item_id, verdict.item_id)) for verdict in verdicts]


def _states_plainly(title: str, figures: tuple[Figure, ...]) -> bool:
    """A headline that states the claim's figure as news, not as a question or an analysis."""
    return any(figure.text in title for figure in figures) and not _QUESTION.search(title)


_QUESTION = re.compile(r"\?|？|\b(?:what|why|how|whether|could|may|might|analysis|explainer|opinion)\b|意味着|为何|如何|吗|能否")


def _with_story(verdict: Verdict, story_id: str) -> Verdict:
    return Verdict(verdict.item_id, verdict.claim_id, verdict.stance, verdict.score, verdict.why, story_id)


def _why(compiled: _CompiledClaim, evidence: _Evidence, notes: list[str]) -> str:
    matched = [*evidence.keywords[:4], *evidence.entities]
    parts = ["matched " + ", ".join(f'"{term}"' for term in matched)] if matched else ["fuzzy match on the statement"]
    parts.extend(notes)
    if compiled.quantity is not None:
        claimed = _quantity_label(compiled.quantity)
        if evidence.same:
            parts.append(f"quantity {evidence.same[0].text} = claim {claimed}")
        elif evidence.different:
            parts.append(f"quantity {evidence.different[0].text} ≠ claim {claimed}")
    return "; ".join(parts)


@lru_cache(maxsize=8)
def _cached_matcher(claims: tuple[Claim, ...], threshold: float) -> Matcher:
    return Matcher(claims, threshold=threshold)


def match_items(items: Sequence[Item], claims: Sequence[Claim], *, threshold: float = 0.5) -> list[Verdict]:
    """A verdict for every related (item, claim) pair, with near-duplicates sharing a story id."""
    return _cached_matcher(tuple(claims), threshold).match(items)
