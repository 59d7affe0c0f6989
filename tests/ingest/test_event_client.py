"""The PostHog query client against the local stand-in: auth, errors, retries, concurrency."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import dagster as dg
import pytest
import requests

from boardroom.ingest.event_pull import Window, build_query, iter_rows
from boardroom.ingest.posthog_query import (
    PostHogAuthError,
    PostHogBadQueryError,
    PostHogNotFoundError,
    PostHogQueryClient,
    PostHogThrottledError,
    PostHogUnavailableError,
)
from boardroom.posthog_local import PostHogLocal
from orchestration.defs.sources.resources import PostHogQueryResource

PROJECT_KEY = "phc_client_test"
PERSONAL_KEY = "phx_client_test_secret"
COUNT = "SELECT count() FROM events WHERE event = {name}"


@pytest.fixture
def server(tmp_path) -> Iterator[PostHogLocal]:
    with PostHogLocal(
        tmp_path / "posthog",
        project_id=1,
        project_api_key=PROJECT_KEY,
        personal_api_key=PERSONAL_KEY,
    ) as running:
        yield running


def make_client(server: PostHogLocal, key: str = PERSONAL_KEY, **options) -> PostHogQueryClient:
    options.setdefault("backoff_initial_seconds", 0.01)
    options.setdefault("backoff_max_seconds", 0.05)
    return PostHogQueryClient(server.url, 1, key, **options)


def capture(server: PostHogLocal, events: list[dict]) -> None:
    response = requests.post(
        f"{server.url}/batch/", json={"api_key": PROJECT_KEY, "batch": events}, timeout=30
    )
    response.raise_for_status()


def test_query_returns_posthog_response(server):
    capture(server, [{"event": "otp_sent", "distinct_id": "u", "uuid": str(uuid.uuid4())}])
    with make_client(server) as client:
        body = client.query(COUNT, {"name": "otp_sent"})
    assert body["results"] == [[1]]
    assert client.stats.queries == 1 and client.stats.retries == 0


def test_wrong_key_is_a_clear_error_without_retries(server):
    client = make_client(server, key="phx_wrong_key_value")
    with pytest.raises(PostHogAuthError) as caught:
        client.query(COUNT, {"name": "x"})
    message = str(caught.value)
    assert "401" in message and "POSTHOG_PERSONAL_API_KEY" in message
    assert "Personal API key found in request Authorization header is invalid" in message
    assert "phx_wrong_key_value" not in message and "phx_wrong_key_value" not in repr(client)
    assert client.stats.queries == 1 and client.stats.retries == 0
    assert server.stats["query_requests"] == 1


def test_bad_query_is_a_clear_error_with_posthogs_detail(server):
    client = make_client(server)
    with pytest.raises(PostHogBadQueryError) as caught:
        client.query("SELECT nope FROM events", {})
    assert "Unable to resolve field: nope" in str(caught.value)
    assert caught.value.status == 400
    with pytest.raises(PostHogBadQueryError, match="OFFSET is not supported"):
        client.query("SELECT event FROM events LIMIT {n} OFFSET {n}", {"n": 10})
    assert client.stats.retries == 0


def test_unknown_project_is_a_clear_error(server):
    client = PostHogQueryClient(server.url, 999, PERSONAL_KEY)
    with pytest.raises(PostHogNotFoundError, match="POSTHOG_PROJECT_ID"):
        client.query(COUNT, {"name": "x"})


def test_throttle_waits_the_time_posthog_names(server, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(PostHogQueryClient, "_sleep", staticmethod(slept.append))
    server.faults.inject("throttle", count=2, wait_seconds=7)
    client = make_client(server)
    assert client.query(COUNT, {"name": "x"})["results"] == [[0]]
    assert slept == [7.0, 7.0]
    assert client.stats.retries == 2 and client.stats.throttled == 2


def test_throttle_longer_than_the_cap_fails_at_once(server, monkeypatch):
    monkeypatch.setattr(PostHogQueryClient, "_sleep", staticmethod(lambda s: None))
    server.faults.inject("throttle", wait_seconds=2202)
    client = make_client(server, max_throttle_wait_seconds=120)
    with pytest.raises(PostHogThrottledError) as caught:
        client.query(COUNT, {"name": "x"})
    assert "2202 seconds" in str(caught.value) and "120" in str(caught.value)
    assert client.stats.retries == 0


@pytest.mark.parametrize("kind", ["server_error", "timeout", "cloudflare", "drop"])
def test_transient_failures_are_retried(server, kind):
    server.faults.inject(kind, count=2)
    client = make_client(server)
    assert client.query(COUNT, {"name": "x"})["results"] == [[0]]
    assert client.stats.retries == 2 and client.stats.queries == 3


def test_retries_give_up_with_a_clear_error(server):
    server.faults.inject("cloudflare", count=10)
    client = make_client(server, max_retries=2)
    with pytest.raises(PostHogUnavailableError) as caught:
        client.query(COUNT, {"name": "x"})
    assert "524" in str(caught.value) and "after 2 retries" in str(caught.value)
    assert client.stats.queries == 3


def test_at_most_three_queries_in_flight_per_project(server):
    server.faults.inject("slow", count=12, delay_seconds=0.3)
    clients = [make_client(server, max_concurrency=3) for _ in range(2)]  # one semaphore
    errors: list[BaseException] = []

    def run(client: PostHogQueryClient) -> None:
        try:
            client.query(COUNT, {"name": "x"})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(clients[i % 2],)) for i in range(12)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    stats = server.stats
    assert stats["max_concurrent_queries"] == 3
    assert stats["concurrency_limited"] == 0
    assert time.monotonic() - started >= 1.2  # 12 slow queries, 3 at a time


def test_values_never_enter_the_query_text():
    from datetime import UTC, datetime

    window = Window(
        "w",
        created_to=datetime(2026, 11, 2, tzinfo=UTC),
        timestamp_from=datetime(2026, 11, 1, tzinfo=UTC),
    )
    from boardroom.ingest.event_pull import Cursor

    text, values = build_query(window, Cursor('it\'s "odd" 2026', "t_o'brien"), 50)
    assert "'" not in text and '"' not in text and "2026" not in text and "50" not in text
    assert values["after_uuid"] == "t_o'brien"
    assert values["after_ts"] == "1970-01-01 00:00:00"  # unparseable: PostHog's zero instant
    assert values["page_size"] == 50


def test_streamed_rows_survive_any_chunking():
    body = (
        '{"columns":["a"],"results":[["1","e","d","2026-11-01T00:00:00Z","x","{\\"k\\": '
        '\\"\u0642\u064a\u0645\u0629\\"}"],["2","e","d","t","c",""]],"types":[],"hogql":"x"}'
    ).encode()
    expected = [
        ["1", "e", "d", "2026-11-01T00:00:00Z", "x", '{"k": "\u0642\u064a\u0645\u0629"}'],
        ["2", "e", "d", "t", "c", ""],
    ]
    for size in (1, 2, 3, 7, 64, len(body)):
        chunks = [body[i : i + size] for i in range(0, len(body), size)]
        assert list(iter_rows(chunks)) == expected


def test_the_dagster_resource_builds_a_configured_client(server, monkeypatch):
    monkeypatch.setenv("TEST_POSTHOG_KEY", PERSONAL_KEY)
    resource = PostHogQueryResource(
        host=server.url,
        project_id=1,
        personal_api_key=dg.EnvVar("TEST_POSTHOG_KEY"),
        page_size=1_000,
        max_retries=1,
    )

    @dg.asset
    def probe(posthog: PostHogQueryResource) -> None:
        client = posthog.client()
        assert (client.page_size, client.max_retries, client.max_concurrency) == (1_000, 1, 3)
        assert PERSONAL_KEY not in repr(client)
        assert client.query(COUNT, {"name": "x"})["results"] == [[0]]

    assert dg.materialize([probe], resources={"posthog": resource}).success
