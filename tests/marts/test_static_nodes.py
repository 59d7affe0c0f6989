"""Routine builds leave the unchanged static nodes out (views, seeds and the metric
catalogue), and nothing else.

Each test takes a private copy of the built demo warehouse (its build recorded the static
nodes) and runs the real ``dbt build`` of the newest day through ``build_marts``; what dbt
ran is read from its output (a routine build writes no ``run_results.json``).
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from boardroom.dbt.results import node_results
from boardroom.dbt.runner import build_marts
from boardroom.dbt.static_nodes import (
    STATE_SCHEMA,
    STATE_TABLE,
    plan_static_nodes,
    project_fingerprint,
)

SEEDS = {"reference.metric_catalog", "reference.status_thresholds"}
#: The other static nodes: two intermediate views and the catalogue built from a seed.
BUILT_ON_THEM = {
    "intermediate.int_tenant_currencies",
    "intermediate.int_source_watermarks",
    "audit.metric_catalog",
}


def _build(url: str, day, work_dir: Path, *, full_refresh: bool = False) -> set[str]:
    """The newest day's routine build; the nodes dbt ran (``schema.name``, or a test's name)."""
    result = build_marts(
        url, day, day, unit_tests=False, work_dir=work_dir, full_refresh=full_refresh
    )
    return {node.name for node in node_results(result.stdout)}


def _staging_views(nodes: set[str]) -> set[str]:
    return {node for node in nodes if node.startswith("staging.stg_")}


def _staging_tests(nodes: set[str]) -> set[str]:
    return {node for node in nodes if "." not in node and "_stg_" in node}


def _seed_tests(nodes: set[str]) -> set[str]:
    return {node for node in nodes if "_metric_catalog_" in node or "_status_thresholds_" in node}


def _exec_overview(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT to_jsonb(e) - '_built_at' - '_invocation_id' FROM audit.exec_overview AS e"
            " ORDER BY tenant_id, as_of_date"
        ).fetchall()


@pytest.fixture
def warehouse(clone_demo_warehouse, demo_warehouse):
    return clone_demo_warehouse(), demo_warehouse.spec.end_date


def test_a_routine_build_leaves_static_nodes_out_and_keeps_the_views_tests(warehouse, tmp_path):
    url, day = warehouse
    before = _exec_overview(url)
    assert plan_static_nodes(url).leave_out

    ran = _build(url, day, tmp_path / "routine")

    assert not _staging_views(ran)
    assert not ran & (SEEDS | BUILT_ON_THEM)
    assert not _seed_tests(ran)  # the CSVs are the project's: tested when it changed
    assert len(_staging_tests(ran)) >= 12  # the day's raw rows are still checked
    assert "snapshots.snap_app_deals" in ran
    assert "audit.exec_overview" in ran
    assert _exec_overview(url) == before
    assert not (tmp_path / "routine" / "target" / "run_results.json").exists()
    # the next routine build starts from the state this one kept: no re-parse of the project
    _build(url, day, tmp_path / "routine-2")
    log = (tmp_path / "routine-2" / "logs" / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log
    with psycopg.connect(url) as conn:
        views = conn.execute(
            "SELECT count(*) FROM pg_views WHERE schemaname = 'staging'"
        ).fetchone()[0]
    assert views == 12


def test_a_changed_project_builds_them_again_and_records_it(warehouse, tmp_path):
    url, day = warehouse
    with psycopg.connect(url) as conn:
        conn.execute(f"UPDATE {STATE_SCHEMA}.{STATE_TABLE} SET fingerprint = 'an older project'")
    assert not plan_static_nodes(url).leave_out

    ran = _build(url, day, tmp_path / "changed")

    assert len(_staging_views(ran)) == 12
    assert ran >= SEEDS | BUILT_ON_THEM
    assert _seed_tests(ran)
    with psycopg.connect(url) as conn:
        recorded = conn.execute(f"SELECT fingerprint FROM {STATE_SCHEMA}.{STATE_TABLE}").fetchall()
    assert recorded == [(project_fingerprint(),)]
    assert not _staging_views(_build(url, day, tmp_path / "next"))


def test_a_dropped_view_is_built_again(warehouse, tmp_path):
    url, day = warehouse
    with psycopg.connect(url) as conn:
        conn.execute("DROP VIEW staging.stg_app__deals CASCADE")
    assert not plan_static_nodes(url).leave_out

    ran = _build(url, day, tmp_path / "dropped")

    assert "staging.stg_app__deals" in ran
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT to_regclass('staging.stg_app__deals')").fetchone()[0]


def test_a_full_refresh_and_a_new_warehouse_build_everything(warehouse, warehouse_url, tmp_path):
    url, _day = warehouse
    assert not plan_static_nodes(url, rebuild=True).leave_out
    assert not plan_static_nodes(warehouse_url).leave_out  # nothing recorded yet
