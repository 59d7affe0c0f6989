"""Gate fixtures: module-scoped private copies of the demo warehouse and reader roles."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from urllib.parse import quote, urlsplit, urlunsplit

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


def url_for(url: str, user: str, password: str) -> str:
    """``url`` with another user and password (host, database and query kept)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{quote(user)}:{quote(password)}@{host}"))


@pytest.fixture(scope="module")
def login_roles(pg_admin_url: str) -> Iterator[Callable[..., str]]:
    """Factory: a login role IN ROLE ``member_of`` (optional tenant default); returns a URL
    to ``database_url``'s database as that role. Dropped at module end."""
    made: list[str] = []
    admin = psycopg.connect(pg_admin_url, autocommit=True)

    def make(database_url: str, member_of: str, tenant: str | None = None) -> str:
        from boardroom.gate.security import ensure_roles

        ensure_roles(admin)
        name = f"gate_reader_{uuid.uuid4().hex[:8]}"
        password = uuid.uuid4().hex
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(name), sql.Literal(password), sql.Identifier(member_of)
            )
        )
        made.append(name)
        if tenant is not None:
            admin.execute(
                sql.SQL("ALTER ROLE {} SET boardroom.tenant_id = {}").format(
                    sql.Identifier(name), sql.Literal(tenant)
                )
            )
        return url_for(database_url, name, password)

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
