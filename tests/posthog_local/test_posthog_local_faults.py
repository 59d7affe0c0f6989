"""Fault injection: each kind, its counting rules, and the HTTP control endpoint."""

from __future__ import annotations

import time

import pytest
import requests

from boardroom.posthog_local import PostHogLocal


def _statuses(query, times: int) -> list[int]:
    return [query("SELECT count() FROM events").status_code for _ in range(times)]


@pytest.mark.parametrize("wait_seconds", [1, 62])
def test_throttle(server: PostHogLocal, query, wait_seconds: int) -> None:
    server.faults.inject("throttle", wait_seconds=wait_seconds)
    response = query("SELECT count() FROM events")
    assert response.status_code == 429
    unit = "second" if wait_seconds == 1 else "seconds"
    assert response.json() == {
        "type": "throttled_error",
        "code": "throttled",
        "detail": f"Request was throttled. Expected available in {wait_seconds} {unit}.",
        "attr": None,
    }
    assert "Retry-After" not in response.headers  # PostHog sends none
    assert query("SELECT count() FROM events").status_code == 200


def test_server_error(server: PostHogLocal, query) -> None:
    server.faults.inject("server_error")
    response = query("SELECT count() FROM events")
    assert response.status_code == 500
    assert response.json() == {
        "type": "server_error",
        "code": "error",
        "detail": "ClickHouse error while executing query.",
        "attr": None,
    }


def test_timeout(server: PostHogLocal, query) -> None:
    server.faults.inject("timeout")
    response = query("SELECT count() FROM events")
    assert response.status_code == 504
    body = response.json()
    assert body["type"] == "server_error"
    assert body["detail"].startswith("Query has hit the max execution time")


def test_cloudflare(server: PostHogLocal, query) -> None:
    server.faults.inject("cloudflare")
    response = query("SELECT count() FROM events")
    assert response.status_code == 524
    assert response.headers["Content-Type"].startswith("text/html")
    assert "A timeout occurred" in response.text
    with pytest.raises(ValueError):
        response.json()


def test_slow(server: PostHogLocal, query) -> None:
    server.faults.inject("slow", delay_seconds=0.6)
    started = time.monotonic()
    response = query("SELECT count() FROM events")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.6


def test_drop_closes_the_connection_without_a_response(server: PostHogLocal, query) -> None:
    server.faults.inject("drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        query("SELECT count() FROM events")
    assert query("SELECT count() FROM events").status_code == 200


def test_count_and_after(server: PostHogLocal, query) -> None:
    server.faults.inject("server_error", count=2, after=1)
    assert _statuses(query, 4) == [200, 500, 500, 200]
    assert server.stats["faults_applied"] == 2
    assert server.faults.active() == []


def test_rules_apply_in_order_and_only_count_unharmed_requests(server: PostHogLocal, query) -> None:
    server.faults.inject("throttle", count=1)
    server.faults.inject("timeout", count=1, after=1)
    assert _statuses(query, 4) == [429, 200, 504, 200]


def test_capture_faults_leave_the_query_endpoint_alone(
    server: PostHogLocal, capture, query, make_event
) -> None:
    server.faults.inject("throttle", endpoint="capture")
    assert query("SELECT count() FROM events").status_code == 200
    assert capture([make_event(1)]).status_code == 429
    assert capture([make_event(2)]).status_code == 200
    assert server.stats["events_stored"] == 1


def test_any_endpoint(server: PostHogLocal, capture, query, make_event) -> None:
    server.faults.inject("server_error", count=2, endpoint="any")
    assert capture([make_event(1)]).status_code == 500
    assert query("SELECT count() FROM events").status_code == 500
    assert capture([make_event(1)]).status_code == 200


def test_inject_validates(server: PostHogLocal) -> None:
    with pytest.raises(ValueError, match="kind"):
        server.faults.inject("explode")
    with pytest.raises(ValueError, match="endpoint"):
        server.faults.inject("throttle", endpoint="flags")
    with pytest.raises(ValueError, match="count"):
        server.faults.inject("throttle", count=0)
    with pytest.raises(ValueError, match="delay_seconds"):
        server.faults.inject("throttle", delay_seconds=1)


def test_http_control_endpoint(server: PostHogLocal, http: requests.Session, query) -> None:
    url = f"{server.url}/_local/faults"
    response = http.post(url, json={"kind": "throttle", "count": 2, "wait_seconds": 5})
    assert response.status_code == 200
    assert response.json()["faults"] == [
        {"kind": "throttle", "endpoint": "query", "count": 2, "after": 0, "wait_seconds": 5}
    ]
    assert http.get(url).json()["faults"][0]["kind"] == "throttle"
    assert query("SELECT count() FROM events").status_code == 429
    assert http.delete(url).json() == {"faults": []}
    assert query("SELECT count() FROM events").status_code == 200

    refused = http.post(url, json={"kind": "explode"})
    assert refused.status_code == 400
    assert "unknown fault kind" in refused.json()["detail"]
    assert http.post(url, json={"count": 1}).status_code == 400

    stats = http.get(f"{server.url}/_local/stats").json()
    assert stats["query_requests"] == 2
    assert stats["faults_applied"] == 1
    assert set(stats) >= {
        "query_requests",
        "capture_requests",
        "events_stored",
        "max_concurrent_queries",
    }
    assert http.get(f"{server.url}/_health").json()["status"] == "ok"
