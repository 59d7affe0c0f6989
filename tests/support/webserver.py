"""A real ``dagster-webserver`` on a free loopback port, and queries to its GraphQL API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from boardroom.paths import PROJECT_ROOT

LOCATION_STATUS = """
{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } }
} } } }
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GraphQL:
    """``query(text, **variables)`` -> the ``data`` of the answer (errors raise)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, text: str, **variables: Any) -> dict[str, Any]:
        response = requests.post(
            f"{self.url}/graphql", json={"query": text, "variables": variables}, timeout=120
        )
        response.raise_for_status()
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]


@contextmanager
def dagster_webserver(env: Mapping[str, str], log_file: Path) -> Iterator[GraphQL]:
    """Serve the project's workspace; yield once its code location has loaded."""
    port = free_port()
    command = [sys.executable, "-m", "dagster_webserver", "-w", "workspace.yaml"]
    command += ["-h", "127.0.0.1", "-p", str(port)]
    with log_file.open("w") as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = GraphQL(f"http://127.0.0.1:{port}")
    try:
        _wait_loaded(api, process, log_file)
        yield api
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_loaded(api: GraphQL, process: subprocess.Popen, log_file: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"dagster-webserver exited:\n{log_file.read_text()[-3000:]}")
        try:
            entries = api.query(LOCATION_STATUS)["workspaceOrError"]["locationEntries"]
        except (requests.ConnectionError, requests.Timeout):
            entries = []
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            errors = [e for e in entries if e["locationOrLoadError"]["__typename"] == "PythonError"]
            assert not errors, errors
            return
        time.sleep(1)
    raise AssertionError(f"the code location did not load:\n{log_file.read_text()[-3000:]}")
