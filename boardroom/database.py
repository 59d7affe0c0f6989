"""Database URLs and connections, with clear errors instead of tracebacks."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from boardroom import embedded_postgres
from boardroom.settings import Settings, mask_url


class DatabaseUnavailable(RuntimeError):
    """A configured database server cannot be reached; the message names it (password masked)."""


@dataclass(frozen=True)
class DatabaseUrls:
    app: str
    warehouse: str
    dagster: str


def resolve_urls(settings: Settings) -> DatabaseUrls:
    """URLs of the three databases: configured ones as given, the rest from the embedded server."""
    configured = {
        "app": settings.app_database_url,
        "warehouse": settings.warehouse_url,
        "dagster": settings.dagster_database_url,
    }
    if not all(configured.values()):
        embedded = embedded_postgres.ensure_running(
            settings.postgres_data_dir, port=settings.embedded_postgres_port
        )
        configured = {name: url or embedded[name] for name, url in configured.items()}
    return DatabaseUrls(**configured)  # type: ignore[arg-type]


_SCHEMES = ("postgresql://", "postgres://")


def libpq_url(url: str) -> str:
    """``postgresql+psycopg2://...`` (an SQLAlchemy driver name) -> ``postgresql://...``."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.startswith(("postgresql+", "postgres+")):
        return "postgresql://" + rest
    return url


def dagster_storage_url(url: str) -> str:
    """Name the psycopg2 driver for Dagster's storage: SQLAlchemy 2.1 maps a bare
    ``postgresql://`` to psycopg 3, on which dagster-postgres' ``NOTIFY`` fails."""
    for scheme in _SCHEMES:
        if url.startswith(scheme):
            return "postgresql+psycopg2://" + url[len(scheme) :]
    return url


def connect(url: str, *, autocommit: bool = False, **kwargs) -> psycopg.Connection:
    """Open a connection, turning "cannot connect" into :class:`DatabaseUnavailable`."""
    try:
        return psycopg.connect(libpq_url(url), autocommit=autocommit, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(
            f"Cannot connect to the database at {mask_url(url)}: {reason}. "
            "Check the server is running and the URL in the environment is right, "
            "or unset the variable to use the embedded server."
        ) from None
