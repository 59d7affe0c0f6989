"""Loading pages of PostHog events into ``raw.posthog_events``, idempotently, in SQL.

Per page, in one transaction (so a run killed half-way leaves whole pages only):

1. The page's rows are COPYed, as they stream from PostHog, into a temporary staging table
   of text columns (``pg_temp.posthog_stage``, emptied at commit). The COPY runs in a
   savepoint: if the connection to PostHog drops mid-page, the savepoint is rolled back and
   the page is read again.
2. One set-based statement (:data:`MERGE_SQL`) parses and classifies the page and writes it:

   - duplicates within the page collapse to the first received copy (earliest
     ``created_at``, then arrival order);
   - each remaining event gets the first failing reason, in this order: ``missing_tenant``
     (no, empty or non-scalar ``$groups.tenant``, or properties that are not a JSON
     object), ``unknown_tenant`` (not in ``raw.app_tenants``), ``unparseable_timestamp``
     (see ``raw.posthog_timestamp``), ``wrong_type:<property>`` (``raw.posthog_wrong_type``,
     the catalogue of PRODUCT.md); events outside the catalogue are kept as they are;
   - the copy is compared with the copy already stored for its uuid, in either table: the
     earlier ``created_at`` wins (first received wins); on a tie the stored copy stays,
     except that a quarantined copy is re-classified (so an event quarantined as
     ``unknown_tenant`` is released once its tenant exists);
   - a winning valid event is upserted into ``raw.posthog_events`` (``ON CONFLICT (uuid) DO
     UPDATE ... WHERE excluded.created_at < posthog_events.created_at``) and its quarantined
     copies deleted; a winning malformed one is upserted into
     ``raw.posthog_events_quarantine`` and replaces a later stored copy.

   A re-read of rows already loaded writes nothing: re-running any partition leaves both
   tables identical, ``_loaded_at`` included.

After all pages, :meth:`PageLoader.recheck_quarantine` re-checks ``unknown_tenant`` events
against ``raw.app_tenants`` (the same statement, fed from the quarantine), and
:meth:`PageLoader.reconcile` settles the rare uuid that two parallel workers wrote to both
tables at once (the earlier copy stays; the valid one on a tie).

Stored copies are found with an index probe per event (``raw.posthog_events``) and one
index scan per page (the quarantine), so a page costs the same whatever the table's size.

``properties`` are cast to jsonb directly (fast); only when that fails for some row is the
page re-run with ``raw.posthog_jsonb``, which turns non-JSON into NULL (then quarantined as
``missing_tenant`` with the text kept as a JSON string).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import errors as pg_errors

from boardroom.ingest.event_pull import Row

log = logging.getLogger(__name__)

SCHEMA_SQL = (Path(__file__).with_name("raw_events_schema.sql")).read_text()
RAW_APP_SCHEMA_SQL = (Path(__file__).with_name("raw_app_schema.sql")).read_text()
_SCHEMA_LOCK = 0x0B0A_4D01  # pg_advisory_xact_lock key for schema creation

STAGE_DDL = """
CREATE TEMP TABLE IF NOT EXISTS posthog_stage (
    seq integer NOT NULL,
    uuid text,
    event text,
    distinct_id text,
    ts text,
    created_at text,
    properties text
) ON COMMIT DELETE ROWS
"""
COPY_SQL = (
    "COPY pg_temp.posthog_stage (seq, uuid, event, distinct_id, ts, created_at, properties) "
    "FROM STDIN"
)

# {props}: the expression turning staged text into jsonb (a cast, or the safe function).
MERGE_SQL = """
WITH parsed AS (
    SELECT s.seq, s.uuid::uuid AS uuid, s.event, s.distinct_id, s.ts AS raw_ts,
           raw.posthog_timestamp(s.ts) AS ts, s.created_at::timestamptz AS created_at,
           {props} AS props, s.properties AS props_text
    FROM pg_temp.posthog_stage s
),
winners AS (
    SELECT DISTINCT ON (uuid) * FROM parsed ORDER BY uuid, created_at, seq
),
classified AS (
    SELECT w.*, t.tenant_id,
           CASE
               WHEN t.tenant_id IS NULL THEN 'missing_tenant'
               WHEN a.tenant_id IS NULL THEN 'unknown_tenant'
               WHEN w.ts IS NULL THEN 'unparseable_timestamp'
               ELSE raw.posthog_wrong_type(w.event, w.props)
           END AS reason
    FROM winners w
    CROSS JOIN LATERAL (
        SELECT CASE WHEN jsonb_typeof(w.props) = 'object' THEN raw.posthog_tenant(w.props) END
            AS tenant_id
    ) t
    LEFT JOIN raw.app_tenants a ON a.tenant_id = t.tenant_id
),
stored_q AS (  -- quarantined copies of this page's events: one index scan for the page
    SELECT DISTINCT ON (q.uuid) q.uuid, q.created_at, q.reason
    FROM raw.posthog_events_quarantine q
    WHERE q.uuid = ANY (ARRAY(SELECT lower(s.uuid) FROM pg_temp.posthog_stage s))
    ORDER BY q.uuid, q.created_at, q.reason
),
decided AS MATERIALIZED (
    SELECT c.*, e.created_at AS e_created_at, e.timestamp AS e_ts,
           q.created_at AS q_created_at, q.reason AS q_reason,
           (e.created_at IS NULL OR c.created_at < e.created_at)
           AND (q.created_at IS NULL OR c.created_at < q.created_at
                OR (c.created_at = q.created_at AND c.reason IS DISTINCT FROM q.reason))
               AS wins
    FROM classified c
    LEFT JOIN LATERAL (  -- the stored copy: an index probe per event (OFFSET 0 keeps it so)
        SELECT e.created_at, e.timestamp FROM raw.posthog_events e WHERE e.uuid = c.uuid OFFSET 0
    ) e ON true
    LEFT JOIN stored_q q ON q.uuid = c.uuid::text
),
ins_e AS (  -- new events, and earlier copies of stored ones (first received wins)
    INSERT INTO raw.posthog_events AS e
        (uuid, event, distinct_id, tenant_id, timestamp, created_at, properties, _loaded_at)
    SELECT uuid, event, distinct_id, tenant_id, ts, created_at, props, now()
    FROM decided WHERE wins AND reason IS NULL
    ON CONFLICT (uuid) DO UPDATE SET
        event = excluded.event, distinct_id = excluded.distinct_id,
        tenant_id = excluded.tenant_id, timestamp = excluded.timestamp,
        created_at = excluded.created_at, properties = excluded.properties,
        _loaded_at = excluded._loaded_at
    WHERE excluded.created_at < e.created_at
    RETURNING e.timestamp
),
del_e AS (
    DELETE FROM raw.posthog_events e
    WHERE e.uuid = ANY (ARRAY(
        SELECT uuid FROM decided WHERE wins AND reason IS NOT NULL AND e_created_at IS NOT NULL
    ))
    RETURNING e.timestamp
),
ins_q AS (
    INSERT INTO raw.posthog_events_quarantine AS q
        (uuid, event, distinct_id, tenant_id, raw_timestamp, created_at, properties, reason,
         _loaded_at)
    SELECT uuid::text, event, distinct_id, tenant_id, raw_ts, created_at,
           coalesce(props, to_jsonb(props_text)), reason, now()
    FROM decided WHERE wins AND reason IS NOT NULL
    ON CONFLICT (uuid, reason) DO UPDATE SET
        event = excluded.event, distinct_id = excluded.distinct_id,
        tenant_id = excluded.tenant_id, raw_timestamp = excluded.raw_timestamp,
        created_at = excluded.created_at, properties = excluded.properties,
        _loaded_at = excluded._loaded_at
    WHERE excluded.created_at < q.created_at
    RETURNING q.reason
),
del_q AS (
    DELETE FROM raw.posthog_events_quarantine q
    USING (
        SELECT uuid::text AS uuid, reason FROM decided WHERE wins AND q_created_at IS NOT NULL
    ) d
    WHERE q.uuid = d.uuid AND q.reason IS DISTINCT FROM d.reason
    RETURNING q.reason
),
summary AS (
    SELECT count(*) AS distinct_uuids,
           count(*) FILTER (WHERE NOT wins AND (created_at = e_created_at
                                                OR created_at = q_created_at)) AS already,
           count(*) FILTER (WHERE wins AND reason IS NULL AND q_created_at IS NOT NULL)
               AS released,
           max(ts) FILTER (WHERE reason IS NULL AND ts <= %(newest_bound)s) AS newest
    FROM decided
),
written AS (
    SELECT count(*) AS loaded, count(*) FILTER (WHERE timestamp < %(late_before)s) AS late
    FROM ins_e
)
SELECT
    s.distinct_uuids,
    s.already,
    w.loaded,
    (SELECT count(*) FROM del_e) AS removed,
    (SELECT coalesce(jsonb_object_agg(reason, n), '{{}}'::jsonb)
       FROM (SELECT reason, count(*) AS n FROM ins_q GROUP BY reason) r) AS quarantined,
    (SELECT count(*) FROM del_q) AS unquarantined,
    s.released,
    (SELECT coalesce(array_agg(day ORDER BY day), '{{}}'::date[]) FROM (
        SELECT (timestamp AT TIME ZONE 'UTC')::date AS day FROM ins_e
        UNION SELECT (timestamp AT TIME ZONE 'UTC')::date FROM del_e
        UNION SELECT (e_ts AT TIME ZONE 'UTC')::date FROM decided
              WHERE wins AND e_ts IS NOT NULL
    ) days) AS days,
    w.late,
    s.newest
FROM summary s, written w
"""

_NOT_JSON = (
    pg_errors.InvalidTextRepresentation,
    pg_errors.UntranslatableCharacter,
    pg_errors.InvalidParameterValue,
    pg_errors.CharacterNotInRepertoire,
)
#: Two workers writing the same uuids in opposite orders can deadlock: the merge runs again.
_CONCURRENT = (
    pg_errors.UniqueViolation,
    pg_errors.DeadlockDetected,
    pg_errors.SerializationFailure,
)
_MERGE_ATTEMPTS = 5

FAST_PROPS = "s.properties::jsonb"
SAFE_PROPS = "raw.posthog_jsonb(s.properties)"

RECHECK_SQL = """
INSERT INTO pg_temp.posthog_stage (seq, uuid, event, distinct_id, ts, created_at, properties)
SELECT row_number() OVER (ORDER BY q.uuid), q.uuid, q.event, q.distinct_id, q.raw_timestamp,
       q.created_at::text, q.properties::text
FROM raw.posthog_events_quarantine q
JOIN raw.app_tenants a ON a.tenant_id = q.tenant_id
WHERE q.reason = 'unknown_tenant'
"""

RECONCILE_SQL = (
    # A uuid both loaded and quarantined (two workers at once): the earlier copy stays, the
    # valid one on a tie.
    """
    DELETE FROM raw.posthog_events e
    USING raw.posthog_events_quarantine q
    WHERE e.uuid = q.uuid::uuid AND q.created_at < e.created_at
    RETURNING (e.timestamp AT TIME ZONE 'UTC')::date
    """,
    """
    DELETE FROM raw.posthog_events_quarantine q
    USING raw.posthog_events e
    WHERE e.uuid = q.uuid::uuid AND e.created_at <= q.created_at
    RETURNING NULL::date
    """,
    # One uuid quarantined under several reasons: the earliest copy stays.
    """
    DELETE FROM raw.posthog_events_quarantine q
    USING raw.posthog_events_quarantine other
    WHERE other.uuid = q.uuid AND (other.created_at, other.reason) < (q.created_at, q.reason)
    RETURNING NULL::date
    """,
)


@dataclass
class PageResult:
    """What one merge changed (also used to sum over a run)."""

    received: int = 0
    distinct_uuids: int = 0
    already_loaded: int = 0
    loaded: int = 0
    removed: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    unquarantined: int = 0  # quarantine rows replaced or released
    released: int = 0  # events moved from quarantine to raw.posthog_events
    days: set[date] = field(default_factory=set)
    late: int = 0
    newest: datetime | None = None
    seconds: float = 0.0

    @property
    def duplicates_collapsed(self) -> int:
        """Copies that lost to another copy of their event (in the page or stored)."""
        written = self.loaded + sum(self.quarantined.values())
        in_page = self.received - self.distinct_uuids
        lost = max(0, self.distinct_uuids - self.already_loaded - written)
        return in_page + lost

    def add(self, other: PageResult) -> None:
        self.received += other.received
        self.distinct_uuids += other.distinct_uuids
        self.already_loaded += other.already_loaded
        self.loaded += other.loaded
        self.removed += other.removed
        for reason, count in other.quarantined.items():
            self.quarantined[reason] = self.quarantined.get(reason, 0) + count
        self.unquarantined += other.unquarantined
        self.released += other.released
        self.days |= other.days
        self.late += other.late
        if other.newest is not None and (self.newest is None or other.newest > self.newest):
            self.newest = other.newest
        self.seconds += other.seconds


def prepare_session(conn: psycopg.Connection) -> None:
    """Session settings and the staging table of a loader connection."""
    conn.execute("SET TIME ZONE 'UTC'")
    conn.execute("SET work_mem = '64MB'")  # a page's sorts and CTEs stay in memory
    conn.execute(STAGE_DDL)
    conn.commit()


def ensure_schema(conn: psycopg.Connection) -> None:
    """Create the raw event tables and helpers (and ``raw.app_*`` if the warehouse is new)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        if conn.execute("SELECT to_regclass('raw.app_tenants')").fetchone()[0] is None:
            conn.execute(RAW_APP_SCHEMA_SQL)
        conn.execute(SCHEMA_SQL)


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        value = (
            json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
        )
    if "\x00" in value:  # Postgres text cannot hold NUL
        value = value.replace("\x00", "\ufffd")
    return value


class PageLoader:
    """Loads pages through one connection (one per worker thread)."""

    def __init__(self, conn: psycopg.Connection, *, late_before: datetime, newest_bound: datetime):
        self.conn = conn
        self.late_before = late_before
        self.newest_bound = newest_bound
        self.copy_seconds = 0.0

    def stage(self, rows: Iterator[Row]) -> int:
        """COPY rows into the staging table, in a savepoint (undone if the stream fails)."""
        started = time.perf_counter()
        count = 0
        clean = _clean
        with self.conn.transaction(), self.conn.cursor() as cur, cur.copy(COPY_SQL) as copy:
            write = copy.write_row
            for count, row in enumerate(rows, start=1):
                uuid_, event, distinct_id, ts, created_at, props = row
                if not (
                    type(event) is str
                    and type(ts) is str
                    and type(props) is str
                    and type(distinct_id) is str
                    and "\x00" not in props
                    and "\x00" not in event
                    and "\x00" not in distinct_id
                    and "\x00" not in ts
                ):
                    event, ts, props = clean(event), clean(ts), clean(props)
                    distinct_id = clean(distinct_id)
                write((count, uuid_, event, distinct_id, ts, created_at, props))
        self.copy_seconds += time.perf_counter() - started
        return count

    def merge(self, received: int) -> PageResult:
        """Classify and write the ``received`` staged rows (inside the caller's transaction)."""
        started = time.perf_counter()
        params = {"late_before": self.late_before, "newest_bound": self.newest_bound}
        props = FAST_PROPS
        for attempt in range(1, _MERGE_ATTEMPTS + 1):
            try:
                with self.conn.transaction():  # a savepoint: the staged rows survive a retry
                    row = self._run(props, params)
                break
            except _NOT_JSON:
                if props == SAFE_PROPS:
                    raise
                log.info("a page holds properties that are not JSON; classifying row by row")
                props = SAFE_PROPS
            except _CONCURRENT as exc:
                if attempt == _MERGE_ATTEMPTS:
                    raise
                log.info("page merge met a parallel worker (%s); merging again", type(exc).__name__)
                time.sleep(0.05 * attempt)
        result = PageResult(
            received=received,
            distinct_uuids=row[0],
            already_loaded=row[1],
            loaded=row[2],
            removed=row[3],
            quarantined={k: int(v) for k, v in (row[4] or {}).items()},
            unquarantined=row[5],
            released=row[6],
            days=set(row[7] or ()),
            late=row[8],
            newest=row[9],
        )
        result.seconds = time.perf_counter() - started
        return result

    def _run(self, props: str, params: dict[str, Any]) -> tuple:
        return self.conn.execute(MERGE_SQL.format(props=props), params).fetchone()

    def recheck_quarantine(self) -> PageResult:
        """Re-classify ``unknown_tenant`` events whose tenant now exists (own transaction)."""
        with self.conn.transaction():
            staged = self.conn.execute(RECHECK_SQL).rowcount
            if not staged:
                return PageResult()
            result = self.merge(staged)
        log.info("re-checked %d quarantined unknown_tenant events", staged)
        return result

    def reconcile(self) -> PageResult:
        """Resolve uuids written to both tables (or twice to quarantine) by parallel workers."""
        result = PageResult()
        with self.conn.transaction():
            first = True
            for statement in RECONCILE_SQL:
                rows = self.conn.execute(statement).fetchall()
                if first:
                    result.removed = len(rows)
                    result.days = {r[0] for r in rows}
                    first = False
        return result


# watermark ----------------------------------------------------------------------------


def read_watermark(conn: psycopg.Connection, stream: str) -> datetime | None:
    row = conn.execute(
        "SELECT watermark FROM raw.ingest_state WHERE stream = %s", (stream,)
    ).fetchone()
    conn.commit()
    return row[0] if row else None


def adopt_port_keyed_watermarks(conn: psycopg.Connection, stream: str, project_id: int) -> int:
    """Fold the watermarks an earlier version kept per loopback address and port into
    ``stream`` (the latest wins: each stand-in served the same store). Without this, the
    oldest of them would hold the events' ``data_as_of`` back for good. Returns rows folded."""
    pattern = rf"^posthog_events:https?://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/projects/{int(project_id)}$"
    with conn.transaction():
        row = conn.execute(
            """
            WITH folded AS (
                DELETE FROM raw.ingest_state WHERE stream ~ %s RETURNING watermark
            )
            SELECT count(*), max(watermark) FROM folded
            """,
            (pattern,),
        ).fetchone()
        if row[0]:
            conn.execute(
                """
                INSERT INTO raw.ingest_state AS s (stream, watermark, updated_at)
                VALUES (%s, %s, now())
                ON CONFLICT (stream) DO UPDATE SET
                    watermark = greatest(s.watermark, excluded.watermark)
                """,
                (stream, row[1]),
            )
    return int(row[0])


def write_watermark(
    conn: psycopg.Connection, stream: str, watermark: datetime, details: dict[str, Any]
) -> None:
    """Advance (never move back) the stream's watermark."""
    with conn.transaction():
        conn.execute(
            """
            INSERT INTO raw.ingest_state AS s (stream, watermark, updated_at, details)
            VALUES (%s, %s, now(), %s::jsonb)
            ON CONFLICT (stream) DO UPDATE SET
                watermark = greatest(s.watermark, excluded.watermark),
                updated_at = excluded.updated_at,
                details = excluded.details
            """,
            (stream, watermark.astimezone(UTC), json.dumps(details, default=str)),
        )
