"""``source_observation_sensor``: records observations of both sources on a timer."""

# No `from __future__ import annotations`: Dagster reads the sensor's resource annotations.

import dagster as dg

from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.sources.observe import (
    observe_app_tables,
    observe_posthog,
    posthog_observation_event,
    sensor_client,
    table_observation_event,
)
from orchestration.defs.sources.resources import PostHogQueryResource

OBSERVATION_INTERVAL_SECONDS = 300


@dg.sensor(
    name="source_observation_sensor",
    description="Every 5 minutes, observe the sources without copying anything: each "
    "`app/<table>` gets its rows and newest `updated_at`, `posthog/events` its rows and the "
    "last event received (PostHog's ingestion time) with that event's time. Shown on the "
    "source assets' Observations tab; starts no runs.",
    minimum_interval_seconds=OBSERVATION_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def source_observation_sensor(
    context: dg.SensorEvaluationContext,
    app_db: PostgresResource,
    posthog: PostHogQueryResource,
) -> dg.SensorResult:
    events: list[dg.AssetObservation] = []
    problems: list[str] = []
    try:
        events.extend(table_observation_event(t) for t in observe_app_tables(app_db.url))
    except Exception as exc:  # one unreachable source must not hide the other
        problems.append(f"app database: {exc}")
    try:
        with sensor_client(posthog) as client:
            events.append(posthog_observation_event(observe_posthog(client)))
    except Exception as exc:
        problems.append(f"PostHog: {exc}")
    for problem in problems:
        context.log.warning(f"source not observed: {problem}")
    skip = "; ".join(problems) if problems and not events else None
    return dg.SensorResult(asset_events=events, skip_reason=skip)
