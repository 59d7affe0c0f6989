"""Where the exports live: templates and schema in ``exports/``, packs in the output folder."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from boardroom.paths import EXPORTS_DIR
from boardroom.settings import Settings

TEMPLATES_DIR = EXPORTS_DIR / "templates"
I18N_DIR = EXPORTS_DIR / "i18n"
SCHEMA_PATH = EXPORTS_DIR / "board_pack.schema.json"
CSS_PATH = EXPORTS_DIR / "pack.css"


def output_dir(settings: Settings | None = None, env: dict[str, str] | None = None) -> Path:
    """``BOARDROOM_OUTPUT_DIR``, else ``<data dir>/packs``."""
    return (settings or Settings.from_env(env)).packs_dir


def tenant_folder(tenant_id: str) -> str:
    """A file-system-safe, collision-free folder name for a tenant id (any characters)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", tenant_id).strip("-")[:40] or "tenant"
    digest = hashlib.sha256(tenant_id.encode()).hexdigest()[:8]
    return f"{safe}-{digest}"
