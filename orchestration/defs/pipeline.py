"""``daily_pipeline_job`` and its schedule: the whole daily pipeline, one run per as-of day.

The job selects every asset partitioned by :data:`~orchestration.partitions.daily_partitions`
except the group ``delivery`` (email delivery runs on its own schedule): ingestion, the dbt
marts, and whatever later parts (the publication gate, board-pack rendering) add on the same
partitions, without editing this module.

``BOARDROOM_DAILY_CRON`` (or, if unset, the older ``BOARDROOM_INGEST_CRON``; default
``0 2 * * *``, UTC) sets the time of day. It must be a daily cron (``M H * * *``): each tick
runs the newest complete as-of day, i.e. yesterday (UTC). This is the only schedule that runs
ingestion (``ingest_job`` stays for ad-hoc runs).
"""

from __future__ import annotations

from collections.abc import Mapping, Set

import dagster as dg
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._record import record

from boardroom.jobs import DAILY_PIPELINE_JOB
from boardroom.settings import DAILY_CRON_ENV, Settings, daily_time
from orchestration.partitions import daily_partitions

EXCLUDED_GROUPS = ("delivery",)


def daily_cron(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(cron, the variable it came from): ``BOARDROOM_DAILY_CRON``, else the legacy name."""
    settings = Settings.from_env(env)
    return settings.daily_cron, settings.daily_cron_variable


@record
class DailyPartitionedSelection(dg.AssetSelection):
    """Materializable assets on ``daily_partitions`` outside the excluded groups."""

    excluded_groups: tuple[str, ...]

    def resolve_inner(self, asset_graph: BaseAssetGraph, allow_missing: bool) -> Set[dg.AssetKey]:
        return {
            key
            for key in asset_graph.materializable_asset_keys
            if asset_graph.get(key).partitions_def == daily_partitions
            and asset_graph.get(key).group_name not in self.excluded_groups
        }


daily_pipeline_job = dg.define_asset_job(
    DAILY_PIPELINE_JOB,
    selection=DailyPartitionedSelection(excluded_groups=EXCLUDED_GROUPS),
    partitions_def=daily_partitions,
    description="The daily pipeline for one as-of day (or a range, in one run): ingestion "
    "into `raw`, the dbt marts into `audit`, and every later daily step (publication, board "
    "packs); email delivery excluded.",
)

_cron, _variable = daily_cron()
_hour, _minute = daily_time(_cron, _variable)

daily_pipeline_schedule = dg.build_schedule_from_partitioned_job(
    daily_pipeline_job,
    name="daily_pipeline_schedule",
    description=f"Every day at {_hour:02d}:{_minute:02d} UTC, run the daily pipeline for the "
    f"as-of day that just ended (set {DAILY_CRON_ENV}).",
    hour_of_day=_hour,
    minute_of_hour=_minute,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
