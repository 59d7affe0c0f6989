"""The published tables: ``marts.<mart>`` mirrors of the audit marts plus the publication log."""

from __future__ import annotations

import psycopg
from psycopg import sql

from boardroom.gate.marts import AUDIT_SCHEMA, MARTS, MARTS_SCHEMA, PUBLISHED_AT
from boardroom.gate.security import PUBLICATION_LOG, apply_security

#: Serialises DDL on ``marts`` across concurrent publishers (a transaction-level lock).
DDL_LOCK_KEY = 0x626F6172  # "boar"

PUBLICATION_LOG_DDL = """
CREATE TABLE IF NOT EXISTS {log} (
    log_id bigint GENERATED ALWAYS AS IDENTITY,
    run_id text,
    tenant_id text,
    as_of_date date,
    outcome text NOT NULL CHECK (outcome IN ('published', 'withheld')),
    published_at timestamptz,
    logged_at timestamptz NOT NULL DEFAULT now(),
    min_date date NOT NULL,
    max_date date NOT NULL,
    row_counts jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    rows_changed jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    checks_summary jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    reasons jsonb NOT NULL DEFAULT '[]'::jsonb
);
-- Every index leads with tenant_id: an index a reader's own condition could walk without
-- the tenant (log_id alone) would let EXPLAIN ANALYZE count other tenants' rows.
ALTER TABLE {log} DROP CONSTRAINT IF EXISTS publication_log_pkey;
CREATE UNIQUE INDEX IF NOT EXISTS publication_log_tenant_log ON {log} (tenant_id, log_id);
CREATE INDEX IF NOT EXISTS publication_log_tenant_day
    ON {log} (tenant_id, as_of_date, logged_at);
COMMENT ON TABLE {log} IS
    'One row per tenant and as-of day per publication attempt (published or withheld), with '
    'row counts per mart, rows changed, the checks summary and the reasons a tenant was '
    'withheld. Rows with a null tenant_id are the platform marts (catalogue, platform overview).';
"""


def columns(conn: psycopg.Connection, schema: str, table: str) -> list[str]:
    """Column names of ``schema.table`` in order (empty when the table does not exist)."""
    rows = conn.execute(
        "SELECT a.attname FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        (schema, table),
    ).fetchall()
    return [r[0] for r in rows]


def _column_types(conn: psycopg.Connection, schema: str, table: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        (f'"{schema}"."{table}"',),
    ).fetchall()
    return {name: type_ for name, type_ in rows}


def published_key(mart: str) -> tuple[str, ...]:
    """The published table's key: the grain, led by ``tenant_id`` for tenant marts.

    Row-level security adds ``tenant_id = <reader's tenant>`` to every query; only an index
    that leads with ``tenant_id`` lets Postgres apply it while walking the index, so that no
    other tenant's row is ever visited (and counted by ``EXPLAIN ANALYZE``). A table with an
    index on, say, ``alert_id`` alone would tell a reader whether a guessed id exists.
    """
    spec = MARTS[mart]
    if spec.tenant_scoped and spec.grain[0] != "tenant_id":
        return ("tenant_id", *(c for c in spec.grain if c != "tenant_id"))
    return spec.grain


def _key_constraint(mart: str) -> sql.Composable:
    """PRIMARY KEY on the grain, or, where ``tenant_id`` is put in front of it, a unique key
    that also holds rows without a tenant (platform alerts)."""
    columns_sql = sql.SQL(", ").join(sql.Identifier(c) for c in published_key(mart))
    if published_key(mart) == MARTS[mart].grain:
        return sql.SQL("PRIMARY KEY ({})").format(columns_sql)
    return sql.SQL("CONSTRAINT {} UNIQUE NULLS NOT DISTINCT ({})").format(
        sql.Identifier(f"{mart}_tenant_key"), columns_sql
    )


def _ensure_published_key(conn: psycopg.Connection, mart: str) -> None:
    """Bring a table published by an earlier version (a key on the grain alone) up to date."""
    if published_key(mart) == MARTS[mart].grain:
        return
    found = conn.execute(
        "SELECT conname, contype FROM pg_catalog.pg_constraint WHERE conrelid = %s::regclass "
        "AND contype IN ('p', 'u')",
        (f'"{MARTS_SCHEMA}"."{mart}"',),
    ).fetchall()
    if (f"{mart}_tenant_key", "u") in found:
        return
    table = sql.Identifier(MARTS_SCHEMA, mart)
    for name, _kind in found:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(table, sql.Identifier(name))
        )
    conn.execute(sql.SQL("ALTER TABLE {} ADD {}").format(table, _key_constraint(mart)))


def _create_mart_table(conn: psycopg.Connection, mart: str) -> None:
    target = sql.Identifier(MARTS_SCHEMA, mart)
    conn.execute(
        sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING COMMENTS, {} timestamptz NOT NULL, {})").format(
            target,
            sql.Identifier(AUDIT_SCHEMA, mart),
            sql.Identifier(PUBLISHED_AT),
            _key_constraint(mart),
        )
    )
    comment = conn.execute(
        "SELECT obj_description(%s::regclass, 'pg_class')", (f'"{AUDIT_SCHEMA}"."{mart}"',)
    ).fetchone()
    if comment and comment[0]:
        conn.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(target, sql.Literal(comment[0])))
    conn.execute(
        sql.SQL("COMMENT ON COLUMN {} IS {}").format(
            sql.Identifier(MARTS_SCHEMA, mart, PUBLISHED_AT),
            sql.Literal("When these figures were published (the publishing transaction)."),
        )
    )


def _add_missing_columns(conn: psycopg.Connection, mart: str) -> None:
    audit_types = _column_types(conn, AUDIT_SCHEMA, mart)
    present = set(columns(conn, MARTS_SCHEMA, mart))
    for name, type_ in audit_types.items():
        if name not in present:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                    sql.Identifier(MARTS_SCHEMA, mart), sql.Identifier(name), sql.SQL(type_)
                )
            )


def ensure_published_tables(conn: psycopg.Connection) -> list[str]:
    """Create ``marts`` and its tables (from the audit marts present) and apply security.

    Returns the marts that exist in both schemas. New audit columns are added to the
    published table (nullable); nothing is ever dropped.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (DDL_LOCK_KEY,))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(MARTS_SCHEMA)))
        ready: list[str] = []
        for mart in MARTS:
            if not columns(conn, AUDIT_SCHEMA, mart):
                continue
            if not columns(conn, MARTS_SCHEMA, mart):
                _create_mart_table(conn, mart)
            else:
                _add_missing_columns(conn, mart)
                _ensure_published_key(conn, mart)
            ready.append(mart)
        conn.execute(
            sql.SQL(PUBLICATION_LOG_DDL).format(log=sql.Identifier(MARTS_SCHEMA, PUBLICATION_LOG))
        )
    apply_security(conn)
    return ready
