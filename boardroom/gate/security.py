"""Row-level security of the published marts: reader roles, grants and policies.

* ``boardroom_bi_reader`` (NOLOGIN, no BYPASSRLS): ``SELECT`` on every tenant mart and the
  publication log, filtered by the policy ``boardroom_tenant_read``:
  ``tenant_id = current_setting('boardroom.tenant_id', true)``. With the setting unset (or
  empty) no row matches. Set it per transaction (``SELECT set_config('boardroom.tenant_id',
  't_001', true)``), which is safe under connection pools, or give a per-tenant login role a
  default with ``ALTER ROLE ... SET boardroom.tenant_id = 't_001'``.
* ``boardroom_platform_reader`` (NOLOGIN): ``platform_overview`` only (plus the catalogue).
* ``metric_catalog`` is readable by both roles (policy ``USING (true)``).
* The publishing role owns the tables and, without ``FORCE ROW LEVEL SECURITY``, keeps
  seeing every row. No views are created.

Everything is idempotent and only changes what is missing, so applying it on each publish
takes no lock on a table already set up.
"""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg
from psycopg import sql

from boardroom.gate.marts import AUDIT_SCHEMA, MARTS, MARTS_SCHEMA, TENANT_GUC

BI_READER = "boardroom_bi_reader"
PLATFORM_READER = "boardroom_platform_reader"
READER_ROLES = (BI_READER, PLATFORM_READER)
PUBLICATION_LOG = "publication_log"
TENANT_POLICY = "boardroom_tenant_read"
CATALOG_POLICY = "boardroom_catalog_read"
PLATFORM_POLICY = "boardroom_platform_read"
ROLES_SQL = Path(__file__).with_name("security.sql")

log = logging.getLogger(__name__)


def ensure_roles(conn: psycopg.Connection) -> bool:
    """Create the reader roles if missing; False (and a warning) without CREATEROLE."""
    existing = {
        row[0]
        for row in conn.execute(
            "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY(%s)",
            (list(READER_ROLES),),
        )
    }
    if existing == set(READER_ROLES):
        return True
    try:
        with conn.transaction():
            conn.execute(ROLES_SQL.read_text())  # type: ignore[arg-type]
    except psycopg.errors.InsufficientPrivilege:
        log.warning("Cannot create the reader roles (no CREATEROLE); create them at deploy.")
        return False
    return True


def _tenant_policy_sql() -> sql.Composable:
    return sql.SQL("tenant_id = current_setting({}, true)").format(sql.Literal(TENANT_GUC))


def _table_policies(table: str) -> list[tuple[str, tuple[str, ...], sql.Composable]]:
    """(policy name, roles, USING expression) for one published table."""
    if table == "metric_catalog":
        return [(CATALOG_POLICY, READER_ROLES, sql.SQL("true"))]
    if table == "platform_overview":
        return [(PLATFORM_POLICY, (PLATFORM_READER,), sql.SQL("true"))]
    return [(TENANT_POLICY, (BI_READER,), _tenant_policy_sql())]


def _exists(conn: psycopg.Connection, query: str, params: tuple) -> bool:
    return conn.execute(query, params).fetchone() is not None


def secure_table(conn: psycopg.Connection, table: str) -> None:
    """Enable RLS, create the policies and grant SELECT on ``marts.<table>`` when missing."""
    ident = sql.Identifier(MARTS_SCHEMA, table)
    rls = conn.execute(
        "SELECT c.relrowsecurity FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
        (MARTS_SCHEMA, table),
    ).fetchone()
    if rls is None:
        return
    if not rls[0]:
        conn.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(ident))
    for name, roles, using in _table_policies(table):
        if not _exists(
            conn,
            "SELECT 1 FROM pg_catalog.pg_policies WHERE schemaname = %s AND tablename = %s "
            "AND policyname = %s",
            (MARTS_SCHEMA, table, name),
        ):
            conn.execute(
                sql.SQL("CREATE POLICY {} ON {} AS PERMISSIVE FOR SELECT TO {} USING ({})").format(
                    sql.Identifier(name),
                    ident,
                    sql.SQL(", ").join(sql.Identifier(r) for r in roles),
                    using,
                )
            )
        for role in roles:
            if not _exists(
                conn,
                "SELECT 1 WHERE has_table_privilege(%s, %s, 'SELECT')",
                (role, f"{MARTS_SCHEMA}.{table}"),
            ):
                conn.execute(
                    sql.SQL("GRANT SELECT ON {} TO {}").format(ident, sql.Identifier(role))
                )


def apply_security(conn: psycopg.Connection) -> None:
    """Roles, schema usage and per-table RLS for every published table (idempotent).

    Readers get ``USAGE`` on ``marts`` and lose any access to ``audit`` (unpublished,
    unprotected rows), which the dbt grants may have given them.
    """
    if not ensure_roles(conn):
        return
    with conn.transaction():
        for role in READER_ROLES:
            ident = sql.Identifier(role)
            if not _exists(
                conn, "SELECT 1 WHERE has_schema_privilege(%s, %s, 'USAGE')", (role, MARTS_SCHEMA)
            ):
                conn.execute(
                    sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
                        sql.Identifier(MARTS_SCHEMA), ident
                    )
                )
            if _exists(
                conn,
                "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s "
                "AND has_schema_privilege(%s, nspname, 'USAGE')",
                (AUDIT_SCHEMA, role),
            ):
                conn.execute(
                    sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(
                        sql.Identifier(AUDIT_SCHEMA), ident
                    )
                )
        for table in (*MARTS, PUBLICATION_LOG):
            secure_table(conn, table)
