"""The staging models' row checks (``tests/generic/boardroom_valid_rows.sql``): one dbt test
per model that catches a missing key and a value outside the accepted ones, names the
column, problem and value, and lets good rows and nulls in status columns pass.

Runs the real ``dbt test`` on a private copy of the built demo warehouse whose raw mirrors
were given bad rows.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from boardroom.dbt.process import DbtRunError
from boardroom.dbt.runner import run_dbt
from orchestration.defs.marts.check_descriptions import describe_test
from tests.test_marts_registry import manifest

FAILURES_SCHEMA = "dbt_test__audit"


def _stored_failures(url: str, test: str) -> set[tuple[str, str, str | None, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f'SELECT column_name, problem, value, failing_rows FROM "{FAILURES_SCHEMA}"."{test}"'
        ).fetchall()
    return {tuple(row) for row in rows}


def _test(url: str, test: str, work_dir) -> None:
    run_dbt(["test", "--select", test, "--store-failures"], url, work_dir=work_dir)


def test_clean_rows_pass(clone_demo_warehouse, tmp_path):
    url = clone_demo_warehouse()
    _test(url, "boardroom_valid_rows_stg_app__tenants", tmp_path / "clean")
    assert _stored_failures(url, "boardroom_valid_rows_stg_app__tenants") == set()


def test_a_bad_value_and_a_missing_key_fail_and_are_named(clone_demo_warehouse, tmp_path):
    url = clone_demo_warehouse()
    with psycopg.connect(url) as conn:
        tenants = [r[0] for r in conn.execute("SELECT tenant_id FROM raw.app_tenants ORDER BY 1")]
        conn.execute(
            "UPDATE raw.app_tenants SET plan = 'platinum' WHERE tenant_id = ANY(%s)",
            (tenants[:2],),
        )
        conn.execute("UPDATE raw.app_tenants SET locale = NULL WHERE tenant_id = %s", (tenants[2],))
        deal = conn.execute("SELECT min(deal_id) FROM raw.app_deals").fetchone()[0]
        key = conn.execute(
            "SELECT conname FROM pg_constraint"
            " WHERE conrelid = 'raw.app_deals'::regclass AND contype = 'p'"
        ).fetchone()[0]
        conn.execute(
            sql.SQL("ALTER TABLE raw.app_deals DROP CONSTRAINT {}").format(sql.Identifier(key))
        )
        conn.execute("ALTER TABLE raw.app_deals ALTER COLUMN deal_id DROP NOT NULL")
        conn.execute("UPDATE raw.app_deals SET deal_id = NULL WHERE deal_id = %s", (deal,))

    with pytest.raises(DbtRunError, match="boardroom_valid_rows_stg_app__tenants"):
        _test(url, "boardroom_valid_rows_stg_app__tenants", tmp_path / "tenants")
    # the two bad plans in one row; the null locale passes, as in dbt's accepted_values
    assert _stored_failures(url, "boardroom_valid_rows_stg_app__tenants") == {
        ("plan", "not an accepted value", "platinum", 2)
    }
    with pytest.raises(DbtRunError, match="boardroom_valid_rows_stg_app__deals"):
        _test(url, "boardroom_valid_rows_stg_app__deals", tmp_path / "deals")
    assert _stored_failures(url, "boardroom_valid_rows_stg_app__deals") == {
        ("deal_id", "is null", None, 1)
    }


def test_the_check_is_described_column_by_column():
    nodes = manifest()["nodes"]
    test = next(n for n in nodes.values() if n["name"] == "boardroom_valid_rows_stg_app__tenants")
    assert describe_test(test, manifest()).startswith(
        "`tenant_id` is never null; `plan` only takes the values `starter`, `growth`,"
        " `enterprise`; `locale` only takes the values `en`, `ar`;"
    )
