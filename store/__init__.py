"""Persist sources, items, claims, evidence, the alert outbox and run history (SQLite or PostgreSQL).

Plain Python, no Prefect. Schema changes go through alembic migrations in `store/migrations/`.
"""

from store.claim_status import ClaimStatus, claim_status
from store.database import Database, DatabaseURLError, downgrade, migrate, normalise_url, open_database
from store.records import EvidenceRecord, PendingAlert
from store.repository import (
    ClaimDetail,
    ClaimSummary,
    ClaimSync,
    Repository,
    RunRow,
    SourceRow,
    SourceSync,
    StoreError,
    UnknownAlertError,
    UnknownReferenceError,
    UnknownRunError,
    UnknownSourceError,
)

__all__ = [
    "ClaimDetail",
    "ClaimStatus",
    "ClaimSummary",
    "ClaimSync",
    "Database",
    "DatabaseURLError",
    "EvidenceRecord",
    "PendingAlert",
    "Repository",
    "RunRow",
    "SourceRow",
    "SourceSync",
    "StoreError",
    "UnknownAlertError",
    "UnknownReferenceError",
    "UnknownRunError",
    "UnknownSourceError",
    "claim_status",
    "downgrade",
    "migrate",
    "normalise_url",
    "open_database",
]
