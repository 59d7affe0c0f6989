"""The embedded Postgres server used when no database URL is configured.

It comes from the ``pgserver`` package (PostgreSQL 16 in a wheel), lives under the
git-ignored data folder, listens on a unix socket only, is started on first use and left
running so later commands reuse it, and is stopped by ``boardroom db stop``.
It holds the three databases Boardroom needs: ``app`` (the operational stand-in),
``warehouse`` and ``dagster``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

DATABASES = ("app", "warehouse", "dagster")

log = logging.getLogger(__name__)


def _server(data_dir: Path):
    # Imported lazily: pgserver probes the platform at import time.
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    if not is_running(data_dir):
        # pgserver caches one handle per folder for the life of the process; after a stop
        # that handle is stale, so drop it to have the server started again.
        pgserver.PostgresServer._instances.pop(data_dir.resolve(), None)
    return pgserver.get_server(data_dir, cleanup_mode=None)


def ensure_running(data_dir: Path) -> dict[str, str]:
    """Start (or reattach to) the embedded server and return a URL per database."""
    # pgserver keeps its lock file in the runtime folder; give it one where none is set.
    os.environ.setdefault(
        "XDG_RUNTIME_DIR", str(Path(tempfile.gettempdir()) / f"runtime-{os.getuid()}")
    )
    server = _server(data_dir)
    admin_url = server.get_uri("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        for name in DATABASES:
            if name not in existing:
                log.info("creating database %s in the embedded server", name)
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return {name: server.get_uri(name) for name in DATABASES}


def is_running(data_dir: Path) -> bool:
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return True


def stop(data_dir: Path) -> bool:
    """Stop the embedded server cleanly (fast shutdown). Returns False if it was not running."""
    if not is_running(data_dir):
        return False
    import pgserver

    user = "pgserver" if os.geteuid() == 0 else None
    pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    return True
