"""Durable event storage for the stand-in: one SQLite file in WAL mode.

Rows keep what PostHog's ``events`` table would hold, plus the keys that make keyset
pagination cheap:

- ``ts_key``: the client timestamp as UTC microseconds (0 when it does not parse, like
  ClickHouse's ``parseDateTime64BestEffortOrZero``), indexed with ``uuid`` so
  ``ORDER BY timestamp, toString(uuid)`` with a ``(timestamp, toString(uuid)) > (...)``
  bound walks the index instead of sorting.
- ``ts_ok``: 1 when the client timestamp parsed (or was absent and ingestion time stood in).
  The ``timestamp`` column then returns PostHog's rendering of ``ts_key``; otherwise it
  returns the raw text, so a quarantine downstream can see what was sent.
- ``ts_raw``: the client ``timestamp`` exactly as sent (NULL when absent).
- ``created_at``: ingestion time in UTC microseconds, indexed for ingestion-time windows.

One writer connection (serialised by a lock) commits each capture request before it is
acknowledged; a small pool of read-only connections serves queries (WAL: reads never block
the writer, and see committed batches only).
"""

from __future__ import annotations

import logging
import queue
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

DB_FILENAME = "events.sqlite3"
SCHEMA_VERSION = 1
MAX_GROUP_TYPES = 5
#: PostHog numbers a project's group types in order of first use; Boardroom's is `tenant`.
DEFAULT_GROUP_TYPES = ("tenant",)

#: One stored event, in column order of :data:`INSERT_SQL`.
EventRow = tuple[str, str, str, int, int, str | None, int, str, str, str, str, str, str]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL,
    event TEXT NOT NULL,
    distinct_id TEXT NOT NULL,
    ts_key INTEGER NOT NULL,
    ts_ok INTEGER NOT NULL,
    ts_raw TEXT,
    created_at INTEGER NOT NULL,
    properties TEXT NOT NULL,
    g0 TEXT NOT NULL DEFAULT '',
    g1 TEXT NOT NULL DEFAULT '',
    g2 TEXT NOT NULL DEFAULT '',
    g3 TEXT NOT NULL DEFAULT '',
    g4 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_ts_uuid ON events (ts_key, uuid);
CREATE INDEX IF NOT EXISTS events_created_at ON events (created_at);
CREATE TABLE IF NOT EXISTS group_types (
    group_type TEXT PRIMARY KEY,
    group_type_index INTEGER NOT NULL UNIQUE
);
"""

INSERT_SQL = (
    "INSERT INTO events (uuid, event, distinct_id, ts_key, ts_ok, ts_raw, created_at, "
    "properties, g0, g1, g2, g3, g4) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

_READERS = 8
_SURROGATES = re.compile("[\ud800-\udfff]")


class EventStore:
    """The stand-in's events table. Thread-safe; open with :meth:`open`, end with :meth:`close`."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / DB_FILENAME
        self._write_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        self._readers: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._all_readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._group_types: dict[str, int] = {}
        self._count = 0

    # lifecycle -------------------------------------------------------------------------

    def open(self) -> EventStore:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writer = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA synchronous=NORMAL")
        writer.execute("PRAGMA temp_store=MEMORY")
        writer.execute("PRAGMA cache_size=-65536")
        writer.execute("PRAGMA wal_autocheckpoint=10000")
        version = writer.execute("PRAGMA user_version").fetchone()[0]
        has_tables = writer.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if has_tables and version != SCHEMA_VERSION:
            writer.close()
            raise RuntimeError(
                f"{self.path} holds events in layout {version}, this stand-in reads layout "
                f"{SCHEMA_VERSION}: move the folder away (or delete it) and capture again"
            )
        writer.executescript(_SCHEMA)
        writer.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._writer = writer
        self._group_types = dict(
            writer.execute("SELECT group_type, group_type_index FROM group_types")
        )
        for name in DEFAULT_GROUP_TYPES:
            self.group_type_index(name)
        self._count = writer.execute("SELECT count(*) FROM events").fetchone()[0]
        log.debug("opened %s with %d events", self.path, self._count)
        return self

    def close(self) -> None:
        with self._write_lock:
            if self._writer is not None:
                try:
                    self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:  # pragma: no cover - best effort on shutdown
                    log.warning("WAL checkpoint on close failed", exc_info=True)
                self._writer.close()
                self._writer = None
        with self._readers_lock:
            for conn in self._all_readers:
                conn.close()
            self._all_readers.clear()
            self._readers = queue.LifoQueue()

    @property
    def is_open(self) -> bool:
        return self._writer is not None

    # writing ---------------------------------------------------------------------------

    @property
    def count(self) -> int:
        """Events stored (kept in memory, so reading it costs nothing)."""
        return self._count

    def group_type_index(self, group_type: str) -> int | None:
        """The project's index for a group type, assigned on first use (None past 5 types)."""
        index = self._group_types.get(group_type)
        if index is not None or len(self._group_types) >= MAX_GROUP_TYPES:
            return index
        with self._write_lock:
            index = self._group_types.get(group_type)
            if index is None and len(self._group_types) < MAX_GROUP_TYPES:
                index = len(self._group_types)
                self._conn().execute(
                    "INSERT INTO group_types (group_type, group_type_index) VALUES (?, ?)",
                    (group_type, index),
                )
                self._group_types[group_type] = index
            return index

    def insert(self, rows: Sequence[EventRow]) -> int:
        """Store rows in one transaction; returns how many were written."""
        if not rows:
            return 0
        with self._write_lock:
            conn = self._conn()
            try:
                self._insert(conn, rows)
            except UnicodeEncodeError:
                # A lone surrogate (a valid JSON escape, invalid UTF-8) cannot be stored:
                # replace it with U+FFFD, as PostHog's capture does.
                self._insert(conn, [_clean(row) for row in rows])
        return len(rows)

    def _insert(self, conn: sqlite3.Connection, rows: Sequence[EventRow]) -> None:
        conn.execute("BEGIN")
        try:
            conn.executemany(INSERT_SQL, rows)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        self._count += len(rows)

    # reading ---------------------------------------------------------------------------

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection from the pool (WAL: it sees committed batches only)."""
        conn = self._take_reader()
        try:
            yield conn
        finally:
            self._readers.put(conn)

    def _take_reader(self) -> sqlite3.Connection:
        try:
            return self._readers.get_nowait()
        except queue.Empty:
            pass
        with self._readers_lock:
            if len(self._all_readers) < _READERS:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA query_only=ON")
                conn.execute("PRAGMA cache_size=-65536")
                self._all_readers.append(conn)
                return conn
        return self._readers.get()

    def _conn(self) -> sqlite3.Connection:
        if self._writer is None:
            raise RuntimeError("the event store is closed")
        return self._writer


def _clean(row: EventRow) -> EventRow:
    return tuple(  # type: ignore[return-value]
        _SURROGATES.sub("\ufffd", value) if isinstance(value, str) else value for value in row
    )
