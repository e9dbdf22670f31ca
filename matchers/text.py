"""Text normalisation shared by the matchers: one canonical form for English and Chinese text."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

import ahocorasick

# Traditional forms that occur in claim vocabulary, folded to simplified so one alias list serves both.
_TRAD_TO_SIMP = str.maketrans(
    "偉達輝軟馬遜訊億萬開發資費簽證國計劃產與協議營際華爾區總統長並為將這們對說點電腦網絡數據機構權雲廠級務場額銷復暫認準佈動啟實終擱減縮濟體導規則許鬆寬舉報傳",
    "伟达辉软马逊讯亿万开发资费签证国计划产与协议营际华尔区总统长并为将这们对说点电脑网络数据机构权云厂级务场额销复暂认准布动启实终搁减缩济体导规则许松宽举报传",
)

_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")  # what `(?<![a-z0-9])` and `(?![a-z0-9])` exclude
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9][a-z0-9$%.\-']*[a-z0-9%]|[a-z0-9$%]")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；\n])\s*")

STOPWORDS = frozenset(
    """a an the and or of to in on for at by with from as is are was were be been being its it this that
    these those will would can could may might has have had do does did not no but if than then so such
    into over under about after before up down out new says said say per via vs more most less least very
    also just their they them he she his her we our you your i us what which who whom how why when where""".split()
)


def normalise(text: str) -> str:
    """Fold width, case, curly quotes and traditional Chinese so matching compares like with like."""
    if text.isascii():
        return text.lower()  # nothing below changes ASCII text, and most headlines are ASCII
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", " - ").replace("\u00a0", " ")
    return text.translate(_TRAD_TO_SIMP).lower()


def has_cjk(text: str) -> bool:
    """True when the text holds Chinese characters."""
    return not text.isascii() and _CJK.search(text) is not None


def words(text: str) -> list[str]:
    """Latin-script word tokens of already-normalised text: "$100k", "h-1b", "u.s", "10%"; no edge punctuation."""
    return _WORD.findall(text)  # a token starts with a letter or digit and ends with one (or "%")


def cjk_bigrams(text: str) -> set[str]:
    """Character bigrams of each Chinese run: Chinese has no spaces, so bigrams stand in for words."""
    grams: set[str] = set()
    if text.isascii():
        return grams
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def index_terms(text: str) -> set[str]:
    """The terms an inverted index keys on: content words plus Chinese bigrams."""
    found = set(words(text))
    found.difference_update(STOPWORDS)
    return {w for w in found if len(w) > 1} | cjk_bigrams(text)


def sentences(text: str) -> list[str]:
    """Split text into sentences (English and Chinese punctuation); never returns empty strings."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


V = TypeVar("V", bound=Hashable)  # what a literal stands for: a name, a compiled keyword pattern


class LiteralIndex(Generic[V]):
    """Which of many literal strings occur in a text, found in one pass over it.

    An Aho-Corasick automaton (pyahocorasick, in C) reads the text once whatever the number of literals: several
    hundred `in` tests per item, or collecting the text's character trigrams to pick which to try, cost about
    ten times more. With `whole_words`, a Latin-script literal counts only where no letter or digit touches it
    ("amd" is not found in "amdahl"), as `(?<![a-z0-9])literal(?![a-z0-9])` would; Chinese literals count anywhere.
    """

    def __init__(self, literals: Iterable[tuple[str, V]], *, whole_words: bool = False):
        by_literal: dict[str, list[V]] = defaultdict(list)
        for literal, value in literals:
            if not literal:
                raise ValueError("an empty literal would be found in every text")
            by_literal[literal].append(value)
        self._automaton = ahocorasick.Automaton()
        for literal, values in by_literal.items():
            bounded = whole_words and literal.isascii()
            self._automaton.add_word(literal, (len(literal) if bounded else 0, tuple(values)))
        if by_literal:
            self._automaton.make_automaton()

    def found_in(self, text: str) -> list[V]:
        """The values of the literals the text contains (a value once per literal found)."""
        if self._automaton.kind != ahocorasick.AHOCORASICK:
            return []
        found: list[V] = []
        seen: set[int] = set()
        last = len(text) - 1
        for end, entry in self._automaton.iter(text):
            if id(entry) in seen:
                continue  # a literal occurring twice is reported once
            bounded, values = entry
            if bounded and ((end < last and text[end + 1] in _WORD_CHARS)
                            or (end >= bounded and text[end - bounded] in _WORD_CHARS)):
                continue  # inside a longer word; a later occurrence may still stand alone
            seen.add(id(entry))
            found.extend(values)
        return found
