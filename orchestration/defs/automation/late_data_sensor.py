"""``late_data_sensor``: re-runs the published as-of days that late data reaches."""

# No `from __future__ import annotations`: Dagster reads the sensor's resource annotations.

import hashlib
import json
from datetime import date, datetime

import dagster as dg
from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from orchestration.defs.automation.late_data import late_events, late_usage
from orchestration.defs.automation.published_days import (
    affected_published_days,
    day_ranges,
    published_span,
    stale_published_days,
)
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.packs.assets import PACKS_GROUP
from orchestration.defs.pipeline import daily_pipeline_job
from orchestration.defs.sources.observe import sensor_client
from orchestration.defs.sources.resources import PostHogQueryResource

LATE_DATA_INTERVAL_SECONDS = 300
TRIGGER_TAG = "boardroom/trigger"


def _cursor(text: str | None) -> dict[str, datetime | None]:
    data = json.loads(text) if text else {}
    return {
        name: datetime.fromisoformat(data[name]) if data.get(name) else None
        for name in ("events", "usage", "loaded")
    }


def without_packs(context: dg.SensorEvaluationContext) -> list[dg.AssetKey] | None:
    """The daily job's assets minus board-pack rendering (None: no definitions to read)."""
    repository = context.repository_def
    if repository is None:
        return None
    graph = repository.asset_graph
    keys = repository.get_job(daily_pipeline_job.name).asset_layer.selected_asset_keys
    return sorted((k for k in keys if graph.get(k).group_name != PACKS_GROUP), key=lambda k: k.path)


def run_request(
    first: date, last: date, token: str, selection: list[dg.AssetKey] | None = None
) -> dg.RunRequest:
    """One run of ``daily_pipeline_job`` over [first, last] (a single-run range), of the
    assets in ``selection`` (default: the whole job)."""
    tags = {TRIGGER_TAG: "late_data"}
    key = f"late-data:{first.isoformat()}..{last.isoformat()}:{token}"
    if first == last:
        return dg.RunRequest(
            run_key=key, partition_key=first.isoformat(), tags=tags, asset_selection=selection
        )
    tags[ASSET_PARTITION_RANGE_START_TAG] = first.isoformat()
    tags[ASSET_PARTITION_RANGE_END_TAG] = last.isoformat()
    return dg.RunRequest(run_key=key, tags=tags, asset_selection=selection)


@dg.sensor(
    name="late_data_sensor",
    job=daily_pipeline_job,
    description="Every 5 minutes, look for data that arrived after a day was published: "
    "events PostHog received since the last ingestion stamped on a published day's windows, "
    "`app.infra_usage` rows changed since the last extraction, and rows a later run loaded "
    "into `raw` after the day was published (a daily run publishes its own day only). "
    "Requests one `daily_pipeline_job` run per contiguous range of the published as-of days "
    "whose windows (as dbt builds them) hold that data, which ingests it, rebuilds those "
    "days and re-publishes them (board packs only with the newest published day). Other "
    "operational changes reach no published day (state is read as of the run). Waits while "
    "a run of the daily job is queued or in progress.",
    minimum_interval_seconds=LATE_DATA_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def late_data_sensor(
    context: dg.SensorEvaluationContext,
    warehouse: PostgresResource,
    app_db: PostgresResource,
    posthog: PostHogQueryResource,
) -> dg.SensorResult:
    in_flight = context.instance.get_runs_count(
        dg.RunsFilter(job_name=daily_pipeline_job.name, statuses=IN_PROGRESS_RUN_STATUSES)
    )
    if in_flight:
        return dg.SensorResult(
            skip_reason=f"{in_flight} run(s) of {daily_pipeline_job.name} queued or in "
            "progress: late data is looked at once they are done."
        )
    span = published_span(warehouse.url)
    if span is None:
        return dg.SensorResult(skip_reason="Nothing published yet: no day can be late.")
    published_from, published_until = span
    cursor = _cursor(context.cursor)
    with sensor_client(posthog) as client:
        events = late_events(
            client,
            warehouse.url,
            published_until,
            published_from=published_from,
            after=cursor["events"],
        )
    usage = late_usage(app_db.url, warehouse.url, after=cursor["usage"])
    stale, loaded = stale_published_days(warehouse.url, since=cursor["loaded"])
    days = sorted(set(affected_published_days(warehouse.url, events.days, usage.days)) | set(stale))
    new_cursor = json.dumps(
        {
            name: value.isoformat() if value else None
            for name, value in (
                ("events", events.newest),
                ("usage", usage.newest),
                ("loaded", loaded),
            )
        }
    )
    if not days:
        return dg.SensorResult(
            skip_reason="No late data reaches a published day.", cursor=new_cursor
        )
    context.log.info(
        f"Late events on {sorted(d.isoformat() for d in events.days)}, late usage on "
        f"{sorted(d.isoformat() for d in usage.days)}, published days missing loaded rows "
        f"{[d.isoformat() for d in stale]}: re-running published days "
        f"{days[0]}..{days[-1]} ({len(days)} day(s))."
    )
    token = hashlib.sha256(new_cursor.encode()).hexdigest()[:12]
    # Board packs are re-rendered only with the newest published day (the period the next
    # delivery sends); older periods' packs are not rendered again for each of their days.
    older = without_packs(context)
    requests = [
        run_request(first, last, token, None if last >= published_until else older)
        for first, last in day_ranges(days)
    ]
    return dg.SensorResult(run_requests=requests, cursor=new_cursor)
