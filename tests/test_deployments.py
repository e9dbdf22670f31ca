"""The deployments `claimwatch serve` registers and the ones `prefect.yaml` declares for workers."""

from __future__ import annotations

import importlib
from datetime import timedelta
from pathlib import Path

import yaml

from flows.deployments import backfill_deployment, monitor_deployment

ROOT = Path(__file__).resolve().parents[1]


def test_served_monitor_runs_on_the_configured_interval_and_never_overlaps() -> None:
    deployment = monitor_deployment(7)
    [schedule] = deployment.schedules
    assert schedule.schedule.interval == timedelta(minutes=7)
    assert deployment.concurrency_limit == 1
    assert deployment.concurrency_options.collision_strategy == "CANCEL_NEW"


def test_served_backfill_has_no_schedule_and_queues_extra_runs() -> None:
    deployment = backfill_deployment()
    assert not deployment.schedules
    assert deployment.concurrency_limit == 1
    assert deployment.concurrency_options.collision_strategy == "ENQUEUE"
    assert {"since", "until", "sources", "claims", "notify"} <= set(deployment._parameter_openapi_schema.properties)


def test_prefect_yaml_entrypoints_name_the_real_flows() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    names = {}
    for deployment in config["deployments"]:
        path, function = deployment["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        names[deployment["name"]] = getattr(module, function).name
        assert deployment["work_pool"]["name"] == "claimwatch-pool"
    assert names == {"claimwatch-monitor": "monitor", "claimwatch-backfill": "backfill"}


def test_prefect_scheduler_creates_runs_for_the_served_monitor(prefect_harness) -> None:
    """Prefect's own scheduler service must work with our pins (under SQLAlchemy 2.1 it raised
    "Can't evaluate bulk DML statement" and a served monitor never ran)."""
    import asyncio

    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.server.services.scheduler import schedule_deployments

    deployment = monitor_deployment(15)  # built outside the event loop: to_deployment dispatches on it

    async def scheduled_runs() -> int:
        deployment_id = await deployment.apply()
        await schedule_deployments()
        async with get_client() as client:
            runs = await client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
            )
        return len([run for run in runs if run.state and run.state.is_scheduled()])

    assert asyncio.run(scheduled_runs()) >= 3
