"""End to end: local feed server -> monitor flow -> database -> local SMTP server and Slack webhook."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from apprise.plugins.slack import NotifySlack

from claimwatch.replay import ReplayServer
from flows.monitor import monitor
from flows.summary import AllSourcesFailedError, RunSummary
from store import Repository, open_database
from mailsink import MailSink
from webhook_receiver import WebhookReceiver, refuse_public_hosts

pytestmark = pytest.mark.flow

E2E = Path(__file__).parent / "fixtures" / "e2e"
SMTP_PASSWORD = "smtp-Secret-pw-42"
SLACK_TOKEN = "SlackSecretTokenE2E9"


@pytest.fixture(autouse=True)
def one_fetch_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    # The broken source answers 500 every time: retrying it only slows the tests down.
    monkeypatch.setenv("CLAIMWATCH_FETCH_ATTEMPTS", "1")


@pytest.fixture
def feeds():
    with ReplayServer(E2E) as server:
        yield server


@pytest.fixture
def smtp():
    sink = MailSink(username="alerts", password=SMTP_PASSWORD).start()
    yield sink
    sink.stop()


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch):
    # Apprise's Slack plugin builds the real incoming-webhook payload and posts it to the class
    # attribute `webhook_url` (hooks.slack.com): point it at a receiver on 127.0.0.1.
    with WebhookReceiver() as receiver:
        monkeypatch.setattr(NotifySlack, "webhook_url", f"{receiver.base_url}/services")
        yield receiver


def run_feeds(sources: Path) -> RunSummary:
    """One monitor run over the feeds listed in `sources` only (no claim-derived searches, no filings)."""
    return asyncio.run(monitor(sources_file=str(sources), derive_sources_from_claims=False, include_filings=False))


def mailto_url(sink: MailSink) -> str:
    return (f"mailto://alerts:{SMTP_PASSWORD}@127.0.0.1:{sink.port}"
            "?from=claimwatch@example.com&to=ops@example.com&mode=insecure")


def write_sources(path: Path, server: ReplayServer, *names: str, broken: bool = True) -> Path:
    entries = [{"id": Path(name).stem, "url": server.url(name)} for name in names]
    if broken:
        entries.append({"id": "broken", "url": server.url("_fault/status/500")})
    path.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return path


def test_monitor_stores_evidence_alerts_once_and_adds_nothing_when_feeds_are_unchanged(
    prefect_harness, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feeds, smtp: MailSink, slack
) -> None:
    refuse_public_hosts(monkeypatch)
    mailto = mailto_url(smtp)
    monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("CLAIMWATCH_NOTIFY_URLS", f"{mailto} slack://T000E2E01/B000E2E02/{SLACK_TOKEN}")
    sources = write_sources(tmp_path / "sources.yaml", feeds, "newsroom.xml", "google_news.xml")

    summary = run_feeds(sources)

    by_source = {s.source_id: s for s in summary.sources}
    assert by_source["newsroom"].status == "ok" and by_source["google_news"].status == "ok"
    assert by_source["broken"].status == "error" and by_source["broken"].error_kind == "http_status"
    assert summary.new_items == 6

    repo = Repository(open_database(db_url))
    evidence = repo.list_evidence(limit=100)
    stances = {(e.claim_id, e.stance) for e in evidence}
    assert ("stargate-10gw-nvidia-systems", "confirms") in stances
    assert ("h1b-fee-100k", "confirms") in stances
    assert ("h1b-fee-100k", "contradicts") in stances
    assert not any("Stargate SG-1" in e.item.title for e in evidence)

    # The 10 GW story came from two feeds: two pieces of evidence, one story, one alert.
    stargate = [e for e in evidence if (e.claim_id, e.stance) == ("stargate-10gw-nvidia-systems", "confirms")]
    assert len(stargate) == 2 and len({e.story_id for e in stargate}) == 1

    alerting = {(e.claim_id, e.story_id, e.stance) for e in evidence if e.stance in ("confirms", "contradicts")}
    assert summary.alerts_sent == len(alerting) and summary.alerts_queued == 0
    assert len(smtp.messages) == len(alerting) == len(slack.requests)
    subjects = " ".join(str(m["Subject"]) for m in smtp.messages)
    assert "CONTRADICTS" in subjects and "CONFIRMS" in subjects
    payload = slack.requests[0].json()
    assert "blocks" in payload or "attachments" in payload or "text" in payload

    # Second cycle: every feed answers 304, nothing new is stored or sent.
    summary2 = run_feeds(sources)
    statuses = {s.source_id: s.status for s in summary2.sources}
    assert statuses == {"newsroom": "not_modified", "google_news": "not_modified", "broken": "error"}
    assert summary2.new_items == 0 and summary2.new_evidence == () and summary2.alerts_sent == 0
    assert len(smtp.messages) == len(alerting) and len(slack.requests) == len(alerting)
    assert feeds.requests_for("newsroom.xml")[-1].headers.get("if-none-match")
    assert len(repo.list_evidence(limit=100)) == len(evidence)

    # Both cycles are in the run history, with their counts.
    latest, first = repo.list_runs(limit=2)
    assert (first.kind, first.status, latest.status) == ("monitor", "completed", "completed")
    assert first.summary["new_items"] == 6 and first.summary["alerts_sent"] == len(alerting)
    assert first.summary["sources_failed"] == {"broken": "http_status: server error (500)"}
    assert latest.summary["new_items"] == 0 and first.flow_run_id and first.finished_at


def test_a_copy_of_a_stored_story_from_a_later_run_joins_it_and_does_not_alert_again(
    prefect_harness, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feeds, smtp: MailSink
) -> None:
    refuse_public_hosts(monkeypatch)
    mailto = mailto_url(smtp)
    monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("CLAIMWATCH_NOTIFY_URLS", mailto)
    newsroom = write_sources(tmp_path / "newsroom.yaml", feeds, "newsroom.xml", broken=False)
    both = write_sources(tmp_path / "both.yaml", feeds, "newsroom.xml", "google_news.xml", broken=False)
    claim = "stargate-10gw-nvidia-systems"

    run_feeds(newsroom)
    # The Google News feed is added later: its Reuters copy of the 10 GW announcement arrives in the next run.
    second = run_feeds(both)

    repo = Repository(open_database(db_url))
    stargate = [e for e in repo.list_evidence(claim_id=claim, limit=100) if e.stance == "confirms"]
    assert sorted(e.item.source for e in stargate) == ["google_news", "newsroom"]
    [first] = [e for e in stargate if e.item.source == "newsroom"]
    assert {e.story_id or e.item.id for e in stargate} == {first.story_id or first.item.id}
    # One story, one alert: the copy's evidence is stored, and nobody is told about the story a second time.
    told = [str(m["Subject"]) for m in smtp.messages if claim in str(m["Subject"])]
    assert len(told) == 1 and "CONFIRM" in told[0].upper()
    assert second.alerts_queued == 0 and any(e.item.source == "google_news" for e in second.new_evidence)


def test_failed_delivery_stays_queued_and_is_sent_once_on_the_next_run(
    prefect_harness, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feeds, smtp: MailSink
) -> None:
    refuse_public_hosts(monkeypatch)
    mailto = mailto_url(smtp)
    monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", db_url)
    sources = write_sources(tmp_path / "sources.yaml", feeds, "google_news.xml", broken=False)

    old_port = smtp.port
    smtp.stop()  # the mail server is down during the first run
    monkeypatch.setenv("CLAIMWATCH_NOTIFY_URLS", mailto)
    first = run_feeds(sources)
    assert first.alerts_sent == 0 and first.alerts_failed > 0 and first.alerts_queued == first.alerts_failed

    # The mail server comes back (on a new port, so the target URL changes with it).
    restarted = MailSink(username="alerts", password=SMTP_PASSWORD).start()
    monkeypatch.setenv("CLAIMWATCH_NOTIFY_URLS", mailto.replace(f":{old_port}?", f":{restarted.port}?"))
    try:
        second = run_feeds(sources)
        third = run_feeds(sources)
    finally:
        restarted.stop()
    assert second.alerts_sent == first.alerts_failed and second.alerts_queued == 0
    assert len(restarted.messages) == first.alerts_failed
    assert third.alerts_sent == 0 and len(restarted.messages) == first.alerts_failed


def test_every_source_failing_fails_the_run_with_one_clear_sentence(
    prefect_harness, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feeds
) -> None:
    monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("CLAIMWATCH_NOTIFY_URLS", "")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        yaml.safe_dump({"sources": [{"id": "down", "url": "http://127.0.0.1:9/feed.xml"},
                                    {"id": "err", "url": feeds.url("_fault/status/503")}]}),
        encoding="utf-8",
    )
    with pytest.raises(AllSourcesFailedError, match=r"All 2 sources failed \(http_status, network\)") as raised:
        run_feeds(sources)
    assert {s.source_id for s in raised.value.summary.failed_sources} == {"down", "err"}
    [run] = Repository(open_database(db_url)).list_runs()
    assert run.status == "failed" and run.summary["sources_failed"].keys() == {"down", "err"}


def test_alert_targets_can_come_from_a_prefect_secret_block(
    prefect_harness, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feeds
) -> None:
    from prefect.blocks.system import Secret

    from alerts import local_file_url

    alerts_log = tmp_path / "alerts.log"
    Secret(value=[local_file_url(alerts_log)]).save("claimwatch-test-notify", overwrite=True)
    monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("CLAIMWATCH_NOTIFY_URLS", "")
    monkeypatch.setenv("CLAIMWATCH_NOTIFY_SECRET_BLOCK", "claimwatch-test-notify")
    sources = write_sources(tmp_path / "sources.yaml", feeds, "google_news.xml", broken=False)

    summary = run_feeds(sources)

    assert summary.alerts_sent > 0 and summary.alerts_queued == 0
    assert alerts_log.read_text(encoding="utf-8").count("=== ") == summary.alerts_sent


def test_each_bad_source_gets_its_named_error_recorded_while_the_good_ones_finish(
    prefect_harness, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feeds
) -> None:
    monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("CLAIMWATCH_NOTIFY_URLS", "")
    monkeypatch.setenv("CLAIMWATCH_HTTP_TIMEOUT", "1")
    monkeypatch.setenv("CLAIMWATCH_MAX_RESPONSE_BYTES", "200000")
    bad = {
        "malformed": feeds.url("malformed.xml"),
        "html-page": feeds.url("_fault/html"),
        "server-error": feeds.url("_fault/status/500"),
        "slow": feeds.url("_fault/slow?seconds=3"),
        "oversized": feeds.url("_fault/huge?bytes=1000000"),
    }
    sources = tmp_path / "sources.yaml"
    entries = [{"id": "google_news", "url": feeds.url("google_news.xml")}] + [{"id": k, "url": v} for k, v in bad.items()]
    sources.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")

    summary = run_feeds(sources)

    kinds = {s.source_id: s.error_kind for s in summary.sources}
    assert kinds == {"google_news": None, "malformed": "malformed", "html-page": "not_a_feed",
                     "server-error": "http_status", "slow": "timeout", "oversized": "too_large"}
    assert summary.new_items == 4 and summary.new_evidence
    stored = {row.id: row for row in Repository(open_database(db_url)).list_sources()}
    assert stored["slow"].last_status == "error" and stored["slow"].last_error_kind == "timeout"
    assert stored["google_news"].last_status == "ok" and stored["google_news"].etag
