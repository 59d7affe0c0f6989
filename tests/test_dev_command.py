"""``boardroom dev`` from a checkout whose folder is not called ``boardroom``: the code
location loads as ``boardroom`` without a warning, and Ctrl-C ends every process quickly."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.webserver import PROJECT_ROOT, GraphQL, free_port

#: What a checkout needs to run ``boardroom dev`` (the rest is tests, docs, deployment).
CHECKOUT = ("boardroom", "orchestration", "dbt_project", "expectations")
CHECKOUT_FILES = ("pyproject.toml", "workspace.yaml", "dagster.yaml", "README.md")
MANIFEST = Path("dbt_project") / "target" / "dagster" / "manifest.json"
STOP_WITHIN_SECONDS = 5.0


def _checkout(folder: Path) -> None:
    """Copy the project's files (times kept, so the dbt manifest stays current)."""
    ignore = shutil.ignore_patterns("target", "__pycache__", "*.pyc", "logs", "dbt_packages")
    for name in CHECKOUT:
        shutil.copytree(PROJECT_ROOT / name, folder / name, ignore=ignore)
    for name in CHECKOUT_FILES:
        shutil.copy2(PROJECT_ROOT / name, folder / name)
    if (PROJECT_ROOT / MANIFEST).exists():
        (folder / MANIFEST).parent.mkdir(parents=True)
        shutil.copy2(PROJECT_ROOT / MANIFEST, folder / MANIFEST)


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[1]), fields[0])
    return found


def _family(root: int) -> set[int]:
    table, family = _processes(), {root}
    grew = True
    while grew:
        grew = False
        for pid, (parent, _state) in table.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    return family


def _alive(pids: set[int]) -> set[int]:
    table = _processes()
    return {pid for pid in pids if pid in table and table[pid][1] not in ("Z", "X")}


def _wait_loaded(api: GraphQL, process: subprocess.Popen, log: Path) -> list[dict]:
    query = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            entries = api.query(query)["workspaceOrError"]["locationEntries"]
        except Exception:
            entries = []
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            return entries
        time.sleep(1)
    raise AssertionError(f"the UI did not load:\n{log.read_text()[-3000:]}")


def _ctrl_c(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGINT)  # a terminal sends it to the foreground group


def _sigterm(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)  # a service manager stops the command itself


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
@pytest.mark.parametrize("stop", [_ctrl_c, _sigterm], ids=["ctrl-c", "sigterm"])
def test_dev_in_a_folder_of_another_name_warns_nothing_and_stops_quickly(
    tmp_path, make_database, stop
):
    checkout = tmp_path / "exec-reporting-checkout"
    _checkout(checkout)
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOARDROOM_", "POSTHOG_"))},
        "PYTHONPATH": str(checkout),
        "BOARDROOM_DATA_DIR": str(tmp_path / "data"),
        "BOARDROOM_APP_DATABASE_URL": make_database("dev_app"),
        "BOARDROOM_WAREHOUSE_URL": make_database("dev_wh"),
        "BOARDROOM_DAGSTER_DATABASE_URL": make_database("dev_dagster"),
        "COLUMNS": "200",
    }
    env.pop("DAGSTER_HOME", None)
    log = tmp_path / "dev.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "boardroom", "dev", "--port", str(port)],
            cwd=checkout,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
    try:
        entries = _wait_loaded(GraphQL(f"http://127.0.0.1:{port}"), process, log)
        assert [e["name"] for e in entries] == ["boardroom"]
        time.sleep(3)  # the daemon's first ticks
        family = _family(process.pid)
        assert len(family) >= 4, family  # boardroom, dagster dev, webserver, daemon, ...
        pressed = time.monotonic()
        stop(process)
        while _alive(family) and time.monotonic() - pressed < 30:
            time.sleep(0.05)
        stopped_after = time.monotonic() - pressed
        left = _alive(family)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in _alive(_family(process.pid)):
            os.kill(pid, signal.SIGKILL)
    output = log.read_text()
    assert not left, (left, output[-3000:])
    assert stopped_after < STOP_WITHIN_SECONDS, output[-3000:]
    assert process.wait(timeout=5) == 0, output[-3000:]
    assert "Dagster UI stopped." in output
    assert "warning" not in output.lower(), output
