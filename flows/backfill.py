"""The Prefect `backfill` flow: search EDGAR and the Federal Register over a past date range, resumably.

Prefect has no backfill button of its own: this flow is it. Run it from the CLI
(`claimwatch backfill --since 2025-09-01`), from the dashboard ("Run ▸ Custom run" on the
`claimwatch-backfill` deployment) or with `prefect deployment run 'backfill/claimwatch-backfill'
--param since=2025-09-01`.

The jobs come from the claim registry, not from a hand-written list: one per distinct EDGAR
full-text query, one per distinct Federal Register condition set and, on request, one per
company (CIK) whose filing listing is read. The range is cut into chunks of `chunk_days`;
each chunk is a child flow run (`backfill-chunk`), so the dashboard shows progress chunk by
chunk and a failure costs one chunk, not the backfill. After every page the job's cursor
is saved (`store.checkpoints`): a crashed or cancelled backfill, run again with the same
parameters, skips finished chunks and continues each unfinished one from its last page.
Items and evidence are unique in the store, so a rerun stores nothing twice.

By default (`notify=False`) evidence is stored without queueing one alert per item (a
backfill can find hundreds) and one digest of the new confirming/contradicting evidence
goes to the configured targets at the end. `notify=True` queues and delivers alerts one
by one, exactly like the monitor.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

import httpx
from prefect import flow, get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact, acreate_progress_artifact, aupdate_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.concurrency.asyncio import rate_limit
from prefect.exceptions import ObjectNotFound

from alerts import deliver_message, render_digest
from claimwatch.settings import Settings, get_settings
from flows.monitor import deliver_alerts_task, resolve_notify_targets
from matchers import Matcher
from matchers.verdict import ALERTING_STANCES
from seeds import active_claims, load_claims
from sources import Item, SourceError, make_client
from sources.edgar import EFTS_RESULT_CAP, fetch_company_filings, fetch_filing_text, registry_keywords, search_filings
from sources.federal_register import search_documents
from sources.planning import (
    DEFAULT_SOURCE_KINDS,
    SOURCE_KINDS,
    BackfillConfigError,
    BackfillJob,
    Chunk,
    backfill_range,
    plan_jobs,
    select_claims,
    select_source_kinds,
    split_range,
)
from store import Repository, migrate, open_database
from store.checkpoints import Checkpoint, CheckpointStore
from store.records import EvidenceRecord

MAX_ALERT_ROUNDS = 50  # notify=True: the outbox hands out 100 alerts at a time
# Optional Prefect global concurrency limit shared by every worker process that talks to the SEC:
#   prefect gcl create sec-edgar --limit 5 --slot-decay-per-second 5
# (a rate limit: each slot decays instead of being released). When it exists, every EDGAR page
# takes a slot from it. It is only checked for once per chunk, because `rate_limit()` on a limit
# that was never created just logs a warning and lets the call through; the in-process limiter in
# sources.ratelimit holds on its own either way.
SEC_CONCURRENCY_LIMIT = "sec-edgar"


@dataclass(frozen=True, slots=True)
class JobResult:
    """What one job did in one chunk."""

    job_key: str
    kind: str
    since: date
    until: date
    status: Literal["done", "skipped", "failed"]  # skipped: a previous run finished this chunk
    pages: int = 0  # this run's pages
    items: int = 0
    new_items: int = 0
    new_evidence: tuple[EvidenceRecord, ...] = ()
    error_kind: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What every job did in one chunk; `error` is set when the chunk could not run at all."""

    since: date
    until: date
    jobs: tuple[JobResult, ...] = ()
    error: str | None = None

    @property
    def failed_jobs(self) -> list[JobResult]:
        """The jobs that stopped with an error in this chunk."""
        return [job for job in self.jobs if job.status == "failed"]

    @property
    def failed(self) -> bool:
        """True when the chunk or any of its jobs failed (a rerun resumes them)."""
        return bool(self.error or self.failed_jobs)


@dataclass(frozen=True, slots=True)
class BackfillSummary:
    """Counts and outcomes of one backfill run."""

    since: date
    until: date
    jobs: tuple[str, ...]
    chunks: tuple[ChunkResult, ...] = ()
    notify: bool = False
    digest_sent: int = 0  # targets that received the digest (notify=False)
    digest_failed: int = 0
    alerts_sent: int = 0  # notify=True
    alerts_failed: int = 0
    alerts_queued: int = 0

    @property
    def job_results(self) -> list[JobResult]:
        """Every job result of every chunk."""
        return [job for chunk in self.chunks for job in chunk.jobs]

    @property
    def pages(self) -> int:
        """Pages fetched by this run."""
        return sum(job.pages for job in self.job_results)

    @property
    def new_items(self) -> int:
        """Items this run stored for the first time."""
        return sum(job.new_items for job in self.job_results)

    @property
    def new_evidence(self) -> list[EvidenceRecord]:
        """Evidence this run recorded for the first time."""
        return [record for job in self.job_results for record in job.new_evidence]

    @property
    def failed_chunks(self) -> list[ChunkResult]:
        """Chunks with a failed job (or that failed outright)."""
        return [chunk for chunk in self.chunks if chunk.failed]

    def headline(self) -> str:
        """One sentence describing the run."""
        evidence = self.new_evidence
        decisive = sum(1 for record in evidence if record.stance in ALERTING_STANCES)
        failed = len(self.failed_chunks)
        alerts = (
            f"alerts: {self.alerts_sent} sent, {self.alerts_failed} failed, {self.alerts_queued} queued"
            if self.notify
            else f"digest sent to {self.digest_sent} target(s)" + (f", {self.digest_failed} failed" if self.digest_failed else "")
        )
        return (
            f"{self.since}..{self.until}: {len(self.jobs)} jobs x {len(self.chunks)} chunks, "
            f"{len(self.chunks) - failed} chunks ok, {self.pages} pages, {self.new_items} new items, "
            f"{len(evidence)} new evidence ({decisive} confirming/contradicting), {alerts}"
        )

    def as_json(self) -> dict[str, Any]:
        """A JSON-serialisable summary for the run history."""
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "jobs": list(self.jobs),
            "chunks": len(self.chunks),
            "failed_chunks": [f"{c.since}..{c.until}" for c in self.failed_chunks],
            "pages": self.pages,
            "new_items": self.new_items,
            "new_evidence": len(self.new_evidence),
            "errors": [
                {"job": j.job_key, "chunk": f"{j.since}..{j.until}", "kind": j.error_kind, "error": j.error}
                for j in self.job_results
                if j.status == "failed"
            ],
        }


class ChunkFailedError(RuntimeError):
    """A job failed in a chunk; the chunk's flow run fails, carrying what the other jobs did."""

    def __init__(self, result: ChunkResult):
        self.result = result
        failures = "; ".join(f"{job.job_key}: {job.error_kind}: {job.error}" for job in result.failed_jobs)
        super().__init__(f"backfill chunk {result.since}..{result.until} failed: {failures or result.error}")


class BackfillFailedError(RuntimeError):
    """Some chunks failed; the rest were stored. Carries the summary; rerunning resumes the failed ones."""

    def __init__(self, summary: BackfillSummary):
        self.summary = summary
        failures = sorted({f"{job.job_key} ({job.error_kind}: {job.error})" for job in summary.job_results
                           if job.status == "failed"})
        failures += [f"{c.since}..{c.until}: {c.error}" for c in summary.failed_chunks if c.error]
        super().__init__(
            f"{len(summary.failed_chunks)} of {len(summary.chunks)} backfill chunks failed: {'; '.join(failures)}. "
            "Everything else was stored; run the same backfill again to resume from the checkpoints."
        )


# -- progress -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """A job's progress in a chunk, for an in-process listener such as the CLI's progress bars."""

    job_key: str
    since: date
    until: date
    status: Literal["page", "done", "skipped", "failed"]
    pages: int = 0  # totals for this job and chunk, checkpointed ones included
    items: int = 0
    new_items: int = 0
    error: str | None = None


ProgressListener = Callable[[ProgressEvent], None]
_listeners: list[ProgressListener] = []


@contextlib.contextmanager
def progress_listener(listener: ProgressListener) -> Iterator[None]:
    """Call `listener` with every `ProgressEvent` of backfills run in this process while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def _report(event: ProgressEvent) -> None:
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:  # a display problem must never stop a backfill
            pass


# -- pages ----------------------------------------------------------------------------------------

PageCursor = dict[str, Any] | None  # None: the job is finished in this chunk


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _next_day(value: date) -> str:
    return (value + timedelta(days=1)).isoformat()


async def _edgar_search_pages(
    client: httpx.AsyncClient, job: BackfillJob, chunk: Chunk, cursor: Mapping[str, Any] | None, settings: Settings
) -> AsyncIterator[tuple[Sequence[Item], PageCursor]]:
    since = _day(cursor["since"]) if cursor else chunk.since
    resume: dict[str, Any] = {}
    if cursor and "next_from" in cursor:
        resume = {"start_from": int(cursor["next_from"]), "slice_until": _day(cursor["until"])}
    async for page in search_filings(client, job.query, since, chunk.until, settings=settings, forms=job.forms, **resume):
        if page.done:
            yield page.items, None
        elif page.next_from >= min(page.total, EFTS_RESULT_CAP):  # this date slice is finished
            yield page.items, {"since": _next_day(page.until)}
        else:
            yield page.items, {"since": page.since.isoformat(), "until": page.until.isoformat(), "next_from": page.next_from}


async def _federal_register_pages(
    client: httpx.AsyncClient, job: BackfillJob, chunk: Chunk, cursor: Mapping[str, Any] | None, settings: Settings
) -> AsyncIterator[tuple[Sequence[Item], PageCursor]]:
    since = _day(cursor["since"]) if cursor else chunk.since
    resume: dict[str, Any] = {}
    if cursor and cursor.get("next_url"):
        resume = {"start_url": str(cursor["next_url"]), "slice_until": _day(cursor["until"])}
    async for page in search_documents(
        client, settings=settings, since=since, until=chunk.until, term=job.term, agencies=job.agencies,
        types=job.types, **resume,
    ):
        if page.done:
            yield page.items, None
        elif not page.next_url:  # this date slice is finished
            yield page.items, {"since": _next_day(page.until)}
        else:
            yield page.items, {"since": page.since.isoformat(), "until": page.until.isoformat(), "next_url": page.next_url}


async def _edgar_filings_pages(
    client: httpx.AsyncClient, job: BackfillJob, chunk: Chunk, keywords: Sequence[str], settings: Settings
) -> AsyncIterator[tuple[Sequence[Item], PageCursor]]:
    # One listing per chunk: the submissions document is the company's whole recent history.
    filings = await fetch_company_filings(client, job.cik, settings=settings, forms=job.forms, since=chunk.since)
    items = []
    for filing in (f for f in filings if f.filed <= chunk.until):
        try:
            text = await fetch_filing_text(client, filing, settings=settings, keywords=keywords)
        except SourceError as exc:
            if exc.kind in ("rate_limited", "config"):
                raise  # every further SEC request would fail the same way
            text = ""  # one unreadable exhibit must not hide the filing itself
        items.append(filing.to_item(text))
    yield items, None


def _pages(
    client: httpx.AsyncClient, job: BackfillJob, chunk: Chunk, checkpoint: Checkpoint | None, settings: Settings,
    keywords: Sequence[str],
) -> AsyncIterator[tuple[Sequence[Item], PageCursor]]:
    cursor = checkpoint.cursor if checkpoint else None
    if job.kind == "edgar-search":
        return _edgar_search_pages(client, job, chunk, cursor, settings)
    if job.kind == "federal-register":
        return _federal_register_pages(client, job, chunk, cursor, settings)
    return _edgar_filings_pages(client, job, chunk, keywords, settings)


# -- tasks and flows ------------------------------------------------------------------------------


@task(name="backfill-job", task_run_name="{job.key} {chunk.since}..{chunk.until}", cache_policy=NO_CACHE)
async def backfill_job_task(
    job: BackfillJob,
    chunk: Chunk,
    repo: Repository,
    checkpoints: CheckpointStore,
    matcher: Matcher,
    client: httpx.AsyncClient,
    settings: Settings,
    notify: bool,
    keywords: Sequence[str] = (),
    sec_limit: bool = False,
) -> JobResult:
    """Run one job over one chunk from its checkpoint: store, match and record each page, then checkpoint it."""
    logger = get_run_logger()
    checkpoint = checkpoints.load(job.key, chunk.since, chunk.until)
    if checkpoint and checkpoint.done:
        _report(ProgressEvent(job.key, chunk.since, chunk.until, "skipped", checkpoint.pages_done,
                              checkpoint.items_seen, checkpoint.new_items))
        return JobResult(job.key, job.kind, chunk.since, chunk.until, "skipped")
    pages_done = checkpoint.pages_done if checkpoint else 0
    items_seen = checkpoint.items_seen if checkpoint else 0
    new_total = checkpoint.new_items if checkpoint else 0
    if checkpoint and checkpoint.cursor:
        logger.info("Resuming %s in %s..%s after %d pages", job.key, chunk.since, chunk.until, pages_done)
    pages = items = new_items = 0
    evidence: list[EvidenceRecord] = []
    paced = sec_limit and job.kind.startswith("edgar")
    try:
        if paced:
            await rate_limit(SEC_CONCURRENCY_LIMIT)
        async for page_items, cursor in _pages(client, job, chunk, checkpoint, settings, keywords):
            fresh = repo.add_items(page_items) if page_items else []
            # Only fresh items are matched: the rest already went through a matcher when first stored.
            verdicts = matcher.match(fresh) if fresh else []
            if verdicts:
                evidence.extend(repo.record_evidence(verdicts, queue_alerts=notify))
            pages, items, new_items = pages + 1, items + len(page_items), new_items + len(fresh)
            checkpoints.save(job.key, chunk.since, chunk.until, cursor=cursor, pages_done=pages_done + pages,
                             items_seen=items_seen + items, new_items=new_total + new_items)
            _report(ProgressEvent(job.key, chunk.since, chunk.until, "page", pages_done + pages,
                                  items_seen + items, new_total + new_items))
            if paced and cursor is not None:
                await rate_limit(SEC_CONCURRENCY_LIMIT)  # a slot for the next page's request
    except SourceError as exc:
        message = exc.message
        checkpoints.record_failure(job.key, chunk.since, chunk.until, f"{exc.kind}: {message}")
        logger.warning("Backfill job %s failed in %s..%s: %s: %s", job.key, chunk.since, chunk.until, exc.kind, message)
        _report(ProgressEvent(job.key, chunk.since, chunk.until, "failed", pages_done + pages, items_seen + items,
                              new_total + new_items, error=f"{exc.kind}: {message}"))
        return JobResult(job.key, job.kind, chunk.since, chunk.until, "failed", pages, items, new_items,
                         tuple(evidence), exc.kind, message)
    checkpoints.complete(job.key, chunk.since, chunk.until)
    _report(ProgressEvent(job.key, chunk.since, chunk.until, "done", pages_done + pages, items_seen + items,
                          new_total + new_items))
    return JobResult(job.key, job.kind, chunk.since, chunk.until, "done", pages, items, new_items, tuple(evidence))


async def _limit_exists(name: str) -> bool:
    async with get_client() as client:
        try:
            await client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            return False
    return True


def _settings(database_url: str | None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"database_url": database_url}) if database_url else settings


@flow(name="backfill-chunk", flow_run_name="backfill {since}..{until}")
async def backfill_chunk(
    since: date,
    until: date,
    sources: list[str] | None = None,
    claims: list[str] | None = None,
    notify: bool = False,
    database_url: str | None = None,
) -> ChunkResult:
    """Run every backfill job over one chunk; fail (after trying every job) when any job failed.

    The parent `backfill` flow calls this as a subflow, so each chunk is its own run in the
    dashboard. With a deployment of this flow the parent could `run_deployment` each chunk
    instead and spread them over workers; one process is enough while the SEC's 10 requests
    a second are the bottleneck.
    """
    settings = _settings(database_url)
    all_claims = load_claims(settings.claims_file)
    selected = select_claims(all_claims, claims)
    jobs = plan_jobs(selected, select_source_kinds(sources))
    database = open_database(settings.database_url)
    try:
        repo, checkpoints = Repository(database), CheckpointStore(database)
        # Every active claim competes for each item, as in the monitor: a filing found by one
        # claim's query is often evidence for another.
        matcher = Matcher(active_claims(all_claims), threshold=settings.match_threshold)
        chunk = Chunk(since, until)
        sec_limit = any(job.kind.startswith("edgar") for job in jobs) and await _limit_exists(SEC_CONCURRENCY_LIMIT)
        results = []
        async with make_client(settings) as client:
            for job in jobs:
                keywords = registry_keywords(c for c in selected if c.id in job.claim_ids)
                results.append(
                    await backfill_job_task(
                        job, chunk, repo, checkpoints, matcher, client, settings, notify, keywords, sec_limit
                    )
                )
    finally:
        database.dispose()
    result = ChunkResult(since, until, tuple(results))
    if result.failed:
        raise ChunkFailedError(result)
    return result


@task(name="deliver-digest", cache_policy=NO_CACHE)
def deliver_digest_task(evidence: Sequence[EvidenceRecord], settings: Settings) -> tuple[int, int]:
    """Send one digest of the new confirming/contradicting evidence to every target; return (ok, failed)."""
    # Targets are resolved here, not passed in: apprise URLs carry tokens and must never become
    # task parameters that the orchestrator could record.
    targets = resolve_notify_targets(settings)
    if not targets:
        return 0, 0
    results = deliver_message(render_digest(evidence), targets)
    ok = sum(1 for result in results if result.ok)
    return ok, len(results) - ok


def _progress_markdown(summary: BackfillSummary) -> str:
    lines = [f"## claimwatch backfill\n\n{summary.headline()}\n", "| job | chunk | status | pages | new items | error |",
             "|---|---|---|---|---|---|"]
    for job in summary.job_results:
        error = f"{job.error_kind}: {job.error}".replace("|", "/") if job.error else ""
        lines.append(f"| {job.job_key.replace('|', '/')} | {job.since}..{job.until} | {job.status} | {job.pages} | "
                     f"{job.new_items} | {error} |")
    return "\n".join(lines)


@flow(name="backfill", description="Replay EDGAR and Federal Register searches over a past date range, resumably.")
async def backfill(
    since: datetime,
    until: datetime | None = None,
    sources: list[str] | None = None,
    claims: list[str] | None = None,
    notify: bool = False,
    chunk_days: int = 31,
    database_url: str | None = None,
) -> BackfillSummary:
    """Backfill evidence from `since` to `until` (default now) chunk by chunk; fail at the end if a chunk failed."""
    logger = get_run_logger()
    settings = _settings(database_url)
    whole = backfill_range(since, until)
    kinds = select_source_kinds(sources)
    all_claims = load_claims(settings.claims_file)
    selected = select_claims(all_claims, claims)
    jobs = plan_jobs(selected, kinds)
    chunks = split_range(whole, chunk_days)
    if not jobs:
        raise BackfillConfigError(
            f"nothing to backfill: the selected claims have no {' or '.join(kinds)} searches in their watch sections"
        )

    migrate(settings.database_url)
    database = open_database(settings.database_url)
    repo = Repository(database)
    repo.sync_claims(all_claims)
    from prefect.runtime import flow_run

    run_id = repo.record_run("backfill", str(flow_run.id) if flow_run.id else None)
    logger.info("Backfilling %s..%s: %d jobs x %d chunks", whole.since, whole.until, len(jobs), len(chunks))
    progress_id = await acreate_progress_artifact(
        progress=0.0, key="backfill-progress", description=f"backfill {whole.since}..{whole.until}"
    )

    results: list[ChunkResult] = []
    for index, chunk in enumerate(chunks):
        try:
            result = await backfill_chunk(
                chunk.since, chunk.until, sources=list(kinds), claims=[c.id for c in selected], notify=notify,
                # Only an explicitly given URL travels as a parameter: the environment's may hold a password.
                database_url=database_url,
            )
        except ChunkFailedError as exc:
            result = exc.result
            logger.warning("%s", exc)
        except Exception as exc:  # the chunk could not even start (a database outage …): record, continue
            result = ChunkResult(chunk.since, chunk.until, error=f"{exc.__class__.__name__}: {exc}")
            logger.warning("Backfill chunk %s..%s failed: %s", chunk.since, chunk.until, result.error)
        results.append(result)
        await aupdate_progress_artifact(progress_id, progress=100.0 * (index + 1) / len(chunks))

    summary = BackfillSummary(whole.since, whole.until, tuple(job.key for job in jobs), tuple(results), notify=notify)
    if notify:
        sent = failed = 0
        queued = len(repo.pending_alerts())
        for _ in range(MAX_ALERT_ROUNDS):
            if not queued:
                break
            round_sent, round_failed, queued = deliver_alerts_task(repo, settings)
            sent, failed = sent + round_sent, failed + round_failed
            if not round_sent:
                break
        summary = _with(summary, alerts_sent=sent, alerts_failed=failed, alerts_queued=queued)
    else:
        decisive = [record for record in summary.new_evidence if record.stance in ALERTING_STANCES]
        if decisive:
            ok, failed = deliver_digest_task(decisive, settings)
            summary = _with(summary, digest_sent=ok, digest_failed=failed)

    repo.finish_run(run_id, "failed" if summary.failed_chunks else "completed", summary.as_json())
    database.dispose()
    logger.info("Backfill summary: %s", summary.headline())
    await acreate_markdown_artifact(_progress_markdown(summary), key="backfill-run", description=summary.headline())
    if summary.failed_chunks:
        raise BackfillFailedError(summary)
    return summary


def _with(summary: BackfillSummary, **changes: int) -> BackfillSummary:
    return replace(summary, **changes)


__all__ = [
    "DEFAULT_SOURCE_KINDS", "SOURCE_KINDS", "BackfillConfigError", "BackfillFailedError", "BackfillJob",
    "BackfillSummary", "Chunk", "ChunkFailedError", "ChunkResult", "JobResult", "ProgressEvent", "backfill",
    "backfill_chunk", "backfill_range", "plan_jobs", "progress_listener", "select_claims", "select_source_kinds",
    "split_range",
]
