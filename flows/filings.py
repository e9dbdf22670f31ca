"""The monitor's filings sources: new EDGAR filings, Federal Register documents and XBRL capex.

Each monitor run reads a window of filings ending at the time the run was scheduled for,
not the wall clock: a run that starts late (workers busy, machine asleep) or is retried
still covers the days it was meant to cover. The window reaches back
`CLAIMWATCH_FILINGS_LOOKBACK_DAYS` (3 by default, so Monday's run still sees Friday's
filings); windows of consecutive runs overlap, which costs nothing because items are unique
in the store.

The sources come from the claim registry through the backfill planner (`plan_jobs`): one
`edgar-<cik>` source per company named in a claim's `watch.edgar.companies`, one
`federal-register-<slug>` source per distinct `watch.federal_register` condition set, and one
`xbrl-capex` source for the companies of claims that watch a capex XBRL concept. The fetching
and the numbers are plain functions in `sources/`; this module only plans and wires them.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from urllib.parse import urlencode

import httpx
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from claimwatch.settings import Settings
from matchers import Verdict
from seeds import Claim
from sources import FetchOutcome, FetchState, Item, SourceError, SourceSpec
from sources.edgar import DEFAULT_FORMS, fetch_filing_items, registry_keywords
from sources.federal_register import search_documents
from sources.xbrl import (
    CAPEX_CONCEPTS,
    SUMMARY_SOURCE_ID,
    capex_items,
    capex_summary_item,
    capex_verdicts,
    fetch_capex_facts,
    trailing_four_quarters,
)

FilingKind = Literal["edgar", "federal-register", "xbrl-capex"]
SEC_KINDS: frozenset[str] = frozenset({"edgar", "xbrl-capex"})  # the sources that need CLAIMWATCH_CONTACT_EMAIL


@dataclass(frozen=True, slots=True)
class Window:
    """The span of filings one monitor run reads: `since`..`until`, both UTC."""

    since: datetime
    until: datetime

    @property
    def first_day(self) -> date:
        """The first filing/publication date inside the window (EDGAR and the Federal Register filter by day)."""
        return self.since.date()

    @property
    def last_day(self) -> date:
        """The last filing/publication date inside the window."""
        return self.until.date()


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    # Prefect hands out its own DateTime subclass; a plain datetime keeps task parameters simple.
    return datetime.fromtimestamp(value.timestamp(), UTC)


def filings_window(
    lookback_days: float,
    *,
    as_of: datetime | None = None,
    scheduled_start: datetime | None = None,
    now: datetime | None = None,
) -> Window:
    """`[as_of - lookback, as_of]`: as_of is the explicit one, else the scheduled start, else now (naive = UTC)."""
    end = as_of or scheduled_start or now or datetime.now(UTC)
    end = _utc(end)
    return Window(end - timedelta(days=lookback_days), end)


def scheduled_start_of_this_run() -> datetime | None:
    """The time this flow run was scheduled for, when a schedule or deployment created it; else None."""
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    # A deployment run (from its schedule, a Quick run or the API) carries its intended start
    # in expected_start_time, kept through lateness and retries; a direct call has none worth keeping.
    if run is None or not (run.auto_scheduled or run.deployment_id):
        return None
    from prefect.runtime import flow_run

    return _utc(flow_run.scheduled_start_time)


# -- planning -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilingSource:
    """One filings source of the monitor: its stored spec and what to ask the API for."""

    spec: SourceSpec
    kind: FilingKind
    claim_ids: tuple[str, ...]
    cik: str = ""  # edgar
    forms: tuple[str, ...] = ()  # edgar
    keywords: tuple[str, ...] = ()  # edgar: what passage selection looks for in long documents
    term: str = ""  # federal-register
    agencies: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    ciks: tuple[str, ...] = ()  # xbrl-capex
    capex_claims: tuple[Claim, ...] = ()  # xbrl-capex: the claims its total is numeric evidence for

    @property
    def needs_sec(self) -> bool:
        """True for sources served by the SEC (they need a contact e-mail and share the SEC limiter)."""
        return self.kind in SEC_KINDS


def _slug(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "documents"


def capex_claims_of(claims: Sequence[Claim]) -> list[Claim]:
    """The claims watching a capex XBRL concept (hyperscaler capex)."""
    return [c for c in claims if c.watch.edgar and CAPEX_CONCEPTS.intersection(c.watch.edgar.concepts)]


def plan_filing_sources(settings: Settings, claims: Sequence[Claim]) -> list[FilingSource]:
    """The filings sources the claims' `watch` sections ask for, each with a stable source id."""
    # Imported here: flows.backfill imports flows.monitor, which imports this module.
    from sources.planning import plan_jobs

    by_id = {claim.id: claim for claim in claims}
    families = lambda ids: tuple(dict.fromkeys(by_id[i].family for i in ids))  # noqa: E731
    sources: list[FilingSource] = []
    for job in plan_jobs(claims, ("edgar-filings", "federal-register")):
        if job.kind == "edgar-filings":
            url = f"{settings.sec_data_base.rstrip('/')}/submissions/CIK{job.cik}.json"
            forms = job.forms or DEFAULT_FORMS
            spec = SourceSpec(
                id=f"edgar-{job.cik}", url=url, kind="edgar", title=f"EDGAR filings of CIK {job.cik} ({', '.join(forms)})",
                families=families(job.claim_ids), claims=job.claim_ids,
            )
            keywords = registry_keywords(by_id[i] for i in job.claim_ids)
            sources.append(FilingSource(spec, "edgar", job.claim_ids, cik=job.cik, forms=forms, keywords=keywords))
        else:
            conditions = [("conditions[term]", job.term)] if job.term else []
            conditions += [("conditions[agencies][]", agency) for agency in job.agencies]
            conditions += [("conditions[type][]", kind) for kind in job.types]
            url = f"{settings.federal_register_base.rstrip('/')}/api/v1/documents.json?{urlencode(conditions)}"
            # The slug keeps the id readable; the hash keeps two condition sets with one term apart.
            digest = hashlib.sha256(job.key.encode("utf-8")).hexdigest()[:6]
            spec = SourceSpec(
                id=f"federal-register-{_slug(job.term or ' '.join(job.agencies))}-{digest}", url=url,
                kind="federal-register", title=f"Federal Register: {job.term or ', '.join(job.agencies)}",
                families=families(job.claim_ids), claims=job.claim_ids,
            )
            sources.append(FilingSource(spec, "federal-register", job.claim_ids, term=job.term,
                                        agencies=job.agencies, types=job.types))
    capex = capex_claims_of(claims)
    ciks = tuple(dict.fromkeys(
        company.strip() for claim in capex for company in claim.watch.edgar.companies if company.strip().isdigit()
    ))
    if ciks:
        ids = tuple(claim.id for claim in capex)
        spec = SourceSpec(
            id=SUMMARY_SOURCE_ID, url=f"{settings.sec_data_base.rstrip('/')}/api/xbrl/companyconcept/",
            kind="xbrl", title=f"XBRL capex of {len(ciks)} companies", families=families(ids), claims=ids,
        )
        sources.append(FilingSource(spec, "xbrl-capex", ids, ciks=ciks, capex_claims=tuple(capex)))
    return sources


# -- fetching -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilingsFetch:
    """What one filings source produced: the fetch outcome (items or a named error) and numeric verdicts."""

    outcome: FetchOutcome
    verdicts: tuple[Verdict, ...] = ()  # xbrl-capex: the total's verdict on each capex claim
    unmatched: tuple[str, ...] = ()  # item ids whose evidence is the numeric verdict, not the matcher's


async def _edgar_items(client: httpx.AsyncClient, source: FilingSource, window: Window, settings: Settings) -> list[Item]:
    return await fetch_filing_items(
        client, source.cik, settings=settings, forms=source.forms, since=window.first_day, until=window.last_day,
        keywords=source.keywords,
    )


async def _register_items(
    client: httpx.AsyncClient, source: FilingSource, window: Window, settings: Settings
) -> list[Item]:
    items: list[Item] = []
    async for page in search_documents(
        client, settings=settings, since=window.first_day, until=window.last_day, term=source.term,
        agencies=source.agencies, types=source.types,
    ):
        items.extend(page.items)
    return items


def _attributed(items: Sequence[Item], source_id: str) -> tuple[Item, ...]:
    return tuple(replace(item, source=source_id) for item in items)


@task(name="fetch-filings", task_run_name="fetch-{source.spec.id}", cache_policy=NO_CACHE)
async def fetch_filings_task(
    source: FilingSource, window: Window, client: httpx.AsyncClient, settings: Settings
) -> FilingsFetch:
    """Fetch one filings source over the window; a failure comes back as an error outcome, not an exception."""
    started = time.monotonic()
    source_id = source.spec.id

    def done(items: Sequence[Item], **extra: object) -> FilingsFetch:
        outcome = FetchOutcome(source_id, "ok", _attributed(items, source_id), FetchState(),
                               elapsed_s=time.monotonic() - started)
        return FilingsFetch(outcome, **extra)

    try:
        if source.kind == "edgar":
            return done(await _edgar_items(client, source, window, settings))
        if source.kind == "federal-register":
            return done(await _register_items(client, source, window, settings))
        # XBRL facts are not windowed: the latest four quarters are re-read each run (four small
        # requests) and stored only when a filing changed them.
        facts = await fetch_capex_facts(client, source.ciks, settings=settings)
        items = capex_items(facts)
        total = trailing_four_quarters(facts)
        if not total.quarters:
            return done(items)
        summary = capex_summary_item(total, facts)
        verdicts = capex_verdicts(facts, source.capex_claims, summary)
        return done([*items, summary], verdicts=tuple(verdicts), unmatched=(summary.id,))
    except SourceError as exc:
        error, kind, status = exc.message, exc.kind, exc.http_status
    except (KeyError, TypeError, ValueError) as exc:  # a document of the right type with fields we cannot read
        error, kind, status = f"the answer could not be read ({exc.__class__.__name__}: {exc})", "malformed", None
    outcome = FetchOutcome(source_id, "error", (), FetchState(), error_kind=kind, error=error, http_status=status,
                           elapsed_s=time.monotonic() - started)
    return FilingsFetch(outcome)


__all__ = [
    "FilingSource",
    "FilingsFetch",
    "Window",
    "capex_claims_of",
    "fetch_filings_task",
    "filings_window",
    "plan_filing_sources",
    "scheduled_start_of_this_run",
]
