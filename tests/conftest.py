"""Shared fixtures: a real Postgres server and fresh databases per test.

Set BOARDROOM_TEST_DATABASE_URL (a superuser URL to any database) to test against an
existing server; otherwise an embedded server from ``pgserver`` is started for the session
in a temporary folder and deleted afterwards.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from boardroom.sources.app_db import create_app_schema

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """Superuser URL of the Postgres server the tests use."""
    configured = os.environ.get("BOARDROOM_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    import pgserver

    os.environ.setdefault(
        "XDG_RUNTIME_DIR", os.path.join(tempfile.gettempdir(), f"runtime-{os.getuid()}")
    )
    folder = Path(tempfile.mkdtemp(prefix="boardroom-test-pg-"))
    server = pgserver.get_server(folder, cleanup_mode="delete")
    try:
        yield server.get_uri("postgres")
    finally:
        server.cleanup()


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
