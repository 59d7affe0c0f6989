"""The HogQL subset parser and the instant helpers, without a server."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from boardroom.posthog_local.errors import HogQLError, HogQLSyntaxError
from boardroom.posthog_local.hogql import (
    Column,
    Compare,
    Count,
    InList,
    OrderKey,
    SelectItem,
    TupleCompare,
    parse,
)
from boardroom.posthog_local.timestamps import format_instant, parse_instant


def test_layout_and_keyword_case_are_free() -> None:
    query = parse(
        """
        select
            uuid, event AS name, `$group_0`, events.distinct_id, toString(uuid)
        FROM events   -- the only table
        where ((timestamp >= {start}) and Event = {e}) /* case of columns matters */
        Order By timestamp desc, toString(uuid) ASC
        limit 10;
        """.replace("Event", "event")
    )
    assert query.select == [
        SelectItem(Column("uuid")),
        SelectItem(Column("event"), "name"),
        SelectItem(Column("$group_0")),
        SelectItem(Column("distinct_id")),
        SelectItem(Column("toString(uuid)")),
    ]
    assert query.where == [Compare("timestamp", ">=", "start"), Compare("event", "=", "e")]
    assert query.order_by == [OrderKey("timestamp", True), OrderKey("toString(uuid)")]
    assert query.limit == 10


def test_keyset_tuples_and_in_lists() -> None:
    query = parse(
        "SELECT uuid FROM events WHERE (timestamp, toString(uuid)) > ({ts}, {id}) "
        "AND (created_at, uuid) >= {cursor} AND event IN {events} AND distinct_id NOT IN {ids} "
        "LIMIT {page}"
    )
    assert query.where == [
        TupleCompare(("timestamp", "toString(uuid)"), ">", ("ts", "id")),
        TupleCompare(("created_at", "uuid"), ">=", "cursor"),
        InList("event", "events"),
        InList("distinct_id", "ids", negated=True),
    ]
    assert query.limit == "page"


def test_count() -> None:
    query = parse("SELECT count(*) FROM events WHERE $group_0 = {t}")
    assert query.select == [SelectItem(Count())]
    assert query.is_count


@pytest.mark.parametrize(
    "text",
    ["SELECT event FROM events OFFSET 1", "SELECT event FROM events LIMIT 1 offset 2"],
)
def test_offset_refused_before_anything_else(text: str) -> None:
    with pytest.raises(HogQLError, match="OFFSET is not supported"):
        parse(text)


def test_syntax_errors_point_at_the_place() -> None:
    with pytest.raises(HogQLSyntaxError, match="line 2, column 8"):
        parse("SELECT event\nFROM   ;")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z"),
        ("2026-11-01T00:00:00.123456+00:00", "2026-11-01T00:00:00.123456Z"),
        ("2026-11-01 03:00:00+03:00", "2026-11-01T00:00:00Z"),
        ("2026-11-01 00:00:00", "2026-11-01T00:00:00Z"),
        ("2026-11-01T00:00:00.1234567Z", "2026-11-01T00:00:00.123456Z"),  # DateTime64(6)
        ("2026-11-01 00:00:00 UTC", "2026-11-01T00:00:00Z"),
        ("2026-11-01T05:30:00,5+0530", "2026-11-01T00:00:00.500000Z"),
        ("2026-11-01", "2026-11-01T00:00:00Z"),
        ("1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z"),
    ],
)
def test_instants(text: str, expected: str) -> None:
    micros = parse_instant(text)
    assert micros is not None
    assert format_instant(micros) == expected


@pytest.mark.parametrize("text", ["", "not-a-date", "2026-13-01T00:00:00Z", "2026-02-30", "12"])
def test_not_instants(text: str) -> None:
    assert parse_instant(text) is None


def test_format_matches_isoformat_with_z() -> None:
    epoch = datetime(1970, 1, 1)
    rng = random.Random(7)
    for _ in range(2_000):
        micros = rng.randint(-2_000_000_000_000_000, 4_000_000_000_000_000)
        assert format_instant(micros) == (epoch + timedelta(microseconds=micros)).isoformat() + "Z"
