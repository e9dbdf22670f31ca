"""Small frozen rows the repository returns to the CLI and flows (never ORM objects)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from store.claim_status import ClaimStatus
from store.records import EvidenceRecord


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A source as stored, with its last fetch result."""

    id: str
    url: str
    kind: str
    title: str
    enabled: bool
    etag: str | None
    last_modified: str | None
    last_fetched_at: datetime | None
    last_status: str | None
    last_http_status: int | None
    last_error_kind: str | None
    last_error: str | None
    consecutive_failures: int
    items_seen: int


@dataclass(frozen=True, slots=True)
class SourceSync:
    """What `sync_sources` changed, as source ids."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()  # stored sources no longer listed (kept, with their history)
    unchanged: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimSync:
    """What `sync_claims` changed, as claim ids; each synced id appears in exactly one field."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()  # content changed, or a retired claim came back
    retired: tuple[str, ...] = ()  # newly retired: missing from the file or marked `retired: true`
    unchanged: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimSummary:
    """One line of `claimwatch claims`: a claim, its evidence counts and its status."""

    id: str
    statement: str
    family: str
    retired: bool
    confirms: int
    contradicts: int
    mentions: int
    last_evidence_at: datetime | None
    check_after: date | None
    status: ClaimStatus


@dataclass(frozen=True, slots=True)
class ClaimDetail:
    """A claim with its full registry entry, its counts and status, and its latest evidence per stance."""

    claim: dict[str, Any]  # the registry entry as stored: Claim.model_dump(mode="json")
    summary: ClaimSummary
    latest: Mapping[str, tuple[EvidenceRecord, ...]]  # "confirms" / "contradicts" / "mentions" -> newest first

    @property
    def status(self) -> ClaimStatus:
        """The claim's status (see `store.claim_status.claim_status`)."""
        return self.summary.status


@dataclass(frozen=True, slots=True)
class RunRow:
    """One recorded run."""

    id: int
    kind: str
    flow_run_id: str | None
    started_at: datetime
    finished_at: datetime | None
    status: str
    summary: dict[str, Any] | None
