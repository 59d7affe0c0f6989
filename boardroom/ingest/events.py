"""PostHog events into ``raw.posthog_events``: the orchestration-free entry point.

    from boardroom.ingest.events import ingest_events
    report = ingest_events(client, warehouse_url, date(2026, 11, 1))       # one as-of day
    report = ingest_events(client, warehouse_url, date(2026, 10, 1), date(2026, 11, 1))

One call is one Dagster partition run (or one single-run backfill of a range of days).

What a call reads (see :func:`boardroom.ingest.event_pull.plan_windows`), every window capped
at ``created_at < run_started_at`` so its pages are stable while it runs:

1. the days themselves, whole: ``timestamp`` in [start 00:00, end 00:00) UTC, split by time
   into ``max_concurrency`` slices paged in parallel;
2. the sweep: everything PostHog ingested since the last successful run's start minus a
   ``lookback`` (1 h; covers PostHog's ingestion-to-query lag) that is stamped *outside*
   those days, at any age, unparseable timestamps included. Before the days these are late
   events, which land on their own timestamp's day; after them, events of days not pulled
   yet (loaded early, re-read harmlessly by their own run). The first run has no lower
   bound: it reads the whole history.

After every window succeeded, quarantined ``unknown_tenant`` events whose tenant now exists
are released, and the watermark in ``raw.ingest_state`` becomes ``run_started_at`` (only
ever moved forward). Because the sweep takes every ingested event not in the pulled days,
not just those stamped before them, running partitions out of order (a backfill after the
schedule) cannot leave an event behind the watermark: every event ingested before the
watermark has been loaded.

Loading (see :mod:`boardroom.ingest.event_load`) is idempotent on uuid, first received wins,
page by page in transactions; a failed or killed run is simply run again. Memory stays
bounded: each worker streams one page at a time from the HTTP socket into a COPY.

The report (:class:`EventIngestReport`) says what changed, including ``days_touched``: the
event days (UTC) that gained, changed or lost a row, so downstream models rebuild only those.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from boardroom.database import connect
from boardroom.ingest.event_load import (
    PageLoader,
    PageResult,
    adopt_port_keyed_watermarks,
    ensure_schema,
    prepare_session,
    read_watermark,
    write_watermark,
)
from boardroom.ingest.event_pull import Stopped, Window, day_start, plan_windows, pull_window
from boardroom.ingest.posthog_query import MAX_PAGE_SIZE, PostHogQueryClient

log = logging.getLogger(__name__)

DEFAULT_LOOKBACK = timedelta(hours=1)


@dataclass
class EventIngestReport:
    """What one call did; every field is Dagster metadata for the colleague's asset."""

    rows_received: int = 0  # rows PostHog returned (page-boundary re-reads not counted)
    rows_loaded: int = 0  # rows inserted into or updated in raw.posthog_events
    duplicates_collapsed: int = 0  # copies that lost to an earlier copy of their event
    already_loaded: int = 0  # rows re-read that were stored already (lookback, re-runs)
    quarantined: dict[str, int] = field(default_factory=dict)  # reason -> rows written
    released_from_quarantine: int = 0  # quarantined events that became valid (tenant known)
    rows_removed: int = 0  # stored events replaced by an earlier, malformed copy
    pages: int = 0
    queries: int = 0  # HTTP requests to the query API, retries included
    retries: int = 0
    seconds: float = 0.0
    newest_event_time: datetime | None = None  # latest valid event timestamp seen (<= run start)
    days_touched: list[date] = field(default_factory=list)  # event days (UTC) that changed
    late_rows: int = 0  # rows loaded stamped before the pulled days
    start: date | None = None
    end: date | None = None
    run_started_at: datetime | None = None
    watermark: datetime | None = None  # the sweep's lower bound before this run
    windows: list[str] = field(default_factory=list)
    pull_seconds: float = 0.0  # summed over workers: reading PostHog into the COPY
    merge_seconds: float = 0.0  # summed over workers: classify + write in SQL

    @property
    def rows_quarantined(self) -> int:
        return sum(self.quarantined.values())

    def summary(self) -> str:
        days = ", ".join(d.isoformat() for d in self.days_touched) or "none"
        return (
            f"{self.rows_received} received, {self.rows_loaded} loaded, "
            f"{self.duplicates_collapsed} duplicates collapsed, {self.already_loaded} already "
            f"loaded, {self.rows_quarantined} quarantined {self.quarantined}, "
            f"{self.late_rows} late; {self.pages} pages, {self.queries} queries, "
            f"{self.retries} retries, {self.seconds:.1f} s; days touched: {days}"
        )


@dataclass(frozen=True)
class PageEvent:
    """Passed to ``on_page`` after each committed page (tests interrupt runs with it)."""

    window: Window
    result: PageResult
    pages_done: int


#: Hosts that name this machine's PostHog (the local stand-in listens on a new port at
#: each start): their watermark is keyed without the address.
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def stream_name(client: PostHogQueryClient) -> str:
    """The watermark key of a PostHog project: its host and project, or ``local`` and the
    project for a PostHog on this machine, whatever port it listens on this time."""
    where = "local" if urlsplit(client.host).hostname in _LOOPBACK_HOSTS else client.host
    return f"posthog_events:{where}/projects/{client.project_id}"


@dataclass(frozen=True)
class IngestPlan:
    """What one call pulls: the days, the windows over them and the sweep, and how."""

    start: date
    end: date
    run_started_at: datetime
    page_size: int
    workers: int
    stream: str  # the watermark's key
    watermark: datetime | None  # the sweep's lower bound before this run
    windows: list[Window]
    sweep_late: bool

    @property
    def late_before(self) -> datetime:
        """Events stamped before this are late: before the pulled days."""
        return day_start(self.start)

    def report(self) -> EventIngestReport:
        """An empty report of this plan, filled in as the windows are pulled."""
        return EventIngestReport(
            start=self.start,
            end=self.end,
            run_started_at=self.run_started_at,
            watermark=self.watermark,
            windows=[w.describe() for w in self.windows],
        )


def plan_ingest(
    client: PostHogQueryClient,
    warehouse_url: str,
    start: date,
    end: date | None = None,
    *,
    sweep_late: bool = True,
    page_size: int | None = None,
    max_workers: int | None = None,
    lookback: timedelta = DEFAULT_LOOKBACK,
    run_started_at: datetime | None = None,
) -> IngestPlan:
    """The windows of one call (see :func:`ingest_events`); creates ``raw``'s tables if
    missing and reads the stream's watermark."""
    end = end or start + timedelta(days=1)
    run_started_at = (run_started_at or datetime.now(UTC)).astimezone(UTC)
    workers = max(1, min(max_workers or client.max_concurrency, client.max_concurrency))
    with connect(warehouse_url) as conn:
        ensure_schema(conn)
        stream = stream_name(client)
        if stream.startswith("posthog_events:local/"):
            adopt_port_keyed_watermarks(conn, stream, client.project_id)
        watermark = read_watermark(conn, stream) if sweep_late else None
    sweep_since = watermark - lookback if watermark is not None else None
    windows = plan_windows(
        start,
        end,
        created_to=run_started_at,
        slices=workers,
        sweep_since=sweep_since,
        sweep=sweep_late,
    )
    return IngestPlan(
        start=start,
        end=end,
        run_started_at=run_started_at,
        page_size=max(1, min(page_size or client.page_size, MAX_PAGE_SIZE)),
        workers=workers,
        stream=stream,
        watermark=watermark,
        windows=windows,
        sweep_late=sweep_late,
    )


def pull_windows(
    client: PostHogQueryClient,
    warehouse_url: str,
    plan: IngestPlan,
    report: EventIngestReport,
    on_page: Callable[[PageEvent], None] | None = None,
) -> PageResult:
    """Pull and load every window of the plan, ``plan.workers`` at a time; the loaded pages'
    totals. ``report`` counts the pages and the time spent reading PostHog. The first
    failure stops every worker and is raised."""
    total = PageResult()
    lock = threading.Lock()
    pending: queue.Queue[Window] = queue.Queue()
    for window in plan.windows:
        pending.put(window)
    stop = threading.Event()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            with connect(warehouse_url) as conn:
                prepare_session(conn)
                loader = PageLoader(
                    conn, late_before=plan.late_before, newest_bound=plan.run_started_at
                )

                def handle_page(fetch, window: Window) -> None:
                    with conn.transaction():
                        staged = fetch(loader.stage)
                        result = loader.merge(staged)
                    with lock:
                        total.add(result)
                        report.pages += 1
                        pages_done = report.pages
                    if on_page is not None:
                        on_page(PageEvent(window, result, pages_done))

                while not stop.is_set():
                    try:
                        window = pending.get_nowait()
                    except queue.Empty:
                        break
                    pull_window(client, window, handle_page, page_size=plan.page_size, stop=stop)
                with lock:
                    report.pull_seconds += loader.copy_seconds
        except Stopped:
            pass
        except BaseException as exc:
            stop.set()
            with lock:
                failures.append(exc)

    threads = [
        threading.Thread(target=work, name=f"posthog-events-{i + 1}", daemon=True)
        for i in range(min(plan.workers, len(plan.windows)))
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()
        raise
    if failures:
        raise failures[0]
    return total


def settle(warehouse_url: str, plan: IngestPlan, total: PageResult) -> PageResult:
    """After every window: release quarantined events whose tenant now exists, reconcile,
    and move the watermark to the run's start (when sweeping). ``total`` gains what that
    changed; returns what the release alone did."""
    with connect(warehouse_url) as conn:
        prepare_session(conn)
        loader = PageLoader(conn, late_before=plan.late_before, newest_bound=plan.run_started_at)
        released = loader.recheck_quarantine()
        total.add(released)
        total.add(loader.reconcile())
        if plan.sweep_late:
            write_watermark(
                conn,
                plan.stream,
                plan.run_started_at,
                {
                    "start": plan.start.isoformat(),
                    "end": plan.end.isoformat(),
                    "rows": total.received,
                },
            )
    return released


def fill_report(
    report: EventIngestReport,
    total: PageResult,
    released: PageResult,
    queries: int,
    retries: int,
    seconds: float,
) -> EventIngestReport:
    """``report`` with the call's totals (the release's re-reads not counted as received)."""
    report.rows_received = total.received - released.received
    report.rows_loaded = total.loaded
    report.duplicates_collapsed = total.duplicates_collapsed - released.duplicates_collapsed
    report.already_loaded = total.already_loaded - released.already_loaded
    report.quarantined = {k: v for k, v in sorted(total.quarantined.items()) if v}
    report.released_from_quarantine = total.released
    report.rows_removed = total.removed
    report.queries = queries
    report.retries = retries
    report.newest_event_time = total.newest
    report.days_touched = sorted(total.days)
    report.late_rows = total.late
    report.merge_seconds = total.seconds
    report.seconds = seconds
    return report


def ingest_events(
    client: PostHogQueryClient,
    warehouse_url: str,
    start: date,
    end: date | None = None,
    *,
    sweep_late: bool = True,
    page_size: int | None = None,
    max_workers: int | None = None,
    lookback: timedelta = DEFAULT_LOOKBACK,
    run_started_at: datetime | None = None,
    on_page: Callable[[PageEvent], None] | None = None,
) -> EventIngestReport:
    """Pull events of days [start, end) (``end`` defaults to the day after ``start``), plus
    the late-event sweep, into ``raw.posthog_events``. See the module docstring."""
    started = time.perf_counter()
    stats_before = client.stats.snapshot()
    plan = plan_ingest(
        client,
        warehouse_url,
        start,
        end,
        sweep_late=sweep_late,
        page_size=page_size,
        max_workers=max_workers,
        lookback=lookback,
        run_started_at=run_started_at,
    )
    report = plan.report()
    log.info("pulling PostHog events: %s", "; ".join(report.windows))
    total = pull_windows(client, warehouse_url, plan, report, on_page)
    released = settle(warehouse_url, plan, total)
    stats_after = client.stats.snapshot()
    fill_report(
        report,
        total,
        released,
        queries=int(stats_after["queries"] - stats_before["queries"]),
        retries=int(stats_after["retries"] - stats_before["retries"]),
        seconds=time.perf_counter() - started,
    )
    log.info("PostHog events: %s", report.summary())
    return report


def report_as_dict(report: EventIngestReport) -> dict[str, Any]:
    """A JSON-friendly view of a report."""
    return {
        "rows_received": report.rows_received,
        "rows_loaded": report.rows_loaded,
        "duplicates_collapsed": report.duplicates_collapsed,
        "already_loaded": report.already_loaded,
        "quarantined": dict(report.quarantined),
        "released_from_quarantine": report.released_from_quarantine,
        "rows_removed": report.rows_removed,
        "pages": report.pages,
        "queries": report.queries,
        "retries": report.retries,
        "seconds": round(report.seconds, 3),
        "newest_event_time": report.newest_event_time.isoformat()
        if report.newest_event_time
        else None,
        "days_touched": [d.isoformat() for d in report.days_touched],
        "late_rows": report.late_rows,
    }
