"""``posthog``: PostHog's query API for the configured project (or the local stand-in)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

if TYPE_CHECKING:
    from boardroom.ingest.posthog_query import PostHogQueryClient


class PostHogQueryResource(dg.ConfigurableResource):
    """PostHog's query API for one project, authenticated with a personal API key.

    ``client()`` gives a :class:`~boardroom.ingest.posthog_query.PostHogQueryClient`: HogQL
    with placeholders, at most ``max_concurrency`` (<= 3, PostHog's limit) queries in flight
    per project in this process, retries with backoff on 429/5xx/524/dropped connections, and
    a clear error on a bad key or query. Pass it to
    :func:`boardroom.ingest.events.ingest_events`.
    """

    host: str = Field(description="PostHog base URL, e.g. https://eu.posthog.com.")
    project_id: int = Field(description="The PostHog project (environment) id.")
    personal_api_key: str = Field(
        description="Personal API key (phx_...) with the Query Read scope; from an EnvVar."
    )
    page_size: int = Field(
        default=50_000,
        description="Rows per query page (PostHog caps LIMIT at 50,000; 50,000 keeps a "
        "million events under 25 queries).",
    )
    max_concurrency: int = Field(
        default=3, description="Queries in flight at once for the project (PostHog allows 3)."
    )
    timeout_seconds: float = Field(
        default=60.0, description="Read timeout of one query request, in seconds."
    )
    max_retries: int = Field(
        default=8, description="Retries of one query on 429, 5xx, 524 and dropped connections."
    )
    max_throttle_wait_seconds: float = Field(
        default=300.0,
        description="Longest 429 wait ('Expected available in N seconds') honoured; a longer "
        "one fails the run with a message saying so.",
    )

    def client(self) -> PostHogQueryClient:
        """A query client configured from this resource (the key never appears in reprs)."""
        from boardroom.ingest.posthog_query import PostHogQueryClient

        return PostHogQueryClient(
            self.host,
            self.project_id,
            self.personal_api_key,
            page_size=self.page_size,
            max_concurrency=self.max_concurrency,
            timeout_seconds=self.timeout_seconds,
            max_retries=self.max_retries,
            max_throttle_wait_seconds=self.max_throttle_wait_seconds,
        )


@dg.definitions
def posthog_resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "posthog": PostHogQueryResource(
                host=dg.EnvVar("POSTHOG_HOST"),
                project_id=dg.EnvVar.int("POSTHOG_PROJECT_ID"),
                personal_api_key=dg.EnvVar("POSTHOG_PERSONAL_API_KEY"),
            ),
        }
    )
