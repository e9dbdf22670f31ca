"""The repository: small, idempotent store operations on SQLite and PostgreSQL alike.

Every public method is one transaction. Writers are idempotent: running one twice with the same
input adds nothing (INSERT … ON CONFLICT DO NOTHING / DO UPDATE, via the backend's own dialect).
Values going in and out are plain immutable data (`Item`, `Verdict`, `EvidenceRecord`, the
small frozen rows of `store.rows`), never ORM objects; failures raise the errors of `store.errors`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, Literal, Protocol, get_args

from sqlalchemy import Connection, Select, Table, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from matchers.verdict import ALERTING_STANCES, Verdict
from seeds.registry import Claim
from sources.catalog import FetchState
from sources.item import Item
from store.claim_status import claim_status
from store.database import Database
from store.errors import StoreError, UnknownAlertError, UnknownReferenceError, UnknownRunError, UnknownSourceError
from store.models import Alert, AlertDelivery, Evidence, Run, Source, StoredClaim, StoredItem, utcnow
from store.records import EvidenceRecord, PendingAlert, alert_key
from store.rows import ClaimDetail, ClaimSummary, ClaimSync, RunRow, SourceRow, SourceSync

__all__ = [  # the rows and errors live in store.rows / store.errors; re-exported for convenience
    "ClaimDetail", "ClaimSummary", "ClaimSync", "Repository", "RunRow", "SourceRow", "SourceSync", "StoreError",
    "UnknownAlertError", "UnknownReferenceError", "UnknownRunError", "UnknownSourceError", "claim_content_hash",
]

RunKind = Literal["monitor", "backfill", "demo"]
RunStatus = Literal["running", "completed", "failed"]
_RUN_KINDS = frozenset(get_args(RunKind))
_RUN_STATUSES = frozenset(get_args(RunStatus))
_FETCH_STATUSES = frozenset({"ok", "not_modified", "error"})

_CHUNK = 500  # ids per IN (...) list: far below SQLite's and PostgreSQL's parameter limits
_MAX_ERROR_CHARS = 1000
_URL = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*)://\S+")

_sources: Table = Source.__table__  # type: ignore[assignment]
_items: Table = StoredItem.__table__  # type: ignore[assignment]
_claims: Table = StoredClaim.__table__  # type: ignore[assignment]
_evidence: Table = Evidence.__table__  # type: ignore[assignment]
_alerts: Table = Alert.__table__  # type: ignore[assignment]
_deliveries: Table = AlertDelivery.__table__  # type: ignore[assignment]
_runs: Table = Run.__table__  # type: ignore[assignment]


# Duck types for sources.catalog's SourceSpec / FetchOutcome: the store only reads these attributes.
class SourceSpecLike(Protocol):
    """What `sync_sources` reads from a `sources.catalog.SourceSpec`."""

    @property
    def id(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def enabled(self) -> bool: ...


class FetchStateLike(Protocol):
    """What the store reads from a `sources.catalog.FetchState`."""

    @property
    def etag(self) -> str | None: ...
    @property
    def last_modified(self) -> str | None: ...


class FetchOutcomeLike(Protocol):
    """What `record_fetch` reads from a `sources.catalog.FetchOutcome`."""

    @property
    def source_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def items(self) -> Sequence[Item]: ...
    @property
    def state(self) -> FetchStateLike | None: ...
    @property
    def error_kind(self) -> str | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def http_status(self) -> int | None: ...


def claim_content_hash(payload: dict[str, Any]) -> str:
    """The sha256 of a claim payload's canonical JSON, to tell edited claims from unchanged ones."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Repository:
    """Store operations over one database; each public method is its own transaction."""

    def __init__(self, database: Database):
        self.database = database
        self._insert = postgresql.insert if database.backend == "postgresql" else sqlite.insert

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.database.writer().begin() as connection:
            yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.database.engine.connect() as connection:
            yield connection

    # -- sources --------------------------------------------------------------------------------

    def sync_sources(self, specs: Iterable[SourceSpecLike]) -> SourceSync:
        """Make the stored sources match `specs`; sources no longer listed are disabled, not deleted."""
        wanted = {spec.id: spec for spec in specs}
        added, updated, disabled, unchanged = [], [], [], []
        with self._write() as db:
            columns = (_sources.c.id, _sources.c.url, _sources.c.kind, _sources.c.title, _sources.c.enabled)
            stored = {row.id: row for row in db.execute(select(*columns))}
            for source_id, spec in wanted.items():
                values = {"url": spec.url, "kind": spec.kind, "title": spec.title, "enabled": bool(spec.enabled)}
                row = stored.get(source_id)
                if row is None:
                    db.execute(self._insert(_sources).values(id=source_id, **values).on_conflict_do_nothing())
                    added.append(source_id)
                elif (row.url, row.kind, row.title, row.enabled) != tuple(values.values()):
                    db.execute(update(_sources).where(_sources.c.id == source_id).values(**values))
                    updated.append(source_id)
                else:
                    unchanged.append(source_id)
            for source_id, row in stored.items():
                if source_id not in wanted and row.enabled:
                    db.execute(update(_sources).where(_sources.c.id == source_id).values(enabled=False))
                    disabled.append(source_id)
        return SourceSync(tuple(added), tuple(updated), tuple(disabled), tuple(unchanged))

    def fetch_state(self, source_id: str) -> FetchState | None:
        """The ETag/Last-Modified remembered for a source, or None when the source is unknown."""
        with self._read() as db:
            row = db.execute(
                select(_sources.c.etag, _sources.c.last_modified).where(_sources.c.id == source_id)
            ).first()
        return None if row is None else FetchState(etag=row.etag, last_modified=row.last_modified)

    def record_fetch(self, outcome: FetchOutcomeLike, *, at: datetime | None = None) -> None:
        """Remember a fetch result; a failed fetch keeps the previous ETag/Last-Modified."""
        if outcome.status not in _FETCH_STATUSES:
            raise ValueError(f"fetch status must be one of {sorted(_FETCH_STATUSES)}, not {outcome.status!r}")
        values: dict[str, Any] = {
            "last_fetched_at": at or utcnow(),
            "last_status": outcome.status,
            "last_http_status": outcome.http_status,
        }
        state = outcome.state
        if outcome.status == "error":
            values |= {
                "last_error_kind": outcome.error_kind or "network",
                "last_error": _clean_error(outcome.error or "fetch failed"),
                "consecutive_failures": _sources.c.consecutive_failures + 1,
            }
        else:
            values |= {"last_error_kind": None, "last_error": None, "consecutive_failures": 0}
            values["items_seen"] = _sources.c.items_seen + len(outcome.items)
            if outcome.status == "ok":
                # A 200 response replaces the validators: a missing ETag means the old one no longer applies.
                values["etag"] = state.etag if state else None
                values["last_modified"] = state.last_modified if state else None
            elif state is not None:
                # A 304 may carry fresh validators; when it carries none the old ones stay valid.
                if state.etag:
                    values["etag"] = state.etag
                if state.last_modified:
                    values["last_modified"] = state.last_modified
        with self._write() as db:
            result = db.execute(update(_sources).where(_sources.c.id == outcome.source_id).values(**values))
            if result.rowcount == 0:
                raise UnknownSourceError(
                    f"no source {outcome.source_id!r} in the store:"
                    " sync_sources() must register it before its fetches are recorded"
                )

    def list_sources(self) -> list[SourceRow]:
        """Every stored source with its last fetch result, by id."""
        with self._read() as db:
            rows = db.execute(select(_sources).order_by(_sources.c.id)).all()
        return [SourceRow(**row._asdict()) for row in rows]

    # -- items ----------------------------------------------------------------------------------

    def add_items(self, items: Iterable[Item]) -> list[Item]:
        """Store items not seen before and return just those (an item is known by its id or its URL)."""
        batch: list[Item] = []
        ids: set[str] = set()
        urls: set[str] = set()
        for item in items:
            if item.id in ids or (item.url and item.url in urls):
                continue
            ids.add(item.id)
            if item.url:
                urls.add(item.url)
            batch.append(item)
        if not batch:
            return []
        now = utcnow()
        inserted: set[str] = set()
        with self._write() as db:
            # No conflict target: skip rows clashing with the primary key OR the partial unique URL index.
            statement = self._insert(_items).on_conflict_do_nothing().returning(_items.c.id)
            # Inserting in id order makes concurrent PostgreSQL writers lock rows in one order: no deadlocks.
            for chunk in _chunks(sorted(batch, key=lambda item: item.id)):
                rows = [_item_row(item, now) for item in chunk]
                inserted.update(db.execute(statement, rows).scalars())
        return [item for item in batch if item.id in inserted]

    def items_for_rematch(self, since: datetime | None = None, batch_size: int = 500) -> Iterator[Item]:
        """Every stored item (first seen at or after `since`), read from the database `batch_size` at a time."""
        for batch in self.item_batches_for_rematch(since, batch_size):
            yield from batch

    def item_batches_for_rematch(self, since: datetime | None = None, batch_size: int = 500) -> Iterator[list[Item]]:
        """Like `items_for_rematch`, but yields lists of up to `batch_size` items (ordered by id)."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        after = ""
        while True:
            query = select(_items).where(_items.c.id > after).order_by(_items.c.id).limit(batch_size)
            if since is not None:
                query = query.where(_items.c.first_seen_at >= since)
            # A short read per batch: no transaction stays open while the caller works.
            with self._read() as db:
                rows = db.execute(query).all()
            if rows:
                yield [_item_from_row(row) for row in rows]
            if len(rows) < batch_size:
                return
            after = rows[-1].id

    # -- claims ---------------------------------------------------------------------------------

    def sync_claims(self, claims: Iterable[Claim], *, at: datetime | None = None) -> ClaimSync:
        """Upsert claims from the registry; claims missing from it are retired (their evidence is kept)."""
        now = at or utcnow()
        listed = {claim.id: claim for claim in claims}
        added, updated, retired, unchanged = [], [], [], []
        with self._write() as db:
            stored = {
                row.id: row
                for row in db.execute(select(_claims.c.id, _claims.c.content_hash, _claims.c.retired))
            }
            for claim_id, claim in listed.items():
                payload = claim.model_dump(mode="json")
                values = {
                    "statement": claim.statement,
                    "family": claim.family,
                    "payload": payload,
                    "content_hash": claim_content_hash(payload),
                    "retired": claim.retired,
                    "synced_at": now,
                }
                row = stored.get(claim_id)
                if row is None:
                    db.execute(self._insert(_claims).values(id=claim_id, **values).on_conflict_do_nothing())
                    added.append(claim_id)
                elif row.content_hash == values["content_hash"] and row.retired == claim.retired:
                    unchanged.append(claim_id)
                else:
                    db.execute(update(_claims).where(_claims.c.id == claim_id).values(**values))
                    (retired if claim.retired and not row.retired else updated).append(claim_id)
            gone = [claim_id for claim_id, row in stored.items() if claim_id not in listed and not row.retired]
            for chunk in _chunks(gone):
                db.execute(update(_claims).where(_claims.c.id.in_(chunk)).values(retired=True, synced_at=now))
            retired.extend(gone)
        return ClaimSync(tuple(added), tuple(updated), tuple(retired), tuple(unchanged))

    def list_claims(self, *, include_retired: bool = False, today: date | None = None) -> list[ClaimSummary]:
        """Claims with their evidence counts, last evidence time and status, by id."""
        with self._read() as db:
            query = self._claim_summary_query()
            if not include_retired:
                query = query.where(_claims.c.retired.is_(False))
            rows = db.execute(query.order_by(_claims.c.id)).all()
        return [_summary_from_row(row, today or _today()) for row in rows]

    def claim_detail(self, claim_id: str, *, limit: int = 5, today: date | None = None) -> ClaimDetail | None:
        """One claim's registry entry, counts, status and latest evidence per stance; None if unknown."""
        with self._read() as db:
            row = db.execute(self._claim_summary_query().where(_claims.c.id == claim_id)).first()
            if row is None:
                return None
            latest = {
                stance: tuple(self._evidence_records(db, claim_id=claim_id, stance=stance, limit=limit))
                for stance in ("confirms", "contradicts", "mentions")
            }
        return ClaimDetail(claim=dict(row.payload), summary=_summary_from_row(row, today or _today()), latest=latest)

    def _claim_summary_query(self) -> Select[Any]:
        counts = (
            select(
                _evidence.c.claim_id,
                func.sum(case((_evidence.c.stance == "confirms", 1), else_=0)).label("confirms"),
                func.sum(case((_evidence.c.stance == "contradicts", 1), else_=0)).label("contradicts"),
                func.sum(case((_evidence.c.stance == "mentions", 1), else_=0)).label("mentions"),
                func.max(_evidence.c.found_at).label("last_evidence_at"),
            )
            .group_by(_evidence.c.claim_id)
            .subquery()
        )
        return select(
            _claims.c.id,
            _claims.c.statement,
            _claims.c.family,
            _claims.c.retired,
            _claims.c.payload,
            func.coalesce(counts.c.confirms, 0).label("confirms"),
            func.coalesce(counts.c.contradicts, 0).label("contradicts"),
            func.coalesce(counts.c.mentions, 0).label("mentions"),
            counts.c.last_evidence_at,
        ).outerjoin(counts, counts.c.claim_id == _claims.c.id)

    # -- evidence and the alert outbox ----------------------------------------------------------

    def record_evidence(
        self, verdicts: Iterable[Verdict], *, queue_alerts: bool = True, at: datetime | None = None
    ) -> list[EvidenceRecord]:
        """Store verdicts and queue alerts for new decisive ones; return only the evidence that is new.

        One row per (item, claim): recording the same pair again adds nothing, but a changed stance,
        score, reason or story on a rematch updates the row (without a new alert). Each new
        confirming/contradicting evidence queues one alert, unless the same claim already has an
        alert with that stance for the same story (its story_id, or its item id when unclustered).
        `queue_alerts=False` stores evidence silently (backfills and rematches of old items).
        """
        by_pair: dict[tuple[str, str], Verdict] = {}
        for verdict in verdicts:
            by_pair[(verdict.item_id, verdict.claim_id)] = verdict  # the latest verdict for a pair wins
        if not by_pair:
            return []
        now = at or utcnow()
        with self._write() as db:
            self._check_references(db, by_pair.values())
            statement = (
                self._insert(_evidence)
                .on_conflict_do_nothing(index_elements=["item_id", "claim_id"])
                .returning(_evidence.c.id, _evidence.c.item_id, _evidence.c.claim_id)
            )
            new_ids: dict[tuple[str, str], int] = {}
            # Sorted by (item, claim) so concurrent PostgreSQL writers take row locks in one order.
            for chunk in _chunks([by_pair[pair] for pair in sorted(by_pair)]):
                rows = [
                    {
                        "item_id": v.item_id,
                        "claim_id": v.claim_id,
                        "stance": v.stance,
                        "score": float(v.score),
                        "why": v.why,
                        "story_id": v.story_id,
                        "found_at": now,
                    }
                    for v in chunk
                ]
                for row in db.execute(statement, rows):
                    new_ids[(row.item_id, row.claim_id)] = row.id
            for pair, verdict in by_pair.items():
                if pair not in new_ids:
                    self._update_evidence(db, verdict, now)
            alerts: dict[tuple[str, str, str], dict[str, Any]] = {}
            for pair, verdict in sorted(by_pair.items(), key=lambda entry: new_ids.get(entry[0], 0)):
                if not (queue_alerts and pair in new_ids and verdict.stance in ALERTING_STANCES):
                    continue
                key = alert_key(verdict.claim_id, verdict.story_id, verdict.item_id, verdict.stance)
                # setdefault: of several copies of one story in this batch, the first stored one alerts.
                alerts.setdefault(key, {
                    "evidence_id": new_ids[pair],
                    "claim_id": key[0],
                    "story_key": key[1],
                    "stance": key[2],
                    "created_at": now,
                    "status": "pending",
                    "attempts": 0,
                })
            if alerts:
                # No conflict target: a clash on (claim, story, stance) or on evidence_id both mean "already queued".
                db.execute(self._insert(_alerts).on_conflict_do_nothing(), [alerts[key] for key in sorted(alerts)])
            ordered = sorted(new_ids.values())
            records = {r.evidence_id: r for r in self._evidence_records(db, evidence_ids=ordered)}
        return [records[evidence_id] for evidence_id in ordered]

    def _check_references(self, db: Connection, verdicts: Iterable[Verdict]) -> None:
        item_ids = sorted({v.item_id for v in verdicts})
        claim_ids = sorted({v.claim_id for v in verdicts})
        known_items: set[str] = set()
        for chunk in _chunks(item_ids):
            known_items.update(db.execute(select(_items.c.id).where(_items.c.id.in_(chunk))).scalars())
        known_claims: set[str] = set()
        for chunk in _chunks(claim_ids):
            known_claims.update(db.execute(select(_claims.c.id).where(_claims.c.id.in_(chunk))).scalars())
        missing_items = [i for i in item_ids if i not in known_items]
        missing_claims = [c for c in claim_ids if c not in known_claims]
        if missing_items or missing_claims:
            parts = []
            if missing_items:
                parts.append(f"items {', '.join(missing_items[:5])}{' …' if len(missing_items) > 5 else ''}")
            if missing_claims:
                parts.append(f"claims {', '.join(missing_claims[:5])}{' …' if len(missing_claims) > 5 else ''}")
            raise UnknownReferenceError(
                f"cannot record evidence for unknown {' and '.join(parts)}:"
                " add_items() / sync_claims() must store them first"
            )

    def _update_evidence(self, db: Connection, verdict: Verdict, now: datetime) -> None:
        score = float(verdict.score)
        db.execute(
            update(_evidence)
            .where(
                _evidence.c.item_id == verdict.item_id,
                _evidence.c.claim_id == verdict.claim_id,
                or_(
                    _evidence.c.stance != verdict.stance,
                    _evidence.c.score != score,
                    _evidence.c.why != verdict.why,
                    _evidence.c.story_id != verdict.story_id,
                ),
            )
            .values(stance=verdict.stance, score=score, why=verdict.why, story_id=verdict.story_id, updated_at=now)
        )

    def recent_verdicts(self, since: datetime) -> list[tuple[Item, Verdict]]:
        """The verdicts stored since a time, each with its item: what lets a later copy of a story join it."""
        with self._read() as db:
            records = self._evidence_records(db, since=since)
        return [(r.item, Verdict(r.item.id, r.claim_id, r.stance, r.score, r.why, r.story_id))  # type: ignore[arg-type]
                for r in records]

    def list_evidence(
        self,
        claim_id: str | None = None,
        stance: str | None = None,
        since: datetime | None = None,
        limit: int = 50,
    ) -> list[EvidenceRecord]:
        """Stored evidence, newest first, optionally for one claim, one stance, or found since a time."""
        with self._read() as db:
            return self._evidence_records(db, claim_id=claim_id, stance=stance, since=since, limit=limit)

    def _evidence_records(
        self,
        db: Connection,
        *,
        evidence_ids: Sequence[int] | None = None,
        claim_id: str | None = None,
        stance: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[EvidenceRecord]:
        query = (
            select(
                _evidence.c.id.label("evidence_id"),
                _evidence.c.claim_id,
                _claims.c.statement.label("claim_statement"),
                _evidence.c.stance,
                _evidence.c.score,
                _evidence.c.why,
                _evidence.c.story_id,
                _evidence.c.found_at,
                *_items.c,
            )
            .join(_items, _items.c.id == _evidence.c.item_id)
            .join(_claims, _claims.c.id == _evidence.c.claim_id)
            .order_by(_evidence.c.found_at.desc(), _evidence.c.id.desc())
        )
        if claim_id is not None:
            query = query.where(_evidence.c.claim_id == claim_id)
        if stance is not None:
            query = query.where(_evidence.c.stance == stance)
        if since is not None:
            query = query.where(_evidence.c.found_at >= since)
        if limit is not None:
            query = query.limit(limit)
        if evidence_ids is None:
            return [_evidence_from_row(row) for row in db.execute(query)]
        records: list[EvidenceRecord] = []
        for chunk in _chunks(list(evidence_ids)):
            records.extend(_evidence_from_row(row) for row in db.execute(query.where(_evidence.c.id.in_(chunk))))
        return records

    def pending_alerts(self, limit: int = 100) -> list[PendingAlert]:
        """Alerts not yet sent, oldest first, with the targets each one already reached."""
        with self._read() as db:
            alerts = db.execute(
                select(_alerts.c.id, _alerts.c.evidence_id, _alerts.c.attempts)
                .where(_alerts.c.status == "pending")
                .order_by(_alerts.c.created_at, _alerts.c.id)
                .limit(limit)
            ).all()
            if not alerts:
                return []
            alert_ids = [a.id for a in alerts]
            delivered: dict[int, set[str]] = {alert_id: set() for alert_id in alert_ids}
            for row in db.execute(
                select(_deliveries.c.alert_id, _deliveries.c.target).where(
                    _deliveries.c.alert_id.in_(alert_ids), _deliveries.c.status == "ok"
                )
            ):
                delivered[row.alert_id].add(row.target)
            records = {
                r.evidence_id: r for r in self._evidence_records(db, evidence_ids=[a.evidence_id for a in alerts])
            }
        return [
            PendingAlert(
                alert_id=a.id,
                evidence=records[a.evidence_id],
                delivered_to=frozenset(delivered[a.id]),
                attempts=a.attempts,
            )
            for a in alerts
        ]

    def record_delivery(
        self, alert_id: int, target_fingerprint: str, ok: bool, error: str | None = None, *, at: datetime | None = None
    ) -> None:
        """Record one delivery attempt of an alert to one target; a successful delivery is never overwritten.

        A failure also counts against the alert (`attempts` + 1, `last_error`), so callers can back off.
        Error text is cut to 1000 characters and any `scheme://…` URL in it is redacted, since
        notification URLs carry tokens.
        """
        _require_fingerprints([target_fingerprint])
        now = at or utcnow()
        message = None if ok else _clean_error(error or "delivery failed")
        status = "ok" if ok else "failed"
        with self._write() as db:
            if db.execute(select(_alerts.c.id).where(_alerts.c.id == alert_id)).first() is None:
                raise UnknownAlertError(f"no alert with id {alert_id} in the outbox")
            statement = self._insert(_deliveries).values(
                alert_id=alert_id,
                target=target_fingerprint,
                status=status,
                attempts=1,
                last_error=message,
                last_attempt_at=now,
                delivered_at=now if ok else None,
            )
            excluded = statement.excluded
            db.execute(
                statement.on_conflict_do_update(
                    index_elements=["alert_id", "target"],
                    set_={
                        "status": excluded.status,
                        "attempts": _deliveries.c.attempts + 1,
                        "last_error": excluded.last_error,
                        "last_attempt_at": excluded.last_attempt_at,
                        "delivered_at": excluded.delivered_at,
                    },
                    where=_deliveries.c.status != "ok",
                )
            )
            if not ok:
                db.execute(
                    update(_alerts)
                    .where(_alerts.c.id == alert_id)
                    .values(attempts=_alerts.c.attempts + 1, last_error=message)
                )

    def finish_alerts(
        self, alert_ids: Iterable[int], target_fingerprints: Iterable[str], *, at: datetime | None = None
    ) -> list[int]:
        """Mark sent every given alert that every target (by fingerprint) has received; return their ids.

        With no targets nothing is marked: alerts wait in the outbox until someone configures one.
        """
        wanted = set(target_fingerprints)
        _require_fingerprints(wanted)
        ids = sorted(set(alert_ids))
        if not wanted or not ids:
            return []
        done: list[int] = []
        with self._write() as db:
            for chunk in _chunks(ids):
                reached: dict[int, set[str]] = {}
                for row in db.execute(
                    select(_deliveries.c.alert_id, _deliveries.c.target).where(
                        _deliveries.c.alert_id.in_(chunk), _deliveries.c.status == "ok"
                    )
                ):
                    reached.setdefault(row.alert_id, set()).add(row.target)
                complete = [alert_id for alert_id in chunk if wanted <= reached.get(alert_id, set())]
                if complete:
                    result = db.execute(
                        update(_alerts)
                        .where(_alerts.c.id.in_(complete), _alerts.c.status == "pending")
                        .values(status="sent", sent_at=at or utcnow())
                        .returning(_alerts.c.id)
                    )
                    done.extend(result.scalars())
        return sorted(done)

    def complete_alert(self, alert_id: int, *, at: datetime | None = None) -> None:
        """Mark one alert sent regardless of deliveries (e.g. an operator dismissed it)."""
        with self._write() as db:
            result = db.execute(
                update(_alerts).where(_alerts.c.id == alert_id).values(status="sent", sent_at=at or utcnow())
            )
            if result.rowcount == 0:
                raise UnknownAlertError(f"no alert with id {alert_id} in the outbox")

    # -- runs -----------------------------------------------------------------------------------

    def record_run(self, kind: RunKind, flow_run_id: str | None = None, *, at: datetime | None = None) -> int:
        """Record that a run started; return its id for `finish_run`."""
        if kind not in _RUN_KINDS:
            raise ValueError(f"run kind must be one of {sorted(_RUN_KINDS)}, not {kind!r}")
        with self._write() as db:
            return db.execute(
                _runs.insert()
                .values(kind=kind, flow_run_id=flow_run_id, started_at=at or utcnow(), status="running")
                .returning(_runs.c.id)
            ).scalar_one()

    def finish_run(
        self,
        run_id: int,
        status: RunStatus = "completed",
        summary: dict[str, Any] | None = None,
        *,
        at: datetime | None = None,
    ) -> None:
        """Record how a run ended, with a JSON-serialisable summary (counts, errors by source…)."""
        if status not in _RUN_STATUSES:
            raise ValueError(f"run status must be one of {sorted(_RUN_STATUSES)}, not {status!r}")
        with self._write() as db:
            result = db.execute(
                update(_runs)
                .where(_runs.c.id == run_id)
                .values(status=status, summary=summary, finished_at=at or utcnow())
            )
            if result.rowcount == 0:
                raise UnknownRunError(f"no run with id {run_id}")

    def list_runs(self, limit: int = 20) -> list[RunRow]:
        """The most recent runs, newest first."""
        with self._read() as db:
            rows = db.execute(select(_runs).order_by(_runs.c.started_at.desc(), _runs.c.id.desc()).limit(limit)).all()
        return [RunRow(**row._asdict()) for row in rows]


def _require_fingerprints(targets: Iterable[str]) -> None:
    """Refuse notification URLs where fingerprints belong: the store must never hold a URL (tokens)."""
    if any("://" in target or "@" in target for target in targets):
        # Deliberately not echoing the value: it is probably a secret-bearing apprise URL.
        raise ValueError(
            "the store takes notification target fingerprints (alerts.deliver.target_fingerprint(url)), "
            "not target URLs"
        )


def _today() -> date:
    return datetime.now(UTC).date()


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _clean_error(message: str) -> str:
    """Error text safe to store: URLs (which may carry tokens) redacted, length capped."""
    cleaned = _URL.sub(lambda m: f"{m.group(1)}://<redacted>", message)
    return cleaned if len(cleaned) <= _MAX_ERROR_CHARS else cleaned[: _MAX_ERROR_CHARS - 1] + "…"


def _item_row(item: Item, first_seen_at: datetime) -> dict[str, Any]:
    return {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "summary": item.summary,
        "published": item.published,
        "source_id": item.source,
        "publisher": item.publisher,
        "extra": [list(pair) for pair in item.extra] or None,
        "first_seen_at": first_seen_at,
    }


def _item_from_row(row: Any) -> Item:
    return Item(
        id=row.id,
        title=row.title,
        url=row.url,
        summary=row.summary,
        published=row.published,
        source=row.source_id,
        publisher=row.publisher,
        extra=tuple((str(key), str(value)) for key, value in (row.extra or ())),
    )


def _evidence_from_row(row: Any) -> EvidenceRecord:
    return EvidenceRecord(
        evidence_id=row.evidence_id,
        claim_id=row.claim_id,
        claim_statement=row.claim_statement,
        stance=row.stance,
        score=row.score,
        why=row.why,
        item=_item_from_row(row),
        found_at=row.found_at,
        story_id=row.story_id,
    )


def _summary_from_row(row: Any, today: date) -> ClaimSummary:
    raw = (row.payload or {}).get("check_after")
    check_after = date.fromisoformat(raw) if raw else None
    confirms, contradicts = int(row.confirms), int(row.contradicts)
    return ClaimSummary(
        id=row.id,
        statement=row.statement,
        family=row.family,
        retired=bool(row.retired),
        confirms=confirms,
        contradicts=contradicts,
        mentions=int(row.mentions),
        last_evidence_at=row.last_evidence_at,
        check_after=check_after,
        status=claim_status(confirms, contradicts, check_after, today),
    )
