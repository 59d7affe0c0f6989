"""``board_pack_delivery_job`` (group ``delivery``) and its weekly schedule.

``BOARDROOM_PACKS_CRON`` (default ``0 6 * * 1``, Monday 06:00 UTC) sets when packs go out;
each tick delivers the packs of the period ending on the previous day (UTC), which the
daily pipeline rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import dagster as dg

from boardroom.settings import PACKS_CRON_ENV, Settings
from orchestration.defs.packs.assets import DELIVERY_GROUP

DELIVERY_JOB = "board_pack_delivery_job"

board_pack_delivery_job = dg.define_asset_job(
    DELIVERY_JOB,
    selection=dg.AssetSelection.groups(DELIVERY_GROUP),
    description="E-mail the rendered board packs of the period ending on the as-of day.",
)


def packs_cron(env: Mapping[str, str] | None = None) -> str:
    return Settings.from_env(env).packs_cron


@dg.schedule(
    name="board_pack_delivery_schedule",
    cron_schedule=packs_cron(),
    job=board_pack_delivery_job,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=f"Deliver the board packs of the period ending yesterday (UTC); set "
    f"{PACKS_CRON_ENV} (default Monday 06:00 UTC).",
)
def board_pack_delivery_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    day = (context.scheduled_execution_time - timedelta(days=1)).date()
    return dg.RunRequest(run_key=day.isoformat(), partition_key=day.isoformat())
