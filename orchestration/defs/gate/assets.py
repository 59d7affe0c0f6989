"""``publish_marts``: the audited marts' passing tenants into ``marts/<mart>``."""

from collections.abc import Iterator

import dagster as dg

from boardroom.database import connect
from boardroom.gate.gate import UnknownTenants, run_gate
from boardroom.gate.marts import MARTS
from boardroom.gate.records import load_gate_evaluation
from orchestration.defs.automation.freshness import MARTS_FRESHNESS_POLICY
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.gate.common import AUDIT_KEYS, GROUP, MARTS_KEYS, run_days
from orchestration.defs.gate.schema import published_row_count, published_schema
from orchestration.defs.gate.scope import PublishMartsConfig
from orchestration.owners import OWNERS
from orchestration.partitions import daily_partitions


@dg.multi_asset(
    name="publish_marts",
    description="Publish the audited marts' passing tenants into schema `marts` (one "
    "transaction per tenant, idempotent, row-level security applied), log the publication "
    "in `marts.publication_log` and raise `publication_blocked` alerts for withheld tenants. "
    "Config `tenants` publishes only those tenants (the others' rows stay as they are).",
    specs=[
        dg.AssetSpec(
            MARTS_KEYS[mart],
            deps=[AUDIT_KEYS[mart]],
            description=f"Published `marts.{mart}` (audit columns + published_at), "
            "tenant-isolated by row-level security.",
            group_name=GROUP,
            owners=OWNERS,
            kinds={"postgres"},
            tags={"layer": "marts"},
            metadata={
                "dagster/table_name": f"marts.{mart}",
                "dagster/column_schema": published_schema(mart),
            },
            freshness_policy=MARTS_FRESHNESS_POLICY,
        )
        for mart in MARTS
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def publish_marts(
    context: dg.AssetExecutionContext, config: PublishMartsConfig, warehouse: PostgresResource
) -> Iterator[dg.MaterializeResult]:
    min_date, max_date = run_days(context)
    if config.tenants is not None:
        context.log.info(f"Tenant scope: publishing {sorted(set(config.tenants))} only.")
    with connect(warehouse.url, autocommit=True) as conn:
        stored = load_gate_evaluation(conn, context.run.run_id, min_date, max_date)
    if missing := [m for m in MARTS if m not in stored.marts]:
        context.log.info(f"No check result in this run for {missing}: evaluating them now.")
    try:
        report = run_gate(
            warehouse.url,
            min_date,
            max_date,
            run_id=context.run.run_id,
            evaluation=stored,
            tenants=config.tenants,
        )
    except UnknownTenants as exc:
        raise dg.Failure(description=str(exc)) from None
    published = sorted(report.publication.tenants)
    rows = report.publication.rows_per_mart()
    context.log.info(f"Published {published}; withheld {sorted(report.withheld)}")
    with connect(warehouse.url, autocommit=True) as conn:
        totals = {mart: published_row_count(conn, mart) for mart in MARTS}
    for mart in MARTS:
        if not MARTS[mart].tenant_scoped and report.publication.platform is None:
            tenants_published: list[str] = []
        else:
            tenants_published = published if MARTS[mart].tenant_scoped else ["(platform)"]
        yield dg.MaterializeResult(
            asset_key=MARTS_KEYS[mart],
            metadata={
                "as_of_days": f"{min_date.isoformat()}..{max_date.isoformat()}",
                "tenants_published": dg.MetadataValue.json(tenants_published),
                "tenants_withheld": dg.MetadataValue.json(report.withheld),
                "rows_published": dg.MetadataValue.int(rows.get(mart, 0)),
                "dagster/row_count": dg.MetadataValue.int(totals[mart]),
            },
        )
