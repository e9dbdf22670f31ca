"""The database schema as SQLAlchemy 2.x typed models; migrations in `store/migrations/` must agree with it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Deterministic constraint names, so later migrations can drop/alter them on both backends
# (SQLite batch mode needs names to recreate a table).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back timezone-aware UTC, on PostgreSQL and on SQLite.

    PostgreSQL stores `timestamptz`. SQLite has no time zones, so values are stored as naive UTC
    text (which also keeps lexical order == time order) and UTC is re-attached on read.
    Naive datetimes given to the store are taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base carrying the shared naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSONType, str: Text}


class Source(Base):
    """A configured feed or filing source and its conditional-fetch state."""

    __tablename__ = "sources"
    __table_args__ = (
        CheckConstraint("last_status IN ('ok', 'not_modified', 'error')", name="last_status"),
    )

    id: Mapped[str] = mapped_column(primary_key=True)
    url: Mapped[str]
    kind: Mapped[str] = mapped_column(server_default="feed")
    title: Mapped[str] = mapped_column(server_default="")
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]  # the server's Last-Modified header, echoed verbatim
    last_fetched_at: Mapped[datetime | None]
    last_status: Mapped[str | None]
    last_http_status: Mapped[int | None] = mapped_column(Integer)
    last_error_kind: Mapped[str | None]
    last_error: Mapped[str | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    items_seen: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class StoredItem(Base):
    """A story or filing as first seen; `id` is `Item.id`."""

    __tablename__ = "items"
    __table_args__ = (
        # The same article reached through two feeds (or two guids) is one item.
        Index(
            "uq_items_url",
            "url",
            unique=True,
            sqlite_where=text("url <> ''"),
            postgresql_where=text("url <> ''"),
        ),
        Index("ix_items_first_seen_at", "first_seen_at"),
        Index("ix_items_source_id", "source_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(server_default="")
    title: Mapped[str]
    summary: Mapped[str] = mapped_column(server_default="")
    published: Mapped[datetime | None]
    # Not a foreign key: demo corpora and ad-hoc `claimwatch match` runs store items from unlisted sources.
    source_id: Mapped[str] = mapped_column(server_default="")
    publisher: Mapped[str] = mapped_column(server_default="")
    extra: Mapped[list[Any] | None] = mapped_column(JSONType)  # Item.extra as [[key, value], ...]
    first_seen_at: Mapped[datetime]


class StoredClaim(Base):
    """A claim from the registry; `payload` is the full validated claim as JSON."""

    __tablename__ = "claims"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    statement: Mapped[str]
    family: Mapped[str] = mapped_column(server_default="general")
    payload: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    synced_at: Mapped[datetime]


class Evidence(Base):
    """One item's verdict on one claim."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("item_id", "claim_id"),
        CheckConstraint("stance IN ('confirms', 'contradicts', 'mentions')", name="stance"),
        Index("ix_evidence_claim_stance_found", "claim_id", "stance", "found_at"),
        Index("ix_evidence_found_at", "found_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(64), ForeignKey("items.id", ondelete="CASCADE"))
    claim_id: Mapped[str] = mapped_column(String(80), ForeignKey("claims.id", ondelete="CASCADE"))
    stance: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    why: Mapped[str] = mapped_column(server_default="")
    story_id: Mapped[str] = mapped_column(server_default="")
    found_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]  # set when a rematch changed stance, score or reason


class Alert(Base):
    """The alert outbox: one row per story worth telling people about."""

    __tablename__ = "alerts"
    __table_args__ = (
        # The same story syndicated through several feeds alerts once per claim and stance.
        UniqueConstraint("claim_id", "story_key", "stance"),
        CheckConstraint("status IN ('pending', 'sent')", name="status"),
        Index("ix_alerts_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evidence_id: Mapped[int] = mapped_column(Integer, ForeignKey("evidence.id", ondelete="CASCADE"), unique=True)
    claim_id: Mapped[str] = mapped_column(String(80), ForeignKey("claims.id", ondelete="CASCADE"))
    story_key: Mapped[str]  # the verdict's story_id, or its item_id when the story is unclustered
    stance: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None]
    sent_at: Mapped[datetime | None]


class AlertDelivery(Base):
    """Delivery of one alert to one notification target, identified by a fingerprint, never its URL."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (CheckConstraint("status IN ('ok', 'failed')", name="status"),)

    alert_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    target: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None]
    last_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class Run(Base):
    """One monitor, backfill or demo run, for `claimwatch` run history."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint("kind IN ('monitor', 'backfill', 'demo')", name="kind"),
        CheckConstraint("status IN ('running', 'completed', 'failed')", name="status"),
        Index("ix_runs_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    flow_run_id: Mapped[str | None]
    kind: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), server_default="running")
    summary: Mapped[dict[str, Any] | None]


class BackfillCheckpoint(Base):
    """Where one backfill job stands in one date chunk: the cursor to resume from and what it did so far."""

    __tablename__ = "backfill_checkpoints"
    __table_args__ = (UniqueConstraint("job_key", "chunk_since", "chunk_until"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_key: Mapped[str]  # e.g. 'edgar-search:"OpenAI" 8-K,10-Q'
    chunk_since: Mapped[date] = mapped_column(Date)  # first and last day of the chunk, inclusive
    chunk_until: Mapped[date] = mapped_column(Date)
    cursor: Mapped[dict[str, Any] | None]  # the source's resume point: slice since/until + next_from or next_url
    pages_done: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    items_seen: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    new_items: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    done: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    last_error: Mapped[str | None]
    updated_at: Mapped[datetime]
