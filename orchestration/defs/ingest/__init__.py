"""Ingestion (group ``ingest``): operational tables and PostHog events into schema ``raw``.

* ``assets.py``: ``raw/app_<table>`` (one multi-asset, one extraction per run) and
  ``raw/posthog_events``, daily-partitioned by as-of day (``orchestration.partitions``).
* ``jobs.py``: ``ingest_job`` for ad-hoc runs of ingestion alone (the daily schedule runs
  the whole pipeline: ``orchestration/defs/pipeline.py``).

Tenants are not partitions: every run covers every tenant, so a tenant added to
``app.tenants`` is picked up by the next run without a sensor.
"""
