"""Reading PostHog events page by page: windows, HogQL with placeholders, keyset paging.

A *window* is a set of events named by bounds on ``timestamp`` (the client's event time)
and ``created_at`` (PostHog's ingestion time). Every window has a fixed upper bound on
``created_at`` (the run's start), so events ingested while a run pages through a window
cannot shift its pages; they are read by the next run.

Paging is keyset on ``(timestamp, toString(uuid))`` (PostHog refuses OFFSET for personal-key
queries and silently caps LIMIT at 50,000)::

    SELECT uuid, event, distinct_id, timestamp, created_at, properties FROM events
    WHERE timestamp >= {ts_from} AND timestamp < {ts_to} AND created_at < {created_to}
      AND (timestamp, toString(uuid)) >= ({after_ts}, {after_uuid})
    ORDER BY timestamp, toString(uuid) LIMIT {page_size}

Every value, the page size included, is bound through ``values``; none is formatted into the
query text. The cursor is the last row's ``timestamp`` string exactly as PostHog returned it
(no reformatting, so no precision is lost). A timestamp that did not parse comes back as the
client's raw text while PostHog sorts it as 1970-01-01 00:00:00 (parse-or-zero); such a value
cannot be bound as a DateTime, so the cursor then carries that zero instant instead.

The bound is ``>=``, not ``>``: copies of one event can share both its uuid and its
timestamp (a client re-sending it), and with ``>`` a copy landing just past a page boundary
would be skipped. The rows the previous page already ended on (same uuid, timestamp and
created_at) are skipped client-side, so each row is handed on once. A window ends with the
first page shorter than the page size.

Response bodies are parsed as a stream (:func:`iter_rows`): a page flows row by row to its
consumer (a COPY into Postgres) and is never held whole in memory.
"""

from __future__ import annotations

import codecs
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any, TypeVar

from boardroom.ingest.posthog_query import (
    MAX_PAGE_SIZE,
    PostHogQueryClient,
    PostHogQueryError,
    ResponseInterrupted,
)

T = TypeVar("T")

#: Columns selected, in order: every row is a list of these six values.
COLUMNS = ("uuid", "event", "distinct_id", "timestamp", "created_at", "properties")
#: The instant PostHog compares an unparseable timestamp as (ClickHouse parse-or-zero).
ZERO_TIMESTAMP = "1970-01-01 00:00:00"

Row = list[Any]


# windows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Events with ``timestamp`` in [timestamp_from, timestamp_to) and ``created_at`` in
    [created_from, created_to); a None bound is open."""

    label: str
    created_to: datetime
    timestamp_from: datetime | None = None
    timestamp_to: datetime | None = None
    created_from: datetime | None = None
    late_sweep: bool = False

    def describe(self) -> str:
        def show(value: datetime | None) -> str:
            return value.isoformat() if value else "…"

        return (
            f"{self.label}: timestamp [{show(self.timestamp_from)}, {show(self.timestamp_to)}), "
            f"created_at [{show(self.created_from)}, {show(self.created_to)})"
        )


def day_start(day: date) -> datetime:
    """00:00:00 UTC of a day."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def plan_windows(
    start: date,
    end: date,
    *,
    created_to: datetime,
    slices: int = 3,
    sweep_since: datetime | None = None,
    sweep: bool = True,
) -> list[Window]:
    """The windows of a pull of event days [start, end).

    The days themselves, whole (every event stamped in them and ingested before
    ``created_to``), split by time into ``slices`` windows paged in parallel; then, with
    ``sweep``, every event ingested in [sweep_since, created_to) stamped outside those days
    (before them: late events; after them: events of days not pulled yet), ``sweep_since``
    None meaning since the beginning.
    """
    if end <= start:
        raise ValueError(f"empty day range [{start}, {end})")
    lo, hi = day_start(start), day_start(end)
    slices = max(1, slices)
    step = (hi - lo) / slices
    # Whole seconds keep bounds readable; the last slice ends exactly at `hi`.
    bounds = [lo + timedelta(seconds=int((step * i).total_seconds())) for i in range(slices)]
    bounds = [*sorted(set(bounds)), hi]
    windows = [
        Window(
            label=f"days {start.isoformat()}..{end.isoformat()} slice {i + 1}/{len(bounds) - 1}",
            created_to=created_to,
            timestamp_from=a,
            timestamp_to=b,
        )
        for i, (a, b) in enumerate(pairwise(bounds))
    ]
    if sweep:
        windows.append(
            Window(
                label="late sweep (stamped before the days)",
                created_to=created_to,
                timestamp_to=lo,
                created_from=sweep_since,
                late_sweep=True,
            )
        )
        windows.append(
            Window(
                label="sweep (stamped after the days)",
                created_to=created_to,
                timestamp_from=hi,
                created_from=sweep_since,
                late_sweep=True,
            )
        )
    return windows


def hogql_datetime(value: datetime) -> str:
    """A UTC instant as a HogQL DateTime string ('2026-11-01 00:00:00.000000')."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def cursor_timestamp(returned: str) -> str:
    """The keyset value for a returned timestamp: itself, or the zero instant if unparseable."""
    if isinstance(returned, str):
        try:
            datetime.fromisoformat(returned)
        except ValueError:
            return ZERO_TIMESTAMP
        return returned
    return ZERO_TIMESTAMP


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the last row's (timestamp, uuid) as returned."""

    timestamp: str
    uuid: str
    #: (uuid, timestamp, created_at) of the rows the previous page ended on, skipped if re-read
    tail: frozenset[tuple[str, str, str]] = frozenset()
    strict: bool = False  # use ">" (a whole page sat on one key: no progress with ">=")


def build_query(window: Window, cursor: Cursor | None, page_size: int) -> tuple[str, dict]:
    """HogQL text and its ``values`` for one page of a window."""
    conditions: list[str] = []
    values: dict[str, Any] = {}
    if window.timestamp_from is not None:
        conditions.append("timestamp >= {ts_from}")
        values["ts_from"] = hogql_datetime(window.timestamp_from)
    if window.timestamp_to is not None:
        conditions.append("timestamp < {ts_to}")
        values["ts_to"] = hogql_datetime(window.timestamp_to)
    if window.created_from is not None:
        conditions.append("created_at >= {created_from}")
        values["created_from"] = hogql_datetime(window.created_from)
    conditions.append("created_at < {created_to}")
    values["created_to"] = hogql_datetime(window.created_to)
    if cursor is not None:
        op = ">" if cursor.strict else ">="
        conditions.append(f"(timestamp, toString(uuid)) {op} ({{after_ts}}, {{after_uuid}})")
        values["after_ts"] = cursor_timestamp(cursor.timestamp)
        values["after_uuid"] = cursor.uuid
    values["page_size"] = int(page_size)
    query = (
        f"SELECT {', '.join(COLUMNS)} FROM events WHERE {' AND '.join(conditions)} "
        "ORDER BY timestamp, toString(uuid) LIMIT {page_size}"
    )
    return query, values


# streaming JSON -----------------------------------------------------------------------

_WS = frozenset(" \t\n\r")
_DECODER = json.JSONDecoder()


class ResponseFormatError(PostHogQueryError):
    """The body of a 200 answer is not the query response expected."""


class _TruncatedBody(ResponseInterrupted):
    """The body ended before the JSON did (a dropped connection); retried by the client."""


class _JsonStream:
    """Incremental reader of ``{"...": ..., "results": [row, row, ...], ...}``."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self.meta: dict[str, Any] = {}
        self.saw_results = False

    def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            text = self._utf8.decode(next(self._chunks))
        except StopIteration:
            self._eof = True
            text = self._utf8.decode(b"", True)
        self._buf = self._buf[self._pos :] + text
        self._pos = 0
        return True

    def _peek(self) -> str:
        while True:
            buf, pos = self._buf, self._pos
            n = len(buf)
            while pos < n and buf[pos] in _WS:
                pos += 1
            self._pos = pos
            if pos < n:
                return buf[pos]
            if not self._fill():
                raise _TruncatedBody("response body ended in the middle of the JSON")

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                raise _TruncatedBody(f"response body is not complete JSON ({exc})") from None
            if end >= len(self._buf) and not self._eof:  # a number may go on in the next chunk
                self._fill()
                continue
            self._pos = end
            return value

    def _take(self, expected: str) -> str:
        char = self._peek()
        if char not in expected:
            snippet = self._buf[self._pos : self._pos + 40]
            raise ResponseFormatError(f"unexpected JSON from PostHog near {snippet!r}")
        self._pos += 1
        return char

    def rows(self) -> Iterator[Any]:
        self._take("{")
        if self._peek() == "}":
            return
        while True:
            key = self._value()
            self._take(":")
            if key == "results" and self._peek() == "[":
                self.saw_results = True
                self._pos += 1
                if self._peek() == "]":
                    self._pos += 1
                else:
                    while True:
                        yield self._value()
                        if self._take(",]") == "]":
                            break
            else:
                self.meta[key] = self._value()
            if self._take(",}") == "}":
                return


def iter_rows(chunks: Iterable[bytes]) -> Iterator[Row]:
    """The rows of a query response body, parsed as the bytes arrive."""
    stream = _JsonStream(chunks)
    width = len(COLUMNS)
    for row in stream.rows():
        if not isinstance(row, list) or len(row) != width:
            raise ResponseFormatError(
                f"PostHog returned a row of an unexpected shape ({str(row)[:100]}); expected "
                f"the columns {', '.join(COLUMNS)}"
            )
        yield row
    if not stream.saw_results:
        error = stream.meta.get("error") or "no `results` in the response"
        raise ResponseFormatError(f"PostHog answered 200 without results: {error}")


# paging -------------------------------------------------------------------------------


@dataclass
class PageRead:
    """What the pager learned from one page (filled while its rows stream by)."""

    returned: int = 0  # rows PostHog returned
    skipped: int = 0  # re-read rows the previous page ended on
    first_key: tuple[str, str] | None = None
    last_key: tuple[str, str] | None = None
    tail: set[tuple[str, str, str]] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return self.returned - self.skipped


def _track(rows: Iterator[Row], read: PageRead, cursor: Cursor | None) -> Iterator[Row]:
    """Pass rows through, skipping re-read ones and noting the page's keys."""
    skip = cursor.tail if cursor is not None else frozenset()
    checking = bool(skip)
    last_key: tuple[str, str] | None = None
    tail = read.tail
    for row in rows:
        read.returned += 1
        key = (row[3], row[0])
        if key != last_key:
            if last_key is None:
                read.first_key = key
            last_key = key
            tail.clear()
        ident = (row[0], row[3], row[4])
        tail.add(ident)
        if checking:
            if ident in skip:
                read.skipped += 1
                continue
            if (cursor is not None) and key != (cursor.timestamp, cursor.uuid):
                checking = False
        yield row
    read.last_key = last_key


@dataclass
class WindowResult:
    pages: int = 0
    rows: int = 0
    returned: int = 0


class Stopped(Exception):
    """Another worker failed; this one stopped between pages."""


def pull_window(
    client: PostHogQueryClient,
    window: Window,
    handle_page: Callable[[Callable[[Callable[[Iterator[Row]], T]], T], Window], Any],
    *,
    page_size: int = MAX_PAGE_SIZE,
    stop: threading.Event | None = None,
) -> WindowResult:
    """Page through a window, handing each page to ``handle_page(fetch, window)``.

    ``fetch(consume)`` runs the page's query (with retries) and calls ``consume(rows)`` with
    the page's rows as they stream in; it returns what ``consume`` returns. ``consume`` may
    be called again on a retry and must start over each time. ``handle_page`` must call
    ``fetch`` exactly once.
    """
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    result = WindowResult()
    cursor: Cursor | None = None
    while True:
        if stop is not None and stop.is_set():
            raise Stopped(window.label)
        query, values = build_query(window, cursor, page_size)
        reads: list[PageRead] = []

        def fetch(
            consume: Callable[[Iterator[Row]], T],
            query: str = query,
            values: dict = values,
            reads: list[PageRead] = reads,
            cursor: Cursor | None = cursor,
        ) -> T:
            def attempt(chunks: Iterator[bytes]) -> T:
                read = PageRead()
                reads.append(read)
                return consume(_track(iter_rows(chunks), read, cursor))

            return client.stream(query, values, attempt, name="boardroom-events")

        handle_page(fetch, window)
        if not reads:
            raise RuntimeError("handle_page did not fetch its page")
        read = reads[-1]
        result.pages += 1
        result.rows += read.rows
        result.returned += read.returned
        if read.returned < page_size or read.last_key is None:
            return result
        no_progress = cursor is not None and read.first_key == read.last_key == (
            cursor.timestamp,
            cursor.uuid,
        )
        cursor = Cursor(
            timestamp=read.last_key[0],
            uuid=read.last_key[1],
            tail=frozenset(read.tail),
            strict=no_progress,
        )
