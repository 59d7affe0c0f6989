"""What an observation of the sources reads: small aggregate queries, nothing copied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import dagster as dg
from psycopg import sql

from boardroom.database import connect
from boardroom.ingest.posthog_query import PostHogQueryClient, posthog_instant
from boardroom.sources.app_db import APP_TABLES
from orchestration.defs.sources.assets import APP_SOURCE_KEYS, POSTHOG_EVENTS_KEY
from orchestration.defs.sources.resources import PostHogQueryResource


@dataclass(frozen=True)
class TableObservation:
    """One operational table: its rows and newest ``updated_at`` (None when empty)."""

    table: str
    rows: int
    updated_at_max: datetime | None


@dataclass(frozen=True)
class PostHogObservation:
    """The PostHog project: events stored and the last one received (``created_at``)."""

    rows: int
    last_received_at: datetime | None
    last_event_at: datetime | None


def observe_app_tables(app_url: str) -> list[TableObservation]:
    """Rows and newest ``updated_at`` of every ``app`` table, from one read-only snapshot.

    A table that does not exist yet (a fresh app database, before ``boardroom demo`` or the
    application's own migrations) has nothing to observe and is left out, not reported.
    """
    found: list[TableObservation] = []
    with connect(app_url) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for table in APP_TABLES:
            exists = conn.execute("SELECT to_regclass(%s)", (f'app."{table}"',)).fetchone()
            if exists is None or exists[0] is None:
                continue
            row = conn.execute(
                sql.SQL("SELECT count(*), max(updated_at) FROM {}").format(
                    sql.Identifier("app", table)
                )
            ).fetchone()
            rows, newest = (row[0], row[1]) if row else (0, None)
            found.append(TableObservation(table, int(rows), newest))
        conn.rollback()
    return found


def observe_posthog(client: PostHogQueryClient) -> PostHogObservation:
    """Events in the project and the newest received one (two HogQL queries)."""
    counted = client.query("SELECT count() FROM events", name="boardroom-observe")
    rows = int(counted["results"][0][0]) if counted.get("results") else 0
    newest = client.query(
        "SELECT created_at, timestamp FROM events ORDER BY created_at DESC LIMIT 1",
        name="boardroom-observe",
    )
    results = newest.get("results") or []
    if not results:
        return PostHogObservation(rows, None, None)
    return PostHogObservation(rows, posthog_instant(results[0][0]), posthog_instant(results[0][1]))


def _timestamp(value: datetime | None) -> dg.MetadataValue:
    return dg.MetadataValue.timestamp(value) if value is not None else dg.MetadataValue.null()


def table_observation_event(observed: TableObservation) -> dg.AssetObservation:
    return dg.AssetObservation(
        asset_key=APP_SOURCE_KEYS[observed.table],
        metadata={
            "dagster/row_count": dg.MetadataValue.int(observed.rows),
            "updated_at_max": _timestamp(observed.updated_at_max),
        },
    )


def posthog_observation_event(observed: PostHogObservation) -> dg.AssetObservation:
    return dg.AssetObservation(
        asset_key=POSTHOG_EVENTS_KEY,
        metadata={
            "dagster/row_count": dg.MetadataValue.int(observed.rows),
            "last_event_received_at": _timestamp(observed.last_received_at),
            "last_event_time": _timestamp(observed.last_event_at),
        },
    )


def sensor_client(posthog: PostHogQueryResource) -> PostHogQueryClient:
    """A query client that gives up fast: a sensor tick must end well within a minute, and
    the next tick tries again anyway."""
    return PostHogQueryClient(
        posthog.host,
        posthog.project_id,
        posthog.personal_api_key,
        timeout_seconds=20.0,
        connect_timeout_seconds=5.0,
        max_retries=1,
        max_throttle_wait_seconds=10.0,
        backoff_max_seconds=2.0,
        page_size=posthog.page_size,
    )
