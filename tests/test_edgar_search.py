"""EDGAR full-text search: pages stepped with `from`, hits de-duplicated on accession, capped ranges split."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
from filings_server import RoutedServer, Seen

from claimwatch.settings import Settings
from sources.edgar import EFTS_PAGE_SIZE, search_filings
from sources.ratelimit import RateLimiter

EFTS = Path(__file__).parent / "fixtures" / "edgar" / "efts"
FROM0 = (EFTS / "search_from0.json").read_bytes()
FROM100 = (EFTS / "search_from100.json").read_bytes()
CAPPED = (EFTS / "search_capped.json").read_bytes()


def paged(request: Seen):
    if request.path != "/LATEST/search-index":
        return None
    return 200, FROM100 if request.query["from"] == ["100"] else FROM0, "application/json"


async def collect(server: RoutedServer, since: date, until: date, **kwargs) -> list:
    settings = Settings(contact_email="ops@claimwatch.example", sec_efts_base=server.base_url, http_timeout=5)
    async with httpx.AsyncClient() as client:
        return [
            page
            async for page in search_filings(
                client, "OpenAI", since, until, settings=settings, limiter=RateLimiter(200, name="test SEC"), **kwargs
            )
        ]


async def test_pages_step_by_100_and_hits_are_deduplicated_on_accession():
    with RoutedServer(paged) as server:
        pages = await collect(server, date(2025, 9, 1), date(2025, 11, 30), forms=("8-K", "10-Q"))
    assert EFTS_PAGE_SIZE == 100
    assert [request.query["from"] for request in server.seen] == [["0"], ["100"]]
    assert [page.next_from for page in pages] == [100, 103] and [page.done for page in pages] == [False, True]
    accessions = [dict(item.extra)["accession"] for page in pages for item in page.items]
    assert len(accessions) == len(set(accessions)) == 101  # 103 hits: two repeat a filing already seen
    assert accessions[:2] == ["0001045810-25-000230", "0001045810-25-000228"]
    ten_q = pages[0].items[0]
    assert ten_q.title.startswith("NVIDIA CORP 10-Q") and ten_q.publisher == "NVIDIA CORP"
    assert ten_q.url == "https://www.sec.gov/Archives/edgar/data/1045810/000104581025000230/nvda-20251026.htm"
    assert 'matched "OpenAI"' in ten_q.summary
    query = server.seen[0].query
    assert query["q"] == ['"OpenAI"'] and query["forms"] == ["8-K,10-Q"] and query["dateRange"] == ["custom"]
    assert query["startdt"] == ["2025-09-01"] and query["enddt"] == ["2025-11-30"]
    assert server.seen[0].headers["user-agent"].endswith("ops@claimwatch.example")


async def test_a_range_at_the_10000_cap_is_split_until_each_half_fits():
    def route(request: Seen):
        low = date.fromisoformat(request.query["startdt"][0])
        high = date.fromisoformat(request.query["enddt"][0])
        if (high - low).days > 40:
            return 200, CAPPED, "application/json"
        return paged(request)

    with RoutedServer(route) as server:
        pages = await collect(server, date(2025, 9, 1), date(2025, 11, 30))
    ranges = [(r.query["startdt"][0], r.query["enddt"][0], r.query["from"][0]) for r in server.seen]
    assert ranges[0] == ("2025-09-01", "2025-11-30", "0")  # capped: split, this answer discarded
    assert ranges[1] == ("2025-09-01", "2025-10-16", "0")  # capped again
    assert ranges[2:4] == [("2025-09-01", "2025-09-23", "0"), ("2025-09-01", "2025-09-23", "100")]
    assert [(p.since, p.until) for p in pages][-1] == (date(2025, 11, 9), date(2025, 11, 30))
    assert [p.done for p in pages].count(True) == 1 and pages[-1].done
    # every slice returns the same fixture: across slices each accession is still reported once
    assert sum(len(page.items) for page in pages) == 101


async def test_resuming_a_checkpoint_continues_the_slice_then_the_rest_of_the_range():
    with RoutedServer(paged) as server:
        pages = await collect(server, date(2025, 9, 1), date(2025, 11, 30), start_from=100,
                              slice_until=date(2025, 10, 15))
    ranges = [(r.query["startdt"][0], r.query["enddt"][0], r.query["from"][0]) for r in server.seen]
    assert ranges == [
        ("2025-09-01", "2025-10-15", "100"),
        ("2025-10-16", "2025-11-30", "0"),
        ("2025-10-16", "2025-11-30", "100"),
    ]
    assert pages[-1].done and not pages[0].done
