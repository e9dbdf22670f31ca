"""Feed parsing and fetching, against recorded fixtures served from 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from claimwatch.replay import ReplayServer
from sources import (
    FetchState,
    Item,
    RetryPolicy,
    SourceError,
    SourceSpec,
    canonical_url,
    fetch_feed,
    fetch_feeds,
    html_to_text,
    item_id_for,
    make_client,
    parse_feed,
)

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
NO_RETRY = RetryPolicy(attempts=1)


@pytest.fixture
def server():
    with ReplayServer(FIXTURES) as replay:
        yield replay


@pytest.fixture
async def client():
    settings = SimpleNamespace(user_agent="claimwatch-tests/1 (+tests@example.org)", http_timeout=2.0, fetch_concurrency=4)
    async with make_client(settings) as http:
        yield http


async def fetch_items(client: httpx.AsyncClient, server: ReplayServer, name: str) -> list[Item]:
    outcome = await fetch_feed(client, SourceSpec(id=name, url=server.url(name)), max_bytes=1_000_000, retry=NO_RETRY)
    assert outcome.status == "ok", outcome.error
    return list(outcome.items)


def by_title(items: list[Item], start: str) -> Item:
    return next(item for item in items if item.title.startswith(start))


async def test_rss_entries_become_clean_items_with_utc_dates(client, server):
    items = await fetch_items(client, server, "nvidia_newsroom.xml")

    assert len(items) == 4
    partnership = by_title(items, "OpenAI and NVIDIA Announce")
    assert partnership.url == (
        "https://nvidianews.nvidia.com/news/"
        "openai-and-nvidia-announce-strategic-partnership-to-deploy-10gw-of-nvidia-systems"
    )
    assert partnership.published == datetime(2025, 9, 22, 16, 5, tzinfo=timezone.utc)  # 09:05 -0700
    assert partnership.publisher == "NVIDIA Newsroom"  # the feed's own title when entries name no publisher
    assert partnership.source == "nvidia_newsroom.xml"
    assert partnership.id == item_id_for(partnership.url, "nvidia-release-2025-09-22-openai")
    assert "up to $100 billion in OpenAI" in partnership.summary
    assert "Vera Rubin platform" in partnership.summary
    assert "dataLayer" not in partnership.summary and "margin" not in partnership.summary
    assert "<" not in partnership.summary and "  " not in partnership.summary


async def test_html_and_entities_in_titles_are_decoded_and_stripped(client, server):
    items = await fetch_items(client, server, "nvidia_newsroom.xml")

    results = by_title(items, "NVIDIA Announces Financial Results")
    assert results.title == "NVIDIA Announces Financial Results for Third Quarter Fiscal 2026 & NVIDIA\u2019s Outlook"
    # utm_source and fbclid go, the meaningful lang parameter stays
    assert results.url.endswith("third-quarter-fiscal-2026?lang=en")


async def test_entry_without_a_date_has_no_published_time(client, server):
    items = await fetch_items(client, server, "nvidia_newsroom.xml")

    assert by_title(items, "NVIDIA to Host Investor Day").published is None


async def test_titles_with_a_dash_are_not_split_outside_google_news(client, server):
    items = await fetch_items(client, server, "nvidia_newsroom.xml")

    blackwell = by_title(items, "NVIDIA Blackwell Ultra")
    assert blackwell.title == "NVIDIA Blackwell Ultra - Now Shipping to Cloud Providers Worldwide"
    assert blackwell.url == server.url("news/blackwell-ultra-now-shipping")  # relative link resolved against the feed


async def test_atom_entries_use_updated_dates_and_resolve_links_against_xml_base(client, server):
    items = await fetch_items(client, server, "openai_news_atom.xml")

    assert [item.publisher for item in items] == ["OpenAI News"] * 3
    nvidia = by_title(items, "OpenAI and NVIDIA announce")
    assert nvidia.title == "OpenAI and NVIDIA announce strategic partnership to deploy 10 gigawatts of NVIDIA systems"
    assert nvidia.url == "https://openai.com/index/openai-nvidia-systems-partnership/"
    assert nvidia.published == datetime(2025, 9, 22, 16, 10, tzinfo=timezone.utc)
    assert nvidia.summary.startswith("A letter of intent")
    amd = by_title(items, "AMD and OpenAI")
    assert amd.url == "https://openai.com/index/openai-amd-strategic-partnership/"  # entry-level xml:base
    assert amd.published == datetime(2025, 10, 6, 13, 0, tzinfo=timezone.utc)
    assert "AMD Instinct MI450" in amd.summary  # xhtml <content> when there is no summary


async def test_google_news_titles_lose_the_publisher_suffix_and_keep_redirect_links(client, server):
    items = await fetch_items(client, server, "google_news_h1b.xml")

    reuters = by_title(items, "Trump signs proclamation")
    assert reuters.title == "Trump signs proclamation imposing $100,000 fee on H-1B visas"
    assert reuters.publisher == "Reuters"
    assert reuters.url.startswith("https://news.google.com/rss/articles/CBMi")
    assert ("publisher_url", "https://www.reuters.com") in reuters.extra
    assert reuters.published == datetime(2025, 9, 19, 22, 41, tzinfo=timezone.utc)
    assert reuters.summary == ""  # the description only echoed the headline and publisher

    ap = by_title(items, "White House says")
    assert ap.title == "White House says $100,000 H-1B fee is one-time - applies to new petitions only"
    assert ap.publisher == "The Associated Press"
    assert "Leavitt clarifies H-1B fee does not apply to renewals" in ap.summary  # the cluster's other headlines

    cnbc = by_title(items, "US Chamber of Commerce")
    assert cnbc.publisher == "CNBC"  # no <source>, but Google News always appends the publisher
    assert cnbc.title == "US Chamber of Commerce sues over $100,000 H\u20111B fee & proclamation"

    blog = by_title(items, "H-1B fee: what start-ups")
    assert blog.title == "H-1B fee: what start-ups should do next - a lawyer's view"
    assert blog.publisher == "blog.example-immigration.com"


async def test_the_same_story_in_two_feeds_keeps_the_same_headline(client, server):
    newsroom = by_title(await fetch_items(client, server, "nvidia_newsroom.xml"), "OpenAI and NVIDIA")
    openai = by_title(await fetch_items(client, server, "openai_news_atom.xml"), "OpenAI and NVIDIA")

    assert newsroom.title.casefold() == openai.title.casefold()
    assert newsroom.id != openai.id  # different URLs: clustering the story is the matchers' job


async def test_a_broken_feed_that_still_has_entries_keeps_them(client, server):
    items = await fetch_items(client, server, "bozo_with_entries.xml")

    assert [item.title for item in items] == ["US grants NVIDIA licences to sell H20 chips to China"]


def test_parse_feed_names_html_pages_and_malformed_documents():
    with pytest.raises(SourceError) as html_page:
        parse_feed((FIXTURES / "not_a_feed.html").read_bytes(), source_id="x", base_url="https://example.org/")
    with pytest.raises(SourceError) as broken:
        parse_feed((FIXTURES / "malformed.xml").read_bytes(), source_id="x", base_url="https://example.org/")

    assert html_page.value.kind == "not_a_feed"
    assert broken.value.kind == "malformed"
    assert "not a valid RSS or Atom feed" in broken.value.message


def test_an_empty_but_valid_feed_has_no_items():
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'

    assert parse_feed(body, source_id="quiet", base_url="https://example.org/feed") == []


def test_canonical_url_drops_tracking_fragments_and_default_ports():
    assert (
        canonical_url("HTTPS://Example.COM:443/a/b?utm_source=x&id=7&UTM_Medium=y&gclid=z#top")
        == "https://example.com/a/b?id=7"
    )
    assert canonical_url("../story?mc_cid=1", "http://example.com:8080/news/feed.xml") == "http://example.com:8080/story"
    assert canonical_url("https://example.com") == "https://example.com/"


def test_summaries_are_capped_at_a_word_boundary():
    text = html_to_text("<p>" + "gigawatt " * 400 + "</p>", max_chars=200)

    assert len(text) <= 200
    assert text.endswith("gigawatt…")


async def test_second_fetch_is_conditional_and_reports_not_modified(client, server):
    spec = SourceSpec(id="nvidia", url=server.url("nvidia_newsroom.xml"))

    first = await fetch_feed(client, spec, FetchState(), max_bytes=1_000_000, retry=NO_RETRY)
    second = await fetch_feed(client, spec, first.state, max_bytes=1_000_000, retry=NO_RETRY)

    assert first.status == "ok" and first.state.etag and first.state.last_modified
    assert second.status == "not_modified"
    assert second.items == ()
    assert second.state == first.state
    conditional = server.requests_for("nvidia_newsroom.xml")[-1]
    assert conditional.headers["if-none-match"] == first.state.etag
    assert conditional.headers["if-modified-since"] == first.state.last_modified
    assert conditional.status == 304


async def test_only_last_modified_is_enough_for_a_304(client, server):
    spec = SourceSpec(id="atom", url=server.url("openai_news_atom.xml"))
    first = await fetch_feed(client, spec, max_bytes=1_000_000, retry=NO_RETRY)

    second = await fetch_feed(client, spec, FetchState(last_modified=first.state.last_modified), max_bytes=1_000_000)

    assert second.status == "not_modified"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_each_bad_source_fails_in_its_own_named_way_while_the_others_succeed(client, server):
    specs = [
        SourceSpec(id="good-rss", url=server.url("nvidia_newsroom.xml")),
        SourceSpec(id="malformed", url=server.url("malformed.xml")),
        SourceSpec(id="html", url=server.url("not_a_feed.html")),
        SourceSpec(id="server-error", url=server.url("_fault/status/500")),
        SourceSpec(id="missing", url=server.url("no_such_feed.xml")),
        SourceSpec(id="slow", url=server.url("_fault/slow?seconds=5")),
        SourceSpec(id="huge", url=server.url("_fault/huge?bytes=300000&nolength=1")),
        SourceSpec(id="refused", url=f"http://127.0.0.1:{_closed_port()}/feed.xml"),
        SourceSpec(id="loop", url=server.url("_fault/redirect-loop")),
        SourceSpec(id="good-atom", url=server.url("openai_news_atom.xml")),
    ]

    started = asyncio.get_running_loop().time()
    outcomes = await asyncio.gather(
        *(
            # only the slow route gets a tiny timeout: a loaded CI machine must not time the others out
            fetch_feed(client, spec, max_bytes=100_000, timeout=0.5 if spec.id == "slow" else 5, retry=NO_RETRY)
            for spec in specs
        )
    )
    took = asyncio.get_running_loop().time() - started

    kinds = {outcome.source_id: (outcome.status, outcome.error_kind) for outcome in outcomes}
    assert kinds == {
        "good-rss": ("ok", None),
        "malformed": ("error", "malformed"),
        "html": ("error", "not_a_feed"),
        "server-error": ("error", "http_status"),
        "missing": ("error", "http_status"),
        "slow": ("error", "timeout"),
        "huge": ("error", "too_large"),
        "refused": ("error", "network"),
        "loop": ("error", "too_many_redirects"),
        "good-atom": ("ok", None),
    }
    messages = {outcome.source_id: outcome.error for outcome in outcomes}
    assert messages["server-error"] == "server error (500)"
    assert messages["missing"] == "not found (404)"
    assert messages["slow"] == "network timeout after 0.5 s"
    assert messages["huge"] == "response body larger than 0.1 MB"
    assert messages["refused"] == "connection refused"
    assert took < 4.5  # nobody waited for the slow route to answer


async def test_fetch_feeds_skips_disabled_and_non_feed_sources(client, server):
    specs = [
        SourceSpec(id="on", url=server.url("openai_news_atom.xml")),
        SourceSpec(id="off", url=server.url("nvidia_newsroom.xml"), enabled=False),
        SourceSpec(id="edgar", url=server.url("nvidia_newsroom.xml"), kind="edgar"),
    ]

    outcomes = await fetch_feeds(client, specs, max_bytes=1_000_000, concurrency=2, retry=NO_RETRY)

    assert [outcome.source_id for outcome in outcomes] == ["on"]
    assert server.requests_for("nvidia_newsroom.xml") == []


async def test_gzip_bodies_are_decoded(client, server):
    items = await fetch_items(client, server, "google_news_h1b.xml")

    assert len(items) == 4
    assert server.requests_for("google_news_h1b.xml")[-1].content_encoding == "gzip"


def test_an_entity_expansion_bomb_is_never_expanded() -> None:
    """A hostile feed declaring nested entities (a "billion laughs") must not blow up memory or time."""
    import time

    started = time.perf_counter()
    items = parse_feed((FIXTURES / "entity_bomb.xml").read_bytes(), source_id="bomb", base_url="https://example.com/")
    assert time.perf_counter() - started < 1.0
    assert all(len(item.title) < 100 and len(item.summary) < 100 for item in items)
