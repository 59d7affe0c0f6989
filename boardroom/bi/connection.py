"""Where a BI tool connects: the warehouse's address as a BI login sees it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

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
        host = f"[{self.host}]" if ":" in self.host else self.host
        return (
            f"postgresql://{quote(login, safe='')}:{secret}@{host}:{self.port}/"
            f"{quote(self.database, safe='')}"
        )

    def jdbc_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"jdbc:postgresql://{host}:{self.port}/{self.database}"


def bi_endpoint(settings: Settings) -> BiEndpoint | None:
    """The configured warehouse's host, or the embedded server's TCP door (None when the
    embedded server is not running or the configured URL names a unix socket)."""
    if settings.warehouse_url:
        parts = urlsplit(libpq_url(settings.warehouse_url))
        if not parts.hostname or "host=/" in parts.query:
            return None
        return BiEndpoint(parts.hostname, parts.port or 5432, parts.path.lstrip("/") or "postgres")
    where = embedded_postgres.address(settings.postgres_data_dir)
    if where is None:
        return None
    return BiEndpoint(embedded_postgres.TCP_HOST, where.port, "warehouse")
