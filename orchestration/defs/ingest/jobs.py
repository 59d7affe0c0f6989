"""``ingest_job`` (every ingest asset, one as-of day) and its daily schedule.

``BOARDROOM_INGEST_CRON`` (default ``0 2 * * *``, UTC) sets the time of day; it must be a
daily cron (``M H * * *``) because the schedule follows the daily partitions: each tick runs
the newest complete as-of day, i.e. yesterday (UTC).
"""

from __future__ import annotations

import os
import re

import dagster as dg

from boardroom.settings import ConfigurationError
from orchestration.defs.ingest.assets import INGEST_KEYS

INGEST_CRON_ENV = "BOARDROOM_INGEST_CRON"
DEFAULT_INGEST_CRON = "0 2 * * *"
_DAILY = re.compile(r"^\s*(\d{1,2})\s+(\d{1,2})\s+\*\s+\*\s+\*\s*$")


def daily_time(cron: str) -> tuple[int, int]:
    """``"30 2 * * *"`` -> ``(2, 30)`` (hour, minute); anything but a daily cron is refused."""
    match = _DAILY.match(cron)
    if match:
        minute, hour = int(match[1]), int(match[2])
        if minute < 60 and hour < 24:
            return hour, minute
    raise ConfigurationError(
        f"{INGEST_CRON_ENV} must be a daily cron 'M H * * *' (UTC), e.g. '0 2 * * *'; "
        f"got {cron!r}."
    )


ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.assets(*INGEST_KEYS),
    description="Operational tables and PostHog events into `raw`, for one as-of day "
    "(or a range, in one run).",
)

_hour, _minute = daily_time(os.environ.get(INGEST_CRON_ENV, "").strip() or DEFAULT_INGEST_CRON)

ingest_daily_schedule = dg.build_schedule_from_partitioned_job(
    ingest_job,
    name="ingest_daily_schedule",
    description=f"Every day at {_hour:02d}:{_minute:02d} UTC, ingest the as-of day that "
    f"just ended (set {INGEST_CRON_ENV}).",
    hour_of_day=_hour,
    minute_of_hour=_minute,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
