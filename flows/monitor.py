"""The Prefect `monitor` flow: fetch sources -> match -> store evidence -> deliver alerts.

Tasks are deliberately coarse (one per source fetch, one per batch stage): a Prefect task
run costs a few milliseconds of API traffic, an item costs microseconds.

Sources are the feeds (the sources file plus search feeds derived from the claims) and,
unless `include_filings=False`, the filings sources planned from the claims in
`flows/filings.py`: new EDGAR filings and Federal Register documents inside the run's window,
and XBRL capex with its numeric verdicts. All of them are fetched concurrently under the
one `CLAIMWATCH_FETCH_CONCURRENCY` bound; SEC requests also share the SEC limiter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from alerts import deliver_alerts, target_fingerprint
from claimwatch.settings import Settings, get_settings
from flows.filings import (
    FilingSource,
    FilingsFetch,
    Window,
    fetch_filings_task,
    filings_window,
    plan_filing_sources,
    scheduled_start_of_this_run,
)
from flows.summary import AllSourcesFailedError, RunSummary, SourceResult
from matchers import Matcher, Verdict
from matchers import compiled as build
from matchers.clustering import SAME_STORY_WINDOW
from seeds import Claim, active_claims, load_claims
from sources import (
    FetchOutcome,
    FetchState,
    Item,
    RetryPolicy,
    SourceSpec,
    fetch_feed,
    load_sources,
    make_client,
    sources_for_claims,
)
from store import Repository, migrate, open_database
from store.records import EvidenceRecord


@task(name="fetch-source", task_run_name="fetch-{spec.id}", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
async def fetch_source_task(
    spec: SourceSpec, state: FetchState | None, client, max_bytes: int, attempts: int
) -> FetchOutcome:
    """Fetch and parse one source; source failures come back as an error outcome, not an exception."""
    return await fetch_feed(client, spec, state, max_bytes=max_bytes, retry=RetryPolicy(attempts=attempts))


@task(name="store-items", cache_policy=NO_CACHE)
def store_items_task(repo: Repository, outcomes: Sequence[FetchOutcome]) -> tuple[list[Item], list[SourceResult]]:
    """Record each source's fetch state and store its items; return the new items and per-source results."""
    new_items: list[Item] = []
    results: list[SourceResult] = []
    for outcome in outcomes:
        repo.record_fetch(outcome)
        fresh = repo.add_items(outcome.items) if outcome.items else []
        new_items.extend(fresh)
        results.append(
            SourceResult(
                source_id=outcome.source_id,
                status=outcome.status,
                items=len(outcome.items),
                new_items=len(fresh),
                error_kind=outcome.error_kind,
                error=outcome.error,
            )
        )
    return new_items, results


@task(name="match-items", cache_policy=NO_CACHE)
def match_items_task(items: Sequence[Item], claims: Sequence[Claim], threshold: float,
                     earlier: Sequence[tuple[Item, Verdict]] = ()) -> list[Verdict]:
    """Score a batch of items against every active claim; copies of stories stored lately join those stories."""
    # "sources: ... changed since the build" here explains a slower run (matchers.compiled).
    get_run_logger().info("matching %d items against %d claims (matcher: %s)", len(items), len(claims), build.STATE)
    return Matcher(claims, threshold=threshold).match(items, earlier)


@task(name="record-evidence", cache_policy=NO_CACHE)
def record_evidence_task(repo: Repository, verdicts: Sequence[Verdict]) -> list[EvidenceRecord]:
    """Store verdicts as evidence and queue alerts for new confirming/contradicting evidence."""
    return repo.record_evidence(verdicts)


@task(name="deliver-alerts", cache_policy=NO_CACHE)
def deliver_alerts_task(repo: Repository, settings: Settings) -> tuple[int, int, int]:
    """Deliver queued alerts to every configured target; return (sent, failed, still queued)."""
    # Targets are resolved here, not passed in: apprise URLs carry tokens and must never
    # become task parameters that an orchestrator could record.
    targets = resolve_notify_targets(settings)
    pending = repo.pending_alerts()
    if not targets:
        return 0, 0, len(pending)
    results = deliver_alerts(pending, targets)
    for result in results:
        repo.record_delivery(result.alert_id, result.target, result.ok, result.error)
    repo.finish_alerts([alert.alert_id for alert in pending], [target_fingerprint(url) for url in targets])
    sent = {r.alert_id for r in results if r.ok} - {r.alert_id for r in results if not r.ok}
    failed = {r.alert_id for r in results if not r.ok}
    return len(sent), len(failed), len(repo.pending_alerts())


def resolve_notify_targets(settings: Settings) -> list[str]:
    """Apprise URLs from CLAIMWATCH_NOTIFY_URLS plus, if named, a Prefect Secret block."""
    targets = list(settings.notify_url_list)
    if settings.notify_secret_block:
        from prefect.blocks.system import Secret

        raw = Secret.load(settings.notify_secret_block).get()
        values = raw if isinstance(raw, list) else str(raw).replace(",", " ").split()
        targets.extend(str(value) for value in values if value)
    return targets


def plan_sources(
    settings: Settings, claims: Sequence[Claim], derive_from_claims: bool, include_filings: bool = False
) -> list[SourceSpec]:
    """The enabled sources for a run: the sources file, search feeds derived from the claims, filings if asked."""
    specs = list(load_sources(settings.sources_file))
    if derive_from_claims:
        specs.extend(sources_for_claims(claims))
    if include_filings:
        specs.extend(source.spec for source in plan_filing_sources(settings, claims))
    unique: dict[str, SourceSpec] = {}
    for spec in specs:
        unique.setdefault(spec.id, spec)
    return [spec for spec in unique.values() if spec.enabled]


def _sec_config_note(results: Sequence[SourceResult], filings: Sequence[FilingSource]) -> str | None:
    sec = {source.spec.id for source in filings if source.needs_sec}
    skipped = [r for r in results if r.source_id in sec and r.error_kind == "config"]
    if not skipped:
        return None
    return f"{len(skipped)} SEC source(s) skipped: {skipped[0].error}"


def _every_source_unreachable(summary: RunSummary) -> bool:
    # Sources refused by configuration (no SEC contact e-mail) are a setup warning, not an
    # outage: the run fails only when every source failed and one of them really tried.
    return summary.all_sources_failed and any(s.error_kind != "config" for s in summary.failed_sources)


def _evidence_markdown(summary: RunSummary) -> str:
    lines = [f"## claimwatch run\n\n{summary.headline()}\n"]
    lines += [f"- {note}" for note in summary.notes]
    if summary.notes:
        lines.append("")
    if summary.failed_sources:
        lines.append("### Failed sources\n\n| source | error |\n|---|---|")
        lines += [f"| {s.source_id} | {s.error_kind}: {s.error} |" for s in summary.failed_sources]
        lines.append("")
    if summary.new_evidence:
        lines.append("### New evidence\n\n| claim | stance | score | headline | why |\n|---|---|---|---|---|")
        for e in summary.new_evidence:
            title = e.item.title.replace("|", "\\|")
            link = f"[{title}]({e.item.url})" if e.item.url else title
            lines.append(f"| {e.claim_id} | {e.stance} | {e.score:.2f} | {link} | {e.why.replace('|', '/')} |")
    return "\n".join(lines)


async def _monitor_cycle(
    repo: Repository,
    settings: Settings,
    derive_sources_from_claims: bool,
    notify: bool,
    include_filings: bool,
    as_of: datetime | None,
) -> RunSummary:
    """Fetch, store, match, record and deliver once; the flow around it records the run."""
    logger = get_run_logger()
    registry = load_claims(settings.claims_file)
    repo.sync_claims(registry)
    claims = active_claims(registry)
    specs = plan_sources(settings, claims, derive_sources_from_claims)
    filings = plan_filing_sources(settings, claims) if include_filings else []
    window = filings_window(settings.filings_lookback_days, as_of=as_of, scheduled_start=scheduled_start_of_this_run())
    repo.sync_sources([*specs, *(source.spec for source in filings)])
    logger.info("Monitoring %d feeds and %d filings sources for %d claims", len(specs), len(filings), len(claims))
    if filings:
        logger.info("Filings window: %s .. %s (UTC)", f"{window.since:%Y-%m-%d %H:%M}", f"{window.until:%Y-%m-%d %H:%M}")

    limit = asyncio.Semaphore(settings.fetch_concurrency)

    async def fetch_one(spec: SourceSpec) -> FetchOutcome:
        async with limit:
            state = repo.fetch_state(spec.id)
            return await fetch_source_task(spec, state, client, settings.max_response_bytes, settings.fetch_attempts)

    async def fetch_filings(source: FilingSource, window: Window) -> FilingsFetch:
        async with limit:
            return await fetch_filings_task(source, window, client, settings)

    async with make_client(settings) as client:
        feed_outcomes, filing_fetches = await asyncio.gather(
            asyncio.gather(*(fetch_one(spec) for spec in specs)),
            asyncio.gather(*(fetch_filings(source, window) for source in filings)),
        )

    outcomes = [*feed_outcomes, *(fetched.outcome for fetched in filing_fetches)]
    new_items, results = store_items_task(repo, outcomes)
    for result in results:
        if result.status == "error":
            logger.warning("Source %s failed: %s: %s", result.source_id, result.error_kind, result.error)
    notes = tuple(note for note in [_sec_config_note(results, filings)] if note)
    for note in notes:
        logger.warning("%s", note)
    # Items whose evidence is a computed number (the capex total) skip the text matcher.
    numeric_only = {item_id for fetched in filing_fetches for item_id in fetched.unmatched}
    to_match = [item for item in new_items if item.id not in numeric_only]
    verdicts: list[Verdict] = []
    if to_match:
        # A feed that carries a story 40 minutes after another feed did is the same story: it must not alert twice.
        earlier = repo.recent_verdicts(datetime.now(UTC) - SAME_STORY_WINDOW)
        verdicts = match_items_task(to_match, claims, settings.match_threshold, earlier)
    # Recorded every run: the store adds a verdict once and only updates it when it changed.
    verdicts = [*verdicts, *(verdict for fetched in filing_fetches for verdict in fetched.verdicts)]
    evidence = record_evidence_task(repo, verdicts) if verdicts else []
    sent = failed = 0
    queued = len(repo.pending_alerts())
    if notify:
        sent, failed, queued = deliver_alerts_task(repo, settings)

    return RunSummary(
        sources=tuple(results),
        new_items=len(new_items),
        new_evidence=tuple(evidence),
        alerts_sent=sent,
        alerts_failed=failed,
        alerts_queued=queued,
        notes=notes,
    )


@flow(name="monitor", description="Fetch sources, match new items against the claims, store evidence, alert.")
async def monitor(
    claims_file: str | None = None,
    sources_file: str | None = None,
    derive_sources_from_claims: bool = True,
    notify: bool = True,
    database_url: str | None = None,
    include_filings: bool = True,
    as_of: datetime | None = None,
) -> RunSummary:
    """Run one monitoring cycle; fail only when every source failed.

    Filings are read over `[as_of - CLAIMWATCH_FILINGS_LOOKBACK_DAYS, as_of]`, where `as_of` is
    the given time, else the time a scheduled/deployment run was scheduled for, else now.
    """
    logger = get_run_logger()
    settings = get_settings()
    overrides = {
        key: value
        for key, value in {"claims_file": claims_file, "sources_file": sources_file, "database_url": database_url}.items()
        if value
    }
    if overrides:
        settings = settings.model_copy(update={k: Path(v) if k.endswith("_file") else v for k, v in overrides.items()})

    migrate(settings.database_url)
    repo = Repository(open_database(settings.database_url))
    run_id = repo.record_run("monitor", str(flow_run.get_id()) if flow_run.get_id() else None)
    try:
        summary = await _monitor_cycle(repo, settings, derive_sources_from_claims, notify, include_filings, as_of)
    except BaseException as exc:
        repo.finish_run(run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"[:1000]})
        raise
    unreachable = _every_source_unreachable(summary)
    repo.finish_run(run_id, "failed" if unreachable else "completed", summary.as_json())
    logger.info("Run summary: %s", summary.headline())
    await acreate_markdown_artifact(_evidence_markdown(summary), key="monitor-run", description=summary.headline())
    if unreachable:
        raise AllSourcesFailedError(summary)
    return summary
