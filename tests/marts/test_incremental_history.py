"""Three daily runs, with late events and operational edits, equal a full refresh.

A small demo data set (``boardroom.demo``) goes through the production path on real
Postgres: operational rows extracted by the real extraction, events loaded into
``raw.posthog_events`` day by day. A full build covers every day but the last three; then
three daily runs each bring their day's events, a late wave stamped on earlier days (up to
twenty days back, so their windows re-open many already built days), and operational
edits (1% of every table's rows touched, a deal won, an approval decided, an infra usage
row revised on an old date, an event that left an earlier day). Each run passes the window
a Dagster run passes: the day, ``event_days`` and ``late_events_loaded_since``.

Every mart row after the three runs must equal, cell for cell (``_built_at`` aside), the
row a ``--full-refresh`` of the same history yields.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from boardroom.dbt.runner import build_marts
from tests.marts.test_dbt_marts import MARTS
from tests.marts.test_dbt_marts import _capture as capture_marts

SPEC_DAYS = 28
END = date(2026, 3, 31)
DAILY_RUNS = 3
_COLUMNS = ("uuid", "event", "distinct_id", "tenant_id", "timestamp", "created_at", "properties")


def _release_day(event, first_daily: date) -> date | None:
    """The run that loads the event: None for the initial load, else the run's day."""
    day = event.timestamp.date()
    if day >= first_daily:
        return day
    if event.wave == "late" and day >= first_daily - timedelta(days=20):
        # late events reach the warehouse on one of the daily runs, spread over the three
        return first_daily + timedelta(days=int(event.uuid[-1], 16) % DAILY_RUNS)
    return None


def _stage_events(conn: psycopg.Connection, spec, first_daily: date) -> None:
    """Stream the valid demo events into a stage table with the run that loads each."""
    from boardroom.demo.events import iter_events, raw_event_values
    from boardroom.ingest.event_load import ensure_schema

    ensure_schema(conn)
    conn.execute(
        "CREATE TABLE event_stage (LIKE raw.posthog_events INCLUDING DEFAULTS, release date)"
    )
    conn.execute("ALTER TABLE event_stage ALTER COLUMN _loaded_at DROP NOT NULL")
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in (*_COLUMNS, "release"))
    with (
        conn.cursor() as cur,
        cur.copy(sql.SQL("COPY event_stage ({}) FROM STDIN").format(columns)) as copy,
    ):
        for event in iter_events(spec):
            if event.is_malformed or event.is_duplicate:
                continue
            copy.write_row((*raw_event_values(event), _release_day(event, first_daily)))


def _load(conn: psycopg.Connection, release: date | None) -> None:
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in _COLUMNS)
    condition = sql.SQL("release IS NULL") if release is None else sql.SQL("release = %s")
    conn.execute(
        sql.SQL(
            "INSERT INTO raw.posthog_events ({cols}, _loaded_at)"
            " SELECT DISTINCT ON (uuid) {cols}, clock_timestamp() FROM event_stage"
            " WHERE {cond} ORDER BY uuid ON CONFLICT (uuid) DO NOTHING"
        ).format(cols=columns, cond=condition),
        [] if release is None else [release],
    )


def _edit_operational(app_url: str, warehouse_url: str, day: date, step: int) -> None:
    """The day's edits in the operational database, then the routine extraction."""
    from boardroom.ingest.app_tables import extract_app_tables
    from boardroom.sources.app_db import APP_TABLES

    at = datetime.combine(day, time(12), UTC)
    with psycopg.connect(app_url) as conn:
        conn.execute("SELECT setseed(%s)", [0.1 * step])
        for table in APP_TABLES:
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET updated_at = greatest(updated_at + interval '1 second', %s)"
                    " WHERE random() < 0.01"
                ).format(sql.Identifier("app", table)),
                [at],
            )
        conn.execute(
            "UPDATE app.deals SET status = 'won', closed_at = %s, updated_at = %s"
            " WHERE deal_id = (SELECT min(deal_id) FROM app.deals WHERE status = 'open')",
            [at, at],
        )
        conn.execute(
            "UPDATE app.approval_requests SET status = 'approved', updated_at = %s"
            " WHERE approval_id = (SELECT min(approval_id) FROM app.approval_requests"
            " WHERE status = 'pending')",
            [at],
        )
        conn.execute(
            "UPDATE app.infra_usage SET units = units * 2, updated_at = %s WHERE usage_id ="
            " (SELECT min(usage_id) FROM app.infra_usage WHERE usage_date = %s)",
            [at, day - timedelta(days=12)],
        )
    extract_app_tables(app_url, warehouse_url)


def _event_days_touched(conn: psycopg.Connection, since: datetime) -> list[date]:
    rows = conn.execute(
        "SELECT DISTINCT (timestamp AT TIME ZONE 'UTC')::date FROM raw.posthog_events"
        " WHERE _loaded_at >= %s",
        [since],
    ).fetchall()
    return [day for (day,) in rows]


def _remove_an_event(conn: psycopg.Connection, day: date) -> date:
    """An event leaves an earlier day (ingestion's days_touched reports the day)."""
    conn.execute(
        "DELETE FROM raw.posthog_events WHERE uuid = (SELECT uuid FROM raw.posthog_events"
        " WHERE event = 'message_sent' AND (timestamp AT TIME ZONE 'UTC')::date = %s"
        " ORDER BY uuid LIMIT 1)",
        [day],
    )
    return day


def _capture(url: str) -> dict[str, list[dict]]:
    """Every mart's rows in key order, without the build time (it differs by design)."""
    return {
        mart: [{k: v for k, v in row.items() if k != "_built_at"} for row in rows]
        for mart, rows in capture_marts(url).items()
    }


@pytest.fixture(scope="module")
def history(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    from boardroom.demo import DemoSpec, load_operational
    from boardroom.ingest.app_tables import extract_app_tables
    from boardroom.sources.app_db import create_app_schema

    spec = DemoSpec(seed=5, tenants=5, days=SPEC_DAYS, end_date=END)
    first_daily = END - timedelta(days=DAILY_RUNS - 1)
    names = [f"incr_hist_{kind}_{datetime.now(UTC):%H%M%S%f}" for kind in ("app", "wh")]
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    app_url, wh_url = (
        urlunsplit(urlsplit(pg_admin_url)._replace(path=f"/{name}")) for name in names
    )
    work: Path = tmp_path_factory.mktemp("incr_hist")
    try:
        with psycopg.connect(app_url) as conn:
            create_app_schema(conn)
            load_operational(conn, spec)
        extract_app_tables(app_url, wh_url)
        with psycopg.connect(wh_url) as conn:
            _stage_events(conn, spec, first_daily)
            _load(conn, None)
        previous_start = datetime.now(UTC)
        build_marts(
            wh_url,
            spec.start_date,
            first_daily - timedelta(days=1),
            full_refresh=True,
            unit_tests=False,
            work_dir=work / "full",
        )
        runs = []
        for step in range(DAILY_RUNS):
            day = first_daily + timedelta(days=step)
            with psycopg.connect(wh_url) as conn:
                _load(conn, day)
                touched = set(_event_days_touched(conn, previous_start))
                if step == 1:
                    touched.add(_remove_an_event(conn, day - timedelta(days=9)))
            _edit_operational(app_url, wh_url, day, step + 1)
            started = datetime.now(UTC)
            build_marts(
                wh_url,
                day,
                day,
                event_days=sorted(touched),
                late_events_loaded_since=previous_start,
                unit_tests=False,
                work_dir=work / f"day{step}",
            )
            runs.append(sorted(touched))
            previous_start = started
        incremental = _capture(wh_url)
        build_marts(
            wh_url,
            spec.start_date,
            END,
            full_refresh=True,
            unit_tests=False,
            work_dir=work / "refresh",
        )
        yield {"incremental": incremental, "refreshed": _capture(wh_url), "touched": runs}
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            for name in names:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def test_the_daily_runs_brought_late_events(history):
    first_daily = END - timedelta(days=DAILY_RUNS - 1)
    for run in history["touched"]:
        assert any(day < first_daily - timedelta(days=1) for day in run), run


@pytest.mark.parametrize("mart", list(MARTS))
def test_every_mart_row_equals_a_full_refresh(history, mart):
    incremental, refreshed = history["incremental"][mart], history["refreshed"][mart]
    assert refreshed, f"{mart}: no rows"
    assert len(incremental) == len(refreshed), mart
    for got, expected in zip(incremental, refreshed, strict=True):
        assert got == expected, mart


def test_every_day_was_built(history):
    days = {row["as_of_date"] for row in history["incremental"]["platform_overview"]}
    start = END - timedelta(days=SPEC_DAYS - 1)
    assert days == {start + timedelta(days=n) for n in range(SPEC_DAYS)}
