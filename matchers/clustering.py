"""Group the same story published by several feeds under one story id."""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from matchers.text import has_cjk, index_terms, normalise
from sources.item import Item

SAME_STORY_SCORE = 85.0  # token_sort_ratio of normalised titles, 0..100
SAME_STORY_WINDOW = timedelta(hours=72)

# "Nvidia to invest $100bn in OpenAI - Reuters", "… | CNBC", "… — Financial Times", "…|新浪财经". A Chinese colon
# introduces the story's second half ("英伟达否认合作告吹：意向书仍然有效"), never a publisher.
_PUBLISHER_SUFFIX = re.compile(r"\s+(?:-|\||::|—|–)\s+[^-|—–]{2,40}$|[|｜]\s*[\u3400-\u9fff]{2,10}$")
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
    if when_a and when_b and abs(when_a - when_b) > SAME_STORY_WINDOW:
        return False
    scorer = fuzz.ratio if has_cjk(a) or has_cjk(b) else fuzz.token_sort_ratio
    return scorer(a, b, score_cutoff=SAME_STORY_SCORE) > 0


def cluster_stories(items: Sequence[Item]) -> dict[str, str]:
    """Map every item id to its story id: the id of the earliest item telling the same story."""
    order = sorted(range(len(items)), key=lambda i: (items[i].published is None, items[i].published or datetime.min, i))
    titles = {i: story_title(items[i]) for i in order}
    postings: dict[str, list[int]] = defaultdict(list)  # term -> earlier cluster heads carrying it
    story_of: dict[str, str] = {}
    for i in order:
        item, title = items[i], titles[i]
        if item.id in story_of:
            continue
        terms = index_terms(title)
        shared: dict[int, int] = defaultdict(int)
        for term in terms:
            heads = postings.get(term, ())
            if len(heads) <= _COMMON_TERM_LIMIT:
                for head in heads:
                    shared[head] += 1
        needed = max(1, len(terms) // 3)
        best_heads = heapq.nlargest(_CANDIDATE_HEADS, shared.items(), key=lambda kv: kv[1])
        match = next(
            (head for head, count in best_heads
             if count >= needed and _same_story(title, titles[head], item.published, items[head].published)),
            None,
        )
        if match is None:
            story_of[item.id] = item.id
            for term in terms:
                postings[term].append(i)
        else:
            story_of[item.id] = story_of[items[match].id]
    return story_of
