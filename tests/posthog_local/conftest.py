"""Fixtures for the local PostHog stand-in: a server per test and thin HTTP helpers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from boardroom.posthog_local import PostHogLocal

PROJECT_ID = 7
PROJECT_KEY = "phc_test_project_key"
PERSONAL_KEY = "phx_test_personal_key"

QueryFn = Callable[..., requests.Response]
CaptureFn = Callable[..., requests.Response]


@pytest.fixture
def server(tmp_path) -> Iterator[PostHogLocal]:
    with PostHogLocal(
        tmp_path / "posthog",
        project_id=PROJECT_ID,
        project_api_key=PROJECT_KEY,
        personal_api_key=PERSONAL_KEY,
    ) as running:
        yield running


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def query(server: PostHogLocal, http: requests.Session) -> QueryFn:
    """POST a HogQLQuery; returns the raw response (callers check status and JSON)."""

    def run(
        hogql: str,
        values: dict[str, Any] | None = None,
        *,
        key: str | None = PERSONAL_KEY,
        project: int | str = PROJECT_ID,
        body: dict[str, Any] | None = None,
        timeout: float = 30,
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
        payload = body or {
            "query": {
                "kind": "HogQLQuery",
                "query": hogql,
                "values": values or {},
                "modifiers": {"convertToProjectTimezone": False},
            },
            "refresh": "force_blocking",
            "name": "boardroom-test",
        }
        return http.post(
            f"{server.url}/api/projects/{project}/query/",
            json=payload,
            headers=headers,
            timeout=timeout,
        )

    return run


@pytest.fixture
def capture(server: PostHogLocal, http: requests.Session) -> CaptureFn:
    """POST raw events to /batch/ in the SDK's batch shape."""

    def run(events: list[dict[str, Any]], *, api_key: str = PROJECT_KEY) -> requests.Response:
        body = {
            "api_key": api_key,
            "batch": events,
            "sent_at": "2026-11-02T00:00:00+00:00",
            "historical_migration": False,
        }
        return http.post(f"{server.url}/batch/", json=body, timeout=30)

    return run


@pytest.fixture
def make_event() -> Callable[..., dict[str, Any]]:
    return _make_event


def _make_event(
    index: int,
    *,
    timestamp: str | None = None,
    event: str = "message_sent",
    tenant: str | None = "t_001",
    event_uuid: str | None = None,
) -> dict[str, Any]:
    """An SDK-shaped event; timestamps run one second apart from 2026-11-01 00:00:00 UTC."""
    if timestamp is None:
        hours, rest = divmod(index, 3600)
        minutes, seconds = divmod(rest, 60)
        day = 1 + hours // 24
        timestamp = f"2026-11-{day:02d}T{hours % 24:02d}:{minutes:02d}:{seconds:02d}.250000+00:00"
    properties: dict[str, Any] = {"message_id": f"m_{index}", "channel": "email"}
    if tenant is not None:
        properties["$groups"] = {"tenant": tenant}
    return {
        "type": "capture",
        "event": event,
        "distinct_id": f"user_{index % 7}",
        "properties": properties,
        "timestamp": timestamp,
        "uuid": event_uuid or str(uuid.uuid4()),
    }
