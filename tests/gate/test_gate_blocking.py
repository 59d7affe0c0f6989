"""Corrupted tenants are withheld (others publish), keep their last good rows, get an alert
and a failed asset check: the gate run through Dagster in-process against a clone."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import psycopg
import pytest

from boardroom.gate import publish_tenants
from boardroom.gate.marts import MARTS, PUBLICATION_BLOCKED
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.gate.assets import publish_marts
from orchestration.defs.gate.checks import GX_CHECKS
from orchestration.defs.gate.common import CHECK_NAME
from tests.gate.conftest import MAX_DATE, MIN_DATE, table_rows
from tests.support.audit_assets import audit_marts_already_built

RATE_TENANT = "t_002"  # a rate above 1
DUP_TENANT = "t_005"  # a duplicated grain row
CORRUPT_DAY = MAX_DATE - timedelta(days=3)


def run_gate_in_dagster(url: str) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [audit_marts_already_built, publish_marts, *GX_CHECKS],
        resources={"warehouse": PostgresResource(url=url)},
        tags={
            "dagster/asset_partition_range_start": MIN_DATE.isoformat(),
            "dagster/asset_partition_range_end": MAX_DATE.isoformat(),
        },
        raise_on_error=False,
    )


def corrupt(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE audit.revenue_protection SET revenue_at_risk_ratio_30d = 1.25, "
            "revenue_won_30d = revenue_won_30d + 1000 WHERE tenant_id = %s AND as_of_date = %s",
            (RATE_TENANT, CORRUPT_DAY),
        )
        conn.execute(
            "ALTER TABLE audit.deliverability_health DROP CONSTRAINT IF EXISTS "
            "deliverability_health_pkey"
        )
        conn.execute(
            "INSERT INTO audit.deliverability_health SELECT * FROM audit.deliverability_health "
            "WHERE tenant_id = %s AND as_of_date = %s",
            (DUP_TENANT, CORRUPT_DAY),
        )
        # A platform mart failing withholds the platform marts only.
        conn.execute(
            "UPDATE audit.platform_overview SET api_error_rate_7d = 1.5 WHERE as_of_date = %s",
            (CORRUPT_DAY,),
        )
        # An event-count rate above 1 is legitimate at a window edge: a warning only.
        conn.execute(
            "UPDATE audit.deliverability_health SET delivery_rate_7d = 1.2 "
            "WHERE tenant_id = 't_001' AND as_of_date = %s",
            (CORRUPT_DAY,),
        )
        conn.execute(
            "UPDATE audit.exec_overview SET pending_approvals = pending_approvals + 7 "
            "WHERE tenant_id IN (%s, %s)",
            (DUP_TENANT, "t_001"),
        )


@pytest.fixture(scope="module")
def gated(module_clone):
    url = module_clone()
    publish_tenants(url, MIN_DATE, MAX_DATE, run_id="good")
    before = {mart: table_rows(url, mart) for mart in MARTS}
    corrupt(url)
    result = run_gate_in_dagster(url)
    return url, before, result


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}


def test_failed_checks_warn_with_observed_values_and_samples(gated) -> None:
    _, _, result = gated
    assert result.success
    checks = evaluations(result)
    assert set(checks) == set(MARTS) and all(e.check_name == CHECK_NAME for e in checks.values())
    rates = checks["revenue_protection"]
    assert not rates.passed and rates.severity == dg.AssetCheckSeverity.WARN
    assert rates.metadata["tenants_withheld"].value.keys() == {RATE_TENANT}
    failure = next(
        f
        for f in rates.metadata["failures"].value
        if "revenue_at_risk_ratio_30d" in f["expectation"]
    )
    assert failure["unexpected_count"] == 1 and failure["failing_tenants"] == [RATE_TENANT]
    sample = failure["sample_rows"][0]
    assert sample["tenant_id"] == RATE_TENANT and sample["revenue_at_risk_ratio_30d"] == "1.25"
    assert sample["as_of_date"] == CORRUPT_DAY.isoformat()
    dup = checks["deliverability_health"]
    assert dup.severity == dg.AssetCheckSeverity.WARN and not dup.passed
    keys = next(f for f in dup.metadata["failures"].value if f["check"] == "keys")
    assert keys["unexpected_count"] == 2 and keys["failing_tenants"] == [DUP_TENANT]
    assert len(keys["sample_rows"]) == 2
    edge = [f for f in dup.metadata["failures"].value if "delivery_rate_7d" in f["expectation"]]
    assert [(f["severity"], f["failing_tenants"]) for f in edge] == [("warning", ["t_001"])]
    assert "t_001" not in dup.metadata["tenants_withheld"].value
    ok = checks["exec_overview"]
    assert ok.passed
    results = ok.metadata["results"].value
    volume = next(r for r in results if r["check"] == "volume")
    assert volume["observed_value"] == 168 and volume["success"]
    freshness = next(r for r in results if r["check"] == "freshness")
    assert freshness["success"] and freshness["element_count"] == 168


def test_corrupted_tenants_withheld_others_published(gated) -> None:
    url, before, result = gated
    mat = result.asset_materializations_for_node("publish_marts")
    meta = {m.asset_key.path[-1]: m.metadata for m in mat}
    assert set(meta) == set(MARTS)
    withheld = meta["exec_overview"]["tenants_withheld"].value
    assert set(withheld) == {RATE_TENANT, DUP_TENANT}
    assert any("revenue_at_risk_ratio_30d" in r for r in withheld[RATE_TENANT])
    published = meta["exec_overview"]["tenants_published"].value
    assert len(published) == 6 and "t_001" in published
    after = {mart: table_rows(url, mart) for mart in MARTS}
    for mart in MARTS:
        if not MARTS[mart].tenant_scoped or mart == "alerts":
            continue
        for tenant in (RATE_TENANT, DUP_TENANT):
            old = [r for r in before[mart] if r[0] == tenant]
            assert [r for r in after[mart] if r[0] == tenant] == old, (mart, tenant)
    with psycopg.connect(url) as conn:
        # t_001 was republished with its change; the withheld tenant kept the old figure.
        rows = dict(
            conn.execute(
                "SELECT m.tenant_id, m.pending_approvals = a.pending_approvals "
                "FROM marts.exec_overview m "
                "JOIN audit.exec_overview a USING (tenant_id, as_of_date) "
                "WHERE m.tenant_id IN ('t_001', %s) AND m.as_of_date = %s",
                (DUP_TENANT, MAX_DATE),
            ).fetchall()
        )
        assert rows == {"t_001": True, DUP_TENANT: False}
        ratio = conn.execute(
            "SELECT max(revenue_at_risk_ratio_30d) FROM marts.revenue_protection"
        ).fetchone()[0]
        assert ratio <= 1
        log = conn.execute(
            "SELECT tenant_id, outcome, count(*) FROM marts.publication_log "
            "WHERE run_id = %s GROUP BY 1, 2 ORDER BY 1, 2",
            (result.run_id,),
        ).fetchall()
    outcomes = {(t, o): n for t, o, n in log}
    assert outcomes[(RATE_TENANT, "withheld")] == 21 and (RATE_TENANT, "published") not in outcomes
    assert outcomes[("t_001", "published")] == 21


def test_failing_platform_mart_is_withheld_alone(gated) -> None:
    url, before, result = gated
    platform = evaluations(result)["platform_overview"]
    assert not platform.passed and platform.severity == dg.AssetCheckSeverity.WARN
    assert table_rows(url, "platform_overview") == before["platform_overview"]
    mat = result.asset_materializations_for_node("publish_marts")
    meta = {m.asset_key.path[-1]: m.metadata for m in mat}
    assert meta["platform_overview"]["tenants_published"].value == []
    assert len(meta["exec_overview"]["tenants_published"].value) == 6


def test_withheld_tenants_get_publication_blocked_alerts(gated) -> None:
    url, _, _ = gated
    with psycopg.connect(url) as conn:
        alerts = conn.execute(
            "SELECT tenant_id, as_of_date, alert_key, severity, message, alert_id "
            "FROM marts.alerts WHERE alert_kind = %s ORDER BY tenant_id",
            (PUBLICATION_BLOCKED,),
        ).fetchall()
    assert [(a[0], a[1], a[2], a[3]) for a in alerts] == [
        (RATE_TENANT, MAX_DATE, "gate:revenue_protection", "critical"),
        (DUP_TENANT, MAX_DATE, "gate:deliverability_health", "critical"),
    ]
    assert "revenue_at_risk_ratio_30d" in alerts[0][4]
    assert "expect_compound_columns_to_be_unique" in alerts[1][4]
    # Re-running the gate changes nothing (stable alert ids, no new alert rows).
    rerun = run_gate_in_dagster(url)
    assert rerun.success
    with psycopg.connect(url) as conn:
        again = conn.execute(
            "SELECT alert_id FROM marts.alerts WHERE alert_kind = %s ORDER BY tenant_id",
            (PUBLICATION_BLOCKED,),
        ).fetchall()
    assert [a[0] for a in again] == [a[5] for a in alerts]


def test_mart_wide_failure_blocks_every_tenant_with_error(module_clone) -> None:
    url = module_clone()
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE audit.ops_system_health SET data_as_of = data_as_of - interval '2 days' "
            "WHERE as_of_date = %s",
            (MAX_DATE,),
        )
    result = run_gate_in_dagster(url)
    assert not result.success  # the ERROR check stops the publish asset
    ops = evaluations(result)["ops_system_health"]
    assert not ops.passed and ops.severity == dg.AssetCheckSeverity.ERROR
    assert any("freshness" in f for f in ops.metadata["mart_wide_failures"].value)
    assert not result.asset_materializations_for_node("publish_marts")
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM marts.exec_overview").fetchone()[0] == 0
        blocked = conn.execute(
            "SELECT count(DISTINCT tenant_id) FROM marts.alerts WHERE alert_kind = %s",
            (PUBLICATION_BLOCKED,),
        ).fetchone()[0]
        logged = conn.execute(
            "SELECT count(DISTINCT tenant_id), count(*) FROM marts.publication_log "
            "WHERE outcome = 'withheld' AND run_id = %s",
            (result.run_id,),
        ).fetchone()
    assert blocked == 8
    days = (MAX_DATE - MIN_DATE).days + 1
    assert logged == (8, 8 * days)  # every tenant withheld for every as-of day of the run
