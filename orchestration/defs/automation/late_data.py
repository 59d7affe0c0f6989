"""Late data after publication: which published as-of days it reaches.

Late arrivals change figures already published in two ways. Still at the source:

* **events** PostHog received after the last ingestion (its watermark in
  ``raw.ingest_state``, minus the ingestion lookback) stamped on or before the newest
  published day: read with ingestion's own late sweep (``plan_windows``' window shape and
  ``pull_window``'s paging), minus events already in ``raw.posthog_events`` and events that
  would be quarantined (no tenant, unparseable time) and so count nowhere;
* **operational changes** to ``app.infra_usage`` (the one operational table whose rows are
  windowed by their own date, ``usage_date``) newer than the mirror's newest ``updated_at``.

Other operational tables are state read "as it is" at run time; published days keep the
state they were published with (PRODUCT.md), so their changes reach no published day.

Already in ``raw``: a daily run's late sweep loads late events (and extracts usage rows)
and dbt rebuilds every as-of day they reach in ``audit``, but the run publishes its own
day only. A tenant's published day is stale when an event of that tenant (or a usage row)
its windows hold was loaded after the tenant's latest publication of the day
(:func:`stale_published_days`).

Which as-of days a late day X reaches is what dbt's windows say: the rows of
``intermediate.int_as_of_days`` whose event windows (``window_30d_start_date`` to
``as_of_date``) or month-to-date / 30-day cost windows hold X, the same windows
``boardroom_days_to_build`` rebuilds for late data. Only days with a ``published`` row in
``marts.publication_log`` are kept.
"""

from __future__ import annotations

import json
import uuid as uuid_module
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from boardroom.database import connect
from boardroom.ingest.app_tables import RAW_SCHEMA, mirror_table
from boardroom.ingest.event_load import read_watermark
from boardroom.ingest.event_pull import Row, Window, day_start, pull_window
from boardroom.ingest.events import DEFAULT_LOOKBACK, stream_name
from boardroom.ingest.posthog_query import PostHogQueryClient

AS_OF_DAYS = ("intermediate", "int_as_of_days")
PUBLICATION_LOG = ("marts", "publication_log")


@dataclass(frozen=True)
class LateArrivals:
    """Days (UTC) holding late rows, and the newest arrival seen (the sensor's cursor)."""

    days: frozenset[date]
    newest: datetime | None


def _exists(conn: psycopg.Connection, qualified: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (qualified,)).fetchone()
    return bool(row and row[0])


def newest_published_day(warehouse_url: str) -> date | None:
    """The newest as-of day with a ``published`` row in ``marts.publication_log``."""
    with connect(warehouse_url, autocommit=True) as conn:
        if not _exists(conn, ".".join(PUBLICATION_LOG)):
            return None
        row = conn.execute(
            sql.SQL("SELECT max(as_of_date) FROM {} WHERE outcome = 'published'").format(
                sql.Identifier(*PUBLICATION_LOG)
            )
        ).fetchone()
    return row[0] if row else None


def _parse_instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _has_tenant(properties: Any) -> bool:
    if isinstance(properties, str):
        try:
            properties = json.loads(properties)
        except ValueError:
            return False
    groups = properties.get("$groups") if isinstance(properties, dict) else None
    tenant = groups.get("tenant") if isinstance(groups, dict) else None
    return isinstance(tenant, str) and bool(tenant)


def _countable(rows: Iterable[Row]) -> Iterator[tuple[str, datetime, datetime]]:
    """(uuid, timestamp, created_at) of rows ingestion would load rather than quarantine."""
    for row in rows:
        event_uuid, _event, _distinct, timestamp, created_at, properties = row
        stamped, received = _parse_instant(timestamp), _parse_instant(created_at)
        if stamped is None or received is None or not _has_tenant(properties):
            continue
        try:
            uuid_module.UUID(str(event_uuid))
        except ValueError:
            continue
        yield str(event_uuid), stamped, received


def late_events(
    client: PostHogQueryClient,
    warehouse_url: str,
    published_until: date,
    *,
    after: datetime | None = None,
    now: datetime | None = None,
) -> LateArrivals:
    """Event days of events PostHog holds, not yet loaded, stamped up to ``published_until``.

    ``after`` (the previous cursor) skips events received at or before it.
    """
    with connect(warehouse_url) as conn:
        watermark = (
            read_watermark(conn, stream_name(client)) if _exists(conn, "raw.ingest_state") else None
        )
    if watermark is None:  # nothing ingested from this project yet: nothing is late
        return LateArrivals(frozenset(), after)
    created_from = watermark - DEFAULT_LOOKBACK
    if after is not None and after > created_from:
        created_from = after
    window = Window(
        label="late events not yet loaded",
        created_to=now or datetime.now(UTC),
        timestamp_to=day_start(published_until + timedelta(days=1)),
        created_from=created_from,
        late_sweep=True,
    )
    found: list[tuple[str, datetime, datetime]] = []

    def handle_page(fetch: Any, _window: Window) -> None:
        fetch(lambda rows: found.extend(_countable(rows)))

    pull_window(client, window, handle_page)
    found = [f for f in found if after is None or f[2] > after]
    if not found:
        return LateArrivals(frozenset(), after)
    with connect(warehouse_url, autocommit=True) as conn:
        loaded = {
            str(r[0])
            for r in conn.execute(
                "SELECT uuid FROM raw.posthog_events WHERE uuid = ANY(%s::uuid[])",
                ([f[0] for f in found],),
            )
        }
    pending = [f for f in found if f[0] not in loaded]
    newest = max((f[2] for f in found), default=after)
    return LateArrivals(frozenset(f[1].date() for f in pending), newest)


def late_usage(app_url: str, warehouse_url: str, *, after: datetime | None = None) -> LateArrivals:
    """Usage dates of ``app.infra_usage`` rows changed since the mirror's newest ``updated_at``
    (and since ``after``, the previous cursor)."""
    mirror = f"{RAW_SCHEMA}.{mirror_table('infra_usage')}"
    with connect(warehouse_url, autocommit=True) as conn:
        if not _exists(conn, mirror):
            return LateArrivals(frozenset(), after)
        row = conn.execute(
            sql.SQL("SELECT max(updated_at) FROM {}").format(
                sql.Identifier(RAW_SCHEMA, mirror_table("infra_usage"))
            )
        ).fetchone()
    bounds = [b for b in (row[0] if row else None, after) if b is not None]
    since = max(bounds) if bounds else None
    with connect(app_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT DISTINCT usage_date, max(updated_at) OVER () FROM app.infra_usage "
            "WHERE %(since)s::timestamptz IS NULL OR updated_at > %(since)s",
            {"since": since},
        ).fetchall()
    if not rows:
        return LateArrivals(frozenset(), after)
    return LateArrivals(frozenset(r[0] for r in rows), rows[0][1])


def affected_published_days(
    warehouse_url: str, event_days: Iterable[date], usage_days: Iterable[date]
) -> list[date]:
    """Published as-of days whose windows (as dbt built them) hold any of the days."""
    events, usage = sorted(set(event_days)), sorted(set(usage_days))
    if not events and not usage:
        return []
    with connect(warehouse_url, autocommit=True) as conn:
        if not (_exists(conn, ".".join(AS_OF_DAYS)) and _exists(conn, ".".join(PUBLICATION_LOG))):
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
        if not all(_exists(conn, name) for name in needed):
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
