"""The HogQL query endpoint: auth, errors, values, limits, keyset pagination, concurrency."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import UTC, datetime

import pytest
import requests

from boardroom.posthog_local import PostHogLocal
from boardroom.posthog_local.capture import build_rows

PROJECT_KEY = "phc_test_project_key"
OFFSET_MESSAGE = (
    "OFFSET is not supported on queries made with a personal API key. For pagination, use "
    "keyset pagination on the `timestamp` column, e.g. `WHERE timestamp > :last_seen_timestamp "
    "ORDER BY timestamp LIMIT N`. For bulk data extraction, use batch exports: "
    "https://posthog.com/docs/cdp/batch-exports"
)
KEYSET_PAGE = (
    "SELECT uuid, timestamp FROM events\n"
    "WHERE timestamp >= {start} AND timestamp < {end}\n"
    "  AND (timestamp, toString(uuid)) > ({after_ts}, {after_uuid})\n"
    "ORDER BY timestamp, toString(uuid)\n"
    "LIMIT {page}"
)


def test_authentication(query) -> None:
    missing = query("SELECT event FROM events", key=None)
    assert missing.status_code == 401
    assert missing.json() == {
        "type": "authentication_error",
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
        "attr": None,
    }
    for key in (PROJECT_KEY, "phx_wrong"):
        wrong = query("SELECT event FROM events", key=key)
        assert wrong.status_code == 401
        assert wrong.json() == {
            "type": "authentication_error",
            "code": "authentication_failed",
            "detail": "Personal API key found in request Authorization header is invalid.",
            "attr": None,
        }


def test_unknown_project_is_404_and_environments_path_works(
    server: PostHogLocal, http: requests.Session, query
) -> None:
    unknown = query("SELECT event FROM events", project=999)
    assert unknown.status_code == 404
    assert unknown.json() == {
        "type": "invalid_request",
        "code": "not_found",
        "detail": "Project not found.",
        "attr": None,
    }
    response = http.post(
        f"{server.url}/api/environments/{server.project_id}/query/",
        json={"query": {"kind": "HogQLQuery", "query": "select count() from events"}},
        headers={"Authorization": "Bearer phx_test_personal_key"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == [[0]]


@pytest.mark.parametrize(
    "hogql",
    [
        "SELECT event FROM events LIMIT 10 OFFSET 5",
        "select event from events offset 3",
        "SELECT event FROM events LIMIT 5, 10",
    ],
)
def test_offset_is_refused(query, hogql: str) -> None:
    response = query(hogql)
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "hogql_query_error",
        "detail": OFFSET_MESSAGE,
        "attr": None,
    }


@pytest.mark.parametrize(
    ("hogql", "code"),
    [
        ("SELECT * FROM events", "hogql_query_error"),
        ("SELECT event, count() FROM events GROUP BY event", "hogql_query_error"),
        ("SELECT event FROM events WHERE event = {a} OR event = {b}", "hogql_query_error"),
        ("SELECT event FROM events WHERE event = 'literal'", "hogql_query_error"),
        ("SELECT event FROM events WHERE timestamp > now() - INTERVAL 1 DAY", "hogql_query_error"),
        ("SELECT event FROM events LIMIT {a}", "hogql_query_error"),  # a is a string
        ("SELECT nope FROM events", "hogql_query_error"),
        ("SELECT event FROM persons", "hogql_query_error"),
        ("SELECT properties.channel FROM events", "hogql_query_error"),
        ("SELECT DISTINCT event FROM events", "hogql_query_error"),
        ("SELECT event FROM events e", "hogql_query_error"),
        ("SELECT event FROM (SELECT event FROM events)", "hogql_query_error"),
        ("SELECT event FROM events WHERE NOT event = {a}", "hogql_query_error"),
        ("SELECT event FROM events WHERE properties = {a}", "hogql_query_error"),
        ("SELECT upper(event) FROM events", "hogql_query_error"),
        ("SELECT event FROM events ORDER BY properties", "hogql_query_error"),
        ("SELECT event FROM events WHERE timestamp > {a}", "hogql_query_error"),  # not a date
        ("SELECT event FROM events WHERE (timestamp, uuid) > ({a}, {a}, {a})", "hogql_query_error"),
        ("SELECT event FROM events WHERE event IN {a}", "hogql_query_error"),  # not a list
        ("SELECT count(), event FROM events", "hogql_query_error"),
        ("SELEC event FROM events", "hogql_syntax_error"),
        ("SELECT event FROM events WHERE event = ", "hogql_syntax_error"),
        ("SELECT event FROM events WHERE event = 'unterminated", "hogql_syntax_error"),
        ("SELECT event FROM events LIMIT", "hogql_syntax_error"),
        ("SELECT event, FROM events", "hogql_syntax_error"),
        ("SELECT event FROM events WHERE event ~ {a}", "hogql_syntax_error"),
        ("SELECT event - 1 FROM events", "hogql_query_error"),
        ("SELECT event FROM events WHERE event = {a b}", "hogql_syntax_error"),
    ],
)
def test_unsupported_queries_are_400_never_500(query, hogql: str, code: str) -> None:
    response = query(hogql, {"a": "x", "b": "y"})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["code"] == code
    assert body["detail"]


def test_request_shape_errors(query) -> None:
    other_kind = query("", body={"query": {"kind": "EventsQuery", "select": ["event"]}})
    assert other_kind.status_code == 400
    assert other_kind.json()["type"] == "validation_error"
    assert "HogQLQuery" in other_kind.json()["detail"]
    assert query("", body={"refresh": "blocking"}).status_code == 400
    empty = query("", body={"query": {"kind": "HogQLQuery", "query": "  "}})
    assert empty.status_code == 400


def test_malformed_json_body(server: PostHogLocal, http: requests.Session) -> None:
    response = http.post(
        f"{server.url}/api/projects/{server.project_id}/query/",
        data=b"{not json",
        headers={"Authorization": "Bearer phx_test_personal_key"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_placeholders_come_only_from_values(server, capture, query, make_event) -> None:
    assert capture([make_event(i) for i in range(3)]).status_code == 200
    missing = query("SELECT event FROM events WHERE event = {kind}", {"other": "x"})
    assert missing.status_code == 400
    assert missing.json()["detail"] == (
        "Placeholder {kind} is not available in this context. You can use the following: other"
    )
    no_values = query("SELECT event FROM events WHERE event = {kind}")
    assert no_values.status_code == 400
    assert no_values.json()["detail"] == "Unresolved placeholder: {kind}"


def test_value_filters(server: PostHogLocal, capture, query, make_event) -> None:
    events = [make_event(i, event="otp_sent" if i % 2 else "otp_verified") for i in range(10)]
    events.append(make_event(10, tenant="t_002"))
    assert capture(events).status_code == 200

    def count(where: str, values: dict) -> int:
        response = query(f"SELECT count() FROM events WHERE {where}", values)
        assert response.status_code == 200, response.text
        return response.json()["results"][0][0]

    assert count("event = {e}", {"e": "otp_sent"}) == 5
    assert count("event == {e}", {"e": "otp_sent"}) == 5
    assert count("event != {e}", {"e": "otp_sent"}) == 6
    assert count("event IN {events}", {"events": ["otp_sent", "message_sent"]}) == 6
    assert count("event NOT IN {events}", {"events": ["otp_sent"]}) == 6
    assert count("event IN {events}", {"events": []}) == 0
    assert count("$group_0 = {t}", {"t": "t_002"}) == 1
    assert count("distinct_id = {d}", {"d": "user_3"}) == 2
    # Instants: "YYYY-MM-DD HH:MM:SS" (UTC), ISO 8601 with Z, +00:00 or another offset.
    assert count("timestamp >= {a}", {"a": "2026-11-01 00:00:05"}) == 6
    assert count("timestamp >= {a}", {"a": "2026-11-01T00:00:05Z"}) == 6
    assert count("timestamp > {a}", {"a": "2026-11-01T00:00:05.250000+00:00"}) == 5
    assert count("timestamp >= {a}", {"a": "2026-11-01T03:00:05+03:00"}) == 6
    window = {"a": "2026-11-01 00:00:02", "b": "2026-11-01 00:00:04.250"}
    assert count("(timestamp >= {a} AND timestamp < {b})", window) == 2
    assert count("timestamp <= {b} AND event = {e}", {**window, "e": "otp_verified"}) == 3
    now = datetime.now(UTC).isoformat()
    assert count("created_at <= {now}", {"now": now}) == 11
    assert count("created_at > {now}", {"now": now}) == 0


def test_response_shape(server: PostHogLocal, capture, query, make_event) -> None:
    assert capture([make_event(i) for i in range(3)]).status_code == 200
    limited = query(
        "select uuid, timestamp, created_at, properties from events order by timestamp limit 2"
    )
    body = limited.json()
    assert body["results"][0][1] == "2026-11-01T00:00:00.250000Z"
    for row in body["results"]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z", row[2])
        assert isinstance(row[3], str)
    assert body["is_cached"] is False
    assert body["timezone"] == "UTC"
    assert body["query_status"] is None
    assert body["cache_key"].startswith("cache_")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", body["last_refresh"])
    assert body["hasMore"] is None and body["limit"] is None and body["offset"] is None
    assert body["hogql"].endswith("ORDER BY timestamp ASC LIMIT 2")
    assert body["modifiers"] == {"convertToProjectTimezone": False}

    counted = query("SELECT count() AS n FROM events").json()
    assert counted["results"] == [[3]]
    assert counted["columns"] == ["n"]
    assert counted["types"] == [["n", "UInt64"]]


def test_without_limit_the_default_is_100_rows_with_has_more(
    server: PostHogLocal, capture, query, make_event
) -> None:
    assert capture([make_event(i) for i in range(150)]).status_code == 200
    body = query("SELECT uuid FROM events").json()
    assert len(body["results"]) == 100
    assert (body["hasMore"], body["limit"], body["offset"]) == (True, 100, 0)
    assert body["hogql"].endswith("LIMIT 100")


def test_limit_is_silently_capped_at_50000(server: PostHogLocal, query, make_event) -> None:
    events = [make_event(i) for i in range(50_010)]
    server.store.insert(build_rows(events, server.store))
    response = query("SELECT uuid FROM events ORDER BY timestamp, toString(uuid) LIMIT 100000")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 50_000
    assert body["hasMore"] is None  # PostHog says nothing about the rows it left out
    assert body["hogql"].endswith("LIMIT 50000")


def test_keyset_pagination_returns_every_row_once_in_order(
    server: PostHogLocal, capture, query, make_event
) -> None:
    events = [make_event(i) for i in range(2_300)]
    # Ties on the timestamp, broken by uuid: 40 events share one instant.
    events += [make_event(0, timestamp="2026-11-01T00:10:00.250000Z") for _ in range(40)]
    for start in range(0, len(events), 1000):
        assert capture(events[start : start + 1000]).status_code == 200
    expected = sorted(
        ((datetime.fromisoformat(e["timestamp"]), e["uuid"]) for e in events),
    )

    seen: list[tuple[datetime, str]] = []
    cursor = ("1970-01-01 00:00:00", "")
    pages = 0
    while True:
        response = query(
            KEYSET_PAGE,
            {
                "start": "2026-11-01 00:00:00",
                "end": "2026-11-02 00:00:00",
                "after_ts": cursor[0],
                "after_uuid": cursor[1],
                "page": 1000,
            },
        )
        assert response.status_code == 200, response.text
        rows = response.json()["results"]
        if not rows:
            break
        pages += 1
        seen.extend((datetime.fromisoformat(ts), row_uuid) for row_uuid, ts in rows)
        cursor = (rows[-1][1], rows[-1][0])
    assert pages == 3
    assert seen == expected
    assert len({u for _, u in seen}) == len(events)


def test_keyset_with_one_tuple_placeholder_and_descending_order(
    server: PostHogLocal, capture, query, make_event
) -> None:
    events = [make_event(i) for i in range(5)]
    assert capture(events).status_code == 200
    response = query(
        "SELECT toString(uuid) FROM events WHERE (timestamp, toString(uuid)) < {cursor} "
        "ORDER BY timestamp DESC, toString(uuid) DESC LIMIT 10",
        {"cursor": [events[3]["timestamp"], events[3]["uuid"]]},
    )
    assert response.status_code == 200, response.text
    assert [r[0] for r in response.json()["results"]] == [e["uuid"] for e in events[2::-1]]


def test_more_than_three_concurrent_queries_are_throttled(server: PostHogLocal, query) -> None:
    server.faults.inject("slow", count=5, delay_seconds=1.0)
    statuses: list[int] = []
    bodies: list[dict] = []
    lock = threading.Lock()

    def run() -> None:
        with requests.Session() as session:
            response = session.post(
                f"{server.url}/api/projects/{server.project_id}/query/",
                json={"query": {"kind": "HogQLQuery", "query": "select count() from events"}},
                headers={"Authorization": "Bearer phx_test_personal_key"},
                timeout=30,
            )
        with lock:
            statuses.append(response.status_code)
            bodies.append(response.json())

    threads = [threading.Thread(target=run) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 200, 200, 429, 429]
    throttled = [b for b in bodies if b.get("type") == "throttled_error"]
    assert len(throttled) == 2
    assert throttled[0]["code"] == "throttled"
    stats = server.stats
    # Three running plus the one being refused: attempts count, so a test can see a client
    # that tries more than PostHog allows.
    assert stats["max_concurrent_queries"] >= 4
    assert stats["concurrency_limited"] == 2
    assert stats["concurrent_queries"] == 0


def test_uuid_column_compares_as_a_uuid(server, capture, query, make_event) -> None:
    target = make_event(1)
    assert capture([target, make_event(2)]).status_code == 200
    response = query("SELECT event FROM events WHERE uuid = {u}", {"u": target["uuid"].upper()})
    assert response.json()["results"] == [["message_sent"]]
    bad = query("SELECT event FROM events WHERE uuid = {u}", {"u": "zzz"})
    assert bad.status_code == 400
    assert uuid.UUID(target["uuid"])
