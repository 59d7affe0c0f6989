"""``packs/board_packs`` (render) and ``delivery/board_pack_emails`` (send)."""

# No `from __future__ import annotations`: Dagster reads config and resource annotations.

import statistics
from datetime import date, timedelta
from typing import Any

import dagster as dg
from pydantic import Field

from boardroom.marts_registry import MARTS
from boardroom.packs.delivery import DeliveryFailed, DeliveryReport, RetryPolicy, deliver_packs
from boardroom.packs.paths import output_dir
from boardroom.packs.periods import DEFAULT_PERIOD_DAYS, Period
from boardroom.packs.recipients import DomainAllowList, load_recipients
from boardroom.packs.render import (
    PackFile,
    RenderReport,
    period_folder,
    read_manifest,
    render_packs,
    write_manifest,
)
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.packs.resources import SmtpResource
from orchestration.owners import OWNERS
from orchestration.partitions import daily_partitions, partition_days

PACKS_GROUP = "packs"
DELIVERY_GROUP = "delivery"
BOARD_PACKS_KEY = dg.AssetKey(["packs", "board_packs"])
BOARD_PACK_EMAILS_KEY = dg.AssetKey(["delivery", "board_pack_emails"])
#: The published marts a pack reads (the publish assets of the gate): every mart.
PUBLISHED_MARTS = tuple(MARTS)
MART_DEPS = [dg.AssetKey(["marts", name]) for name in PUBLISHED_MARTS]


class BoardPacksConfig(dg.Config):
    period_days: int = Field(
        default=DEFAULT_PERIOD_DAYS, description="As-of days a pack covers, ending on D."
    )
    workers: int | None = Field(
        default=None,
        description="Rendering worker processes (default BOARDROOM_PACK_WORKERS, else up to 4).",
    )
    tenants: list[str] | None = Field(default=None, description="Only these tenants.")


class BoardPackEmailsConfig(dg.Config):
    period_days: int = Field(default=DEFAULT_PERIOD_DAYS, description="As rendered.")
    dry_run: bool = Field(
        default=False,
        description="Write .eml files into <output>/outbox instead of sending (no log rows); "
        "also the behaviour when BOARDROOM_SMTP_HOST is not set.",
    )
    retry_attempts: int = Field(default=4, description="Attempts per message.")
    retry_initial_wait_seconds: float = Field(default=2.0, description="First backoff.")


def _days(context: dg.AssetExecutionContext) -> list:
    first, end = partition_days(context)
    return [first + timedelta(days=i) for i in range((end - first).days)]


def render_metadata(reports: list[RenderReport]) -> dict[str, Any]:
    packs = [p for r in reports for p in r.packs]
    seconds = [p.render_seconds for p in packs]
    return {
        "packs_rendered": dg.MetadataValue.int(len(packs)),
        "pages": dg.MetadataValue.int(sum(p.pages for p in packs)),
        "pdf_bytes": dg.MetadataValue.int(sum(p.pdf_bytes for p in packs)),
        "json_bytes": dg.MetadataValue.int(sum(p.json_bytes for p in packs)),
        "duration_seconds": dg.MetadataValue.float(round(sum(r.seconds for r in reports), 2)),
        "median_pack_seconds": dg.MetadataValue.float(
            round(statistics.median(seconds), 3) if seconds else 0.0
        ),
        "median_pack_cpu_seconds": dg.MetadataValue.float(
            round(statistics.median([p.render_cpu_seconds for p in packs]), 3) if packs else 0.0
        ),
        "max_worker_rss_mb": dg.MetadataValue.float(
            max((p.worker_peak_rss_mb for p in packs), default=0.0)
        ),
        "skipped": dg.MetadataValue.json({k: v for r in reports for k, v in r.skipped.items()}),
        "failed": dg.MetadataValue.json({k: v for r in reports for k, v in r.failed.items()}),
        "folders": dg.MetadataValue.text(", ".join(str(r.folder) for r in reports)),
    }


def _other_tenants_packs(day: date, config: BoardPacksConfig) -> list[PackFile]:
    """With a tenant scope, the packs of other tenants already in the period's manifest."""
    if config.tenants is None:
        return []
    folder = period_folder(output_dir(), Period(day, config.period_days))
    if not (folder / "manifest.json").exists():
        return []
    scope = set(config.tenants)
    return [
        p for p in read_manifest(folder) if p.tenant_id is not None and p.tenant_id not in scope
    ]


@dg.asset(
    key=BOARD_PACKS_KEY,
    description="Board packs (PDF + schema-versioned JSON) of the period ending on the as-of "
    "day D (weekly by default), per tenant and role scope (full, finance, technology, "
    "overview), plus the platform pack, read from the published `marts` only. Rendered in "
    "parallel worker processes into BOARDROOM_OUTPUT_DIR (default <data dir>/packs)/<period>/ "
    "with a manifest.json. Metadata: packs, pages, sizes, time, worker memory.",
    deps=MART_DEPS,
    group_name=PACKS_GROUP,
    owners=OWNERS,
    kinds={"pdf", "json"},
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def board_packs(
    context: dg.AssetExecutionContext, config: BoardPacksConfig, warehouse: PostgresResource
) -> dg.MaterializeResult:
    reports = []
    for day in _days(context):
        kept = _other_tenants_packs(day, config)
        report = render_packs(
            warehouse.url,
            day,
            period_days=config.period_days,
            output_dir=output_dir(),
            tenants=config.tenants,
            workers=config.workers,
        )
        if kept:  # a tenant-scoped render keeps the other tenants' packs in the manifest
            report.packs.extend(kept)
            write_manifest(report)
        context.log.info(report.summary())
        for key, reason in report.skipped.items():
            context.log.warning(f"pack {key} skipped: {reason}")
        reports.append(report)
    metadata = render_metadata(reports)
    failed = {k: v for r in reports for k, v in r.failed.items()}
    if failed:
        raise dg.Failure(
            description=f"{len(failed)} pack(s) failed to render: {', '.join(sorted(failed))}",
            metadata=metadata,
        )
    return dg.MaterializeResult(metadata=metadata)


def delivery_metadata(report: DeliveryReport) -> dict[str, Any]:
    return {
        "sent": dg.MetadataValue.int(len(report.sent)),
        "already_sent": dg.MetadataValue.int(len(report.already_sent)),
        "failed": dg.MetadataValue.json(report.failed),
        "excluded": dg.MetadataValue.json(report.excluded),
        "without_pack": dg.MetadataValue.json(report.no_pack),
        "dry_run_files": dg.MetadataValue.int(len(report.dry_run_files)),
        "attempts": dg.MetadataValue.int(report.attempts),
        "duration_seconds": dg.MetadataValue.float(round(report.seconds, 2)),
    }


@dg.asset(
    key=BOARD_PACK_EMAILS_KEY,
    description="E-mails the rendered packs of the period ending on D to every active, "
    "MFA-verified executive whose e-mail domain is on the tenant's allow-list "
    "(BOARDROOM_RECIPIENT_DOMAINS), each with their role's variant (platform executives: "
    "the platform pack): an HTML and plain-text summary of its headline figures and "
    "statuses with the PDF attached (the JSON too for BOARDROOM_PACK_JSON_RECIPIENTS). "
    "Logged in `delivery.pack_deliveries` (tenant, period, recipient, "
    "content hash): a re-run sends only what is missing. Failures are retried with backoff, "
    "then raise an alert row and fail the run.",
    deps=[BOARD_PACKS_KEY],
    group_name=DELIVERY_GROUP,
    owners=OWNERS,
    kinds={"email"},
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def board_pack_emails(
    context: dg.AssetExecutionContext,
    config: BoardPackEmailsConfig,
    warehouse: PostgresResource,
    app_db: PostgresResource,
    smtp: SmtpResource,
) -> dg.MaterializeResult:
    recipients = load_recipients(app_db.url)
    allow_list = DomainAllowList.from_env()
    out = output_dir()
    dry_run = config.dry_run or not smtp.configured
    if dry_run and not config.dry_run:
        context.log.warning(
            "BOARDROOM_SMTP_HOST is not set: writing the e-mails as .eml files into "
            f"{out / 'outbox'} instead of sending them (a dry run)."
        )
    result: dict[str, Any] = {}
    for day in _days(context):
        folder = period_folder(out, Period(day, config.period_days))
        if not (folder / "manifest.json").exists():
            raise dg.Failure(
                description=f"No rendered packs in {folder}: materialize "
                f"{BOARD_PACKS_KEY.to_user_string()} for {day} first."
            )
        try:
            report = deliver_packs(
                folder,
                warehouse.url,
                recipients,
                allow_list=allow_list,
                smtp=None if dry_run else smtp.smtp_settings(),
                dry_run_dir=out / "outbox" if dry_run else None,
                retry=RetryPolicy(config.retry_attempts, config.retry_initial_wait_seconds),
                sender=smtp.sender,
            )
        except DeliveryFailed as exc:
            context.log.error(str(exc))
            raise dg.Failure(
                description=f"Board-pack delivery incomplete for {day}: "
                f"{len(exc.report.failed)} recipient(s) failed after retries; an alert was "
                "recorded in delivery.delivery_alerts. Re-run to send only the missing ones.",
                metadata=delivery_metadata(exc.report),
            ) from None
        context.log.info(report.summary())
        result = delivery_metadata(report)
    return dg.MaterializeResult(metadata=result)
