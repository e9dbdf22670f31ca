"""Sources (sync, conditional-fetch state) and items (dedupe by id and URL) on both backends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from sources.catalog import FetchOutcome, FetchState, SourceSpec
from sources.item import Item, item_id_for
from store.repository import Repository, UnknownSourceError


def make_item(url: str, title: str = "OpenAI and NVIDIA sign 10 GW deal", **fields) -> Item:
    return Item(id=item_id_for(url), title=title, url=url, **fields)


def ok(source_id: str, etag: str | None, last_modified: str | None = None, items: tuple[Item, ...] = ()
       ) -> FetchOutcome:
    return FetchOutcome(source_id, "ok", items, FetchState(etag, last_modified), http_status=200)


def test_syncing_the_same_sources_twice_changes_nothing(repo: Repository) -> None:
    specs = [
        SourceSpec("reuters-tech", "https://example.org/a.xml", title="Reuters"),
        SourceSpec("sec", "https://example.org/b"),
    ]
    first = repo.sync_sources(specs)
    second = repo.sync_sources(specs)
    assert first.added == ("reuters-tech", "sec")
    assert second.added == () and second.updated == () and second.unchanged == ("reuters-tech", "sec")
    assert [s.id for s in repo.list_sources()] == ["reuters-tech", "sec"]


def test_sources_dropped_from_the_list_are_disabled_and_keep_their_state(repo: Repository) -> None:
    repo.sync_sources([SourceSpec("a", "https://example.org/a"), SourceSpec("b", "https://example.org/b")])
    repo.record_fetch(ok("b", '"v1"'))
    result = repo.sync_sources([SourceSpec("a", "https://example.org/a2")])
    assert result.updated == ("a",) and result.disabled == ("b",)
    rows = {s.id: s for s in repo.list_sources()}
    assert rows["a"].url == "https://example.org/a2"
    assert rows["b"].enabled is False and rows["b"].etag == '"v1"'
    restored = repo.sync_sources([SourceSpec("a", "https://example.org/a2"), SourceSpec("b", "https://example.org/b")])
    assert restored.updated == ("b",)


def test_successful_fetch_stores_validators_and_counts_items(repo: Repository) -> None:
    repo.sync_sources([SourceSpec("feed", "https://example.org/feed")])
    assert repo.fetch_state("feed") == FetchState(None, None)
    items = (make_item("https://example.org/1"), make_item("https://example.org/2"))
    repo.record_fetch(ok("feed", '"abc"', "Wed, 01 Oct 2025 10:00:00 GMT", items))
    assert repo.fetch_state("feed") == FetchState('"abc"', "Wed, 01 Oct 2025 10:00:00 GMT")
    (row,) = repo.list_sources()
    assert (row.last_status, row.items_seen, row.consecutive_failures, row.last_http_status) == ("ok", 2, 0, 200)
    assert row.last_fetched_at is not None and row.last_fetched_at.tzinfo is not None


def test_failed_fetch_keeps_the_previous_etag_and_counts_failures(repo: Repository) -> None:
    repo.sync_sources([SourceSpec("feed", "https://example.org/feed")])
    repo.record_fetch(ok("feed", '"abc"', "Wed, 01 Oct 2025 10:00:00 GMT"))
    for _ in range(2):
        repo.record_fetch(
            FetchOutcome("feed", "error", (), FetchState(), error_kind="timeout", error="no answer in 20 s")
        )
    assert repo.fetch_state("feed") == FetchState('"abc"', "Wed, 01 Oct 2025 10:00:00 GMT")
    (row,) = repo.list_sources()
    assert (row.last_status, row.last_error_kind, row.last_error, row.consecutive_failures) == (
        "error", "timeout", "no answer in 20 s", 2,
    )
    repo.record_fetch(FetchOutcome("feed", "not_modified", (), FetchState(), http_status=304))
    (row,) = repo.list_sources()
    assert (row.last_status, row.last_error_kind, row.consecutive_failures) == ("not_modified", None, 0)
    assert row.etag == '"abc"'


def test_not_modified_with_fresh_validators_replaces_them(repo: Repository) -> None:
    repo.sync_sources([SourceSpec("feed", "https://example.org/feed")])
    repo.record_fetch(ok("feed", '"abc"'))
    repo.record_fetch(FetchOutcome("feed", "not_modified", (), FetchState('"def"', None), http_status=304))
    assert repo.fetch_state("feed") == FetchState('"def"', None)


def test_fetch_errors_are_stored_without_urls_that_may_carry_tokens(repo: Repository) -> None:
    repo.sync_sources([SourceSpec("feed", "https://example.org/feed")])
    repo.record_fetch(FetchOutcome("feed", "error", (), FetchState(), error_kind="network",
                                   error="refused: https://user:s3cret@example.org/x?token=abc"))
    (row,) = repo.list_sources()
    assert "s3cret" not in row.last_error and "token=abc" not in row.last_error
    assert row.last_error.startswith("refused: https://")


def test_fetch_for_an_unregistered_source_is_a_named_error(repo: Repository) -> None:
    with pytest.raises(UnknownSourceError, match="sync_sources"):
        repo.record_fetch(ok("nowhere", None))


def test_an_unknown_fetch_status_is_refused(repo: Repository) -> None:
    repo.sync_sources([SourceSpec("feed", "https://example.org/feed")])
    with pytest.raises(ValueError, match="fetch status"):
        repo.record_fetch(FetchOutcome("feed", "skipped", (), FetchState()))  # type: ignore[arg-type]


def test_fetch_state_of_an_unknown_source_is_none(repo: Repository) -> None:
    assert repo.fetch_state("nowhere") is None


def test_duck_typed_specs_and_outcomes_are_accepted(repo: Repository) -> None:
    @dataclass(frozen=True)
    class Spec:
        id: str
        url: str
        kind: str = "edgar"
        title: str = ""
        enabled: bool = True

    @dataclass(frozen=True)
    class Outcome:
        source_id: str
        status: str
        items: tuple = ()
        state: object = None
        error_kind: str | None = None
        error: str | None = None
        http_status: int | None = None

    repo.sync_sources([Spec("edgar-nvda", "https://example.org/edgar")])
    repo.record_fetch(Outcome("edgar-nvda", "ok", state=FetchState("e1", None)))
    assert repo.fetch_state("edgar-nvda") == FetchState("e1", None)


def test_adding_items_returns_only_new_ones_and_is_idempotent(repo: Repository) -> None:
    first = [make_item("https://example.org/1"), make_item("https://example.org/2")]
    assert repo.add_items(first) == first
    assert repo.add_items(first) == []
    third = make_item("https://example.org/3")
    assert repo.add_items([*first, third]) == [third]


def test_the_same_url_under_another_id_is_not_a_new_item(repo: Repository) -> None:
    original = make_item("https://example.org/story")
    via_guid = Item(id=item_id_for("", "guid-123"), title="Same story", url="https://example.org/story")
    assert repo.add_items([original, via_guid]) == [original]  # within one batch
    assert repo.add_items([via_guid]) == []  # and across batches


def test_items_without_url_are_told_apart_by_id(repo: Repository) -> None:
    a = Item(id=item_id_for("", "guid-a"), title="A")
    b = Item(id=item_id_for("", "guid-b"), title="B")
    assert repo.add_items([a, b]) == [a, b]


def test_items_round_trip_with_utc_timestamps_and_extra_facts(repo: Repository) -> None:
    eastern = timezone(timedelta(hours=-5))
    item = make_item(
        "https://example.org/filing",
        title="NVIDIA 8-K",
        summary="Item 1.01 Entry into a Material Definitive Agreement",
        published=datetime(2025, 9, 22, 8, 30, tzinfo=eastern),
        source="edgar-nvda",
        publisher="SEC",
        extra=(("form", "8-K"), ("accession", "0001045810-25-000200")),
    )
    repo.add_items([item])
    (stored,) = list(repo.items_for_rematch())
    assert stored.published == datetime(2025, 9, 22, 13, 30, tzinfo=UTC)
    assert stored.published.utcoffset() == timedelta(0)
    assert stored == Item(**{**{f: getattr(item, f) for f in item.__slots__}, "published": stored.published})


def test_items_for_rematch_pages_through_everything_and_honours_since(repo: Repository) -> None:
    items = [make_item(f"https://example.org/{n}") for n in range(7)]
    repo.add_items(items)
    assert sorted(i.id for i in repo.items_for_rematch(batch_size=3)) == sorted(i.id for i in items)
    assert list(repo.items_for_rematch(since=datetime.now(UTC) + timedelta(hours=1))) == []
