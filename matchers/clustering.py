"""Group the same story published by several feeds under one story id."""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from operator import itemgetter

from rapidfuzz import fuzz

from matchers.text import has_cjk, index_terms, normalise
from matchers.verdict import ALERTING_STANCES
from sources.item import Item

Pair = tuple[str, str]  # (item id, claim id)

SAME_STORY_SCORE = 85.0  # token_sort_ratio of normalised titles, 0..100
SAME_STORY_WINDOW = timedelta(hours=72)
# Two outlets' headlines for one announcement ("OpenAI and NVIDIA Announce Strategic Partnership to
# Deploy 10 Gigawatts…" / "OpenAI and Nvidia announce partnership to deploy 10 gigawatts…, with up to
# $100 billion investment") are the same story when nearly all the shorter one's words are in the
# longer one, both came out within a day and a half, and the shorter one says enough on its own.
# The alert key includes the stance, so this cannot hide a reversal.
SHARED_WORDS_SHARE = 0.85  # |shared words| / |words of the shorter headline|
SHARED_WORDS_WINDOW = timedelta(hours=36)
SHARED_WORDS_MIN = 6
_WORD = re.compile(r"\w+")

# "Nvidia to invest $100bn in OpenAI - Reuters", "… | CNBC", "… — Financial Times", "…|新浪财经". A colon marks
# the title's own second part, never a publisher: a Chinese headline's second half ("英伟达否认合作告吹：意向书仍然有效"),
# a filing's section ("NVIDIA Form 10-Q … - Risk Factors: strategic investments" is not "… - Revenue by end market:
# automotive", though both open alike).
_PUBLISHER_SUFFIX = re.compile(r"\s+(?:-|\||::|—|–)\s+[^-|—–:]{2,40}$|[|｜]\s*[\u3400-\u9fff]{2,10}$")
_COMMON_TERM_LIMIT = 300  # terms shared by more titles than this do not help find duplicates
_CANDIDATE_HEADS = 8  # earlier stories sharing the most terms that are compared in full


def story_title(item: Item) -> str:
    """The title normalised for duplicate detection: case, width and the publisher suffix removed."""
    title = item.title.strip()
    if item.publisher and title.lower().endswith(item.publisher.lower()):
        title = title[: -len(item.publisher)].rstrip(" -|—–:")
    else:
        title = _PUBLISHER_SUFFIX.sub("", title)
    return " ".join(normalise(title).split())


def _same_story(a: str, b: str, when_a: datetime | None, when_b: datetime | None) -> bool:
    apart = abs(when_a - when_b) if when_a and when_b else None
    if apart is not None and apart > SAME_STORY_WINDOW:
        return False
    if has_cjk(a) or has_cjk(b):
        return fuzz.ratio(a, b, score_cutoff=SAME_STORY_SCORE) > 0
    if fuzz.token_sort_ratio(a, b, score_cutoff=SAME_STORY_SCORE) > 0:
        return True
    if apart is None or apart > SHARED_WORDS_WINDOW:
        return False
    words_a, words_b = set(_WORD.findall(a)), set(_WORD.findall(b))
    shorter = min(len(words_a), len(words_b))
    return shorter >= SHARED_WORDS_MIN and len(words_a & words_b) >= SHARED_WORDS_SHARE * shorter


def cluster_stories(items: Sequence[Item]) -> dict[str, str]:
    """Map every item id to its story id: the id of the earliest item telling the same story."""
    order = sorted(range(len(items)), key=lambda i: (items[i].published is None, items[i].published or datetime.min, i))
    ordered = [items[i] for i in order]  # a story's copies are found by rank in this order
    titles = [story_title(item) for item in ordered]
    postings: dict[str, list[int]] = defaultdict(list)  # term -> ranks of earlier cluster heads carrying it
    story_of: dict[str, str] = {}
    for rank, item in enumerate(ordered):
        if item.id in story_of:
            continue
        title = titles[rank]
        terms = index_terms(title)
        shared: Counter[int] = Counter()
        for term in terms:
            heads = postings.get(term, ())
            if len(heads) <= _COMMON_TERM_LIMIT:
                shared.update(heads)
        needed = max(1, len(terms) // 3)
        # Only heads sharing enough terms can match, and they all rank above the others: ranking just them finds
        # the same candidates (most heads share one common word).
        # Ties go to the earliest story: the order terms come out of a set changes with the process's hash seed,
        # and a copy that could join two stories must join the same one in every run (its alert key depends on it).
        # `nlargest` is stable, so among equal counts the lowest rank, first after sorting, comes first.
        enough = sorted(pair for pair in shared.items() if pair[1] >= needed)
        match = next(
            (head for head, _ in heapq.nlargest(_CANDIDATE_HEADS, enough, key=itemgetter(1))
             if _same_story(title, titles[head], item.published, ordered[head].published)),
            None,
        )
        if match is None:
            story_of[item.id] = item.id
            for term in terms:
                postings[term].append(rank)
        else:
            story_of[item.id] = story_of[ordered[match].id]
    return story_of


def story_alerts(stances: Mapping[Pair, str], story_of: Mapping[str, str],
                 rank: Callable[[Pair], float] | None = None) -> dict[Pair, Pair]:
    """The copies of a story that take the story's alert: (item, claim) -> the alerting pair they take it from.

    Near-duplicates are one story and one piece of evidence, so they carry one verdict: a wire copy that repeats
    only the headline ("Nvidia, OpenAI drop 10GW deployment plan - WSJ") says what the fuller copy says. Where the
    copies that alert on a claim all alert the same way, the story's other copies take that stance (from the
    copy `rank` puts highest, else the earliest id); copies alerting both ways are left as they are, so a
    reversal is never hidden. `story_of` maps every item of the batch to its story, as `cluster_stories` does.
    """
    members: dict[str, list[str]] = defaultdict(list)
    for item_id, story in story_of.items():
        members[story].append(item_id)
    alerting: dict[tuple[str, str], list[Pair]] = defaultdict(list)
    for pair, stance in stances.items():
        story = story_of.get(pair[0], pair[0])
        if stance in ALERTING_STANCES and len(members[story]) > 1:
            alerting[(story, pair[1])].append(pair)
    taken: dict[Pair, Pair] = {}
    for (story, claim_id), pairs in alerting.items():
        if len({stances[pair] for pair in pairs}) != 1:
            continue
        source = min(pairs, key=lambda pair: (-rank(pair) if rank else 0.0, pair[0]))
        for item_id in members[story]:
            if stances.get((item_id, claim_id)) not in ALERTING_STANCES:
                taken[(item_id, claim_id)] = source
    return taken
