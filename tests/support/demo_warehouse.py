"""A warehouse built from demo data the way production builds it, once per test session.

Demo rows go into a real ``app`` database and demo events through the real ``posthog`` SDK
into the local PostHog stand-in; ingestion pulls both into ``raw``; one ``dbt build`` makes
the audited marts. The result is kept as a template database that tests clone in a second
(``CREATE DATABASE ... TEMPLATE``), so a test may corrupt, publish or delete freely.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from boardroom.dbt.runner import build_marts
from boardroom.demo import DemoSpec, load_operational, send_events
from boardroom.ingest.app_tables import extract_app_tables
from boardroom.ingest.events import EventIngestReport, ingest_events
from boardroom.ingest.posthog_query import PostHogQueryClient
from boardroom.posthog_local import PostHogLocal
from boardroom.sources.app_db import create_app_schema

PROJECT_ID = 1
PROJECT_KEY = "phc_test_project_key"
PERSONAL_KEY = "phx_test_personal_key"

#: Small enough to build in well under a minute, large enough that every status level of
#: every dimension is reached and Arabic-locale and quote-in-id tenants exist.
TEST_SPEC = DemoSpec(seed=11, tenants=8, days=21, end_date=date(2026, 3, 31))


@dataclass(frozen=True)
class DemoWarehouse:
    """Where the built demo lives: the template database and the sources it came from."""

    admin_url: str
    template: str
    app_url: str
    spec: DemoSpec
    event_report: EventIngestReport

    @property
    def min_date(self) -> date:
        return self.spec.start_date

    @property
    def max_date(self) -> date:
        return self.spec.end_date


def database_url(admin_url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(statement)
    return database_url(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def build_demo_warehouse(
    admin_url: str, work_dir: Path, *, name: str, spec: DemoSpec = TEST_SPEC
) -> DemoWarehouse:
    """Generate ``spec`` into fresh sources, ingest both and build the marts in ``name``."""
    app_url = create_database(admin_url, f"{name}_app")
    warehouse_url = create_database(admin_url, name)
    with psycopg.connect(app_url) as conn:
        create_app_schema(conn)
        load_operational(conn, spec)
    with PostHogLocal(
        work_dir / "posthog",
        project_id=PROJECT_ID,
        project_api_key=PROJECT_KEY,
        personal_api_key=PERSONAL_KEY,
    ) as server:
        send_events(spec, server.url, PROJECT_KEY, progress=False)
        extract_app_tables(app_url, warehouse_url)
        with PostHogQueryClient(server.url, PROJECT_ID, PERSONAL_KEY) as client:
            report = ingest_events(
                client, warehouse_url, spec.start_date, spec.end_date + timedelta(days=1)
            )
    build_marts(warehouse_url, spec.start_date, spec.end_date, work_dir=work_dir / "dbt")
    return DemoWarehouse(admin_url, name, app_url, spec, report)


@contextmanager
def demo_clones(built: DemoWarehouse, prefix: str = "demo") -> Iterator[Callable[[], str]]:
    """Factory of private copies of ``built`` (URLs); every copy is dropped on exit."""
    made: list[str] = []

    def clone() -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        made.append(name)
        return create_database(built.admin_url, name, template=built.template)

    try:
        yield clone
    finally:
        for name in made:
            drop_database(built.admin_url, name)
