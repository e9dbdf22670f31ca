"""The `Item`: one normalised news story or filing, the value every later stage consumes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


def item_id_for(url: str, guid: str = "") -> str:
    """Return the stable id of an item: a short hash of its canonical URL (or its guid)."""
    basis = url or guid
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Item:
    """A normalised story or filing, independent of the feed format it came from."""

    id: str
    title: str
    url: str = ""
    summary: str = ""
    published: datetime | None = None  # timezone-aware UTC, or None when the source gave no date
    source: str = ""  # id of the source that produced it
    publisher: str = ""  # "Reuters" split off "Headline - Reuters", or the feed's own title
    extra: tuple[tuple[str, str], ...] = field(default=())  # source-specific facts (form type, accession…)

    @property
    def text(self) -> str:
        """Title and summary joined: what matchers read."""
        return f"{self.title}\n{self.summary}" if self.summary else self.title
