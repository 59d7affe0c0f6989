"""Load the demo's operational rows into schema ``app`` with COPY."""

from __future__ import annotations

import psycopg
from psycopg import sql

from boardroom.demo.operational import APP_COLUMNS, generate_operational
from boardroom.demo.spec import DemoSpec
from boardroom.sources.app_db import APP_TABLES


def load_operational(conn: psycopg.Connection, spec: DemoSpec) -> dict[str, int]:
    """Replace every ``app`` table's rows with the demo's, in one transaction.

    Tables are truncated together, then filled in foreign-key order with ``COPY``
    (``cursor.copy``), so CHECK and FK constraints are enforced as usual. Returns the
    number of rows per table. The schema must exist (see ``create_app_schema``).
    """
    rows = generate_operational(spec)
    counts: dict[str, int] = {}
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            sql.SQL("TRUNCATE {}").format(
                sql.SQL(", ").join(sql.Identifier("app", t) for t in APP_TABLES)
            )
        )
        for table in APP_TABLES:
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier("app", table),
                sql.SQL(", ").join(sql.Identifier(c) for c in APP_COLUMNS[table]),
            )
            with cur.copy(statement) as copy:
                for row in rows[table]:
                    copy.write_row(row)
            counts[table] = len(rows[table])
    return counts
