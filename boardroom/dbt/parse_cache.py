"""dbt's partial-parse state, kept per warehouse between runs.

Every run gets its own dbt target folder (parallel invocations must not share one), and a
target folder without ``partial_parse.msgpack`` makes dbt parse the whole project, several
seconds a run. dbt also discards that state when the connection it was parsed with
differs (database, host, user...) or an environment variable of the project's
configuration changed (the selection of ``selectors.yml``), so one copy is kept per
connection and selection: :func:`restore`
puts it in a new target folder before dbt starts, :func:`save` keeps the one a successful
run leaves. dbt checks every file's checksum against it, so an edited project is re-parsed
where it changed; a stale copy costs a re-parse, never a wrong build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from boardroom.paths import DBT_PROJECT_DIR

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
CACHE_DIR = DBT_PROJECT_DIR / "target" / "partial_parse"
#: States kept at most (about 1.4 MB each); the least recently saved go first. A
#: deployment has one warehouse; the test suite creates a database per scenario.
MAX_KEPT = 8
_CONNECTION_KEYS = (
    "BOARDROOM_DBT_HOST",
    "BOARDROOM_DBT_PORT",
    "BOARDROOM_DBT_USER",
    "BOARDROOM_DBT_DBNAME",
    "BOARDROOM_DBT_SCHEMA",
    "BOARDROOM_DBT_SSLMODE",
    # selectors.yml reads it, and dbt re-parses the whole project when an environment
    # variable of the project's configuration changes: one state per selection.
    "BOARDROOM_DBT_LEAVE_OUT_TAG",
)


def cache_path(profile_env: Mapping[str, str], cache_dir: Path = CACHE_DIR) -> Path:
    """Where the state for this connection (``dbt_env_from_url``'s variables) is kept.
    The name is a digest: no host or database name is written in clear."""
    identity = "\x00".join(f"{key}={profile_env.get(key, '')}" for key in _CONNECTION_KEYS)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:24]
    return cache_dir / f"{digest}.msgpack"


def restore(target_dir: Path, profile_env: Mapping[str, str], cache_dir: Path = CACHE_DIR) -> bool:
    """Copy the kept state into ``target_dir`` unless it already holds one; True if copied."""
    source = cache_path(profile_env, cache_dir)
    destination = target_dir / PARTIAL_PARSE_FILE
    if not source.exists() or destination.exists():
        return False
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
    return True


def save(target_dir: Path, profile_env: Mapping[str, str], cache_dir: Path = CACHE_DIR) -> bool:
    """Keep the state a run left in ``target_dir``; True if there was one.

    Written to a temporary file and renamed, so a run starting meanwhile reads the old
    state or the new one, never half of one.
    """
    produced = target_dir / PARTIAL_PARSE_FILE
    if not produced.exists():
        return False
    destination = cache_path(profile_env, cache_dir)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, suffix=".tmp")
    os.close(handle)
    try:
        shutil.copyfile(produced, temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    _prune(destination.parent)
    return True


def _prune(cache_dir: Path) -> None:
    kept = sorted(cache_dir.glob("*.msgpack"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in kept[MAX_KEPT:]:
        stale.unlink(missing_ok=True)
