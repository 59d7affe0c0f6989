"""Benchmark of the end-to-end daily run: ``boardroom run --as-of D``, and where its time goes.

    python -m benchmarks.pipeline                          # 500 tenants x 365 days
    python -m benchmarks.pipeline --tenants 5 --days 20    # scaled down, a few minutes

The run is every step of ``daily_pipeline_job`` for one as-of day D (delivery is a job of
its own): ingestion (PostHog events through the query API, operational tables), the dbt
marts (one ``dbt build``), the Great Expectations gate and publication into ``marts``, and
board-pack rendering. Steps:

1. **deployment, untimed**: a deployment whose history up to D-1 is already run and
   published, in throw-away databases (the embedded server under ``.boardroom/bench``, or
   the server of ``BOARDROOM_WAREHOUSE_URL``):

   - the app database and the warehouse copied from the marts benchmark's template data
     sets (``benchmarks._marts_data``: operational rows extracted, valid events in
     ``raw.posthog_events``; the newest day's events and the late wave stamped on the two
     days before it held back), generated once and cached;
   - PostHog: the local stand-in (``boardroom.posthog_local``), served by this process at
     a fixed address given to the run as ``POSTHOG_HOST``, as a deployment configures its
     PostHog. Its store holds every delivery of the history (valid, duplicate, malformed),
     also generated once and cached (``benchmarks._posthog_events``); the ingestion
     watermark of that address is the previous run's start (D 02:00, when the schedule
     ran D-1);
   - the history: ``daily_pipeline_job`` over D's first day .. D-1 as ONE run
     (``boardroom run --from/--to``), without ingestion (the template already holds what it
     would load) and board packs (a pack reads only its own period): the dbt build,
     the gate and the publication of every day. The Dagster instance then holds that
     build's materializations, so the daily run plans incrementally from it. It runs
     without psycopg's prepared statements: with them, publishing a range for every
     tenant degrades with each tenant published (generic plans), 1,754 s instead of 95 s
     at 500 x 364 days; the rows are the same (``benchmarks._dagster_run``);
   - day D arrives: the held-back deliveries are sent through the stand-in's capture
     endpoint (PostHog stamps them received now, after the watermark), and a day's
     operational edits are made (``--daily-changes`` of every table's rows gets a new
     ``updated_at``; the run's extraction reads them).

2. **the run, timed**: ``boardroom run --as-of D`` (the real command, in a subprocess with
   the deployment's environment), its wall time, its own peak RSS (``VmHWM``), the peak
   RSS of its process tree (rendering workers, dbt) and the load average while it runs.

3. **where the time goes**, read from the run's events in the Dagster instance: the
   start-up before the run's first step (interpreter, imports, definitions, run
   creation), each step's duration, what follows the last step; dbt's build plan and its
   10 slowest nodes (dagster-dbt's ``Execution Duration`` of each node it reports, unit
   tests not among them: the marts step deletes dbt's target folder after a successful
   build), dbt's own time from its first node to its last (its closing line in the run's
   log); rows ingested, tenants published, packs rendered.

The last line printed is JSON with every figure; nothing timed is asserted. ``--keep``
keeps the databases, the data folder (packs, logs, Dagster home) and prints where.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from benchmarks._dagster_run import RunEvents, read_run, run_history
from benchmarks._databases import Databases
from benchmarks._dbt_timings import finished_line
from benchmarks._marts_data import HELD_SCHEMA, WATERMARK_STREAM, data_set, edit_operational_rows
from benchmarks._measure import ProcessTreeSampler, run_in_child, timed
from benchmarks._posthog_events import capture_held_events, copy_store, history_store

ROOT = Path(__file__).resolve().parent.parent
PROJECT_ID = 1
PROJECT_API_KEY = "phc_bench_pipeline"
PERSONAL_API_KEY = "phx_bench_pipeline"
#: Groups the history's range run leaves out (see the module docstring).
HISTORY_SKIPS = ("ingest", "packs")
#: When the schedule runs an as-of day: 02:00 UTC the day after (``BOARDROOM_DAILY_CRON``).
SCHEDULE_TIME = day_time(2)


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _executable(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else name


def deployment_env(data, dagster_url: str, posthog_url: str, data_dir: Path, spec) -> dict:
    """The run's configuration: environment variables only, as in production."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",  # dagster-dbt's `dbt`
        "BOARDROOM_APP_DATABASE_URL": data.app_url,
        "BOARDROOM_WAREHOUSE_URL": data.warehouse_url,
        "BOARDROOM_DAGSTER_DATABASE_URL": dagster_url,
        "BOARDROOM_DATA_DIR": str(data_dir),
        "BOARDROOM_PARTITIONS_START": spec.start_date.isoformat(),
        "POSTHOG_HOST": posthog_url,
        "POSTHOG_PROJECT_ID": str(PROJECT_ID),
        "POSTHOG_PERSONAL_API_KEY": PERSONAL_API_KEY,
        "POSTHOG_PROJECT_API_KEY": PROJECT_API_KEY,
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "GX_ANALYTICS_ENABLED": "false",
        "COLUMNS": "160",
    }


def set_ingest_watermark(warehouse_url: str, posthog_url: str, watermark: datetime) -> str:
    """What event ingestion leaves after the previous run: the watermark of the configured
    PostHog's stream (the templates' own stream removed, as are the held events' table)."""
    from boardroom.ingest.event_load import write_watermark
    from boardroom.ingest.events import stream_name
    from boardroom.ingest.posthog_query import PostHogQueryClient

    with PostHogQueryClient(posthog_url, PROJECT_ID, PERSONAL_API_KEY) as client:
        stream = stream_name(client)
    with psycopg.connect(warehouse_url) as conn:
        conn.execute("DELETE FROM raw.ingest_state WHERE stream = %s", (WATERMARK_STREAM,))
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(HELD_SCHEMA))
        )
        write_watermark(conn, stream, watermark, {"source": "benchmarks.pipeline history"})
    return stream


def timed_run(env: dict, as_of: date, work: Path) -> dict[str, Any]:
    """``boardroom run --as-of D`` in a subprocess: wall time, memory, load, its output."""
    output = work / "run-output.txt"
    command = [_executable("boardroom"), "run", "--as-of", as_of.isoformat()]
    load_before = os.getloadavg()
    with output.open("w", encoding="utf-8") as out:
        launched = time.time()
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        with ProcessTreeSampler(process.pid) as sampler:
            _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        ended = time.time()
    process.returncode = os.waitstatus_to_exitcode(status)
    text = output.read_text(encoding="utf-8", errors="replace")
    return {
        "seconds": seconds,
        "launched": launched,
        "ended": ended,
        "exit_code": process.returncode,
        "output": text,
        "peak_rss_mb": round(sampler.own_peak_mb, 1),
        "tree_peak_rss_mb": round(sampler.tree_peak_mb, 1),
        "largest_process_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "most_processes": sampler.most_processes,
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "during": sampler.load_average(),
            "after": [round(x, 2) for x in os.getloadavg()],
        },
    }


@contextmanager
def _instance(env: dict):
    """The deployment's Dagster instance, opened in this process."""
    import dagster as dg

    from boardroom.cli.pipeline_run import exported_environment
    from boardroom.database import dagster_storage_url

    home = {
        "DAGSTER_HOME": str(Path(env["BOARDROOM_DATA_DIR"]) / "dagster_home"),
        "BOARDROOM_DAGSTER_DATABASE_URL": dagster_storage_url(
            env["BOARDROOM_DAGSTER_DATABASE_URL"]
        ),
    }
    with exported_environment(home), dg.DagsterInstance.get() as instance:
        yield instance


def read_daily_run(env: dict, as_of: date) -> tuple[str, RunEvents]:
    """The daily run of ``as_of`` (the newest of its partition) and its events."""
    import dagster as dg

    with _instance(env) as instance:
        runs = instance.get_runs(
            filters=dg.RunsFilter(
                job_name="daily_pipeline_job", tags={"dagster/partition": as_of.isoformat()}
            ),
            limit=1,
        )
        if not runs:
            raise RuntimeError(f"no daily_pipeline_job run of {as_of} in the Dagster instance")
        return runs[0].run_id, read_run(instance, runs[0].run_id)


def breakdown(run: dict, events: RunEvents) -> dict[str, Any]:
    """Start-up, steps, wrap-up: where the run's wall time went."""
    launched = run["launched"]
    steps = events.steps(since=launched)
    starts = [events.step_start[s["step"]] for s in steps]
    ends = [events.step_end[s["step"]] for s in steps if s["step"] in events.step_end]
    first_step = min(starts) if starts else None
    last_end = max(ends) if ends else None
    in_steps = sum(s["seconds"] or 0.0 for s in steps)
    between = (last_end - first_step - in_steps) if first_step and last_end else None
    return {
        "startup_s": _round(first_step - launched if first_step else None),
        "startup_to_run_start_s": _round(events.run_start - launched if events.run_start else None),
        "steps": steps,
        "steps_s": round(in_steps, 2),
        "between_steps_s": _round(between),
        "after_last_step_s": _round(run["ended"] - last_end if last_end else None),
    }


def run_figures(events: RunEvents) -> dict[str, Any]:
    """What the run did: rows ingested, tenants published, packs rendered, checks."""
    from boardroom.sources.app_db import APP_TABLES

    def events_meta(name: str) -> Any:
        return events.metadata("raw/posthog_events", name)

    app_upserted = sum(
        int(events.metadata(f"raw/app_{t}", "rows_upserted", 0) or 0) for t in APP_TABLES
    )
    app_deleted = sum(
        int(events.metadata(f"raw/app_{t}", "rows_deleted", 0) or 0) for t in APP_TABLES
    )
    published = events.metadata("marts/exec_overview", "tenants_published") or []
    withheld = events.metadata("marts/exec_overview", "tenants_withheld") or {}
    return {
        "events_received": events_meta("rows_received"),
        "events_loaded": events_meta("rows_loaded"),
        "events_late": events_meta("late_rows"),
        "events_quarantined": events_meta("rows_quarantined"),
        "events_already_loaded": events_meta("already_loaded"),
        "event_days_touched": events_meta("days_touched"),
        "posthog_queries": events_meta("queries"),
        "operational_rows_upserted": app_upserted,
        "operational_rows_deleted": app_deleted,
        "tenants_published": len(published),
        "tenants_withheld": len(withheld),
        "packs_rendered": events.metadata("packs/board_packs", "packs_rendered"),
        "pack_pages": events.metadata("packs/board_packs", "pages"),
        "median_pack_seconds": events.metadata("packs/board_packs", "median_pack_seconds"),
        "max_pack_worker_rss_mb": events.metadata("packs/board_packs", "max_worker_rss_mb"),
        "assets_materialized": len(events.materializations),
        "checks_passed": events.checks_passed,
        "checks_failed": events.checks_failed,
    }


def prepare(databases: Databases, spec, args: argparse.Namespace, work: Path, root: Path):
    """Step 1: the deployment after D-1, then day D's arrivals. Returns (env, server,
    preparation figures)."""
    from boardroom.posthog_local import PostHogLocal

    newest = spec.end_date
    label = f"{spec.tenants} tenants x {spec.days} days"
    prep: dict[str, Any] = {}
    with timed() as elapsed:
        data = data_set(databases, spec, regenerate=args.regenerate)
    how = (
        f"generated in {data.generated_s} s"
        if data.generated_s is not None
        else "copied from the cache"
    )
    print(
        f"[{label}] data set {how} ({elapsed():.1f} s): {data.events_loaded_first:,} events "
        f"in raw, {data.events_held_back:,} held back for {newest}"
    )
    prep["data_set_s"] = round(elapsed(), 1)
    prep["data_set_generated_s"] = data.generated_s
    prep["events_in_raw"] = data.events_loaded_first
    prep["events_held_back"] = data.events_held_back

    with timed() as elapsed:
        cached, built_s = history_store(root / "posthog", spec, regenerate=args.regenerate)
        store = copy_store(cached, work / "posthog")
    how = f"built in {built_s} s" if built_s is not None else "copied from the cache"
    print(f"[{label}] PostHog stand-in store of the history {how} ({elapsed():.1f} s)")
    prep["posthog_store_s"] = round(elapsed(), 1)
    prep["posthog_store_built_s"] = built_s

    server = PostHogLocal(
        store, project_id=PROJECT_ID, project_api_key=PROJECT_API_KEY,
        personal_api_key=PERSONAL_API_KEY,
    ).start()  # fmt: skip
    prep["posthog_events_stored"] = server.store.count
    dagster_url = databases.create("dagster")
    env = deployment_env(data, dagster_url, server.url, work / "data", spec)
    previous_run = datetime.combine(newest, SCHEDULE_TIME, UTC)  # D-1's run, at D 02:00
    set_ingest_watermark(data.warehouse_url, server.url, previous_run)

    last = newest - timedelta(days=1)
    with timed() as elapsed:
        history = run_in_child(
            run_history, env, spec.start_date, last, HISTORY_SKIPS, work / "history-run.txt"
        )
    print(
        f"[{label}] history run {spec.start_date} .. {last} (one run, without "
        f"{' and '.join(HISTORY_SKIPS)}): {elapsed():.1f} s, "
        f"{'succeeded' if history['success'] else 'FAILED'}"
    )
    if not history["success"]:
        lines = (work / "history-run.txt").read_text(errors="replace").splitlines()
        print("\n".join(lines[-40:]), file=sys.stderr)
        raise RuntimeError(f"the history run failed: {history['failures']}")
    prep["history_run_s"] = round(elapsed(), 1)
    with _instance(env) as instance:
        steps = read_run(instance, history["run_id"]).steps(since=0.0)
    prep["history_steps_s"] = {step["step"]: step["seconds"] for step in steps}
    print(
        f"[{label}] history steps: "
        + ", ".join(f"{name} {secs} s" for name, secs in prep["history_steps_s"].items())
    )
    prep["history_failed_checks"] = history["failed_checks"]

    with timed() as elapsed:
        sent = capture_held_events(spec, server.url, PROJECT_API_KEY)
        edited = edit_operational_rows(
            data.app_url, datetime.combine(newest, day_time(12), UTC), args.daily_changes
        )
    print(
        f"[{label}] day {newest} arrives: {sent:,} deliveries captured by the stand-in, "
        f"{edited:,} operational rows edited ({elapsed():.1f} s)"
    )
    prep["deliveries_captured"] = sent
    prep["operational_rows_edited"] = edited
    prep["arrivals_s"] = round(elapsed(), 1)
    return env, server, prep


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--days", type=int, default=365, help="days of history, D included")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--end-date", type=date.fromisoformat, default=date(2026, 3, 31), help="the as-of day D"
    )
    parser.add_argument(
        "--daily-changes",
        type=float,
        default=0.01,
        help="share of every operational table's rows edited on D (default 0.01)",
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the data sets even when cached"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases and the run's data folder"
    )
    args = parser.parse_args(argv)
    if args.days < 3 or args.tenants < 1:
        parser.error("need at least 1 tenant and 3 days")

    from boardroom.demo import DemoSpec

    spec = DemoSpec(seed=args.seed, tenants=args.tenants, days=args.days, end_date=args.end_date)
    label = f"{spec.tenants} tenants x {spec.days} days"
    root = ROOT / ".boardroom" / "bench"
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pipeline-", dir=root))
    databases = Databases(root)
    server = None
    result: dict[str, Any] = {
        "tenants": spec.tenants,
        "days": spec.days,
        "as_of": spec.end_date.isoformat(),
        "cpus": os.cpu_count(),
    }
    try:
        with timed() as preparing:
            env, server, prep = prepare(databases, spec, args, work, root)
        prep["total_s"] = round(preparing(), 1)
        print(f"[{label}] deployment ready in {preparing():.1f} s; running the day")

        run = timed_run(env, spec.end_date, work)
        tail = [line for line in run["output"].splitlines() if "assets materialized" in line]
        print(
            f"[{label}] boardroom run --as-of {spec.end_date}: {run['seconds']:.1f} s, exit "
            f"{run['exit_code']}" + (f" ({tail[-1].strip()})" if tail else "")
        )
        run_id, events = read_daily_run(env, spec.end_date)
        where = breakdown(run, events)
        did = run_figures(events)
        dbt = events.dbt_summary()
        plan = events.message("dbt: ")
        dbt_log = Path(env["BOARDROOM_DATA_DIR"]) / "logs" / f"run-{run_id[:8]}.log"
        finished = finished_line(dbt_log.read_text(errors="replace")) if dbt_log.exists() else None
        dbt["dbt_elapsed_s"] = finished[0] if finished else None
        dbt["dbt_ran"] = finished[1] if finished else None
        dbt_step = next((s for s in where["steps"] if s["step"] == "boardroom_dbt_models"), None)
        if finished and dbt_step and dbt_step["seconds"] is not None:
            # dbt's start-up (interpreter, parse state, selection) and dagster-dbt's work on
            # its events (metadata, row counts) around dbt's own node time
            dbt["step_outside_nodes_s"] = round(dbt_step["seconds"] - finished[0], 2)
        print(f"    {where['startup_s']:7.1f} s  start-up (imports, definitions, run creation)")
        for step in where["steps"]:
            seconds = step["seconds"]
            shown = f"{seconds:7.1f} s" if seconds is not None else "    n/a  "
            first = step["first_result_after_s"]
            note = f" (first result after {first:.1f} s)" if first is not None else ""
            print(f"    {shown}  step {step['step']}{note}" + (" FAILED" if step["failed"] else ""))
        print(f"    {where['between_steps_s'] or 0:7.1f} s  between steps")
        print(f"    {where['after_last_step_s'] or 0:7.1f} s  after the last step (summary, exit)")
        print(f"[{label}] {plan or 'dbt: (no plan logged)'}")
        print(
            f"[{label}] dbt: {dbt['dbt_elapsed_s']} s from its first node to its last "
            f"({dbt['dbt_ran']}); {dbt['nodes']} nodes reported to Dagster (unit tests are "
            f"not), {dbt['node_time_s']} s node time; slowest:"
        )
        for name, seconds in dbt["top"]:
            print(f"    {seconds:7.3f} s  {name}")
        print(
            f"[{label}] ingested {did['events_loaded']} events ({did['events_late']} late, "
            f"{did['events_quarantined']} quarantined) and {did['operational_rows_upserted']} "
            f"operational rows; published {did['tenants_published']} tenants "
            f"({did['tenants_withheld']} withheld); rendered {did['packs_rendered']} packs"
        )
        print(
            f"[{label}] peak RSS: run process {run['peak_rss_mb']} MB, largest process "
            f"{run['largest_process_rss_mb']} MB, process tree {run['tree_peak_rss_mb']} MB; "
            f"load average during the run {run['load_average']['during']}"
        )
        result.update(
            {
                "run_s": round(run["seconds"], 2),
                "exit_code": run["exit_code"],
                "run_id": run_id,
                "run_status": events.status,
                **where,
                "dbt_plan": plan,
                "dbt": dbt,
                **did,
                "peak_rss_mb": run["peak_rss_mb"],
                "largest_process_rss_mb": run["largest_process_rss_mb"],
                "tree_peak_rss_mb": run["tree_peak_rss_mb"],
                "most_processes": run["most_processes"],
                "load_average": run["load_average"],
                "preparation": prep,
            }
        )
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept: databases {', '.join(databases.created)}; data folder {work}")
        else:
            databases.close()
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
