"""Capture: the real posthog SDK and raw payloads in, every field intact out."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from datetime import UTC, datetime

import posthog
import requests

from boardroom.posthog_local import PostHogLocal

PROJECT_KEY = "phc_test_project_key"
ALL_COLUMNS = (
    "SELECT uuid, event, distinct_id, timestamp, created_at, properties, person_id, $group_0, "
    "toString(uuid) FROM events ORDER BY timestamp, toString(uuid) LIMIT 1000"
)
DATETIME_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$")

ODD_PROPERTIES = {
    "arabic": "مرحبا بالعالم — لوحة المديرين",
    "quotes": "he said \"hi\" and 'bye'",
    "backslash": "C:\\boardroom\\n",
    "newline": "line one\nline two\ttab",
    "emoji": "🚀📈",
    "nested": {"a": {"b": [1, 2, {"c": None}], "d": True}},
    "integer": 42,
    "big_integer": 2**53 + 1,
    "negative": -17,
    "float": 0.1,
    "amount": 1234.56,
    "flag": False,
    "empty": "",
}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_sdk_capture_round_trips_every_field(server: PostHogLocal, query) -> None:
    client = posthog.Posthog(PROJECT_KEY, host=server.url, sync_mode=True)
    stamp = datetime(2026, 11, 1, 13, 45, 7, 123456, tzinfo=UTC)
    before = datetime.now(UTC)
    event_uuid = client.capture(
        "payment_succeeded",
        distinct_id="user_ar_1",
        properties=ODD_PROPERTIES,
        groups={"tenant": "t_001"},
        timestamp=stamp,
    )
    after = datetime.now(UTC)
    client.shutdown()

    response = query(ALL_COLUMNS)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["columns"] == [
        "uuid",
        "event",
        "distinct_id",
        "timestamp",
        "created_at",
        "properties",
        "person_id",
        "$group_0",
        "toString(uuid)",
    ]
    assert data["types"] == [
        ["uuid", "UUID"],
        ["event", "String"],
        ["distinct_id", "String"],
        ["timestamp", "DateTime64(6, 'UTC')"],
        ["created_at", "DateTime64(6, 'UTC')"],
        ["properties", "String"],
        ["person_id", "UUID"],
        ["$group_0", "String"],
        ["toString(uuid)", "String"],
    ]
    [row] = data["results"]
    uuid_, event, distinct_id, timestamp, created_at, properties, person_id, group_0, text = row
    assert uuid_ == event_uuid == text
    assert event == "payment_succeeded"
    assert distinct_id == "user_ar_1"
    assert DATETIME_FORMAT.match(timestamp) and _instant(timestamp) == stamp
    assert timestamp == "2026-11-01T13:45:07.123456Z"
    assert DATETIME_FORMAT.match(created_at)
    assert before <= _instant(created_at) <= after
    assert isinstance(properties, str)  # PostHog returns properties as a JSON string
    decoded = json.loads(properties)
    for key, value in ODD_PROPERTIES.items():
        assert decoded[key] == value, key
    assert decoded["$groups"] == {"tenant": "t_001"}
    assert decoded["$lib"] == "posthog-python"
    assert group_0 == "t_001"
    assert uuid.UUID(person_id)
    assert "مرحبا" in response.content.decode("utf-8")  # UTF-8 on the wire, not \u escapes


def test_sdk_batched_gzip_with_flush(server: PostHogLocal, query) -> None:
    client = posthog.Posthog(PROJECT_KEY, host=server.url, gzip=True, flush_at=25)
    for index in range(60):
        client.capture(
            "message_sent",
            distinct_id=f"user_{index}",
            properties={"message_id": f"m_{index}"},
            groups={"tenant": "t_002"},
        )
    client.flush()
    client.shutdown()

    response = query("SELECT count() FROM events WHERE $group_0 = {tenant}", {"tenant": "t_002"})
    assert response.status_code == 200, response.text
    assert response.json()["results"] == [[60]]
    assert server.stats["capture_requests"] >= 3
    assert server.stats["events_stored"] == 60


def test_capture_with_a_wrong_project_key_is_401(server: PostHogLocal, capture, make_event) -> None:
    response = capture([make_event(1)], api_key="phc_someone_else")
    assert response.status_code == 401
    assert response.json() == {
        "type": "authentication_error",
        "code": "invalid_api_key",
        "detail": (
            "Project API key invalid. You can find your project API key in PostHog project "
            "settings."
        ),
        "attr": None,
    }
    client = posthog.Posthog("phc_wrong", host=server.url, sync_mode=True)
    assert client.capture("x", distinct_id="d") is None  # the SDK logs the APIError
    client.shutdown()
    assert server.stats["events_stored"] == 0


def test_capture_without_an_api_key_is_401(server: PostHogLocal, http: requests.Session) -> None:
    response = http.post(
        f"{server.url}/batch/", json={"batch": [{"event": "e", "distinct_id": "d"}]}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "missing_api_key"


def test_bad_payloads_are_400_and_store_nothing(
    server: PostHogLocal, http: requests.Session, capture, make_event
) -> None:
    good = make_event(1)
    cases = {
        "missing event": [good, {"distinct_id": "d", "properties": {}}],
        "missing distinct_id": [good, {"event": "e", "properties": {}}],
        "blank distinct_id": [good, {"event": "e", "distinct_id": ""}],
        "bad uuid": [good, {"event": "e", "distinct_id": "d", "uuid": "not-a-uuid"}],
        "properties not an object": [good, {"event": "e", "distinct_id": "d", "properties": []}],
        "empty batch": [],
        "null event": [good, None],
    }
    for name, events in cases.items():
        response = capture(events)
        assert response.status_code == 400, name
        body = response.json()
        assert body["type"] == "validation_error", name
        assert body["code"] == "invalid_payload", name
        assert body["detail"].startswith("Invalid payload"), name

    malformed = http.post(f"{server.url}/batch/", data=b'{"api_key": "x", "batch": [', timeout=10)
    assert malformed.status_code == 400
    assert malformed.json()["detail"].startswith("Malformed request data")
    not_gzip = http.post(
        f"{server.url}/batch/", data=b"\x1f\x8bnot gzip", headers={"Content-Encoding": "gzip"}
    )
    assert not_gzip.status_code == 400
    assert server.stats["events_stored"] == 0


def test_single_event_endpoint_and_gzip(
    server: PostHogLocal, http: requests.Session, query, make_event
) -> None:
    single = {"api_key": PROJECT_KEY, **make_event(1, event="user_signed_in")}
    assert http.post(f"{server.url}/i/v0/e/", json=single).json() == {"status": "Ok"}

    batch = {"api_key": PROJECT_KEY, "batch": [make_event(2), make_event(3)]}
    gzipped = gzip.compress(json.dumps(batch).encode())
    response = http.post(
        f"{server.url}/i/v0/e/",
        data=gzipped,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text

    listed = [{"api_key": PROJECT_KEY, **make_event(4)}]
    assert (
        http.post(
            f"{server.url}/batch/?compression=gzip-js",
            data=gzip.compress(json.dumps(listed).encode()),
        ).status_code
        == 200
    )

    rows = query("SELECT event FROM events ORDER BY timestamp LIMIT 10").json()["results"]
    assert rows == [["user_signed_in"], ["message_sent"], ["message_sent"], ["message_sent"]]


def test_timestamps_are_kept_as_sent_and_malformed_ones_sort_as_epoch(
    server: PostHogLocal, capture, query, make_event
) -> None:
    events = [
        make_event(1, timestamp="2026-11-01T10:00:00+03:00"),
        make_event(2, timestamp="not-a-date"),
        make_event(3, timestamp="2026-13-45T00:00:00Z"),
        make_event(4, timestamp="2026-11-01 08:00:00"),
        make_event(5, timestamp="2026-11-01T06:59:59.999999Z"),
    ]
    assert capture(events).status_code == 200

    rows = query(
        "SELECT distinct_id, timestamp FROM events ORDER BY timestamp, toString(uuid)"
    ).json()["results"]
    stamps = [stamp for _, stamp in rows]
    assert sorted(stamps[:2]) == ["2026-13-45T00:00:00Z", "not-a-date"]  # raw, first
    assert stamps[2:] == [
        "2026-11-01T06:59:59.999999Z",
        "2026-11-01T07:00:00Z",  # +03:00 read as the same instant in UTC
        "2026-11-01T08:00:00Z",  # no offset: UTC
    ]

    epoch = query(
        "SELECT timestamp FROM events WHERE timestamp < {t}", {"t": "1970-01-01 00:00:01"}
    ).json()["results"]
    assert sorted(epoch) == [["2026-13-45T00:00:00Z"], ["not-a-date"]]


def test_uuid_assigned_when_missing_and_duplicates_are_stored(
    server: PostHogLocal, capture, query, make_event
) -> None:
    shared = str(uuid.uuid4())
    no_uuid = make_event(1)
    del no_uuid["uuid"]
    upper = make_event(4, event_uuid=str(uuid.uuid4()).upper())
    events = [no_uuid, make_event(2, event_uuid=shared), make_event(3, event_uuid=shared), upper]
    assert capture(events).status_code == 200

    rows = query("SELECT uuid, distinct_id FROM events ORDER BY timestamp").json()["results"]
    assert len(rows) == 4
    assert uuid.UUID(rows[0][0]).version == 4
    assert rows[1][0] == rows[2][0] == shared  # PostHog does not deduplicate: the pipeline must
    assert rows[3][0] == upper["uuid"].lower()  # canonical form, as ClickHouse prints a UUID


def test_groups_map_to_group_columns(server: PostHogLocal, capture, query, make_event) -> None:
    with_company = make_event(1)
    with_company["properties"]["$groups"] = {"tenant": "t_009", "company": "acme"}
    events = [with_company, make_event(2, tenant=None)]
    assert capture(events).status_code == 200

    rows = query("SELECT $group_0, $group_1, `$group_2` FROM events ORDER BY timestamp").json()[
        "results"
    ]
    assert rows == [["t_009", "acme", ""], ["", "", ""]]  # no tenant: empty string, as in PostHog


def test_lone_surrogates_are_replaced_not_refused(
    server: PostHogLocal, http: requests.Session, query
) -> None:
    # json.dumps escapes the lone surrogate as \ud800: valid JSON, not valid UTF-8 once decoded.
    event = {"event": "e", "distinct_id": "d", "properties": {"text": "bad \ud800 char"}}
    body = json.dumps({"api_key": PROJECT_KEY, "batch": [event]})
    assert http.post(f"{server.url}/batch/", data=body.encode()).status_code == 200
    [[properties]] = query("SELECT properties FROM events").json()["results"]
    assert json.loads(properties)["text"] == "bad \ufffd char"
