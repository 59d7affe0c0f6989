"""Published as-of days: which ones late data reaches, which ones miss rows already loaded.

Which as-of days a late day X reaches is what dbt's windows say: the rows of
``intermediate.int_as_of_days`` whose event windows (``window_30d_start_date`` to
``as_of_date``) or month-to-date / 30-day cost windows hold X, the same windows
``boardroom_days_to_build`` rebuilds for late data. Only days with a ``published`` row in
``marts.publication_log`` are kept.

Rows already in ``raw`` can be missing from a publication too: a daily run's late sweep
loads late events (and extracts usage rows) and dbt rebuilds every as-of day they reach in
``audit``, but the run publishes its own day only. A tenant's published day is stale when
an event of that tenant (or a usage row) its windows hold was loaded after the tenant's
latest publication of the day (:func:`stale_published_days`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import psycopg
from psycopg import sql

from boardroom.database import connect

AS_OF_DAYS = ("intermediate", "int_as_of_days")
PUBLICATION_LOG = ("marts", "publication_log")


def table_exists(conn: psycopg.Connection, qualified: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (qualified,)).fetchone()
    return bool(row and row[0])


def published_span(warehouse_url: str) -> tuple[date, date] | None:
    """The oldest and newest as-of days with a ``published`` row in ``marts.publication_log``."""
    with connect(warehouse_url, autocommit=True) as conn:
        if not table_exists(conn, ".".join(PUBLICATION_LOG)):
            return None
        row = conn.execute(
            sql.SQL(
                "SELECT min(as_of_date), max(as_of_date) FROM {} WHERE outcome = 'published'"
            ).format(sql.Identifier(*PUBLICATION_LOG))
        ).fetchone()
    return (row[0], row[1]) if row and row[0] is not None else None


def affected_published_days(
    warehouse_url: str, event_days: Iterable[date], usage_days: Iterable[date]
) -> list[date]:
    """Published as-of days whose windows (as dbt built them) hold any of the days."""
    events, usage = sorted(set(event_days)), sorted(set(usage_days))
    if not events and not usage:
        return []
    with connect(warehouse_url, autocommit=True) as conn:
        if not (
            table_exists(conn, ".".join(AS_OF_DAYS))
            and table_exists(conn, ".".join(PUBLICATION_LOG))
        ):
            return []
        rows = conn.execute(
            sql.SQL(
                "SELECT d.as_of_date FROM {days} AS d "
                "WHERE EXISTS (SELECT 1 FROM {log} AS l WHERE l.as_of_date = d.as_of_date "
                "AND l.outcome = 'published') "
                "AND (EXISTS (SELECT 1 FROM unnest(%(events)s::date[]) AS e (day) "
                "WHERE e.day BETWEEN d.window_30d_start_date AND d.as_of_date) "
                "OR EXISTS (SELECT 1 FROM unnest(%(usage)s::date[]) AS u (day) "
                "WHERE u.day BETWEEN least(d.window_30d_start_date, d.month_start_date) "
                "AND d.as_of_date)) "
                "ORDER BY 1"
            ).format(days=sql.Identifier(*AS_OF_DAYS), log=sql.Identifier(*PUBLICATION_LOG)),
            {"events": events, "usage": usage},
        ).fetchall()
    return [r[0] for r in rows]


STALE_SQL = """
WITH published AS (
    SELECT tenant_id, as_of_date, max(published_at) AS published_at
    FROM {log} WHERE outcome = 'published' AND tenant_id IS NOT NULL
    GROUP BY tenant_id, as_of_date
), loaded AS (
    SELECT tenant_id, (timestamp AT TIME ZONE 'UTC')::date AS day, false AS usage,
           max(_loaded_at) AS loaded_at
    FROM raw.posthog_events WHERE _loaded_at > %(since)s
    GROUP BY 1, 2
    UNION ALL
    SELECT tenant_id, usage_date, true, max(_extracted_at)
    FROM raw.app_infra_usage WHERE _extracted_at > %(since)s
    GROUP BY 1, 2
)
SELECT DISTINCT d.as_of_date
FROM {days} AS d
JOIN published AS p ON p.as_of_date = d.as_of_date
JOIN loaded AS l ON l.tenant_id = p.tenant_id AND l.loaded_at > p.published_at
WHERE l.day <= d.as_of_date
  AND l.day >= CASE WHEN l.usage THEN least(d.window_30d_start_date, d.month_start_date)
                    ELSE d.window_30d_start_date END
ORDER BY 1
"""


def stale_published_days(
    warehouse_url: str, *, since: datetime | None = None
) -> tuple[list[date], datetime | None]:
    """Published days whose figures miss rows already loaded into ``raw`` (see above), and
    the newest load time seen (the cursor: rows loaded up to it are not looked at again).

    Without ``since``, rows loaded after the earliest latest publication of the newest 30
    published days are looked at.
    """
    with connect(warehouse_url, autocommit=True) as conn:
        needed = (
            ".".join(AS_OF_DAYS),
            ".".join(PUBLICATION_LOG),
            "raw.posthog_events",
            "raw.app_infra_usage",
        )
        if not all(table_exists(conn, name) for name in needed):
            return [], since
        if since is None:
            row = conn.execute(
                sql.SQL(
                    "SELECT min(latest) FROM (SELECT as_of_date, tenant_id, max(published_at) "
                    "AS latest FROM {log} WHERE outcome = 'published' GROUP BY 1, 2) AS p "
                    "WHERE as_of_date > (SELECT max(as_of_date) - 30 FROM {log} "
                    "WHERE outcome = 'published')"
                ).format(log=sql.Identifier(*PUBLICATION_LOG))
            ).fetchone()
            since = row[0] if row else None
            if since is None:
                return [], None
        newest = conn.execute(
            "SELECT greatest((SELECT max(_loaded_at) FROM raw.posthog_events "
            "WHERE _loaded_at > %(since)s), (SELECT max(_extracted_at) FROM raw.app_infra_usage "
            "WHERE _extracted_at > %(since)s))",
            {"since": since},
        ).fetchone()
        rows = conn.execute(
            sql.SQL(STALE_SQL).format(
                log=sql.Identifier(*PUBLICATION_LOG), days=sql.Identifier(*AS_OF_DAYS)
            ),
            {"since": since},
        ).fetchall()
    latest = newest[0] if newest and newest[0] is not None else since
    return [r[0] for r in rows], latest


def day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days as contiguous inclusive ranges: one run each (single-run backfills)."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges
