"""PostHog events end to end: the local stand-in on loopback into a real Postgres warehouse.

Covers quarantine reasons, first-received-wins deduplication, late events, idempotent
re-runs, faults in the middle of pagination, an interrupted load, and PostHog's limits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import requests

from boardroom.ingest import events as events_module
from boardroom.ingest.event_load import ensure_schema
from boardroom.ingest.events import PageEvent, ingest_events
from boardroom.ingest.posthog_query import PostHogAuthError, PostHogQueryClient
from boardroom.posthog_local import PostHogLocal

PROJECT_KEY = "phc_ingest_test"
PERSONAL_KEY = "phx_ingest_test"
RAW_APP_SCHEMA = Path(events_module.__file__).with_name("raw_app_schema.sql").read_text()
DAY = date(2026, 11, 1)
TENANTS = ("t-1", "t-2", "t_o'brien")
EVENT_COLUMNS = "uuid, event, distinct_id, tenant_id, timestamp, created_at, properties"
QUARANTINE_COLUMNS = (
    "uuid, event, distinct_id, tenant_id, raw_timestamp, created_at, properties, reason"
)


@pytest.fixture
def server(tmp_path) -> Iterator[PostHogLocal]:
    with PostHogLocal(
        tmp_path / "posthog",
        project_id=1,
        project_api_key=PROJECT_KEY,
        personal_api_key=PERSONAL_KEY,
    ) as running:
        yield running


@pytest.fixture
def make_warehouse(make_database: Callable[[str], str]) -> Callable[..., str]:
    """A fresh warehouse with raw.app_tenants holding ``tenants``."""

    def make(tenants: tuple[str, ...] = TENANTS) -> str:
        url = make_database("wh")
        with psycopg.connect(url) as conn:
            conn.execute(RAW_APP_SCHEMA)
            add_tenants(conn, tenants)
        return url

    return make


def add_tenants(conn: psycopg.Connection, tenants: tuple[str, ...]) -> None:
    for tenant in tenants:
        conn.execute(
            "INSERT INTO raw.app_tenants (tenant_id, name, _extracted_at) VALUES (%s, %s, now())",
            (tenant, f"Tenant {tenant}"),
        )


def client_for(server: PostHogLocal, **options) -> PostHogQueryClient:
    options.setdefault("backoff_initial_seconds", 0.01)
    options.setdefault("backoff_max_seconds", 0.05)
    return PostHogQueryClient(server.url, 1, options.pop("key", PERSONAL_KEY), **options)


def send(server: PostHogLocal, events: list[dict]) -> None:
    response = requests.post(
        f"{server.url}/batch/", json={"api_key": PROJECT_KEY, "batch": events}, timeout=30
    )
    response.raise_for_status()


def event(
    name: str = "api_request",
    tenant: str | None = "t-1",
    ts: str | datetime = "2026-11-01T10:00:00Z",
    uid: str | None = None,
    distinct_id: str = "user-1",
    **properties,
) -> dict:
    defaults = {
        "api_request": {"endpoint": "/v1/x", "status_code": 200, "latency_ms": 12.5},
        "message_sent": {"message_id": "m-1", "channel": "email"},
        "message_bounced": {"message_id": "m-1", "channel": "sms", "bounce_type": "hard"},
        "otp_sent": {"otp_id": "o-1", "channel": "sms"},
        "payment_succeeded": {"invoice_id": "i-1", "amount": 10.5, "currency": "SAR"},
        "payment_failed": {
            "invoice_id": "i-1",
            "amount": 10,
            "currency": "SAR",
            "failure_code": "card_declined",
        },
    }.get(name, {})
    props = {**defaults, **properties}
    props = {k: v for k, v in props.items() if v is not ...}  # `...` removes a default
    if tenant is not None:
        props["$groups"] = {"tenant": tenant}
    if isinstance(ts, datetime):
        ts = ts.isoformat().replace("+00:00", "Z")
    return {
        "event": name,
        "distinct_id": distinct_id,
        "properties": props,
        "timestamp": ts,
        "uuid": uid or str(uuid.uuid4()),
    }


def spread(count: int, day: date = DAY, tenant: str = "t-1", **kwargs) -> list[dict]:
    """``count`` valid events spread over a day (several per second at most)."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    step = timedelta(seconds=86_399 / max(count, 1))
    return [
        event(ts=start + step * i, tenant=tenant, distinct_id=f"u-{i}", **kwargs)
        for i in range(count)
    ]


def loaded(url: str, *, with_loaded_at: bool = False) -> tuple[list[tuple], list[tuple]]:
    """Every row of both tables, in a stable order."""
    extra = ", _loaded_at" if with_loaded_at else ""
    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        events = conn.execute(
            f"SELECT {EVENT_COLUMNS}{extra} FROM raw.posthog_events ORDER BY uuid"
        ).fetchall()
        quarantine = conn.execute(
            f"SELECT {QUARANTINE_COLUMNS}{extra} FROM raw.posthog_events_quarantine "
            "ORDER BY uuid, reason"
        ).fetchall()
    return events, quarantine


def run(
    server: PostHogLocal, url: str, day: date = DAY, **options
) -> events_module.EventIngestReport:
    client_options = {k: options.pop(k) for k in ("key", "max_retries") if k in options}
    return ingest_events(client_for(server, **client_options), url, day, **options)


# round trip ---------------------------------------------------------------------------


def test_round_trip_with_every_quarantine_reason(server, make_warehouse):
    url = make_warehouse()
    arabic = "رسالة تجريبية"
    good = [
        event("message_sent", tenant="t_o'brien", note=arabic, ts="2026-11-01T08:00:00.123456Z"),
        event("payment_succeeded", tenant="t-2", amount=99.95),
        event("api_request", status_code=503, latency_ms=1200),
        event("custom_event_not_in_catalogue", anything=[1, {"x": None}]),
        event("$pageview", distinct_id="مستخدم"),
    ]
    bad = {
        "missing_tenant": event("otp_sent", tenant=None),
        "unknown_tenant": event("otp_sent", tenant="t-nobody"),
        "unparseable_timestamp": event("otp_sent", ts="not a date"),
        "wrong_type:amount": event("payment_failed", amount="10.00"),
        "wrong_type:status_code": event("api_request", status_code=200.5),
        "wrong_type:latency_ms": event("api_request", latency_ms=...),
        "wrong_type:message_id": event("message_sent", message_id=42),
        "wrong_type:bounce_type": event("message_bounced", bounce_type=None),
        "wrong_type:channel": event("otp_sent", channel=["sms"]),
        "wrong_type:failure_code": event("payment_failed", failure_code=...),
    }
    empty_tenant = event("otp_sent", tenant="")
    send(server, good + list(bad.values()) + [empty_tenant])

    report = run(server, url)

    events, quarantine = loaded(url)
    assert {str(r[0]) for r in events} == {e["uuid"] for e in good}
    by_uuid = {str(r[0]): r for r in events}
    sent = by_uuid[good[0]["uuid"]]
    assert sent[3] == "t_o'brien" and sent[6]["note"] == arabic
    assert sent[4] == datetime(2026, 11, 1, 8, 0, 0, 123456, tzinfo=UTC)
    assert by_uuid[good[4]["uuid"]][2] == "مستخدم"
    assert by_uuid[good[3]["uuid"]][6]["anything"] == [1, {"x": None}]
    reasons = {r[0]: r[7] for r in quarantine}
    assert reasons == {e["uuid"]: reason for reason, e in bad.items()} | {
        empty_tenant["uuid"]: "missing_tenant"
    }
    unparseable = next(r for r in quarantine if r[7] == "unparseable_timestamp")
    assert unparseable[4] == "not a date"
    assert report.rows_received == len(good) + len(bad) + 1
    assert report.rows_loaded == len(good)
    assert report.quarantined["missing_tenant"] == 2
    assert sum(report.quarantined.values()) == len(bad) + 1
    assert report.days_touched == [DAY]
    assert report.newest_event_time == datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def test_an_event_of_an_unknown_tenant_is_released_once_the_tenant_exists(server, make_warehouse):
    url = make_warehouse(tenants=("t-1",))
    late_tenant = event("otp_sent", tenant="t-new")
    send(server, [late_tenant, event()])
    assert run(server, url).quarantined == {"unknown_tenant": 1}
    with psycopg.connect(url) as conn:
        add_tenants(conn, ("t-new",))
    report = run(server, url)
    events, quarantine = loaded(url)
    assert late_tenant["uuid"] in {str(r[0]) for r in events}
    assert quarantine == []
    assert report.released_from_quarantine == 1 and report.days_touched == [DAY]


# duplicates ---------------------------------------------------------------------------


def test_duplicates_within_a_page_and_across_pulls_first_received_wins(server, make_warehouse):
    url = make_warehouse()
    same_batch = str(uuid.uuid4())
    across = str(uuid.uuid4())
    send(
        server,
        [
            event(uid=same_batch, version="first"),
            event(uid=same_batch, version="first"),
            event(uid=across, version="first"),
        ],
    )
    first = run(server, url)
    assert first.rows_loaded == 2 and first.duplicates_collapsed == 1
    # A later copy with other properties (and another timestamp) changes nothing.
    send(server, [event(uid=across, version="second", ts="2026-11-01T11:00:00Z")])
    second = run(server, url)
    events, _ = loaded(url)
    assert {str(r[0]): r[6]["version"] for r in events} == {same_batch: "first", across: "first"}
    # Re-read: the same-batch twin collapses again, the later copy loses to the stored one.
    assert second.rows_loaded == 0 and second.duplicates_collapsed == 2
    assert second.already_loaded == 2 and second.days_touched == []


def test_the_earliest_received_copy_wins_whatever_the_page_order(server, make_warehouse):
    url = make_warehouse()
    uid = str(uuid.uuid4())
    # First received, but stamped late in the day: paged after the second copy.
    send(server, [event(uid=uid, ts="2026-11-01T23:00:00Z", version="first")])
    send(server, [event(uid=uid, ts="2026-11-01T01:00:00Z", version="second")])
    send(server, spread(30))
    run(server, url, page_size=7, max_workers=1)
    events, _ = loaded(url)
    row = next(r for r in events if str(r[0]) == uid)
    assert row[6]["version"] == "first" and row[4].hour == 23


def test_copies_sharing_uuid_and_timestamp_across_a_page_boundary(server, make_warehouse):
    """Keyset paging with >= : a copy just past the boundary is neither lost nor doubled."""
    url = make_warehouse()
    events_ = spread(9)
    twin = event(uid=events_[4]["uuid"], ts=events_[4]["timestamp"], version="later")
    send(server, events_)
    send(server, [twin])  # same uuid and timestamp, received later
    report = run(server, url, page_size=5, max_workers=1)
    rows, _ = loaded(url)
    assert len(rows) == 9
    assert report.rows_received == 10 and report.duplicates_collapsed == 1
    assert "version" not in next(r for r in rows if str(r[0]) == twin["uuid"])[6]


# late events and the watermark --------------------------------------------------------


def test_late_event_lands_on_its_own_day(server, make_warehouse):
    url = make_warehouse()
    send(server, spread(20))
    first = run(server, url)
    assert first.late_rows == 0 and first.days_touched == [DAY]
    late = event(ts="2026-10-27T09:30:00Z")  # D-5, arriving after day D was loaded
    send(server, [late, *spread(5, DAY + timedelta(days=1))])
    report = run(server, url, DAY + timedelta(days=1))
    events, _ = loaded(url)
    row = next(r for r in events if str(r[0]) == late["uuid"])
    assert row[4] == datetime(2026, 10, 27, 9, 30, tzinfo=UTC)
    assert report.late_rows == 1
    assert report.days_touched == [date(2026, 10, 27), DAY + timedelta(days=1)]
    assert report.watermark is not None and report.watermark == first.run_started_at
    with psycopg.connect(url) as conn:
        (watermark,) = conn.execute("SELECT watermark FROM raw.ingest_state").fetchone()
    assert watermark == report.run_started_at


def test_a_backfill_after_later_days_leaves_no_event_behind(server, make_warehouse):
    """The sweep reads events stamped after the pulled days too, so running an old day
    after newer ones cannot move the watermark past an unread event."""
    url = make_warehouse()
    send(server, spread(3, DAY + timedelta(days=2)))
    run(server, url, DAY + timedelta(days=2))
    arrived_later = event(ts="2026-11-03T12:00:00Z")  # a day already run
    send(server, [arrived_later])
    run(server, url, DAY)  # a backfill of an older day
    events, _ = loaded(url)
    assert arrived_later["uuid"] in {str(r[0]) for r in events}


# idempotence, faults and interruptions ------------------------------------------------


def _dataset() -> list[dict]:
    rows = spread(220, tenant="t-1") + spread(60, tenant="t_o'brien", name="message_sent")
    rows += [event(tenant=None), event(ts="garbage"), event("payment_failed", amount="1")]
    rows += [dict(rows[10]), dict(rows[100])]  # duplicates
    rows += [event(ts=f"2026-10-2{i}T10:00:00Z") for i in range(5)]  # late
    return rows


@pytest.fixture
def loaded_server(server) -> PostHogLocal:
    data = _dataset()
    for start in range(0, len(data), 100):
        send(server, data[start : start + 100])
    return server


def test_re_running_a_partition_leaves_the_tables_identical(loaded_server, make_warehouse):
    url = make_warehouse()
    first = run(loaded_server, url, page_size=50)
    before = loaded(url, with_loaded_at=True)
    again = run(loaded_server, url, page_size=50)
    assert loaded(url, with_loaded_at=True) == before
    assert again.rows_loaded == 0 and again.quarantined == {} and again.days_touched == []
    assert again.already_loaded == first.rows_received - first.duplicates_collapsed


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("throttle", {"wait_seconds": 1}),
        ("server_error", {}),
        ("timeout", {}),
        ("cloudflare", {}),
        ("drop", {}),
    ],
)
def test_faults_mid_pagination_change_nothing(loaded_server, make_warehouse, kind, params):
    baseline = make_warehouse()
    run(loaded_server, baseline, page_size=50)
    url = make_warehouse()
    loaded_server.faults.inject(kind, count=2, after=2, **params)
    report = run(loaded_server, url, page_size=50)
    assert report.retries == 2
    assert loaded(url) == loaded(baseline)


def test_a_load_killed_half_way_then_re_run_is_identical(loaded_server, make_warehouse):
    baseline = make_warehouse()
    run(loaded_server, baseline, page_size=50)
    url = make_warehouse()

    class Killed(Exception):
        pass

    def kill_after_three(page: PageEvent) -> None:
        if page.pages_done >= 3:
            raise Killed

    with pytest.raises(Killed):
        run(loaded_server, url, page_size=50, on_page=kill_after_three)
    partial, _ = loaded(url)
    assert 0 < len(partial) < len(loaded(baseline)[0])
    with psycopg.connect(url) as conn:  # a failed run does not move the watermark
        assert conn.execute("SELECT count(*) FROM raw.ingest_state").fetchone()[0] == 0
    run(loaded_server, url, page_size=50)
    assert loaded(url) == loaded(baseline)


def test_no_more_than_three_queries_in_flight(loaded_server, make_warehouse):
    url = make_warehouse()
    loaded_server.faults.inject("slow", count=6, delay_seconds=0.2)
    loaded_server.reset_stats()
    report = run(loaded_server, url, page_size=50)
    stats = loaded_server.stats
    assert stats["max_concurrent_queries"] == 3
    assert stats["concurrency_limited"] == 0
    assert report.queries == stats["query_requests"]


def test_many_unparseable_timestamps_page_through(server, make_warehouse):
    """They sort as 1970-01-01 and come back raw; the cursor must still move on."""
    url = make_warehouse()
    send(server, [event(ts=f"bad-{i}") for i in range(12)])
    report = run(server, url, page_size=5)
    _, quarantine = loaded(url)
    assert len(quarantine) == 12 and {r[7] for r in quarantine} == {"unparseable_timestamp"}
    assert report.rows_received == 12


def test_wrong_key_fails_the_run_clearly(server, make_warehouse):
    url = make_warehouse()
    send(server, [event()])
    with pytest.raises(PostHogAuthError, match="personal API key"):
        run(server, url, key="phx_not_the_key")
    assert server.stats["query_requests"] <= 3  # one per worker at most, no retries
    assert loaded(url) == ([], [])


def test_a_range_backfill_in_one_call(server, make_warehouse):
    url = make_warehouse()
    send(server, spread(5, DAY) + spread(5, DAY + timedelta(days=1)) + spread(5, date(2026, 11, 9)))
    report = ingest_events(client_for(server), url, DAY, DAY + timedelta(days=2))
    assert report.days_touched == [DAY, DAY + timedelta(days=1), date(2026, 11, 9)]
    assert report.rows_loaded == 15 and report.late_rows == 0


def _watermarks(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT stream, watermark FROM raw.ingest_state ORDER BY 1").fetchall()


def test_the_local_stand_in_keeps_one_watermark_whatever_its_port(tmp_path, make_warehouse):
    """Each `boardroom run` starts the stand-in on a new port: the next day's run must find
    the watermark the previous one left (one key), else it re-reads every event received so
    far and the first key's watermark holds data_as_of back."""
    url = make_warehouse()
    store = tmp_path / "posthog"
    day_one, day_two = DAY, DAY + timedelta(days=1)
    ports = []
    for day in (day_one, day_two):
        with PostHogLocal(
            store, project_id=1, project_api_key=PROJECT_KEY, personal_api_key=PERSONAL_KEY
        ) as running:
            ports.append(running.port)
            send(running, spread(20, day))
            report = run(running, url, day)
        assert report.rows_loaded == 20
    assert ports[0] != ports[1]
    streams = [stream for stream, _ in _watermarks(url)]
    assert streams == ["posthog_events:local/projects/1"]


def test_watermarks_kept_per_loopback_port_are_folded_into_one(server, make_warehouse):
    url = make_warehouse()
    older, newer = datetime(2026, 10, 30, tzinfo=UTC), datetime(2026, 10, 31, tzinfo=UTC)
    with psycopg.connect(url) as conn:
        ensure_schema(conn)
        conn.execute(
            "INSERT INTO raw.ingest_state (stream, watermark) VALUES (%s, %s), (%s, %s), (%s, %s)",
            (
                "posthog_events:http://127.0.0.1:41001/projects/1",
                older,
                "posthog_events:http://127.0.0.1:41002/projects/1",
                newer,
                "posthog_events:https://eu.posthog.com/projects/1",
                older,
            ),
        )
    send(server, spread(5, DAY))
    run(server, url, DAY)
    streams = dict(_watermarks(url))
    assert set(streams) == {
        "posthog_events:local/projects/1",
        "posthog_events:https://eu.posthog.com/projects/1",
    }
    assert streams["posthog_events:local/projects/1"] >= newer
