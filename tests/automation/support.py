"""Helpers shared by the automation tests: a PostHog stand-in and events sent to it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from boardroom.posthog_local import PostHogLocal
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.sources.resources import PostHogQueryResource

PROJECT_ID = 3
PROJECT_KEY = "phc_automation_project"
PERSONAL_KEY = "phx_automation_personal"


@contextmanager
def posthog_stand_in(folder: Path) -> Iterator[PostHogLocal]:
    with PostHogLocal(
        folder,
        project_id=PROJECT_ID,
        project_api_key=PROJECT_KEY,
        personal_api_key=PERSONAL_KEY,
    ) as server:
        yield server


def event(timestamp: str, tenant: str | None = "t_001", name: str = "message_sent") -> dict:
    """An SDK-shaped event stamped ``timestamp`` (ISO, UTC)."""
    properties: dict[str, Any] = {"message_id": f"m_{uuid.uuid4().hex[:8]}", "channel": "email"}
    if tenant is not None:
        properties["$groups"] = {"tenant": tenant}
    return {
        "event": name,
        "distinct_id": "u_1",
        "uuid": str(uuid.uuid4()),
        "timestamp": timestamp,
        "properties": properties,
    }


def send(server: PostHogLocal, events: list[dict]) -> None:
    """POST the events to the stand-in's capture endpoint, as the SDK does."""
    body = {"api_key": PROJECT_KEY, "batch": events, "historical_migration": False}
    response = requests.post(f"{server.url}/batch/", json=body, timeout=30)
    response.raise_for_status()


def resources(server: PostHogLocal, app_url: str, warehouse_url: str) -> dict[str, Any]:
    return {
        "app_db": PostgresResource(url=app_url),
        "warehouse": PostgresResource(url=warehouse_url),
        "posthog": PostHogQueryResource(
            host=server.url, project_id=PROJECT_ID, personal_api_key=PERSONAL_KEY
        ),
    }
