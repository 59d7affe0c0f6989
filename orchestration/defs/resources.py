"""Resources shared by every part of the pipeline, configured from the environment."""

import dagster as dg

from orchestration.resources import PostgresResource, PostHogQueryResource


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "app_db": PostgresResource(url=dg.EnvVar("BOARDROOM_APP_DATABASE_URL")),
            "warehouse": PostgresResource(url=dg.EnvVar("BOARDROOM_WAREHOUSE_URL")),
            "posthog": PostHogQueryResource(
                host=dg.EnvVar("POSTHOG_HOST"),
                project_id=dg.EnvVar.int("POSTHOG_PROJECT_ID"),
                personal_api_key=dg.EnvVar("POSTHOG_PERSONAL_API_KEY"),
            ),
        }
    )
