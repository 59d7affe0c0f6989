"""``ingest_job``: every ingest asset, one as-of day (or a range), for ad-hoc runs.

The daily schedule lives in ``orchestration/defs/pipeline.py``: it runs ingestion as part
of ``daily_pipeline_job`` (ingestion, marts, publication), so nothing schedules ingestion
twice.
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs.ingest.assets import INGEST_KEYS

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.assets(*INGEST_KEYS),
    description="Operational tables and PostHog events into `raw`, for one as-of day "
    "(or a range, in one run). Scheduled daily as part of `daily_pipeline_job`.",
)
