"""Benchmark of the dbt marts: a full build against a one-day incremental run.

    python -m benchmarks.marts                        # 500 tenants x 90 days
    python -m benchmarks.marts --tenants 50 --days 30 # scaled down

Steps (nothing timed is asserted; the last line is JSON with every figure):

1. **populate**: the demo data set (``boardroom.demo``) into a fresh ``app`` database by
   COPY, extracted into ``raw.app_*`` by the real extraction; the demo events COPY'd
   straight into ``raw.posthog_events`` (valid, de-duplicated events only; ingestion is
   benchmarked in ``benchmarks.ingest``). Held back: the newest day's events and the
   late-wave events stamped on the two days before it, which the next daily run brings.
2. **full build**: ``dbt build --full-refresh`` of every day but the newest.
3. **incremental**: the held-back events loaded and a day's operational edits extracted
   (``--daily-changes``, 1% of every table's rows get a new version), then ``dbt build``
   of the newest day with the window production passes: ``event_days`` (the days the
   load touched) and ``late_events_loaded_since`` (the start of the previous build).
4. **incremental, no late events**: the same newest day again with no late data.
5. **dbt start-up**: ``dbt ls`` of the same selection, what every invocation pays before
   its first node; ``ratio_above_startup`` compares the two builds without it.

Every run has its own target folder, as in production, and starts from the warehouse's
kept partial-parse state (``boardroom.dbt_parse_cache``).

Runs on the embedded server (``.boardroom/bench``), or on the server of
``BOARDROOM_WAREHOUSE_URL`` when set (fresh databases are created there and dropped).
Unit tests are left out of the timed builds (``boardroom_marts_no_unit_tests``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from benchmarks._databases import Databases
from benchmarks._measure import timed
from boardroom.dbt_env import DBT_SELECTOR
from boardroom.dbt_runner import build_marts, run_dbt

ROOT = Path(__file__).resolve().parent.parent
HOLD_LATE_DAYS = 2


def _event_rows(events: Iterable, loaded_at: datetime) -> Iterator[tuple]:
    for event in events:
        properties = dict(event.properties)
        properties["$groups"] = {"tenant": event.tenant}
        yield (
            event.uuid,
            event.event,
            event.distinct_id,
            event.tenant,
            event.timestamp,
            event.timestamp,
            Jsonb(properties),
            loaded_at,
        )


def copy_events(url: str, events: list) -> int:
    """COPY valid demo events into ``raw.posthog_events`` (as ingestion would leave them)."""
    from boardroom.ingest.event_load import ensure_schema

    with psycopg.connect(url) as conn:
        ensure_schema(conn)
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY raw.posthog_events (uuid, event, distinct_id, tenant_id, timestamp, "
                "created_at, properties, _loaded_at) FROM STDIN"
            ) as copy,
        ):
            for row in _event_rows(events, datetime.now(UTC)):
                copy.write_row(row)
        conn.execute("ANALYZE raw.posthog_events")
    return len(events)


def split_events(spec) -> tuple[list, list, set[date]]:
    """(loaded first, held back for the newest day's run, event days the held-back touch)."""
    from boardroom.demo.events import iter_events

    newest = spec.end_date
    late_from = newest - timedelta(days=HOLD_LATE_DAYS)
    first: list = []
    held: list = []
    seen: set[str] = set()
    for event in iter_events(spec):
        if event.is_malformed or event.is_duplicate or event.uuid in seen:
            continue
        seen.add(event.uuid)
        day = event.timestamp.date()
        if day >= newest or (event.wave == "late" and day >= late_from):
            held.append(event)
        else:
            first.append(event)
    return first, held, {e.timestamp.date() for e in held}


def populate(databases: Databases, spec) -> tuple[str, str, list, set[date], dict]:
    from boardroom.demo import load_operational
    from boardroom.ingest.app_tables import extract_app_tables
    from boardroom.sources.app_db import create_app_schema

    app_url = databases.create("app")
    warehouse = databases.create("wh")
    figures: dict = {}
    with timed() as elapsed:
        with psycopg.connect(app_url) as conn:
            create_app_schema(conn)
            load_operational(conn, spec)
        extract_app_tables(app_url, warehouse)
        first, held, held_days = split_events(spec)
        copy_events(warehouse, first)
    figures["populate_s"] = round(elapsed(), 1)
    figures["events_loaded_first"] = len(first)
    figures["events_held_back"] = len(held)
    return app_url, warehouse, held, held_days, figures


def touch_operational_rows(app_url: str, warehouse_url: str, at: datetime, share: float) -> int:
    """A day's edits in the operational database: ``share`` of every table's rows gets a
    new ``updated_at`` (``at``, or just after a later one), then the routine incremental
    extraction; the next dbt build snapshots them as new versions. Returns rows touched."""
    from boardroom.ingest.app_tables import extract_app_tables
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
    extract_app_tables(app_url, warehouse_url)
    return touched


def _rows(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("audit", table))
        return int(conn.execute(query).fetchone()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 3, 31))
    parser.add_argument("--threads", type=int, default=4, help="dbt threads")
    parser.add_argument(
        "--daily-changes",
        type=float,
        default=0.01,
        help="share of every operational table's rows edited on the newest day (default 0.01)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases and dbt's target folders"
    )
    args = parser.parse_args(argv)
    if args.days < 2 or args.tenants < 1:
        parser.error("need at least 1 tenant and 2 days")

    from boardroom.demo import DemoSpec

    spec = DemoSpec(seed=args.seed, tenants=args.tenants, days=args.days, end_date=args.end_date)
    newest = spec.end_date
    root = ROOT / ".boardroom" / "bench"
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="marts-", dir=root))
    databases = Databases(root)
    print(f"marts benchmark: {spec.tenants} tenants x {spec.days} days ending {newest}")
    try:
        app_url, warehouse, held, held_days, figures = populate(databases, spec)
        print(
            f"populated in {figures['populate_s']} s: {figures['events_loaded_first']:,} events "
            f"loaded, {figures['events_held_back']:,} held back for the newest day"
        )

        # Every build below starts from parsed state, as routine runs do: parsing is untimed.
        run_dbt(["parse", "--quiet"], warehouse, work_dir=work / "parse", threads=args.threads)
        full_started = datetime.now(UTC)
        with timed() as full:
            build_marts(
                warehouse,
                spec.start_date,
                newest - timedelta(days=1),
                full_refresh=True,
                unit_tests=False,
                work_dir=work / "full",
                threads=args.threads,
            )
        print(f"full build of {spec.days - 1} days: {full():.1f} s")

        copy_events(warehouse, held)
        edited_at = datetime.combine(newest, time(12), UTC)
        edited = touch_operational_rows(app_url, warehouse, edited_at, args.daily_changes)
        figures["operational_rows_edited"] = edited
        print(f"newest day's operational edits: {edited:,} rows, extracted")
        with timed() as incremental:
            build_marts(
                warehouse,
                newest,
                newest,
                event_days=sorted(held_days),
                late_events_loaded_since=full_started,
                unit_tests=False,
                work_dir=work / "incr",
                threads=args.threads,
            )
        touched = ", ".join(d.isoformat() for d in sorted(held_days))
        print(f"incremental run of {newest} (late events on {touched}): {incremental():.1f} s")

        with timed() as plain:
            build_marts(
                warehouse,
                newest,
                newest,
                unit_tests=False,
                work_dir=work / "plain",
                threads=args.threads,
            )
        print(f"incremental run of {newest}, no late data: {plain():.1f} s")

        # What any dbt invocation costs before its first node: interpreter and dbt-core
        # imports, profile, partial-parse state, selection, artifacts.
        with timed() as startup:
            run_dbt(
                ["ls", "--selector", f"{DBT_SELECTOR}_no_unit_tests", "--quiet"],
                warehouse,
                work_dir=work / "ls",
                threads=args.threads,
            )
        print(f"dbt start-up (dbt ls of the same selection): {startup():.1f} s")

        ratio = incremental() / full() if full() else 0.0
        above = full() - startup()
        work_ratio = (incremental() - startup()) / above if above > 0 else 0.0
        print(f"ratio incremental / full: {ratio:.3f} (target <= 0.1)")
        print(f"ratio above dbt start-up: {work_ratio:.3f}")
        result = {
            "full_build_s": round(full(), 2),
            "incremental_s": round(incremental(), 2),
            "ratio": round(ratio, 4),
            "incremental_no_late_s": round(plain(), 2),
            "ratio_no_late": round(plain() / full(), 4) if full() else 0.0,
            "dbt_startup_s": round(startup(), 2),
            "ratio_above_startup": round(work_ratio, 4),
            "tenants": spec.tenants,
            "days": spec.days,
            "full_build_days": spec.days - 1,
            "late_event_days": sorted(d.isoformat() for d in held_days),
            "exec_overview_rows": _rows(warehouse, "exec_overview"),
            "dbt_threads": args.threads,
            **figures,
        }
    finally:
        if not args.keep:
            databases.close()
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
