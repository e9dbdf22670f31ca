"""Delivering alerts through apprise to a real local SMTP server, a local Slack-style webhook and a file."""

from __future__ import annotations

import logging
import socket
import threading
from datetime import datetime, timezone

import pytest
from apprise.plugins.slack import NotifySlack

from alerts.deliver import (
    DeliveryResult,
    InvalidTargetError,
    deliver_alerts,
    describe_target,
    target_fingerprint,
    validate_targets,
)
from alerts.local_file import local_file_url
from alerts.render import render_alert
from mailsink import MailSink
from sources.item import Item
from store.records import EvidenceRecord, PendingAlert
from webhook_receiver import WebhookReceiver, refuse_public_hosts

# MailSink offers AUTH without TLS on purpose (loopback only); aiosmtpd warns about that.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

SMTP_PASSWORD = "Sm7p-Pa55word-do-not-log"
SLACK_TOKEN_C = "SlackSecretTokenC0ffee42"
SLACK_URL = f"slack://T000TEST1/B000TEST2/{SLACK_TOKEN_C}"
HOSTILE = "<!channel> @everyone *FREE GPUs* <https://evil.example|click> & <script>x</script>"


def pending(alert_id: int, *, title: str = "NVIDIA to invest up to $100B in OpenAI", stance: str = "confirms",
            delivered_to: frozenset[str] = frozenset()) -> PendingAlert:
    item = Item(
        id=f"item-{alert_id}",
        title=title,
        url=f"https://www.reuters.com/technology/story-{alert_id}/",
        published=datetime(2025, 9, 22, 14, 3, tzinfo=timezone.utc),
        source="google-news",
        publisher="Reuters",
    )
    record = EvidenceRecord(
        evidence_id=alert_id,
        claim_id="nvidia-openai-100b",
        claim_statement="NVIDIA intends to invest up to $100 billion in OpenAI.",
        stance=stance,
        score=0.9,
        why="quantity $100B matches; entities NVIDIA, OpenAI",
        item=item,
        found_at=datetime(2025, 9, 22, 15, 0, tzinfo=timezone.utc),
    )
    return PendingAlert(alert_id=alert_id, evidence=record, delivered_to=delivered_to)


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_public_hosts(monkeypatch)


@pytest.fixture
def caplog_everything(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture apprise at its noisiest (TRACE is below DEBUG) so a leak anywhere would show."""
    caplog.set_level(1, logger="apprise")
    caplog.set_level(logging.DEBUG, logger="alerts")
    return caplog


@pytest.fixture
def slack_hook(monkeypatch: pytest.MonkeyPatch):
    """A local receiver standing in for hooks.slack.com.

    Apprise's Slack plugin builds the real incoming-webhook payload but posts it to the
    class attribute `webhook_url` (https://hooks.slack.com/services). Pointing that one
    attribute at 127.0.0.1 keeps the whole plugin under test while no request can leave
    the machine.
    """
    with WebhookReceiver() as receiver:
        monkeypatch.setattr(NotifySlack, "webhook_url", f"{receiver.base_url}/services")
        yield receiver


@pytest.fixture
def smtp():
    with MailSink(username="alerts", password=SMTP_PASSWORD) as sink:
        yield sink


def mailto(port: int) -> str:
    return (
        f"mailto://alerts:{SMTP_PASSWORD}@127.0.0.1:{port}"
        "?from=claimwatch@claimwatch.test&to=analysts@claimwatch.test&mode=insecure"
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_no_secret(text: str) -> None:
    assert SMTP_PASSWORD not in text
    assert SLACK_TOKEN_C not in text


def test_email_arrives_with_subject_plain_text_and_html_parts(smtp: MailSink, caplog_everything) -> None:
    alert = pending(1, title=HOSTILE)
    results = deliver_alerts([alert], [mailto(smtp.port)], pace=0)

    assert results == [DeliveryResult(1, target_fingerprint(mailto(smtp.port)), True, None)]
    assert smtp.logins == ["alerts"]  # the password did reach the server…
    [message] = smtp.messages
    assert message["Subject"] == render_alert(alert.evidence).title
    assert message["To"] == "analysts@claimwatch.test"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "nvidia-openai-100b" in plain and "date unknown" not in plain
    assert "https://www.reuters.com/technology/story-1/" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert_no_secret(caplog_everything.text)  # …but never reached a log line or a result
    assert_no_secret(repr(results))


def test_email_without_login_reaches_a_local_relay() -> None:
    # The shape of a Mailpit/MailHog target: no credentials, plain SMTP on loopback.
    with MailSink() as relay:
        target = f"mailto://127.0.0.1:{relay.port}?from=claimwatch@localhost&to=ops@localhost"
        [result] = deliver_alerts([pending(1)], [target], pace=0)
    assert result.ok
    [message] = relay.messages
    assert (message["From"], message["To"]) == ("claimwatch@localhost", "ops@localhost")


def test_slack_webhook_receives_block_kit_payload_with_escaped_mrkdwn(slack_hook: WebhookReceiver) -> None:
    alert = pending(7, title=HOSTILE, stance="contradicts")
    results = deliver_alerts([alert], [SLACK_URL], pace=0)

    assert [r.ok for r in results] == [True]
    [request] = slack_hook.requests
    assert request.path == f"/services/T000TEST1/B000TEST2/{SLACK_TOKEN_C}"
    assert request.headers["content-type"].startswith("application/json")
    payload = request.json()
    blocks = payload["attachments"][0]["blocks"]
    message = render_alert(alert.evidence)
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": message.title, "emoji": True}}
    assert blocks[1]["type"] == "section"
    assert blocks[1]["text"] == {"type": "mrkdwn", "text": message.markdown}
    body = blocks[1]["text"]["text"]
    assert "<!channel>" not in body and "@everyone" not in body and "&lt;!channel&gt;" in body
    assert "<!channel>" not in request.body.decode()


def test_failing_smtp_is_reported_without_secrets_while_slack_still_succeeds(
    slack_hook: WebhookReceiver, caplog_everything
) -> None:
    down = mailto(closed_port())
    results = deliver_alerts([pending(1), pending(2)], [down, SLACK_URL], pace=0)

    by_target = {(r.alert_id, r.target): r for r in results}
    for alert_id in (1, 2):
        email = by_target[alert_id, target_fingerprint(down)]
        assert not email.ok
        assert email.error is not None and email.error.startswith("mailto (127.0.0.1) failed: Connection error")
        assert by_target[alert_id, target_fingerprint(SLACK_URL)].ok
    assert len(slack_hook.requests) == 2
    assert [r.alert_id for r in results] == [1, 1, 2, 2]
    assert_no_secret(repr(results))
    assert_no_secret(caplog_everything.text)


def test_target_failing_three_times_in_a_row_is_skipped_for_the_rest_of_the_run() -> None:
    down = mailto(closed_port())
    results = deliver_alerts([pending(i) for i in range(1, 6)], [down], pace=0)

    assert [r.ok for r in results] == [False] * 5
    errors = [r.error or "" for r in results]
    assert all(e.startswith("mailto (127.0.0.1) failed: Connection error") for e in errors[:3])
    assert all(e.startswith("skipped: mailto (127.0.0.1) failed 3 times in a row this run") for e in errors[3:])


def test_slack_server_error_fails_each_alert_and_names_the_status(caplog_everything) -> None:
    with WebhookReceiver(status=500, reply=b"internal_error") as receiver:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(NotifySlack, "webhook_url", f"{receiver.base_url}/services")
            results = deliver_alerts([pending(1), pending(2)], [SLACK_URL], pace=0)
    assert len(receiver.requests) == 2
    assert [r.ok for r in results] == [False, False]
    assert all("slack (127.0.0.1:" in (r.error or "") and "error=500" in (r.error or "") for r in results)
    assert_no_secret(repr(results))
    assert_no_secret(caplog_everything.text)


def test_targets_that_already_have_an_alert_are_skipped(slack_hook: WebhookReceiver, smtp: MailSink) -> None:
    email_target = mailto(smtp.port)
    alert = pending(3, delivered_to=frozenset({target_fingerprint(SLACK_URL)}))
    results = deliver_alerts([alert], [SLACK_URL, email_target], pace=0)

    assert results == [DeliveryResult(3, target_fingerprint(email_target), True, None)]
    assert slack_hook.requests == []
    assert len(smtp.messages) == 1


def test_alert_delivered_everywhere_produces_no_attempts(slack_hook: WebhookReceiver) -> None:
    alert = pending(4, delivered_to=frozenset({target_fingerprint(SLACK_URL)}))
    assert deliver_alerts([alert], [SLACK_URL], pace=0) == []
    assert slack_hook.requests == []


def test_invalid_target_is_reported_once_without_crashing_or_leaking(
    slack_hook: WebhookReceiver, caplog_everything
) -> None:
    # Token C must be alphanumeric; apprise logs the rejected token verbatim at WARNING.
    bad = "slack://T000TEST1/B000TEST2/leaky-secret-token-9f8e7d"
    results = deliver_alerts([pending(1), pending(2), pending(3)], [bad, SLACK_URL], pace=0)

    failed = [r for r in results if r.target == target_fingerprint(bad)]
    assert [r.ok for r in failed] == [False, False, False]
    assert all(target_fingerprint(bad) in (r.error or "") for r in failed)
    assert sum(r.ok for r in results if r.target == target_fingerprint(SLACK_URL)) == 3
    ours = [rec for rec in caplog_everything.records if rec.name == "alerts.deliver" and "not a usable" in rec.getMessage()]
    assert len(ours) == 1
    assert "leaky-secret-token-9f8e7d" not in caplog_everything.text
    assert "leaky-secret-token-9f8e7d" not in repr(results)


def test_validate_targets_names_bad_urls_by_fingerprint_only() -> None:
    bad = "mailto://someone:hunter2hunter2@"
    [error] = validate_targets([SLACK_URL, bad])
    assert isinstance(error, InvalidTargetError)
    assert error.fingerprint == target_fingerprint(bad)
    assert "hunter2hunter2" not in str(error)
    assert str(error).startswith(f"notify target {error.fingerprint} (mailto://…)")


def test_local_file_target_appends_each_alert_and_prints_it(tmp_path, capsys) -> None:
    log_file = tmp_path / "out dir" / "alerts.log"
    target = local_file_url(log_file)
    results = deliver_alerts([pending(1), pending(2, title=HOSTILE)], [target], pace=0)

    assert [r.ok for r in results] == [True, True]
    content = log_file.read_text(encoding="utf-8")
    assert content.count("=== ") == 2
    assert "NVIDIA to invest up to $100B in OpenAI" in content
    assert "Headline: <!channel>" in content  # a file is plain text; nothing to escape
    assert capsys.readouterr().out == content


def test_unwritable_local_file_fails_with_the_reason(tmp_path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    [result] = deliver_alerts([pending(1)], [local_file_url(blocker / "alerts.log")], pace=0)
    assert not result.ok
    assert "failed: cannot append the alert (File exists) to /" in (result.error or "")


def test_targets_are_notified_concurrently() -> None:
    # Each receiver holds its request until the other one has arrived too: a loop over
    # targets would time out at the barrier and see HTTP 500.
    barrier = threading.Barrier(2, timeout=5)

    class MeetingReceiver(WebhookReceiver):
        def start(self) -> "MeetingReceiver":
            started = super().start()
            original = self._server.RequestHandlerClass.do_POST

            def do_post(handler) -> None:
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    self.status = 500
                original(handler)

            self._server.RequestHandlerClass.do_POST = do_post
            return started

    with MeetingReceiver() as first, MeetingReceiver() as second:
        targets = [f"json://127.0.0.1:{first.port}/hook", f"json://127.0.0.1:{second.port}/hook"]
        results = deliver_alerts([pending(1)], targets, pace=0)
    assert [r.ok for r in results] == [True, True]
    assert first.requests[0].json()["title"] == render_alert(pending(1).evidence).title


def test_chat_targets_other_than_slack_get_text_that_cannot_mention_anyone() -> None:
    with WebhookReceiver() as receiver:
        [result] = deliver_alerts([pending(1, title=HOSTILE)], [f"json://127.0.0.1:{receiver.port}/hook"], pace=0)
    assert result.ok
    body = receiver.requests[0].json()["message"]
    assert "@everyone" not in body and "\uff20everyone" in body
    assert "Headline: <!channel>" in body  # plain text otherwise unchanged; JSON carries it safely


def test_fingerprint_is_stable_short_and_reveals_nothing() -> None:
    assert target_fingerprint(SLACK_URL) == target_fingerprint(f"  {SLACK_URL}\n")
    assert target_fingerprint(SLACK_URL) != target_fingerprint(SLACK_URL + "x")
    assert len(target_fingerprint(SLACK_URL)) == 12
    assert SLACK_TOKEN_C not in target_fingerprint(SLACK_URL)


@pytest.mark.parametrize(
    ("url", "label"),
    [
        (SLACK_URL, "slack (hooks.slack.com/…)"),
        (f"https://hooks.slack.com/services/T000TEST1/B000TEST2/{SLACK_TOKEN_C}", "slack (hooks.slack.com/…)"),
        (f"mailtos://alerts:{SMTP_PASSWORD}@smtp.example.com?to=a@example.com", "mailtos (smtp.example.com)"),
        (f"json://user:{SMTP_PASSWORD}@127.0.0.1:8080/hook", "json (127.0.0.1:8080)"),
        (f"discord://123456789/{SLACK_TOKEN_C}", "discord (discord.com)"),
        ("claimwatchfile:///var/log/claimwatch/alerts.log", "claimwatchfile (/var/log/claimwatch/alerts.log)"),
        (f"slack://T000TEST1/B000TEST2/bad-{SLACK_TOKEN_C}", f"slack (invalid URL {target_fingerprint(f'slack://T000TEST1/B000TEST2/bad-{SLACK_TOKEN_C}')})"),
    ],
)
def test_describe_target_shows_service_and_host_but_no_tokens(url: str, label: str) -> None:
    assert describe_target(url) == label
