"""Federal Register documents: query conditions, next_page_url paging, the 10,000 cap, Items."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
from filings_server import RoutedServer, Seen

from claimwatch.settings import Settings
from sources.federal_register import RESULT_CAP, search_documents
from sources.item import item_id_for
from sources.ratelimit import RateLimiter

FIXTURES = Path(__file__).parent / "fixtures" / "federal_register"
PAGE1 = (FIXTURES / "documents_page1.json").read_bytes()
PAGE2 = (FIXTURES / "documents_page2.json").read_bytes()
CAPPED = (FIXTURES / "documents_capped.json").read_bytes()


def paged(request: Seen):
    if request.path != "/api/v1/documents.json":
        return None
    return 200, PAGE2 if request.query.get("page") == ["2"] else PAGE1, "application/json"


async def collect(server: RoutedServer, **kwargs) -> list:
    settings = Settings(federal_register_base=server.base_url, http_timeout=5)
    async with httpx.AsyncClient() as client:
        return [page async for page in search_documents(client, settings=settings,
                                                        limiter=RateLimiter(200, name="test FR"), **kwargs)]


async def test_pages_follow_next_page_url_on_the_configured_host():
    with RoutedServer(paged) as server:
        pages = await collect(server, since=date(2025, 1, 1), until=date(2025, 12, 31), term="H-1B",
                              agencies=("u-s-citizenship-and-immigration-services", "homeland-security-department"),
                              types=("PRESDOCU", "RULE"))
    assert [len(page.items) for page in pages] == [2, 1]
    assert [page.done for page in pages] == [False, True]
    assert pages[0].next_url.endswith("&page=2") and pages[1].next_url == ""
    first = server.seen[0].query
    assert first["conditions[term]"] == ["H-1B"]
    assert first["conditions[agencies][]"] == ["u-s-citizenship-and-immigration-services", "homeland-security-department"]
    assert first["conditions[type][]"] == ["PRESDOCU", "RULE"]
    assert first["conditions[publication_date][gte]"] == ["2025-01-01"]
    assert first["conditions[publication_date][lte]"] == ["2025-12-31"]
    assert first["order"] == ["newest"] and "abstract" in first["fields[]"] and "html_url" in first["fields[]"]
    assert server.seen[1].query["page"] == ["2"]


async def test_documents_become_items_with_agencies_date_and_text():
    with RoutedServer(paged) as server:
        pages = await collect(server, since=date(2025, 1, 1), until=date(2025, 12, 31), term="H-1B")
    items = [item for page in pages for item in page.items]
    proclamation, proposed, rule = items
    assert proclamation.title == "Restriction on Entry of Certain Nonimmigrant Workers"
    assert proclamation.id == item_id_for(proclamation.url)
    assert proclamation.url.endswith("/2025-18473/restriction-on-entry-of-certain-nonimmigrant-workers")
    assert proclamation.publisher == "Executive Office of the President"
    assert proclamation.published is not None and proclamation.published.isoformat() == "2025-09-24T00:00:00+00:00"
    assert "$100,000 payment" in proclamation.summary and "<span" not in proclamation.summary
    extra = dict(proclamation.extra)
    assert extra["proclamation_number"] == "10973" and extra["presidential_document_type"] == "proclamation"
    assert proposed.publisher == "Homeland Security Department; U.S. Citizenship and Immigration Services"
    assert rule.publisher == "Commerce Department; Industry and Security Bureau"
    assert "advanced computing integrated circuits" in rule.summary
    assert dict(rule.extra)["type"] == "Rule"


async def test_a_range_at_the_10000_cap_is_split_in_halves_until_each_fits():
    def route(request: Seen):
        low = date.fromisoformat(request.query["conditions[publication_date][gte]"][0])
        high = date.fromisoformat(request.query["conditions[publication_date][lte]"][0])
        if (high - low).days > 200:
            return 200, CAPPED, "application/json"
        return 200, PAGE2, "application/json"  # one page, no next_page_url

    with RoutedServer(route) as server:
        pages = await collect(server, since=date(2025, 1, 1), until=date(2025, 12, 31))
    assert RESULT_CAP == 10_000
    slices = [(page.since, page.until) for page in pages]
    assert slices == [(date(2025, 1, 1), date(2025, 7, 2)), (date(2025, 7, 3), date(2025, 12, 31))]
    assert [page.done for page in pages] == [False, True]
    assert len(server.seen) == 3  # the capped answer, then each half once


async def test_resuming_from_a_checkpoint_fetches_only_what_was_left():
    with RoutedServer(paged) as server:
        first = (await collect(server, since=date(2025, 1, 1), until=date(2025, 12, 31), term="H-1B"))[0]
        server.seen.clear()
        rest = await collect(server, since=first.since, until=date(2025, 12, 31), term="H-1B",
                             start_url=first.next_url, slice_until=first.until)
    assert [len(page.items) for page in rest] == [1] and rest[0].done
    assert [request.query.get("page") for request in server.seen] == [["2"]]
