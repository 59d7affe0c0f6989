"""The marts benchmark's data set, generated once per spec and kept as template databases.

A spec (tenants, days, seed, end date) is generated into two databases on the benchmark's
server: ``bench_tpl_app_<key>`` (the operational ``app`` schema) and ``bench_tpl_wh_<key>``
(the warehouse: ``raw.app_*`` extracted by the real extraction, ``raw.posthog_events``
holding every valid event but those a daily run brings, which wait in
``bench_held.posthog_events``). Each benchmark run copies both with
``CREATE DATABASE ... TEMPLATE``, so a 365-day data set is generated once, not per run.

Events are streamed (generator -> COPY -> a stage table -> de-duplicated insert), never
held in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

#: Bumped whenever what a template holds changes: older templates are then ignored.
TEMPLATE_VERSION = 1
HELD_SCHEMA = "bench_held"
HOLD_LATE_DAYS = 2
_EVENT_NAMES = (
    "uuid",
    "event",
    "distinct_id",
    "tenant_id",
    "timestamp",
    "created_at",
    "properties",
    "_loaded_at",
)
_EVENT_COLUMNS = sql.SQL(", ").join(sql.Identifier(name) for name in _EVENT_NAMES)


@dataclass(frozen=True)
class DataSet:
    """A run's private copies of a cached data set."""

    app_url: str
    warehouse_url: str
    events_loaded_first: int
    events_held_back: int
    held_days: tuple[date, ...]
    generated_s: float | None  # seconds spent generating; None when the cache was reused


def _url(admin_url: str, database: str) -> str:
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{database}"))


def template_names(spec) -> tuple[str, str]:
    key = f"v{TEMPLATE_VERSION}_{spec.tenants}t_{spec.days}d_s{spec.seed}_{spec.end_date:%Y%m%d}"
    return f"bench_tpl_app_{key}", f"bench_tpl_wh_{key}"


def _exists(admin_url: str, database: str) -> bool:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
    return row is not None


def _drop(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


def _create(admin_url: str, database: str, template: str | None = None) -> str:
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
    if template is not None:
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(database), sql.Identifier(template)
        )
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(statement)
    return _url(admin_url, database)


def _is_held(event, newest: date) -> bool:
    """The newest day's events and the late wave of the two days before it."""
    day = event.timestamp.date()
    late_from = newest - timedelta(days=HOLD_LATE_DAYS)
    return day >= newest or (event.wave == "late" and day >= late_from)


def _stage_rows(spec, loaded_at: datetime) -> Iterator[tuple]:
    from boardroom.demo.events import iter_events, raw_event_values

    for event in iter_events(spec):
        if event.is_malformed or event.is_duplicate:
            continue
        yield (*raw_event_values(event), loaded_at, _is_held(event, spec.end_date))


def _load_events(warehouse_url: str, spec) -> None:
    """Stream the valid events into raw (loaded first) and bench_held (held back)."""
    from boardroom.ingest.event_load import ensure_schema

    with psycopg.connect(warehouse_url) as conn:
        ensure_schema(conn)
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(HELD_SCHEMA)))
        conn.execute(
            sql.SQL(
                "CREATE TABLE {}.posthog_events (LIKE raw.posthog_events INCLUDING DEFAULTS)"
            ).format(sql.Identifier(HELD_SCHEMA))
        )
        conn.execute(
            "CREATE UNLOGGED TABLE bench_stage (LIKE raw.posthog_events INCLUDING DEFAULTS,"
            " held boolean NOT NULL)"
        )
        with (
            conn.cursor() as cur,
            cur.copy(
                sql.SQL("COPY bench_stage ({}, held) FROM STDIN").format(_EVENT_COLUMNS)
            ) as copy,
        ):
            for row in _stage_rows(spec, datetime.now(UTC)):
                copy.write_row(row)
        for held, target in ((False, sql.SQL("raw.posthog_events")), (True, None)):
            table = target or sql.SQL("{}.posthog_events").format(sql.Identifier(HELD_SCHEMA))
            conn.execute(
                sql.SQL(
                    "INSERT INTO {table} ({cols}) SELECT DISTINCT ON (uuid) {cols}"
                    " FROM bench_stage WHERE held = %s ORDER BY uuid"
                ).format(table=table, cols=_EVENT_COLUMNS),
                (held,),
            )
        conn.execute("DROP TABLE bench_stage")
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE raw.posthog_events")


def _generate(admin_url: str, spec, app_name: str, wh_name: str) -> None:
    from boardroom.demo import load_operational
    from boardroom.ingest.app_tables import extract_app_tables
    from boardroom.sources.app_db import create_app_schema

    building_app, building_wh = f"{app_name}_building", f"{wh_name}_building"
    for name in (building_app, building_wh):
        _drop(admin_url, name)
    app_url = _create(admin_url, building_app)
    wh_url = _create(admin_url, building_wh)
    with psycopg.connect(app_url) as conn:
        create_app_schema(conn)
        load_operational(conn, spec)
    extract_app_tables(app_url, wh_url)
    _load_events(wh_url, spec)
    # Rename only once complete: an interrupted generation leaves no usable template.
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for building, final in ((building_app, app_name), (building_wh, wh_name)):
            conn.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(building), sql.Identifier(final)
                )
            )


def _counts(warehouse_url: str) -> tuple[int, int, tuple[date, ...]]:
    with psycopg.connect(warehouse_url) as conn:
        first = conn.execute("SELECT count(*) FROM raw.posthog_events").fetchone()[0]
        held = conn.execute(
            sql.SQL("SELECT count(*) FROM {}.posthog_events").format(sql.Identifier(HELD_SCHEMA))
        ).fetchone()[0]
        days = conn.execute(
            sql.SQL(
                "SELECT DISTINCT (timestamp AT TIME ZONE 'UTC')::date FROM {}.posthog_events"
                " ORDER BY 1"
            ).format(sql.Identifier(HELD_SCHEMA))
        ).fetchall()
    return int(first), int(held), tuple(d for (d,) in days)


def data_set(databases, spec, *, regenerate: bool = False) -> DataSet:
    """Private copies of the spec's data set, generating the templates when missing."""
    import time

    admin_url = databases.admin_url
    app_name, wh_name = template_names(spec)
    generated_s = None
    if regenerate or not (_exists(admin_url, app_name) and _exists(admin_url, wh_name)):
        for name in (app_name, wh_name):
            _drop(admin_url, name)
        started = time.perf_counter()
        _generate(admin_url, spec, app_name, wh_name)
        generated_s = round(time.perf_counter() - started, 1)
    app_url = databases.create_from_template("app", app_name)
    wh_url = databases.create_from_template("wh", wh_name)
    record_watermark(wh_url)
    first, held, days = _counts(wh_url)
    return DataSet(app_url, wh_url, first, held, days, generated_s)


#: The stream ingestion records its watermark under (``raw.ingest_state``).
WATERMARK_STREAM = "posthog_events:bench"


def record_watermark(warehouse_url: str) -> None:
    """What event ingestion leaves beside the events: its watermark in raw.ingest_state
    (every event received before it is loaded), here the latest receipt time loaded."""
    with psycopg.connect(warehouse_url) as conn:
        conn.execute(
            "INSERT INTO raw.ingest_state (stream, watermark)"
            " SELECT %s, max(created_at) FROM raw.posthog_events"
            " ON CONFLICT (stream) DO UPDATE SET watermark = excluded.watermark,"
            " updated_at = now()",
            (WATERMARK_STREAM,),
        )


def load_held_events(warehouse_url: str) -> int:
    """Load the held-back events into raw.posthog_events, stamped as loaded now, and
    advance the ingestion watermark as ingestion does."""
    with psycopg.connect(warehouse_url) as conn:
        cur = conn.execute(
            sql.SQL(
                "INSERT INTO raw.posthog_events ({cols}) SELECT {sel} FROM {held}.posthog_events"
            ).format(
                cols=_EVENT_COLUMNS,
                sel=sql.SQL(", ").join(
                    sql.SQL("now()") if name == "_loaded_at" else sql.Identifier(name)
                    for name in _EVENT_NAMES
                ),
                held=sql.Identifier(HELD_SCHEMA),
            )
        )
        loaded = cur.rowcount
        conn.execute("ANALYZE raw.posthog_events")
    record_watermark(warehouse_url)
    return loaded


def edit_operational_rows(app_url: str, at: datetime, share: float) -> int:
    """A day's edits in the operational database: ``share`` of every table's rows gets a
    new ``updated_at`` (``at``, or just after a later one). Returns rows touched."""
    from boardroom.sources.app_db import APP_TABLES

    touched = 0
    with psycopg.connect(app_url) as conn:
        conn.execute("SELECT setseed(0.7)")
        for table in APP_TABLES:
            statement = sql.SQL(
                "UPDATE {} SET updated_at = greatest(updated_at + interval '1 second', %s)"
                " WHERE random() < %s"
            ).format(sql.Identifier("app", table))
            touched += conn.execute(statement, (at, share)).rowcount
    return touched
