"""What the Dagster UI shows, through its GraphQL API over the real code location
(``workspace.yaml`` loaded in a code server process, as ``boardroom dev`` loads it)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._daemon.freshness import FreshnessDaemon
from dagster_graphql.test.utils import (
    define_out_of_process_workspace,
    execute_dagster_graphql,
    infer_repository_selector,
)

from boardroom.sources.app_db import APP_TABLES

WORKSPACE = str(Path(__file__).resolve().parents[2] / "workspace.yaml")

ASSETS = """
query {
  assetNodes {
    assetKey { path }
    dependencyKeys { path }
    isExecutable
    groupName
    description
    internalFreshnessPolicy { ... on CronFreshnessPolicy { deadlineCron lowerBoundDeltaSeconds } }
    freshnessStatusInfo { freshnessStatus }
  }
}
"""

SENSORS = """
query ($selector: RepositorySelector!) {
  sensorsOrError(repositorySelector: $selector) {
    __typename
    ... on Sensors { results { name description sensorType minIntervalSeconds } }
  }
}
"""


@pytest.fixture(scope="module")
def workspace() -> Iterator[tuple[dg.DagsterInstance, object]]:
    with (
        dg.instance_for_test() as instance,
        define_out_of_process_workspace(WORKSPACE, None, instance) as process_context,
    ):
        yield instance, process_context


def query(process_context, text: str, variables: dict | None = None) -> dict:
    context = process_context.create_request_context()
    result = execute_dagster_graphql(context, text, variables)
    assert not result.errors, result.errors
    return result.data


def nodes(process_context) -> dict[str, dict]:
    data = query(process_context, ASSETS)
    return {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}


def test_lineage_starts_at_the_sources(workspace) -> None:
    _, process_context = workspace
    found = nodes(process_context)
    source = found["posthog/events"]
    assert not source["isExecutable"] and source["groupName"] == "sources"
    assert "PostHog" in source["description"]
    assert ["posthog", "events"] in [
        k["path"] for k in found["raw/posthog_events"]["dependencyKeys"]
    ]
    for table in APP_TABLES:
        assert not found[f"app/{table}"]["isExecutable"]
        deps = [k["path"] for k in found[f"raw/app_{table}"]["dependencyKeys"]]
        assert deps == [["app", table]]


def test_sensors_are_listed_with_their_descriptions(workspace) -> None:
    _, process_context = workspace
    selector = infer_repository_selector(process_context.create_request_context())
    data = query(process_context, SENSORS, {"selector": selector})
    sensors = {s["name"]: s for s in data["sensorsOrError"]["results"]}
    assert sensors["run_failure_alert_sensor"]["sensorType"] == "RUN_STATUS"
    assert sensors["late_data_sensor"]["minIntervalSeconds"] == 300
    for name in ("source_observation_sensor", "late_data_sensor", "run_failure_alert_sensor"):
        assert len(sensors[name]["description"]) > 80


def test_published_marts_show_their_freshness(workspace) -> None:
    instance, process_context = workspace
    before = nodes(process_context)
    policy = before["marts/exec_overview"]["internalFreshnessPolicy"]
    assert policy == {"deadlineCron": "0 6 * * *", "lowerBoundDeltaSeconds": 86400}
    # Published just now: fresh until the next deadline. Never published: unknown.
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=["marts", "exec_overview"], partition="2026-03-31")
    )
    asyncio.run(FreshnessDaemon()._evaluate_assets(process_context))
    after = nodes(process_context)
    assert after["marts/exec_overview"]["freshnessStatusInfo"]["freshnessStatus"] == "HEALTHY"
    assert after["marts/alerts"]["freshnessStatusInfo"]["freshnessStatus"] == "UNKNOWN"
