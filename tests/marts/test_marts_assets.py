"""The dbt project in Dagster: keys, groups, lineage, and one partition built for real."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace

import dagster as dg
import psycopg
import pytest

from boardroom.dbt.manifest import manifest_is_stale
from orchestration.defs.ingest.assets import RAW_APP_KEYS, RAW_POSTHOG_EVENTS_KEY
from orchestration.defs.marts.assets import (
    boardroom_dbt_models,
    parse_days_touched,
    plan_build,
    previous_build,
)
from orchestration.defs.marts.project import boardroom_dbt_project
from orchestration.defs.marts.resources import BoardroomDbtResource
from orchestration.defs.marts.translator import BoardroomDbtTranslator
from orchestration.partitions import daily_partitions

AK = dg.AssetKey
DAY = "2026-03-31"  # tests.support.demo_warehouse.TEST_SPEC.end_date


@pytest.fixture(scope="module")
def graph():
    from orchestration.definitions import defs

    return defs().get_repository_def().asset_graph


def test_manifest_is_prepared_and_current():
    assert boardroom_dbt_project.manifest_path.exists()
    assert not manifest_is_stale(boardroom_dbt_project)


def test_a_missing_or_older_manifest_is_stale(tmp_path):
    import os

    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "m.sql"
    model.write_text("select 1")
    (tmp_path / "dbt_project.yml").write_text("name: x")
    manifest = tmp_path / "target" / "manifest.json"
    project = SimpleNamespace(project_dir=tmp_path, manifest_path=manifest)
    assert manifest_is_stale(project)
    manifest.parent.mkdir()
    manifest.write_text("{}")
    os.utime(model, (1, 1))
    os.utime(tmp_path / "dbt_project.yml", (1, 1))
    assert not manifest_is_stale(project)
    model.touch()
    assert manifest_is_stale(project)


def test_keys_are_schema_and_alias(graph):
    keys = set(graph.get_all_asset_keys())
    expected = {
        AK(["staging", "stg_app__deals"]),
        AK(["staging", "stg_posthog__events"]),
        AK(["snapshots", "snap_app_deals"]),
        AK(["intermediate", "int_as_of_days"]),
        AK(["intermediate", "int_tenant_day_scorecard"]),
        AK(["audit", "exec_overview"]),
        AK(["audit", "alerts"]),
        AK(["audit", "metric_catalog"]),
        AK(["reference", "metric_catalog"]),
        AK(["reference", "status_thresholds"]),
    }
    assert expected <= keys
    assert AK(["audit", "metric_catalog_published"]) not in keys
    # Every dbt source is an ingest asset: the only external assets are the two sources
    # themselves (group `sources`, upstream of the ingest assets).
    external = {key for key in keys if not graph.get(key).is_materializable}
    assert external and all(graph.get(key).group_name == "sources" for key in external)


def test_sources_connect_to_the_ingest_assets(graph):
    assert RAW_APP_KEYS["deals"] in graph.get(AK(["staging", "stg_app__deals"])).parent_keys
    assert RAW_POSTHOG_EVENTS_KEY in graph.get(AK(["staging", "stg_posthog__events"])).parent_keys
    assert (
        AK(["reference", "metric_catalog"])
        in graph.get(AK(["audit", "metric_catalog"])).parent_keys
    )


@pytest.mark.parametrize(
    ("key", "group"),
    [
        (["staging", "stg_app__tenants"], "staging"),
        (["snapshots", "snap_app_tenants"], "snapshots"),
        (["intermediate", "int_tenant_days"], "intermediate"),
        (["audit", "exec_overview"], "marts_audit"),
        (["audit", "metric_catalog"], "marts_audit"),
        (["reference", "status_thresholds"], "reference"),
    ],
)
def test_groups_owners_kinds_and_metadata(graph, key, group):
    node = graph.get(AK(key))
    assert node.group_name == group
    assert node.owners == ["team:data-engineering"]
    assert node.kinds == {"dbt", "postgres"}
    assert node.partitions_def == daily_partitions
    assert node.backfill_policy == dg.BackfillPolicy.single_run()
    assert node.metadata["dagster/table_name"] == ".".join(key)
    assert node.description and not node.description.startswith("dbt ")


def test_descriptions_come_from_the_dbt_docs(graph):
    text = graph.get(AK(["audit", "exec_overview"])).description
    assert text.startswith("The executive overview")
    assert "Raw SQL" not in text


def test_dbt_tests_are_asset_checks(graph):
    # staging and seed tests are dbt checks; a mart is checked by the publication gate (GX),
    # whose checks its dbt data tests duplicate (they run apart, selector
    # boardroom_mart_data_tests)
    on_staging = {k for k in graph.asset_check_keys if k.asset_key.path[0] == "staging"}
    # one row check per app mirror's staging model, the events' key test
    assert len(on_staging) == 12
    assert any(k.name == "boardroom_valid_rows_stg_app__tenants" for k in on_staging)
    overview = {k for k in graph.asset_check_keys if k.asset_key == AK(["audit", "exec_overview"])}
    assert overview and all(not k.name.startswith("accepted_values") for k in overview)


def test_translator_falls_back_for_unknown_sources():
    translator = BoardroomDbtTranslator()
    props = {"resource_type": "source", "source_name": "elsewhere", "name": "t", "meta": {}}
    assert translator.get_asset_key(props) == AK(["elsewhere", "t"])
    assert parse_days_touched("none") == set()
    assert parse_days_touched("2026-03-30, 2026-03-31") == {date(2026, 3, 30), date(2026, 3, 31)}


@pytest.fixture(scope="module")
def built(demo_warehouse):
    """The demo warehouse's newest day rebuilt through Dagster (one incremental run)."""
    from tests.support.demo_warehouse import create_database, drop_database

    name = f"marts_{uuid.uuid4().hex[:10]}"
    url = create_database(demo_warehouse.admin_url, name, template=demo_warehouse.template)
    instance = dg.DagsterInstance.ephemeral()
    started = datetime.now(UTC)
    result = dg.materialize(
        [boardroom_dbt_models],
        partition_key=DAY,
        instance=instance,
        resources={
            "dbt": BoardroomDbtResource(project_dir=boardroom_dbt_project, warehouse_url=url)
        },
        raise_on_error=False,
    )
    yield SimpleNamespace(url=url, instance=instance, result=result, started=started)
    drop_database(demo_warehouse.admin_url, name)


def test_one_partition_builds_the_marts(built):
    assert built.result.success
    with psycopg.connect(built.url) as conn:
        tenants = conn.execute(
            "SELECT count(*) FROM raw.app_tenants WHERE created_at < %s", (date(2026, 4, 1),)
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT count(*), min(_built_at) FROM audit.exec_overview WHERE as_of_date = %s",
            (date(2026, 3, 31),),
        ).fetchone()
        older = conn.execute(
            "SELECT max(_built_at) FROM audit.exec_overview WHERE as_of_date < %s",
            (date(2026, 3, 31),),
        ).fetchone()[0]
    assert rows[0] == tenants > 0
    assert rows[1] >= built.started  # rebuilt by this run ...
    assert older < built.started  # ... and only that day


def test_materializations_carry_row_counts(built):
    mats = {
        event.asset_key: event.event_specific_data.materialization
        for event in built.result.get_asset_materialization_events()
    }
    assert set(mats) == set(boardroom_dbt_models.keys)
    overview = mats[AK(["audit", "exec_overview"])]
    assert overview.partition == DAY
    with psycopg.connect(built.url) as conn:
        total = conn.execute("SELECT count(*) FROM audit.exec_overview").fetchone()[0]
    assert overview.metadata["dagster/row_count"].value == total
    assert mats[AK(["reference", "metric_catalog"])].metadata["dagster/row_count"].value > 10


def test_unchanged_views_and_seeds_are_reported_not_rebuilt(built):
    """The demo warehouse's build recorded its static nodes: this run leaves them out, and
    reports each as current (not rebuilt), while their tests still run."""
    mats = {
        event.asset_key: event.event_specific_data.materialization
        for event in built.result.get_asset_materialization_events()
    }
    left_out = (
        AK(["staging", "stg_app__deals"]),
        AK(["reference", "status_thresholds"]),
        AK(["intermediate", "int_tenant_currencies"]),
        AK(["audit", "metric_catalog"]),
    )
    for key in left_out:
        assert mats[key].metadata["boardroom/rebuilt"].value is False
    assert "boardroom/rebuilt" not in mats[AK(["audit", "exec_overview"])].metadata
    messages = [e.user_message for e in built.instance.all_logs(built.result.run_id)]
    assert any("metric catalogue unchanged since their last build: left out" in m for m in messages)
    checked = {e.asset_key for e in built.result.get_asset_check_evaluations()}
    assert AK(["staging", "stg_app__deals"]) in checked


def test_dbt_tests_ran_as_passing_asset_checks(built):
    evaluations = built.result.get_asset_check_evaluations()
    assert len(evaluations) >= 15
    failed = [e.check_name for e in evaluations if not e.passed and e.severity.value == "ERROR"]
    assert failed == []
    on_staging = [e for e in evaluations if e.asset_key.path[0] == "staging"]
    assert on_staging and all(e.passed for e in on_staging)


def test_the_run_passed_the_window_as_vars(built):
    messages = [e.user_message for e in built.instance.all_logs(built.result.run_id)]
    assert any(f"incremental build of as-of days {DAY} .. {DAY}" in m for m in messages)


def test_the_next_build_picks_up_late_event_days(built):
    previous = previous_build(built.instance)
    assert previous is not None
    assert previous[1] <= datetime.now(UTC)
    built.instance.report_runless_asset_event(
        dg.AssetMaterialization(
            RAW_POSTHOG_EVENTS_KEY,
            partition=DAY,
            metadata={"days_touched": "2026-03-20, 2026-03-29"},
        )
    )
    plan = plan_build(
        built.instance, "another-run", date(2026, 3, 31), date(2026, 4, 1), full_refresh=False
    )
    assert (plan.min_date, plan.max_date) == (date(2026, 3, 31), date(2026, 3, 31))
    assert plan.event_days == [date(2026, 3, 20), date(2026, 3, 29)]
    assert plan.late_events_loaded_since == previous[1]
    assert plan.start_date is None

    full = plan_build(
        built.instance, "another-run", date(2026, 3, 30), date(2026, 4, 1), full_refresh=True
    )
    assert full.start_date == daily_partitions.start.date()
    assert (full.min_date, full.max_date, full.event_days) == (
        date(2026, 3, 30),
        date(2026, 3, 31),
        [],
    )
    assert full.env()["BOARDROOM_DBT_START_DATE"] == daily_partitions.start.date().isoformat()
    assert plan.env()["BOARDROOM_DBT_EVENT_DAYS"] == "2026-03-20,2026-03-29"
