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
