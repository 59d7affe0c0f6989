"""The embedded server starts on demand, is reused by later commands, and stops cleanly."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

from boardroom import embedded_postgres
from boardroom.database import DatabaseUnavailable, connect, resolve_urls
from boardroom.settings import Settings


@pytest.fixture
def data_dir():
    folder = Path(tempfile.mkdtemp(prefix="boardroom-embedded-"))
    yield folder / "pgdata"
    embedded_postgres.stop(folder / "pgdata")
    shutil.rmtree(folder, ignore_errors=True)


def _postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().splitlines()[0])


def test_start_reuse_and_stop(data_dir):
    assert not embedded_postgres.is_running(data_dir)

    urls = embedded_postgres.ensure_running(data_dir)
    assert set(urls) == {"app", "warehouse", "dagster"}
    assert embedded_postgres.is_running(data_dir)
    first_pid = _postmaster_pid(data_dir)
    for name, url in urls.items():
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone()[0] == name

    # A later command reattaches to the same server instead of starting another.
    again = embedded_postgres.ensure_running(data_dir)
    assert again == urls
    assert _postmaster_pid(data_dir) == first_pid

    assert embedded_postgres.stop(data_dir) is True
    assert not embedded_postgres.is_running(data_dir)
    assert embedded_postgres.stop(data_dir) is False

    # Data survives a stop: a restart finds the databases created before.
    with psycopg.connect(embedded_postgres.ensure_running(data_dir)["warehouse"]) as conn:
        conn.execute("CREATE TABLE kept (x int)")
        conn.commit()
    embedded_postgres.stop(data_dir)
    with psycopg.connect(embedded_postgres.ensure_running(data_dir)["warehouse"]) as conn:
        assert conn.execute("SELECT to_regclass('kept') IS NOT NULL").fetchone()[0]


def test_configured_urls_bypass_the_embedded_server(tmp_path):
    settings = Settings(
        app_database_url="postgresql://a@h1/app",
        warehouse_url="postgresql://a@h1/wh",
        dagster_database_url="postgresql://a@h1/dg",
        data_dir=tmp_path,
    )
    urls = resolve_urls(settings)
    assert (urls.app, urls.warehouse, urls.dagster) == (
        "postgresql://a@h1/app",
        "postgresql://a@h1/wh",
        "postgresql://a@h1/dg",
    )
    assert not (tmp_path / "pgdata").exists()


def test_unreachable_server_gives_a_clear_message_without_the_password():
    with pytest.raises(DatabaseUnavailable) as info:
        connect("postgresql://boardroom:s3cret-pw@127.0.0.1:1/warehouse")
    message = str(info.value)
    assert (
        "Cannot connect to the database at postgresql://boardroom:***@127.0.0.1:1/warehouse"
        in message
    )
    assert "s3cret-pw" not in message


def test_cli_reports_unreachable_server_without_traceback(tmp_path):
    import subprocess
    import sys

    env = {
        **os.environ,
        "BOARDROOM_APP_DATABASE_URL": "postgresql://u:topsecret@127.0.0.1:1/app",
        "BOARDROOM_WAREHOUSE_URL": "postgresql://u:topsecret@127.0.0.1:1/wh",
        "BOARDROOM_DAGSTER_DATABASE_URL": "postgresql://u:topsecret@127.0.0.1:1/dg",
        "BOARDROOM_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "boardroom", "generate", "--force", "--tenants", "1", "--days", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Cannot connect to the database" in result.stderr
    assert "Traceback" not in result.stderr
    assert "topsecret" not in result.stderr + result.stdout


def _tcp(port: int, user: str, password: str) -> str:
    return f"postgresql://{user}:{password}@127.0.0.1:{port}/warehouse"


def test_tcp_door_for_password_logins_only(tmp_path, monkeypatch):
    """BI tools reach the embedded server on 127.0.0.1 with a password (scram-sha-256); the
    superuser is refused there, and `db status` prints where to connect."""
    from typer.testing import CliRunner

    from boardroom.cli.main import app

    port = embedded_postgres._free_port()
    data_dir = tmp_path / "pgdata"
    try:
        urls = embedded_postgres.ensure_running(data_dir, port=port)
        assert embedded_postgres.address(data_dir).port == port
        with psycopg.connect(urls["warehouse"], autocommit=True) as conn:
            conn.execute("CREATE ROLE bi_door LOGIN PASSWORD 'door-pw'")
            stored = conn.execute(
                "SELECT rolpassword FROM pg_authid WHERE rolname = 'bi_door'"
            ).fetchone()[0]
        assert stored.startswith("SCRAM-SHA-256$")
        with psycopg.connect(_tcp(port, "bi_door", "door-pw")) as conn:
            assert conn.execute("SELECT inet_server_addr()::text").fetchone()[0] == "127.0.0.1/32"
        for user, password in (("bi_door", "wrong"), ("postgres", ""), ("postgres", "x")):
            with pytest.raises(psycopg.OperationalError):
                psycopg.connect(_tcp(port, user, password))

        monkeypatch.setenv("BOARDROOM_DATA_DIR", str(tmp_path))
        for name in ("BOARDROOM_WAREHOUSE_URL", "BOARDROOM_APP_DATABASE_URL"):
            monkeypatch.delenv(name, raising=False)
        status = CliRunner().invoke(app, ["db", "status"])
        assert status.exit_code == 0, status.output
        assert f"port      {port}" in status.output
        assert f"psql 'postgresql://<login>:<password>@127.0.0.1:{port}/warehouse'" in status.output
        assert f"jdbc:postgresql://127.0.0.1:{port}/warehouse" in status.output

        # The port is kept across restarts when none is configured.
        embedded_postgres.stop(data_dir)
        embedded_postgres.ensure_running(data_dir)
        assert embedded_postgres.address(data_dir).port == port
    finally:
        embedded_postgres.stop(data_dir)


def test_a_configured_port_in_use_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(embedded_postgres.EmbeddedPostgresError, match=f"{port}.*in use"):
            embedded_postgres.ensure_running(tmp_path / "pgdata", port=port)
    embedded_postgres.stop(tmp_path / "pgdata")
