"""Where the repository's folders are: every path found from the package's own location.

Modules take their folders from here rather than counting ``parents`` of their own file, so
a module can move without its paths breaking.
"""

from __future__ import annotations

from pathlib import Path

#: The repository (``boardroom/``, ``orchestration/``, ``dbt_project/``...).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The dbt project (and its ``profiles.yml``).
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
#: The Great Expectations suites of the publication gate.
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
#: The board packs' templates, translations, stylesheet and JSON schema.
EXPORTS_DIR = PROJECT_ROOT / "exports"
#: The Dagster workspace ``boardroom dev`` and ``boardroom run`` load.
WORKSPACE_FILE = PROJECT_ROOT / "workspace.yaml"
#: The Dagster instance configuration linked into ``DAGSTER_HOME``.
DAGSTER_YAML = PROJECT_ROOT / "dagster.yaml"
