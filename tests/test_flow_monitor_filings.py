"""The monitor's filings sources end to end: EDGAR, XBRL, the Federal Register and a news feed on
127.0.0.1 -> monitor flow (filings window) -> database -> a local alert file."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from filings_server import RoutedServer, Seen
from webhook_receiver import refuse_public_hosts

from alerts.local_file import local_file_url
from claimwatch.settings import Settings
from flows.filings import filings_window, plan_filing_sources
from flows.monitor import _every_source_unreachable, monitor
from flows.summary import RunSummary, SourceResult
from seeds import active_claims, load_claims
from sources import item_id_for
from sources.xbrl import capex_summary_item, capex_verdicts, trailing_four_quarters
from test_edgar_xbrl import facts_by_company
from store import Repository, open_database

FIXTURES = Path(__file__).parent / "fixtures"
EDGAR = FIXTURES / "edgar"
FR_DOCUMENTS = json.loads((FIXTURES / "monitor_filings" / "fr_documents.json").read_text(encoding="utf-8"))["results"]
NEWSROOM = (FIXTURES / "e2e" / "newsroom.xml").read_bytes()
FR_TYPE_CODES = {"Rule": "RULE", "Proposed Rule": "PRORULE", "Notice": "NOTICE", "Presidential Document": "PRESDOCU"}

AS_OF = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)  # three days back: filings of Nov 17..20
IN_WINDOW = ("0001045810-25-000228", "0001045810-25-000230")  # NVIDIA's Q3 8-K and 10-Q, filed Nov 19
OUT_OF_WINDOW = "0001045810-25-000215"  # NVIDIA's OpenAI 8-K of Sep 22
CAPEX_CLAIM = "hyperscaler-ai-capex-500b"
CAPEX_TITLE = "Hyperscaler capex, four quarters to 2025Q3: $329.8B (Microsoft, Alphabet, Amazon, Meta)"
B = 1_000_000  # XBRL fixture values are whole millions


def accession_item_id(accession: str) -> str:
    return item_id_for("", guid=f"sec-accession:{accession}")


class FilingsHosts:
    """data.sec.gov, www.sec.gov, the Federal Register API and one news feed, all on one local server."""

    def __init__(self) -> None:
        self.server = RoutedServer(self.route)

    def route(self, request: Seen):
        if request.path == "/api/v1/documents.json":
            return self._register(request)
        if request.path == "/feeds/newsroom.xml":
            return 200, NEWSROOM, "application/rss+xml"
        if match := re.fullmatch(r"/submissions/CIK(\d{10})\.json", request.path):
            path = EDGAR / "submissions" / f"CIK{match[1]}.json"
            # Companies without a fixture answer with an empty listing: nothing filed lately.
            body = path.read_bytes() if path.exists() else json.dumps(
                {"cik": str(int(match[1])), "name": f"COMPANY {match[1]}",
                 "filings": {"recent": {"accessionNumber": [], "filingDate": [], "form": [], "primaryDocument": []}}}
            ).encode()
            return 200, body, "application/json"
        path = (EDGAR / request.path.lstrip("/")).resolve()
        if EDGAR.resolve() in path.parents and path.is_file():
            return 200, path.read_bytes(), "application/json" if path.suffix == ".json" else "text/html"
        return None

    def _register(self, request: Seen):
        query = request.query
        low, high = query["conditions[publication_date][gte]"][0], query["conditions[publication_date][lte]"][0]
        terms = [t.strip().strip('"').lower() for t in query.get("conditions[term]", [""])[0].split("|") if t.strip()]
        agencies = set(query.get("conditions[agencies][]", []))
        types = set(query.get("conditions[type][]", []))

        def wanted(document: dict) -> bool:
            text = f"{document['title']} {document['abstract']}".lower()
            return (
                low <= document["publication_date"] <= high
                and (not terms or any(term in text for term in terms))
                and (not agencies or agencies & {a["slug"] for a in document["agencies"]})
                and (not types or FR_TYPE_CODES[document["type"]] in types)
            )

        results = [document for document in FR_DOCUMENTS if wanted(document)]
        return 200, json.dumps({"count": len(results), "results": results}).encode(), "application/json"

    def paths(self, prefix: str) -> list[str]:
        return [seen.path for seen in self.server.seen if seen.path.startswith(prefix)]


@pytest.fixture
def hosts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str):
    refuse_public_hosts(monkeypatch)
    fixtures = FilingsHosts()
    with fixtures.server:
        base = fixtures.server.base_url
        for name in ("SEC_DATA_BASE", "SEC_WWW_BASE", "FEDERAL_REGISTER_BASE"):
            monkeypatch.setenv(f"CLAIMWATCH_{name}", base)
        monkeypatch.setenv("CLAIMWATCH_CONTACT_EMAIL", "ops@claimwatch.example")
        monkeypatch.setenv("CLAIMWATCH_SEC_RATE", "10")
        monkeypatch.setenv("CLAIMWATCH_FEDERAL_REGISTER_RATE", "50")
        monkeypatch.setenv("CLAIMWATCH_HTTP_TIMEOUT", "5")
        monkeypatch.setenv("CLAIMWATCH_FETCH_ATTEMPTS", "1")
        monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", db_url)
        monkeypatch.setenv("CLAIMWATCH_NOTIFY_URLS", local_file_url(tmp_path / "alerts.log"))
        monkeypatch.setenv("CLAIMWATCH_SOURCES_FILE", str(write_feeds(tmp_path / "sources.yaml", base)))
        yield fixtures


def write_feeds(path: Path, base: str) -> Path:
    path.write_text(yaml.safe_dump({"sources": [{"id": "newsroom", "url": f"{base}/feeds/newsroom.xml"}]}), "utf-8")
    return path


def alert_count(tmp_path: Path) -> int:
    log = tmp_path / "alerts.log"
    return len(re.findall(r"^=== ", log.read_text(encoding="utf-8"), re.MULTILINE)) if log.exists() else 0


# -- the window -----------------------------------------------------------------------------------


def test_window_ends_at_the_scheduled_start_not_at_the_late_wall_clock() -> None:
    scheduled = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
    late_now = scheduled + timedelta(hours=30)  # the worker picked the run up a day and a half late
    window = filings_window(3, scheduled_start=scheduled, now=late_now)
    assert (window.since, window.until) == (scheduled - timedelta(days=3), scheduled)
    assert (window.first_day.isoformat(), window.last_day.isoformat()) == ("2025-11-17", "2025-11-20")


def test_window_prefers_an_explicit_as_of_and_falls_back_to_now() -> None:
    scheduled = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
    now = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
    assert filings_window(3, as_of=datetime(2025, 10, 1), scheduled_start=scheduled).until == datetime(
        2025, 10, 1, tzinfo=UTC  # a naive time counts as UTC
    )
    unscheduled = filings_window(7, now=now)
    assert (unscheduled.since, unscheduled.until) == (now - timedelta(days=7), now)


# -- planning -------------------------------------------------------------------------------------


def test_registry_plans_one_source_per_company_condition_set_and_one_capex_source() -> None:
    settings = Settings(sec_data_base="http://sec.test", federal_register_base="http://fr.test")
    claims = active_claims(load_claims())
    planned = plan_filing_sources(settings, claims)
    ids = [source.spec.id for source in planned]
    assert len(ids) == len(set(ids))
    edgar = {source.cik: source for source in planned if source.kind == "edgar"}
    assert {"0001045810", "0001341439", "0001769628", "0000789019", "0001018724"} <= set(edgar)
    assert edgar["0001045810"].spec.id == "edgar-0001045810"
    # The union of every claim's forms: the CoreWeave claim also asks NVIDIA's SC 13D/G.
    assert set(edgar["0001045810"].forms) == {"8-K", "10-Q", "10-K", "SC 13D", "SC 13G"}
    registers = [source for source in planned if source.kind == "federal-register"]
    assert len(registers) == len({c.watch.federal_register for c in claims if c.watch.federal_register})
    assert all(re.fullmatch(r"federal-register-[a-z0-9-]+-[0-9a-f]{6}", s.spec.id) for s in registers)
    (capex,) = [source for source in planned if source.kind == "xbrl-capex"]
    # Every claim watching a capex concept; the Microsoft gigawatt claim adds no company of its own.
    assert capex.spec.id == "xbrl-capex" and capex.claim_ids == (CAPEX_CLAIM, "microsoft-2gw-2025")
    assert capex.ciks == ("0000789019", "0001652044", "0001018724", "0001326801")
    # Planning again gives the same ids: they name the stored sources from run to run.
    assert [source.spec.id for source in plan_filing_sources(settings, claims)] == ids


def test_capex_total_confirms_within_the_claims_tolerance_and_only_mentions_a_partial_sum() -> None:
    facts = facts_by_company()
    claim = next(c for c in load_claims() if c.id == CAPEX_CLAIM)
    close = claim.model_copy(update={"quantity": claim.quantity.model_copy(update={"value": 340e9, "approx": False})})
    summary = capex_summary_item(trailing_four_quarters(facts), facts)
    (verdict,) = capex_verdicts(facts, [close], summary)
    assert (verdict.stance, verdict.story_id) == ("confirms", "xbrl-capex:2025Q3")
    assert "3% below, within the ±10% tolerance" in verdict.why
    partial = dict(facts, Amazon=[f for f in facts["Amazon"] if f.calendar_label != "2025Q1"])
    (verdict,) = capex_verdicts(partial, [claim], capex_summary_item(trailing_four_quarters(partial), partial))
    assert verdict.stance == "mentions" and "missing Amazon 2025Q1" in verdict.why


def test_only_config_failures_are_a_warning_but_real_outages_fail_the_run() -> None:
    config = SourceResult("edgar-0001045810", "error", error_kind="config", error="SEC EDGAR requires a contact e-mail")
    down = SourceResult("newsroom", "error", error_kind="network", error="connection refused")
    assert not _every_source_unreachable(RunSummary(sources=(config,)))
    assert _every_source_unreachable(RunSummary(sources=(config, down)))
    assert not _every_source_unreachable(RunSummary(sources=(config, SourceResult("newsroom", "ok"))))


# -- the flow -------------------------------------------------------------------------------------


@pytest.mark.flow
def test_monitor_stores_filings_in_the_window_with_capex_verdict_and_a_rerun_adds_nothing(
    prefect_harness, hosts: FilingsHosts, db_url: str, tmp_path: Path
) -> None:
    summary = asyncio.run(monitor(derive_sources_from_claims=False, as_of=AS_OF))

    statuses = {s.source_id: (s.status, s.error_kind) for s in summary.sources}
    assert all(status == ("ok", None) for status in statuses.values()), statuses
    planned = {source.spec.id for source in plan_filing_sources(Settings(), active_claims(load_claims()))}
    assert set(statuses) == {"newsroom", *planned}
    assert {"edgar-0001045810", "xbrl-capex"} <= planned

    repo = Repository(open_database(db_url))
    stored = {row.id: row for row in repo.list_sources()}
    assert stored["edgar-0001045810"].last_status == "ok" and stored["xbrl-capex"].kind == "xbrl"

    # Filings inside the window are stored under accession-keyed ids, with their text; the
    # September 8-K is outside it and none of its documents was even requested.
    items = {item.id: item for item in repo.items_for_rematch()}
    nvidia = [accession_item_id(accession) for accession in IN_WINDOW]
    assert all(item_id in items for item_id in nvidia)
    assert items[nvidia[1]].source == "edgar-0001045810" and "Risk Factors" in items[nvidia[1]].summary
    assert accession_item_id(OUT_OF_WINDOW) not in items
    assert not hosts.paths(f"/Archives/edgar/data/1045810/{OUT_OF_WINDOW.replace('-', '')}")
    assert hosts.paths("/Archives/edgar/data/1045810/000104581025000228/q3fy26pr.htm")  # the EX-99.1 text
    register = [seen for seen in hosts.server.seen if seen.path == "/api/v1/documents.json"]
    assert {(s.query["conditions[publication_date][gte]"][0], s.query["conditions[publication_date][lte]"][0])
            for s in register} == {("2025-11-17", "2025-11-20")}
    fr_numbers = {dict(item.extra).get("document_number") for item in items.values()}
    assert {"2025-21105", "2025-21010"} <= fr_numbers and "2025-19920" not in fr_numbers

    evidence = repo.list_evidence(limit=500)

    # The capex total is numeric evidence: exact figures, stance from the claim's tolerance.
    (capex,) = [e for e in evidence if e.claim_id == CAPEX_CLAIM and e.item.source == "xbrl-capex"
                and dict(e.item.extra).get("per") == "four quarters"]
    assert capex.item.title == CAPEX_TITLE
    assert dict(capex.item.extra)["value"] == str(329_758 * B)
    assert capex.stance == "contradicts" and capex.story_id == "xbrl-capex:2025Q3"
    assert "$329.8B" in capex.why and "$500.0B" in capex.why and "±20%" in capex.why
    # A claim in gigawatts cannot be compared with dollars: the total is no evidence for it.
    assert not [e for e in evidence if e.item.id == capex.item.id and e.claim_id != CAPEX_CLAIM]
    alerts = alert_count(tmp_path)
    assert summary.alerts_sent == alerts > 0

    again = asyncio.run(monitor(derive_sources_from_claims=False, as_of=AS_OF))
    assert again.new_items == 0 and again.new_evidence == () and again.alerts_sent == 0
    assert alert_count(tmp_path) == alerts
    assert len(repo.list_evidence(limit=500)) == len(evidence)


@pytest.mark.flow
def test_without_a_contact_email_sec_sources_record_config_errors_and_the_rest_is_stored(
    prefect_harness, hosts: FilingsHosts, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_CONTACT_EMAIL", "")

    summary = asyncio.run(monitor(derive_sources_from_claims=False, notify=False, as_of=AS_OF))

    by_kind: dict[str, set[tuple[str, str | None]]] = {}
    for s in summary.sources:
        kind = "sec" if s.source_id.startswith(("edgar-", "xbrl-")) else "other"
        by_kind.setdefault(kind, set()).add((s.status, s.error_kind))
    assert by_kind == {"sec": {("error", "config")}, "other": {("ok", None)}}
    assert any("CLAIMWATCH_CONTACT_EMAIL" in note for note in summary.notes)
    assert not hosts.paths("/submissions") and not hosts.paths("/api/xbrl") and not hosts.paths("/Archives")

    repo = Repository(open_database(db_url))
    stored = {row.id: row for row in repo.list_sources()}
    assert stored["edgar-0001045810"].last_error_kind == "config"
    assert "contact e-mail" in stored["xbrl-capex"].last_error
    sources = {item.source for item in repo.items_for_rematch()}
    assert "newsroom" in sources and any(source.startswith("federal-register-") for source in sources)


def write_claims(path: Path, *ids: str) -> Path:
    data = yaml.safe_load((Path(__file__).parent.parent / "seeds" / "claims.yaml").read_text(encoding="utf-8"))
    # A link to a claim left out would be a broken claims file (ClaimsFileError): keep the links inside the subset.
    chosen = [{**c, "linked": [other for other in c.get("linked", []) if other in ids]}
              for c in data["claims"] if c["id"] in ids]
    path.write_text(yaml.safe_dump({"claims": chosen}), encoding="utf-8")
    return path


async def run_from_deployment(scheduled: datetime, parameters: dict) -> RunSummary:
    """Run the monitor the way a worker runs a deployment's scheduled flow run."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow_async
    from prefect.states import Scheduled

    deployment = await monitor.ato_deployment(name="filings-window-test")
    deployment_id = await deployment.apply()
    async with get_client() as client:
        flow_run = await client.create_flow_run_from_deployment(
            deployment_id, parameters=parameters, state=Scheduled(scheduled_time=scheduled)
        )
    return await run_flow_async(monitor, flow_run=flow_run, parameters=parameters)


@pytest.mark.flow
def test_a_late_deployment_run_reads_the_filings_of_the_window_it_was_scheduled_for(
    prefect_harness, hosts: FilingsHosts, db_url: str, tmp_path: Path
) -> None:
    # Scheduled for Nov 20 and only run now (a year later, by the wall clock): the run must
    # still read Nov 17..20, which holds NVIDIA's Q3 filings; "now" would find nothing.
    claims = write_claims(tmp_path / "claims.yaml", "nvidia-openai-investment-100b", "h1b-fee-100k")
    parameters = {"claims_file": str(claims), "derive_sources_from_claims": False, "notify": False}

    summary = asyncio.run(run_from_deployment(AS_OF, parameters))

    assert {s.source_id for s in summary.sources} == {"newsroom", "edgar-0001045810", "federal-register-h-1b-dfe7c0"}
    register = [seen for seen in hosts.server.seen if seen.path == "/api/v1/documents.json"]
    assert [s.query["conditions[publication_date][lte]"][0] for s in register] == ["2025-11-20"]
    items = {item.id for item in Repository(open_database(db_url)).items_for_rematch()}
    assert {accession_item_id(accession) for accession in IN_WINDOW} <= items
    assert accession_item_id(OUT_OF_WINDOW) not in items
