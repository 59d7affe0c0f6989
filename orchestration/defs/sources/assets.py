"""External assets of the sources: the PostHog project and the app database's tables."""

from __future__ import annotations

import dagster as dg

from boardroom.sources.app_db import APP_TABLES
from orchestration.owners import OWNERS

GROUP = "sources"
POSTHOG_EVENTS_KEY = dg.AssetKey(["posthog", "events"])
APP_SOURCE_KEYS: dict[str, dg.AssetKey] = {
    table: dg.AssetKey(["app", table]) for table in APP_TABLES
}
SOURCE_KEYS: list[dg.AssetKey] = [POSTHOG_EVENTS_KEY, *APP_SOURCE_KEYS.values()]

POSTHOG_EVENTS_SPEC = dg.AssetSpec(
    POSTHOG_EVENTS_KEY,
    description="The PostHog project's events (POSTHOG_HOST / POSTHOG_PROJECT_ID; the local "
    "stand-in when unset), read through the HogQL query API. Observed by "
    "`source_observation_sensor`: rows, last event received (PostHog's `created_at`) and "
    "its event time.",
    group_name=GROUP,
    owners=OWNERS,
    kinds={"posthog"},
    tags={"layer": "source", "source": "posthog"},
)

APP_SOURCE_SPECS: list[dg.AssetSpec] = [
    dg.AssetSpec(
        key,
        description=f"Operational table `app.{table}` of the application database "
        "(BOARDROOM_APP_DATABASE_URL; the embedded server when unset), read-only. Observed "
        "by `source_observation_sensor`: rows and newest `updated_at`.",
        group_name=GROUP,
        owners=OWNERS,
        kinds={"postgres"},
        tags={"layer": "source", "source": "app"},
        metadata={"dagster/table_name": f"app.{table}"},
    )
    for table, key in APP_SOURCE_KEYS.items()
]

SOURCE_SPECS: list[dg.AssetSpec] = [POSTHOG_EVENTS_SPEC, *APP_SOURCE_SPECS]
