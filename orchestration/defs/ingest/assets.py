"""Raw-layer assets: operational tables (``raw/app_<table>``) and PostHog events."""

# No `from __future__ import annotations` here: Dagster reads the config and resource
# annotations of asset functions at definition time, and string annotations break that.

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import dagster as dg
from pydantic import Field

from boardroom.ingest.app_tables import TableReport, extract_app_tables, mirror_table
from boardroom.ingest.events import EventIngestReport, PageEvent, ingest_events
from boardroom.sources.app_db import APP_TABLES
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.sources.assets import APP_SOURCE_KEYS, POSTHOG_EVENTS_KEY
from orchestration.defs.sources.resources import PostHogQueryResource
from orchestration.owners import OWNERS
from orchestration.partitions import daily_partitions, partition_days

GROUP = "ingest"
RAW_APP_KEYS: dict[str, dg.AssetKey] = {
    table: dg.AssetKey(["raw", mirror_table(table)]) for table in APP_TABLES
}
RAW_POSTHOG_EVENTS_KEY = dg.AssetKey(["raw", "posthog_events"])
INGEST_KEYS: list[dg.AssetKey] = [*RAW_APP_KEYS.values(), RAW_POSTHOG_EVENTS_KEY]

_TABLE_NOTES = {
    "tenants": "Tenants: plan, MRR, locale, time zone, status.",
    "executive_recipients": "Board-pack recipients; tenant_id NULL marks a platform executive.",
    "deals": "Sales deals: value, currency, status, created/closed times.",
    "approval_requests": "Approval requests with priority, status and SLA deadline.",
    "integration_sync_states": "Connector health per tenant (key tenant_id + connector).",
    "compliance_controls": "PDPL / NCA-ECC control results (key tenant_id + control_id).",
    "consents": "Consent records per subject and purpose (grants and withdrawals).",
    "contradictions": "Detected contradictions with severity and status.",
    "strategic_deals": "Strategic deals by status.",
    "evidence_packs": "Compliance evidence packs by status.",
    "infra_usage": "Infrastructure usage per day with a non-authoritative cost estimate.",
}

_APP_DESCRIPTION = (
    "Mirror of the operational table `app.{table}` in `raw.app_{table}`: same columns and "
    "types plus `_extracted_at` (the source snapshot time). {note}\n\n"
    "Extracted incrementally by `updated_at` (full refresh on request), every table from one "
    "REPEATABLE READ snapshot, deletes propagated by primary-key comparison. The operational "
    "database keeps no history, so a partition captures the state as of when it ran, not as "
    "of its day; the dbt snapshots downstream keep history."
)


class RawAppTablesConfig(dg.Config):
    full_refresh: bool = Field(
        default=False,
        description="Re-read every source row instead of only rows changed since the last "
        "extraction (repairs anything an incremental run cannot see).",
    )


def _timestamp(value: datetime | None) -> dg.MetadataValue:
    return dg.MetadataValue.timestamp(value) if value is not None else dg.MetadataValue.null()


def table_metadata(report: TableReport) -> dict[str, Any]:
    """Materialization metadata of one mirror after an extraction."""
    return {
        "dagster/row_count": dg.MetadataValue.int(report.rows_in_source),
        "mode": report.mode,
        "rows_read": dg.MetadataValue.int(report.rows_read),
        "rows_upserted": dg.MetadataValue.int(report.rows_upserted),
        "rows_deleted": dg.MetadataValue.int(report.rows_deleted),
        "rows_recovered": dg.MetadataValue.int(report.rows_recovered),
        "rows_in_source": dg.MetadataValue.int(report.rows_in_source),
        "duration_seconds": dg.MetadataValue.float(report.seconds),
        "read_since": _timestamp(report.since),
        "watermark": _timestamp(report.watermark),
        "snapshot_at": _timestamp(report.snapshot_at),
    }


@dg.multi_asset(
    name="raw_app_tables",
    description="Every operational table of `app` into its `raw.app_*` mirror, from one "
    "consistent source snapshot per run.",
    specs=[
        dg.AssetSpec(
            key,
            deps=[APP_SOURCE_KEYS[table]],
            description=_APP_DESCRIPTION.format(table=table, note=_TABLE_NOTES[table]),
            group_name=GROUP,
            owners=OWNERS,
            kinds={"postgres"},
            tags={"layer": "raw", "source": "app"},
            metadata={
                "dagster/table_name": f"raw.{mirror_table(table)}",
                "source_table": f"app.{table}",
            },
            skippable=True,
        )
        for table, key in RAW_APP_KEYS.items()
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=True,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL),
)
def raw_app_tables(
    context: dg.AssetExecutionContext,
    config: RawAppTablesConfig,
    app_db: PostgresResource,
    warehouse: PostgresResource,
) -> Iterator[dg.MaterializeResult]:
    selected = [t for t, key in RAW_APP_KEYS.items() if key in context.selected_asset_keys]
    first, end = partition_days(context)
    context.log.info(
        f"Extracting {len(selected)} operational table(s) "
        f"({'full refresh' if config.full_refresh else 'incremental'}) for as-of day(s) "
        f"{first.isoformat()} .. {end.isoformat()} (exclusive); the state read is the "
        "source's current state."
    )
    reports = extract_app_tables(
        app_db.url,
        warehouse.url,
        full_refresh=config.full_refresh,
        tables=selected,
        progress=lambda event: context.log.info(str(event)),
    )
    for table, report in reports.items():
        yield dg.MaterializeResult(asset_key=RAW_APP_KEYS[table], metadata=table_metadata(report))


def events_metadata(report: EventIngestReport) -> dict[str, Any]:
    """Materialization metadata of ``raw/posthog_events`` from one ``ingest_events`` call."""
    counts = {
        "rows_received": report.rows_received,
        "rows_loaded": report.rows_loaded,
        "duplicates_collapsed": report.duplicates_collapsed,
        "already_loaded": report.already_loaded,
        "rows_quarantined": sum(report.quarantined.values()),
        "released_from_quarantine": report.released_from_quarantine,
        "rows_removed": report.rows_removed,
        "late_rows": report.late_rows,
        "pages": report.pages,
        "queries": report.queries,
        "retries": report.retries,
    }
    metadata: dict[str, Any] = {k: dg.MetadataValue.int(int(v)) for k, v in counts.items()}
    for reason, count in sorted(report.quarantined.items()):
        metadata[f"quarantined/{reason}"] = dg.MetadataValue.int(int(count))
    metadata["duration_seconds"] = dg.MetadataValue.float(round(float(report.seconds), 3))
    metadata["newest_event_time"] = _timestamp(report.newest_event_time)
    days = [d.isoformat() for d in sorted(report.days_touched)]
    metadata["days_touched"] = dg.MetadataValue.text(", ".join(days) or "none")
    metadata["days_touched_count"] = dg.MetadataValue.int(len(days))
    return metadata


def _events_in_days(warehouse: PostgresResource, first: date, end: date) -> int:
    """Valid events stamped in [first, end) UTC (an index range count)."""
    with warehouse.connection() as conn:
        row = conn.execute(
            "SELECT count(*) FROM raw.posthog_events WHERE timestamp >= %s AND timestamp < %s",
            (datetime.combine(first, time(0), UTC), datetime.combine(end, time(0), UTC)),
        ).fetchone()
    return int(row[0]) if row else 0


@dg.asset(
    key=RAW_POSTHOG_EVENTS_KEY,
    description=(
        "PostHog events pulled through the HogQL query API into `raw.posthog_events`, one row "
        "per event uuid (first received wins), loaded idempotently. A run pulls its as-of "
        "day(s) whole, plus a sweep of everything PostHog ingested since the previous run "
        "(minus a lookback) stamped on other days: late events land on their own day. Events "
        "without a tenant, with an unknown tenant (checked against `raw.app_tenants`, hence "
        "the dependency), an unparseable timestamp or a property of the wrong type go to "
        "`raw.posthog_events_quarantine` with a reason, never dropped; a quarantined "
        "unknown tenant is released once the tenant appears. Metadata: rows received / "
        "loaded, duplicates collapsed, quarantined by reason, pages, queries, retries, "
        "duration, newest event time, days touched."
    ),
    deps=[POSTHOG_EVENTS_KEY, RAW_APP_KEYS["tenants"]],
    group_name=GROUP,
    owners=OWNERS,
    kinds={"posthog", "postgres"},
    tags={"layer": "raw", "source": "posthog"},
    metadata={"dagster/table_name": "raw.posthog_events"},
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=dg.RetryPolicy(
        max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    ),
)
def raw_posthog_events(
    context: dg.AssetExecutionContext,
    posthog: PostHogQueryResource,
    warehouse: PostgresResource,
) -> dg.MaterializeResult:
    first, end = partition_days(context)
    context.log.info(
        f"Pulling PostHog events for {first.isoformat()} .. {end.isoformat()} "
        "(exclusive), with the late-event sweep"
    )

    def on_page(event: PageEvent) -> None:
        result = event.result
        context.log.debug(
            f"page {event.pages_done} ({event.window.describe()}): {result.received} received, "
            f"{result.loaded} loaded, {sum(result.quarantined.values())} quarantined"
        )

    report = ingest_events(
        posthog.client(), warehouse.url, first, end, sweep_late=True, on_page=on_page
    )
    metadata = events_metadata(report)
    in_days = _events_in_days(warehouse, first, end)
    metadata["rows_in_days"] = dg.MetadataValue.int(in_days)
    if end - first == timedelta(days=1):
        metadata["dagster/partition_row_count"] = dg.MetadataValue.int(in_days)
    context.log.info(f"PostHog events: {report.summary()}")
    return dg.MaterializeResult(metadata=metadata)
