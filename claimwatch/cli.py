"""The `claimwatch` command line: a thin layer over the same functions the flows call."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

# Prefect's anonymous telemetry heartbeat also writes to its local SQLite database and
# collides with flow runs ("database is locked"); claimwatch never needs it.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# One "Finished in state Completed()" line per source fetch buries the run summary; task
# states still show in the dashboard. Set the variable to INFO to get those lines back.
os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "WARNING")
# Without PREFECT_API_URL each command starts a temporary Prefect API, which must answer within this many
# seconds (Prefect's default is 20). A busy 2-core machine creating a fresh Prefect home takes longer and the
# run failed with "Timed out while attempting to connect to ephemeral Prefect API server".
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

app = typer.Typer(help="Watch news and filings for evidence about tracked claims.", no_args_is_help=True, add_completion=False)
claims_app = typer.Typer(help="The claim registry.", no_args_is_help=True)
evidence_app = typer.Typer(help="Stored evidence.", no_args_is_help=True)
sources_app = typer.Typer(help="Configured sources.", no_args_is_help=True)
app.add_typer(claims_app, name="claims")
app.add_typer(evidence_app, name="evidence")
app.add_typer(sources_app, name="sources")

console = Console()
err = Console(stderr=True, soft_wrap=True)

STANCE_STYLE = {"confirms": "green", "contradicts": "red", "mentions": "dim"}
STATUS_STYLE = {"confirmed": "green", "contradicted": "red", "disputed": "yellow", "due": "magenta"}


def _settings(**overrides):
    from claimwatch.settings import get_settings

    settings = get_settings()
    update = {key: value for key, value in overrides.items() if value is not None}
    return settings.model_copy(update=update) if update else settings


def _repository(settings):
    from store import Repository, migrate, open_database

    migrate(settings.database_url)
    return Repository(open_database(settings.database_url))


def _fail(message: str, code: int = 1) -> None:
    err.print(Text.assemble(("error: ", "bold red"), message))
    raise typer.Exit(code)


def _cell(value: object, style: str = "") -> Text:
    """A table cell that never interprets markup: headlines come from untrusted feeds."""
    return Text(str(value), style=style)


def _load_claims_or_exit(path: Path):
    from seeds import ClaimsFileError, load_claims

    try:
        return load_claims(path)
    except ClaimsFileError as exc:
        _fail(str(exc))


def _parse_time(value: Optional[str], option: str) -> Optional[dt.datetime]:
    """A --since/--until value: a date or ISO timestamp; without a zone it is UTC (a date: midnight UTC)."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        _fail(f"{option} {value!r} is not a date (use YYYY-MM-DD or an ISO timestamp)", 2)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def print_summary(summary, *, max_rows: int = 25) -> None:
    """Print a run summary: sources (failures grouped by reason when there are many), then new evidence."""
    from collections import Counter

    table = Table(title="Sources")
    for column in ("source", "status", "items", "new", "error"):
        table.add_column(column)
    shown = summary.sources if len(summary.sources) <= max_rows else [s for s in summary.sources if s.status != "error"]
    for s in shown:
        style = "red" if s.status == "error" else ("dim" if s.status == "not_modified" else "green")
        error = f"{s.error_kind}: {s.error}" if s.error_kind else ""
        table.add_row(_cell(s.source_id), _cell(s.status, style), _cell(s.items), _cell(s.new_items), _cell(error))
    if shown:
        console.print(table)
    if len(shown) < len(summary.sources):
        reasons = Counter(f"{s.error_kind}: {s.error}" for s in summary.failed_sources)
        grouped = Table(title=f"Failed sources ({len(summary.failed_sources)}), by reason")
        grouped.add_column("sources", justify="right")
        grouped.add_column("reason")
        grouped.add_column("for example")
        for reason, count in reasons.most_common():
            example = next(s.source_id for s in summary.failed_sources if f"{s.error_kind}: {s.error}" == reason)
            grouped.add_row(_cell(count), _cell(reason, "red"), _cell(example))
        console.print(grouped)
    if summary.new_evidence:
        print_evidence(summary.new_evidence, title="New evidence")
    console.print(Text(summary.headline()))


def print_evidence(records, title: str = "Evidence") -> None:
    """Print evidence records as a table, one row per story (the same story from several feeds is one row)."""
    from store.records import one_per_story

    table = Table(title=title)
    for column in ("claim", "stance", "score", "published", "headline", "source"):
        table.add_column(column, overflow="fold")
    for e, copies in one_per_story(records):
        published = e.item.published.strftime("%Y-%m-%d") if e.item.published else "—"
        style = STANCE_STYLE.get(e.stance, "")
        source = e.item.publisher or e.item.source
        if copies:
            source += f" (+{copies} more {'feed' if copies == 1 else 'feeds'})"
        table.add_row(
            _cell(e.claim_id), _cell(e.stance, style), _cell(f"{e.score:.2f}"), _cell(published), _cell(e.item.title),
            _cell(source),
        )
    console.print(table)


@app.command()
def run(
    claims: Optional[Path] = typer.Option(None, help="claims YAML (default: CLAIMWATCH_CLAIMS_FILE)"),
    sources: Optional[Path] = typer.Option(None, help="sources YAML (default: CLAIMWATCH_SOURCES_FILE)"),
    derive: bool = typer.Option(True, help="also watch the search feeds derived from the claims"),
    notify: bool = typer.Option(True, help="deliver alerts now (otherwise they stay queued)"),
    filings: bool = typer.Option(True, help="also read new EDGAR filings, Federal Register documents and XBRL capex"),
) -> None:
    """Run one monitoring cycle now (a Prefect flow run) and print its summary."""
    from sources import SourcesFileError, load_sources

    # Check the two input files before paying for Prefect's start-up: a broken file is one sentence.
    settings = _settings(claims_file=claims, sources_file=sources)
    _load_claims_or_exit(settings.claims_file)
    try:
        load_sources(settings.sources_file)
    except SourcesFileError as exc:
        _fail(str(exc))

    from flows.monitor import monitor
    from flows.summary import AllSourcesFailedError

    try:
        summary = asyncio.run(
            monitor(
                claims_file=str(claims) if claims else None,
                sources_file=str(sources) if sources else None,
                derive_sources_from_claims=derive,
                notify=notify,
                include_filings=filings,
            )
        )
    except AllSourcesFailedError as exc:
        print_summary(exc.summary)
        _fail(str(exc))
    print_summary(summary)
    for note in summary.notes:
        err.print(Text.assemble(("warning: ", "yellow"), note))
    if summary.failed_sources:
        err.print(f"[yellow]warning:[/] {len(summary.failed_sources)} of {len(summary.sources)} sources failed")


@app.command()
def serve(
    interval_minutes: Optional[int] = typer.Option(None, help="monitor interval (default CLAIMWATCH_SCHEDULE_MINUTES, 15)"),
) -> None:
    """Serve the monitor (on a schedule) and backfill deployments until interrupted."""
    from flows.deployments import serve_deployments

    serve_deployments(interval_minutes or _settings().schedule_minutes)


@app.command()
def demo(
    output: Path = typer.Option(Path("demo-output"), help="folder for the demo database and alert log"),
) -> None:
    """Run the real monitor flow offline against a bundled corpus served on 127.0.0.1."""
    from claimwatch.demo import run_demo

    run_demo(output, console)


@app.command()
def match(
    claims: Path = typer.Option(..., "--claims", help="claims YAML"),
    items: Path = typer.Option(..., "--items", help="items JSONL (id, title, summary?, url?, published?, source?)"),
    out: Optional[Path] = typer.Option(None, "--out", help="write JSON lines here instead of stdout"),
) -> None:
    """Score items against claims offline; one JSON line per related (item, claim) pair."""
    from claimwatch.offline import OfflineFileError, match_files

    _load_claims_or_exit(claims)
    stream = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        for line in match_files(claims, items):
            stream.write(json.dumps(line, ensure_ascii=False) + "\n")
    except OfflineFileError as exc:
        _fail(str(exc))
    finally:
        if out:
            stream.close()


@app.command("eval")
def evaluate(
    claims: Path = typer.Option(..., "--claims", help="claims YAML"),
    items: Path = typer.Option(..., "--items", help="items JSONL"),
    labels: Path = typer.Option(..., "--labels", help="labels JSONL (item_id, claim_id, label)"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Measure matching quality: relevance/stance P/R/F1, opposite-stance alerts, confusion matrix."""
    from claimwatch.offline import OfflineFileError, evaluate_files, format_report

    _load_claims_or_exit(claims)
    try:
        report = evaluate_files(claims, items, labels)
    except OfflineFileError as exc:
        _fail(str(exc))
    typer.echo(format_report(report, as_json=as_json))


@app.command()
def rematch(
    claim: Optional[list[str]] = typer.Option(None, "--claim", help="only these claim ids (repeatable)"),
    notify: bool = typer.Option(False, help="queue alerts for evidence found by the rematch"),
) -> None:
    """Re-score stored items against the current claims (after adding or editing claims)."""
    from claimwatch.maintenance import rematch_stored_items

    settings = _settings()
    claims = _load_claims_or_exit(settings.claims_file)
    repo = _repository(settings)
    repo.sync_claims(claims)
    try:
        report = rematch_stored_items(repo, claims, claim_ids=claim or None, threshold=settings.match_threshold, queue_alerts=notify)
    except KeyError as exc:
        _fail(f"unknown claim id {exc.args[0]!r}")
    console.print(report.headline())


@app.command()
def backfill(
    since: str = typer.Option(..., help="first day (YYYY-MM-DD, or an ISO timestamp; dates are UTC midnight)"),
    until: Optional[str] = typer.Option(None, help="last day (default: now)"),
    source: Optional[list[str]] = typer.Option(
        None, "--source", help="edgar-search, federal-register or edgar-filings (repeatable; default: the first two)"
    ),
    claim: Optional[list[str]] = typer.Option(None, "--claim", help="only these claim ids (repeatable)"),
    notify: bool = typer.Option(False, help="alert per evidence like the monitor (default: one digest at the end)"),
    chunk_days: int = typer.Option(31, min=1, help="days per chunk (each chunk is one child flow run)"),
) -> None:
    """Search filings and the Federal Register over a past date range (a Prefect flow run; resumes when rerun)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from flows.backfill import BackfillConfigError, BackfillFailedError, ProgressEvent, progress_listener
    from flows.backfill import backfill as backfill_flow

    start, end = _parse_time(since, "--since"), _parse_time(until, "--until")
    bars: dict[str, int] = {}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[detail]}"),
        console=err, transient=False,
    ) as progress:

        def show(event: ProgressEvent) -> None:
            # One bar per job; it advances by one chunk each time the job finishes (or skips) a chunk.
            if event.job_key not in bars:
                bars[event.job_key] = progress.add_task(Text(event.job_key).plain, total=None, detail="")
            bar = bars[event.job_key]
            detail = f"{event.since}..{event.until}: {event.pages} pages, {event.new_items} new items"
            if event.status == "failed":
                detail = f"{event.since}..{event.until}: failed ({event.error})"
            progress.update(bar, detail=detail, advance=0 if event.status == "page" else 1)

        try:
            with progress_listener(show):
                summary = asyncio.run(
                    backfill_flow(since=start, until=end, sources=source or None, claims=claim or None,
                                  notify=notify, chunk_days=chunk_days)
                )
        except BackfillConfigError as exc:
            _fail(str(exc), 2)
        except BackfillFailedError as exc:
            progress.stop()
            _print_backfill(exc.summary)
            _fail(str(exc))
    _print_backfill(summary)


def _print_backfill(summary) -> None:
    table = Table(title="Backfill")
    for column in ("job", "chunks done", "skipped", "failed", "pages", "new items", "last error"):
        table.add_column(column, overflow="fold")
    for key in summary.jobs:
        results = [job for job in summary.job_results if job.job_key == key]
        count = {status: sum(1 for job in results if job.status == status) for status in ("done", "skipped", "failed")}
        errors = [f"{job.error_kind}: {job.error}" for job in results if job.error]
        table.add_row(
            _cell(key), _cell(count["done"], "green"), _cell(count["skipped"], "dim"),
            _cell(count["failed"], "red" if count["failed"] else ""), _cell(sum(job.pages for job in results)),
            _cell(sum(job.new_items for job in results)), _cell(errors[-1] if errors else ""),
        )
    console.print(table)
    if summary.new_evidence:
        print_evidence(summary.new_evidence, title="New evidence")
    console.print(Text(summary.headline()))


@app.command()
def runs(limit: int = typer.Option(20, help="at most this many runs, newest first")) -> None:
    """Recent monitor and backfill runs recorded in the store, with their outcome."""
    repo = _repository(_settings())
    rows = repo.list_runs(limit=limit)
    if not rows:
        console.print("No runs recorded yet: `claimwatch run` starts one.")
        return
    table = Table(title="Runs")
    for column in ("started (UTC)", "kind", "status", "took", "summary"):
        table.add_column(column, overflow="fold")
    for row in rows:
        took = f"{(row.finished_at - row.started_at).total_seconds():.0f} s" if row.finished_at else "—"
        summary = row.summary or {}
        text = summary.get("headline") or summary.get("error") or ""
        if not text and "pages" in summary:  # a backfill
            text = (f"{summary.get('since', '')[:10]} .. {summary.get('until', '')[:10]}: {summary['pages']} pages, "
                    f"{summary.get('new_items', 0)} new items, {summary.get('new_evidence', 0)} new evidence, "
                    f"{len(summary.get('failed_chunks', []))} failed chunks")
        style = {"failed": "red", "running": "yellow"}.get(row.status, "green")
        table.add_row(_cell(f"{row.started_at:%Y-%m-%d %H:%M}"), _cell(row.kind), _cell(row.status, style), _cell(took),
                      _cell(text))
    console.print(table)


@claims_app.command("list")
def claims_list() -> None:
    """List the claims with their status and evidence counts."""
    settings = _settings()
    claims = _load_claims_or_exit(settings.claims_file)
    repo = _repository(settings)
    repo.sync_claims(claims)
    table = Table(title=f"Claims ({settings.claims_file})")
    for column in ("id", "family", "status", "+", "−", "~", "statement"):
        table.add_column(column, overflow="fold")
    for row in repo.list_claims():
        if row.retired:
            continue
        style = STATUS_STYLE.get(row.status, "")
        table.add_row(
            _cell(row.id), _cell(row.family), _cell(row.status, style), _cell(row.confirms), _cell(row.contradicts),
            _cell(row.mentions), _cell(row.statement),
        )
    console.print(table)


@claims_app.command("show")
def claims_show(claim_id: str = typer.Argument(..., help="claim id")) -> None:
    """Show one claim: statement, quote, speaker, status and the latest evidence both ways."""
    from seeds import linked_claims

    settings = _settings()
    claims = _load_claims_or_exit(settings.claims_file)
    repo = _repository(settings)
    repo.sync_claims(claims)
    detail = repo.claim_detail(claim_id)
    if detail is None:
        _fail(f"no claim with id {claim_id!r} (see `claimwatch claims list`)")
    claim, status = detail.claim, detail.status
    style = STATUS_STYLE.get(status, "")
    console.print(Text.assemble((claim["id"], "bold"), "  ", (status, style), "  (retired)" if detail.summary.retired else ""))
    console.print(Text(claim["statement"]))
    for label, key in (("speaker", "speaker"), ("said on", "said_on"), ("document", "document"), ("horizon", "horizon"),
                       ("check after", "check_after")):
        if claim.get(key):
            console.print(Text.assemble((f"{label}: ", "dim"), str(claim[key])))
    # A link is declared on either side (`Claim.linked`); both claims show it.
    linked = sorted({*claim.get("linked", ()), *linked_claims(claims).get(claim_id, ())})
    if linked:
        console.print(Text.assemble(("linked (terms of one agreement): ", "dim"), ", ".join(linked)))
    if claim.get("quote"):
        console.print(Text.assemble(("quote: ", "dim"), f"“{claim['quote']}”"))
    if claim.get("quantity"):
        quantity = claim["quantity"]
        per = f"/{quantity['per']}" if quantity.get("per") else ""
        console.print(f"[dim]quantity:[/] {quantity['value']:g} {quantity['unit']}{per}")
    for stance in ("confirms", "contradicts"):
        records = detail.latest.get(stance, ())
        if records:
            print_evidence(records, title=f"Latest evidence that {stance} it")
        else:
            console.print(f"[dim]No evidence yet that {stance} it.[/]")


@claims_app.command("validate")
def claims_validate(path: Path = typer.Argument(..., help="claims YAML to check")) -> None:
    """Validate a claims file; exit non-zero with the claim and field at fault."""
    claims = _load_claims_or_exit(path)
    retired = sum(1 for claim in claims if claim.retired)
    console.print(f"[green]ok[/]: {len(claims)} claims ({retired} retired) in {path}")


@claims_app.command("sync")
def claims_sync() -> None:
    """Store the claims file in the database: add, update and retire claims (evidence is kept)."""
    settings = _settings()
    claims = _load_claims_or_exit(settings.claims_file)
    result = _repository(settings).sync_claims(claims)
    console.print(
        f"claims synced: {len(result.added)} added, {len(result.updated)} updated, "
        f"{len(result.retired)} retired, {len(result.unchanged)} unchanged"
    )
    if result.added or result.updated:
        console.print("Run `claimwatch rematch` to re-score stored items against new or edited claims.")


@evidence_app.command("list")
def evidence_list(
    claim: Optional[str] = typer.Option(None, "--claim", help="claim id"),
    stance: Optional[str] = typer.Option(None, "--stance", help="confirms | contradicts | mentions"),
    since: Optional[str] = typer.Option(None, "--since", help="only evidence found since this date"),
    limit: int = typer.Option(50, help="at most this many rows"),
) -> None:
    """List stored evidence, newest first."""
    if stance is not None and stance not in STANCE_STYLE:
        _fail(f"--stance must be confirms, contradicts or mentions, not {stance!r}", 2)
    repo = _repository(_settings())
    records = repo.list_evidence(claim_id=claim, stance=stance, since=_parse_time(since, "--since"), limit=limit)
    if not records:
        console.print("No evidence stored yet matches that.")
        return
    print_evidence(records)


@sources_app.command("list")
def sources_list(derive: bool = typer.Option(True, help="include search feeds derived from the claims")) -> None:
    """List the configured sources with their last fetch status."""
    from flows.monitor import plan_sources
    from seeds import active_claims

    settings = _settings()
    claims = active_claims(_load_claims_or_exit(settings.claims_file))
    specs = plan_sources(settings, claims, derive, include_filings=True)
    repo = _repository(settings)
    repo.sync_sources(specs)
    stored = {row.id: row for row in repo.list_sources()}
    table = Table(title="Sources")
    for column in ("id", "kind", "last fetch", "status", "error", "url"):
        table.add_column(column, overflow="fold")
    for spec in specs:
        row = stored.get(spec.id)
        fetched = row.last_fetched_at.strftime("%Y-%m-%d %H:%M") if row and row.last_fetched_at else "never"
        status = (row.last_status or "—") if row else "—"
        error = f"{row.last_error_kind}: {row.last_error}" if row and row.last_error_kind else ""
        table.add_row(_cell(spec.id), _cell(spec.kind), _cell(fetched), _cell(status), _cell(error), _cell(spec.url))
    console.print(table)


@sources_app.command("check")
def sources_check(derive: bool = typer.Option(False, help="also check the search feeds derived from the claims")) -> None:
    """Fetch every source once (nothing is stored) and report what each returns."""
    from flows.monitor import plan_sources
    from seeds import active_claims
    from sources import fetch_feed, make_client

    settings = _settings()
    specs = plan_sources(settings, active_claims(_load_claims_or_exit(settings.claims_file)), derive)

    async def check_all():
        async with make_client(settings) as client:
            return await asyncio.gather(*(fetch_feed(client, s, None, max_bytes=settings.max_response_bytes) for s in specs))

    outcomes = asyncio.run(check_all())
    table = Table(title="Source check")
    for column in ("id", "status", "items", "error"):
        table.add_column(column, overflow="fold")
    for outcome in outcomes:
        style = "red" if outcome.status == "error" else "green"
        error = f"{outcome.error_kind}: {outcome.error}" if outcome.error_kind else ""
        table.add_row(_cell(outcome.source_id), _cell(outcome.status, style), _cell(len(outcome.items)), _cell(error))
    console.print(table)
    if outcomes and all(o.status == "error" for o in outcomes):
        _fail("every source failed: check the network connection")
