"""Run a parsed HogQL query against the store and shape PostHog's query API response.

The response mirrors ``CachedHogQLQueryResponse`` as PostHog's ``/query/`` endpoint renders it:
``results`` are rows (lists), ``types`` are ``[name, ClickHouse type]`` pairs, ``properties``
is the JSON *string*, DateTime columns are ISO 8601 UTC with a ``Z`` (see
:mod:`boardroom.posthog_local.timestamps`), and ``hasMore``/``limit``/``offset`` are set only
for a query without LIMIT (PostHog's paginator then applies its default of 100 rows); they are
null otherwise, as in the real pydantic dump.
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuidlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from boardroom.posthog_local import hogql
from boardroom.posthog_local.errors import HogQLError
from boardroom.posthog_local.hogql import (
    COLUMN_TYPES,
    DEFAULT_ROWS,
    MAX_SELECT_ROWS,
    Column,
    Compare,
    Condition,
    InList,
    SelectQuery,
    TupleCompare,
)
from boardroom.posthog_local.store import EventStore
from boardroom.posthog_local.timestamps import format_instant, now_micros, parse_instant

_GROUP_SQL = {f"$group_{i}": f"g{i}" for i in range(5)}
#: SQL expression of each column in the SELECT list.
_SELECT_SQL = {
    "uuid": "uuid",
    "toString(uuid)": "uuid",
    "event": "event",
    "distinct_id": "distinct_id",
    "timestamp": "CASE WHEN ts_ok THEN ts_key ELSE ts_raw END",
    "created_at": "created_at",
    "properties": "properties",
    "person_id": "distinct_id",
    **_GROUP_SQL,
}
#: SQL expression of each column in WHERE and ORDER BY (timestamps compare as instants).
_FILTER_SQL = {
    "uuid": "uuid",
    "toString(uuid)": "uuid",
    "event": "event",
    "distinct_id": "distinct_id",
    "timestamp": "ts_key",
    "created_at": "created_at",
    **_GROUP_SQL,
}
_DATETIME_COLUMNS = frozenset({"timestamp", "created_at"})
_PERSON_NAMESPACE = uuidlib.UUID("8f5d6f5e-4b1c-4a53-9a8b-0b0a7d1e2c3f")


@dataclass(frozen=True)
class QueryRequest:
    """The parts of a ``{"query": {"kind": "HogQLQuery", ...}}`` body the stand-in reads."""

    query: str
    values: Mapping[str, Any]
    modifiers: Mapping[str, Any] | None = None


def execute(store: EventStore, project_id: int, request: QueryRequest) -> dict[str, Any]:
    """The response body for a HogQL query (raises :class:`HogQLError` for a 400)."""
    parsed = hogql.parse(request.query)
    plan = _Plan(parsed, request.values)
    with store.reader() as conn:
        rows: list[Any] = conn.execute(plan.sql, plan.params).fetchall()
    has_more = None
    if parsed.is_count:
        rows = [list(rows[0])]
        if parsed.limit is None:
            has_more = False
    elif plan.paginated:
        has_more = len(rows) > DEFAULT_ROWS
        rows = rows[:DEFAULT_ROWS]
    if plan.transforms:
        rows = [_apply(row, plan.transforms) for row in rows]
    columns = [item.output_name for item in parsed.select]
    now = now_micros()
    return {
        "cache_key": _cache_key(project_id, request),
        "cache_target_age": None,
        "calculation_trigger": None,
        "clickhouse": None,
        "columns": columns,
        "error": None,
        "explain": None,
        "hasMore": has_more,
        "hogql": plan.hogql,
        "is_cached": False,
        "last_refresh": format_instant(now),
        "limit": DEFAULT_ROWS if has_more is not None else None,
        "metadata": None,
        "modifiers": dict(request.modifiers or {}),
        "next_allowed_client_refresh": format_instant(now + 60_000_000),
        "offset": 0 if has_more is not None else None,
        "query": request.query,
        "query_status": None,
        "resolved_date_range": None,
        "results": rows,
        "timezone": "UTC",
        "timings": None,
        "types": [
            [name, "UInt64" if isinstance(item.expr, hogql.Count) else COLUMN_TYPES[item.expr.name]]
            for name, item in zip(columns, parsed.select, strict=True)
        ],
    }


def _apply(row: tuple[Any, ...], transforms: dict[int, Callable[[Any], Any]]) -> list[Any]:
    values = list(row)
    for index, transform in transforms.items():
        values[index] = transform(values[index])
    return values


def _timestamp_value(value: int | str) -> str:
    """The instant in PostHog's rendering, or the client's text when it did not parse."""
    return format_instant(value) if isinstance(value, int) else value


@lru_cache(maxsize=65_536)
def person_id(distinct_id: str) -> str:
    """A stable person UUID per distinct_id (the stand-in has no person merging)."""
    return str(uuidlib.uuid5(_PERSON_NAMESPACE, distinct_id))


def _cache_key(project_id: int, request: QueryRequest) -> str:
    material = json.dumps([project_id, request.query, request.values], sort_keys=True, default=str)
    return f"cache_{project_id}_{hashlib.sha256(material.encode()).hexdigest()}"


class _Plan:
    """SQL, bound parameters and the printed HogQL for one parsed query."""

    def __init__(self, query: SelectQuery, values: Mapping[str, Any]) -> None:
        self.values = values
        self.params: list[Any] = []
        self.transforms: dict[int, Callable[[Any], Any]] = {}
        where_sql: list[str] = []
        where_hogql: list[str] = []
        for condition in query.where:
            sql, printed = self.condition(condition)
            where_sql.append(sql)
            where_hogql.append(printed)

        limit = self.limit(query.limit)
        self.paginated = query.limit is None and not query.is_count
        if query.is_count:
            select_sql = "count(*)"
        else:
            parts = []
            for index, item in enumerate(query.select):
                assert isinstance(item.expr, Column)
                name = item.expr.name
                parts.append(_SELECT_SQL[name])
                if name == "created_at":  # one value per capture batch: format each once
                    self.transforms[index] = lru_cache(maxsize=1024)(format_instant)
                elif name == "timestamp":
                    self.transforms[index] = _timestamp_value
                elif name == "person_id":
                    self.transforms[index] = person_id
            select_sql = ", ".join(parts)

        sql = f"SELECT {select_sql} FROM events"
        if where_sql:
            sql += " WHERE " + " AND ".join(where_sql)
        order_hogql = ""
        if not query.is_count:
            keys = [
                f"{_FILTER_SQL[k.column]} {'DESC' if k.descending else 'ASC'}"
                for k in query.order_by
            ]
            last_desc = bool(query.order_by) and query.order_by[-1].descending
            keys.append("seq DESC" if last_desc else "seq ASC")  # deterministic ties
            sql += " ORDER BY " + ", ".join(keys)
            sql += f" LIMIT {limit + 1 if self.paginated else limit}"
            if query.order_by:
                order_hogql = " ORDER BY " + ", ".join(
                    f"{k.column} {'DESC' if k.descending else 'ASC'}" for k in query.order_by
                )
        self.sql = sql

        select_hogql = ", ".join(
            item.expr.name + (f" AS {item.alias}" if item.alias else "") for item in query.select
        )
        self.hogql = f"SELECT {select_hogql} FROM events"
        if where_hogql:
            self.hogql += " WHERE " + " AND ".join(where_hogql)
        self.hogql += order_hogql + f" LIMIT {limit}"

    # binding ---------------------------------------------------------------------------

    def value(self, name: str) -> Any:
        if not self.values:
            raise HogQLError(f"Unresolved placeholder: {{{name}}}")
        if self.values.get(name) is None:
            raise HogQLError(
                f"Placeholder {{{name}}} is not available in this context. You can use the "
                "following: " + ", ".join(str(key) for key in self.values)
            )
        return self.values[name]

    def scalar(self, column: str, name: str, value: Any) -> tuple[Any, str]:
        """The SQL parameter and printed HogQL for one value compared with ``column``."""
        if column in _DATETIME_COLUMNS:
            instant = parse_instant(value) if isinstance(value, str) else None
            if instant is None:
                raise HogQLError(
                    f"Placeholder {{{name}}} = {value!r} cannot be compared with {column}: "
                    "pass a date-time string such as '2026-11-01 00:00:00' or ISO 8601."
                )
            printed = format_instant(instant).replace("T", " ").rstrip("Z")
            return instant, f"toDateTime64('{printed}', 6, 'UTC')"
        if not isinstance(value, str):
            raise HogQLError(
                f"Placeholder {{{name}}} = {value!r} cannot be compared with {column}: "
                "pass a string."
            )
        if column == "uuid":
            try:
                value = str(uuidlib.UUID(value))
            except ValueError as exc:
                raise HogQLError(f"Cannot parse UUID {value!r} of placeholder {{{name}}}.") from exc
        return value, _quote(value)

    def condition(self, condition: Condition) -> tuple[str, str]:
        if isinstance(condition, Compare):
            param, printed = self.scalar(
                condition.column, condition.placeholder, self.value(condition.placeholder)
            )
            self.params.append(param)
            return (
                f"{_FILTER_SQL[condition.column]} {condition.op} ?",
                f"{condition.column} {condition.op} {printed}",
            )
        if isinstance(condition, InList):
            return self.in_list(condition)
        return self.tuple_compare(condition)

    def in_list(self, condition: InList) -> tuple[str, str]:
        name, column = condition.placeholder, condition.column
        items = self.value(name)
        if column in _DATETIME_COLUMNS:
            raise HogQLError(f"IN on {column} is not supported by the local PostHog stand-in.")
        if not isinstance(items, list | tuple):
            raise HogQLError(f"Placeholder {{{name}}} used with IN must be a list.")
        bound = [self.scalar(column, name, item) for item in items]
        self.params.append(json.dumps([param for param, _ in bound]))
        keyword = "NOT IN" if condition.negated else "IN"
        return (
            f"{_FILTER_SQL[column]} {keyword} (SELECT value FROM json_each(?))",
            f"{column} {keyword} [{', '.join(printed for _, printed in bound)}]",
        )

    def tuple_compare(self, condition: TupleCompare) -> tuple[str, str]:
        if isinstance(condition.placeholders, str):
            name = condition.placeholders
            items = self.value(name)
            if not isinstance(items, list | tuple) or len(items) != len(condition.columns):
                raise HogQLError(
                    f"Placeholder {{{name}}} must be a list of {len(condition.columns)} values."
                )
            pairs = [(name, item) for item in items]
        else:
            pairs = [(name, self.value(name)) for name in condition.placeholders]
        bound = [
            self.scalar(column, name, value)
            for column, (name, value) in zip(condition.columns, pairs, strict=True)
        ]
        self.params.extend(param for param, _ in bound)
        columns_sql = ", ".join(_FILTER_SQL[column] for column in condition.columns)
        marks = ", ".join("?" for _ in condition.columns)
        return (
            f"({columns_sql}) {condition.op} ({marks})",
            f"({', '.join(condition.columns)}) {condition.op} "
            f"({', '.join(printed for _, printed in bound)})",
        )

    def limit(self, limit: int | str | None) -> int:
        """LIMIT as PostHog applies it: silently capped at 50,000; 100 when none is given."""
        if limit is None:
            return DEFAULT_ROWS
        if isinstance(limit, str):
            value = self.value(limit)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise HogQLError(f"Placeholder {{{limit}}} used as LIMIT must be an integer >= 0.")
            limit = value
        return min(limit, MAX_SELECT_ROWS)


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
