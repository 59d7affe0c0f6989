"""Operational tables (schema ``app``) into their warehouse mirrors ``raw.app_<table>``.

The application database and the warehouse are separate databases, possibly on separate
servers, so rows travel through this process as binary ``COPY`` streams, block by block:
memory stays bounded whatever the table size, and values (numeric scale, time zones, text
in any script) arrive byte-exact.

One call of :func:`extract_app_tables`:

1. Opens one warehouse transaction, creates the mirrors if missing
   (``raw_app_schema.sql``) and takes an advisory lock, so concurrent extractions (say a
   backfill and the schedule) are applied one after the other, in snapshot order.
2. Opens ONE ``REPEATABLE READ READ ONLY`` transaction on the source and reads every table
   from that single snapshot: a change committed while the extraction runs is either
   wholly visible (it committed before the snapshot) or not at all. For each table:

   * rows: ``COPY (SELECT ...) TO STDOUT`` into a temporary stage table. Incremental mode
     reads rows whose ``updated_at`` is at or after the mirror's newest ``updated_at``
     minus an overlap (rows with a NULL ``updated_at`` are always read); full refresh, or
     an empty mirror, reads every row.
   * keys: every primary key of the source table (incremental mode only; a full refresh
     has them in the stage already). Streaming keys is cheap (one narrow index-backed
     read) and is what lets deletes propagate: the source keeps no tombstones.
   * recovery: a key present in the source but in neither the mirror nor the stage is a
     row the ``updated_at`` filter missed (a transaction that committed after an earlier
     extraction with an older ``updated_at``); it is fetched by key, from the same
     snapshot.

   The source transaction then ends, so the snapshot is held only while copying.
3. Merges each stage: ``INSERT ... ON CONFLICT (pk) DO UPDATE`` (a row is rewritten only
   when a column changed; ``_extracted_at`` is the snapshot time), then deletes mirror
   rows whose key the source no longer has. Commits once: readers of ``raw`` see every
   mirror move from one source snapshot to the next together.

Re-running is idempotent. What incremental mode cannot see: an *update* whose
transaction commits later than the overlap after its ``updated_at`` was stamped (a very
long transaction). A full refresh repairs that, and anything else, in one run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.resources import files

import psycopg
from psycopg import sql

from boardroom.database import connect
from boardroom.sources.app_db import APP_TABLES

SOURCE_SCHEMA = "app"
RAW_SCHEMA = "raw"
MIRROR_PREFIX = "app_"
EXTRACTED_AT = "_extracted_at"
#: Rows whose ``updated_at`` lies within this margin below the mirror's newest one are
#: read again: commits stamped with the same (or a slightly earlier) time are not missed.
DEFAULT_OVERLAP = timedelta(hours=1)
#: Keys fetched per statement when recovering rows the ``updated_at`` filter missed.
RECOVERY_BATCH = 5_000
#: Serialises extractions into one warehouse (``pg_advisory_xact_lock`` key).
_LOCK_KEY = 0x626F617264_01  # "board" + 1


class ExtractionError(RuntimeError):
    """The source or the mirror is not what extraction expects; the message says what."""


@dataclass(frozen=True)
class TableReport:
    """What one extraction did to one mirror."""

    table: str
    mode: str  # "incremental" or "full" (full refresh, or a first load into an empty mirror)
    since: datetime | None  # lower bound on updated_at that was read; None in full mode
    rows_read: int  # rows streamed from the source (changed rows, plus the overlap)
    rows_upserted: int  # mirror rows inserted or changed
    rows_deleted: int  # mirror rows whose key the source no longer has
    rows_recovered: int  # rows the updated_at filter missed, fetched by key
    rows_in_source: int  # rows in the source table at the snapshot (= rows in the mirror)
    seconds: float
    watermark: datetime | None  # newest updated_at in the mirror afterwards
    snapshot_at: datetime  # source transaction time of the snapshot (the _extracted_at)

    @property
    def mirror(self) -> str:
        return f"{RAW_SCHEMA}.{mirror_table(self.table)}"


@dataclass(frozen=True)
class ExtractProgress:
    """A step of an extraction, for logs (``str()`` is the log line) and tests."""

    table: str | None
    step: str  # "lock", "snapshot", "rows", "keys", "recovered", "merged"
    message: str

    def __str__(self) -> str:
        return self.message if self.table is None else f"{self.table}: {self.message}"


ProgressCallback = Callable[[ExtractProgress], None]


@dataclass(frozen=True)
class _Column:
    name: str
    type: str  # format_type() of the mirror column, e.g. "numeric(14,2)"


@dataclass(frozen=True)
class _Plan:
    table: str
    columns: tuple[_Column, ...]  # mirror columns without _extracted_at, in order
    key: tuple[_Column, ...]

    @property
    def mirror(self) -> sql.Composable:
        return sql.Identifier(RAW_SCHEMA, mirror_table(self.table))

    @property
    def source(self) -> sql.Composable:
        return sql.Identifier(SOURCE_SCHEMA, self.table)

    @property
    def stage(self) -> sql.Composable:
        return sql.Identifier(f"_stage_{self.table}")

    @property
    def keys(self) -> sql.Composable:
        return sql.Identifier(f"_keys_{self.table}")


def mirror_table(table: str) -> str:
    """``deals`` -> ``app_deals`` (in schema ``raw``)."""
    return f"{MIRROR_PREFIX}{table}"


def raw_schema_sql() -> str:
    """The DDL of the mirrors (``raw.app_*``): the source columns plus ``_extracted_at``."""
    return files("boardroom.ingest").joinpath("raw_app_schema.sql").read_text(encoding="utf-8")


def create_raw_app_schema(conn: psycopg.Connection) -> None:
    """Create schema ``raw`` and the mirror tables if they do not exist (idempotent)."""
    conn.execute(raw_schema_sql())


def extract_app_tables(
    app_url: str,
    warehouse_url: str,
    *,
    full_refresh: bool = False,
    tables: Sequence[str] = APP_TABLES,
    progress: ProgressCallback | None = None,
    overlap: timedelta = DEFAULT_OVERLAP,
) -> dict[str, TableReport]:
    """Bring ``raw.app_<table>`` in line with ``app.<table>`` for each table, as of one
    source snapshot; see the module docstring. Returns a report per table, in order."""
    unknown = [t for t in tables if t not in APP_TABLES]
    if unknown:
        raise ExtractionError(
            f"Unknown operational table(s): {', '.join(unknown)}; "
            f"expected some of {', '.join(APP_TABLES)}."
        )
    tables = [t for t in APP_TABLES if t in set(tables)]  # contract order, no duplicates
    emit = progress or (lambda _event: None)

    with connect(warehouse_url, client_encoding="UTF8") as wh, wh.transaction():
        _lock(wh, emit)
        create_raw_app_schema(wh)
        plans = [_plan(wh, table) for table in tables]
        snapshot_at, staged = _stage_all(app_url, wh, plans, full_refresh, overlap, emit)
        return {
            plan.table: _merge(wh, plan, staged[plan.table], snapshot_at, emit) for plan in plans
        }


# --- steps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Staged:
    since: datetime | None
    rows_read: int
    rows_recovered: int
    rows_in_source: int
    keys_table: sql.Composable  # where the source's keys are (stage in full mode)
    seconds: float


def _lock(wh: psycopg.Connection, emit: ProgressCallback) -> None:
    row = wh.execute("SELECT pg_try_advisory_xact_lock(%s)", (_LOCK_KEY,)).fetchone()
    if row and row[0]:
        return
    emit(ExtractProgress(None, "lock", "another extraction is running; waiting for it"))
    wh.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))


def _stage_all(
    app_url: str,
    wh: psycopg.Connection,
    plans: Sequence[_Plan],
    full_refresh: bool,
    overlap: timedelta,
    emit: ProgressCallback,
) -> tuple[datetime, dict[str, _Staged]]:
    """Copy what each plan needs into warehouse temp tables, from ONE source snapshot."""
    staged: dict[str, _Staged] = {}
    with connect(app_url, client_encoding="UTF8") as app:
        app.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        app.read_only = True
        with app.transaction():
            # Our session must outlive any idle-in-transaction limit while the warehouse works.
            app.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            # The first query fixes the snapshot that every table is then read from.
            row = app.execute("SELECT now(), current_setting('transaction_isolation')").fetchone()
            assert row is not None
            snapshot_at, isolation = row
            emit(
                ExtractProgress(
                    None,
                    "snapshot",
                    f"source snapshot taken at {snapshot_at.isoformat()} ({isolation}, read only)",
                )
            )
            for plan in plans:
                _check_source(app, plan)
                staged[plan.table] = _stage(app, wh, plan, full_refresh, overlap, emit)
    return snapshot_at, staged


def _plan(wh: psycopg.Connection, table: str) -> _Plan:
    """Columns and key of the mirror, read from the warehouse catalog."""
    relation = f"{RAW_SCHEMA}.{mirror_table(table)}"
    columns = wh.execute(
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod)
        FROM pg_attribute a
        WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """,
        (sql.Identifier(RAW_SCHEMA, mirror_table(table)).as_string(wh),),
    ).fetchall()
    key = wh.execute(
        """
        SELECT a.attname
        FROM pg_index i
        JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = to_regclass(%s) AND i.indisprimary
        ORDER BY k.n
        """,
        (sql.Identifier(RAW_SCHEMA, mirror_table(table)).as_string(wh),),
    ).fetchall()
    if not columns or not key:
        raise ExtractionError(f"Mirror {relation} is missing or has no primary key.")
    cols = tuple(_Column(name, typ) for name, typ in columns if name != EXTRACTED_AT)
    by_name = {c.name: c for c in cols}
    if "updated_at" not in by_name:
        raise ExtractionError(f"Mirror {relation} has no updated_at column.")
    return _Plan(table, cols, tuple(by_name[name] for (name,) in key))


def _check_source(app: psycopg.Connection, plan: _Plan) -> None:
    found = {
        name
        for (name,) in app.execute(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = %s AND table_name = %s
            """,
            (SOURCE_SCHEMA, plan.table),
        )
    }
    if not found:
        raise ExtractionError(
            f"The source has no table {SOURCE_SCHEMA}.{plan.table} (or it is not readable); "
            "see boardroom/sources/app_schema.sql for the contract."
        )
    missing = [c.name for c in plan.columns if c.name not in found]
    if missing:
        raise ExtractionError(
            f"Source table {SOURCE_SCHEMA}.{plan.table} lacks column(s) {', '.join(missing)} "
            "that the contract (boardroom/sources/app_schema.sql) requires."
        )


def _select_list(plan: _Plan) -> sql.Composable:
    # Cast to the mirror's types: the binary COPY stream is then exactly what the stage
    # table expects, even when the source declares a compatible type (varchar for text).
    return sql.SQL(", ").join(
        sql.SQL("CAST({} AS {})").format(sql.Identifier(c.name), sql.SQL(c.type))
        for c in plan.columns
    )


def _names(columns: Iterable[_Column], prefix: str | None = None) -> sql.Composable:
    if prefix is None:
        return sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
    return sql.SQL(", ").join(sql.Identifier(prefix, c.name) for c in columns)


def _pipe(
    app: psycopg.Connection,
    wh: psycopg.Connection,
    select: sql.Composable,
    target: sql.Composable,
    params: Sequence[object] | None = None,
) -> int:
    """Stream ``select`` on the source into table ``target`` of the warehouse, binary,
    block by block (nothing is parsed here). Returns the number of rows copied."""
    with app.cursor() as src, wh.cursor() as dst:
        copy_out = sql.SQL("COPY ({}) TO STDOUT (FORMAT BINARY)").format(select)
        copy_in = sql.SQL("COPY {} FROM STDIN (FORMAT BINARY)").format(target)
        with src.copy(copy_out, params) as out, dst.copy(copy_in) as into:
            for block in out:
                into.write(block)
        return max(dst.rowcount, 0)


def _stage(
    app: psycopg.Connection,
    wh: psycopg.Connection,
    plan: _Plan,
    full_refresh: bool,
    overlap: timedelta,
    emit: ProgressCallback,
) -> _Staged:
    t0 = time.monotonic()
    since: datetime | None = None
    if not full_refresh:
        row = wh.execute(sql.SQL("SELECT max(updated_at) FROM {}").format(plan.mirror)).fetchone()
        newest = row[0] if row else None
        since = newest - overlap if newest is not None else None

    wh.execute(
        sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            plan.stage, _names(plan.columns), plan.mirror
        )
    )
    select = sql.SQL("SELECT {} FROM {}").format(_select_list(plan), plan.source)
    params: tuple[object, ...] | None = None
    if since is not None:
        select = sql.SQL("{} WHERE updated_at >= %s OR updated_at IS NULL").format(select)
        params = (since,)
    rows_read = _pipe(app, wh, select, plan.stage, params)
    wh.execute(sql.SQL("ANALYZE {}").format(plan.stage))
    emit(
        ExtractProgress(
            plan.table,
            "rows",
            f"read {rows_read} row(s) "
            + ("(full)" if since is None else f"updated since {since.isoformat()}"),
        )
    )

    if since is None:
        return _Staged(None, rows_read, 0, rows_read, plan.stage, time.monotonic() - t0)

    wh.execute(
        sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            plan.keys, _names(plan.key), plan.mirror
        )
    )
    key_select = sql.SQL("SELECT {} FROM {}").format(
        sql.SQL(", ").join(
            sql.SQL("CAST({} AS {})").format(sql.Identifier(c.name), sql.SQL(c.type))
            for c in plan.key
        ),
        plan.source,
    )
    rows_in_source = _pipe(app, wh, key_select, plan.keys)
    wh.execute(sql.SQL("ANALYZE {}").format(plan.keys))
    emit(ExtractProgress(plan.table, "keys", f"{rows_in_source} key(s) in the source"))

    recovered = _recover(app, wh, plan)
    if recovered:
        emit(
            ExtractProgress(
                plan.table,
                "recovered",
                f"recovered {recovered} row(s) the updated_at filter missed (late commits)",
            )
        )
    return _Staged(since, rows_read, recovered, rows_in_source, plan.keys, time.monotonic() - t0)


def _key_match(plan: _Plan, left: str, right: str) -> sql.Composable:
    return sql.SQL(" AND ").join(
        sql.SQL("{} = {}").format(sql.Identifier(left, c.name), sql.Identifier(right, c.name))
        for c in plan.key
    )


def _recover(app: psycopg.Connection, wh: psycopg.Connection, plan: _Plan) -> int:
    """Fetch, by key, source rows that neither the mirror nor the stage holds."""
    missing = sql.SQL(
        "SELECT {k} FROM {keys} k WHERE NOT EXISTS (SELECT 1 FROM {mirror} m WHERE {km})"
        " AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE {ks})"
    ).format(
        k=_names(plan.key, "k"),
        keys=plan.keys,
        mirror=plan.mirror,
        stage=plan.stage,
        km=_key_match(plan, "m", "k"),
        ks=_key_match(plan, "s", "k"),
    )
    key_tuple = sql.SQL("({})").format(_names(plan.key))
    unnest = sql.SQL("unnest({})").format(
        sql.SQL(", ").join(sql.SQL("%s::{}[]").format(sql.SQL(c.type)) for c in plan.key)
    )
    select = sql.SQL("SELECT {} FROM {} WHERE {} IN (SELECT * FROM {})").format(
        _select_list(plan), plan.source, key_tuple, unnest
    )
    recovered = 0
    # A server-side cursor keeps memory bounded even if many keys are missing.
    with wh.cursor(name=f"_missing_{plan.table}") as cur:
        cur.execute(missing)
        while batch := cur.fetchmany(RECOVERY_BATCH):
            columns = [list(values) for values in zip(*batch, strict=True)]
            recovered += _pipe(app, wh, select, plan.stage, columns)
    return recovered


def _merge(
    wh: psycopg.Connection,
    plan: _Plan,
    staged: _Staged,
    snapshot_at: datetime,
    emit: ProgressCallback,
) -> TableReport:
    merge_started = time.monotonic()
    columns = _names(plan.columns)
    non_key = [c for c in plan.columns if c not in plan.key]
    updates = [
        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c.name), sql.Identifier(c.name))
        for c in non_key
    ]
    updates.append(
        sql.SQL("{} = EXCLUDED.{}").format(
            sql.Identifier(EXTRACTED_AT), sql.Identifier(EXTRACTED_AT)
        )
    )
    changed = (
        sql.SQL("({}) IS DISTINCT FROM ({})").format(
            _names(non_key, "m"),
            sql.SQL(", ").join(
                sql.SQL("EXCLUDED.{}").format(sql.Identifier(c.name)) for c in non_key
            ),
        )
        if non_key
        else sql.SQL("false")
    )
    upsert = sql.SQL(
        "INSERT INTO {mirror} AS m ({cols}, {ext}) SELECT {cols}, %s FROM {stage} "
        "ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE {changed}"
    ).format(
        mirror=plan.mirror,
        cols=columns,
        ext=sql.Identifier(EXTRACTED_AT),
        stage=plan.stage,
        key=_names(plan.key),
        updates=sql.SQL(", ").join(updates),
        changed=changed,
    )
    with wh.cursor() as cur:
        cur.execute(upsert, (snapshot_at,))
        upserted = max(cur.rowcount, 0)
        cur.execute(
            sql.SQL(
                "DELETE FROM {mirror} m WHERE NOT EXISTS (SELECT 1 FROM {keys} k WHERE {km})"
            ).format(mirror=plan.mirror, keys=staged.keys_table, km=_key_match(plan, "k", "m"))
        )
        deleted = max(cur.rowcount, 0)
        row = cur.execute(sql.SQL("SELECT max(updated_at) FROM {}").format(plan.mirror)).fetchone()
        watermark = row[0] if row else None
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(plan.stage))
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(plan.keys))
    report = TableReport(
        table=plan.table,
        mode="full" if staged.since is None else "incremental",
        since=staged.since,
        rows_read=staged.rows_read,
        rows_upserted=upserted,
        rows_deleted=deleted,
        rows_recovered=staged.rows_recovered,
        rows_in_source=staged.rows_in_source,
        seconds=round(staged.seconds + time.monotonic() - merge_started, 3),
        watermark=watermark,
        snapshot_at=snapshot_at,
    )
    emit(
        ExtractProgress(
            plan.table,
            "merged",
            f"{report.mode}: {upserted} upserted, {deleted} deleted, "
            f"{report.rows_in_source} in source ({report.seconds:.2f}s)",
        )
    )
    return report
