"""Notify people about new evidence: render alerts and deliver them through apprise targets.

Targets are apprise URLs (CLAIMWATCH_NOTIFY_URLS or a Prefect Secret block), for example:

    https://hooks.slack.com/services/T…/B…/…          Slack incoming webhook (or slack://T…/B…/…)
    mailtos://user:app-password@gmail.com?to=a@x.org  email over TLS
    mailto://127.0.0.1:1025?from=cw@localhost&to=ops@localhost   a local relay such as Mailpit
    claimwatchfile:///var/log/claimwatch/alerts.log   no account: append to a file and print
"""

from alerts.deliver import (
    DeliveryResult,
    InvalidTargetError,
    deliver_alerts,
    deliver_message,
    describe_target,
    target_fingerprint,
    validate_targets,
)
from alerts.local_file import local_file_url
from alerts.render import AlertMessage, render_alert, render_digest

__all__ = [
    "AlertMessage",
    "DeliveryResult",
    "InvalidTargetError",
    "deliver_alerts",
    "deliver_message",
    "describe_target",
    "local_file_url",
    "render_alert",
    "render_digest",
    "target_fingerprint",
    "validate_targets",
]
