"""Send the demo's events to a PostHog(-compatible) host through the real ``posthog`` SDK.

Why not ``Posthog.capture`` per event: the SDK's capture path re-reads the OS release for
every event (``system_context``), which caps it near 6k events/s on one core before any
HTTP work. So the SDK builds one probe event through its own ``capture`` path, we take
the keys it adds (``$lib``, ``$lib_version``, ``$geoip_disable``, system context, ...) and
assemble each message the same way, then post batches with the SDK's own
``posthog.request.batch_post`` (its JSON encoding, ``sent_at``, ``api_key``, gzip and
session), from a few threads. Batch boundaries are ours, which the demo needs: a
duplicate delivery must travel in a different batch from its original.

Order of delivery: on-time events, then their duplicate deliveries, then the late wave,
then its duplicates; each step waits for the previous one to be acknowledged, so the
original of a duplicated uuid is always received first.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import posthog
import requests
from posthog.request import APIError, batch_post

from boardroom.demo.events import WAVES, DemoEvent, Wave, day_events
from boardroom.demo.spec import DemoSpec
from boardroom.demo.summary import EventTally

_PROBE_TENANT = "probe-tenant"


class SendError(RuntimeError):
    """A batch could not be delivered (after retries where retrying makes sense)."""


@dataclass(frozen=True)
class SendReport:
    """What ``send_events`` delivered. Counts are deliveries (duplicates included)."""

    events_sent: int
    batches: int
    duplicates: int
    malformed: int
    late: int
    seconds: float
    tally: EventTally

    @property
    def events_per_second(self) -> float:
        return self.events_sent / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class SdkEnvelope:
    """The properties the posthog SDK adds to a captured event, around ``$groups``."""

    before_groups: dict[str, Any]
    after_groups: dict[str, Any]


def sdk_envelope() -> SdkEnvelope:
    """What the installed posthog SDK adds to every captured event, in its order.

    Taken from a probe event that the real client builds (and never sends), so it
    follows the installed SDK version rather than a hand-copied list.
    """
    probe: list[dict[str, Any]] = []

    def keep(msg: dict[str, Any]) -> None:
        probe.append(msg)
        return None  # drop it: nothing leaves the process

    client = posthog.Posthog(
        "phc_probe",
        host="http://127.0.0.1:9",
        send=False,
        disable_geoip=True,
        before_send=keep,
        enable_exception_autocapture=False,
    )
    try:
        client.capture(
            "probe", distinct_id="probe", properties={"probe": 1}, groups={"tenant": _PROBE_TENANT}
        )
    finally:
        client.shutdown()
    keys = [k for k in probe[0]["properties"] if k != "probe"]
    values = probe[0]["properties"]
    split = keys.index("$groups")
    return SdkEnvelope(
        before_groups={k: values[k] for k in keys[:split]},
        after_groups={k: values[k] for k in keys[split + 1 :]},
    )


def build_message(event: DemoEvent, envelope: SdkEnvelope) -> dict[str, Any]:
    """The wire message the SDK's ``capture`` would produce for ``event``.

    Unparseable timestamps stay the raw string (the SDK would replace them with "now").
    """
    properties = {**event.properties, **envelope.before_groups}
    if event.tenant is not None:
        properties["$groups"] = {"tenant": event.tenant}
    properties.update(envelope.after_groups)
    ts = event.timestamp
    return {
        "properties": properties,
        "timestamp": ts.isoformat() if isinstance(ts, datetime) else ts,
        "distinct_id": event.distinct_id,
        "event": event.event,
        "uuid": event.uuid,
    }


def _post(api_key: str, host: str, batch: list[dict[str, Any]], gzip: bool, retries: int) -> None:
    """One batch through the SDK's ``batch_post``; retries like the SDK's consumer does."""
    for attempt in range(retries + 1):
        try:
            batch_post(api_key, host, gzip=gzip, timeout=30, batch=batch)
            return
        except APIError as exc:
            retryable = not (
                isinstance(exc.status, int)
                and 400 <= exc.status < 500
                and exc.status not in (408, 429)
            )
            if not retryable or attempt == retries:
                raise SendError(f"PostHog capture at {host} refused a batch: {exc}") from exc
            delay = exc.retry_after or 0.5 * 2**attempt
        except requests.RequestException as exc:
            if attempt == retries:
                raise SendError(f"cannot reach PostHog capture at {host}: {exc}") from exc
            delay = 0.5 * 2**attempt
        time.sleep(min(delay, 30.0))


class _Sender:
    """Posts batches from a thread pool, keeping a bounded number in flight."""

    def __init__(
        self, api_key: str, host: str, *, batch_size: int, workers: int, gzip: bool, retries: int
    ) -> None:
        self._target = (api_key, host, gzip, retries)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-send")
        self._in_flight: deque[Future[None]] = deque()
        self._max_in_flight = workers * 2
        self._buffer: list[dict[str, Any]] = []
        self.batch_size = batch_size
        self.batches = 0
        self.events = 0

    def add(self, message: dict[str, Any]) -> None:
        self._buffer.append(message)
        if len(self._buffer) >= self.batch_size:
            self._submit()

    def _submit(self) -> None:
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        while len(self._in_flight) >= self._max_in_flight:
            self._in_flight.popleft().result()
        api_key, host, gzip, retries = self._target
        self._in_flight.append(self._pool.submit(_post, api_key, host, batch, gzip, retries))
        self.batches += 1
        self.events += len(batch)

    def drain(self) -> None:
        """Send what is buffered and wait until every batch is acknowledged."""
        self._submit()
        while self._in_flight:
            self._in_flight.popleft().result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield lambda events: None
        return
    from rich import progress as rp

    columns = (
        rp.TextColumn("[bold]sending demo events"),
        rp.BarColumn(),
        rp.MofNCompleteColumn(),
        rp.TextColumn("days · {task.fields[events]:,} events"),
        rp.TimeElapsedColumn(),
    )
    with rp.Progress(*columns) as progress:
        task = progress.add_task("send", total=total, events=0)
        yield lambda events: progress.update(task, advance=1, events=events)


def send_events(
    spec: DemoSpec,
    host: str,
    project_api_key: str,
    *,
    wave: Wave | Literal["both"] = "both",
    progress: bool = True,
    batch_size: int = 1000,
    workers: int = 4,
    gzip: bool = False,
    retries: int = 3,
) -> SendReport:
    """Generate and send the events of ``spec`` (one wave or both) to ``host``.

    Only ``host`` is contacted. Raises :class:`SendError` if a batch cannot be delivered.
    """
    waves: tuple[Wave, ...] = WAVES if wave == "both" else (wave,)
    if any(w not in WAVES for w in waves):
        raise ValueError(f"wave must be 'on_time', 'late' or 'both'; got {wave!r}")
    envelope = sdk_envelope()
    tally = EventTally()
    malformed = 0
    # Steps of (wave, duplicate deliveries?). The first streams; the others are held back
    # until the step before them is acknowledged (they are small: a few % of events).
    steps = [(w, dup) for w in waves for dup in (False, True)]
    later: dict[tuple[Wave, bool], list[DemoEvent]] = {step: [] for step in steps[1:]}
    started = time.perf_counter()
    sender = _Sender(
        project_api_key, host, batch_size=batch_size, workers=workers, gzip=gzip, retries=retries
    )
    try:
        with _progress(progress, spec.days) as advance:
            for day in spec.dates:
                for event in day_events(spec, day):
                    if event.wave not in waves:
                        continue
                    tally.add(event)
                    malformed += event.is_malformed
                    step = (event.wave, event.is_duplicate)
                    if step == steps[0]:
                        sender.add(build_message(event, envelope))
                    else:
                        later[step].append(event)
                advance(sender.events)
            for step in steps[1:]:
                sender.drain()
                for event in later.pop(step):
                    sender.add(build_message(event, envelope))
            sender.drain()
    finally:
        sender.close()
    return SendReport(
        events_sent=sender.events,
        batches=sender.batches,
        duplicates=tally.duplicates,
        malformed=malformed,
        late=tally.late,
        seconds=time.perf_counter() - started,
        tally=tally,
    )
