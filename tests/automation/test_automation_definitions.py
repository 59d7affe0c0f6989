"""The code location as the UI shows it: sources in the lineage, sensors, freshness, scope."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest
from dagster._core.definitions.freshness import CronFreshnessPolicy

from boardroom.settings import ConfigurationError
from boardroom.sources.app_db import APP_TABLES
from orchestration.defs.automation.freshness import deadline_cron, freshness_hours
from orchestration.defs.automation.published_days import day_ranges
from orchestration.defs.gate.scope import (
    BOARD_PACKS_OP,
    PUBLISH_OP,
    tenant_run_config,
    tenant_scope,
)


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs()


def test_sources_are_upstream_of_raw(definitions: dg.Definitions) -> None:
    graph = definitions.resolve_asset_graph()
    posthog = dg.AssetKey(["posthog", "events"])
    assert posthog in graph.external_asset_keys
    assert not graph.get(posthog).is_materializable
    assert posthog in graph.get(dg.AssetKey(["raw", "posthog_events"])).parent_keys
    for table in APP_TABLES:
        source = dg.AssetKey(["app", table])
        assert source in graph.external_asset_keys
        assert graph.get(source).group_name == "sources"
        assert graph.get(dg.AssetKey(["raw", f"app_{table}"])).parent_keys == {source}
    # Lineage reaches from a source down to a published mart.
    published = dg.AssetKey(["marts", "exec_overview"])
    assert posthog in graph.get_ancestor_asset_keys(published)


def test_sensors_are_listed_with_descriptions(definitions: dg.Definitions) -> None:
    sensors = {s.name: s for s in definitions.get_repository_def().sensor_defs}
    assert {"source_observation_sensor", "late_data_sensor", "run_failure_alert_sensor"} <= set(
        sensors
    )
    for name in ("source_observation_sensor", "late_data_sensor", "run_failure_alert_sensor"):
        assert len(sensors[name].description or "") > 80, name
        assert sensors[name].default_status == dg.DefaultSensorStatus.RUNNING
    assert sensors["late_data_sensor"].job_name == "daily_pipeline_job"


def test_published_marts_have_a_freshness_policy(definitions: dg.Definitions) -> None:
    graph = definitions.resolve_asset_graph()
    marts = [k for k in graph.materializable_asset_keys if k.path[0] == "marts"]
    assert len(marts) == 13
    for key in marts:
        policy = graph.get(key).freshness_policy
        assert isinstance(policy, CronFreshnessPolicy), key
        assert policy.deadline_cron == "0 6 * * *"  # the 02:00 daily run + 4 hours


def test_freshness_deadline_follows_the_daily_run() -> None:
    assert deadline_cron({"BOARDROOM_DAILY_CRON": "30 22 * * *"}) == "30 2 * * *"
    env = {"BOARDROOM_MARTS_FRESHNESS_HOURS": "1"}
    assert freshness_hours(env) == 1 and deadline_cron(env) == "0 3 * * *"
    with pytest.raises(ConfigurationError, match="BOARDROOM_MARTS_FRESHNESS_HOURS"):
        freshness_hours({"BOARDROOM_MARTS_FRESHNESS_HOURS": "0"})


def test_tenant_scope_run_config_targets_the_real_ops(definitions: dg.Definitions) -> None:
    job = definitions.resolve_job_def("daily_pipeline_job")
    ops = {node.name for node in job.graph.nodes}
    assert {PUBLISH_OP, BOARD_PACKS_OP} <= ops
    config = tenant_run_config(["t_007", "t_007", "t_002"])
    assert tenant_scope(config) == ["t_002", "t_007"]
    assert config["ops"][BOARD_PACKS_OP]["config"]["tenants"] == ["t_002", "t_007"]
    assert tenant_scope({}) is None
    # The daily job accepts the scope as run config.
    from dagster._config import validate_config

    result = validate_config(job.run_config_schema.config_type, config)
    assert result.success, result.errors


def test_run_pipeline_merges_the_scope_into_its_config() -> None:
    from boardroom.cli.pipeline_run import _with_tenants, run_config

    base = run_config(True, False)
    merged = _with_tenants(base, ["t_007"])
    assert merged["ops"]["raw_app_tables"] == {"config": {"full_refresh": True}}
    assert merged["ops"][PUBLISH_OP] == {"config": {"tenants": ["t_007"]}}
    assert _with_tenants(base, None) == base


def test_day_ranges() -> None:
    d = date.fromisoformat
    days = [d("2026-03-05"), d("2026-03-03"), d("2026-03-04"), d("2026-03-09")]
    assert day_ranges(days) == [(d("2026-03-03"), d("2026-03-05")), (d("2026-03-09"),) * 2]
    assert day_ranges([]) == []


def test_new_settings_are_read_and_documented() -> None:
    from boardroom.paths import PROJECT_ROOT
    from boardroom.settings import Settings

    owner = Settings.from_env({"BOARDROOM_DATA_OWNER_EMAIL": " owner@example.org "})
    assert owner.data_owner_email == "owner@example.org"
    assert Settings.from_env({}).data_owner_email is None
    example = (PROJECT_ROOT / ".env.example").read_text()
    readme = (PROJECT_ROOT / "README.md").read_text()
    for name in ("BOARDROOM_DATA_OWNER_EMAIL", "BOARDROOM_MARTS_FRESHNESS_HOURS"):
        assert f"{name}=" in example and f"`{name}`" in readme, name
    for sensor in ("source_observation_sensor", "late_data_sensor", "run_failure_alert_sensor"):
        assert f"`{sensor}`" in readme, sensor
