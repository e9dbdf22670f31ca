"""Named store errors: each says what was wrong and what the caller should have done first."""

from __future__ import annotations


class StoreError(Exception):
    """Base class for store errors that callers can act on."""


class UnknownSourceError(StoreError):
    """A fetch was recorded for a source that `sync_sources` never registered."""


class UnknownReferenceError(StoreError):
    """Evidence names items or claims that are not in the store."""


class UnknownAlertError(StoreError):
    """A delivery was recorded for an alert id that does not exist."""


class UnknownRunError(StoreError):
    """`finish_run` was given a run id that `record_run` never returned."""
