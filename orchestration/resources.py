"""Dagster resources: thin, typed handles on the warehouse, the app database and PostHog."""

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


class PostHogQueryResource(dg.ConfigurableResource):
    """PostHog's query API for one project, authenticated with a personal API key."""

    host: str
    project_id: int
    personal_api_key: str
