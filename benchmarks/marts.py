"""Benchmark of the dbt marts: does a daily run stay flat as history grows?

    python -m benchmarks.marts                                   # 500 tenants x 90 and 365 days
    python -m benchmarks.marts --days 90 --repeat 5              # one history, five trials
    python -m benchmarks.marts --tenants 50 --days 30 60         # scaled down, two histories

For each history length (``--days``, default 90 and 365), on the same tenants:

1. **data set**: the demo data set (``boardroom.demo``) generated once and kept as template
   databases (``benchmarks._marts_data``): operational rows extracted by the real
   extraction, valid events in ``raw.posthog_events`` with the ingestion watermark in
   ``raw.ingest_state`` (as event ingestion leaves them); held back are the newest day's
   events and the late wave stamped on the two days before it. Every trial copies the
   templates.
2. **trials** (``--repeat``, default 3), each on its own copies:
   a. **full build**: ``dbt build --full-refresh`` of every day but the newest;
   b. **daily run with the late wave**: the held-back events loaded and a day's
      operational edits extracted (``--daily-changes``: that share of every table's rows
      gets a new version), then ``dbt build`` of the newest day with the window production
      passes: ``event_days`` (the days the load touched) and ``late_events_loaded_since``
      (the start of the full build); like every routine run it leaves out the staging
      views and seeds the full build made (``boardroom.dbt.static_nodes``);
   c. **daily run, no late data**: the same newest day again, ``late_events_loaded_since``
      the start of run b: nothing late arrived.
   The figures are the medians over the trials (ratios: the median of each trial's own
   ratio, its runs minutes apart); each trial's times are printed and kept in the JSON.
   On a shared 2-CPU machine one build's time varies by a fifth to a third from run to
   run: one trial decides nothing. The 10 slowest nodes of the median trial's late-wave
   run are printed.
3. **dbt start-up**: ``dbt ls`` of the same selection, what every invocation pays first.

Printed per history: full and incremental times, ``incr / full``, late-wave / no-late; with
two histories: ``incr_long / incr_short`` (growth of the daily run) and ``full / incr`` of
the longer one. The last line is JSON with every figure. Nothing timed is asserted.

Every run has its own target folder, as in production, and starts from the warehouse's
kept partial-parse state (``boardroom.dbt.parse_cache``; one per selection, both parsed
untimed first). Runs on the embedded server
(``.boardroom/bench``), or on the server of ``BOARDROOM_WAREHOUSE_URL`` when set (the
templates stay there; the run's copies are dropped). Unit tests are left out of the timed
builds (``boardroom_marts_no_unit_tests``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from benchmarks._databases import Databases
from benchmarks._dbt_timings import summary
from benchmarks._marts_data import data_set, edit_operational_rows, load_held_events
from benchmarks._measure import timed
from boardroom.dbt.env import DBT_SELECTOR
from boardroom.dbt.runner import build_marts, run_dbt
from boardroom.dbt.static_nodes import LEAVE_OUT_ENV, STATIC_TAG
from boardroom.paths import PROJECT_ROOT


def touch_operational_rows(app_url: str, warehouse_url: str, at: datetime, share: float) -> int:
    """:func:`edit_operational_rows`, then the routine incremental extraction; the next dbt
    build snapshots the edited rows as new versions. Returns rows touched."""
    from boardroom.ingest.app_tables import extract_app_tables

    touched = edit_operational_rows(app_url, at, share)
    extract_app_tables(app_url, warehouse_url)
    return touched


def _rows(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("audit", table))
        return int(conn.execute(query).fetchone()[0])


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def _trial(
    databases: Databases, spec, args: argparse.Namespace, work: Path, *, regenerate: bool
) -> dict:
    """One trial on fresh copies of the data set: full build, daily run with the late wave,
    daily run without; times and the late-wave run's nodes. The operational copy is
    dropped after it (unless ``--keep``), the warehouse kept for the caller."""
    newest = spec.end_date
    data = data_set(databases, spec, regenerate=regenerate)
    warehouse, threads = data.warehouse_url, args.threads
    # Every build below starts from parsed state, as routine runs do: parsing is untimed.
    # dbt keeps one state per selection (a full build's, and a routine run's that leaves
    # the unchanged staging views and seeds out): a deployment that runs daily has both.
    run_dbt(["parse", "--quiet"], warehouse, work_dir=work / "parse", threads=threads)
    routine = {LEAVE_OUT_ENV: STATIC_TAG}
    run_dbt(["parse", "--quiet"], warehouse, work_dir=work / "parse-routine", env=routine)
    full_started = datetime.now(UTC)
    with timed() as full:
        build_marts(
            warehouse,
            spec.start_date,
            newest - timedelta(days=1),
            full_refresh=True,
            unit_tests=False,
            work_dir=work / "full",
            threads=threads,
        )

    load_held_events(warehouse)
    edited = touch_operational_rows(
        data.app_url, warehouse, datetime.combine(newest, time(12), UTC), args.daily_changes
    )
    late_started = datetime.now(UTC)
    with timed() as late:
        late_build = build_marts(
            warehouse,
            newest,
            newest,
            event_days=data.held_days,
            late_events_loaded_since=full_started,
            unit_tests=False,
            work_dir=work / "late",
            threads=threads,
        )

    with timed() as plain:
        build_marts(
            warehouse,
            newest,
            newest,
            late_events_loaded_since=late_started,
            unit_tests=False,
            work_dir=work / "plain",
            threads=threads,
        )
    figures = {
        "full_build_s": round(full(), 2),
        "incremental_s": round(late(), 2),
        "incremental_no_late_s": round(plain(), 2),
        "incr_over_full": _ratio(late(), full()),
        "late_run_nodes": summary(late_build.stdout),
        "data": data,
        "edited": edited,
        "warehouse": warehouse,
    }
    if not args.keep:
        databases.drop(data.app_url)
    return figures


def _median(values: list[float], digits: int = 4) -> float:
    return round(statistics.median(values), digits)


def bench_history(databases: Databases, spec, args: argparse.Namespace, work: Path) -> dict:
    """``--repeat`` trials of full build and daily runs (each on fresh copies of the data
    set), medians reported; then dbt's start-up."""
    label = f"{spec.tenants} tenants x {spec.days} days"
    trials = []
    for number in range(1, args.repeat + 1):
        if trials and not args.keep:  # one trial's copies on disk at a time
            databases.drop(trials[-1]["warehouse"])
        regenerate = args.regenerate and number == 1
        trial = _trial(databases, spec, args, work / f"trial{number}", regenerate=regenerate)
        data = trial["data"]
        if number == 1:
            how = "copied from the cache"
            if data.generated_s:
                how = f"generated in {data.generated_s} s"
            print(
                f"[{label}] data set {how}: {data.events_loaded_first:,} events loaded, "
                f"{data.events_held_back:,} held back for the newest day"
            )
        touched = ", ".join(d.isoformat() for d in data.held_days)
        print(
            f"[{label}] trial {number}: full build of {spec.days - 1} days "
            f"{trial['full_build_s']:.1f} s; daily run of {spec.end_date} with the late wave "
            f"(events on {touched}; {trial['edited']:,} operational rows edited) "
            f"{trial['incremental_s']:.1f} s ({trial['incr_over_full']} of the full build); "
            f"no late data {trial['incremental_no_late_s']:.1f} s",
            flush=True,
        )
        trials.append(trial)

    median_trial = sorted(trials, key=lambda t: t["incremental_s"])[len(trials) // 2]
    nodes = median_trial["late_run_nodes"]
    print(
        f"[{label}] late-wave run (median trial): {nodes['nodes']} nodes, "
        f"{nodes['node_time_s']} s node time"
    )
    for name, seconds in nodes["top"]:
        print(f"    {seconds:7.3f} s  {name}")

    # What any dbt invocation costs before its first node: interpreter and dbt-core
    # imports, profile, partial-parse state, selection, artifacts.
    routine = {LEAVE_OUT_ENV: STATIC_TAG}
    with timed() as startup:
        run_dbt(
            ["ls", "--selector", f"{DBT_SELECTOR}_no_unit_tests", "--quiet"],
            trials[-1]["warehouse"],
            work_dir=work / "ls",
            threads=args.threads,
            env=routine,
        )
    print(f"[{label}] dbt start-up (dbt ls of the same selection): {startup():.1f} s")
    full_s = _median([t["full_build_s"] for t in trials], 2)
    late_s = _median([t["incremental_s"] for t in trials], 2)
    plain_s = _median([t["incremental_no_late_s"] for t in trials], 2)
    data = trials[0]["data"]
    figures = {
        "days": spec.days,
        "trials": len(trials),
        "full_build_s": full_s,
        "incremental_s": late_s,
        "incremental_no_late_s": plain_s,
        "incr_over_full": _median([t["incr_over_full"] for t in trials]),
        "incr_no_late_over_full": _median(
            [_ratio(t["incremental_no_late_s"], t["full_build_s"]) for t in trials]
        ),
        "late_over_no_late": _median(
            [_ratio(t["incremental_s"], t["incremental_no_late_s"]) for t in trials]
        ),
        "dbt_startup_s": round(startup(), 2),
        "late_run_nodes": nodes,
        "trial_figures": [
            {key: t[key] for key in ("full_build_s", "incremental_s", "incremental_no_late_s")}
            for t in trials
        ],
        "events_loaded_first": data.events_loaded_first,
        "events_held_back": data.events_held_back,
        "data_set_generated_s": data.generated_s,
        "late_event_days": [d.isoformat() for d in data.held_days],
        "operational_rows_edited": trials[0]["edited"],
        "exec_overview_rows": _rows(trials[-1]["warehouse"], "exec_overview"),
    }
    print(
        f"[{label}] medians of {len(trials)} trials: full {full_s:.1f} s, late wave "
        f"{late_s:.1f} s, no late {plain_s:.1f} s; incr / full {figures['incr_over_full']}, "
        f"late wave / no late {figures['late_over_no_late']}"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument(
        "--days", type=int, nargs="+", default=[90, 365], help="history lengths (default 90 365)"
    )
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
        "--repeat",
        type=int,
        default=3,
        help="trials per history, medians reported (default 3)",
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the data sets even when cached"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the run's databases and dbt's target folders"
    )
    args = parser.parse_args(argv)
    if min(args.days) < 2 or args.tenants < 1:
        parser.error("need at least 1 tenant and 2 days")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    from boardroom.demo import DemoSpec

    root = PROJECT_ROOT / ".boardroom" / "bench"
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="marts-", dir=root))
    databases = Databases(root)
    histories = sorted(set(args.days))
    result: dict = {
        "tenants": args.tenants,
        "dbt_threads": args.threads,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        for days in histories:
            spec = DemoSpec(seed=args.seed, tenants=args.tenants, days=days, end_date=args.end_date)
            result[f"d{days}"] = bench_history(databases, spec, args, work / f"d{days}")
    finally:
        if not args.keep:
            databases.close()
            shutil.rmtree(work, ignore_errors=True)
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if len(histories) >= 2:
        short, long = result[f"d{histories[0]}"], result[f"d{histories[-1]}"]
        result["incr_long_over_short"] = _ratio(long["incremental_s"], short["incremental_s"])
        result["incr_no_late_long_over_short"] = _ratio(
            long["incremental_no_late_s"], short["incremental_no_late_s"]
        )
        result["full_long_over_incr_long"] = _ratio(long["full_build_s"], long["incremental_s"])
        print(
            f"incr_{histories[-1]} / incr_{histories[0]}: {result['incr_long_over_short']} "
            f"(target <= 1.15); full_{histories[-1]} / incr_{histories[-1]}: "
            f"{result['full_long_over_incr_long']} (target >= 10)"
        )
    for days in histories:
        figures = result[f"d{days}"]
        print(
            f"{days} days: late wave / full {figures['incr_over_full']}, "
            f"late wave / no late {figures['late_over_no_late']} (target <= 2)"
        )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
