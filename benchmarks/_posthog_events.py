"""The pipeline benchmark's PostHog: the stand-in's event store, filled as the project's own.

A deployment's PostHog holds every event ever captured. The benchmark's stand-in store
holds the demo's deliveries (``boardroom.demo``: valid events, duplicate deliveries and
malformed events, each as the posthog SDK sends it) split as the marts templates split the
warehouse (``benchmarks._marts_data``):

- **history**: every delivery but the held-back ones, written straight into the store's
  SQLite file (the rows the capture endpoint would write) with ``created_at`` at the event's
  own time (an unparseable timestamp: noon of its day), as they arrived when they happened.
  Generated once per spec and kept under ``.boardroom/bench/posthog``; each run copies it.
- **held back**: the newest day's deliveries and the late wave stamped on the two days
  before it (the events the marts templates keep out of ``raw``), sent by
  :func:`capture_held_events` through the stand-in's capture endpoint (``/batch/``, the
  SDK's ``batch_post``), so PostHog stamps them ``created_at`` = now, after the previous
  run's ingestion watermark: the daily run reads the newest day through its day window and
  the late wave through its late-event sweep.
"""

from __future__ import annotations

import shutil
import time as clock
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from benchmarks._marts_data import HOLD_LATE_DAYS, TEMPLATE_VERSION, _is_held

#: Bumped whenever what a cached store holds changes: older stores are then ignored.
STORE_VERSION = 1
#: Generation days that can hold events stamped on a held-back day (payment retries are
#: stamped up to 3 days after the day that generates them).
_HELD_REACH_DAYS = HOLD_LATE_DAYS + 4


def _held(event, day: date, newest: date) -> bool:
    """Held back from the history: as ``_marts_data`` decides for valid events; a malformed
    event whose timestamp does not parse counts on the day that generated it."""
    if isinstance(event.timestamp, str):
        return day >= newest
    return _is_held(event, newest)


def _micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _deliveries(spec, days) -> Iterator[tuple[date, object]]:
    from boardroom.demo.events import day_events

    for day in days:
        for event in day_events(spec, day):
            yield day, event


def store_key(spec) -> str:
    return (
        f"v{STORE_VERSION}_{TEMPLATE_VERSION}_{spec.tenants}t_{spec.days}d_s{spec.seed}"
        f"_{spec.end_date:%Y%m%d}"
    )


def _fill_history(folder: Path, spec) -> int:
    """Write the history's deliveries into a new store in ``folder``; returns rows written."""
    from boardroom.demo.send_events import build_message, sdk_envelope
    from boardroom.posthog_local.capture import build_rows
    from boardroom.posthog_local.store import EventStore

    envelope = sdk_envelope()
    store = EventStore(folder).open()
    written = 0
    batch: list = []
    try:
        for day, event in _deliveries(spec, spec.dates):
            if _held(event, day, spec.end_date):
                continue
            at = event.timestamp
            if not isinstance(at, datetime):
                at = datetime.combine(day, time(12), UTC)
            message = build_message(event, envelope)
            batch.extend(build_rows([message], store, created_at=_micros(at)))
            if len(batch) >= 20_000:
                written += store.insert(batch)
                batch = []
        written += store.insert(batch)
    finally:
        store.close()
    return written


def history_store(cache_root: Path, spec, *, regenerate: bool = False) -> tuple[Path, float | None]:
    """The cached store folder of the spec's history (built when missing) and the seconds
    spent building it (None when the cache was reused)."""
    from boardroom.posthog_local.store import DB_FILENAME

    folder = cache_root / store_key(spec)
    if (folder / DB_FILENAME).exists() and not regenerate:
        return folder, None
    building = cache_root / f"{store_key(spec)}_building"
    shutil.rmtree(building, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    building.mkdir(parents=True)
    started = clock.perf_counter()
    _fill_history(building, spec)
    building.rename(folder)  # only once complete: an interrupted build leaves no cache
    return folder, round(clock.perf_counter() - started, 1)


def copy_store(cached: Path, target: Path) -> Path:
    """A run's own copy of a cached store (the run's captures must not reach the cache)."""
    from boardroom.posthog_local.store import DB_FILENAME

    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached / DB_FILENAME, target / DB_FILENAME)
    return target


def held_events(spec) -> tuple[list, list]:
    """(first deliveries, duplicate deliveries) of the held-back events, in sending order."""
    newest = spec.end_date
    first_day = max(spec.start_date, newest - timedelta(days=_HELD_REACH_DAYS))
    days = [first_day + timedelta(days=k) for k in range((newest - first_day).days + 1)]
    originals, duplicates = [], []
    for day, event in _deliveries(spec, days):
        if _held(event, day, newest):
            (duplicates if event.is_duplicate else originals).append(event)
    return originals, duplicates


def capture_held_events(spec, host: str, project_api_key: str, batch_size: int = 1000) -> int:
    """Send the held-back deliveries through the capture endpoint, originals first (a
    duplicate delivery always arrives after its original, in another batch)."""
    from posthog.request import batch_post

    from boardroom.demo.send_events import build_message, sdk_envelope

    envelope = sdk_envelope()
    sent = 0
    for group in held_events(spec):
        messages = [build_message(event, envelope) for event in group]
        for offset in range(0, len(messages), batch_size):
            batch = messages[offset : offset + batch_size]
            batch_post(project_api_key, host, gzip=False, timeout=60, batch=batch)
            sent += len(batch)
    return sent
