"""A tenant-scoped publication (publish_marts config ``tenants``) changes that tenant only.

Through Dagster in-process against a private copy of the demo warehouse: the GX checks and
the publish asset run as in the daily job, with the scope as run config.
"""

from __future__ import annotations

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from boardroom.gate import publish_tenants
from boardroom.gate.marts import MARTS
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.gate.assets import publish_marts
from orchestration.defs.gate.checks import GX_CHECKS
from tests.gate.conftest import MAX_DATE, MIN_DATE
from tests.support.audit_assets import audit_marts_already_built

SCOPED = "t_007"
OTHER_FIXED = "t_004"  # its audit rows change too, but it is not in the scope
BROKEN = "t_005"  # fails its checks: out of scope, it gets no alert from this run


def publish_scoped(url: str, tenants: list[str]) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [audit_marts_already_built, publish_marts, *GX_CHECKS],
        resources={"warehouse": PostgresResource(url=url)},
        partition_key=MAX_DATE.isoformat(),
        run_config={"ops": {"publish_marts": {"config": {"tenants": tenants}}}},
        raise_on_error=False,
    )


def rows_by_tenant(url: str) -> dict[str | None, list[tuple]]:
    """Every published row of every mart, grouped by tenant (None: platform rows)."""
    grouped: dict[str | None, list[tuple]] = {}
    with psycopg.connect(url) as conn:
        for mart in MARTS:
            cols = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'marts' AND table_name = %s",
                    (mart,),
                )
            ]
            tenant = sql.Identifier("tenant_id") if "tenant_id" in cols else sql.SQL("NULL")
            for row in conn.execute(
                sql.SQL("SELECT {}::text, t::text FROM {} AS t ORDER BY 2").format(
                    tenant, sql.Identifier("marts", mart)
                )
            ):
                grouped.setdefault(row[0], []).append((mart, row[1]))
    return grouped


@pytest.fixture(scope="module")
def scoped_run(demo_warehouse):
    from tests.support.demo_warehouse import demo_clones

    with demo_clones(demo_warehouse, prefix="scope") as clone:
        url = clone()
        publish_tenants(url, MIN_DATE, MAX_DATE, run_id="full")
        before = rows_by_tenant(url)
        with psycopg.connect(url) as conn:
            conn.execute(
                "UPDATE audit.exec_overview SET pending_approvals = pending_approvals + 3 "
                "WHERE tenant_id IN (%s, %s) AND as_of_date = %s",
                (SCOPED, OTHER_FIXED, MAX_DATE),
            )
            conn.execute(
                "UPDATE audit.revenue_protection SET revenue_at_risk_ratio_30d = 1.5 "
                "WHERE tenant_id = %s AND as_of_date = %s",
                (BROKEN, MAX_DATE),
            )
            log_before = conn.execute("SELECT count(*) FROM marts.publication_log").fetchone()[0]
        result = publish_scoped(url, [SCOPED])
        yield url, before, result, log_before


def test_only_the_scoped_tenant_is_republished(scoped_run) -> None:
    url, before, result, _ = scoped_run
    assert result.success
    after = rows_by_tenant(url)
    assert set(after) == set(before)
    for tenant in before:
        if tenant == SCOPED:
            continue
        # Rows and their published_at untouched: other tenants, BROKEN's alerts, platform.
        assert after[tenant] == before[tenant], tenant
    assert after[SCOPED] != before[SCOPED]
    with psycopg.connect(url) as conn:
        fixed = conn.execute(
            "SELECT e.pending_approvals, a.pending_approvals, e.published_at > "
            "(SELECT min(published_at) FROM marts.publication_log WHERE run_id = 'full') "
            "FROM marts.exec_overview e JOIN audit.exec_overview a USING (tenant_id, as_of_date) "
            "WHERE tenant_id = %s AND as_of_date = %s",
            (SCOPED, MAX_DATE),
        ).fetchone()
        not_republished = conn.execute(
            "SELECT e.pending_approvals + 3 = a.pending_approvals FROM marts.exec_overview e "
            "JOIN audit.exec_overview a USING (tenant_id, as_of_date) "
            "WHERE tenant_id = %s AND as_of_date = %s",
            (OTHER_FIXED, MAX_DATE),
        ).fetchone()
    assert fixed[0] == fixed[1] and fixed[2]  # the fix is published, newly stamped
    assert not_republished[0]  # the other tenant's change waits for its own publication
    mat = result.asset_materializations_for_node("publish_marts")
    exec_overview = next(m for m in mat if m.asset_key.path[-1] == "exec_overview")
    assert exec_overview.metadata["tenants_published"].value == [SCOPED]


def test_the_publication_log_and_alerts_follow_the_scope(scoped_run) -> None:
    url, _, result, log_before = scoped_run
    with psycopg.connect(url) as conn:
        new_log = conn.execute(
            "SELECT DISTINCT tenant_id, as_of_date FROM marts.publication_log WHERE run_id = %s",
            (result.run_id,),
        ).fetchall()
        total = conn.execute("SELECT count(*) FROM marts.publication_log").fetchone()[0]
        broken_alerts = conn.execute(
            "SELECT count(*) FROM marts.alerts WHERE tenant_id = %s "
            "AND alert_kind = 'publication_blocked'",
            (BROKEN,),
        ).fetchone()[0]
    assert new_log == [(SCOPED, MAX_DATE)] and total == log_before + 1
    assert broken_alerts == 0
    # The check still reports the broken tenant: the scope limits writes, not visibility.
    evaluation = next(
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key.path[-1] == "revenue_protection"
    )
    assert not evaluation.passed and BROKEN in evaluation.metadata["tenants_withheld"].value


def test_an_unknown_tenant_fails_with_a_clear_message(clone_demo_warehouse) -> None:
    url = clone_demo_warehouse()
    result = publish_scoped(url, ["t_999"])
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.message
    assert "t_999" in message and "known tenants" in message
