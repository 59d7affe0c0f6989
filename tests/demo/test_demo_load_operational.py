"""load_operational: COPY into a real ``app`` schema, every CHECK and FK satisfied."""

from __future__ import annotations

from datetime import date

import psycopg

from boardroom.demo import QUOTE_TENANT_ID, DemoSpec, generate_operational, load_operational
from boardroom.sources.app_db import APP_TABLES

SPEC = DemoSpec(seed=7, tenants=10, days=20, end_date=date(2026, 3, 31))


def _counts(conn: psycopg.Connection) -> dict[str, int]:
    return {
        t: conn.execute(f"SELECT count(*) FROM app.{t}").fetchone()[0]  # type: ignore[index]
        for t in APP_TABLES
    }


def test_load_operational_copies_every_table(app_db_url: str) -> None:
    rows = generate_operational(SPEC)
    with psycopg.connect(app_db_url) as conn:
        counts = load_operational(conn, SPEC)
        assert counts == {t: len(rows[t]) for t in APP_TABLES}
        assert all(counts.values())
        assert _counts(conn) == counts

        # Values survive the round trip exactly (numeric to the cent, text with quotes and
        # Arabic script, NULLs).
        total = conn.execute("SELECT sum(value) FROM app.deals").fetchone()[0]  # type: ignore[index]
        assert total == sum(r[3] for r in rows["deals"])
        name = conn.execute(
            "SELECT name FROM app.tenants WHERE tenant_id = %s", (QUOTE_TENANT_ID,)
        ).fetchone()
        assert name is not None and "'" in name[0]
        arabic = conn.execute(
            "SELECT count(*) FROM app.tenants WHERE locale = 'ar' AND name ~ '[\u0600-\u06ff]'"
        ).fetchone()[0]  # type: ignore[index]
        assert arabic == sum(1 for r in rows["tenants"] if r[4] == "ar") > 0
        platform = conn.execute(
            "SELECT count(*) FROM app.executive_recipients WHERE tenant_id IS NULL"
        ).fetchone()[0]  # type: ignore[index]
        assert platform >= 3
        assert conn.execute("SELECT count(*) FROM app.tenants WHERE mrr IS NULL").fetchone()[0]

        # Loading again replaces, never appends.
        assert load_operational(conn, SPEC) == counts
        assert _counts(conn) == counts
        smaller = DemoSpec(seed=7, tenants=8, days=5, end_date=date(2026, 3, 31))
        small_counts = load_operational(conn, smaller)
        assert _counts(conn) == small_counts
        assert small_counts["tenants"] == 8


def test_constraints_are_enforced_on_the_loaded_tables(app_db_url: str) -> None:
    """COPY runs with every constraint live: the schema's CHECKs and FKs are all in force."""
    with psycopg.connect(app_db_url) as conn:
        load_operational(conn, SPEC)
        constraints = conn.execute(
            """
            SELECT count(*) FILTER (WHERE contype = 'c'), count(*) FILTER (WHERE contype = 'f'),
                   bool_and(convalidated)
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'app'
            """
        ).fetchone()
        assert constraints is not None
        checks, fks, validated = constraints
        assert checks >= 15 and fks >= 10 and validated
        # Orphans are impossible with the FKs in force; double-check one join anyway.
        orphans = conn.execute(
            "SELECT count(*) FROM app.deals d LEFT JOIN app.tenants t USING (tenant_id) "
            "WHERE t.tenant_id IS NULL"
        ).fetchone()[0]  # type: ignore[index]
        assert orphans == 0
