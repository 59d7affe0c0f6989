"""Set up the demo sources: operational rows into `app`, events into PostHog.

Used by ``boardroom generate`` and ``boardroom demo``. The local stand-in's event store is
reset first so a second run with another seed does not mix two data sets.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from boardroom.cli.runtime import Runtime, open_runtime
from boardroom.database import connect
from boardroom.demo import DemoSpec, load_operational, send_events, summary_rows, tenant_profiles
from boardroom.packs.delivery import DeliveryReport, deliver_packs
from boardroom.packs.paths import output_dir
from boardroom.packs.periods import Period
from boardroom.packs.recipients import DomainAllowList, load_recipients
from boardroom.packs.render import period_folder
from boardroom.partitions_start import forget_start
from boardroom.settings import Settings
from boardroom.sources.app_db import create_app_schema


def generate_demo(
    settings: Settings, *, tenants: int, days: int, seed: int, end_date: date
) -> list[tuple[str, str, str]]:
    """Generate the demo data set and return summary rows (section, item, count)."""
    if settings.uses_local_posthog:
        shutil.rmtree(settings.posthog_data_dir, ignore_errors=True)
    # New sources, new first day: the next run derives the partitions' start from them.
    forget_start({"BOARDROOM_DATA_DIR": str(settings.data_dir)})
    with open_runtime(settings) as runtime:
        return load_demo_sources(
            runtime, DemoSpec(seed=seed, tenants=tenants, days=days, end_date=end_date)
        )


def load_demo_sources(runtime: Runtime, spec: DemoSpec) -> list[tuple[str, str, str]]:
    with connect(runtime.urls.app) as conn:
        create_app_schema(conn)
        row_counts = load_operational(conn, spec)
        conn.commit()
    report = send_events(spec, runtime.posthog_host, runtime.settings.posthog_project_api_key)
    rows = summary_rows(spec, row_counts=row_counts, tally=report.tally)
    return [(row.section, row.item, str(row.count)) for row in rows]


#: Where the demo's platform executives' e-mail addresses live.
DEMO_PLATFORM_DOMAIN = "boardroom.example"


def demo_allow_list(spec: DemoSpec) -> DomainAllowList:
    """Each demo tenant may receive mail at its own domain; platform executives at theirs."""
    return DomainAllowList(
        tenants={p.tenant_id: frozenset({p.domain}) for p in tenant_profiles(spec)},
        platform=frozenset({DEMO_PLATFORM_DOMAIN}),
    )


def deliver_demo_packs(runtime: Runtime, spec: DemoSpec) -> tuple[Path, DeliveryReport]:
    """Write the e-mails of the newest period's packs as ``.eml`` files (a dry run: nothing
    is sent and nothing is logged as sent). Returns the period folder and the report."""
    out = output_dir(runtime.settings)
    folder = period_folder(out, Period(spec.end_date))
    report = deliver_packs(
        folder,
        runtime.urls.warehouse,
        load_recipients(runtime.urls.app),
        allow_list=demo_allow_list(spec),
        dry_run_dir=out / "outbox",
        sender=runtime.settings.smtp_from,
    )
    return folder, report
