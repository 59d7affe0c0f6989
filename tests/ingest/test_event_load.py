"""The loader and its SQL helpers, fed rows directly (no PostHog in between)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
import pytest

from boardroom.ingest.event_load import PageLoader, ensure_schema, prepare_session

NOW = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture
def conn(warehouse_url: str):
    with psycopg.connect(warehouse_url) as connection:
        ensure_schema(connection)  # also creates raw.app_* in an empty warehouse
        connection.execute(
            "INSERT INTO raw.app_tenants (tenant_id, _extracted_at) VALUES ('t-1', now())"
        )
        connection.commit()
        prepare_session(connection)
        yield connection


def load(conn: psycopg.Connection, rows: list[list]) -> None:
    loader = PageLoader(conn, late_before=datetime(2026, 11, 1, tzinfo=UTC), newest_bound=NOW)
    with conn.transaction():
        loader.merge(loader.stage(iter(rows)))


def row(props, *, ts="2026-11-01T10:00:00Z", name="user_signed_in", created="2026-11-01T10:00:01Z"):
    text = props if isinstance(props, str) else json.dumps(props)
    return [str(uuid.uuid4()), name, "u-1", ts, created, text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01T10:00:00Z", datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("2026-11-01T10:00:00.123456Z", datetime(2026, 11, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-01 12:00:00+02:00", datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("2026-11-01T10:00:00", datetime(2026, 11, 1, 10, tzinfo=UTC)),  # UTC session
        ("1970-01-01T00:00:00Z", None),  # ClickHouse's parse-or-zero
        ("2026-13-45T10:00:00Z", None),
        ("now", None),
        ("infinity", None),
        ("yesterday", None),
        ("1730455200", None),
        ("", None),
    ],
)
def test_posthog_timestamp(conn, text, expected):
    assert conn.execute("SELECT raw.posthog_timestamp(%s)", (text,)).fetchone()[0] == expected


@pytest.mark.parametrize(
    ("event", "props", "expected"),
    [
        ("api_request", {"endpoint": "/x", "status_code": 500, "latency_ms": 1}, None),
        (
            "api_request",
            {"endpoint": "/x", "status_code": 500.0, "latency_ms": 1},
            "wrong_type:status_code",
        ),
        (
            "api_request",
            {"endpoint": "/x", "status_code": "500", "latency_ms": 1},
            "wrong_type:status_code",
        ),
        ("api_request", {"endpoint": "/x", "status_code": 200}, "wrong_type:latency_ms"),
        ("api_request", {"status_code": "x"}, "wrong_type:endpoint"),  # first failing wins
        ("payment_succeeded", {"invoice_id": "i", "amount": 1e3, "currency": "SAR"}, None),
        (
            "payment_succeeded",
            {"invoice_id": "i", "amount": None, "currency": "SAR"},
            "wrong_type:amount",
        ),
        (
            "payment_failed",
            {"invoice_id": "i", "amount": 5, "currency": "SAR"},
            "wrong_type:failure_code",
        ),
        ("message_bounced", {"message_id": "m", "channel": "sms", "bounce_type": "hard"}, None),
        ("message_delivered", {"message_id": "m", "channel": 1}, "wrong_type:channel"),
        ("otp_verified", {"otp_id": 7, "channel": "sms"}, "wrong_type:otp_id"),
        ("user_signed_in", {}, None),
        ("$pageview", {"anything": 1}, None),
        ("something_else", {"amount": "not checked"}, None),
    ],
)
def test_posthog_wrong_type(conn, event, props, expected):
    found = conn.execute(
        "SELECT raw.posthog_wrong_type(%s, %s::jsonb)", (event, json.dumps(props))
    ).fetchone()[0]
    assert found == expected


def test_properties_that_are_not_json_are_quarantined_not_lost(conn):
    broken = row('{"$groups": {"tenant": "t-1"}, "oops"')
    fine = row({"$groups": {"tenant": "t-1"}})
    load(conn, [broken, fine])
    quarantined = conn.execute(
        "SELECT uuid, reason, properties FROM raw.posthog_events_quarantine"
    ).fetchall()
    assert quarantined == [(broken[0], "missing_tenant", broken[5])]  # kept as a JSON string
    assert conn.execute("SELECT count(*) FROM raw.posthog_events").fetchone()[0] == 1


def test_nul_characters_do_not_break_a_page(conn):
    weird = row({"$groups": {"tenant": "t-1"}, "text": "a\u0000b"})
    weird[1] = "user_signed_in"
    weird[2] = "u\x00-1"
    load(conn, [weird])
    found = conn.execute("SELECT distinct_id, properties FROM raw.posthog_events").fetchone()
    assert found == ("u\ufffd-1", {"$groups": {"tenant": "t-1"}, "text": "a\ufffdb"})


def test_a_tenant_given_as_a_number_and_empty_groups(conn: psycopg.Connection):
    conn.execute("INSERT INTO raw.app_tenants (tenant_id, _extracted_at) VALUES ('42', now())")
    numeric = row({"$groups": {"tenant": 42}})
    nested = row({"$groups": {"tenant": {"id": "t-1"}}})
    no_groups = row({"$groups": None})
    load(conn, [numeric, nested, no_groups])
    assert conn.execute("SELECT tenant_id FROM raw.posthog_events").fetchall() == [("42",)]
    reasons = conn.execute("SELECT reason FROM raw.posthog_events_quarantine").fetchall()
    assert reasons == [("missing_tenant",), ("missing_tenant",)]


def test_schema_creation_is_idempotent(warehouse_url: str, make_database: Callable[[str], str]):
    with psycopg.connect(warehouse_url) as connection:
        ensure_schema(connection)
        ensure_schema(connection)
        tables = {
            r[0]
            for r in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
            )
        }
    assert {"posthog_events", "posthog_events_quarantine", "ingest_state", "app_tenants"} <= tables


def test_two_workers_writing_one_uuid_at_once_keep_the_first_received(warehouse_url, conn):
    """Worker B's upsert waits for worker A's uncommitted row of the same uuid; once A
    commits, the earlier copy (B's) replaces it."""
    import threading

    uid = str(uuid.uuid4())
    later = row({"$groups": {"tenant": "t-1"}, "copy": "later"}, created="2026-11-01T10:00:09Z")
    earlier = row({"$groups": {"tenant": "t-1"}, "copy": "earlier"}, created="2026-11-01T10:00:01Z")
    later[0] = earlier[0] = uid
    bound = datetime(2026, 11, 1, tzinfo=UTC)
    loader_a = PageLoader(conn, late_before=bound, newest_bound=NOW)
    conn.execute("BEGIN")
    loader_a.merge(loader_a.stage(iter([later])))  # uncommitted

    with psycopg.connect(warehouse_url) as other:
        prepare_session(other)
        loader_b = PageLoader(other, late_before=bound, newest_bound=NOW)
        results = []

        def worker_b() -> None:
            with other.transaction():
                results.append(loader_b.merge(loader_b.stage(iter([earlier]))))

        thread = threading.Thread(target=worker_b)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive()  # waiting on A's row
        conn.commit()
        thread.join(10)
    assert results and results[0].loaded == 1
    stored = conn.execute("SELECT properties->>'copy' FROM raw.posthog_events").fetchall()
    assert stored == [("earlier",)]


def test_reconcile_keeps_the_earlier_copy_across_tables(conn):
    uid = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO raw.posthog_events VALUES (%s, 'user_signed_in', 'u', 't-1', "
        "'2026-11-01T10:00Z', '2026-11-01T10:05Z', '{}', now())",
        (uid,),
    )
    conn.execute(
        "INSERT INTO raw.posthog_events_quarantine (uuid, event, created_at, reason, _loaded_at) "
        "VALUES (%s, 'user_signed_in', '2026-11-01T10:01Z', 'unparseable_timestamp', now()), "
        "(%s, 'user_signed_in', '2026-11-01T10:02Z', 'missing_tenant', now())",
        (uid, uid),
    )
    conn.commit()
    loader = PageLoader(conn, late_before=NOW, newest_bound=NOW)
    result = loader.reconcile()
    assert result.removed == 1 and result.days == {datetime(2026, 11, 1).date()}
    assert conn.execute("SELECT count(*) FROM raw.posthog_events").fetchone()[0] == 0
    reasons = conn.execute("SELECT reason FROM raw.posthog_events_quarantine").fetchall()
    assert reasons == [("unparseable_timestamp",)]
