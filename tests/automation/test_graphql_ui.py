"""What the Dagster UI shows, through its GraphQL API over the real code location
(``workspace.yaml`` loaded in a code server process, as ``boardroom dev`` loads it)."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from datetime import date

import dagster as dg
import psycopg
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.instance.utils import RUNLESS_JOB_NAME, RUNLESS_RUN_ID
from dagster._daemon.freshness import FreshnessDaemon
from dagster_graphql.test.utils import (
    define_out_of_process_workspace,
    execute_dagster_graphql,
    infer_repository_selector,
)

from boardroom.demo import DemoSpec, load_operational
from boardroom.paths import WORKSPACE_FILE
from boardroom.sources.app_db import APP_TABLES, create_app_schema
from tests.automation.support import PERSONAL_KEY, PROJECT_ID, event, posthog_stand_in, send
from tests.support.demo_warehouse import create_database, drop_database

WORKSPACE = str(WORKSPACE_FILE)

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
def sources(pg_admin_url: str, tmp_path_factory) -> Iterator[dict[str, str]]:
    """An app database with demo rows and a PostHog stand-in with one event: the code server
    (started after these variables are set) resolves its resources from them, as in
    ``boardroom dev``."""
    name = f"ui_app_{uuid.uuid4().hex[:8]}"
    app_url = create_database(pg_admin_url, name)
    with psycopg.connect(app_url) as conn:
        create_app_schema(conn)
        load_operational(conn, DemoSpec(end_date=date(2026, 3, 31), tenants=2, days=2))
    try:
        with posthog_stand_in(tmp_path_factory.mktemp("ui") / "posthog") as server:
            send(server, [event("2026-03-31T08:00:00+00:00")])
            env = {
                "BOARDROOM_APP_DATABASE_URL": app_url,
                "BOARDROOM_WAREHOUSE_URL": app_url,
                "POSTHOG_HOST": server.url,
                "POSTHOG_PROJECT_ID": str(PROJECT_ID),
                "POSTHOG_PERSONAL_API_KEY": PERSONAL_KEY,
            }
            saved = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                yield env
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
    finally:
        drop_database(pg_admin_url, name)


@pytest.fixture(scope="module")
def workspace(sources) -> Iterator[tuple[dg.DagsterInstance, object]]:
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


def test_the_observation_sensor_runs_in_the_code_server(workspace) -> None:
    """Evaluated as the daemon evaluates it: in the code server, resources from the env."""
    instance, process_context = workspace
    location = process_context.create_request_context().get_code_location("boardroom")
    repository = next(iter(location.get_repositories().values()))
    data = location.get_sensor_execution_data(
        instance, repository.handle, "source_observation_sensor", None, None, None, None, None
    )
    observed = {e.asset_key: e.metadata for e in data.asset_events}
    assert set(observed) == {dg.AssetKey(["posthog", "events"])} | {
        dg.AssetKey(["app", t]) for t in APP_TABLES
    }
    assert observed[dg.AssetKey(["posthog", "events"])]["dagster/row_count"].value == 1
    assert observed[dg.AssetKey(["app", "tenants"])]["dagster/row_count"].value == 2


def test_published_marts_show_their_freshness(workspace) -> None:
    instance, process_context = workspace
    before = nodes(process_context)
    policy = before["marts/exec_overview"]["internalFreshnessPolicy"]
    assert policy == {"deadlineCron": "0 6 * * *", "lowerBoundDeltaSeconds": 86400}
    # Published just now: fresh until the next deadline. Last published two days ago:
    # overdue (nothing in the 24 hours before the last deadline). Never published: unknown.
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=["marts", "exec_overview"], partition="2026-03-31")
    )
    instance.report_dagster_event(
        DagsterEvent(
            event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
            event_specific_data=StepMaterializationData(
                dg.AssetMaterialization(asset_key=["marts", "revenue_protection"])
            ),
            job_name=RUNLESS_JOB_NAME,
        ),
        run_id=RUNLESS_RUN_ID,
        timestamp=time.time() - 2 * 86400,
    )
    asyncio.run(FreshnessDaemon()._evaluate_assets(process_context))
    after = nodes(process_context)
    assert after["marts/exec_overview"]["freshnessStatusInfo"]["freshnessStatus"] == "HEALTHY"
    assert after["marts/revenue_protection"]["freshnessStatusInfo"]["freshnessStatus"] == (
        "DEGRADED"
    )
    assert after["marts/alerts"]["freshnessStatusInfo"]["freshnessStatus"] == "UNKNOWN"
