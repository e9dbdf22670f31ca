"""Deliver pending alerts to apprise targets, one result per (alert, target), never leaking target secrets.

Targets are apprise URLs. They carry tokens and passwords, so outside this module a
target is only ever named by `target_fingerprint` (stored, logged) or `describe_target`
(shown to people). Apprise's own log lines are redacted by a filter on its logger.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

import apprise
from apprise import NotifyFormat, NotifyType
from apprise.conversion import convert_between
from apprise.plugins.email import NotifyEmail
from apprise.plugins.slack import NotifySlack

from alerts import local_file  # registers the claimwatchfile:// schema with apprise
from alerts.render import AlertMessage, render_alert
from store.records import PendingAlert

log = logging.getLogger(__name__)

_MAX_ERROR = 200
_MAX_WORKERS = 8
_DEFUSED_AT = "\uff20"  # ＠ fullwidth commercial at
_GIVE_UP_AFTER = 3  # consecutive failures to one target before the rest of this run skips it
# Query keys whose values are credentials in some apprise plugin (?token=, ?pass=, ?apikey= …).
_SECRET_QUERY_KEY = re.compile(r"pass|pwd|token|key|secret|auth|sig|hook|code|cred", re.I)
_HOSTNAME_LIKE = re.compile(r"^(localhost|\[[0-9a-f:.]+\]|[a-z0-9-]+(\.[a-z0-9-]+)+)(:\d+)?$", re.I)
_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]{0,31})://", re.I)


class InvalidTargetError(ValueError):
    """An apprise URL that cannot be used; the message names it by scheme and fingerprint only."""

    def __init__(self, url: str):
        self.fingerprint = target_fingerprint(url)
        match = _SCHEME.match(url)
        self.scheme = match.group(1).lower() if match else "unknown"
        super().__init__(
            f"notify target {self.fingerprint} ({self.scheme}://…) is not a usable apprise URL;"
            " check its scheme, tokens and options"
        )


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """The outcome of sending one alert to one target (named by fingerprint)."""

    alert_id: int
    target: str  # target_fingerprint(url)
    ok: bool
    error: str | None = None  # a short, secret-free sentence when ok is False


def target_fingerprint(url: str) -> str:
    """A stable short hash naming a target URL in the store and in logs."""
    return hashlib.sha256(b"claimwatch-target\0" + url.strip().encode("utf-8")).hexdigest()[:12]


def describe_target(url: str) -> str:
    """A human label for a target, such as "slack (hooks.slack.com/…)", that never includes tokens or passwords."""
    try:
        plugin = _instantiate(url)
    except InvalidTargetError as exc:
        return f"{exc.scheme} (invalid URL {exc.fingerprint})"
    return _describe_plugin(plugin)


def validate_targets(urls: Sequence[str]) -> list[InvalidTargetError]:
    """The errors for URLs apprise cannot use (empty when every target is valid)."""
    errors: list[InvalidTargetError] = []
    for url in urls:
        try:
            _instantiate(url)
        except InvalidTargetError as exc:
            errors.append(exc)
    return errors


def deliver_alerts(
    pending: Sequence[PendingAlert], targets: Sequence[str], *, pace: float = 1.0
) -> list[DeliveryResult]:
    """Send each pending alert to every target it has not reached yet; one result per attempt.

    Targets are notified concurrently, alerts to one target in order. `pace` caps the
    seconds apprise waits between two messages to the same target (apprise's defaults
    go up to 5.5 s; Slack's own limit is about one message per second).
    """
    if not pending or not targets:
        return []
    unique_targets = list(dict.fromkeys(url.strip() for url in targets if url.strip()))
    messages = {alert.alert_id: render_alert(alert.evidence) for alert in pending}

    jobs: list[tuple[str, list[PendingAlert]]] = []
    for url in unique_targets:
        fingerprint = target_fingerprint(url)
        todo = [alert for alert in pending if fingerprint not in alert.delivered_to]
        if todo:
            jobs.append((url, todo))
    if not jobs:
        return []

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=min(_MAX_WORKERS, len(jobs)), thread_name_prefix="alerts") as pool:
        batches = list(pool.map(lambda job: _deliver_to_target(job[0], job[1], messages, pace), jobs))
    results = [result for batch in batches for result in batch]

    order = {alert.alert_id: index for index, alert in enumerate(pending)}
    results.sort(key=lambda r: order[r.alert_id])
    failed = sum(1 for r in results if not r.ok)
    log.info(
        "delivered %d of %d alert messages to %d targets in %.2fs",
        len(results) - failed,
        len(results),
        len(jobs),
        time.perf_counter() - started,
    )
    return results


def deliver_message(message: AlertMessage, targets: Sequence[str]) -> list[DeliveryResult]:
    """Send one message that is not an outbox alert (a backfill digest) to each target; results carry alert_id 0."""
    results: list[DeliveryResult] = []
    for url in dict.fromkeys(url.strip() for url in targets if url.strip()):
        fingerprint = target_fingerprint(url)
        try:
            plugin = _prepare(url)
        except InvalidTargetError as exc:
            log.warning("%s", exc)
            results.append(DeliveryResult(0, fingerprint, False, str(exc)))
            continue
        error = _send(plugin, message, NotifyType.INFO)
        if error:
            log.warning("message not delivered to %s: %s", fingerprint, error)
        results.append(DeliveryResult(0, fingerprint, error is None, error))
    return results


def _deliver_to_target(
    url: str, alerts: Sequence[PendingAlert], messages: dict[int, AlertMessage], pace: float
) -> list[DeliveryResult]:
    fingerprint = target_fingerprint(url)
    try:
        plugin = _prepare(url)
    except InvalidTargetError as exc:
        log.warning("%s", exc)  # once per delivery run, not once per alert
        return [DeliveryResult(alert.alert_id, fingerprint, False, str(exc)) for alert in alerts]

    label = _describe_plugin(plugin)
    plugin.request_rate_per_sec = min(plugin.request_rate_per_sec, max(pace, 0.0))

    results: list[DeliveryResult] = []
    failures_in_a_row = 0
    last_error = ""
    for alert in alerts:
        if failures_in_a_row >= _GIVE_UP_AFTER:
            # A dead SMTP host can cost a connect timeout per message; stop hammering it
            # this run and leave the remaining alerts pending for the next one.
            error = _shorten(f"skipped: {label} failed {failures_in_a_row} times in a row this run ({last_error})")
            results.append(DeliveryResult(alert.alert_id, fingerprint, False, error))
            continue
        notify_type = NotifyType.WARNING if alert.evidence.stance == "contradicts" else NotifyType.INFO
        error = _send(plugin, messages[alert.alert_id], notify_type)
        if error:
            log.warning("alert %s not delivered to %s: %s", alert.alert_id, fingerprint, error)
            failures_in_a_row, last_error = failures_in_a_row + 1, error.removeprefix(f"{label} failed: ")
        else:
            failures_in_a_row = 0
        results.append(DeliveryResult(alert.alert_id, fingerprint, error is None, error))
    return results


def _prepare(url: str) -> apprise.plugins.NotifyBase:
    """The apprise plugin for a target URL, set up to send our renderings safely."""
    plugin = _instantiate(url)
    if isinstance(plugin, NotifySlack):
        # Apprise's default ("legacy") Slack payload escapes &, <, > itself and then turns
        # anything that looks like <!channel>, <@user> or a link back into live mrkdwn, so
        # a headline containing "!channel>" would ping. Block Kit mode sends our mrkdwn
        # as-is, and we have already escaped every untrusted character in it.
        plugin.use_blocks = True
    return plugin


def _send(plugin: apprise.plugins.NotifyBase, message: AlertMessage, notify_type: NotifyType) -> str | None:
    """Notify one target; None on success, else a short reason that carries no secret."""
    body, body_format = _body_for(plugin, message)
    with _capture_apprise_problems() as problems:
        try:
            ok = bool(plugin.notify(body=body, title=message.title, notify_type=notify_type, body_format=body_format))
        except Exception as exc:  # a plugin bug must not stop the other alerts and targets
            ok = False
            problems.append(f"{exc.__class__.__name__}: {_FILTER.redact(str(exc))}")
    if ok:
        return None
    reason = problems[0] if problems else "the service did not accept the message"
    return _shorten(f"{_describe_plugin(plugin)} failed: {reason}")


def _body_for(plugin: apprise.plugins.NotifyBase, message: AlertMessage) -> tuple[str, NotifyFormat]:
    """Pick the rendering the plugin wants: Slack mrkdwn, HTML for email and HTML services, else text."""
    wanted = plugin.notify_format
    if isinstance(plugin, NotifySlack) and wanted == NotifyFormat.MARKDOWN:
        return message.markdown, NotifyFormat.MARKDOWN
    if wanted == NotifyFormat.HTML:
        return message.html, NotifyFormat.HTML
    if _schema(plugin) == local_file.SCHEMA:
        return message.text, NotifyFormat.TEXT
    # Chat services read mentions out of plain text (apprise's Discord plugin turns any
    # "@everyone" in the body into an allowed ping), so a feed headline must not carry a
    # working "@". A fullwidth ＠ reads the same and pings nobody.
    text = message.text.replace("@", _DEFUSED_AT)
    if wanted == NotifyFormat.TEXT:
        return text, NotifyFormat.TEXT
    # CommonMark services (Discord, Telegram …): our mrkdwn is Slack-specific, so let
    # apprise convert the plain text for them.
    return convert_between(NotifyFormat.TEXT, wanted, content=text), wanted


def _instantiate(url: str) -> apprise.plugins.NotifyBase:
    _APPRISE_LOG.addFilter(_FILTER)  # no-op when present; survives a logging reconfiguration
    _register_secrets(url)
    plugin = apprise.Apprise.instantiate(url.strip(), suppress_exceptions=True)
    if plugin is None:
        raise InvalidTargetError(url)
    _register_plugin_secrets(plugin)
    return plugin


def _describe_plugin(plugin: apprise.plugins.NotifyBase) -> str:
    schema = _schema(plugin)
    if isinstance(plugin, NotifySlack):
        base = plugin.api_url if plugin.access_token else plugin.webhook_url
        return f"{schema} ({urlsplit(base).netloc}/…)"
    if isinstance(plugin, NotifyEmail):
        return f"{schema} ({plugin.smtp_host})"
    if schema == local_file.SCHEMA:
        return f"{schema} ({local_file.path_from_meta(plugin._default_args)})"
    host = getattr(plugin, "host", None)
    host_spec = plugin.template_tokens.get("host", {})
    if isinstance(host, str) and host and not host_spec.get("private") and _HOSTNAME_LIKE.match(host):
        port = f":{plugin.port}" if getattr(plugin, "port", None) else ""
        return f"{schema} ({host}{port})"
    return f"{schema} ({urlsplit(plugin.service_url or '').netloc or plugin.service_name})"


def _schema(plugin: apprise.plugins.NotifyBase) -> str:
    preferred = (plugin.secure_protocol, plugin.protocol) if plugin.secure else (plugin.protocol, plugin.secure_protocol)
    for candidate in preferred:
        candidate = candidate[0] if isinstance(candidate, (tuple, list)) and candidate else candidate
        if isinstance(candidate, str) and candidate:
            return candidate
    return plugin.service_name


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 1] + "…"


# --- keeping secrets out of apprise's logs -------------------------------------------


class _RedactingFilter(logging.Filter):
    """Rewrites every apprise log record with known target secrets replaced by ***."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self.local = threading.local()

    def add(self, fragments: set[str]) -> None:
        with self._lock:
            merged = set(self._secrets) | {f for f in fragments if len(f) >= 3}
            self._secrets = tuple(sorted(merged, key=len, reverse=True))  # longest first

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed apprise log call: keep only its template
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = self.redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        problems = getattr(self.local, "problems", None)
        if problems is not None and record.levelno >= logging.WARNING:
            problems.append(record.msg)
        return True


_FILTER = _RedactingFilter()
_APPRISE_LOG = logging.getLogger("apprise")
_APPRISE_LOG.addFilter(_FILTER)


def _register_secrets(url: str) -> None:
    """Teach the log filter the secret parts of a target URL (user, password, tokens, path, secret query values)."""
    if url.strip().lower().startswith(f"{local_file.SCHEMA}://"):
        return  # a file path is no secret, and redacting its folder names would garble messages
    fragments = {url.strip()}
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        _FILTER.add(fragments | {piece for piece in re.split(r"[/:@?&=#]+", url) if len(piece) >= 6})
        return
    for value in (parts.username, parts.password):
        if value:
            fragments |= {value, unquote(value)}
    host = parts.netloc.rsplit("@", 1)[-1]
    if host and not _HOSTNAME_LIKE.match(host):  # slack://TOKEN/…: the "host" is a credential
        fragments |= {host, unquote(host)}
    for segment in parts.path.split("/"):
        if len(segment) >= 4:
            fragments |= {segment, unquote(segment)}
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if _SECRET_QUERY_KEY.search(key):
            fragments.add(value)
    _FILTER.add(fragments)


def _register_plugin_secrets(plugin: apprise.plugins.NotifyBase) -> None:
    fragments: set[str] = set()
    for name, spec in plugin.template_tokens.items():
        if spec.get("private"):
            value = getattr(plugin, spec.get("map_to", name), None)
            if isinstance(value, str):
                fragments.add(value)
    password = getattr(plugin, "password", None)
    if isinstance(password, str):
        fragments.add(password)
    _FILTER.add(fragments)


@contextmanager
def _capture_apprise_problems() -> Iterator[list[str]]:
    """Collect (redacted) apprise warnings logged by this thread, to explain a failure."""
    problems: list[str] = []
    _FILTER.local.problems = problems
    try:
        yield problems
    finally:
        _FILTER.local.problems = None
