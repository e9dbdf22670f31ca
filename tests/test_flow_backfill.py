"""The backfill flow end to end: paged EDGAR full-text search and Federal Register fixtures on 127.0.0.1
-> backfill (chunked child flow runs, checkpoints) -> database -> a digest or per-evidence alerts."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from apprise.plugins.slack import NotifySlack
from filings_server import RoutedServer, Seen
from sqlalchemy import func, select
from typer.testing import CliRunner
from webhook_receiver import WebhookReceiver, refuse_public_hosts

from claimwatch.cli import app
from flows.backfill import BackfillFailedError, backfill
from seeds import load_claims
from sources.planning import BackfillConfigError, Chunk, backfill_range, plan_jobs, select_claims, split_range
from store import Repository, open_database
from store.checkpoints import CheckpointStore
from store.models import Alert, StoredItem

FIXTURES = Path(__file__).parent / "fixtures" / "backfill"
HITS = json.loads((FIXTURES / "efts_hits.json").read_text(encoding="utf-8"))["hits"]
DOCUMENTS = json.loads((FIXTURES / "fr_documents.json").read_text(encoding="utf-8"))["results"]
PAGE = 2  # both fixture APIs answer two results a page, so two-page chunks are cheap to build
CLAIMS = ["nvidia-openai-investment-100b", "h1b-fee-100k"]  # one EDGAR query and one FR condition set
SINCE, UNTIL = "2025-09-01", "2025-10-31"  # 31-day chunks: Sep 1-Oct 1 (2 pages each), Oct 2-31 (1 page each)
SLACK_TOKEN = "SlackSecretTokenBackfill7"


class FilingsFixtures:
    """EFTS and Federal Register answers filtered by the requested dates and paged like the real APIs."""

    def __init__(self) -> None:
        self.broken: set[tuple[str, int]] = set()  # (api, page) answered with a proxy error page
        self.hang: set[tuple[str, int]] = set()  # (api, page) that waits until `release` is set
        self.release = threading.Event()
        self.server = RoutedServer(self.route)

    def route(self, request: Seen):
        if request.path == "/LATEST/search-index":
            return self._efts(request)
        if request.path == "/api/v1/documents.json":
            return self._register(request)
        return None

    def _efts(self, request: Seen):
        low, high = (date.fromisoformat(request.query[name][0]) for name in ("startdt", "enddt"))
        forms = set(request.query.get("forms", [""])[0].split(","))
        hits = [h for h in HITS if low <= date.fromisoformat(h["_source"]["file_date"]) <= high
                and h["_source"]["root_forms"][0] in forms]
        start = int(request.query["from"][0])
        if ("efts", start // PAGE + 1) in self.broken:
            return 200, b"<html><body>502 Bad Gateway (proxy)</body></html>", "text/html"
        body = {"hits": {"total": {"value": len(hits), "relation": "eq"}, "hits": hits[start : start + PAGE]}}
        return 200, json.dumps(body).encode(), "application/json"

    def _register(self, request: Seen):
        low = date.fromisoformat(request.query["conditions[publication_date][gte]"][0])
        high = date.fromisoformat(request.query["conditions[publication_date][lte]"][0])
        documents = sorted((d for d in DOCUMENTS if low <= date.fromisoformat(d["publication_date"]) <= high),
                           key=lambda d: d["publication_date"], reverse=True)
        page = int(request.query.get("page", ["1"])[0])
        if ("register", page) in self.hang:
            self.release.wait(timeout=60)
        if ("register", page) in self.broken:
            return 200, b"<html><body>502 Bad Gateway (proxy)</body></html>", "text/html"
        body: dict = {"count": len(documents), "results": documents[(page - 1) * PAGE : page * PAGE]}
        if page * PAGE < len(documents):
            query = [(key, value) for key, values in request.query.items() if key != "page" for value in values]
            # The real API names its own host here; the source moves it onto the configured one.
            body["next_page_url"] = "https://www.federalregister.gov/api/v1/documents.json?" + urlencode(
                query + [("page", str(page + 1))]
            )
        return 200, json.dumps(body).encode(), "application/json"

    def requests(self, api: str) -> list[Seen]:
        path = "/LATEST/search-index" if api == "efts" else "/api/v1/documents.json"
        return [seen for seen in self.server.seen if seen.path == path]


def in_range(value: str) -> bool:
    return SINCE <= value[:10] <= UNTIL


EXPECTED_ACCESSIONS = {h["_source"]["adsh"] for h in HITS if in_range(h["_source"]["file_date"])}
EXPECTED_DOCUMENTS = {d["document_number"] for d in DOCUMENTS if in_range(d["publication_date"])}


@pytest.fixture
def filings(monkeypatch: pytest.MonkeyPatch):
    refuse_public_hosts(monkeypatch)
    fixtures = FilingsFixtures()
    with fixtures.server:
        monkeypatch.setenv("CLAIMWATCH_SEC_EFTS_BASE", fixtures.server.base_url)
        monkeypatch.setenv("CLAIMWATCH_FEDERAL_REGISTER_BASE", fixtures.server.base_url)
        monkeypatch.setenv("CLAIMWATCH_CONTACT_EMAIL", "ops@claimwatch.example")
        monkeypatch.setenv("CLAIMWATCH_SEC_RATE", "10")
        monkeypatch.setenv("CLAIMWATCH_FEDERAL_REGISTER_RATE", "50")
        monkeypatch.setenv("CLAIMWATCH_HTTP_TIMEOUT", "5")
        monkeypatch.setenv("CLAIMWATCH_NOTIFY_URLS", "")
        yield fixtures


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database for tests whose subject is not the backend (the checkpoint tests run on both)."""
    return f"sqlite:///{tmp_path / 'claimwatch.db'}"


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch):
    # Apprise posts Slack webhooks to the class attribute `webhook_url`: point it at 127.0.0.1.
    with WebhookReceiver() as receiver:
        monkeypatch.setattr(NotifySlack, "webhook_url", f"{receiver.base_url}/services")
        monkeypatch.setenv("CLAIMWATCH_NOTIFY_URLS", f"slack://T000BF001/B000BF002/{SLACK_TOKEN}")
        yield receiver


def stored(db_url: str) -> tuple[set[str], set[str], int]:
    """(accession numbers, FR document numbers, item count) in the store."""
    database = open_database(db_url)
    with database.engine.connect() as db:
        extras = [dict(row) for row in db.execute(select(StoredItem.extra)).scalars()]
        count = db.execute(select(func.count()).select_from(StoredItem)).scalar_one()
    database.dispose()
    return ({e["accession"] for e in extras if "accession" in e},
            {e["document_number"] for e in extras if "document_number" in e}, count)


def run_backfill(db_url: str, **kwargs):
    params = {"since": datetime(2025, 9, 1, tzinfo=UTC), "until": datetime(2025, 10, 31, tzinfo=UTC),
              "claims": CLAIMS, "database_url": db_url} | kwargs
    return asyncio.run(backfill(**params))


# -- planning (no flow runs) ----------------------------------------------------------------------


def test_jobs_come_from_the_registry_one_per_distinct_search() -> None:
    claims = select_claims(load_claims(), ["oracle-openai-300b", "coreweave-openai-buildout", "h1b-fee-100k",
                                           "us-export-controls-china-ai-chips"])
    jobs = plan_jobs(claims, ["edgar-search", "federal-register"])
    keys = [job.key for job in jobs]
    # Oracle and CoreWeave both search "OpenAI": one job with the union of their forms.
    assert keys[0] == 'edgar-search:"OpenAI" 8-K,10-Q,10-K'
    assert jobs[0].claim_ids == ("oracle-openai-300b", "coreweave-openai-buildout")
    assert [job.kind for job in jobs] == ["edgar-search", "federal-register", "federal-register"]
    assert jobs[2].term == '"advanced computing" | "export administration regulations"'
    assert jobs[2].agencies == ("industry-and-security-bureau",) and jobs[2].types == ("PRORULE", "RULE")
    filings = plan_jobs(claims, ["edgar-filings"])
    assert [job.key for job in filings] == ["edgar-filings:CIK0001341439 8-K,10-Q", "edgar-filings:CIK0001769628 8-K,10-Q,10-K"]


def test_unknown_claims_and_sources_are_refused_by_name() -> None:
    with pytest.raises(BackfillConfigError, match="no active claim no-such-claim"):
        select_claims(load_claims(), ["no-such-claim"])
    from sources.planning import select_source_kinds

    with pytest.raises(BackfillConfigError, match="unknown backfill source rss"):
        select_source_kinds(["rss"])


def test_dates_and_naive_times_mean_utc_and_an_inverted_range_is_an_error() -> None:
    assert backfill_range(date(2025, 9, 1), datetime(2025, 9, 30, 23, 0)) == Chunk(date(2025, 9, 1), date(2025, 9, 30))
    # 01:30 in Berlin on Sep 1 is still Aug 31 in UTC.
    berlin = datetime.fromisoformat("2025-09-01T01:30:00+02:00")
    assert backfill_range(berlin, None, now=datetime(2025, 9, 2, tzinfo=UTC)).since == date(2025, 8, 31)
    with pytest.raises(BackfillConfigError, match="starts .* after it ends"):
        backfill_range(date(2025, 10, 1), date(2025, 9, 1))


def test_the_range_is_cut_into_chunks_of_chunk_days_with_a_shorter_last_one() -> None:
    chunks = split_range(Chunk(date(2025, 9, 1), date(2025, 10, 31)), 31)
    assert chunks == [Chunk(date(2025, 9, 1), date(2025, 10, 1)), Chunk(date(2025, 10, 2), date(2025, 10, 31))]
    assert split_range(Chunk(date(2025, 9, 1), date(2025, 9, 1)), 31) == [Chunk(date(2025, 9, 1), date(2025, 9, 1))]
    with pytest.raises(BackfillConfigError):
        split_range(chunks[0], 0)


# -- flow runs ------------------------------------------------------------------------------------


@pytest.mark.flow
def test_backfill_stores_each_document_once_sends_one_digest_and_a_rerun_adds_and_sends_nothing(
    prefect_harness, db_url: str, filings: FilingsFixtures, slack: WebhookReceiver
) -> None:
    summary = run_backfill(db_url)

    accessions, documents, count = stored(db_url)
    assert accessions == EXPECTED_ACCESSIONS and documents == EXPECTED_DOCUMENTS
    assert count == len(EXPECTED_ACCESSIONS) + len(EXPECTED_DOCUMENTS) == summary.new_items
    assert [(c.since, c.until) for c in summary.chunks] == [(date(2025, 9, 1), date(2025, 10, 1)),
                                                           (date(2025, 10, 2), date(2025, 10, 31))]
    assert summary.pages == 6 and not summary.failed_chunks  # chunk 1: 2+2 pages, chunk 2: 1+1
    decisive = [e for e in summary.new_evidence if e.stance in ("confirms", "contradicts")]
    assert {e.claim_id for e in decisive} == {"h1b-fee-100k"} and len(decisive) >= 2
    # notify=False: no per-item alerts were queued; one digest went out instead.
    database = open_database(db_url)
    with database.engine.connect() as db:
        assert db.execute(select(func.count()).select_from(Alert)).scalar_one() == 0
    assert len(slack.requests) == 1 and summary.digest_sent == 1
    digest = json.dumps(slack.requests[0].json())
    assert f"{len(decisive)} evidence records" in digest and "Payment Procedures for New H-1B Petitions" in digest
    assert SLACK_TOKEN not in digest
    checkpoints = CheckpointStore(database).list()
    assert len(checkpoints) == 4 and all(c.done and c.last_error is None for c in checkpoints)
    runs = Repository(database).list_runs()
    assert runs[0].kind == "backfill" and runs[0].status == "completed" and runs[0].summary["new_items"] == count

    requests_before = len(filings.server.seen)
    again = run_backfill(db_url)
    assert again.new_items == 0 and again.new_evidence == [] and again.pages == 0
    assert {job.status for job in again.job_results} == {"skipped"}
    assert len(filings.server.seen) == requests_before  # finished chunks are not fetched again
    assert len(slack.requests) == 1 and stored(db_url)[2] == count
    database.dispose()


@pytest.mark.flow
def test_a_backfill_that_failed_midway_resumes_from_its_checkpoint(
    prefect_harness, db_url: str, filings: FilingsFixtures
) -> None:
    filings.broken = {("register", 2)}  # the Federal Register's second page of chunk 1 fails

    with pytest.raises(BackfillFailedError, match=r"1 of 2 backfill chunks failed: federal-register:H-1B .*not_a_feed"):
        run_backfill(db_url)
    checkpoint = CheckpointStore(open_database(db_url)).load(
        "federal-register:H-1B agencies=executive-office-of-the-president,homeland-security-department,"
        "u-s-citizenship-and-immigration-services types=NOTICE,PRESDOCU,PRORULE,RULE",
        date(2025, 9, 1), date(2025, 10, 1),
    )
    assert checkpoint is not None and not checkpoint.done and checkpoint.pages_done == 1
    assert "page=2" in checkpoint.cursor["next_url"] and checkpoint.last_error.startswith("not_a_feed")
    _, documents, _ = stored(db_url)
    assert documents == EXPECTED_DOCUMENTS - {"2025-17002"}  # the oldest document sat on the failed page

    filings.broken = set()
    before = len(filings.server.seen)
    summary = run_backfill(db_url)

    resumed = filings.server.seen[before:]
    # Only the failed page is fetched: page 1 of chunk 1 and every finished job/chunk are skipped.
    assert [(s.path, s.query.get("page")) for s in resumed] == [("/api/v1/documents.json", ["2"])]
    assert resumed[0].query["conditions[publication_date][gte]"] == ["2025-09-01"]
    assert summary.pages == 1 and summary.new_items == 1 and not summary.failed_chunks
    accessions, documents, count = stored(db_url)
    assert accessions == EXPECTED_ACCESSIONS and documents == EXPECTED_DOCUMENTS  # what a clean run stores
    assert count == len(EXPECTED_ACCESSIONS) + len(EXPECTED_DOCUMENTS)


def test_a_backfill_process_killed_midway_resumes_where_it_stopped(
    prefect_harness, sqlite_url: str, filings: FilingsFixtures, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", sqlite_url)
    command = [sys.executable, "-m", "claimwatch", "backfill", "--since", SINCE, "--until", UNTIL,
               "--claim", "h1b-fee-100k", "--source", "federal-register", "--chunk-days", "61"]
    # The killed process runs its own temporary Prefect API, in a Prefect home of its own. It creates that API's
    # database first: give it the harness's start-up allowance, not Prefect's default 20 s, which a busy 2-core
    # machine exceeds ("Timed out while attempting to connect to ephemeral Prefect API server").
    env = os.environ | {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_API_URL": "",
                        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"}
    filings.hang = {("register", 2)}
    log = tmp_path / "killed-backfill.log"
    # Its own process group, killed whole: the temporary API server it starts dies with it, as in a container kill.
    process = subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not any(s.query.get("page") == ["2"] for s in filings.requests("register")):
            assert process.poll() is None, f"the backfill ended before it reached page 2:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, "the backfill never asked for page 2"
            time.sleep(0.2)
        os.killpg(process.pid, signal.SIGKILL)  # no cleanup, no chance to save anything more
        process.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        filings.release.set()
    _, documents, _ = stored(sqlite_url)
    assert 0 < len(documents) < len(EXPECTED_DOCUMENTS)  # page 1 was stored before the kill

    filings.hang = set()
    before = len(filings.server.seen)
    result = CliRunner().invoke(app, command[3:])
    assert result.exit_code == 0, result.output
    resumed = filings.server.seen[before:]
    pages = [s.query.get("page", ["1"])[0] for s in resumed]
    assert pages[0] == "2" and "1" not in pages  # it resumes at the page it was killed on; page 1 is not refetched
    assert stored(sqlite_url)[1] == EXPECTED_DOCUMENTS


@pytest.mark.flow
def test_notify_true_queues_and_sends_one_alert_per_decisive_evidence(
    prefect_harness, sqlite_url: str, filings: FilingsFixtures, slack: WebhookReceiver
) -> None:
    summary = run_backfill(sqlite_url, sources=["federal-register"], chunk_days=61, notify=True)

    decisive = [e for e in summary.new_evidence if e.stance in ("confirms", "contradicts")]
    assert len(summary.chunks) == 1 and len(decisive) >= 2
    assert summary.alerts_sent == len(decisive) == len(slack.requests) and summary.alerts_queued == 0
    assert not any("digest" in json.dumps(r.json()) for r in slack.requests)
    assert filings.requests("efts") == []


@pytest.mark.flow
def test_without_a_contact_email_edgar_jobs_fail_with_the_config_error_while_federal_register_jobs_run(
    prefect_harness, sqlite_url: str, filings: FilingsFixtures, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_CONTACT_EMAIL", "")

    with pytest.raises(BackfillFailedError, match="CLAIMWATCH_CONTACT_EMAIL") as raised:
        run_backfill(sqlite_url, chunk_days=61)

    results = {job.kind: job for job in raised.value.summary.job_results}
    assert results["edgar-search"].status == "failed" and results["edgar-search"].error_kind == "config"
    assert results["federal-register"].status == "done"
    assert filings.requests("efts") == []  # the SEC was never asked without a declared contact
    accessions, documents, _ = stored(sqlite_url)
    assert accessions == set() and documents == EXPECTED_DOCUMENTS


@pytest.mark.flow
async def test_a_deployment_run_with_custom_parameters_executes_the_backfill(
    prefect_harness, sqlite_url: str, filings: FilingsFixtures
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

    from flows.deployments import backfill_deployment

    deployment = await backfill_deployment()  # to_deployment is sync-compatible: awaited inside a loop
    deployment_id = await deployment.apply()
    # What "Run ▸ Custom run" in the dashboard and `prefect deployment run --param` send: JSON values.
    flow_run = await run_deployment(
        "backfill/claimwatch-backfill",
        parameters={"since": SINCE, "until": UNTIL, "claims": ["h1b-fee-100k"], "sources": ["federal-register"],
                    "chunk_days": 61, "database_url": sqlite_url},
        timeout=0,
    )
    assert flow_run.deployment_id == deployment_id
    # Execute it the way a worker or `serve` does: a separate process loads flows/backfill.py:backfill from the
    # deployment's entrypoint. `prefect flow-run execute` is the public command for that in Prefect 3.8 and 3.9
    # (3.9 dropped `Runner.execute_flow_run`).
    env = os.environ | {"PREFECT_API_URL": PREFECT_API_URL.value()}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "prefect", "flow-run", "execute", str(flow_run.id), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=180)
    assert process.returncode == 0, output.decode(errors="replace")[-3000:]

    async with get_client() as client:
        finished = await client.read_flow_run(flow_run.id)
    assert finished.state is not None and finished.state.is_completed(), finished.state
    _, documents, _ = stored(sqlite_url)
    assert documents == EXPECTED_DOCUMENTS


@pytest.mark.flow
def test_cli_backfill_runs_the_flow_and_prints_a_summary(
    prefect_harness, sqlite_url: str, filings: FilingsFixtures, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(
        app,
        ["backfill", "--since", SINCE, "--until", UNTIL, "--claim", "h1b-fee-100k", "--claim",
         "nvidia-openai-investment-100b", "--source", "federal-register", "--chunk-days", "61"],
    )
    assert result.exit_code == 0, result.output
    assert "federal-register:H-1B" in result.output and "new items" in result.output
    assert f"{len(EXPECTED_DOCUMENTS)} new items" in result.output
    assert stored(sqlite_url)[1] == EXPECTED_DOCUMENTS

    wrong = CliRunner().invoke(app, ["backfill", "--since", UNTIL, "--until", SINCE])
    assert wrong.exit_code == 2 and "swap since and until" in wrong.output
