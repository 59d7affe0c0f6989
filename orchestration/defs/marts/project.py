"""The dbt project as Dagster sees it, its manifest parsed before the assets are built.

The manifest is (re)parsed when missing or stale (:mod:`boardroom.dbt.manifest`). Under
``dagster dev`` this also picks up edits on reload, which is what
``DbtProject.prepare_if_dev`` is for.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dagster._utils import run_with_concurrent_update_guard
from dagster_dbt import DbtProject

from boardroom.dbt.manifest import MANIFEST_TARGET, manifest_is_stale, parse_manifest
from boardroom.paths import DBT_PROJECT_DIR

log = logging.getLogger(__name__)


def prepare_manifest(project: DbtProject) -> Path:
    """Run ``dbt parse`` for ``project`` if its manifest is missing or stale.

    Several processes may load the definitions at once (webserver, daemon, run workers):
    a lock next to the manifest lets one parse while the others wait and reuse its result.
    """
    if manifest_is_stale(project):
        log.info("Parsing the dbt project into %s", project.manifest_path)
        project.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        run_with_concurrent_update_guard(
            project.manifest_path, parse_manifest, guard_timeout_seconds=300, project=project
        )
    return project.manifest_path


boardroom_dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target_path=MANIFEST_TARGET,
)
prepare_manifest(boardroom_dbt_project)
