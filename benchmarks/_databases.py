"""Throw-away databases for the benchmarks: on the embedded server, or on the server of
``BOARDROOM_WAREHOUSE_URL`` when it is set (the URL must allow CREATE DATABASE)."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from boardroom.settings import Settings


class Databases:
    """Creates ``bench_<name>_<random>`` databases and drops them all on :meth:`close`,
    which also stops an embedded server this object started."""

    def __init__(self, root: Path) -> None:
        configured = Settings.from_env().warehouse_url
        self.embedded_dir: Path | None = None
        if configured:
            self.admin_url = configured
        else:
            from boardroom import embedded_postgres

            self.embedded_dir = root / "pgdata"
            self.admin_url = embedded_postgres.ensure_running(self.embedded_dir)["warehouse"]
        self.created: list[str] = []

    def create(self, name: str) -> str:
        """A new empty database; returns its URL."""
        name = f"bench_{name}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.created.append(name)
        return urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{name}"))

    def create_from_template(self, name: str, template: str) -> str:
        """A new database copied from ``template`` (which must have no open connection)."""
        name = f"bench_{name}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        self.created.append(name)
        return urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{name}"))

    def drop(self, url: str) -> None:
        """Drop a database :meth:`create` or :meth:`create_from_template` made, by its URL."""
        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self.created:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        if self.embedded_dir is not None:
            from boardroom import embedded_postgres

            embedded_postgres.stop(self.embedded_dir)
