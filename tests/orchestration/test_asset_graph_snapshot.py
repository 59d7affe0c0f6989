"""The code location's shape against a committed snapshot.

``orchestration.definitions`` is loaded in a fresh interpreter (no ``BOARDROOM_*`` setting of
the caller's shell, an empty data folder) and described as sorted JSON: every asset with its
group, dependencies, owners, kinds, partitions and checks; the jobs with the assets and
checks they select; the schedules with their cron; the sensors with their targets. Any change
to the graph shows up as a diff of ``snapshots/asset_graph.json`` in review.

After an intended change, refresh the snapshot and commit it::

    BOARDROOM_UPDATE_SNAPSHOTS=1 uv run pytest tests/orchestration/test_asset_graph_snapshot.py
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "asset_graph.json"
UPDATE_ENV = "BOARDROOM_UPDATE_SNAPSHOTS"
REFRESH = f"{UPDATE_ENV}=1 uv run pytest {Path(__file__).relative_to(REPO)}"


def _key(key: Any) -> str:
    return key.to_user_string()


def describe_definitions() -> dict[str, Any]:
    """The loaded code location as plain, sorted data (no timestamps, hashes or paths)."""
    from orchestration.definitions import defs

    definitions = defs()
    graph = definitions.resolve_asset_graph()
    repository = definitions.get_repository_def()

    checks: dict[str, list[str]] = {}
    for check in graph.asset_check_keys:
        checks.setdefault(_key(check.asset_key), []).append(check.name)
    assets = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        kind = "materializable" if node.is_materializable else "observable"
        if not node.is_executable:
            kind = "external"
        assets[_key(key)] = {
            "type": kind,
            "group": node.group_name,
            "deps": sorted(_key(k) for k in node.parent_keys),
            "owners": sorted(node.owners),
            "kinds": sorted(node.kinds),
            "partitions": str(node.partitions_def) if node.partitions_def else None,
            "checks": sorted(checks.get(_key(key), [])),
        }
    jobs = {}
    for job in definitions.jobs or []:
        selection = job.selection
        jobs[job.name] = {
            "assets": sorted(_key(k) for k in selection.resolve(graph)),
            "checks": sorted(
                f"{_key(c.asset_key)}:{c.name}" for c in selection.resolve_checks(graph)
            ),
        }
    schedules = {
        s.name: {
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "job": s.job_name,
            "default_status": s.default_status.value,
        }
        for s in repository.schedule_defs
    }
    sensors = {
        s.name: {
            "type": type(s).__name__,
            "jobs": sorted(t.job_name for t in s.targets) if s.has_jobs else [],
            "default_status": s.default_status.value,
            "minimum_interval_seconds": s.minimum_interval_seconds,
        }
        for s in repository.sensor_defs
    }
    return {"assets": assets, "jobs": jobs, "schedules": schedules, "sensors": sensors}


def render(description: dict[str, Any]) -> str:
    return json.dumps(description, indent=2, sort_keys=True) + "\n"


def _describe_in_a_clean_process() -> str:
    """The description from a new interpreter: settings of the caller's environment (a
    cron, a data folder with a recorded partitions start) do not leak into the snapshot."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOARDROOM_")}
    with tempfile.TemporaryDirectory(prefix="boardroom-snapshot-") as data_dir:
        env["BOARDROOM_DATA_DIR"] = data_dir
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        code = (
            "import sys; from tests.orchestration.test_asset_graph_snapshot import "
            "describe_definitions, render; sys.stdout.write(render(describe_definitions()))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


def test_asset_graph_matches_the_snapshot() -> None:
    current = _describe_in_a_clean_process()
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(current)
        return
    expected = SNAPSHOT.read_text() if SNAPSHOT.exists() else ""
    if current != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                current.splitlines(keepends=True),
                fromfile=f"{SNAPSHOT.relative_to(REPO)} (committed)",
                tofile="orchestration.definitions (now)",
                n=2,
            )
        )
        shown = diff if len(diff) < 6000 else diff[:6000] + "\n... (diff cut)\n"
        pytest.fail(
            "The asset graph differs from its snapshot. If the change is intended, refresh "
            f"the snapshot and commit it:\n\n    {REFRESH}\n\n{shown}",
            pytrace=False,
        )
