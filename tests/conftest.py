"""Shared fixtures: a real Postgres server and fresh databases per test.

Set BOARDROOM_TEST_DATABASE_URL (a superuser URL over TCP to any database) to test against
an existing server; otherwise Boardroom's embedded server (``pgserver``, listening on a unix
socket and on 127.0.0.1) is started for the session in a temporary folder and deleted
afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from boardroom.sources.app_db import create_app_schema

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def pytest_configure(config: pytest.Config) -> None:
    """Keep the suite out of the checkout's own data folder: after `make demo`, `.boardroom`
    holds a recorded partitions start, an embedded server and packs that no test may read
    (or write). Tests that need a data folder name their own."""
    os.environ["BOARDROOM_DATA_DIR"] = tempfile.mkdtemp(prefix="boardroom-test-data-")


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@dataclass(frozen=True)
class PgServer:
    """The test server: a superuser URL, and the TCP address password logins use."""

    admin_url: str
    tcp_host: str
    tcp_port: int


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    configured = os.environ.get("BOARDROOM_TEST_DATABASE_URL")
    if configured:
        parts = urlsplit(configured)
        yield PgServer(configured, parts.hostname or "127.0.0.1", parts.port or 5432)
        return
    from boardroom import embedded_postgres

    # The embedded server as users get it: superuser over the socket, logins over TCP.
    folder = Path(tempfile.mkdtemp(prefix="boardroom-test-pg-"))
    data_dir = folder / "pgdata"
    try:
        embedded_postgres.ensure_running(data_dir)
        where = embedded_postgres.address(data_dir)
        assert where is not None
        yield PgServer(where.admin_url("postgres"), embedded_postgres.TCP_HOST, where.port)
    finally:
        embedded_postgres.stop(data_dir)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_admin_url(pg_server: PgServer) -> str:
    """Superuser URL of the Postgres server the tests use."""
    return pg_server.admin_url


@pytest.fixture
def make_database(pg_admin_url: str) -> Iterator[Callable[[str], str]]:
    """Factory: create an empty, uniquely named database and return its URL."""
    created: list[str] = []

    def make(prefix: str = "t") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        return _with_database(pg_admin_url, name)

    yield make
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        for name in created:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def app_db_url(make_database: Callable[[str], str]) -> str:
    """A fresh database holding the empty ``app`` schema of the source contract."""
    url = make_database("app")
    with psycopg.connect(url) as conn:
        create_app_schema(conn)
    return url


@pytest.fixture
def warehouse_url(make_database: Callable[[str], str]) -> str:
    """A fresh, empty warehouse database."""
    return make_database("wh")


@pytest.fixture(scope="session")
def demo_warehouse(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory):
    """The demo data set ingested and built into audited marts, once per session (a template
    database: use ``clone_demo_warehouse`` to get a private copy)."""
    from tests.support.demo_warehouse import build_demo_warehouse, drop_database

    name = f"demo_tpl_{uuid.uuid4().hex[:8]}"
    built = build_demo_warehouse(pg_admin_url, tmp_path_factory.mktemp("demo"), name=name)
    yield built
    drop_database(pg_admin_url, name)
    drop_database(pg_admin_url, f"{name}_app")


@pytest.fixture
def clone_demo_warehouse(demo_warehouse) -> Iterator[Callable[[], str]]:
    """Factory: a private copy of the built demo warehouse (URL), dropped after the test."""
    from tests.support.demo_warehouse import demo_clones

    with demo_clones(demo_warehouse) as clone:
        yield clone
