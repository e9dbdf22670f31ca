"""Serve the claimwatch deployments from this process (what `claimwatch serve` runs)."""

from __future__ import annotations

from datetime import timedelta

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

from flows.monitor import monitor

MONITOR_DEPLOYMENT = "claimwatch-monitor"


def monitor_deployment(interval_minutes: int):
    """The scheduled monitor deployment; a run still going when the next is due makes the new one cancel."""
    return monitor.to_deployment(
        name=MONITOR_DEPLOYMENT,
        interval=timedelta(minutes=interval_minutes),
        # Two monitor runs must never overlap: they would fetch and alert the same items.
        concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
        description="Fetch every source, match new items against the claims, store evidence, send alerts.",
        tags=["claimwatch"],
    )


def serve_deployments(interval_minutes: int) -> None:
    """Register and serve the deployments until interrupted (runs appear in the Prefect dashboard)."""
    serve(monitor_deployment(interval_minutes))
