"""The source catalog: which feeds to watch (`default_sources.yaml`, plus search feeds derived from claims)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote_plus, urlsplit

from seeds.registry import Claim
from seeds.yamlfile import read_yaml_file
from sources.item import Item

DEFAULT_SOURCES_FILE = Path(__file__).with_name("default_sources.yaml")
GOOGLE_NEWS_SEARCH = "https://news.google.com/rss/search"
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_FIELDS = ("id", "url", "kind", "title", "families", "claims", "enabled")
_TOP_LEVEL = ("version", "sources")

FetchStatus = Literal["ok", "not_modified", "error"]


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One source to fetch: where it lives, what kind it is, and which claims it may carry evidence for."""

    id: str
    url: str
    kind: str = "feed"
    title: str = ""
    families: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class FetchState:
    """Validators remembered between runs so the next fetch can be a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What fetching one source produced: items, the new conditional-GET state, or a named error."""

    source_id: str
    status: FetchStatus
    items: tuple[Item, ...]
    state: FetchState
    error_kind: str | None = None
    error: str | None = None
    http_status: int | None = None
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        """True unless the fetch failed (a 304 counts as success)."""
        return self.status != "error"


class SourcesFileError(ValueError):
    """A sources file that cannot be used, naming the entry and field at fault."""

    def __init__(self, path: str, message: str, source_id: str | None = None, field: str | None = None):
        self.path, self.source_id, self.field = path, source_id, field
        where = f"source {source_id!r}" if source_id else "file"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{path}: {where}: {message}")


def load_sources(path: str | Path = DEFAULT_SOURCES_FILE) -> list[SourceSpec]:
    """Load and validate a sources YAML file; raise `SourcesFileError` naming the entry and field at fault."""
    path = Path(path)
    data = read_yaml_file(path, SourcesFileError)
    return parse_sources(data, str(path))


def parse_sources(data: Any, path: str = "<sources>") -> list[SourceSpec]:
    """Validate already-parsed YAML data (a list, or a mapping with a `sources` list) into `SourceSpec`s."""
    entries = data.get("sources") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise SourcesFileError(path, "expected a list of sources (or a mapping with a 'sources' list)")
    if isinstance(data, dict) and (unknown := sorted(set(map(str, data)) - set(_TOP_LEVEL))):
        raise SourcesFileError(path, f"unknown top-level key {unknown[0]!r} (expected 'version' and 'sources')")
    specs: list[SourceSpec] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        label = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else f"#{index + 1}"
        if not isinstance(entry, dict):
            raise SourcesFileError(path, "each source must be a mapping", source_id=label)
        spec = _parse_entry(entry, path, label)
        if spec.id in seen:
            raise SourcesFileError(path, "duplicate id", source_id=spec.id, field="id")
        seen.add(spec.id)
        specs.append(spec)
    return specs


def _parse_entry(entry: dict[str, Any], path: str, label: str) -> SourceSpec:
    def fail(field: str, message: str) -> SourcesFileError:
        return SourcesFileError(path, message, source_id=label, field=field)

    unknown = sorted(set(map(str, entry)) - set(_FIELDS))
    if unknown:
        raise fail(unknown[0], f"unknown field (expected one of: {', '.join(_FIELDS)})")
    source_id = entry.get("id")
    if not isinstance(source_id, str) or not _SLUG.match(source_id):
        raise fail("id", "must be a lower-case slug such as 'nvidia-newsroom'")
    url = entry.get("url")
    if not isinstance(url, str) or urlsplit(url.strip()).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise fail("url", "must be an absolute http(s) URL")
    kind = entry.get("kind", "feed")
    if not isinstance(kind, str) or not _SLUG.match(kind):
        raise fail("kind", "must be a short name such as 'feed'")
    title = entry.get("title", "")
    if not isinstance(title, str):
        raise fail("title", "must be text")
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise fail("enabled", "must be true or false")
    return SourceSpec(
        id=source_id,
        url=url.strip(),
        kind=kind,
        title=title.strip(),
        families=_names(entry.get("families", []), fail, "families"),
        claims=_names(entry.get("claims", []), fail, "claims"),
        enabled=enabled,
    )


def _names(value: Any, fail: Any, field: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(name, str) and name.strip() for name in value):
        raise fail(field, "must be a list of non-empty names")
    return tuple(name.strip() for name in value)


def sources_for_claims(claims: Iterable[Claim], *, google_news_base: str = GOOGLE_NEWS_SEARCH) -> list[SourceSpec]:
    """One Google News search feed per distinct `watch.news` query of the (non-retired) claims."""
    by_query: dict[str, tuple[str, list[str], list[str]]] = {}
    for claim in claims:
        if claim.retired:
            continue
        for query in claim.watch.news:
            text = " ".join(query.split())
            if not text:
                continue
            key = text.casefold()
            _, claim_ids, families = by_query.setdefault(key, (text, [], []))
            if claim.id not in claim_ids:
                claim_ids.append(claim.id)
            if claim.family not in families:
                families.append(claim.family)

    specs: list[SourceSpec] = []
    used_ids: set[str] = set()
    for text, claim_ids, families in by_query.values():
        source_id = base_id = f"gnews-{_slugify(text)}"
        counter = 2
        while source_id in used_ids:
            source_id = f"{base_id}-{counter}"
            counter += 1
        used_ids.add(source_id)
        specs.append(
            SourceSpec(
                id=source_id,
                url=google_news_search_url(text, base=google_news_base),
                kind="feed",
                title=f"Google News: {text}",
                families=tuple(families),
                claims=tuple(claim_ids),
            )
        )
    return specs


def google_news_search_url(query: str, *, base: str = GOOGLE_NEWS_SEARCH) -> str:
    """The Google News RSS search URL for `query`, in US English."""
    return f"{base}?q={quote_plus(query)}&hl=en-US&gl=US&ceid=US:en"


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug[:60].rstrip("-") or "query"
