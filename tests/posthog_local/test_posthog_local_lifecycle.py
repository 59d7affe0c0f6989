"""Lifecycle: durability across restarts, ports, foreground serving, quiet logs."""

from __future__ import annotations

import logging
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from boardroom.posthog_local import PostHogLocal

PROJECT_KEY = "phc_test_project_key"
PERSONAL_KEY = "phx_test_personal_key"


def _count(url: str) -> int:
    response = requests.post(
        f"{url}/api/projects/7/query/",
        json={"query": {"kind": "HogQLQuery", "query": "SELECT count() FROM events"}},
        headers={"Authorization": f"Bearer {PERSONAL_KEY}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"][0][0]


def _batch(url: str, events: list[dict]) -> None:
    body = {"api_key": PROJECT_KEY, "batch": events}
    assert requests.post(f"{url}/batch/", json=body, timeout=10).status_code == 200


def test_events_survive_a_restart(tmp_path: Path, make_event) -> None:
    data_dir = tmp_path / "posthog"
    first = PostHogLocal(data_dir, 7, PROJECT_KEY, PERSONAL_KEY).start()
    try:
        _batch(first.url, [make_event(i) for i in range(25)])
        extra = make_event(99)
        extra["properties"]["$groups"] = {"tenant": "t_001", "company": "acme"}
        _batch(first.url, [extra])
    finally:
        first.stop()
    first.stop()  # idempotent

    with PostHogLocal(data_dir, 7, PROJECT_KEY, PERSONAL_KEY) as second:
        assert second.stats["events_stored"] == 26
        assert _count(second.url) == 26
        assert second.store.group_type_index("company") == 1  # group indexes persist too


def test_ports_and_url(tmp_path: Path) -> None:
    with PostHogLocal(tmp_path / "a", 7, PROJECT_KEY, PERSONAL_KEY) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        assert server.port > 0
        assert PROJECT_KEY not in repr(server) and PERSONAL_KEY not in repr(server)
        with pytest.raises(RuntimeError):
            server.start()
        with pytest.raises(OSError):  # the port is taken
            PostHogLocal(tmp_path / "b", 7, PROJECT_KEY, PERSONAL_KEY, port=server.port).start()
        assert requests.get(f"{server.url}/nope", timeout=5).status_code == 404
        assert requests.get(f"{server.url}/batch/", timeout=5).status_code == 405


def test_serve_forever_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    data_dir = tmp_path / "posthog"
    script = (
        "import logging, sys\n"
        "from pathlib import Path\n"
        "from boardroom.posthog_local import PostHogLocal\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stderr)\n"
        f"PostHogLocal(Path({str(data_dir)!r}), 7, {PROJECT_KEY!r}, {PERSONAL_KEY!r})"
        ".serve_forever()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stderr=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        url = None
        deadline = time.monotonic() + 30
        assert process.stderr is not None
        while url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            match = re.search(r"on (http://127\.0\.0\.1:\d+)", line)
            if match:
                url = match.group(1)
        assert url, "the stand-in did not report its address"
        _batch(url, [{"event": "e", "distinct_id": "d", "timestamp": "2026-11-01T00:00:00Z"}])
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        assert "stopped" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    with PostHogLocal(data_dir, 7, PROJECT_KEY, PERSONAL_KEY) as server:
        assert _count(server.url) == 1


def test_logs_never_carry_keys(
    server: PostHogLocal, http: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="boardroom.posthog_local")
    http.post(
        f"{server.url}/batch/?token={PROJECT_KEY}", json={"api_key": PROJECT_KEY, "batch": []}
    )
    http.post(
        f"{server.url}/api/projects/7/query/?personal_api_key={PERSONAL_KEY}",
        json={"query": {"kind": "HogQLQuery", "query": "select count() from events"}},
        headers={"Authorization": f"Bearer {PERSONAL_KEY}"},
    )
    http.post(
        f"{server.url}/api/projects/7/query/",
        json={"query": {"kind": "HogQLQuery", "query": "select"}},
        headers={"Authorization": "Bearer phx_some_other_key"},
    )
    assert caplog.records  # requests are logged at DEBUG...
    for secret in (PROJECT_KEY, PERSONAL_KEY, "phx_some_other_key"):
        assert secret not in caplog.text  # ...without any key
