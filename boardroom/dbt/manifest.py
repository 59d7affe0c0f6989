"""The dbt manifest Dagster builds its assets from, never missing or stale.

``dagster-dbt`` builds the assets from ``target/dagster/manifest.json`` at import time. A
fresh clone has none, and one left behind by an older checkout can describe models that no
longer exist, so the manifest is (re)parsed (``dbt parse``, no database needed) when it is
missing or older than any file of the project. Dagster's ``DbtProject`` fits the
:class:`DbtProjectFiles` shape; ``orchestration/defs/marts/project.py`` adds the lock that
lets one of several processes parse while the others wait.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from boardroom.dbt.process import output_tail, run_dbt_process

#: Kept apart from ``target/`` (which plain ``dbt`` runs overwrite) so loading definitions
#: never reads a manifest another process is writing.
MANIFEST_TARGET = Path("target") / "dagster"

_SOURCE_DIRS = ("models", "macros", "seeds", "snapshots", "tests", "analyses")
_SOURCE_FILES = ("dbt_project.yml", "selectors.yml", "packages.yml", "dependencies.yml")


class DbtProjectFiles(Protocol):
    """Where a dbt project, its profiles and its manifest are."""

    @property
    def project_dir(self) -> Path: ...

    @property
    def profiles_dir(self) -> Path: ...

    @property
    def manifest_path(self) -> Path: ...


def _project_files(project_dir: Path) -> Iterable[Path]:
    for name in _SOURCE_FILES:
        path = project_dir / name
        if path.exists():
            yield path
    for folder in _SOURCE_DIRS:
        root = project_dir / folder
        if root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file())


def manifest_is_stale(project: DbtProjectFiles) -> bool:
    """True when the manifest is missing or older than a file of the project."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in _project_files(Path(project.project_dir)))


def parse_manifest(project: DbtProjectFiles) -> None:
    """``dbt parse`` the project into its manifest's folder (``RuntimeError`` on failure)."""
    target = project.manifest_path.parent
    # The profile's env_var() calls all have defaults: parsing needs no database.
    result = run_dbt_process(
        ["parse", "--quiet"],
        project_dir=Path(project.project_dir),
        profiles_dir=Path(project.profiles_dir),
        target_path=target,
        log_path=target,
        check=False,
    )
    if result.returncode != 0 or not project.manifest_path.exists():
        raise RuntimeError(
            f"dbt parse of {project.project_dir} failed:\n{output_tail(result, 4000)}"
        )
