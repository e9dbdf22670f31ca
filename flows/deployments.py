"""Serve the claimwatch deployments from this process (what `claimwatch serve` runs).

Two deployments: `claimwatch-monitor` on an interval and `claimwatch-backfill` with no
schedule (start it from the dashboard's "Run ▸ Custom run" form or with
`prefect deployment run 'backfill/claimwatch-backfill' --param since=2025-09-01`).
`prefect.yaml` declares the same two for a process work pool, so several
`prefect worker start --pool claimwatch-pool` processes can share the runs instead.

The monitor reads feeds as they are now, so a late run simply catches up; a run's intended
time is `prefect.runtime.flow_run.scheduled_start_time`, which is the one to use for any
time window filter (never the wall clock at start-up, which drifts when workers queue up).
"""

from __future__ import annotations

from datetime import timedelta

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

from flows.backfill import backfill
from flows.monitor import monitor

MONITOR_DEPLOYMENT = "claimwatch-monitor"
BACKFILL_DEPLOYMENT = "claimwatch-backfill"


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


def backfill_deployment():
    """The on-demand backfill deployment: no schedule, parameters only, one run at a time."""
    return backfill.to_deployment(
        name=BACKFILL_DEPLOYMENT,
        # One at a time, queued rather than cancelled: two backfills would share the SEC's
        # 10 requests a second and race for the same checkpoints.
        concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
        description="Replay EDGAR full-text and Federal Register searches over a past date range (resumable).",
        tags=["claimwatch", "backfill"],
    )


def serve_deployments(interval_minutes: int) -> None:
    """Register and serve the deployments until interrupted (runs appear in the Prefect dashboard)."""
    serve(monitor_deployment(interval_minutes), backfill_deployment())
