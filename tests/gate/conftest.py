"""Gate fixtures: module-scoped private copies of the demo warehouse and reader roles."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from urllib.parse import quote, urlsplit

import psycopg
import pytest
from psycopg import sql

MIN_DATE = date(2026, 3, 11)
MAX_DATE = date(2026, 3, 31)


@pytest.fixture(scope="module")
def module_clone(demo_warehouse) -> Iterator[Callable[[], str]]:
    """Factory: a private copy of the built demo warehouse shared by one test module."""
    from tests.support.demo_warehouse import demo_clones

    with demo_clones(demo_warehouse, prefix="gate") as clone:
        yield clone


def tcp_url(pg_server, database_url: str, user: str, password: str) -> str:
    """A URL to ``database_url``'s database over TCP as ``user`` (as a BI tool connects)."""
    database = urlsplit(database_url).path
    return (
        f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}"
        f"@{pg_server.tcp_host}:{pg_server.tcp_port}{database}"
    )


@pytest.fixture(scope="module")
def login_roles(pg_server) -> Iterator[Callable[..., str]]:
    """Factory: a BI login made as `boardroom bi` makes it, member of ``member_of`` (a
    tenant reader of ``tenant``; with no tenant, a reader with no mapping). Returns a TCP URL
    to ``database_url``'s database as that login. Dropped at module end."""
    from boardroom.bi.logins import add_app_login, add_platform_reader, add_reader
    from boardroom.gate.security import BI_READER, PLATFORM_READER, TENANT_APP, ensure_roles

    made: list[str] = []
    admin = psycopg.connect(pg_server.admin_url, autocommit=True)

    def make(database_url: str, member_of: str, tenant: str | None = None) -> str:
        name = f"gate_reader_{uuid.uuid4().hex[:8]}"
        password = uuid.uuid4().hex
        made.append(name)
        with psycopg.connect(database_url, autocommit=True) as conn:
            if member_of == BI_READER and tenant is not None:
                add_reader(conn, name, [tenant], password)
            elif member_of == PLATFORM_READER:
                add_platform_reader(conn, name, password)
            elif member_of == TENANT_APP:
                add_app_login(conn, name, password)
            else:  # a reader someone made by hand, with no tenant mapped
                ensure_roles(conn)
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                        sql.Identifier(name), sql.Literal(password), sql.Identifier(member_of)
                    )
                )
        return tcp_url(pg_server, database_url, name, password)

    yield make
    for name in made:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
    admin.close()


def table_rows(url: str, table: str) -> list[tuple]:
    """Every row of ``marts.<table>`` in key order (as the owner)."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            sql.SQL("SELECT * FROM {} ORDER BY 1, 2, 3").format(sql.Identifier("marts", table))
        ).fetchall()
