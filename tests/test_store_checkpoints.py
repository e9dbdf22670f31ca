"""Backfill checkpoints: absolute, idempotent saves; finished chunks stay finished; failures keep the cursor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from store import open_database
from store.checkpoints import CheckpointError, CheckpointStore

JOB = 'edgar-search:"OpenAI" 8-K,10-Q'
SEPT = (date(2025, 9, 1), date(2025, 9, 30))
OCT = (date(2025, 10, 1), date(2025, 10, 31))


@pytest.fixture
def checkpoints(migrated_db_url: str) -> Iterator[CheckpointStore]:
    database = open_database(migrated_db_url)
    yield CheckpointStore(database)
    database.dispose()


def test_an_unknown_job_has_no_checkpoint(checkpoints: CheckpointStore) -> None:
    assert checkpoints.load(JOB, *SEPT) is None
    assert checkpoints.list() == []


def test_saving_the_same_progress_twice_changes_nothing(checkpoints: CheckpointStore) -> None:
    cursor = {"since": "2025-09-01", "until": "2025-09-30", "next_from": 100}
    first = checkpoints.save(JOB, *SEPT, cursor=cursor, pages_done=1, items_seen=100, new_items=98)
    again = checkpoints.save(JOB, *SEPT, cursor=cursor, pages_done=1, items_seen=100, new_items=98)
    assert (again.pages_done, again.items_seen, again.new_items) == (1, 100, 98)
    assert again.cursor == cursor == first.cursor
    assert len(checkpoints.list()) == 1
    loaded = checkpoints.load(JOB, *SEPT)
    assert loaded is not None and loaded.cursor == cursor and not loaded.done
    assert loaded.updated_at is not None and loaded.updated_at.tzinfo is not None


def test_later_pages_move_the_cursor_and_chunks_are_kept_apart(checkpoints: CheckpointStore) -> None:
    checkpoints.save(JOB, *SEPT, cursor={"next_from": 100}, pages_done=1, items_seen=100)
    checkpoints.save(JOB, *SEPT, cursor={"next_from": 200}, pages_done=2, items_seen=200)
    checkpoints.save(JOB, *OCT, cursor={"next_from": 100}, pages_done=1, items_seen=100)
    sept, oct_ = checkpoints.list()
    assert (sept.chunk_since, sept.cursor, sept.pages_done) == (SEPT[0], {"next_from": 200}, 2)
    assert (oct_.chunk_since, oct_.cursor, oct_.pages_done) == (OCT[0], {"next_from": 100}, 1)


def test_a_completed_chunk_is_not_reopened_by_a_late_save_or_failure(checkpoints: CheckpointStore) -> None:
    checkpoints.save(JOB, *SEPT, cursor={"next_from": 100}, pages_done=1, items_seen=100)
    done = checkpoints.complete(JOB, *SEPT)
    assert done.done and done.pages_done == 1
    checkpoints.save(JOB, *SEPT, cursor={"next_from": 0}, pages_done=0, items_seen=0)
    checkpoints.record_failure(JOB, *SEPT, "network: connection reset")
    loaded = checkpoints.load(JOB, *SEPT)
    assert loaded is not None and loaded.done and loaded.pages_done == 1 and loaded.last_error is None
    assert checkpoints.complete(JOB, *SEPT).done  # completing twice is harmless


def test_a_failure_keeps_the_cursor_and_the_next_save_clears_the_error(checkpoints: CheckpointStore) -> None:
    checkpoints.save(JOB, *SEPT, cursor={"next_url": "https://www.federalregister.gov/api/v1/documents.json?page=2"},
                     pages_done=1, items_seen=2)
    failed = checkpoints.record_failure(JOB, *SEPT, "http_status: 502 from https://user:pw@mirror.example/x")
    assert failed.cursor == {"next_url": "https://www.federalregister.gov/api/v1/documents.json?page=2"}
    assert failed.last_error == "http_status: 502 from https://<redacted>" and failed.pages_done == 1
    resumed = checkpoints.save(JOB, *SEPT, cursor=None, pages_done=2, items_seen=3)
    assert resumed.last_error is None and resumed.cursor is None


def test_a_failure_before_any_page_creates_the_checkpoint(checkpoints: CheckpointStore) -> None:
    failed = checkpoints.record_failure(JOB, *SEPT, "config: set CLAIMWATCH_CONTACT_EMAIL")
    assert (failed.pages_done, failed.cursor, failed.done) == (0, None, False)
    assert failed.last_error == "config: set CLAIMWATCH_CONTACT_EMAIL"


def test_inverted_chunks_and_negative_counts_are_refused(checkpoints: CheckpointStore) -> None:
    with pytest.raises(CheckpointError, match="cannot end"):
        checkpoints.save(JOB, SEPT[1], SEPT[0], cursor=None, pages_done=0, items_seen=0)
    with pytest.raises(CheckpointError, match="negative"):
        checkpoints.save(JOB, *SEPT, cursor=None, pages_done=-1, items_seen=0)


def test_forgetting_a_job_lets_the_next_backfill_start_over(checkpoints: CheckpointStore) -> None:
    checkpoints.complete(JOB, *SEPT)
    checkpoints.complete("federal-register:term=H-1B", *SEPT, at=datetime(2025, 10, 1, tzinfo=UTC))
    assert checkpoints.forget(JOB) == 1
    assert [c.job_key for c in checkpoints.list()] == ["federal-register:term=H-1B"]
    assert [c.job_key for c in checkpoints.list([JOB])] == []
