"""Row-level security of the published marts: reader roles, tenant roles, policies.

Who sees which tenant is decided by the database's own identity of the session, never by a
setting the reader can change:

* ``boardroom_bi_reader`` (NOLOGIN group, no BYPASSRLS): members get ``SELECT`` on every
  tenant mart and the publication log, and see no row by that alone.
* ``boardroom_tenant_<hash>`` (NOLOGIN, one per tenant with BI readers, registered in
  ``access.tenant_roles``): each tenant table has a policy ``TO`` it whose expression the
  planner folds into ``tenant_id = '<that tenant>'`` (see ``access.sql``). A reader login
  is a member of ``boardroom_bi_reader`` and of its tenants' roles; ``boardroom bi
  add-reader`` makes such logins.
* ``boardroom_platform_reader`` (NOLOGIN): ``platform_overview`` and the catalogue only.
* ``boardroom_tenant_app`` (NOLOGIN): a trusted application serving many tenants through one
  pool. Its logins call ``SELECT access.assume_tenant('t_001')`` inside a transaction and see
  that tenant until the transaction ends. Nobody else may call it.
* ``metric_catalog`` holds no tenant data and is readable by every reader.
* The publishing role owns the tables and, without ``FORCE ROW LEVEL SECURITY``, keeps
  seeing every row.

Side channels are closed where Postgres leaves them open: every key of a tenant table leads
with ``tenant_id`` (so no index walk ever visits another tenant's rows), published tables
keep no column statistics (``EXPLAIN`` estimates would otherwise show other tenants' value
distributions), the warehouse grants no ``TEMPORARY`` (no functions or views in
``pg_temp``) and ``public`` grants no ``CREATE``. Readers have no access to other schemas.

Everything is idempotent and only changes what is missing, so applying it on each publish
takes no lock on a table already set up.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import psycopg
from psycopg import sql

from boardroom.gate.marts import AUDIT_SCHEMA, MARTS, MARTS_SCHEMA

BI_READER = "boardroom_bi_reader"
PLATFORM_READER = "boardroom_platform_reader"
TENANT_APP = "boardroom_tenant_app"
READER_ROLES = (BI_READER, PLATFORM_READER)
GROUP_ROLES = (BI_READER, PLATFORM_READER, TENANT_APP)
ACCESS_SCHEMA = "access"
PUBLICATION_LOG = "publication_log"
TENANT_ROLE_PREFIX = "boardroom_tenant_"
APP_POLICY = "boardroom_app_read"
CATALOG_POLICY = "boardroom_catalog_read"
PLATFORM_POLICY = "boardroom_platform_read"
ROLES_SQL = Path(__file__).with_name("security.sql")
ACCESS_SQL = Path(__file__).with_name("access.sql")

#: Serialises security DDL across concurrent publishers (a transaction-level lock).
SECURITY_LOCK_KEY = 0x62736563  # "bsec"

#: The trusted application's rows: the tenant it assumed in this transaction.
APP_POLICY_SQL = "tenant_id = (SELECT access.assumed_tenant())"

log = logging.getLogger(__name__)


def ensure_roles(conn: psycopg.Connection) -> bool:
    """Create the group roles if missing; False (and a warning) without CREATEROLE."""
    existing = {
        row[0]
        for row in conn.execute(
            "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY(%s)",
            (list(GROUP_ROLES),),
        )
    }
    if existing == set(GROUP_ROLES):
        return True
    try:
        with conn.transaction():
            conn.execute(ROLES_SQL.read_text())  # type: ignore[arg-type]
    except psycopg.errors.InsufficientPrivilege:
        log.warning("Cannot create the reader roles (no CREATEROLE); create them at deploy.")
        return False
    return True


def tenant_tables() -> tuple[str, ...]:
    """Published tables whose rows belong to one tenant each."""
    return (*(n for n, s in MARTS.items() if s.tenant_scoped), PUBLICATION_LOG)


def tenant_role(tenant_id: str) -> str:
    """The group role standing for one tenant: a hash, so that ``pg_roles`` (readable by
    everyone) names no tenant."""
    return TENANT_ROLE_PREFIX + hashlib.sha256(tenant_id.encode()).hexdigest()[:20]


def tenant_role_policy(role: str) -> sql.Composable:
    return sql.SQL("tenant_id = access.tenant_of_role({})").format(sql.Literal(role))


def _tenant_roles(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT role_name FROM access.tenant_roles ORDER BY 1")]


def _table_policies(
    table: str, tenant_roles: list[str]
) -> list[tuple[str, tuple[str, ...], sql.Composable]]:
    """(policy name, roles, USING expression) for one published table."""
    if table == "metric_catalog":
        return [(CATALOG_POLICY, READER_ROLES, sql.SQL("true"))]
    if table == "platform_overview":
        return [(PLATFORM_POLICY, (PLATFORM_READER,), sql.SQL("true"))]
    return [
        (APP_POLICY, (TENANT_APP,), sql.SQL(APP_POLICY_SQL)),
        *((role, (role,), tenant_role_policy(role)) for role in tenant_roles),
    ]


def _exists(conn: psycopg.Connection, query: str, params: tuple) -> bool:
    return conn.execute(query, params).fetchone() is not None


def _columns_with_statistics(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped "
        "AND (a.attstattarget IS NULL OR a.attstattarget <> 0)",
        (f'"{MARTS_SCHEMA}"."{table}"',),
    ).fetchall()


def _drop_statistics(conn: psycopg.Connection, table: str) -> None:
    """Keep no column statistics on a tenant table.

    ``pg_stats`` hides them from readers under RLS, but the planner still uses them for
    leakproof operators, so ``EXPLAIN SELECT ... WHERE status = 'at_risk'`` would estimate
    every tenant's share. Changing a column's type to itself discards its statistics; a
    column a policy uses cannot change type, so the table's policies are dropped first (in
    the caller's transaction) and recreated by :func:`secure_table`.
    """
    kept = _columns_with_statistics(conn, table)
    if not kept:
        return
    ident = sql.Identifier(MARTS_SCHEMA, table)
    for (name,) in conn.execute(
        "SELECT policyname FROM pg_catalog.pg_policies WHERE schemaname = %s AND tablename = %s",
        (MARTS_SCHEMA, table),
    ).fetchall():
        conn.execute(sql.SQL("DROP POLICY {} ON {}").format(sql.Identifier(name), ident))
    for column, type_ in kept:
        col = sql.Identifier(column)
        conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET STATISTICS 0").format(ident, col))
        conn.execute(
            sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {}").format(ident, col, sql.SQL(type_))
        )


def secure_table(conn: psycopg.Connection, table: str, tenant_roles: list[str]) -> None:
    """Drop statistics, enable RLS, (re)create the policies and grant SELECT on
    ``marts.<table>`` where that is not already so."""
    ident = sql.Identifier(MARTS_SCHEMA, table)
    rls = conn.execute(
        "SELECT c.relrowsecurity FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
        (MARTS_SCHEMA, table),
    ).fetchone()
    if rls is None:
        return
    if table in tenant_tables():
        _drop_statistics(conn, table)
    if not rls[0]:
        conn.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(ident))
    # A policy's name fixes its roles and expression, so names alone say what is missing;
    # any other policy (an earlier version's, a dropped tenant role's) goes.
    present = {
        r[0]
        for r in conn.execute(
            "SELECT policyname FROM pg_catalog.pg_policies "
            "WHERE schemaname = %s AND tablename = %s",
            (MARTS_SCHEMA, table),
        )
    }
    wanted = _table_policies(table, tenant_roles)
    for name in present - {name for name, *_ in wanted}:
        conn.execute(sql.SQL("DROP POLICY {} ON {}").format(sql.Identifier(name), ident))
    for name, roles, using in wanted:
        if name not in present:
            conn.execute(
                sql.SQL("CREATE POLICY {} ON {} AS PERMISSIVE FOR SELECT TO {} USING ({})").format(
                    sql.Identifier(name),
                    ident,
                    sql.SQL(", ").join(sql.Identifier(r) for r in roles),
                    using,
                )
            )
    grantees = (
        READER_ROLES
        if table == "metric_catalog"
        else ((PLATFORM_READER,) if table == "platform_overview" else (BI_READER, TENANT_APP))
    )
    for role in grantees:
        if not _exists(
            conn,
            "SELECT 1 WHERE has_table_privilege(%s, %s, 'SELECT')",
            (role, f"{MARTS_SCHEMA}.{table}"),
        ):
            conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(ident, sql.Identifier(role)))


def _close_database_doors(conn: psycopg.Connection) -> None:
    """No temporary objects and no CREATE on ``public`` for anyone but the publisher."""
    database = conn.execute("SELECT current_database()").fetchone()[0]
    db = sql.Identifier(database)
    me = sql.Identifier(conn.execute("SELECT current_user").fetchone()[0])
    try:
        with conn.transaction():
            if _exists(
                conn,
                "SELECT 1 FROM pg_catalog.pg_database d, aclexplode(coalesce(d.datacl, "
                "acldefault('d', d.datdba))) a WHERE d.datname = current_database() "
                "AND a.grantee = 0 AND a.privilege_type = 'TEMPORARY'",
                (),
            ):
                conn.execute(sql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}").format(db, me))
                conn.execute(sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM PUBLIC").format(db))
            if _exists(
                conn,
                "SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = 'public' "
                "AND has_schema_privilege('public', n.oid, 'CREATE')",
                (),
            ):
                conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    except psycopg.errors.InsufficientPrivilege:
        log.warning(
            "Cannot revoke TEMPORARY on database %s or CREATE on schema public from PUBLIC "
            "(not the owner); do it at deploy so readers cannot create objects.",
            database,
        )


def apply_security(conn: psycopg.Connection) -> None:
    """Roles, the access schema, schema usage and per-table RLS for every published table.

    Readers get ``USAGE`` on ``marts`` only and lose any access to ``audit`` (unpublished,
    unprotected rows), which the dbt grants may have given them.
    """
    if not ensure_roles(conn):
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SECURITY_LOCK_KEY,))
        conn.execute(ACCESS_SQL.read_text())  # type: ignore[arg-type]
        for role in (*READER_ROLES, TENANT_APP):
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
        # The application calls access.assume_tenant itself; readers never name access.
        conn.execute(
            sql.SQL("GRANT USAGE ON SCHEMA access TO {}").format(sql.Identifier(TENANT_APP))
        )
        conn.execute(
            sql.SQL("GRANT EXECUTE ON FUNCTION access.assume_tenant(text) TO {}").format(
                sql.Identifier(TENANT_APP)
            )
        )
        conn.execute(
            sql.SQL("GRANT EXECUTE ON FUNCTION access.tenant_of_role(text) TO {}").format(
                sql.Identifier(BI_READER)
            )
        )
        conn.execute(
            sql.SQL("GRANT EXECUTE ON FUNCTION access.assumed_tenant() TO {}").format(
                sql.Identifier(TENANT_APP)
            )
        )
        roles = _tenant_roles(conn)
        for table in (*MARTS, PUBLICATION_LOG):
            secure_table(conn, table, roles)
    _close_database_doors(conn)


def ensure_tenant_role(conn: psycopg.Connection, tenant_id: str) -> str:
    """The tenant's group role, created with its policies on every tenant table if new.
    Runs in the caller's transaction."""
    role = tenant_role(tenant_id)
    registered = conn.execute(
        "SELECT tenant_id FROM access.tenant_roles WHERE role_name = %s", (role,)
    ).fetchone()
    if registered is not None:
        if registered[0] != tenant_id:
            raise RuntimeError(f"tenant role {role} already stands for another tenant")
        return role
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (SECURITY_LOCK_KEY,))
    if not _exists(conn, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", (role,)):
        conn.execute(
            sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT").format(
                sql.Identifier(role)
            )
        )
    conn.execute(
        "INSERT INTO access.tenant_roles (role_name, tenant_id) VALUES (%s, %s)", (role, tenant_id)
    )
    roles = _tenant_roles(conn)
    for table in tenant_tables():
        secure_table(conn, table, roles)
    return role
