"""The embedded Postgres server used when no database URL is configured.

It comes from the ``pgserver`` package (PostgreSQL 16 in a wheel), lives under the
git-ignored data folder, is started on first use and left running so later commands reuse
it, and is stopped by ``boardroom db stop``. It holds the three databases Boardroom needs:
``app`` (the operational stand-in), ``warehouse`` and ``dagster``.

It listens on two doors:

* a unix socket, where only the superuser ``postgres`` gets in without a password
  (Boardroom's own commands, dbt and Dagster use it);
* ``127.0.0.1`` on a TCP port (``BOARDROOM_EMBEDDED_PG_PORT``, else a free port chosen at
  first start and kept), where every login needs its password (``scram-sha-256``): this is
  the door for BI tools and psql.

pgserver starts its servers on a socket only, so Boardroom starts and restarts the server
itself with ``pg_ctl``; pgserver is used to create the data folder (and, as root, the
unprivileged system user the server runs as).
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

DATABASES = ("app", "warehouse", "dagster")
SUPERUSER = "postgres"
TCP_HOST = "127.0.0.1"

#: Included from postgresql.conf: where the server listens and how passwords are stored.
LISTEN_CONF = "boardroom.conf"

#: Client authentication: the superuser over the socket only; everyone else by password.
PG_HBA = """\
# Written by Boardroom on every start of the embedded server (boardroom/embedded_postgres.py).
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 trust
local   all       all                      scram-sha-256
host    all       postgres  127.0.0.1/32   reject
host    all       all       127.0.0.1/32   scram-sha-256
"""

log = logging.getLogger(__name__)


class EmbeddedPostgresError(RuntimeError):
    """The embedded server cannot start as configured; the message says why and what to do."""


@dataclass(frozen=True)
class ServerAddress:
    """Where a running embedded server listens."""

    socket_dir: Path
    port: int

    def admin_url(self, database: str) -> str:
        """Superuser URL over the unix socket (trusted; never leaves the machine)."""
        return (
            f"postgresql://{SUPERUSER}:@/{quote(database)}"
            f"?host={quote(str(self.socket_dir))}&port={self.port}"
        )


def _runtime_dir() -> None:
    """pgserver keeps its lock file in the runtime folder; give it one where none is set
    (private, as the XDG spec wants, or platformdirs warns)."""
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    folder = Path(tempfile.gettempdir()) / f"runtime-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    folder.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(folder)


def _system_user() -> str | None:
    """pgserver runs the server as the unprivileged user ``pgserver`` when we are root."""
    return "pgserver" if os.geteuid() == 0 else None


def _initialise(data_dir: Path) -> None:
    """Create the data folder with pgserver (initdb), then stop the socket-only server it
    starts: Boardroom starts it again with its own listening options."""
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    pgserver.PostgresServer._instances.pop(data_dir.resolve(), None)
    pgserver.get_server(data_dir, cleanup_mode=None)
    pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=_system_user())


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As Postgres does: a port whose last connections are in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((TCP_HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((TCP_HOST, 0))
        return probe.getsockname()[1]


def _kept_port(data_dir: Path) -> int | None:
    conf = data_dir / LISTEN_CONF
    if not conf.exists():
        return None
    for line in conf.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "port":
            try:
                return int(value.strip())
            except ValueError:
                return None
    return None


def _choose_port(data_dir: Path, configured: int | None) -> int:
    """The configured port (which must be free), else the kept one, else a free one."""
    if configured is not None:
        if not port_is_free(configured):
            raise EmbeddedPostgresError(
                f"BOARDROOM_EMBEDDED_PG_PORT={configured}, but {TCP_HOST}:{configured} is in "
                "use by another program. Choose a free port or unset the variable."
            )
        return configured
    kept = _kept_port(data_dir)
    if kept is not None and port_is_free(kept):
        return kept
    port = _free_port()
    if kept is not None:
        log.warning("port %s of the embedded server is taken; listening on %s instead", kept, port)
    return port


def _write_config(data_dir: Path, port: int) -> None:
    (data_dir / LISTEN_CONF).write_text(
        "# Written by Boardroom (boardroom/embedded_postgres.py); see `boardroom db status`.\n"
        f"listen_addresses = '{TCP_HOST}'\n"
        f"port = {port}\n"
        "password_encryption = 'scram-sha-256'\n"
    )
    main_conf = data_dir / "postgresql.conf"
    include = f"include_if_exists = '{LISTEN_CONF}'"
    if include not in main_conf.read_text():
        with main_conf.open("a") as handle:
            handle.write(f"\n{include}\n")
    (data_dir / "pg_hba.conf").write_text(PG_HBA)


def _start(data_dir: Path, port: int | None) -> None:
    import pgserver
    from pgserver.utils import ensure_prefix_permissions, find_suitable_socket_dir

    if not (data_dir / "PG_VERSION").exists():
        _initialise(data_dir)
    _write_config(data_dir, _choose_port(data_dir, port))
    socket_dir = find_suitable_socket_dir(data_dir, pgserver.PostgresServer.runtime_path)
    if _system_user() is not None and socket_dir != data_dir:
        ensure_prefix_permissions(socket_dir)
        socket_dir.chmod(0o777)
    log.info("starting the embedded Postgres server in %s", data_dir)
    pgserver.pg_ctl(
        ["-w", "-o", f"-k {socket_dir}", "-l", str(data_dir / "log"), "start"],
        pgdata=data_dir,
        user=_system_user(),
        timeout=60,
    )


def address(data_dir: Path) -> ServerAddress | None:
    """Where the server of ``data_dir`` listens, or None when it is not running."""
    if not is_running(data_dir):
        return None
    lines = (data_dir / "postmaster.pid").read_text().splitlines()
    # postmaster.pid: pid, data dir, start time, port, socket dir, listen address, ...
    return ServerAddress(socket_dir=Path(lines[4]), port=int(lines[3]))


def ensure_running(data_dir: Path, *, port: int | None = None) -> dict[str, str]:
    """Start (or reattach to) the embedded server and return a superuser URL per database.

    ``port`` is the TCP port for BI logins; None keeps the port chosen before (or picks a
    free one on first start). It only applies when the server is (re)started.
    """
    _runtime_dir()
    if not is_running(data_dir):
        _start(data_dir, port)
    where = address(data_dir)
    if where is None:
        raise EmbeddedPostgresError(
            f"The embedded Postgres server in {data_dir} did not start; see {data_dir / 'log'}."
        )
    with psycopg.connect(where.admin_url("postgres"), autocommit=True) as conn:
        existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        for name in DATABASES:
            if name not in existing:
                log.info("creating database %s in the embedded server", name)
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return {name: where.admin_url(name) for name in DATABASES}


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

    pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=_system_user())
    return True
