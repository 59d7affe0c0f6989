"""Benchmark of board-pack rendering (``make bench-exports``).

    python -m benchmarks.exports [--tenants 50] [--days 7] [--sample 24] [--workers N]

Everything runs locally in a temporary folder: the embedded Postgres (or the server of
BOARDROOM_WAREHOUSE_URL, in fresh databases created and dropped here) and the PostHog
stand-in. Steps:

1. **data**: a demo data set (``--tenants`` x ``--days``, a quarter of the tenants in
   Arabic) generated, ingested, built by dbt and published into ``marts`` the way
   production does it.
2. **per pack**: ``--sample`` packs (every scope and locale) rendered by ONE worker process:
   render time per pack (HTML + PDF) and the worker's peak RSS after each pack.
3. **end to end**: every pack of every tenant (4 role scopes each, 200 for 50 tenants, plus
   the platform pack) through ``render_packs``: read, JSON (validated) and PDF in parallel
   worker processes; wall time, packs per second, per-pack times, peak RSS per worker.

Targets: median <= 1.0 s per pack, < 300 MB per rendering worker. The last line printed is
one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from benchmarks._databases import Databases
from boardroom.packs.render import RenderReport, default_workers, render_packs

END = date(2026, 3, 31)
TARGET_MEDIAN_SECONDS = 1.0
TARGET_WORKER_MB = 300.0


def build_data(dbs: Databases, root: Path, tenants: int, days: int) -> tuple[str, str, float]:
    """Demo sources -> raw -> dbt marts -> published marts; returns (url, schema, seconds)."""
    from boardroom.dbt.runner import build_marts
    from boardroom.demo import DemoSpec, load_operational, send_events
    from boardroom.ingest.app_tables import extract_app_tables
    from boardroom.ingest.events import ingest_events
    from boardroom.ingest.posthog_query import PostHogQueryClient
    from boardroom.posthog_local import PostHogLocal
    from boardroom.sources.app_db import create_app_schema

    started = time.perf_counter()
    spec = DemoSpec(seed=29, tenants=tenants, days=days, end_date=END)
    app_url, warehouse_url = dbs.create("app"), dbs.create("wh")
    with psycopg.connect(app_url) as conn:
        create_app_schema(conn)
        load_operational(conn, spec)
    with PostHogLocal(
        root / "posthog", project_id=1, project_api_key="phc_bench", personal_api_key="phx_bench"
    ) as server:
        send_events(spec, server.url, "phc_bench", progress=False)
        extract_app_tables(app_url, warehouse_url)
        with PostHogQueryClient(server.url, 1, "phx_bench") as client:
            ingest_events(client, warehouse_url, spec.start_date, spec.end_date + timedelta(days=1))
    build_marts(warehouse_url, spec.start_date, spec.end_date, work_dir=root / "dbt")
    schema = "audit"
    try:
        from boardroom.gate.publish import publish_tenants
    except ImportError:
        print("boardroom.gate.publish not available: reading the audit marts", file=sys.stderr)
    else:
        publish_tenants(warehouse_url, spec.start_date, spec.end_date)
        schema = "marts"
    return warehouse_url, schema, time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def per_pack(url: str, schema: str, root: Path, sample_tenants: list[str]) -> RenderReport:
    """Sample packs rendered by one worker process, one after the other."""
    return render_packs(
        url,
        END,
        output_dir=root / "sample",
        schema=schema,
        tenants=sample_tenants,
        workers=1,
        include_platform=True,
    )


def figures(report: RenderReport) -> dict[str, Any]:
    seconds = [p.render_seconds for p in report.packs]
    cpu = [p.render_cpu_seconds for p in report.packs]
    rss = [p.worker_peak_rss_mb for p in report.packs]
    return {
        "packs": len(report.packs),
        "failed": len(report.failed),
        "wall_seconds": round(report.seconds, 2),
        "packs_per_second": round(len(report.packs) / report.seconds, 2) if report.seconds else 0,
        "median_pack_seconds": round(statistics.median(seconds), 3) if seconds else None,
        "p95_pack_seconds": round(_percentile(seconds, 0.95), 3),
        "median_pack_cpu_seconds": round(statistics.median(cpu), 3) if cpu else None,
        "p95_pack_cpu_seconds": round(_percentile(cpu, 0.95), 3),
        "max_pack_seconds": round(max(seconds, default=0.0), 3),
        "max_worker_peak_rss_mb": round(max(rss, default=0.0), 1),
        "median_pages": statistics.median([p.pages for p in report.packs]) if report.packs else 0,
        "median_pdf_kb": round(statistics.median([p.pdf_bytes for p in report.packs]) / 1024, 1)
        if report.packs
        else 0,
        "workers": report.workers,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=50, help="tenants (4 packs each)")
    parser.add_argument("--days", type=int, default=7, help="days of demo history (>= 7)")
    parser.add_argument("--sample", type=int, default=4, help="tenants in the per-pack step")
    parser.add_argument("--workers", type=int, default=None, help="end-to-end workers")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="boardroom-bench-exports-"))
    root.chmod(0o755)
    dbs = Databases(root)
    try:
        url, schema, build_seconds = build_data(dbs, root, args.tenants, args.days)
        print(
            f"data: {args.tenants} tenants x {args.days} days built and published in "
            f"{build_seconds:.1f} s (reading {schema})"
        )
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                sql.SQL("SELECT tenant_id, locale FROM {} ORDER BY tenant_id").format(
                    sql.Identifier(schema, "tenant_summary")
                )
            ).fetchall()
        arabic = [t for t, locale in rows if locale == "ar"]
        others = [t for t, locale in rows if locale != "ar"]
        half = args.sample // 2
        chosen = arabic[:half] + others[: args.sample - min(half, len(arabic))]
        sample = per_pack(url, schema, root, chosen)
        single = figures(sample)
        print(
            f"per pack (1 worker, {single['packs']} packs): median "
            f"{single['median_pack_seconds']} s (CPU {single['median_pack_cpu_seconds']} s), "
            f"p95 {single['p95_pack_seconds']} s, "
            f"worker peak RSS {single['max_worker_peak_rss_mb']} MB"
        )
        workers = args.workers if args.workers is not None else default_workers()
        whole = render_packs(url, END, output_dir=root / "all", schema=schema, workers=workers)
        e2e = figures(whole)
        print(
            f"end to end ({e2e['packs']} packs, {workers} workers): {e2e['wall_seconds']} s, "
            f"{e2e['packs_per_second']} packs/s, median {e2e['median_pack_seconds']} s per "
            f"pack, p95 {e2e['p95_pack_seconds']} s, max worker RSS "
            f"{e2e['max_worker_peak_rss_mb']} MB, {e2e['failed']} failed"
        )
        result = {
            "benchmark": "exports",
            "tenants": args.tenants,
            "days": args.days,
            "cpus": os.cpu_count(),
            "data_build_seconds": round(build_seconds, 1),
            "schema": schema,
            "per_pack": single,
            "end_to_end": e2e,
            "targets": {
                "median_pack_seconds": TARGET_MEDIAN_SECONDS,
                "worker_peak_rss_mb": TARGET_WORKER_MB,
                "median_met": (single["median_pack_seconds"] or 0) <= TARGET_MEDIAN_SECONDS,
                "rss_met": max(single["max_worker_peak_rss_mb"], e2e["max_worker_peak_rss_mb"])
                < TARGET_WORKER_MB,
            },
        }
        print(json.dumps(result, sort_keys=True))
        return 0 if not whole.failed else 1
    finally:
        dbs.close()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
