"""The GX suites as blocking asset checks ``gx_suite`` of every ``audit/<mart>``.

One multi-asset check op evaluates the selected marts together (Great Expectations is
imported once per run, not once per mart) and reports one result per mart.

Dagster's ``blocking=True`` stops downstream assets of the same run only when the check
fails with severity ERROR; a WARN failure is shown as failed but lets the run continue
(the checked asset itself is already materialised either way: write, audit, publish).

The check has no partitions of its own: one evaluation covers the run's as-of days (its
``as_of_days`` metadata), as the dbt tests' checks do. A per-partition check would be planned
for every day of a range run but evaluated once, without a partition, so the checks list
showed it "Skipped" while its page showed the evaluation.
The gate uses that: tenant-level failures are WARN (the publish asset runs and withholds
those tenants only), mart-wide failures are ERROR (the publish asset does not run). Each
result is stored in ``audit.gate_results`` for the publish asset of the same run, and the
withheld tenants get their ``publication_blocked`` alerts here, so they are raised even
when an ERROR stops publication; in that case their ``withheld`` rows of the publication
log are written here too.
"""

from collections.abc import Iterator

import dagster as dg

from boardroom.database import connect
from boardroom.gate.evaluate import MartEvaluation, evaluate_marts
from boardroom.gate.marts import MARTS
from boardroom.gate.records import log_withheld, raise_blocked_alerts, store_mart_evaluation
from boardroom.gate.tables import ensure_published_tables
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.gate.common import AUDIT_KEYS, CHECK_NAME, check_metadata, run_days
from orchestration.defs.gate.scope import tenant_scope


def check_result(ev: MartEvaluation) -> dg.AssetCheckResult:
    """PASS, FAIL/WARN (tenants withheld) or FAIL/ERROR (mart-wide failure)."""
    severity = ev.severity
    if severity == "ok":
        description = "Every tenant passes."
    else:
        description = f"Withheld: {', '.join(sorted(ev.withheld)) or 'the platform marts'}"
        if severity == "error":
            description += " (mart-wide failure: publication blocked)"
    return dg.AssetCheckResult(
        asset_key=AUDIT_KEYS[ev.mart],
        check_name=CHECK_NAME,
        passed=severity == "ok",
        severity=dg.AssetCheckSeverity.ERROR if severity == "error" else dg.AssetCheckSeverity.WARN,
        metadata=check_metadata(ev),
        description=description,
    )


@dg.multi_asset_check(
    name="gx_gate_checks",
    description="Great Expectations suites of the audited marts (expectations/<mart>.json).",
    specs=[
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=AUDIT_KEYS[mart],
            description=(
                f"Great Expectations suite `expectations/{mart}.json` over the run's as-of "
                "days: keys, rates, statuses, approximate flags, known tenants, freshness, "
                "volume. WARN: some tenants withheld; ERROR: mart-wide failure, blocks "
                "publication."
            ),
            blocking=True,
            metadata={"suite": f"expectations/{mart}.json"},
        )
        for mart in MARTS
    ],
    can_subset=True,
)
def gx_gate_checks(
    context: dg.AssetCheckExecutionContext, warehouse: PostgresResource
) -> Iterator[dg.AssetCheckResult]:
    min_date, max_date = run_days(context)
    selected = {key.asset_key.path[-1] for key in context.selected_asset_check_keys}
    marts = [m for m in MARTS if m in selected]
    evaluation = evaluate_marts(warehouse.url, min_date, max_date, marts=marts)
    # A tenant-scoped run (publish_marts' `tenants`) raises and logs for those tenants only.
    scope = tenant_scope(context.run.run_config)
    withheld = {t: why for t, why in evaluation.withheld().items() if scope is None or t in scope}
    with connect(warehouse.url, autocommit=True) as conn:
        ensure_published_tables(conn)
        for ev in evaluation.marts.values():
            store_mart_evaluation(conn, context.run.run_id, ev)
            with conn.transaction():
                raise_blocked_alerts(conn, ev, tenants=scope)
        if any(ev.severity == "error" for ev in evaluation.marts.values()):
            # The publish asset will not run: the withheld tenants are logged here instead.
            log_withheld(
                conn,
                withheld,
                min_date,
                max_date,
                run_id=context.run.run_id,
                checks_summary=evaluation.summary(),
            )
    for mart in marts:
        ev = evaluation.marts.get(mart)
        if ev is None:
            yield dg.AssetCheckResult(
                asset_key=AUDIT_KEYS[mart],
                check_name=CHECK_NAME,
                passed=False,
                severity=dg.AssetCheckSeverity.ERROR,
                description=f"audit.{mart} does not exist: nothing to check or publish.",
            )
            continue
        context.log.info(f"{mart}: {ev.severity}; withheld {sorted(ev.withheld)}")
        yield check_result(ev)


GX_CHECKS: list[dg.AssetChecksDefinition] = [gx_gate_checks]
