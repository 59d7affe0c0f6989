"""Where a BI tool connects: the warehouse's address as a BI login sees it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import psycopg

from boardroom import embedded_postgres
from boardroom.database import libpq_url
from boardroom.settings import Settings


@dataclass(frozen=True)
class BiEndpoint:
    """Host, port and database a BI login connects to over TCP."""

    host: str
    port: int
    database: str

    def psql_url(self, login: str, password: str | None = None) -> str:
        """``postgresql://login:***@host:port/db`` (the password only when given)."""
        secret = "***" if password is None else quote(password, safe="")
        return (
            f"postgresql://{quote(login, safe='')}:{secret}@{self._host()}:{self.port}/"
            f"{quote(self.database, safe='')}"
        )

    def psql_url_template(self) -> str:
        """The URL with placeholders for the login and its password, to fill in by hand."""
        return f"postgresql://<login>:<password>@{self._host()}:{self.port}/{self.database}"

    def jdbc_url(self) -> str:
        return f"jdbc:postgresql://{self._host()}:{self.port}/{self.database}"

    def _host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host


def _tcp_host(listen_addresses: str) -> str | None:
    """The address a local client reaches the server at, from ``listen_addresses``."""
    first = listen_addresses.split(",")[0].strip()
    if not first:
        return None  # unix socket only
    wildcard = first in ("*", "::") or first == "0.0.0.0"  # noqa: S104 (read, not bound)
    return "127.0.0.1" if wildcard else first


def bi_endpoint(settings: Settings, conn: psycopg.Connection | None = None) -> BiEndpoint | None:
    """The TCP address BI logins use, or None when the server takes no TCP connections.

    A configured URL with a host names it. A unix-socket URL (the embedded server, or a
    configured socket) says nothing about TCP, so the server is asked through ``conn``
    (``listen_addresses`` and ``port``); without ``conn``, the embedded server's
    ``postmaster.pid`` answers for database ``warehouse``.
    """
    if settings.warehouse_url:
        parts = urlsplit(libpq_url(settings.warehouse_url))
        if parts.hostname and "host=/" not in parts.query:
            database = parts.path.lstrip("/") or "postgres"
            return BiEndpoint(parts.hostname, parts.port or 5432, database)
    if conn is not None:
        listen, port, database = conn.execute(
            "SELECT current_setting('listen_addresses'), current_setting('port')::int, "
            "current_database()"
        ).fetchone()
        host = _tcp_host(listen)
        return None if host is None else BiEndpoint(host, port, database)
    if settings.warehouse_url:
        return None
    where = embedded_postgres.address(settings.postgres_data_dir)
    if where is None:
        return None
    return BiEndpoint(embedded_postgres.TCP_HOST, where.port, "warehouse")
