"""A local PostHog stand-in: PostHog's capture and HogQL query API over a SQLite file.

PostHog itself cannot run on a developer machine or in CI here, so the demo and the tests
point the real ``posthog`` SDK and the pipeline's query client at this server instead. It
speaks PostHog's real request and response shapes, errors included, and can be told to fail
the way PostHog does (throttling, ClickHouse errors, timeouts, Cloudflare 524, dropped
connections). See :mod:`boardroom.posthog_local.server` for the routes and
:mod:`boardroom.posthog_local.hogql` for the HogQL subset it answers.

    from boardroom.posthog_local import PostHogLocal

    with PostHogLocal(data_dir, project_id=1, project_api_key="phc_...",
                      personal_api_key="phx_...") as server:
        server.url                      # http://127.0.0.1:PORT
        server.faults.inject("throttle", count=2, wait_seconds=3)
        server.stats["events_stored"]
"""

from boardroom.posthog_local.faults import Faults
from boardroom.posthog_local.server import PostHogLocal

__all__ = ["Faults", "PostHogLocal"]
