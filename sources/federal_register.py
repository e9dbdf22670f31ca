"""The Federal Register API: rules, proclamations and notices as Items, page by page.

The API never returns (or even counts) more than 10,000 documents for one search: `count`
stops at the cap too, so a count at the cap means "possibly more" and the date range is
halved until every slice fits. Pages follow `next_page_url`; the maintainers ask for no
more than about 5 requests a second.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from bs4 import BeautifulSoup

from sources.errors import SourceError
from sources.http import RetryPolicy, fetch_url
from sources.item import Item, item_id_for
from sources.ratelimit import RateLimiter, shared_limiter

SOURCE_ID = "federal-register"
RESULT_CAP = 10_000
FIELDS = (
    "title", "abstract", "document_number", "html_url", "pdf_url", "publication_date", "type", "agencies",
    "signing_date", "effective_on", "executive_order_number", "proclamation_number", "presidential_document_type",
    "citation", "action", "excerpts",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RegisterPage:
    """One page of documents; resume with `start_url=next_url` and `slice_until=until` from `since`."""

    items: tuple[Item, ...]
    next_url: str  # "" when the slice has no further page
    done: bool  # True on the last page of the whole search
    since: date  # the date slice this page belongs to
    until: date
    count: int  # documents in the slice as the API counts them (at most RESULT_CAP)


def documents_url(
    base: str,
    *,
    since: date,
    until: date,
    term: str = "",
    agencies: Sequence[str] = (),
    types: Sequence[str] = (),
    per_page: int = 100,
) -> str:
    """The documents.json search URL for these conditions, newest first."""
    params: list[tuple[str, str]] = [("per_page", str(per_page)), ("order", "newest")]
    if term:
        params.append(("conditions[term]", term))
    params += [("conditions[agencies][]", agency) for agency in agencies]
    params += [("conditions[type][]", kind) for kind in types]
    params += [
        ("conditions[publication_date][gte]", since.isoformat()),
        ("conditions[publication_date][lte]", until.isoformat()),
    ]
    params += [("fields[]", field) for field in FIELDS]
    return f"{base.rstrip('/')}/api/v1/documents.json?{urlencode(params)}"


def _on_base(url: str, base: str) -> str:
    """Keep `next_page_url` on the configured host (a mirror or test server) rather than the one it names."""
    parts = urlsplit(url)
    return f"{base.rstrip('/')}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def parse_documents(data: Any) -> tuple[list[Item], str, int]:
    """(items, next page URL or "", count) from one documents.json answer."""
    if not isinstance(data, dict) or not isinstance(data.get("results", []), list):
        raise SourceError("malformed", "Federal Register answer has no results list", source_id=SOURCE_ID)
    items = []
    for document in data.get("results", []):
        url = str(document.get("html_url") or "")
        number = str(document.get("document_number") or "")
        if not url and not number:
            continue
        published = None
        try:
            day = date.fromisoformat(str(document.get("publication_date", ""))[:10])
            published = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        except ValueError:
            pass
        agencies = [a.get("name") or a.get("raw_name", "") for a in document.get("agencies") or [] if isinstance(a, dict)]
        extra = [("document_number", number), ("type", str(document.get("type") or ""))]
        for key in ("presidential_document_type", "executive_order_number", "proclamation_number",
                    "signing_date", "effective_on", "citation"):
            if document.get(key):
                extra.append((key, str(document[key])))
        if agencies:
            extra.append(("agencies", "; ".join(agencies)))
        items.append(
            Item(
                id=item_id_for(url, guid=f"federal-register:{number}"),
                title=str(document.get("title") or number).strip(),
                url=url,
                summary=_summary(document),
                published=published,
                source=SOURCE_ID,
                publisher="; ".join(agencies) or "Federal Register",
                extra=tuple(extra),
            )
        )
    return items, str(data.get("next_page_url") or ""), int(data.get("count") or 0)


def _summary(document: dict[str, Any]) -> str:
    # Presidential documents have no abstract; the search excerpt is then the only text we get.
    text = document.get("abstract") or document.get("excerpts") or ""
    return " ".join(BeautifulSoup(str(text), "html.parser").get_text(" ").split())


async def _fetch_json(client: httpx.AsyncClient, url: str, settings: Any, limiter: RateLimiter) -> Any:
    await limiter.acquire()
    try:
        response = await fetch_url(
            client,
            url,
            max_bytes=settings.max_response_bytes,
            headers={"User-Agent": settings.user_agent, "Accept": "application/json"},
            retry=RetryPolicy(attempts=3),
        )
    except SourceError as exc:
        exc.source_id = exc.source_id or SOURCE_ID
        raise
    try:
        return json.loads(response.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        kind = "not_a_feed" if response.body.lstrip()[:1] == b"<" else "malformed"
        raise SourceError(kind, "the Federal Register did not answer with JSON", source_id=SOURCE_ID) from None


async def search_documents(
    client: httpx.AsyncClient,
    *,
    settings: Any,
    since: date,
    until: date,
    term: str = "",
    agencies: Sequence[str] = (),
    types: Sequence[str] = (),
    per_page: int = 100,
    start_url: str = "",
    slice_until: date | None = None,
    limiter: RateLimiter | None = None,
) -> AsyncIterator[RegisterPage]:
    """Federal Register documents matching the conditions, one page at a time, newest first per slice.

    A slice whose count reaches the 10,000 cap is halved until it fits. To resume from a
    checkpoint `page`, call again with `since=page.since`, the original `until`,
    `start_url=page.next_url` and `slice_until=page.until`.
    """
    base = settings.federal_register_base
    limiter = limiter or shared_limiter("Federal Register", settings.federal_register_rate)
    first_until = min(slice_until or until, until)
    pending: list[tuple[date, date, str]] = [(since, first_until, start_url)]
    if first_until < until:
        pending.append((date.fromordinal(first_until.toordinal() + 1), until, ""))
    while pending:
        low, high, url = pending.pop(0)
        resumed = bool(url)
        url = _on_base(url, base) if url else documents_url(
            base, since=low, until=high, term=term, agencies=agencies, types=types, per_page=per_page
        )
        while url:
            items, next_url, count = parse_documents(await _fetch_json(client, url, settings, limiter))
            if not resumed and count >= RESULT_CAP and low < high:
                middle = date.fromordinal((low.toordinal() + high.toordinal()) // 2)
                pending[:0] = [(low, middle, ""), (date.fromordinal(middle.toordinal() + 1), high, "")]
                break  # the halves return these documents again, completely
            resumed = True
            yield RegisterPage(tuple(items), next_url, not next_url and not pending, low, high, count)
            url = _on_base(next_url, base) if next_url else ""
