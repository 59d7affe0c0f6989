"""The dbt project as Dagster sees it, and a manifest that is never missing or stale.

``dagster-dbt`` builds the assets from ``target/dagster/manifest.json`` at import time.
A fresh clone has none, and one left behind by an older checkout can describe models that
no longer exist, so the manifest is (re)parsed (``dbt parse``, no database needed) when it
is missing or older than any file of the project. Under ``dagster dev`` this also picks up
edits on reload, which is what ``DbtProject.prepare_if_dev`` is for.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from dagster._utils import run_with_concurrent_update_guard
from dagster_dbt import DbtProject

from boardroom.dbt_env import DBT_PROJECT_DIR
from boardroom.dbt_runner import dbt_executable

log = logging.getLogger(__name__)

#: Kept apart from ``target/`` (which plain ``dbt`` runs overwrite) so loading definitions
#: never reads a manifest another process is writing.
MANIFEST_TARGET = Path("target") / "dagster"

_SOURCE_DIRS = ("models", "macros", "seeds", "snapshots", "tests", "analyses")
_SOURCE_FILES = ("dbt_project.yml", "selectors.yml", "packages.yml", "dependencies.yml")


def _project_files(project_dir: Path) -> Iterable[Path]:
    for name in _SOURCE_FILES:
        path = project_dir / name
        if path.exists():
            yield path
    for folder in _SOURCE_DIRS:
        root = project_dir / folder
        if root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file())


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than a file of the project."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in _project_files(Path(project.project_dir)))


def _parse(project: DbtProject) -> None:
    target = project.manifest_path.parent
    command = [dbt_executable(), "--no-use-colors", "parse", "--quiet"]
    command += ["--project-dir", str(project.project_dir)]
    command += ["--profiles-dir", str(project.profiles_dir)]
    command += ["--target-path", str(target), "--log-path", str(target)]
    # The profile's env_var() calls all have defaults: parsing needs no database.
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not project.manifest_path.exists():
        tail = (result.stdout[-4000:] + "\n" + result.stderr[-2000:]).strip()
        raise RuntimeError(f"dbt parse of {project.project_dir} failed:\n{tail}")


def prepare_manifest(project: DbtProject) -> Path:
    """Run ``dbt parse`` for ``project`` if its manifest is missing or stale.

    Several processes may load the definitions at once (webserver, daemon, run workers):
    a lock next to the manifest lets one parse while the others wait and reuse its result.
    """
    if manifest_is_stale(project):
        log.info("Parsing the dbt project into %s", project.manifest_path)
        project.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        run_with_concurrent_update_guard(
            project.manifest_path, _parse, guard_timeout_seconds=300, project=project
        )
    return project.manifest_path


boardroom_dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target_path=MANIFEST_TARGET,
)
prepare_manifest(boardroom_dbt_project)
