"""The one partitioning shared by every daily asset: ingestion, dbt models and publication.

Partition ``D`` (a UTC date, key ``YYYY-MM-DD``) is the *as-of day* D of PRODUCT.md: its
as-of time is ``T = D+1 00:00 UTC``. A partition exists only once its day is over
(``end_offset=0``): at 02:00 UTC on D+1 the newest partition is D, which is what the daily
schedules run. Today's partition would describe a day that has not ended, so there is none.

Tenants are not a partition dimension (as in dagster-open-platform): each run handles every
tenant of ``app.tenants``, so a new tenant needs no sensor and no backfill of its own, and a
date range backfills in ONE run (``BackfillPolicy.single_run()`` on the assets).

The first day is where the data starts (:mod:`boardroom.partitions_start`):
``BOARDROOM_PARTITIONS_START`` (``YYYY-MM-DD``) when set, else the day derived from the
sources at the first run and recorded in the data folder, else ``2025-01-01``.
"""

from __future__ import annotations

from datetime import date

import dagster as dg

from boardroom.partitions_start import DEFAULT_PARTITIONS_START, partitions_start
from boardroom.settings import PARTITIONS_START_ENV

__all__ = [
    "DEFAULT_PARTITIONS_START",
    "PARTITIONS_START_ENV",
    "build_daily_partitions",
    "daily_partitions",
    "partition_days",
    "partitions_start",
]


def build_daily_partitions(start: str | None = None) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(
        start_date=start or partitions_start(), timezone="UTC", end_offset=0
    )


#: As-of days, UTC. Import this (never build another) so assets line up partition by partition.
daily_partitions = build_daily_partitions()


def partition_days(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """The as-of days a run covers, ``[first, end)``: one day for a single partition, the
    whole range for a single-run backfill."""
    window = context.partition_time_window
    return window.start.date(), window.end.date()
