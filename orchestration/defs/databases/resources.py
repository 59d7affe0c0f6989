"""``app_db`` and ``warehouse``: the Postgres databases, each named by a URL (an EnvVar)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import psycopg

from boardroom.database import connect


class PostgresResource(dg.ConfigurableResource):
    """A Postgres database named by URL (from the environment; the password is never logged)."""

    url: str

    @contextmanager
    def connection(self, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
        conn = connect(self.url, autocommit=autocommit)
        try:
            yield conn
        finally:
            conn.close()


@dg.definitions
def database_resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "app_db": PostgresResource(url=dg.EnvVar("BOARDROOM_APP_DATABASE_URL")),
            "warehouse": PostgresResource(url=dg.EnvVar("BOARDROOM_WAREHOUSE_URL")),
        }
    )
