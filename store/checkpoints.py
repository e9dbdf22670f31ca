"""Backfill checkpoints: how far each backfill job got in each date chunk, so a rerun resumes there.

One row per (job key, chunk since, chunk until). Every write sets absolute values (pages done,
items seen, the cursor) in one upsert, so saving the same checkpoint twice changes nothing and
a crash between "page stored" and "checkpoint saved" costs at most one page fetched again
(the items of that page are then already known to the store and are not stored twice).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from store.database import Database
from store.models import BackfillCheckpoint, utcnow

_checkpoints: Table = BackfillCheckpoint.__table__  # type: ignore[assignment]
_KEY = ["job_key", "chunk_since", "chunk_until"]
_MAX_ERROR_CHARS = 1000
_URL = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*)://\S+")


class CheckpointError(ValueError):
    """A checkpoint that cannot be saved as given (an inverted chunk, negative counts)."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One job's progress through one date chunk."""

    job_key: str
    chunk_since: date
    chunk_until: date
    cursor: Mapping[str, Any] | None = None  # None: start the chunk from its first page
    pages_done: int = 0
    items_seen: int = 0
    new_items: int = 0
    done: bool = False
    last_error: str | None = None
    updated_at: datetime | None = None


class CheckpointStore:
    """Load and save backfill checkpoints in one database; each call is its own transaction."""

    def __init__(self, database: Database):
        self.database = database
        self._insert = postgresql.insert if database.backend == "postgresql" else sqlite.insert

    def load(self, job_key: str, chunk_since: date, chunk_until: date) -> Checkpoint | None:
        """The checkpoint of a job in a chunk, or None when the job never ran there."""
        with self.database.engine.connect() as db:
            row = db.execute(
                select(_checkpoints).where(
                    _checkpoints.c.job_key == job_key,
                    _checkpoints.c.chunk_since == chunk_since,
                    _checkpoints.c.chunk_until == chunk_until,
                )
            ).first()
        return None if row is None else _from_row(row)

    def save(
        self,
        job_key: str,
        chunk_since: date,
        chunk_until: date,
        *,
        cursor: Mapping[str, Any] | None,
        pages_done: int,
        items_seen: int,
        new_items: int = 0,
        at: datetime | None = None,
    ) -> Checkpoint:
        """Record progress after a page: the cursor to resume from and the totals so far (clears any error)."""
        _check_chunk(chunk_since, chunk_until)
        if min(pages_done, items_seen, new_items) < 0:
            raise CheckpointError(f"checkpoint counts must not be negative (job {job_key!r})")
        values = {
            "cursor": dict(cursor) if cursor is not None else None,
            "pages_done": pages_done,
            "items_seen": items_seen,
            "new_items": new_items,
            "last_error": None,
            "updated_at": at or utcnow(),
        }
        # A finished chunk stays finished: a late writer (a duplicate run) must not reopen it.
        return self._upsert(job_key, chunk_since, chunk_until, values, only_if_open=True)

    def complete(self, job_key: str, chunk_since: date, chunk_until: date, *, at: datetime | None = None) -> Checkpoint:
        """Mark a job's chunk finished, so later runs skip it."""
        _check_chunk(chunk_since, chunk_until)
        return self._upsert(
            job_key, chunk_since, chunk_until, {"done": True, "last_error": None, "updated_at": at or utcnow()}
        )

    def record_failure(
        self, job_key: str, chunk_since: date, chunk_until: date, error: str, *, at: datetime | None = None
    ) -> Checkpoint:
        """Remember why a job stopped in a chunk; its cursor is kept, so the next run resumes there."""
        _check_chunk(chunk_since, chunk_until)
        values = {"last_error": _clean_error(error), "updated_at": at or utcnow()}
        return self._upsert(job_key, chunk_since, chunk_until, values, only_if_open=True)

    def list(self, job_keys: Iterable[str] | None = None) -> list[Checkpoint]:
        """Stored checkpoints (optionally of some jobs only), by job key and chunk."""
        query = select(_checkpoints).order_by(_checkpoints.c.job_key, _checkpoints.c.chunk_since)
        if job_keys is not None:
            query = query.where(_checkpoints.c.job_key.in_(sorted(set(job_keys))))
        with self.database.engine.connect() as db:
            return [_from_row(row) for row in db.execute(query)]

    def forget(self, job_key: str | None = None) -> int:
        """Delete the checkpoints of one job (or all), so the next backfill starts over; return how many."""
        statement = delete(_checkpoints)
        if job_key is not None:
            statement = statement.where(_checkpoints.c.job_key == job_key)
        with self.database.writer().begin() as db:
            return db.execute(statement).rowcount

    def _upsert(
        self, job_key: str, since: date, until: date, values: dict[str, Any], *, only_if_open: bool = False
    ) -> Checkpoint:
        statement = self._insert(_checkpoints).values(job_key=job_key, chunk_since=since, chunk_until=until, **values)
        statement = statement.on_conflict_do_update(
            index_elements=_KEY,
            set_=values,
            where=_checkpoints.c.done.is_(False) if only_if_open else None,
        )
        with self.database.writer().begin() as db:
            db.execute(statement)
            row = db.execute(
                select(_checkpoints).where(
                    _checkpoints.c.job_key == job_key,
                    _checkpoints.c.chunk_since == since,
                    _checkpoints.c.chunk_until == until,
                )
            ).one()
        return _from_row(row)


def _check_chunk(since: date, until: date) -> None:
    if since > until:
        raise CheckpointError(f"a chunk cannot end ({until}) before it starts ({since})")


def _clean_error(message: str) -> str:
    """Error text safe to store: URLs (which may carry tokens) redacted, length capped."""
    cleaned = _URL.sub(lambda m: f"{m.group(1)}://<redacted>", message)
    return cleaned if len(cleaned) <= _MAX_ERROR_CHARS else cleaned[: _MAX_ERROR_CHARS - 1] + "…"


def _from_row(row: Any) -> Checkpoint:
    return Checkpoint(
        job_key=row.job_key,
        chunk_since=row.chunk_since,
        chunk_until=row.chunk_until,
        cursor=dict(row.cursor) if row.cursor is not None else None,
        pages_done=row.pages_done,
        items_seen=row.items_seen,
        new_items=row.new_items,
        done=bool(row.done),
        last_error=row.last_error,
        updated_at=row.updated_at,
    )
