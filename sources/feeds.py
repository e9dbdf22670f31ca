"""RSS and Atom feeds: fetch them politely and normalise their entries into `Item` values."""

from __future__ import annotations

import asyncio
import calendar
import html
import io
import re
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import httpx
from bs4 import BeautifulSoup

from sources.catalog import FetchOutcome, FetchState, SourceSpec
from sources.errors import SourceError
from sources.http import HostLimiter, RetryPolicy, fetch_url
from sources.item import Item, item_id_for

SUMMARY_MAX_CHARS = 2000
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"

# Query parameters that identify a campaign or a click, never the document.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "mkt_tok", "_hsenc", "_hsmi", "hsctatracking", "ocid", "cmpid", "srsltid",
        "_ga", "_gl", "oly_enc_id", "oly_anon_id", "vero_id", "wickedid", "rb_clickid", "s_cid", "spm",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_")
# feedparser flags these on perfectly readable feeds (no or odd Content-Type, charset mismatch).
_BENIGN_BOZO = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
_WHITESPACE = re.compile(r"\s+")
# Greedy headline: the publisher is whatever follows the LAST " - " (publisher names may hold hyphens).
_PUBLISHER_SUFFIX = re.compile(r"^(?P<headline>.+)\s[-\u2013\u2014|]\s(?P<publisher>\S.*?)\s*$")
_DOMAIN_LIKE = re.compile(r"^[\w-]+(\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)


def parse_feed(body: bytes, *, source_id: str, base_url: str) -> list[Item]:
    """Parse an RSS/Atom document into normalised items; raise `SourceError` (not_a_feed, malformed) otherwise."""
    try:
        # A stream, never bytes or str: feedparser would treat a short string as a path or URL to open.
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers={"content-location": base_url},
            sanitize_html=True,
            resolve_relative_uris=True,
        )
    except Exception as exc:  # feedparser's own bugs on hostile input still mean "not parseable"
        raise SourceError("malformed", f"the feed could not be parsed ({type(exc).__name__})") from None

    entries = parsed.get("entries") or []
    if not entries:
        if _looks_like_html(body):
            raise SourceError("not_a_feed", "the server returned an HTML page instead of a feed")
        problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
        if not parsed.get("version") or (problem is not None and not isinstance(problem, _BENIGN_BOZO)):
            reason = _bozo_reason(problem)
            raise SourceError("malformed", f"the document is not a valid RSS or Atom feed{reason}")
        return []  # a well-formed feed that is simply empty today

    feed_title = _text(parsed.get("feed", {}).get("title", ""))
    google_news = _is_google_news(base_url) or _is_google_news(parsed.get("feed", {}).get("link", ""))
    items: list[Item] = []
    seen: set[str] = set()
    for entry in entries:
        item = _entry_item(
            entry, source_id=source_id, base_url=base_url, feed_title=feed_title, google_news=google_news
        )
        if item is not None and item.id not in seen:
            seen.add(item.id)
            items.append(item)
    return items


async def fetch_feed(
    client: httpx.AsyncClient,
    spec: SourceSpec,
    state: FetchState | None = None,
    *,
    max_bytes: int,
    timeout: float | None = None,
    retry: RetryPolicy | None = None,
    limiter: HostLimiter | None = None,
) -> FetchOutcome:
    """Fetch and parse one feed; source problems come back as an "error" outcome, never as an exception."""
    state = state or FetchState()
    started = time.monotonic()
    try:
        response = await fetch_url(
            client,
            spec.url,
            max_bytes=max_bytes,
            etag=state.etag,
            last_modified=state.last_modified,
            headers={"Accept": FEED_ACCEPT},
            timeout=timeout,
            retry=retry,
            limiter=limiter,
        )
        if response.not_modified:
            new_state = FetchState(response.etag or state.etag, response.last_modified or state.last_modified)
            return FetchOutcome(spec.id, "not_modified", (), new_state, http_status=304, elapsed_s=_since(started))
        items = parse_feed(response.body, source_id=spec.id, base_url=response.url)
    except SourceError as exc:
        return FetchOutcome(
            spec.id,
            "error",
            (),
            state,  # keep the old validators: the next run can still ask conditionally
            error_kind=exc.kind,
            error=exc.message,
            http_status=exc.http_status,
            elapsed_s=_since(started),
        )
    return FetchOutcome(
        spec.id,
        "ok",
        tuple(items),
        FetchState(response.etag, response.last_modified),
        http_status=response.status,
        elapsed_s=_since(started),
    )


async def fetch_feeds(
    client: httpx.AsyncClient,
    specs: Iterable[SourceSpec],
    states: Mapping[str, FetchState] | None = None,
    *,
    max_bytes: int,
    concurrency: int = 8,
    timeout: float | None = None,
    retry: RetryPolicy | None = None,
    limiter: HostLimiter | None = None,
) -> list[FetchOutcome]:
    """Fetch every enabled feed source concurrently (at most `concurrency` at once), in the order given."""
    states = states or {}
    gate = asyncio.Semaphore(concurrency)

    async def one(spec: SourceSpec) -> FetchOutcome:
        async with gate:
            return await fetch_feed(
                client, spec, states.get(spec.id), max_bytes=max_bytes, timeout=timeout, retry=retry, limiter=limiter
            )

    chosen = [spec for spec in specs if spec.enabled and spec.kind == "feed"]
    return list(await asyncio.gather(*(one(spec) for spec in chosen)))


def canonical_url(url: str, base_url: str = "") -> str:
    """The URL that identifies a story: absolute, lower-case host, no fragment, no tracking parameters."""
    url = html.unescape(url.strip())
    if base_url:
        url = urljoin(base_url, url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower()
    if parts.port and not (parts.scheme, parts.port) in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in _TRACKING_PARAMS and not key.lower().startswith(_TRACKING_PREFIXES)
    ]
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", urlencode(query, doseq=True), ""))


def html_to_text(markup: str, *, max_chars: int = SUMMARY_MAX_CHARS) -> str:
    """Readable text from an HTML fragment: no scripts or styles, whitespace collapsed, capped at `max_chars`."""
    if not markup:
        return ""
    if "<" in markup:
        soup = BeautifulSoup(markup, "html.parser")
        for tag in soup(["script", "style", "noscript", "template"]):
            tag.decompose()
        text = soup.get_text(" ")
    else:
        text = markup
    text = _WHITESPACE.sub(" ", html.unescape(text)).strip()
    if len(text) > max_chars:
        cut = text[: max_chars - 1]
        space = cut.rfind(" ")
        text = (cut[:space] if space > max_chars * 0.8 else cut).rstrip(" ,;:") + "…"
    return text


def _entry_item(
    entry: Any, *, source_id: str, base_url: str, feed_title: str, google_news: bool
) -> Item | None:
    title = _text(entry.get("title", ""))
    guid = str(entry.get("id") or "").strip()
    link = entry.get("link") or ""
    if not link and guid.startswith(("http://", "https://")):
        link = guid
    # Google News links are news.google.com/rss/articles/<opaque> redirects to the publisher;
    # they cannot be resolved offline (the target is inside an encoded token), so the link is
    # kept as given and the publisher comes from <source url="...">Publisher</source>.
    url = canonical_url(link, base_url) if link else ""
    if not title and not url:
        return None

    source = entry.get("source") or {}
    source_name = _text(source.get("title", "")) if isinstance(source, Mapping) else ""
    source_href = str(source.get("href", "")) if isinstance(source, Mapping) else ""
    title, split_publisher = _split_publisher(title, source_name, google_news=google_news)
    publisher = source_name or split_publisher or ("" if google_news else feed_title)

    summary = html_to_text(_summary_markup(entry))
    if google_news and summary:
        summary = _strip_google_news_echo(summary, title, publisher)

    extra: list[tuple[str, str]] = []
    if source_href:
        extra.append(("publisher_url", source_href))
    if guid and guid != url:
        extra.append(("guid", guid))
    return Item(
        id=item_id_for(url, guid),
        title=title or summary[:120],
        url=url,
        summary=summary,
        published=_published(entry),
        source=source_id,
        publisher=publisher,
        extra=tuple(extra),
    )


def _split_publisher(title: str, source_name: str, *, google_news: bool) -> tuple[str, str]:
    """Split "Headline - Publisher" when the suffix is the entry's <source>, a domain, or (on Google News) name-like."""
    match = _PUBLISHER_SUFFIX.match(title)
    if not match:
        return title, ""
    headline, suffix = match.group("headline").strip(), match.group("publisher").strip()
    if source_name and suffix.casefold() == source_name.casefold():
        return headline, suffix
    if _DOMAIN_LIKE.match(suffix):
        return headline, suffix
    if google_news and not source_name and _looks_like_publisher(suffix):
        return headline, suffix
    return title, ""


def _looks_like_publisher(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 6 or len(text) > 50 or text[-1] in ".?!:;,":
        return False
    small = ("of", "the", "and", "&", "de")
    return all(word[0].isupper() or word[0].isdigit() or word.lower() in small for word in words)


def _strip_google_news_echo(summary: str, title: str, publisher: str) -> str:
    # Google News descriptions repeat "<a>Headline</a> Publisher"; that adds nothing matchers can use.
    rest = summary
    if rest.startswith(title):
        rest = rest[len(title) :].strip()
        if publisher and rest.startswith(publisher):
            rest = rest[len(publisher) :].strip()
    return rest if rest != summary else summary


def _summary_markup(entry: Any) -> str:
    summary = entry.get("summary") or ""
    contents = entry.get("content") or []
    if not summary and contents:
        summary = contents[0].get("value", "")
    return str(summary)


def _published(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)  # feedparser gives UTC
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _text(value: Any) -> str:
    return html_to_text(str(value or ""), max_chars=1000)


def _is_google_news(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower() == "news.google.com"


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith(b"<!doctype html") or b"<html" in head


def _bozo_reason(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    message = getattr(exc, "getMessage", None)
    detail = message() if callable(message) else str(exc)
    line = getattr(exc, "getLineNumber", None)
    where = f" at line {line()}" if callable(line) else ""
    detail = _WHITESPACE.sub(" ", str(detail)).strip()[:120]
    return f": {detail}{where}" if detail else ""


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)
