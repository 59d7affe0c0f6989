"""A routine build of an unchanged project skips the contract, schema and comment work its
first build did (``macros/routine_build.sql``), and a table any build makes whole leaves it
vacuumed and analyzed (``macros/maintenance.sql``), not to autovacuum during the next run.
While every table of the recorded build is there, the tables a routine build only adds to
are not even looked up; a dropped one makes the next build look at each.

Each test takes a private copy of the built demo warehouse and runs the real ``dbt build``
of the newest day through ``build_marts``.
"""

from __future__ import annotations

import time

import psycopg
import pytest

from boardroom.dbt.runner import build_marts
from boardroom.dbt.static_nodes import STATE_SCHEMA, STATE_TABLE, plan_static_nodes


def _comments(url: str, table: str) -> tuple[str | None, str | None]:
    """The table's comment and its tenant_id column's."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT obj_description(c.oid, 'pg_class'), col_description(c.oid, a.attnum)"
            " FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid"
            " WHERE c.oid = to_regclass(%s) AND a.attname = 'tenant_id'",
            (table,),
        ).fetchone()


def _has_statistics(url: str, schema: str, table: str) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT exists (SELECT 1 FROM pg_stats WHERE schemaname = %s AND tablename = %s)",
            (schema, table),
        ).fetchone()[0]


def _last_analyze(url: str, table: str, wait: float = 0.0):
    """pg_stat_user_tables.last_analyze of ``table``, polled up to ``wait`` seconds (the
    server publishes a finished backend's counters shortly after it exits)."""
    deadline = time.monotonic() + wait
    while True:
        with psycopg.connect(url) as conn:
            value = conn.execute(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relid = to_regclass(%s)",
                (table,),
            ).fetchone()[0]
        if value is not None or time.monotonic() >= deadline:
            return value
        time.sleep(0.2)


@pytest.fixture
def warehouse(clone_demo_warehouse, demo_warehouse):
    return clone_demo_warehouse(), demo_warehouse.spec.end_date


def test_routine_and_changed_project_builds(warehouse, tmp_path):
    """One copy of the warehouse for a routine build, then a changed project's build."""
    url, day = warehouse
    table_comment, column_comment = _comments(url, "audit.exec_overview")
    assert table_comment and column_comment  # written by the demo's first build
    alerts_comments = _comments(url, "audit.alerts")
    assert plan_static_nodes(url).tables_kept  # every table of the recorded build is there
    with psycopg.connect(url) as conn:
        conn.execute("COMMENT ON COLUMN audit.exec_overview.tenant_id IS 'edited by hand'")
        conn.execute("DROP TABLE audit.alerts CASCADE")
    plan = plan_static_nodes(url)
    assert plan.leave_out  # alerts is no static node: still a routine build
    assert not plan.tables_kept  # but each table's comments and statistics are looked up

    build_marts(url, day, day, unit_tests=False, work_dir=tmp_path / "routine")

    # an unchanged project: the comments are not written again
    assert _comments(url, "audit.exec_overview") == (table_comment, "edited by hand")
    # a table the routine build created gets its comments and statistics
    assert _comments(url, "audit.alerts") == alerts_comments
    assert _has_statistics(url, "audit", "alerts")
    assert _last_analyze(url, "audit.alerts", wait=5.0) is not None
    # the tables it only added a day to were not vacuumed (the copy's counters start empty)
    assert _has_statistics(url, "audit", "exec_overview")
    assert _last_analyze(url, "audit.exec_overview") is None

    with psycopg.connect(url) as conn:
        conn.execute(f"UPDATE {STATE_SCHEMA}.{STATE_TABLE} SET fingerprint = 'an older project'")
    build_marts(url, day, day, unit_tests=False, work_dir=tmp_path / "changed")

    # a changed project writes them all again
    assert _comments(url, "audit.exec_overview") == (table_comment, column_comment)


def test_kept_tables_are_not_looked_up(warehouse, tmp_path):
    """Every recorded table there: a kept table's comments are left as they are (no lookup,
    no rewrite), the table model rebuilt whole still gets its comments and statistics."""
    url, day = warehouse
    assert plan_static_nodes(url).tables_kept
    with psycopg.connect(url) as conn:
        conn.execute("COMMENT ON TABLE audit.exec_overview IS 'edited by hand'")
        before = conn.execute(
            "SELECT max(as_of_date), count(*) FROM audit.exec_overview"
        ).fetchone()

    build_marts(url, day, day, unit_tests=False, work_dir=tmp_path / "routine")

    assert _comments(url, "audit.exec_overview")[0] == "edited by hand"
    with psycopg.connect(url) as conn:
        after = conn.execute("SELECT max(as_of_date), count(*) FROM audit.exec_overview").fetchone()
    assert after == before  # the newest day rebuilt in place, nothing lost
    table_comment, column_comment = _comments(url, "audit.tenant_summary")
    assert table_comment and column_comment
    assert _has_statistics(url, "audit", "tenant_summary")
    assert _last_analyze(url, "audit.tenant_summary", wait=5.0) is not None


def test_a_record_without_its_tables_keeps_nothing(warehouse):
    """A record kept before it listed every table (static relations only) still leaves the
    static nodes out, and has each table looked up."""
    url, _day = warehouse
    with psycopg.connect(url) as conn:
        conn.execute(
            f"UPDATE {STATE_SCHEMA}.{STATE_TABLE} SET relations = (SELECT jsonb_agg("
            "jsonb_build_object('schema', r->>'schema', 'name', r->>'name'))"
            " FROM jsonb_array_elements(relations) AS r WHERE (r->>'static')::boolean)"
        )
    plan = plan_static_nodes(url)
    assert plan.leave_out
    assert not plan.tables_kept
