"""Fetch and parse sources (RSS/Atom feeds, filings) into `Item` values. No Prefect here."""

from sources.catalog import (
    DEFAULT_SOURCES_FILE,
    FetchOutcome,
    FetchState,
    SourcesFileError,
    SourceSpec,
    google_news_search_url,
    load_sources,
    parse_sources,
    sources_for_claims,
)
from sources.errors import SourceError
from sources.feeds import canonical_url, fetch_feed, fetch_feeds, html_to_text, parse_feed
from sources.http import FetchResponse, HostLimiter, RateLimitedError, RetryPolicy, fetch_url, make_client
from sources.item import Item, item_id_for

__all__ = [
    "DEFAULT_SOURCES_FILE",
    "FetchOutcome",
    "FetchResponse",
    "FetchState",
    "HostLimiter",
    "Item",
    "RateLimitedError",
    "RetryPolicy",
    "SourceError",
    "SourceSpec",
    "SourcesFileError",
    "canonical_url",
    "fetch_feed",
    "fetch_feeds",
    "fetch_url",
    "google_news_search_url",
    "html_to_text",
    "item_id_for",
    "load_sources",
    "make_client",
    "parse_feed",
    "parse_sources",
    "sources_for_claims",
]
