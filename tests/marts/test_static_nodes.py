"""Routine builds leave the unchanged staging views and seeds out, and nothing else.

Each test takes a private copy of the built demo warehouse (its build recorded the static
nodes) and runs the real ``dbt build`` of the newest day through ``build_marts``; what dbt
ran is read from its ``run_results.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from boardroom.dbt.runner import build_marts
from boardroom.dbt.static_nodes import (
    STATE_SCHEMA,
    STATE_TABLE,
    plan_static_nodes,
    project_fingerprint,
)

SEEDS = {"seed.boardroom.metric_catalog", "seed.boardroom.status_thresholds"}


def _build(url: str, day, work_dir: Path, *, full_refresh: bool = False) -> set[str]:
    """The newest day's routine build; the unique ids of the nodes dbt ran."""
    build_marts(url, day, day, unit_tests=False, work_dir=work_dir, full_refresh=full_refresh)
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    return {result["unique_id"] for result in results}


def _staging_views(nodes: set[str]) -> set[str]:
    return {node for node in nodes if node.startswith("model.boardroom.stg_")}


def _staging_tests(nodes: set[str]) -> set[str]:
    return {node for node in nodes if node.startswith("test.") and "_stg_" in node}


def _exec_overview(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT to_jsonb(e) - '_built_at' - '_invocation_id' FROM audit.exec_overview AS e"
            " ORDER BY tenant_id, as_of_date"
        ).fetchall()


@pytest.fixture
def warehouse(clone_demo_warehouse, demo_warehouse):
    return clone_demo_warehouse(), demo_warehouse.spec.end_date


def test_a_routine_build_leaves_views_and_seeds_out_and_keeps_their_tests(warehouse, tmp_path):
    url, day = warehouse
    before = _exec_overview(url)
    assert plan_static_nodes(url).leave_out

    ran = _build(url, day, tmp_path / "routine")

    assert not _staging_views(ran)
    assert not ran & SEEDS
    assert len(_staging_tests(ran)) >= 12  # the day's raw rows are still checked
    assert "snapshot.boardroom.snap_app_deals" in ran
    assert "model.boardroom.exec_overview" in ran
    assert _exec_overview(url) == before
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
    assert ran >= SEEDS
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

    assert "model.boardroom.stg_app__deals" in ran
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT to_regclass('staging.stg_app__deals')").fetchone()[0]


def test_a_full_refresh_and_a_new_warehouse_build_everything(warehouse, warehouse_url, tmp_path):
    url, _day = warehouse
    assert not plan_static_nodes(url, rebuild=True).leave_out
    assert not plan_static_nodes(warehouse_url).leave_out  # nothing recorded yet
