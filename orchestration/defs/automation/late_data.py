"""Late data still at the sources, after a day was published.

* **events** PostHog received after the last ingestion (its watermark in
  ``raw.ingest_state``) stamped on or before the newest
  published day: read with ingestion's own late sweep (``plan_windows``' window shape and
  ``pull_window``'s paging), minus events already in ``raw.posthog_events`` and events that
  would be quarantined (no tenant, unparseable time) and so count nowhere;
* **operational changes** to ``app.infra_usage`` (the one operational table whose rows are
  windowed by their own date, ``usage_date``) newer than the mirror's newest ``updated_at``.

Other operational tables are state read "as it is" at run time; published days keep the
state they were published with (PRODUCT.md), so their changes reach no published day.
Which published days the late days reach: :mod:`orchestration.defs.automation.published_days`.
"""

from __future__ import annotations

import json
import uuid as uuid_module
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from psycopg import sql

from boardroom.database import connect
from boardroom.ingest.app_tables import RAW_SCHEMA, mirror_table
from boardroom.ingest.event_load import read_watermark
from boardroom.ingest.event_pull import Row, Window, day_start, pull_window
from boardroom.ingest.events import stream_name
from boardroom.ingest.posthog_query import PostHogQueryClient, posthog_instant
from orchestration.defs.automation.published_days import table_exists

#: An event stamped on day X counts in the as-of days X..X+29 (the longest event window,
#: ``window_30d_start_date`` of ``int_as_of_days``): older events reach no published day.
EVENT_REACH_DAYS = 30


@dataclass(frozen=True)
class LateArrivals:
    """Days (UTC) holding late rows, and the newest arrival seen (the sensor's cursor)."""

    days: frozenset[date]
    newest: datetime | None


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
        stamped, received = posthog_instant(timestamp), posthog_instant(created_at)
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
    published_from: date | None = None,
    after: datetime | None = None,
    now: datetime | None = None,
) -> LateArrivals:
    """Event days of events PostHog holds, not yet loaded, stamped up to ``published_until``
    (and, with ``published_from``, no earlier than the first day its windows reach).

    ``after`` (the previous cursor) skips events received at or before it.
    """
    with connect(warehouse_url) as conn:
        watermark = (
            read_watermark(conn, stream_name(client))
            if table_exists(conn, "raw.ingest_state")
            else None
        )
    if watermark is None:  # nothing ingested from this project yet: nothing is late
        return LateArrivals(frozenset(), after)
    # From the watermark itself, not minus ingestion's lookback: re-reading the last hour of
    # a busy project on every tick would be slow, and an event PostHog made queryable late
    # is still loaded by the next run's sweep, after which stale_published_days sees it.
    created_from = watermark
    if after is not None and after > created_from:
        created_from = after
    window = Window(
        label="late events not yet loaded",
        created_to=now or datetime.now(UTC),
        timestamp_from=(
            day_start(published_from - timedelta(days=EVENT_REACH_DAYS - 1))
            if published_from is not None
            else None
        ),
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
        if not table_exists(conn, mirror):
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
