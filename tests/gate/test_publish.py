"""A clean gate run publishes every tenant and logs it; publishing again changes nothing."""

from __future__ import annotations

import psycopg
import pytest

from boardroom.gate import publish_tenants
from boardroom.gate.gate import run_gate
from boardroom.gate.marts import MARTS
from tests.gate.conftest import MAX_DATE, MIN_DATE, table_rows

DAYS = (MAX_DATE - MIN_DATE).days + 1


@pytest.fixture(scope="module")
def published(module_clone):
    url = module_clone()
    report = run_gate(url, MIN_DATE, MAX_DATE, run_id="run-clean")
    return url, report


def test_clean_run_publishes_every_tenant(published) -> None:
    url, report = published
    assert report.withheld == {}
    tenants = report.evaluation.tenants()
    assert len(tenants) == 8 and "t_o'brien" in tenants
    assert sorted(report.publication.tenants) == tenants
    assert report.publication.platform is not None
    with psycopg.connect(url) as conn:
        for mart in MARTS:
            audit = conn.execute(f'SELECT count(*) FROM audit."{mart}"').fetchone()[0]
            pub = conn.execute(f'SELECT count(*) FROM marts."{mart}"').fetchone()[0]
            assert pub == audit > 0, mart
            nulls = conn.execute(
                f'SELECT count(*) FROM marts."{mart}" WHERE published_at IS NULL'
            ).fetchone()[0]
            assert nulls == 0
        pk = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'marts.deliverability_by_channel'::regclass AND contype = 'p'"
        ).fetchone()[0]
        assert pk == "PRIMARY KEY (tenant_id, as_of_date, channel)"


def test_clean_run_is_logged(published) -> None:
    url, _ = published
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tenant_id, count(*), min(as_of_date), max(as_of_date), "
            "bool_and(outcome = 'published'), bool_and(run_id = 'run-clean') "
            "FROM marts.publication_log GROUP BY tenant_id ORDER BY tenant_id NULLS LAST"
        ).fetchall()
        counts = conn.execute(
            "SELECT row_counts, checks_summary FROM marts.publication_log "
            "WHERE tenant_id = 't_001' AND as_of_date = %s",
            (MAX_DATE,),
        ).fetchone()
    assert len(rows) == 9  # 8 tenants + the platform marts (tenant_id null)
    for _tenant, n, first, last, all_published, same_run in rows:
        assert (n, first, last, all_published, same_run) == (DAYS, MIN_DATE, MAX_DATE, True, True)
    row_counts, summary = counts
    assert row_counts["exec_overview"] == 1 and row_counts["deliverability_by_channel"] >= 3
    assert row_counts["tenant_summary"] == 1
    assert summary["withheld"] == {} and summary["marts"]["exec_overview"]["severity"] == "ok"


def test_publishing_twice_changes_nothing(published) -> None:
    url, _ = published
    before = {mart: table_rows(url, mart) for mart in MARTS}
    again = publish_tenants(url, MIN_DATE, MAX_DATE, run_id="run-again")
    assert not again.changed
    assert {mart: table_rows(url, mart) for mart in MARTS} == before  # published_at kept
    subset = publish_tenants(url, MAX_DATE, MAX_DATE, tenants=["t_001"], platform=False)
    assert list(subset.tenants) == ["t_001"] and not subset.changed
    assert subset.tenants["t_001"].marts["exec_overview"].rows == 1


def test_changed_rows_are_republished(published) -> None:
    url, _ = published
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE audit.revenue_protection SET revenue_won_30d = revenue_won_30d + 1 "
            "WHERE tenant_id = 't_002' AND as_of_date = %s",
            (MAX_DATE,),
        )
        old = conn.execute(
            "SELECT published_at FROM marts.revenue_protection WHERE tenant_id = 't_002' "
            "AND as_of_date = %s",
            (MAX_DATE,),
        ).fetchone()[0]
    report = publish_tenants(url, MIN_DATE, MAX_DATE, tenants=["t_002"], platform=False)
    change = report.tenants["t_002"].marts["revenue_protection"]
    assert (change.inserted, change.deleted) == (1, 1)
    assert sum(m.inserted for m in report.tenants["t_002"].marts.values()) == 1
    with psycopg.connect(url) as conn:
        new = conn.execute(
            "SELECT published_at FROM marts.revenue_protection WHERE tenant_id = 't_002' "
            "AND as_of_date = %s",
            (MAX_DATE,),
        ).fetchone()[0]
    assert new > old
