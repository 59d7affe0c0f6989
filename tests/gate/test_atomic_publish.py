"""A reader querying during a publish sees a tenant's old rows or its new rows, never a mix."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from boardroom.gate import publish_tenants
from boardroom.gate.security import BI_READER
from tests.gate.conftest import MAX_DATE, MIN_DATE

TENANT = "t_004"
QUERY = (
    "SELECT (SELECT sum(revenue_won_30d) FROM marts.exec_overview), "
    "(SELECT sum(revenue_won_30d) FROM marts.revenue_protection), "
    "(SELECT sum(api_requests_7d) FROM marts.ops_system_health)"
)


def wait_until_blocked(url: str, application_name: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE application_name = %s "
                "AND state = 'active'",
                (application_name,),
            ).fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.1)
    raise AssertionError("the publisher never blocked")


@pytest.fixture(scope="module")
def published(module_clone, login_roles):
    url = module_clone()
    publish_tenants(url, MIN_DATE, MAX_DATE)
    return url, login_roles(url, BI_READER, tenant=TENANT)


def test_reader_sees_old_then_new_never_a_mix(published) -> None:
    url, reader_url = published
    with psycopg.connect(reader_url) as reader:
        old = reader.execute(QUERY).fetchone()
        reader.rollback()
    with psycopg.connect(url) as conn:
        for table, column in (
            ("exec_overview", "revenue_won_30d"),
            ("revenue_protection", "revenue_won_30d"),
        ):
            conn.execute(
                f"UPDATE audit.{table} SET {column} = {column} + 100 WHERE tenant_id = %s",
                (TENANT,),
            )
        conn.execute(
            "UPDATE audit.ops_system_health SET api_requests_7d = api_requests_7d + 1 "
            "WHERE tenant_id = %s",
            (TENANT,),
        )
    days = (MAX_DATE - MIN_DATE).days + 1
    new_expected = (old[0] + 100 * days, old[1] + 100 * days, old[2] + days)

    holder = psycopg.connect(url)
    # ops_system_health is merged after exec_overview and revenue_protection: holding it
    # stops the publisher mid-transaction with the first two already rewritten.
    holder.execute("LOCK TABLE marts.ops_system_health IN SHARE MODE")
    app = "gate-test-publisher"
    errors: list[BaseException] = []

    def publish() -> None:
        try:
            separator = "&" if "?" in url else "?"
            publish_tenants(
                f"{url}{separator}application_name={app}", MIN_DATE, MAX_DATE, tenants=[TENANT]
            )
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=publish)
    thread.start()
    try:
        wait_until_blocked(url, app)
        with psycopg.connect(reader_url) as reader:
            during = reader.execute(QUERY).fetchone()
    finally:
        holder.rollback()
        holder.close()
        thread.join(timeout=120)
    assert not errors
    assert during == old
    with psycopg.connect(reader_url) as reader:
        assert reader.execute(QUERY).fetchone() == new_expected
