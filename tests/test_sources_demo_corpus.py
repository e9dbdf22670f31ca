"""The bundled demo corpus parses cleanly when replayed, and carries the quirks the demo relies on."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from claimwatch.replay import ReplayServer
from sources import RetryPolicy, SourceSpec, fetch_feeds, make_client

CORPUS = Path(__file__).resolve().parent.parent / "claimwatch" / "demo_corpus"


@pytest.fixture
async def corpus_items():
    feeds = sorted(path.name for path in CORPUS.iterdir() if path.suffix in {".xml", ".rss", ".atom"})
    settings = SimpleNamespace(user_agent="claimwatch-tests/1", http_timeout=2.0, fetch_concurrency=4)
    with ReplayServer(CORPUS) as server:
        async with make_client(settings) as client:
            specs = [SourceSpec(id=f"demo-{Path(name).stem}", url=server.url(name)) for name in feeds]
            outcomes = await fetch_feeds(client, specs, max_bytes=1_000_000, retry=RetryPolicy(attempts=1))
    assert [outcome.error for outcome in outcomes] == [None] * len(feeds)
    return {outcome.source_id: outcome.items for outcome in outcomes}


async def test_every_demo_feed_parses_into_items_in_the_demo_window(corpus_items):
    assert len(corpus_items) >= 3
    dated = [item.published for items in corpus_items.values() for item in items if item.published]
    assert all(datetime(2025, 9, 1, tzinfo=timezone.utc) <= when < datetime(2027, 1, 1, tzinfo=timezone.utc) for when in dated)
    everything = [item for items in corpus_items.values() for item in items]
    assert any(item.published is None for item in everything)
    assert all("<" not in item.title and "&amp;" not in item.title for item in everything)
    assert all("utm_" not in item.url for item in everything)


async def test_the_ten_gigawatt_story_appears_in_more_than_one_feed(corpus_items):
    carrying = {
        source
        for source, items in corpus_items.items()
        for item in items
        if "10 gigawatts" in item.title.lower() and "nvidia" in item.title.lower()
    }

    assert len(carrying) >= 2


async def test_google_news_demo_items_name_their_publishers(corpus_items):
    google = [item for source, items in corpus_items.items() if "google-news" in source for item in items]

    assert google and all(item.publisher for item in google)
    assert not any(item.title.endswith((" - Reuters", " - CNBC")) for item in google)
