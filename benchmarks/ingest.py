"""Benchmark of the PostHog events ingestion (``make bench-ingest``).

    python -m benchmarks.ingest [--events 1000000] [--rss-events 100000] [--skip-dlt]

Everything runs locally in a temporary folder: the PostHog stand-in (its own process), the
embedded Postgres (or the server of BOARDROOM_WAREHOUSE_URL, in fresh databases created
and dropped by the benchmark), and every measured step in a fresh child process.

1. Generate ``--events`` events for one day (1 % of them stamped up to a week earlier, as
   late events; a few duplicates and malformed events, as real traffic has), posted as raw
   ``/batch/`` payloads of 1,000 by several threads.
2. **whole**: ``ingest_events`` for that day, first run (its sweep covers all history): pull
   + load, as the Dagster asset runs it. Peak RSS of that process; API queries.
3. **pull**: the same windows and pages, written to local files instead of Postgres.
4. **load**: those files loaded through the same loader (staging COPY + SQL merge, same
   workers and page size) into an empty warehouse.
5. **COPY ceiling**: the loaded rows (valid, deduplicated) loaded by a server-side
   ``COPY raw.posthog_events FROM '<file>'`` into the same empty table and indexes.
6. **dlt**: the same rows through dlt's postgres destination (Python dicts, merge on uuid).
7. The whole step again at ``--rss-events`` (default 100k), to show that peak RSS is flat.

Nothing timed is asserted; the last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests
from psycopg import sql

from benchmarks._databases import Databases as BaseDatabases
from benchmarks._measure import RssSampler, peak_rss_mb, rate, run_in_child

PROJECT_ID = 1
PROJECT_KEY = "phc_bench_project_key"
PERSONAL_KEY = "phx_bench_personal_key"
DAY = date(2026, 11, 1)
TENANTS = [f"t-{i:03d}" for i in range(1, 51)]
BATCH = 1_000
csv.field_size_limit(sys.maxsize)

# events ------------------------------------------------------------------------------

_EVENTS = [  # (name, weight)
    ("message_sent", 24),
    ("message_delivered", 22),
    ("message_bounced", 1.2),
    ("message_complaint", 0.1),
    ("otp_sent", 5),
    ("otp_verified", 4.5),
    ("payment_succeeded", 2),
    ("payment_failed", 0.3),
    ("api_request", 25),
    ("user_signed_in", 5),
    ("$pageview", 10),
    ("feature_flag_called", 0.9),
]
_NAMES = [name for name, _ in _EVENTS]
_WEIGHTS = [weight for _, weight in _EVENTS]
_ENDPOINTS = ["/v1/messages", "/v1/otp", "/v1/payments", "/v1/contacts", "/v1/reports"]
_PAGES = ["/dashboard", "/approvals", "/deals", "/reports", "/settings", "/تقارير"]


def _properties(rnd: random.Random, name: str, i: int) -> dict[str, Any]:
    p: dict[str, Any] = {
        "$lib": "posthog-python",
        "$lib_version": "7.91.1",
        "$geoip_disable": True,
        "locale": rnd.choice(("en", "ar")),
    }
    if name.startswith("message_"):
        p |= {"message_id": f"msg-{i:09d}", "channel": rnd.choice(("email", "sms", "whatsapp"))}
        if name == "message_bounced":
            p["bounce_type"] = rnd.choice(("hard", "soft"))
    elif name.startswith("otp_"):
        p |= {"otp_id": f"otp-{i:09d}", "channel": rnd.choice(("sms", "whatsapp"))}
    elif name.startswith("payment_"):
        p |= {
            "invoice_id": f"inv-{i % 50_000:06d}",
            "amount": round(rnd.uniform(10, 5_000), 2),
            "currency": rnd.choice(("SAR", "USD", "AED")),
        }
        if name == "payment_failed":
            p["failure_code"] = rnd.choice(("card_declined", "insufficient_funds", "expired"))
    elif name == "api_request":
        p |= {
            "endpoint": rnd.choice(_ENDPOINTS),
            "status_code": rnd.choices((200, 201, 400, 404, 500, 503), (80, 8, 5, 4, 2, 1))[0],
            "latency_ms": round(rnd.lognormvariate(4.5, 0.6), 2),
        }
    elif name == "$pageview":
        p["$current_url"] = f"https://app.example.com{rnd.choice(_PAGES)}"
    elif name == "feature_flag_called":
        p |= {"$feature_flag": "new-board-pack", "$feature_flag_response": rnd.random() < 0.5}
    return p


def make_event(rnd: random.Random, i: int, day: date) -> dict[str, Any]:
    """One realistic event; about 1 % late, 0.5 % malformed."""
    name = rnd.choices(_NAMES, _WEIGHTS)[0]
    tenant = rnd.choice(TENANTS)
    properties = _properties(rnd, name, i)
    properties["$groups"] = {"tenant": tenant}
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        microseconds=rnd.randrange(86_400_000_000)
    )
    roll = rnd.random()
    if roll < 0.01:
        moment -= timedelta(days=rnd.randint(1, 7))  # late
    timestamp = moment.isoformat().replace("+00:00", "Z")
    if 0.01 <= roll < 0.012:
        del properties["$groups"]  # missing_tenant
    elif 0.012 <= roll < 0.013:
        properties["$groups"] = {"tenant": "t-unknown"}  # unknown_tenant
    elif 0.013 <= roll < 0.014:
        timestamp = "yesterday-ish"  # unparseable_timestamp
    elif 0.014 <= roll < 0.015 and "latency_ms" in properties:
        properties["latency_ms"] = str(properties["latency_ms"])  # wrong_type
    return {
        "event": name,
        "distinct_id": f"user-{tenant}-{rnd.randrange(2_000)}",
        "properties": properties,
        "timestamp": timestamp,
        "uuid": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
    }


def generate(url: str, events: int, day: date, *, threads: int = 4, seed: int = 7) -> float:
    """Post ``events`` events (plus 0.5 % re-sent duplicates) in batches; returns seconds."""
    started = time.perf_counter()
    chunk = 20 * BATCH

    def send(first: int) -> None:
        rnd = random.Random(seed * 1_000_003 + first)  # noqa: S311 - test data
        resend: list[dict[str, Any]] = []
        with requests.Session() as session:
            for start in range(first, min(first + chunk, events), BATCH):
                batch = [make_event(rnd, i, day) for i in range(start, min(start + BATCH, events))]
                resend.extend(e for e in batch if rnd.random() < 0.005)
                if len(resend) >= BATCH // 2 or start + BATCH >= min(first + chunk, events):
                    batch, resend = batch + resend, []
                body = json.dumps({"api_key": PROJECT_KEY, "batch": batch}, ensure_ascii=False)
                response = session.post(
                    f"{url}/batch/",
                    data=body.encode(),
                    headers={"Content-Type": "application/json"},
                    timeout=120,
                )
                response.raise_for_status()

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, range(0, events, chunk)))
    return time.perf_counter() - started


# infrastructure -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_posthog(data_dir: str, port: int) -> None:
    """Entry point of the stand-in's process (``--serve-posthog``)."""
    from boardroom.posthog_local import PostHogLocal

    PostHogLocal(
        Path(data_dir),
        project_id=PROJECT_ID,
        project_api_key=PROJECT_KEY,
        personal_api_key=PERSONAL_KEY,
        port=port,
    ).serve_forever()


class PostHogProcess:
    """The stand-in in its own process, so its CPU and memory are not the client's."""

    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.ingest",
                "--serve-posthog",
                str(data_dir),
                str(self.port),
            ],
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/_health", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the PostHog stand-in did not start")

    def stats(self) -> dict[str, int]:
        return requests.get(f"{self.url}/_local/stats", timeout=10).json()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Databases(BaseDatabases):
    """Benchmark databases that start with the raw event tables and the tenants."""

    def create(self, name: str) -> str:
        url = super().create(name)
        with psycopg.connect(url) as conn:
            from boardroom.ingest.event_load import ensure_schema

            ensure_schema(conn)
            with (
                conn.cursor() as cur,
                cur.copy(
                    "COPY raw.app_tenants (tenant_id, name, _extracted_at) FROM STDIN"
                ) as copy,
            ):
                for tenant in TENANTS:
                    copy.write_row((tenant, f"Tenant {tenant}", datetime.now(UTC)))
        return url


def _client(host: str, page_size: int, workers: int):
    from boardroom.ingest.posthog_query import PostHogQueryClient

    return PostHogQueryClient(
        host, PROJECT_ID, PERSONAL_KEY, max_concurrency=workers, page_size=page_size
    )


# measured steps (each runs in a fresh child process) ----------------------------------


def step_whole(host: str, url: str, day: str, page_size: int, workers: int) -> dict[str, Any]:
    from boardroom.ingest.events import ingest_events, report_as_dict

    client = _client(host, page_size, workers)
    with RssSampler() as sampler:
        started = time.perf_counter()
        report = ingest_events(client, url, date.fromisoformat(day), max_workers=workers)
        seconds = time.perf_counter() - started
    return {
        "report": report_as_dict(report),
        "seconds": seconds,
        "pull_seconds_in_run": report.pull_seconds,
        "merge_seconds_in_run": report.merge_seconds,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_quartile_peaks_mb": sampler.quartile_peaks(),
    }


def step_pull(host: str, day: str, page_size: int, workers: int, out: str) -> dict[str, Any]:
    """The same windows and pages as ``whole``, written to one CSV file per window."""
    from boardroom.ingest.event_pull import plan_windows, pull_window

    client = _client(host, page_size, workers)
    windows = plan_windows(
        date.fromisoformat(day),
        date.fromisoformat(day) + timedelta(days=1),
        created_to=datetime.now(UTC),
        slices=workers,
    )
    rows = [0] * len(windows)
    files = [str(Path(out) / f"window-{i}.csv") for i in range(len(windows))]

    def run(index: int) -> None:
        with open(files[index], "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)

            def handle_page(fetch, window) -> None:
                position = handle.tell()

                def consume(page_rows) -> None:
                    handle.seek(position)
                    handle.truncate()
                    writer.writerows(page_rows)

                fetch(consume)

            result = pull_window(client, windows[index], handle_page, page_size=page_size)
            rows[index] = result.rows

    with RssSampler() as sampler:
        started = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, range(len(windows))))
        seconds = time.perf_counter() - started
    return {
        "rows": sum(rows),
        "seconds": seconds,
        "queries": client.stats.queries,
        "files": files,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_quartile_peaks_mb": sampler.quartile_peaks(),
    }


def step_load(url: str, files: list[str], day: str, page_size: int, workers: int) -> dict:
    """The pulled rows through the loader (staging COPY + merge), ``workers`` in parallel."""
    from boardroom.database import connect
    from boardroom.ingest.event_load import PageLoader, PageResult, prepare_session

    late_before = datetime.fromisoformat(day).replace(tzinfo=UTC)
    total = PageResult()
    lock = threading.Lock()
    queue = list(files)

    def work() -> None:
        with connect(url) as conn:
            prepare_session(conn)
            loader = PageLoader(conn, late_before=late_before, newest_bound=datetime.now(UTC))
            while True:
                with lock:
                    if not queue:
                        return
                    path = queue.pop(0)
                with open(path, newline="", encoding="utf-8") as handle:
                    reader = csv.reader(handle)
                    while True:
                        with conn.transaction():
                            staged = loader.stage(islice(reader, page_size))
                            if not staged:
                                break
                            result = loader.merge(staged)
                        with lock:
                            total.add(result)

    with RssSampler() as sampler:
        started = time.perf_counter()
        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with connect(url) as conn:
            prepare_session(conn)
            loader = PageLoader(conn, late_before=late_before, newest_bound=datetime.now(UTC))
            total.add(loader.recheck_quarantine())
            total.add(loader.reconcile())
        seconds = time.perf_counter() - started
    return {
        "rows": total.received,
        "loaded": total.loaded,
        "quarantined": sum(total.quarantined.values()),
        "seconds": seconds,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_quartile_peaks_mb": sampler.quartile_peaks(),
    }


def export_loaded(url: str, path: Path) -> int:
    """The loaded rows as CSV (world-readable, for the server's COPY FROM)."""
    rows = 0
    with psycopg.connect(url) as conn, conn.cursor() as cur, open(path, "wb") as handle:
        with cur.copy(
            "COPY (SELECT uuid, event, distinct_id, tenant_id, timestamp, created_at, properties, "
            "_loaded_at FROM raw.posthog_events) TO STDOUT (FORMAT csv)"
        ) as copy:
            for data in copy:
                handle.write(data)
        rows = conn.execute("SELECT count(*) FROM raw.posthog_events").fetchone()[0]
    path.chmod(0o644)
    return rows


def step_copy_ceiling(url: str, path: str) -> dict[str, Any]:
    """Server-side COPY of the file into an empty raw.posthog_events (keys and indexes on)."""
    method = "server-side COPY FROM file"
    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        conn.commit()
        started = time.perf_counter()
        try:
            with conn.transaction():
                rows = conn.execute(
                    sql.SQL("COPY raw.posthog_events FROM {} (FORMAT csv)").format(
                        sql.Literal(path)
                    )
                ).rowcount
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedFile):
            # A remote server cannot read our file: fall back to COPY FROM STDIN.
            method = "COPY FROM STDIN (server cannot read local files)"
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cur:
                with (
                    cur.copy("COPY raw.posthog_events FROM STDIN (FORMAT csv)") as copy,
                    open(path, "rb") as handle,
                ):
                    while data := handle.read(1 << 20):
                        copy.write(data)
                rows = cur.rowcount
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "method": method}


def step_dlt(url: str, path: str, pipelines_dir: str) -> dict[str, Any]:
    """The same rows through dlt's postgres destination, as Python dicts, merged on uuid."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    import dlt

    def rows():
        with open(path, newline="", encoding="utf-8") as handle:
            for uid, event, distinct_id, tenant, ts, created, props, _ in csv.reader(handle):
                yield {
                    "uuid": uid,
                    "event": event,
                    "distinct_id": distinct_id,
                    "tenant_id": tenant,
                    "timestamp": ts,
                    "created_at": created,
                    "properties": json.loads(props),
                }

    parts = urlsplit(url)
    credentials = url
    if not parts.hostname:  # a unix-socket URL (embedded server): dlt needs a host name,
        # libpq then takes the socket folder from the `host` query parameter
        credentials = urlunsplit(
            parts._replace(
                netloc=f"{parts.netloc.rstrip('@')}@localhost"
                if "@" in parts.netloc
                else "localhost"
            )
        )
    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{uuid.uuid4().hex[:6]}",
        destination=dlt.destinations.postgres(credentials=credentials),
        dataset_name="dlt_bench",
        pipelines_dir=pipelines_dir,
    )
    started = time.perf_counter()
    pipeline.run(
        rows(),
        table_name="posthog_events",
        write_disposition="merge",
        primary_key="uuid",
        columns={
            "properties": {"data_type": "json"},
            "timestamp": {"data_type": "timestamp"},
            "created_at": {"data_type": "timestamp"},
        },
    )
    seconds = time.perf_counter() - started
    with psycopg.connect(url) as conn:
        rows_loaded = conn.execute("SELECT count(*) FROM dlt_bench.posthog_events").fetchone()[0]
    return {"rows": rows_loaded, "seconds": seconds, "peak_rss_mb": round(peak_rss_mb(), 1)}


# driver -------------------------------------------------------------------------------


def _whole_run(root: Path, dbs: Databases, events: int, args, label: str) -> tuple[dict, Any]:
    posthog = PostHogProcess(root / f"posthog-{label}")
    try:
        print(f"[{label}] generating {events:,} events ...", flush=True)
        generated_seconds = generate(posthog.url, events, DAY, threads=args.threads)
        stored = posthog.stats()["events_stored"]
        print(
            f"[{label}] {stored:,} stored in {generated_seconds:.1f} s; pull + load ...", flush=True
        )
        url = dbs.create(f"whole_{label}")
        whole = run_in_child(
            step_whole, posthog.url, url, DAY.isoformat(), args.page_size, args.workers
        )
        whole.update(
            events_generated=events,
            events_stored=stored,
            url=url,
            generate_seconds=generated_seconds,
        )
        return whole, posthog
    except BaseException:
        posthog.stop()
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--rss-events",
        type=int,
        default=100_000,
        help="also run pull + load at this size to compare peak RSS (0: skip)",
    )
    parser.add_argument("--page-size", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4, help="generator threads")
    parser.add_argument("--skip-dlt", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--serve-posthog", nargs=2, metavar=("DIR", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_posthog:
        serve_posthog(args.serve_posthog[0], int(args.serve_posthog[1]))
        return 0
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/runtime-{os.getuid()}")  # noqa: S108

    root = Path(tempfile.mkdtemp(prefix="boardroom-bench-ingest-"))
    root.chmod(0o755)  # the embedded server (user pgserver when root) reads the COPY file
    dbs = Databases(root)
    results: dict[str, Any] = {}
    try:
        whole, posthog = _whole_run(root, dbs, args.events, args, "main")
        try:
            print("[main] pull only ...", flush=True)
            out = root / "pulled"
            out.mkdir()
            pull = run_in_child(
                step_pull, posthog.url, DAY.isoformat(), args.page_size, args.workers, str(out)
            )
        finally:
            posthog.stop()
        print("[main] load only ...", flush=True)
        load_url = dbs.create("load")
        load = run_in_child(
            step_load, load_url, pull["files"], DAY.isoformat(), args.page_size, args.workers
        )
        print("[main] COPY ceiling ...", flush=True)
        export = root / "loaded.csv"
        exported = export_loaded(whole["url"], export)
        ceiling = run_in_child(step_copy_ceiling, dbs.create("copy"), str(export))
        dlt_result = None
        if not args.skip_dlt and importlib.util.find_spec("dlt") is None:
            print("[main] dlt is not installed (uv sync --group bench): skipping it", flush=True)
        elif not args.skip_dlt:
            print("[main] dlt ...", flush=True)
            dlt_result = run_in_child(step_dlt, dbs.create("dlt"), str(export), str(root / "dlt"))
        small = None
        if 0 < args.rss_events < args.events:
            small, small_posthog = _whole_run(root, dbs, args.rss_events, args, "rss")
            small_posthog.stop()
        results = _summarise(args, whole, pull, load, ceiling, dlt_result, small, exported)
    finally:
        dbs.close()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    _print_table(results)
    print(json.dumps(results, separators=(",", ":")))
    return 0


def _summarise(args, whole, pull, load, ceiling, dlt_result, small, exported) -> dict[str, Any]:
    report = whole["report"]
    received = report["rows_received"]
    load_rate = rate(load["rows"], load["seconds"])
    ceiling_rate = rate(ceiling["rows"], ceiling["seconds"])
    dlt_rate = rate(dlt_result["rows"], dlt_result["seconds"]) if dlt_result else None
    results: dict[str, Any] = {
        "benchmark": "ingest",
        "events_generated": whole["events_generated"],
        "events_stored": whole["events_stored"],
        "page_size": args.page_size,
        "workers": args.workers,
        "rows_received": received,
        "rows_loaded": report["rows_loaded"],
        "rows_quarantined": sum(report["quarantined"].values()),
        "duplicates_collapsed": report["duplicates_collapsed"],
        "late_rows": report["late_rows"],
        "whole_seconds": round(whole["seconds"], 2),
        "whole_rows_per_s": round(rate(received, whole["seconds"])),
        "pull_seconds": round(pull["seconds"], 2),
        "pull_rows_per_s": round(rate(pull["rows"], pull["seconds"])),
        "load_seconds": round(load["seconds"], 2),
        "load_rows_per_s": round(load_rate),
        "copy_ceiling_method": ceiling["method"],
        "copy_ceiling_rows": ceiling["rows"],
        "copy_ceiling_seconds": round(ceiling["seconds"], 2),
        "copy_ceiling_rows_per_s": round(ceiling_rate),
        "dlt_rows": dlt_result["rows"] if dlt_result else None,
        "dlt_seconds": round(dlt_result["seconds"], 2) if dlt_result else None,
        "dlt_rows_per_s": round(dlt_rate) if dlt_rate else None,
        "load_vs_copy_ceiling": round(load_rate / ceiling_rate, 2) if ceiling_rate else None,
        "load_vs_dlt": round(load_rate / dlt_rate, 1) if dlt_rate else None,
        "queries": report["queries"],
        "queries_per_million_events": round(report["queries"] * 1e6 / max(received, 1), 1),
        "retries": report["retries"],
        "peak_rss_mb": whole["peak_rss_mb"],
        "rss_quartile_peaks_mb": whole["rss_quartile_peaks_mb"],
        "pull_peak_rss_mb": pull["peak_rss_mb"],
        "load_peak_rss_mb": load["peak_rss_mb"],
        "exported_rows": exported,
    }
    if small:
        results |= {
            "rss_events": small["events_generated"],
            "rss_events_peak_rss_mb": small["peak_rss_mb"],
            "rss_events_whole_rows_per_s": round(
                rate(small["report"]["rows_received"], small["seconds"])
            ),
            "peak_rss_growth": round(whole["peak_rss_mb"] / small["peak_rss_mb"], 2),
        }
    return results


def _print_table(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    if not results:
        return
    table = Table(title=f"PostHog events ingestion, {results['events_generated']:,} events")
    table.add_column("step")
    table.add_column("rows", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("rows/s", justify="right")
    table.add_column("peak RSS MB", justify="right")

    def row(step: str, rows: Any, seconds: Any, per_s: Any, rss: Any = "") -> None:
        def show(value: Any) -> str:
            if value is None or value == "":
                return "-"
            return f"{value:,}" if isinstance(value, int) else str(value)

        table.add_row(step, show(rows), show(seconds), show(per_s), show(rss))

    row(
        "pull + load (whole)",
        results["rows_received"],
        results["whole_seconds"],
        results["whole_rows_per_s"],
        results["peak_rss_mb"],
    )
    row(
        "pull only (to files)",
        results["rows_received"],
        results["pull_seconds"],
        results["pull_rows_per_s"],
        results["pull_peak_rss_mb"],
    )
    row(
        "load only (staging COPY + SQL merge)",
        results["rows_received"],
        results["load_seconds"],
        results["load_rows_per_s"],
        results["load_peak_rss_mb"],
    )
    row(
        f"ceiling: {results['copy_ceiling_method']}",
        results["copy_ceiling_rows"],
        results["copy_ceiling_seconds"],
        results["copy_ceiling_rows_per_s"],
    )
    row(
        "dlt postgres destination (merge)",
        results["dlt_rows"],
        results["dlt_seconds"],
        results["dlt_rows_per_s"],
    )
    if "rss_events" in results:
        row(
            f"pull + load at {results['rss_events']:,} events",
            results["rss_events"],
            "",
            results["rss_events_whole_rows_per_s"],
            results["rss_events_peak_rss_mb"],
        )
    console = Console()
    console.print(table)
    console.print(
        f"load / COPY ceiling = {results['load_vs_copy_ceiling']}  (target >= 0.5)   "
        f"load / dlt = {results['load_vs_dlt'] or 'n/a (dlt skipped)'}  (target >= 5)\n"
        f"queries per million events = {results['queries_per_million_events']}  (target <= 25)"
        f"   peak RSS = {results['peak_rss_mb']} MB (target < 300), per quarter of the run "
        f"{results['rss_quartile_peaks_mb']}"
        + (
            f", {results['peak_rss_growth']}x the {results['rss_events']:,}-event run"
            if "peak_rss_growth" in results
            else ""
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
