"""SEC EDGAR: company filings (submissions JSON or Atom), exhibit and section text, full-text search.

Fair access is a hard rule here, not a courtesy: the SEC wants a declared User-Agent naming
a contact address and at most 10 requests a second per client, and blocks offenders for
about ten minutes. Every request goes through `fetch_sec`, which refuses to run without
`Settings.contact_email`, paces itself with the process-wide limiter in `sources.ratelimit`
and turns the SEC's block page into a cool-down instead of a retry.

Items are keyed on the accession number: the Atom feed and full-text search never name a
filing's primary document, so an id built from the document URL would give the same filing
three different ids depending on which path found it.
"""

from __future__ import annotations

import asyncio
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from bs4 import BeautifulSoup

from sources.errors import SourceError
from sources.http import RetryPolicy, fetch_url
from sources.item import Item, item_id_for
from sources.ratelimit import RateLimiter, is_sec_threshold_page, sec_limiter

SOURCE_ID = "sec-edgar"
SEC_CANONICAL = "https://www.sec.gov"  # links and ids always name the real host, whatever mirror served them
DEFAULT_FORMS = ("8-K", "10-Q", "10-K")
SUMMARY_MAX_CHARS = 6_000
EFTS_PAGE_SIZE = 100  # EDGAR full-text search always answers 100 hits a page
EFTS_RESULT_CAP = 10_000  # and never counts or pages past 10,000 hits

_ACCESSION = re.compile(r"\d{10}-\d{2}-\d{6}")
_ATOM = "{http://www.w3.org/2005/Atom}"
_RETRY = RetryPolicy(attempts=3, backoff_s=1.0, max_backoff_s=8.0)

# Official captions of the 8-K items that matter most for claims; they make titles matchable.
_ITEM_CAPTIONS = {
    "1.01": "Entry into a Material Definitive Agreement",
    "1.02": "Termination of a Material Definitive Agreement",
    "2.01": "Completion of Acquisition or Disposition of Assets",
    "2.02": "Results of Operations and Financial Condition",
    "2.03": "Creation of a Direct Financial Obligation",
    "5.02": "Departure or Appointment of Directors or Officers",
    "7.01": "Regulation FD Disclosure",
    "8.01": "Other Events",
}


# -- fetching -------------------------------------------------------------------------------------


def sec_user_agent(settings: Any) -> str:
    """The declared User-Agent the SEC requires ("claimwatch/0.1 ops@example.org"); refuse without a contact."""
    contact = (getattr(settings, "contact_email", "") or "").strip()
    if not contact or "@" not in contact:
        raise SourceError(
            "config",
            "SEC EDGAR requires a contact e-mail in the User-Agent: set CLAIMWATCH_CONTACT_EMAIL",
            source_id=SOURCE_ID,
        )
    try:
        release = version("claimwatch")
    except PackageNotFoundError:
        release = "0.1"
    return f"claimwatch/{release} {contact}"


def sec_limiter_for(settings: Any) -> RateLimiter:
    """The process-wide SEC limiter tuned to `settings.sec_rate` and `settings.sec_cooldown_seconds`."""
    return sec_limiter(settings.sec_rate, settings.sec_cooldown_seconds)


async def fetch_sec(client: httpx.AsyncClient, url: str, *, settings: Any, limiter: RateLimiter | None = None) -> bytes:
    """GET one SEC URL politely (declared UA, gzip, paced, cool-down on the block page) and return the body."""
    headers = {"User-Agent": sec_user_agent(settings), "Accept-Encoding": "gzip, deflate"}
    limiter = limiter or sec_limiter_for(settings)
    attempt = 1
    while True:
        await limiter.acquire()
        try:
            response = await fetch_url(
                client,
                url,
                max_bytes=settings.max_response_bytes,
                headers=headers,
                retry=RetryPolicy(attempts=1),  # retries below, each one paced by the limiter
                error_body_bytes=4096,
            )
        except SourceError as exc:
            exc.source_id = exc.source_id or SOURCE_ID
            if exc.http_status in (403, 429) and (exc.http_status == 429 or is_sec_threshold_page(exc.body)):
                raise _cool_down(limiter, exc.http_status) from None
            transient = exc.kind in ("timeout", "network") or (exc.http_status or 0) >= 500
            if not transient or attempt >= _RETRY.attempts:
                raise
            await asyncio.sleep(_RETRY.wait_before(attempt))
            attempt += 1
            continue
        # The SEC has also been seen serving its block page with a 200.
        if len(response.body) < 20_000 and is_sec_threshold_page(response.body):
            raise _cool_down(limiter, response.status)
        return response.body


def _cool_down(limiter: RateLimiter, status: int | None) -> SourceError:
    limiter.start_cooldown()
    return SourceError(
        "rate_limited",
        f"the SEC answered with its Request Rate Threshold Exceeded page; all SEC requests pause for "
        f"{limiter.cooldown:g} s",
        source_id=SOURCE_ID,
        http_status=status,
    )


def _on_base(url: str, base: str) -> str:
    """Move a canonical www.sec.gov URL onto the configured host (a mirror or a test server)."""
    if url.startswith(SEC_CANONICAL):
        return base.rstrip("/") + url[len(SEC_CANONICAL) :]
    return url


def _load_json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        if body.lstrip()[:1] == b"<":
            raise SourceError("not_a_feed", f"{what}: got an HTML page where JSON was expected", source_id=SOURCE_ID)
        raise SourceError("malformed", f"{what}: the JSON cannot be parsed", source_id=SOURCE_ID) from None


# -- filings --------------------------------------------------------------------------------------


def cik_int(cik: str | int) -> int:
    """A CIK as an integer ("0001045810" -> 1045810)."""
    try:
        return int(str(cik).strip())
    except ValueError:
        raise SourceError("config", f"{cik!r} is not a CIK (digits only)", source_id=SOURCE_ID) from None


def cik10(cik: str | int) -> str:
    """A CIK zero-padded to the ten digits the data.sec.gov paths use."""
    return f"{cik_int(cik):010d}"


@dataclass(frozen=True, slots=True)
class Filing:
    """One EDGAR filing (an accession), whichever listing found it."""

    cik: int
    accession: str  # 0001045810-25-000228
    form: str
    filed: date
    company: str = ""
    report_date: date | None = None
    accepted: str = ""  # acceptanceDateTime as EDGAR gives it
    primary_document: str = ""
    description: str = ""
    items: tuple[str, ...] = ()  # 8-K item numbers, e.g. ("1.01", "7.01")
    document: str = ""  # full-text search: the file the phrase was found in
    summary: str = ""  # Atom: the feed's own summary

    @property
    def folder_url(self) -> str:
        """Canonical URL of the filing's folder in the EDGAR archives."""
        return f"{SEC_CANONICAL}/Archives/edgar/data/{self.cik}/{self.accession.replace('-', '')}"

    @property
    def index_url(self) -> str:
        """Canonical URL of the filing index page (lists every document with its type)."""
        return f"{self.folder_url}/{self.accession}-index.htm"

    @property
    def url(self) -> str:
        """Canonical URL of the primary document (or the matched document, or the index)."""
        name = self.primary_document or self.document
        return f"{self.folder_url}/{name}" if name else self.index_url

    @property
    def item_id(self) -> str:
        """The Item id: keyed on the accession number, so every listing path agrees."""
        return item_id_for("", guid=f"sec-accession:{self.accession}")

    def to_item(self, summary: str | None = None) -> Item:
        """This filing as an `Item` (summary: exhibit/section text when fetched)."""
        captions = [f"Item {n} {_ITEM_CAPTIONS[n]}" for n in self.items if n in _ITEM_CAPTIONS]
        title = f"{self.company or f'CIK {self.cik}'} {self.form}"
        if captions:
            title += ": " + "; ".join(captions)
        elif self.description and self.description.upper() != self.form.upper():
            title += f": {self.description}"
        return Item(
            id=self.item_id,
            title=title,
            url=self.url,
            summary=self.summary if summary is None else summary,
            published=datetime(self.filed.year, self.filed.month, self.filed.day, tzinfo=timezone.utc),
            source=SOURCE_ID,
            publisher=self.company or "SEC EDGAR",
            extra=self.extra(),
        )

    def extra(self) -> tuple[tuple[str, str], ...]:
        """Filing facts for the `Item.extra` tuple."""
        pairs = [
            ("form", self.form),
            ("accession", self.accession),
            ("cik", str(self.cik)),
            ("company", self.company),
            ("filing_date", self.filed.isoformat()),
        ]
        if self.report_date:
            pairs.append(("report_date", self.report_date.isoformat()))
        if self.items:
            pairs.append(("items", ",".join(self.items)))
        if self.document:
            pairs.append(("document", self.document))
        return tuple(pairs)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _forms_match(form: str, forms: Sequence[str]) -> bool:
    # "8-K" also admits "8-K/A": an amendment can carry the correction a claim hinges on.
    return not forms or any(form == wanted or form == f"{wanted}/A" for wanted in forms)


def parse_submissions(data: Any, *, forms: Sequence[str] = DEFAULT_FORMS, since: date | None = None) -> list[Filing]:
    """Filings from a data.sec.gov submissions document (`filings.recent` parallel arrays), newest first."""
    try:
        recent = data["filings"]["recent"]
        accessions = recent["accessionNumber"]
    except (KeyError, TypeError):
        raise SourceError("malformed", "submissions JSON has no filings.recent.accessionNumber", source_id=SOURCE_ID)
    columns = ("filingDate", "form", "primaryDocument")
    if any(len(recent.get(name, ())) != len(accessions) for name in columns):
        raise SourceError("malformed", "submissions JSON arrays under filings.recent differ in length", source_id=SOURCE_ID)
    cik = cik_int(data.get("cik", 0))
    company = str(data.get("name", "")).strip()

    def column(name: str, index: int) -> str:
        values = recent.get(name) or ()
        return str(values[index]) if index < len(values) and values[index] is not None else ""

    filings = []
    for index, accession in enumerate(accessions):
        form = column("form", index)
        filed = _date(column("filingDate", index))
        if filed is None or not _forms_match(form, forms) or (since and filed < since):
            continue
        items = tuple(part.strip() for part in column("items", index).split(",") if part.strip())
        filings.append(
            Filing(
                cik=cik,
                accession=str(accession),
                form=form,
                filed=filed,
                company=company,
                report_date=_date(column("reportDate", index)),
                accepted=column("acceptanceDateTime", index),
                primary_document=column("primaryDocument", index),
                description=column("primaryDocDescription", index),
                items=items,
            )
        )
    filings.sort(key=lambda filing: (filing.filed, filing.accession), reverse=True)
    return filings


async def fetch_company_filings(
    client: httpx.AsyncClient,
    cik: str | int,
    *,
    settings: Any,
    forms: Sequence[str] = DEFAULT_FORMS,
    since: date | None = None,
    limiter: RateLimiter | None = None,
) -> list[Filing]:
    """A company's recent filings of `forms` filed on or after `since`, from data.sec.gov submissions."""
    url = f"{settings.sec_data_base.rstrip('/')}/submissions/CIK{cik10(cik)}.json"
    body = await fetch_sec(client, url, settings=settings, limiter=limiter)
    return parse_submissions(_load_json(body, "EDGAR submissions"), forms=forms, since=since)


def parse_company_atom(body: bytes, *, forms: Sequence[str] = (), since: date | None = None) -> list[Filing]:
    """Filings from EDGAR's per-company Atom feed (ISO-8859-1, every 8-K titled alike: keyed on accession)."""
    try:
        root = ET.fromstring(body)  # honours the encoding the XML declaration names
    except ET.ParseError as exc:
        raise SourceError("malformed", f"EDGAR Atom feed cannot be parsed ({exc})", source_id=SOURCE_ID) from None
    if root.tag != f"{_ATOM}feed":
        raise SourceError("not_a_feed", "EDGAR answered with something other than an Atom feed", source_id=SOURCE_ID)

    def text(node: ET.Element | None, path: str) -> str:
        found = node.find(path) if node is not None else None
        return (found.text or "").strip() if found is not None and found.text else ""

    info = root.find(f"{_ATOM}company-info")
    company = text(info, f"{_ATOM}conformed-name")
    feed_cik = text(info, f"{_ATOM}cik")
    filings = []
    for entry in root.findall(f"{_ATOM}entry"):
        content = entry.find(f"{_ATOM}content")
        link = entry.find(f"{_ATOM}link")
        href = link.get("href", "") if link is not None else ""
        found = _ACCESSION.search(text(entry, f"{_ATOM}id")) or _ACCESSION.search(href)
        if not found:
            continue  # an entry without an accession cannot be told apart from the other 8-Ks
        category = entry.find(f"{_ATOM}category")
        form = text(content, f"{_ATOM}filing-type") or (category.get("term", "") if category is not None else "")
        filed = _date(text(content, f"{_ATOM}filing-date")) or _date(text(entry, f"{_ATOM}updated"))
        if filed is None or not _forms_match(form, forms) or (since and filed < since):
            continue
        cik_match = re.search(r"/data/(\d+)/", href)
        summary_html = text(entry, f"{_ATOM}summary")
        items_desc = text(content, f"{_ATOM}items-desc")
        filings.append(
            Filing(
                cik=cik_int(cik_match.group(1) if cik_match else feed_cik or 0),
                accession=found.group(0),
                form=form,
                filed=filed,
                company=company,
                description=text(content, f"{_ATOM}form-name"),
                items=tuple(re.findall(r"\d\.\d\d", items_desc)),
                summary=_collapse(BeautifulSoup(summary_html, "html.parser").get_text(" ")) if summary_html else "",
            )
        )
    return filings


async def fetch_company_atom(
    client: httpx.AsyncClient,
    cik: str | int,
    *,
    settings: Any,
    form: str = "8-K",
    count: int = 40,
    since: date | None = None,
    limiter: RateLimiter | None = None,
) -> list[Filing]:
    """A company's latest filings of one form from the EDGAR Atom feed (cgi-bin/browse-edgar)."""
    query = urlencode(
        {"action": "getcompany", "CIK": cik10(cik), "type": form, "dateb": "", "owner": "include",
         "count": count, "output": "atom"}
    )
    url = f"{settings.sec_www_base.rstrip('/')}/cgi-bin/browse-edgar?{query}"
    body = await fetch_sec(client, url, settings=settings, limiter=limiter)
    return parse_company_atom(body, forms=(form,) if form else (), since=since)


# -- document text --------------------------------------------------------------------------------

_BLOCKS = ["p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "table", "title"]
_ITEM_HEADING = re.compile(r"^item\s*\d{1,2}[a-c]?\s*[.:\-–—]?\s*\S", re.IGNORECASE)
_SECTION_HEADINGS = {
    "Risk Factors": re.compile(r"^item\s*1a\s*[.:\-–—]?\s*risk\s+factors", re.IGNORECASE),
    "Management's Discussion and Analysis": re.compile(
        r"^item\s*[27]\s*[.:\-–—]?\s*management[’'`]?s\s+discussion", re.IGNORECASE
    ),
}


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def html_paragraphs(html: bytes | str) -> list[str]:
    """The visible text of an HTML filing document, one string per block (paragraph, cell, heading)."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "head", "ix:header"]):
        hidden.decompose()
    for node in soup.find_all(style=re.compile(r"display\s*:\s*none", re.IGNORECASE)):
        node.decompose()
    for block in soup.find_all(_BLOCKS):
        block.append("\n")  # inline spans stay joined; blocks end a paragraph
    lines = (_collapse(line) for line in soup.get_text().split("\n"))
    return [line for line in lines if line and not re.fullmatch(r"[\d\s|]+", line)]


def select_passages(paragraphs: Sequence[str], keywords: Iterable[str], max_chars: int = SUMMARY_MAX_CHARS) -> str:
    """All the text if it fits in `max_chars`, else the lead and the paragraphs naming a keyword, capped."""
    whole = "\n".join(paragraphs)
    if len(whole) <= max_chars:
        return whole
    terms = [term.lower() for term in keywords if term.strip()]
    chosen: list[str] = []
    size = 0
    for index, paragraph in enumerate(paragraphs):
        lowered = paragraph.lower()
        if index == 0 or any(term in lowered for term in terms):
            piece = paragraph if len(paragraph) <= 1_500 else paragraph[:1_497] + "..."
            if size + len(piece) + 1 > max_chars:
                break
            chosen.append(piece)
            size += len(piece) + 1
    if len(chosen) <= 1:  # nothing named a keyword: the opening is the best summary we have
        return whole[: max_chars - 3].rstrip() + "..."
    return "\n".join(chosen)


def filing_sections(paragraphs: Sequence[str]) -> dict[str, list[str]]:
    """The Risk Factors and MD&A sections of a 10-Q/10-K, each the longest run after its heading."""
    sections: dict[str, list[str]] = {}
    for name, heading in _SECTION_HEADINGS.items():
        best: list[str] = []
        for start, paragraph in enumerate(paragraphs):
            if len(paragraph) > 200 or not heading.match(paragraph):
                continue
            body: list[str] = []
            for following in paragraphs[start + 1 :]:
                if len(following) <= 200 and _ITEM_HEADING.match(following):
                    break
                body.append(following)
            if sum(map(len, body)) > sum(map(len, best)):
                best = body  # the table of contents lists the heading too, with nothing under it
        if best:
            sections[name] = best
    return sections


def periodic_report_text(html: bytes | str, keywords: Iterable[str] = (), max_chars: int = SUMMARY_MAX_CHARS) -> str:
    """The MD&A and Risk Factors text of a 10-Q/10-K, keyword passages only when it is too long."""
    keywords = tuple(keywords)
    paragraphs = html_paragraphs(html)
    sections = filing_sections(paragraphs)
    if not sections:
        return select_passages(paragraphs, keywords, max_chars)
    budget = max_chars // len(sections) - 40
    return "\n".join(f"{name}:\n{select_passages(body, keywords, budget)}" for name, body in sections.items())


def parse_filing_index(html: bytes | str) -> list[tuple[str, str, str]]:
    """(type, description, file name) of each document listed on an EDGAR filing index page."""
    soup = BeautifulSoup(html, "html.parser")
    documents = []
    for row in soup.select("table.tableFile tr"):
        cells = row.find_all("td")
        if len(cells) < 4:
            continue
        link = cells[2].find("a")
        href = link.get("href", "") if link else ""
        name = href.rsplit("/", 1)[-1] if href else _collapse(cells[2].get_text())
        name = name.split("?doc=")[-1].rsplit("/", 1)[-1]  # inline XBRL viewer links: /ix?doc=/Archives/...
        documents.append((_collapse(cells[3].get_text()), _collapse(cells[1].get_text()), name))
    return documents


def _exhibit_from_directory(data: Any) -> str:
    """Best guess at the press-release exhibit from a folder's index.json (names only, no types)."""
    names = [str(item.get("name", "")) for item in data.get("directory", {}).get("item", []) if isinstance(item, dict)]
    for name in names:
        if re.search(r"(ex|exhibit)[-_]?99[-_.]?0?1?|pr\.htm|press", name, re.IGNORECASE) and name.endswith(("htm", "html")):
            return name
    return ""


async def find_exhibit(
    client: httpx.AsyncClient, filing: Filing, *, settings: Any, limiter: RateLimiter | None = None, kind: str = "EX-99"
) -> str:
    """File name of a filing's EX-99 exhibit (the press release), from its index page or folder listing."""
    base = settings.sec_www_base
    try:
        page = await fetch_sec(client, _on_base(filing.index_url, base), settings=settings, limiter=limiter)
    except SourceError as exc:
        if exc.http_status != 404:
            raise
        listing = await fetch_sec(client, _on_base(f"{filing.folder_url}/index.json", base), settings=settings,
                                  limiter=limiter)
        return _exhibit_from_directory(_load_json(listing, "EDGAR folder index"))
    for doc_type, _description, name in parse_filing_index(page):
        if doc_type.upper().startswith(kind):
            return name
    return ""


async def fetch_filing_text(
    client: httpx.AsyncClient,
    filing: Filing,
    *,
    settings: Any,
    keywords: Iterable[str] = (),
    limiter: RateLimiter | None = None,
    max_chars: int = SUMMARY_MAX_CHARS,
) -> str:
    """Matchable text of a filing: an 8-K's press-release exhibit, or a 10-Q/10-K's MD&A and Risk Factors."""
    keywords = tuple(keywords)
    base = settings.sec_www_base
    if filing.form.startswith("8-K"):
        exhibit = await find_exhibit(client, filing, settings=settings, limiter=limiter)
        name = exhibit or filing.primary_document
        if not name:
            return ""
        body = await fetch_sec(client, _on_base(f"{filing.folder_url}/{name}", base), settings=settings, limiter=limiter)
        return select_passages(html_paragraphs(body), keywords, max_chars)
    if not filing.primary_document:
        return ""
    body = await fetch_sec(client, _on_base(filing.url, base), settings=settings, limiter=limiter)
    return periodic_report_text(body, keywords, max_chars)


async def fetch_filing_items(
    client: httpx.AsyncClient,
    cik: str | int,
    *,
    settings: Any,
    forms: Sequence[str] = DEFAULT_FORMS,
    since: date | None = None,
    keywords: Iterable[str] = (),
    with_text: bool = True,
    limiter: RateLimiter | None = None,
    until: date | None = None,
) -> list[Item]:
    """A company's filings filed `since`..`until` as Items, each with its exhibit/section text as the summary."""
    filings = await fetch_company_filings(client, cik, settings=settings, forms=forms, since=since, limiter=limiter)
    items = []
    # Filtered before any document is read: a filing after `until` costs no SEC request.
    for filing in (f for f in filings if until is None or f.filed <= until):
        summary = ""
        if with_text:
            try:
                summary = await fetch_filing_text(client, filing, settings=settings, keywords=keywords, limiter=limiter)
            except SourceError as exc:
                if exc.kind in ("rate_limited", "config"):
                    raise  # stop: every further SEC request would fail the same way
                summary = ""  # one unreadable exhibit must not hide the filing itself
        items.append(filing.to_item(summary))
    return items


def registry_keywords(claims: Iterable[Any]) -> tuple[str, ...]:
    """The keywords and entities of the given claims: what passage selection looks for in long documents."""
    seen: dict[str, None] = {}
    for claim in claims:
        for term in (*getattr(claim, "keywords", ()), *getattr(claim, "entities", ())):
            seen.setdefault(term, None)
    return tuple(seen)


# -- full-text search -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilingsPage:
    """One page of full-text search results; resume with `start_from=next_from` over `since`..`until`."""

    items: tuple[Item, ...]
    next_from: int
    done: bool  # True on the last page of the whole search
    since: date  # the date slice this page belongs to (a capped range is searched in slices)
    until: date
    total: int  # hits (documents) the slice holds, as EDGAR counts them


def _display_name(raw: str) -> str:
    # "NVIDIA CORP  (NVDA)  (CIK 0001045810)" -> "NVIDIA CORP"
    return _collapse(re.sub(r"\s*\([^)]*\)", "", raw))


def parse_search_hits(data: Any, *, query: str = "") -> tuple[list[Filing], int, int]:
    """(filings, hits on this page, total hits) from an EDGAR full-text search answer; one filing per hit."""
    try:
        hits = data["hits"]["hits"]
        total_field = data["hits"].get("total", {})
    except (KeyError, TypeError, AttributeError):
        raise SourceError("malformed", "full-text search answer has no hits.hits", source_id=SOURCE_ID)
    total = int(total_field.get("value", 0) if isinstance(total_field, dict) else total_field or 0)
    filings = []
    for hit in hits:
        source = hit.get("_source", {})
        hit_id = str(hit.get("_id", ""))
        accession = str(source.get("adsh") or hit_id.split(":", 1)[0])
        filed = _date(source.get("file_date"))
        if not _ACCESSION.fullmatch(accession) or filed is None:
            continue
        ciks = source.get("ciks") or ["0"]
        names = source.get("display_names") or [""]
        document = hit_id.split(":", 1)[1] if ":" in hit_id else ""
        form = str(source.get("form") or (source.get("root_forms") or [""])[0])
        where = f"{document} ({source.get('file_type') or form})" if document else form
        filings.append(
            Filing(
                cik=cik_int(ciks[0]),
                accession=accession,
                form=form,
                filed=filed,
                company=_display_name(str(names[0])),
                report_date=_date(source.get("period_ending")),
                items=tuple(str(item) for item in source.get("items") or ()),
                document=document,
                description=str(source.get("file_description") or ""),
                summary=f'EDGAR full-text search matched "{query.strip(chr(34))}" in {where}' if query else "",
            )
        )
    return filings, len(hits), total


def _search_url(base: str, query: str, since: date, until: date, forms: Sequence[str], start: int) -> str:
    phrase = query if query.startswith('"') else f'"{query}"'
    params = {"q": phrase, "dateRange": "custom", "startdt": since.isoformat(), "enddt": until.isoformat()}
    if forms:
        params["forms"] = ",".join(forms)
    params["from"] = str(start)
    return f"{base.rstrip('/')}/LATEST/search-index?{urlencode(params, quote_via=quote, safe=',')}"


async def search_filings(
    client: httpx.AsyncClient,
    query: str,
    since: date,
    until: date,
    *,
    settings: Any,
    forms: Sequence[str] = ("8-K", "10-Q"),
    start_from: int = 0,
    slice_until: date | None = None,
    limiter: RateLimiter | None = None,
) -> AsyncIterator[FilingsPage]:
    """EDGAR full-text search for a phrase, one page at a time (de-duplicated on accession).

    A date range whose hits reach EDGAR's 10,000 cap is split in halves until each slice fits.
    To resume from a checkpoint `page`, call again with `since=page.since`, the original
    `until`, `start_from=page.next_from` and `slice_until=page.until`.
    """
    seen: set[str] = set()
    pending: list[tuple[date, date, int]] = [(since, min(slice_until or until, until), start_from)]
    if slice_until and slice_until < until:
        pending.append((date.fromordinal(slice_until.toordinal() + 1), until, 0))
    while pending:
        low, high, start = pending.pop(0)
        while True:
            url = _search_url(settings.sec_efts_base, query, low, high, forms, start)
            body = await fetch_sec(client, url, settings=settings, limiter=limiter)
            filings, hit_count, total = parse_search_hits(_load_json(body, "EDGAR full-text search"), query=query)
            if start == 0 and total >= EFTS_RESULT_CAP and low < high:
                middle = date.fromordinal((low.toordinal() + high.toordinal()) // 2)
                pending[:0] = [(low, middle, 0), (date.fromordinal(middle.toordinal() + 1), high, 0)]
                break  # this page is discarded: its slices will return the same hits, completely
            fresh = []
            for filing in filings:
                if filing.accession not in seen:
                    seen.add(filing.accession)
                    fresh.append(filing.to_item())
            start += hit_count
            slice_done = hit_count == 0 or start >= min(total, EFTS_RESULT_CAP)
            yield FilingsPage(tuple(fresh), start, slice_done and not pending, low, high, total)
            if slice_done:
                break
