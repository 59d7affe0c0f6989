"""Render every pack of a period: JSON exports in this process, PDFs in worker processes.

``render_packs`` reads each tenant's published figures once, builds one document per pack
variant (scope), validates and writes the JSON, and renders the PDFs in parallel
(WeasyPrint frees memory only when a process ends, so workers are recycled). A
``manifest.json`` in the period's folder lists every pack for delivery.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from boardroom.database import connect
from boardroom.packs.catalog import read_catalog
from boardroom.packs.document import MissingPublication, platform_document, tenant_document
from boardroom.packs.json_export import write_export
from boardroom.packs.paths import output_dir as default_output_dir
from boardroom.packs.paths import tenant_folder
from boardroom.packs.pdf import PdfResult, render_pdf
from boardroom.packs.periods import DEFAULT_PERIOD_DAYS, Period
from boardroom.packs.reader import list_tenants, read_platform_data, read_tenant_data
from boardroom.packs.scopes import PLATFORM_SCOPE, SCOPES
from boardroom.settings import Settings

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
#: Packs a worker renders before it is replaced (WeasyPrint frees memory only on exit).
TASKS_PER_WORKER = 25


@dataclass(frozen=True)
class PackFile:
    """One rendered pack: where its files are and what it holds."""

    pack_kind: str
    tenant_id: str | None
    tenant_name: str
    scope: str
    locale: str
    pdf: str
    json: str
    content_hash: str
    data_as_of: str | None
    pages: int
    pdf_bytes: int
    json_bytes: int
    render_seconds: float
    render_cpu_seconds: float
    worker_peak_rss_mb: float


@dataclass
class RenderReport:
    period: Period
    folder: Path
    packs: list[PackFile] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    workers: int = 0

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST

    def summary(self) -> str:
        return (
            f"{len(self.packs)} pack(s) rendered for {self.period.key} in {self.seconds:.1f} s "
            f"({self.workers} worker(s)); {len(self.skipped)} skipped, {len(self.failed)} failed"
        )


@dataclass
class _Job:
    key: str
    document: dict[str, Any]
    pdf: Path
    json: Path
    json_bytes: int


def default_workers() -> int:
    configured = Settings.from_env().pack_workers
    if configured is not None:
        return configured
    return max(1, min(4, os.cpu_count() or 1))


def _init_worker() -> None:
    from boardroom.packs.pdf import _weasy

    _weasy()


def _pack_key(tenant_id: str | None, scope: str) -> str:
    return f"{tenant_id}/{scope}" if tenant_id is not None else PLATFORM_SCOPE


def _documents(
    warehouse_url: str,
    period: Period,
    folder: Path,
    *,
    schema: str,
    tenants: Iterable[str] | None,
    scopes: Iterable[str],
    include_platform: bool,
    generated_at: str | None,
    report: RenderReport,
) -> list[_Job]:
    """Read the published figures, write the JSON exports and list the PDFs to render."""
    jobs: list[_Job] = []
    with connect(warehouse_url, autocommit=True) as conn:
        catalog = read_catalog(conn, schema)
        published = list_tenants(conn, period.end, schema)
        wanted = published if tenants is None else [t for t in tenants]
        for tenant_id in wanted:
            if tenant_id not in published:
                report.skipped[tenant_id] = f"not published for {period.end.isoformat()}"
                continue
            data = read_tenant_data(conn, tenant_id, period, schema=schema)
            for scope in scopes:
                key = _pack_key(tenant_id, scope)
                try:
                    doc = tenant_document(data, catalog, scope, generated_at=generated_at)
                    base = folder / tenant_folder(tenant_id) / scope
                    size = write_export(doc, base.with_suffix(".json"))
                except MissingPublication as exc:
                    report.skipped[key] = str(exc)
                    continue
                except Exception as exc:  # one pack's failure must not stop the others
                    report.failed[key] = f"{type(exc).__name__}: {exc}"
                    continue
                jobs.append(
                    _Job(key, doc, base.with_suffix(".pdf"), base.with_suffix(".json"), size)
                )
        if include_platform:
            try:
                doc = platform_document(
                    read_platform_data(conn, period, schema=schema),
                    catalog,
                    generated_at=generated_at,
                )
                base = folder / "platform" / PLATFORM_SCOPE
                size = write_export(doc, base.with_suffix(".json"))
                jobs.append(
                    _Job(
                        PLATFORM_SCOPE,
                        doc,
                        base.with_suffix(".pdf"),
                        base.with_suffix(".json"),
                        size,
                    )
                )
            except MissingPublication as exc:
                report.skipped[PLATFORM_SCOPE] = str(exc)
            except Exception as exc:
                report.failed[PLATFORM_SCOPE] = f"{type(exc).__name__}: {exc}"
    return jobs


def _pack_file(job: _Job, result: PdfResult, folder: Path) -> PackFile:
    doc = job.document
    tenant = doc.get("tenant")
    return PackFile(
        pack_kind=doc["pack_kind"],
        tenant_id=tenant["tenant_id"] if tenant else None,
        tenant_name=tenant["name"] if tenant else "",
        scope=doc["scope"],
        locale=doc["locale"],
        pdf=str(job.pdf.relative_to(folder)),
        json=str(job.json.relative_to(folder)),
        content_hash=doc["content_hash"],
        data_as_of=doc.get("data_as_of"),
        pages=result.pages,
        pdf_bytes=result.bytes,
        json_bytes=job.json_bytes,
        render_seconds=round(result.seconds, 3),
        render_cpu_seconds=round(result.cpu_seconds, 3),
        worker_peak_rss_mb=round(result.worker_peak_rss_mb, 1),
    )


def render_pdfs(
    jobs: list[_Job],
    folder: Path,
    workers: int,
    report: RenderReport,
    on_pack: Callable[[PackFile], None] | None = None,
) -> None:
    """Render the jobs' PDFs (``workers`` = 0: in this process)."""

    def done(job: _Job, result: PdfResult) -> None:
        pack = _pack_file(job, result, folder)
        report.packs.append(pack)
        if on_pack:
            on_pack(pack)

    if workers == 0:
        for job in jobs:
            try:
                done(job, render_pdf(job.document, job.pdf))
            except Exception as exc:
                report.failed[job.key] = f"{type(exc).__name__}: {exc}"
        return
    context = multiprocessing.get_context("spawn")
    # Workers are recycled by starting a fresh pool every `workers * TASKS_PER_WORKER` packs
    # (ProcessPoolExecutor's max_tasks_per_child can hang on Python 3.11).
    batch = workers * TASKS_PER_WORKER
    for first in range(0, len(jobs), batch):
        chunk = jobs[first : first + batch]
        with ProcessPoolExecutor(
            max_workers=min(workers, len(chunk)), mp_context=context, initializer=_init_worker
        ) as pool:
            futures: list[tuple[_Job, Future[PdfResult]]] = [
                (job, pool.submit(render_pdf, job.document, job.pdf)) for job in chunk
            ]
            for job, future in futures:
                try:
                    done(job, future.result())
                except Exception as exc:
                    report.failed[job.key] = f"{type(exc).__name__}: {exc}"


def write_manifest(report: RenderReport) -> Path:
    manifest = {
        "period": report.period.as_dict(),
        "packs": [
            asdict(p) for p in sorted(report.packs, key=lambda p: (p.tenant_id or "", p.scope))
        ],
    }
    path = report.manifest_path
    partial = path.with_suffix(".json.part")
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def read_manifest(folder: Path) -> list[PackFile]:
    """The packs of a period folder, as written by :func:`render_packs`."""
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return [PackFile(**p) for p in data["packs"]]


def period_folder(output: Path, period: Period) -> Path:
    return output / period.key


def render_packs(
    warehouse_url: str,
    end: date,
    *,
    period_days: int = DEFAULT_PERIOD_DAYS,
    output_dir: Path | None = None,
    schema: str = "marts",
    tenants: Iterable[str] | None = None,
    scopes: Iterable[str] = tuple(SCOPES),
    include_platform: bool = True,
    workers: int | None = None,
    generated_at: str | None = None,
    on_pack: Callable[[PackFile], None] | None = None,
) -> RenderReport:
    """Render the packs of the period ending ``end`` into ``<output>/<period key>/``.

    Reads only ``schema`` (the published ``marts``). Tenants not published for ``end``
    are skipped (reported); a pack that fails is reported and the others still render.
    """
    started = time.perf_counter()
    period = Period(end, period_days)
    folder = period_folder(output_dir or default_output_dir(), period)
    folder.mkdir(parents=True, exist_ok=True)
    workers = default_workers() if workers is None else workers
    report = RenderReport(period, folder, workers=workers)
    jobs = _documents(
        warehouse_url,
        period,
        folder,
        schema=schema,
        tenants=tenants,
        scopes=list(scopes),
        include_platform=include_platform,
        generated_at=generated_at,
        report=report,
    )
    render_pdfs(jobs, folder, min(workers, len(jobs)) if workers else 0, report, on_pack)
    write_manifest(report)
    report.seconds = time.perf_counter() - started
    log.info(report.summary())
    return report
