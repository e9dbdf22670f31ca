"""Notify people about new evidence: render alerts and deliver them through apprise targets."""

from alerts.deliver import (
    DeliveryResult,
    InvalidTargetError,
    deliver_alerts,
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
    "describe_target",
    "local_file_url",
    "render_alert",
    "render_digest",
    "target_fingerprint",
    "validate_targets",
]
