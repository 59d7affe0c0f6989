"""Row-level security on every published table: tenant readers, no-tenant readers, the
platform reader and the owner."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from boardroom.gate import publish_tenants
from boardroom.gate.marts import MARTS
from boardroom.gate.security import BI_READER, PLATFORM_READER, PUBLICATION_LOG
from boardroom.gate.tables import ensure_published_tables
from tests.gate.conftest import MAX_DATE, MIN_DATE

TENANT_A, TENANT_B = "t_001", "t_o'brien"
TENANT_TABLES = [m for m, s in MARTS.items() if s.tenant_scoped] + [PUBLICATION_LOG]
PUBLISHED_TABLES = [*MARTS, PUBLICATION_LOG]


@pytest.fixture(scope="module")
def secured(module_clone, login_roles):
    url = module_clone()
    publish_tenants(url, MIN_DATE, MAX_DATE, run_id="rls")
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_published_tables(conn)  # applying security twice is harmless
    return {
        "url": url,
        "a": login_roles(url, BI_READER, tenant=TENANT_A),
        "b": login_roles(url, BI_READER, tenant=TENANT_B),
        "none": login_roles(url, BI_READER),
        "platform": login_roles(url, PLATFORM_READER),
    }


def select(url: str, table: str, tenant: str | None = None) -> list[tuple]:
    """Rows of ``marts.<table>`` (tenant_id when it has one) in one transaction."""
    column = sql.SQL("tenant_id") if table in TENANT_TABLES else sql.SQL("NULL")
    with psycopg.connect(url) as conn:
        if tenant is not None:
            conn.execute("SELECT set_config('boardroom.tenant_id', %s, true)", (tenant,))
        return conn.execute(
            sql.SQL("SELECT {} FROM {}").format(column, sql.Identifier("marts", table))
        ).fetchall()


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_tenant_reader_sees_only_its_rows(secured, table: str) -> None:
    for reader, tenant in (("a", TENANT_A), ("b", TENANT_B)):
        rows = select(secured[reader], table)
        assert {r[0] for r in rows} <= {tenant}, table
        if table not in ("approval_queue", "alerts"):
            assert rows, (table, tenant)
    owner = {r[0] for r in select(secured["url"], table)}
    assert {TENANT_A, TENANT_B} <= owner and len(owner - {None}) == 8


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_set_config_per_transaction_scopes_and_expires(secured, table: str) -> None:
    url = secured["none"]
    assert select(url, table) == []
    with psycopg.connect(url) as conn:
        conn.execute("SELECT set_config('boardroom.tenant_id', %s, true)", (TENANT_B,))
        scoped = conn.execute(
            sql.SQL("SELECT DISTINCT tenant_id FROM {}").format(sql.Identifier("marts", table))
        ).fetchall()
        conn.commit()
        after = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("marts", table))
        ).fetchone()[0]
    assert {r[0] for r in scoped} <= {TENANT_B}
    assert after == 0  # the setting ended with the transaction (pool-safe)


def test_platform_overview_only_for_the_platform_role(secured) -> None:
    assert len(select(secured["platform"], "platform_overview")) == 21
    for reader in ("a", "none"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            select(secured[reader], "platform_overview", tenant=TENANT_A)
    for table in TENANT_TABLES:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            select(secured["platform"], table)


def test_metric_catalog_readable_by_every_reader(secured) -> None:
    counts = {r: len(select(secured[r], "metric_catalog")) for r in ("a", "none", "platform")}
    assert set(counts.values()) == {len(select(secured["url"], "metric_catalog"))}
    assert counts["a"] > 50


def test_every_published_table_has_rls_and_no_force(secured) -> None:
    with psycopg.connect(secured["url"]) as conn:
        rows = {
            name: (rls, force)
            for name, rls, force in conn.execute(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
                "WHERE c.relnamespace = 'marts'::regnamespace AND c.relkind = 'r'"
            ).fetchall()
        }
        roles = conn.execute(
            "SELECT rolname, rolcanlogin, rolbypassrls FROM pg_roles "
            "WHERE rolname IN (%s, %s) ORDER BY 1",
            (BI_READER, PLATFORM_READER),
        ).fetchall()
    assert set(rows) == set(PUBLISHED_TABLES)
    assert all(v == (True, False) for v in rows.values())
    assert roles == [(BI_READER, False, False), (PLATFORM_READER, False, False)]


def test_readers_cannot_read_the_audit_schema(secured, pg_admin_url) -> None:
    url = secured["url"]
    with psycopg.connect(url, autocommit=True) as conn:
        # What the dbt grants do when the reader role exists at build time.
        conn.execute(f"GRANT USAGE ON SCHEMA audit TO {BI_READER}")
        conn.execute(f"GRANT SELECT ON audit.exec_overview TO {BI_READER}")
        ensure_published_tables(conn)
    with psycopg.connect(secured["a"]) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT 1 FROM audit.exec_overview LIMIT 1")
