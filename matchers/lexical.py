"""The words an item uses about one claim, as the calibrator reads them.

The rules see a story through cue lists; the trained calibrator also reads the story's own words, so that wording no
rule lists ("let the letter of intent lapse", "仅5亿", "pared back") can still tip a pair towards a stance. Terms
are claim-neutral: the claim's keywords become `<kw>`, its companies `<own>`, other companies `<org>`, and each
figure says how it compares with the claim's quantity (`<same>`, `<diff>`, `<ref>`, `<n>`), so what is learned from
one claim carries over to the others. Words after a negation are also counted as `neg:word`, and for a claim that
is itself a restriction every term is counted again as `R:term`, because "lifted" reads the other way round there.
The claim's id and family are terms too, so the calibrator can learn how often each is news rather than a mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Spans of a sentence replaced by a placeholder before it is split into words: (start, end, placeholder).
Mark = tuple[int, int, str]

SCHEME = "lexical-v2: words, CJK bigrams, <kw>/<own>/<org>/<same>/<diff>/<ref>/<n>, neg:4, bigrams, R: cross, claim:, family:"

_TOKEN = re.compile(r"<[a-z]+>|[a-z][a-z'\-]*|[\u3400-\u9fff]+|\d[\d,.]*")
_NEGATION = frozenset({"not", "no", "never", "without", "n't", "didn't", "won't", "isn't", "wasn't", "hasn't",
                       "haven't", "doesn't", "don't", "aren't", "weren't", "cannot", "can't", "nor"})
_CJK_NEGATION = re.compile(r"[不未没无非]")
# Fewer than `matchers.text.STOPWORDS`: "not", "will", "may", "after" say which way a story leans.
_STOPWORDS = frozenset("a an the and or of to in on for at by with from as is are was were be been its it this that "
                       "these those their they he she his her we our you your i us".split())
_NEGATION_REACH = 4  # words after a negation that it scopes over


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _words(sentence: str, marks: Iterable[Mark]) -> list[str]:
    """The sentence's words, stemmed, with every marked span replaced by its placeholder."""
    pieces: list[str] = []
    position = 0
    for start, end, placeholder in sorted(marks):
        if start < position:
            continue  # overlapping marks: the earlier (longer-starting) one stands
        pieces.append(sentence[position:start])
        pieces.append(f" {placeholder} ")
        position = end
    pieces.append(sentence[position:])
    found: list[str] = []
    for token in _TOKEN.findall("".join(pieces)):
        if token[0] == "<":
            found.append(token)
        elif token[0].isdigit():
            found.append("<n>")
        elif not token.isascii():  # every token is ASCII or a run of Chinese characters (`_TOKEN`)
            found.extend([token] if len(token) == 1 else [token[i : i + 2] for i in range(len(token) - 1)])
        elif (word := token.strip("'-")) and word not in _STOPWORDS:
            found.append(_stem(word))
    return found


def sentence_terms(sentence: str, marks: Iterable[Mark]) -> list[str]:
    """The terms of one normalised sentence: words, words under a negation, and adjacent pairs."""
    terms: list[str] = []
    negated = 0
    previous = "^"
    for word in _words(sentence, marks):
        negation = word in _NEGATION or (len(word) <= 2 and _CJK_NEGATION.search(word) is not None)
        terms.append(word)
        if negation:
            negated = _NEGATION_REACH
        elif negated:
            terms.append("neg:" + word)
            negated -= 1
        terms.append(f"{previous}_{word}")
        previous = word
    return terms


def pair_terms(sentences: Iterable[tuple[str, Iterable[Mark]]], restriction: bool, claim_id: str = "",
               family: str = "") -> frozenset[str]:
    """The distinct terms of the sentences an item devotes to a claim (crossed with `R:` for a restriction claim),
    plus the claim's id and family: some claims are news far more often than others ("claim:…", "family:…")."""
    terms = {term for sentence, marks in sentences for term in sentence_terms(sentence, marks)}
    if restriction:
        terms.update(["R:" + term for term in terms])
    terms.update(f"{kind}:{name}" for kind, name in (("claim", claim_id), ("family", family)) if name)
    return frozenset(terms)
