"""Values the store hands to later stages (alerts, CLI): plain immutable data, never ORM rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sources.item import Item


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """A stored piece of evidence: an item's verdict on a claim, with the item itself."""

    evidence_id: int
    claim_id: str
    claim_statement: str
    stance: str  # confirms | contradicts | mentions
    score: float
    why: str
    item: Item
    found_at: datetime
    story_id: str = ""


@dataclass(frozen=True, slots=True)
class PendingAlert:
    """An outbox entry not yet delivered to every target."""

    alert_id: int
    evidence: EvidenceRecord
    delivered_to: frozenset[str]  # fingerprints of targets that already received it
    attempts: int = 0


def alert_key(claim_id: str, story_id: str, item_id: str, stance: str) -> tuple[str, str, str]:
    """What makes evidence one alert: (claim, story — its story id, or its item id when unclustered, stance)."""
    return claim_id, story_id or item_id, stance


def one_per_story(records: Iterable[EvidenceRecord]) -> list[tuple[EvidenceRecord, int]]:
    """Records of one story (claim, story, stance) folded into the first of them, with how many copies more."""
    stories: dict[tuple[str, str, str], list[EvidenceRecord]] = {}
    for record in records:
        key = alert_key(record.claim_id, record.story_id, record.item.id, record.stance)
        stories.setdefault(key, []).append(record)
    return [(copies[0], len(copies) - 1) for copies in stories.values()]
