"""SEC EDGAR filings: submissions and Atom listings become accession-keyed Items with exhibit text."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from filings_server import RoutedServer, Seen

from claimwatch.replay import ReplayServer
from claimwatch.settings import Settings
from sources.edgar import (
    fetch_company_atom,
    fetch_company_filings,
    fetch_filing_items,
    fetch_filing_text,
    fetch_sec,
    sec_user_agent,
)
from sources.errors import SourceError
from sources.ratelimit import RateLimiter

FIXTURES = Path(__file__).parent / "fixtures" / "edgar"
NVIDIA = "0001045810"
CONTACT = "ops@claimwatch.example"


def sec_settings(base_url: str, **overrides: object) -> Settings:
    """Settings pointing every SEC host at one local server."""
    values = {
        "contact_email": CONTACT,
        "sec_data_base": base_url,
        "sec_www_base": base_url,
        "sec_efts_base": base_url,
        "http_timeout": 5.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def replay():
    with ReplayServer(FIXTURES) as server:
        yield server


@pytest.fixture
def fast_limiter() -> RateLimiter:
    """A private limiter so tests neither wait at 5 req/s nor share the process-wide cool-down."""
    return RateLimiter(200, cooldown=0.2, name="test SEC")


async def test_submissions_become_items_keyed_on_the_accession_number(replay, fast_limiter):
    settings = sec_settings(replay.base_url)
    async with httpx.AsyncClient() as client:
        filings = await fetch_company_filings(
            client, NVIDIA, settings=settings, since=date(2025, 8, 1), limiter=fast_limiter
        )
    assert [f.accession for f in filings] == [
        "0001045810-25-000230",  # 10-Q
        "0001045810-25-000228",  # 8-K, same day
        "0001045810-25-000215",
        "0001045810-25-000190",
    ]  # the Form 4 is not a watched form and May's 8-K is before `since`
    ten_q = filings[0].to_item()
    assert ten_q.url == "https://www.sec.gov/Archives/edgar/data/1045810/000104581025000230/nvda-20251026.htm"
    extra = dict(ten_q.extra)
    assert extra["form"] == "10-Q" and extra["accession"] == "0001045810-25-000230"
    assert extra["cik"] == "1045810" and extra["company"] == "NVIDIA CORP" and extra["filing_date"] == "2025-11-19"
    assert ten_q.published is not None and ten_q.published.isoformat() == "2025-11-19T00:00:00+00:00"
    eight_k = filings[2].to_item()
    assert "Item 1.01 Entry into a Material Definitive Agreement" in eight_k.title
    assert len({f.to_item().id for f in filings}) == 4
    request = replay.requests_for(f"/submissions/CIK{NVIDIA}.json")[0]
    assert request.headers["user-agent"].endswith(f" {CONTACT}")
    assert request.headers["user-agent"].startswith("claimwatch/")
    assert "gzip" in request.headers["accept-encoding"] and request.content_encoding == "gzip"


async def test_atom_feed_is_decoded_as_latin1_and_keyed_on_accession_not_title(replay, fast_limiter):
    settings = sec_settings(replay.base_url)
    async with httpx.AsyncClient() as client:
        filings = await fetch_company_atom(client, NVIDIA, settings=settings, limiter=fast_limiter)
        submissions = await fetch_company_filings(client, NVIDIA, settings=settings, limiter=fast_limiter)
    assert [f.accession for f in filings] == [
        "0001045810-25-000228",
        "0001045810-25-000215",
        "0001045810-25-000190",
    ]
    items = [f.to_item() for f in filings]
    assert len({item.id for item in items}) == 3  # every entry is titled "8-K - Current report"
    assert "Entry into a Material Definitive Agreement · letter of intent with OpenAI" in items[1].summary
    assert items[1].url.endswith("/000104581025000215/0001045810-25-000215-index.htm")
    # The same filing found through the submissions JSON gets the same id.
    by_accession = {f.accession: f.to_item().id for f in submissions}
    assert items[0].id == by_accession["0001045810-25-000228"]
    query = replay.requests_for("/cgi-bin/browse-edgar")[0].path
    assert "action=getcompany" in query and "CIK=0001045810" in query and "output=atom" in query


async def test_eight_k_summary_is_the_press_release_exhibit_found_through_the_filing_index(replay, fast_limiter):
    settings = sec_settings(replay.base_url)
    async with httpx.AsyncClient() as client:
        filings = await fetch_company_filings(client, NVIDIA, settings=settings, limiter=fast_limiter)
        earnings = next(f for f in filings if f.accession == "0001045810-25-000228")
        text = await fetch_filing_text(client, earnings, settings=settings, keywords=("OpenAI",), limiter=fast_limiter)
    assert text.startswith("NVIDIA Announces Financial Results for Third Quarter Fiscal 2026")
    assert "deploy at least 10 gigawatts of NVIDIA systems" in text
    assert "have not yet entered into definitive agreements" in text
    assert replay.requests_for("/Archives/edgar/data/1045810/000104581025000228/q3fy26pr.htm")
    assert not replay.requests_for("/Archives/edgar/data/1045810/000104581025000228/nvda-20251119.htm")


async def test_exhibit_is_found_in_the_folder_listing_when_the_index_page_is_missing(replay, fast_limiter):
    settings = sec_settings(replay.base_url)
    async with httpx.AsyncClient() as client:
        filings = await fetch_company_filings(client, NVIDIA, settings=settings, limiter=fast_limiter)
        letter = next(f for f in filings if f.accession == "0001045810-25-000215")
        text = await fetch_filing_text(client, letter, settings=settings, limiter=fast_limiter)
    assert "NVIDIA intends to invest up to $100 billion in OpenAI" in text
    assert replay.requests_for("/Archives/edgar/data/1045810/000104581025000215/index.json")


async def test_ten_q_summary_holds_risk_factors_and_mdna_not_the_table_of_contents(replay, fast_limiter):
    settings = sec_settings(replay.base_url)
    async with httpx.AsyncClient() as client:
        filings = await fetch_company_filings(client, NVIDIA, settings=settings, forms=("10-Q",), limiter=fast_limiter)
        text = await fetch_filing_text(client, filings[0], settings=settings, keywords=("OpenAI",), limiter=fast_limiter)
    assert "Risk Factors:" in text and "Management's Discussion and Analysis:" in text
    assert "there is no assurance that we will enter into definitive agreements with respect to the openai" in text.lower()
    assert "HiddenFactText" not in text and "57,006" not in text  # hidden XBRL header and financial tables


async def test_long_sections_keep_only_paragraphs_that_name_a_keyword(replay, fast_limiter):
    settings = sec_settings(replay.base_url)
    async with httpx.AsyncClient() as client:
        filings = await fetch_company_filings(client, NVIDIA, settings=settings, forms=("10-Q",), limiter=fast_limiter)
        text = await fetch_filing_text(
            client, filings[0], settings=settings, keywords=("OpenAI",), limiter=fast_limiter, max_chars=1200
        )
    assert len(text) <= 1200
    assert "no assurance that we will enter into definitive agreements" in text
    assert "H20" not in text  # the export-control risk factor names no keyword


async def test_filing_items_carry_their_text_as_summary(replay, fast_limiter):
    settings = sec_settings(replay.base_url)
    async with httpx.AsyncClient() as client:
        items = await fetch_filing_items(
            client, NVIDIA, settings=settings, since=date(2025, 11, 1), keywords=("OpenAI",), limiter=fast_limiter
        )
    assert [dict(item.extra)["form"] for item in items] == ["10-Q", "8-K"]
    assert all("OpenAI" in item.summary for item in items)


async def test_missing_contact_email_is_a_config_error_and_nothing_is_sent(replay, fast_limiter):
    settings = sec_settings(replay.base_url, contact_email="")
    async with httpx.AsyncClient() as client:
        with pytest.raises(SourceError) as caught:
            await fetch_company_filings(client, NVIDIA, settings=settings, limiter=fast_limiter)
    assert caught.value.kind == "config"
    assert "CLAIMWATCH_CONTACT_EMAIL" in caught.value.message
    assert replay.requests == []
    with pytest.raises(SourceError, match="contact e-mail"):
        sec_user_agent(Settings(contact_email="not-an-address"))


async def test_threshold_page_starts_a_cooldown_instead_of_a_retry():
    blocked = {"yes": True}
    page = (FIXTURES / "threshold_403.html").read_bytes()
    submissions = (FIXTURES / "submissions" / f"CIK{NVIDIA}.json").read_bytes()

    def route(request: Seen):
        if blocked.pop("yes", False):
            return 403, page, "text/html"
        return 200, submissions, "application/json"

    limiter = RateLimiter(50, cooldown=0.5, name="test SEC")
    with RoutedServer(route) as server:
        settings = sec_settings(server.base_url)
        url = f"{server.base_url}/submissions/CIK{NVIDIA}.json"
        async with httpx.AsyncClient() as client:
            with pytest.raises(SourceError) as caught:
                await fetch_sec(client, url, settings=settings, limiter=limiter)
            assert caught.value.kind == "rate_limited" and caught.value.http_status == 403
            assert len(server.seen) == 1  # no retry into a longer block
            blocked_at = server.seen[0].at
            began = time.monotonic()
            body = await fetch_sec(client, url, settings=settings, limiter=limiter)
        assert body == submissions
        assert time.monotonic() - began >= 0.45
        assert server.seen[1].at - blocked_at >= 0.45


async def test_an_ordinary_403_is_an_http_error_without_cooldown():
    def route(request: Seen):
        return 403, b"<html><body>Access Denied</body></html>", "text/html"

    limiter = RateLimiter(50, cooldown=30, name="test SEC")
    with RoutedServer(route) as server:
        async with httpx.AsyncClient() as client:
            with pytest.raises(SourceError) as caught:
                await fetch_sec(client, f"{server.base_url}/x.json", settings=sec_settings(server.base_url),
                                limiter=limiter)
    assert caught.value.kind == "http_status" and caught.value.http_status == 403
    assert limiter.cooldown_remaining() == 0


async def test_concurrent_sec_requests_never_exceed_the_configured_rate_at_the_server():
    import asyncio

    submissions = (FIXTURES / "submissions" / f"CIK{NVIDIA}.json").read_bytes()
    limiter = RateLimiter(10, max_rate=10, cooldown=1, name="test SEC")
    with RoutedServer(lambda request: (200, submissions, "application/json")) as server:
        settings = sec_settings(server.base_url)
        url = f"{server.base_url}/submissions/CIK{NVIDIA}.json"
        async with httpx.AsyncClient() as client:
            began = time.monotonic()
            await asyncio.gather(*(fetch_sec(client, url, settings=settings, limiter=limiter) for _ in range(21)))
            elapsed = time.monotonic() - began
    arrivals = sorted(request.at for request in server.seen)
    assert len(arrivals) == 21
    for first in arrivals:
        assert sum(1 for t in arrivals if first <= t < first + 1.0) <= 10
    assert 1.9 <= elapsed < 3.5  # paced, not serialised behind some longer wait
