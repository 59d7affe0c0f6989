"""send_events through the real posthog SDK into the local PostHog stand-in, and back."""

from __future__ import annotations

import importlib
import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import posthog
import pytest
import requests

from boardroom.demo import (
    QUARANTINE_REASONS,
    QUOTE_TENANT_ID,
    DemoEvent,
    DemoSpec,
    SendError,
    iter_events,
    send_events,
)
from boardroom.demo.send_events import build_message, sdk_envelope

posthog_local = pytest.importorskip("boardroom.posthog_local")

PROJECT_KEY = "phc_demo_test"
PERSONAL_KEY = "phx_demo_test"
SPEC = DemoSpec(seed=5, tenants=8, days=4, end_date=date(2026, 3, 31))
QUERY = (
    "SELECT uuid, event, distinct_id, timestamp, created_at, properties FROM events "
    "ORDER BY timestamp, toString(uuid) LIMIT 50000"
)


def _query_all(url: str) -> list[dict[str, Any]]:
    response = requests.post(
        f"{url}/api/projects/1/query/",
        json={"query": {"kind": "HogQLQuery", "query": QUERY}, "refresh": "force_blocking"},
        headers={"Authorization": f"Bearer {PERSONAL_KEY}"},
        timeout=60,
    )
    response.raise_for_status()
    body = response.json()
    rows = [dict(zip(body["columns"], row, strict=True)) for row in body["results"]]
    assert len(rows) < 50_000  # one page holds everything
    for row in rows:
        row["properties"] = json.loads(row["properties"])
    return rows


@pytest.fixture
def server(tmp_path: Path):
    with posthog_local.PostHogLocal(
        tmp_path / "posthog",
        project_id=1,
        project_api_key=PROJECT_KEY,
        personal_api_key=PERSONAL_KEY,
    ) as running:
        yield running


def _capture_with_sdk(event: DemoEvent) -> dict[str, Any]:
    """What the SDK's own ``capture`` builds for ``event`` (caught in before_send)."""
    caught: list[dict[str, Any]] = []

    def keep(msg: dict[str, Any]) -> None:
        caught.append(msg)

    client = posthog.Posthog(
        PROJECT_KEY, host="http://127.0.0.1:9", send=False, disable_geoip=True, before_send=keep
    )
    client.capture(
        event.event,
        distinct_id=event.distinct_id,
        properties=event.properties,
        timestamp=event.timestamp,  # type: ignore[arg-type]
        uuid=event.uuid,
        groups={"tenant": event.tenant} if event.tenant is not None else None,
    )
    client.shutdown()
    return caught[0]


def test_messages_are_what_the_sdk_builds() -> None:
    envelope = sdk_envelope()
    events = list(iter_events(SPEC))
    samples = [
        next(e for e in events if e.event == name)
        for name in ("message_bounced", "payment_failed", "api_request", "$pageview")
    ]
    samples += [
        next(e for e in events if e.quarantine_reason == reason) for reason in QUARANTINE_REASONS
    ]
    for event in samples:
        ours, sdk = build_message(event, envelope), _capture_with_sdk(event)
        if event.quarantine_reason == "unparseable_timestamp":
            # The SDK swaps an unparseable timestamp for "now"; the demo keeps it raw.
            assert sdk["timestamp"] != event.timestamp
            assert ours["timestamp"] == event.timestamp
            sdk["timestamp"] = ours["timestamp"]
        assert json.dumps(ours) == json.dumps(sdk), event


def test_round_trip_through_the_stand_in(server) -> None:
    generated = list(iter_events(SPEC))
    report = send_events(SPEC, server.url, PROJECT_KEY, progress=False, batch_size=250)

    assert report.events_sent == len(generated)
    assert report.duplicates == sum(e.is_duplicate for e in generated) > 0
    assert report.malformed == sum(e.is_malformed for e in generated) >= len(QUARANTINE_REASONS)
    assert report.late == sum(e.wave == "late" and not e.is_duplicate for e in generated) > 0
    assert report.batches >= len(generated) // 250
    assert report.seconds > 0 and report.events_per_second > 0

    rows = _query_all(server.url)
    assert len(rows) == len(generated)  # duplicates included: capture keeps both copies
    by_uuid: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_uuid[row["uuid"]].append(row)
    assert Counter(len(v) for v in by_uuid.values())[2] == report.duplicates

    expected = {e.uuid: e for e in generated if not e.is_duplicate}
    assert set(by_uuid) == set(expected)
    for uuid, event in expected.items():
        row = by_uuid[uuid][0]
        assert (row["event"], row["distinct_id"]) == (event.event, event.distinct_id)
        props = row["properties"]
        assert props.get("$groups", {}).get("tenant") == event.tenant
        assert props["$lib"] == "posthog-python" and props["$geoip_disable"] is True
        for key, value in event.properties.items():
            assert props[key] == value and type(props[key]) is type(value), (key, event)
        if event.quarantine_reason == "unparseable_timestamp":
            assert row["timestamp"] == event.timestamp  # the raw string, preserved

    # A duplicate travels in a later batch: each batch has its own ingestion time.
    for copies in by_uuid.values():
        if len(copies) == 2:
            assert copies[0]["created_at"] != copies[1]["created_at"]
            assert copies[0]["properties"] == copies[1]["properties"]
    # The late wave is ingested after every on-time event.
    on_time = max(
        by_uuid[e.uuid][0]["created_at"] for e in expected.values() if e.wave == "on_time"
    )
    late = min(by_uuid[e.uuid][0]["created_at"] for e in expected.values() if e.wave == "late")
    assert late > on_time

    quoted = [
        r for r in rows if r["properties"].get("$groups", {}).get("tenant") == QUOTE_TENANT_ID
    ]
    assert quoted
    assert any(r["properties"].get("endpoint") == "/v1/تقارير/المبيعات" for r in rows)


def test_waves_can_be_sent_one_at_a_time(server) -> None:
    first = send_events(SPEC, server.url, PROJECT_KEY, progress=False, wave="on_time")
    second = send_events(SPEC, server.url, PROJECT_KEY, progress=False, wave="late")
    generated = list(iter_events(SPEC))
    assert first.late == 0 and second.late > 0 and second.malformed == 0
    assert first.events_sent + second.events_sent == len(generated)
    assert server.stats["events_stored"] == len(generated)


def test_progress_bar_and_a_refused_key(server, capsys: pytest.CaptureFixture[str]) -> None:
    tiny = DemoSpec(seed=1, tenants=1, days=2, end_date=date(2026, 3, 31))
    report = send_events(tiny, server.url, PROJECT_KEY, progress=True)
    assert report.events_sent > 0
    with pytest.raises(SendError, match="refused"):
        send_events(tiny, server.url, "phc_wrong", progress=False)


def test_send_module_is_importable_by_name() -> None:
    # The package re-exports the function under the module's name; the module stays reachable.
    module = importlib.import_module("boardroom.demo.send_events")
    assert module.send_events is send_events
