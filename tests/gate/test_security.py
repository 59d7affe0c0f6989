"""Tenant isolation of the published marts, attacked the way a BI user with SQL would.

Every login connects over TCP with its password, as Metabase, Superset or psql do. Tenant
A's login tries every technique below against every published tenant table and must see
nothing of tenant B (whose id holds a quote): not rows, not counts, not estimates, not errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import psycopg
import pytest
from psycopg import sql

from boardroom.gate import publish_tenants
from boardroom.gate.marts import MARTS
from boardroom.gate.security import (
    BI_READER,
    PLATFORM_READER,
    PUBLICATION_LOG,
    TENANT_APP,
    tenant_role,
    tenant_tables,
)
from boardroom.gate.tables import ensure_published_tables, published_key
from tests.gate.conftest import MAX_DATE, MIN_DATE

TENANT_A, TENANT_B = "t_001", "t_o'brien"
NO_SUCH_TENANT = "t_does_not_exist"
TENANT_TABLES = list(tenant_tables())
PUBLISHED_TABLES = [*MARTS, PUBLICATION_LOG]
#: Schemas readers must not reach at all.
PRIVATE_SCHEMAS = ("raw", "staging", "intermediate", "snapshots", "audit", "reference", "access")


@pytest.fixture(scope="module")
def secured(module_clone, login_roles):
    url = module_clone()
    publish_tenants(url, MIN_DATE, MAX_DATE, run_id="rls")
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_published_tables(conn)  # applying security twice is harmless
        conn.execute("ANALYZE")  # statistics would be the first thing to leak
    return {
        "url": url,
        "a": login_roles(url, BI_READER, tenant=TENANT_A),
        "b": login_roles(url, BI_READER, tenant=TENANT_B),
        "none": login_roles(url, BI_READER),
        "platform": login_roles(url, PLATFORM_READER),
        "app": login_roles(url, TENANT_APP),
    }


def _table(table: str) -> sql.Composable:
    return sql.Identifier("marts", table)


def _tenants_seen(conn: psycopg.Connection, table: str) -> set[str]:
    rows = conn.execute(sql.SQL("SELECT tenant_id FROM {}").format(_table(table))).fetchall()
    return {r[0] for r in rows}


def _owner_tenants(secured, table: str) -> set[str]:
    with psycopg.connect(secured["url"]) as conn:
        return _tenants_seen(conn, table)


# --- techniques: each runs on A's connection and returns the tenants it could see ---------


def plain(conn, table):
    return _tenants_seen(conn, table)


def set_tenant_setting(conn, table):
    conn.execute(sql.SQL("SET boardroom.tenant_id = {}").format(sql.Literal(TENANT_B)))
    return _tenants_seen(conn, table)


def set_config_session_and_local(conn, table):
    conn.execute("SELECT set_config('boardroom.tenant_id', %s, false)", (TENANT_B,))
    conn.execute("SELECT set_config('boardroom.tenant_id', %s, true)", (TENANT_B,))
    return _tenants_seen(conn, table)


def forge_the_application_scope(conn, table):
    """Write exactly what access.assume_tenant would write, stamp included."""
    conn.execute(
        "SELECT set_config('boardroom.assumed_tenant', "
        "(extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text || ':' || %s, "
        "true)",
        (TENANT_B,),
    )
    return _tenants_seen(conn, table)


def reset_everything(conn, table):
    conn.execute("SET boardroom.tenant_id = 'x'")
    for statement in ("RESET ALL", "RESET ROLE", "RESET SESSION AUTHORIZATION", "DISCARD ALL"):
        conn.commit()
        conn.autocommit = statement == "DISCARD ALL"
        conn.execute(statement)
    conn.autocommit = False
    return _tenants_seen(conn, table)


def set_role_to_the_group(conn, table):
    conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(BI_READER)))
    return _tenants_seen(conn, table)


def set_role_to_another_reader(conn, table, other_login):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(other_login)))
    conn.rollback()
    for role in ("postgres", TENANT_APP, PLATFORM_READER):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        conn.rollback()
    return _tenants_seen(conn, table)


def row_security_off(conn, table):
    conn.execute("SET row_security = off")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        _tenants_seen(conn, table)
    conn.rollback()
    return _tenants_seen(conn, table)


def where_clause_on_the_other_tenant(conn, table):
    rows = conn.execute(
        sql.SQL("SELECT tenant_id FROM {} WHERE tenant_id = %s").format(_table(table)),
        (TENANT_B,),
    ).fetchall()
    return {r[0] for r in rows}


def leaky_error_in_where(conn, table):
    """A division by zero (not leakproof) evaluated on any row of another tenant would
    raise; the policy runs first, so it never sees one."""
    rows = conn.execute(
        sql.SQL(
            "SELECT tenant_id FROM {} WHERE tenant_id <> %s AND 1 / (length(tenant_id) * 0) = 1"
        ).format(_table(table)),
        (TENANT_A,),
    ).fetchall()
    return {r[0] for r in rows}


TECHNIQUES: dict[str, Callable] = {
    "plain": plain,
    "SET": set_tenant_setting,
    "set_config": set_config_session_and_local,
    "forged app scope": forge_the_application_scope,
    "RESET": reset_everything,
    "SET ROLE group": set_role_to_the_group,
    "row_security off": row_security_off,
    "WHERE tenant_id = B": where_clause_on_the_other_tenant,
    "leaky error": leaky_error_in_where,
}


@pytest.mark.parametrize("technique", list(TECHNIQUES))
@pytest.mark.parametrize("table", TENANT_TABLES)
def test_tenant_a_never_sees_tenant_b(secured, table: str, technique: str) -> None:
    assert {TENANT_A, TENANT_B} <= _owner_tenants(secured, table) or table in (
        "approval_queue",
        "alerts",
    )
    with psycopg.connect(secured["a"]) as conn:
        seen = TECHNIQUES[technique](conn, table)
    assert seen <= {TENANT_A}, (table, technique, seen)


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_set_role_to_another_login_is_refused(secured, table: str) -> None:
    other_login = psycopg.conninfo.conninfo_to_dict(secured["b"])["user"]
    with psycopg.connect(secured["a"]) as conn:
        assert set_role_to_another_reader(conn, table, other_login) <= {TENANT_A}


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_each_reader_sees_exactly_its_tenant(secured, table: str) -> None:
    owner = _owner_tenants(secured, table)
    for reader, tenant in (("a", TENANT_A), ("b", TENANT_B)):
        with psycopg.connect(secured[reader]) as conn:
            assert _tenants_seen(conn, table) == owner & {tenant}, (table, reader)
    with psycopg.connect(secured["none"]) as conn:
        assert _tenants_seen(conn, table) == set()


def _plan_numbers(plan: dict) -> list[tuple[str, float]]:
    """Every row count EXPLAIN reports, node by node."""
    numbers = [
        (key, plan[key])
        for key in ("Plan Rows", "Actual Rows", "Rows Removed by Filter", "Actual Loops")
        if key in plan
    ]
    for child in plan.get("Plans", []):
        numbers += _plan_numbers(child)
    return numbers


def _explain(conn, table: str, tenant: str, extra: str = "") -> list[tuple[str, float]]:
    query = sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM {} WHERE tenant_id = %s").format(
        _table(table)
    ) + sql.SQL(extra)
    (result,) = conn.execute(query, (tenant,)).fetchone()
    plan = result if isinstance(result, list) else json.loads(result)
    return _plan_numbers(plan[0]["Plan"])


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_explain_analyze_cannot_tell_tenant_b_from_nobody(secured, table: str) -> None:
    """Estimates and actual counts for tenant B equal those for a tenant that does not
    exist, with the planner pushed to every access path."""
    with psycopg.connect(secured["a"]) as conn:
        for setting in ("", "enable_seqscan", "enable_indexscan", "enable_bitmapscan"):
            if setting:
                conn.execute(sql.SQL("SET {} = off").format(sql.Identifier(setting)))
            assert _explain(conn, table, TENANT_B) == _explain(conn, table, NO_SUCH_TENANT)
            assert _explain(conn, table, TENANT_B, " AND as_of_date IS NOT NULL") == _explain(
                conn, table, NO_SUCH_TENANT, " AND as_of_date IS NOT NULL"
            ) or "as_of_date" not in _columns(secured, table)


def _columns(secured, table: str) -> set[str]:
    with psycopg.connect(secured["url"]) as conn:
        return {
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'marts' AND table_name = %s",
                (table,),
            )
        }


def _estimate(conn: psycopg.Connection, table: str, tenant: str) -> float:
    """The planner's row estimate for one tenant's rows (EXPLAIN without ANALYZE)."""
    query = sql.SQL("EXPLAIN (FORMAT JSON) SELECT * FROM {} WHERE tenant_id = %s")
    (plan,) = conn.execute(query.format(_table(table)), (tenant,)).fetchone()
    return plan[0]["Plan"]["Plan Rows"]


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_value_estimates_do_not_reveal_distributions(secured, table: str) -> None:
    """No statistics are kept, so an estimate on a value is the same whatever the data."""
    with psycopg.connect(secured["a"]) as conn:
        stats = conn.execute(
            "SELECT count(*) FROM pg_stats WHERE schemaname = 'marts' AND tablename = %s",
            (table,),
        ).fetchone()[0]
        real, fake = (_estimate(conn, table, tenant) for tenant in (TENANT_B, NO_SUCH_TENANT))
    assert stats == 0
    assert real == fake
    with psycopg.connect(secured["url"]) as conn:
        # Not even the owner keeps statistics for these tables: there is nothing to leak.
        assert (
            conn.execute(
                "SELECT count(*) FROM pg_statistic WHERE starelid = %s::regclass",
                (f'marts."{table}"',),
            ).fetchone()[0]
            == 0
        )


CREATE_ATTEMPTS = [
    "CREATE FUNCTION pg_temp.peek(text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE TEMP VIEW everything AS SELECT * FROM marts.exec_overview",
    "CREATE TEMP TABLE copy_of (x int)",
    "CREATE FUNCTION marts.peek(text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE VIEW marts.everything AS SELECT * FROM marts.exec_overview",
    "CREATE FUNCTION public.peek(text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE VIEW public.everything AS SELECT * FROM marts.exec_overview",
    "CREATE SCHEMA mine",
]


@pytest.mark.parametrize("statement", CREATE_ATTEMPTS)
def test_readers_cannot_create_objects(secured, statement: str) -> None:
    for reader in ("a", "platform", "app"):
        with (
            psycopg.connect(secured[reader]) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute(statement)


@pytest.mark.parametrize("schema", PRIVATE_SCHEMAS)
def test_readers_cannot_reach_private_schemas(secured, schema: str) -> None:
    with psycopg.connect(secured["url"]) as conn:
        table = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s LIMIT 1",
            (schema,),
        ).fetchone()
    assert table, f"the demo warehouse has no table in {schema}"
    for reader in ("a", "platform", "app"):
        with (
            psycopg.connect(secured[reader]) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute(
                sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(schema, table[0]))
            )


def test_readers_cannot_read_or_probe_the_mapping(secured) -> None:
    with psycopg.connect(secured["a"]) as conn:
        for statement, params in (
            ("SELECT * FROM access.tenant_roles", ()),
            ("SELECT access.tenant_of_role(%s)", (tenant_role(TENANT_B),)),
            ("SELECT access.assume_tenant(%s)", (TENANT_B,)),
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement, params)
            conn.rollback()


def test_catalogs_name_no_tenant(secured) -> None:
    """pg_roles and pg_policies are readable by everyone: they hold hashes, not tenant ids."""
    with psycopg.connect(secured["a"]) as conn:
        catalog = repr(
            conn.execute("SELECT rolname FROM pg_roles").fetchall()
            + conn.execute("SELECT policyname, qual FROM pg_policies").fetchall()
        )
    assert tenant_role(TENANT_B) in catalog
    for tenant in (TENANT_A, TENANT_B, "o''brien", "o'brien"):
        assert tenant not in catalog


def _other_tenants_keys(secured, table: str) -> list[tuple[str, object]]:
    """(key column, a value only tenant B has) for each key column beyond tenant_id."""
    probes = []
    with psycopg.connect(secured["url"]) as conn:
        for column in published_key(table) if table in MARTS else ("log_id", "as_of_date"):
            if column == "tenant_id":
                continue
            query = sql.SQL(
                "SELECT {c} FROM {t} WHERE tenant_id = %s AND {c} IS NOT NULL "
                "EXCEPT SELECT {c} FROM {t} WHERE tenant_id = %s LIMIT 1"
            ).format(c=sql.Identifier(column), t=_table(table))
            row = conn.execute(query, (TENANT_B, TENANT_A)).fetchone()
            if row:
                probes.append((column, row[0]))
    return probes


def _sentinel(value: object) -> object:
    if isinstance(value, str):
        return "zz-no-such-key"
    if isinstance(value, int):
        return -1
    return type(value)(1900, 1, 1)  # a date


#: Tables whose key goes beyond tenant and day: ids a reader could guess (alert_id, ...).
KEYED_TABLES = [
    t
    for t in TENANT_TABLES
    if t not in MARTS or set(published_key(t)) - {"tenant_id", "as_of_date"}
]


@pytest.mark.parametrize("table", KEYED_TABLES)
def test_explain_analyze_cannot_probe_another_tenants_keys(secured, table: str) -> None:
    """A key only tenant B has (a predictable alert_id, an approval id, a log id) looks
    exactly like a key nobody has, whatever access path the planner takes."""
    probes = _other_tenants_keys(secured, table)
    if not probes:
        pytest.skip(f"tenant B has no key in {table} that tenant A lacks")
    with psycopg.connect(secured["a"]) as conn:
        for setting in ("", "enable_seqscan", "enable_indexscan", "enable_bitmapscan"):
            if setting:
                conn.execute(sql.SQL("SET {} = off").format(sql.Identifier(setting)))
            for column, value in probes:
                numbers = []
                for probe in (value, _sentinel(value)):
                    query = sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM {} WHERE {} = %s")
                    (result,) = conn.execute(
                        query.format(_table(table), sql.Identifier(column)), (probe,)
                    ).fetchone()
                    numbers.append(_plan_numbers(result[0]["Plan"]))
                assert numbers[0] == numbers[1], (table, column, setting, numbers)


def test_the_trusted_application_assumes_one_tenant_per_transaction(secured) -> None:
    with psycopg.connect(secured["app"]) as conn:
        assert _tenants_seen(conn, "exec_overview") == set()
        conn.rollback()
        with conn.transaction():
            assert conn.execute("SELECT access.assume_tenant(%s)", (TENANT_B,)).fetchone() == (
                TENANT_B,
            )
            assert _tenants_seen(conn, "exec_overview") == {TENANT_B}
            assert _tenants_seen(conn, PUBLICATION_LOG) == {TENANT_B}
        # The scope ended with the transaction: a pooled connection carries nothing over.
        assert _tenants_seen(conn, "exec_overview") == set()
        conn.rollback()
        # A session-wide copy of the scope is worthless in the next transaction.
        conn.autocommit = True
        conn.execute("SELECT access.assume_tenant(%s)", (TENANT_B,))
        conn.execute(
            "SELECT set_config('boardroom.assumed_tenant', current_setting("
            "'boardroom.assumed_tenant'), false)"
        )
        assert _tenants_seen(conn, "exec_overview") == set()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM marts.platform_overview")


def test_platform_overview_only_for_the_platform_reader(secured) -> None:
    with psycopg.connect(secured["platform"]) as conn:
        days = conn.execute("SELECT count(*) FROM marts.platform_overview").fetchone()[0]
    assert days == (MAX_DATE - MIN_DATE).days + 1
    for reader in ("a", "none", "app"):
        with (
            psycopg.connect(secured[reader]) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute("SELECT * FROM marts.platform_overview")
    for table in TENANT_TABLES:
        with (
            psycopg.connect(secured["platform"]) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute(sql.SQL("SELECT 1 FROM {}").format(_table(table)))


def test_metric_catalog_readable_by_every_reader_and_holds_no_tenant(secured) -> None:
    with psycopg.connect(secured["url"]) as conn:
        everything = conn.execute("SELECT * FROM marts.metric_catalog ORDER BY 1").fetchall()
        tenants = {r[0] for r in conn.execute("SELECT tenant_id FROM marts.exec_overview")}
    assert len(everything) > 50
    text = repr(everything)
    assert not any(f"'{t}'" in text for t in tenants)
    for reader in ("a", "none", "platform"):
        with psycopg.connect(secured[reader]) as conn:
            assert conn.execute("SELECT * FROM marts.metric_catalog ORDER BY 1").fetchall() == (
                everything
            )


def test_a_wrong_password_is_refused_over_tcp(secured) -> None:
    info = psycopg.conninfo.conninfo_to_dict(secured["a"])
    info["password"] = "not-the-password"
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(psycopg.conninfo.make_conninfo(**info))
    info["password"] = ""
    info["user"] = "postgres"
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(psycopg.conninfo.make_conninfo(**info))


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
            "WHERE rolname IN (%s, %s, %s) ORDER BY 1",
            (BI_READER, PLATFORM_READER, TENANT_APP),
        ).fetchall()
    assert set(rows) == set(PUBLISHED_TABLES)
    assert all(v == (True, False) for v in rows.values())
    assert roles == [
        (BI_READER, False, False),
        (PLATFORM_READER, False, False),
        (TENANT_APP, False, False),
    ]


def test_an_old_setting_based_policy_is_replaced(secured) -> None:
    """A warehouse secured by an earlier Boardroom (policy on a session setting) is
    upgraded in place on the next publication."""
    url = secured["url"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE POLICY boardroom_tenant_read ON marts.exec_overview FOR SELECT "
            "TO boardroom_bi_reader "
            "USING (tenant_id = current_setting('boardroom.tenant_id', true))"
        )
    with psycopg.connect(secured["a"]) as conn:
        assert TENANT_B in set_tenant_setting(conn, "exec_overview")  # the old hole
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_published_tables(conn)
    with psycopg.connect(secured["a"]) as conn:
        assert set_tenant_setting(conn, "exec_overview") == {TENANT_A}


def test_readers_cannot_read_the_audit_schema_even_after_dbt_grants(secured) -> None:
    url = secured["url"]
    with psycopg.connect(url, autocommit=True) as conn:
        # What the dbt grants do when the reader role exists at build time.
        conn.execute(f"GRANT USAGE ON SCHEMA audit TO {BI_READER}")
        conn.execute(f"GRANT SELECT ON audit.exec_overview TO {BI_READER}")
        ensure_published_tables(conn)
    with psycopg.connect(secured["a"]) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT 1 FROM audit.exec_overview LIMIT 1")
