"""Bring up what a command needs: database URLs (embedded or configured) and PostHog.

Commands and child processes (Dagster, dbt) share one view of the environment: the
configured variables where set, the embedded server and the local PostHog stand-in where
not. :func:`child_environment` turns that view into variables for a subprocess.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from boardroom.database import DatabaseUrls, connect, dagster_storage_url, resolve_urls
from boardroom.paths import DAGSTER_YAML
from boardroom.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    urls: DatabaseUrls
    posthog_host: str


def check_reachable(urls: DatabaseUrls) -> None:
    """Fail early, with a clear :class:`DatabaseUnavailable`, if any database is unreachable."""
    for url in {urls.app, urls.warehouse, urls.dagster}:
        connect(url).close()


@contextmanager
def open_runtime(settings: Settings | None = None, *, posthog: bool = True) -> Iterator[Runtime]:
    """Resolve databases and, when PostHog is not configured, serve the local stand-in."""
    settings = settings or Settings.from_env()
    urls = resolve_urls(settings)
    check_reachable(urls)
    if not (posthog and settings.uses_local_posthog):
        yield Runtime(settings, urls, settings.posthog_host or "")
        return
    from boardroom.posthog_local import PostHogLocal

    with PostHogLocal(
        settings.posthog_data_dir,
        project_id=settings.posthog_project_id,
        project_api_key=settings.posthog_project_api_key,
        personal_api_key=settings.posthog_personal_api_key,
    ) as server:
        yield Runtime(settings, urls, server.url)


def dagster_home(settings: Settings) -> Path:
    """A DAGSTER_HOME under the data folder whose dagster.yaml is the project's own."""
    home = settings.data_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    link = home / "dagster.yaml"
    if not link.exists():
        link.symlink_to(DAGSTER_YAML)
    return home


def child_environment(runtime: Runtime) -> dict[str, str]:
    """Variables for Dagster and dbt subprocesses, naming every resolved service."""
    s = runtime.settings
    env = dict(os.environ)
    env.update(
        {
            "BOARDROOM_APP_DATABASE_URL": runtime.urls.app,
            "BOARDROOM_WAREHOUSE_URL": runtime.urls.warehouse,
            "BOARDROOM_DAGSTER_DATABASE_URL": dagster_storage_url(runtime.urls.dagster),
            "BOARDROOM_DATA_DIR": str(s.data_dir),
            "POSTHOG_HOST": runtime.posthog_host,
            "POSTHOG_PROJECT_ID": str(s.posthog_project_id),
            "POSTHOG_PERSONAL_API_KEY": s.posthog_personal_api_key,
            "POSTHOG_PROJECT_API_KEY": s.posthog_project_api_key,
            # The `smtp` resource reads every one of these (empty: unset).
            "BOARDROOM_SMTP_HOST": s.smtp_host or "",
            "BOARDROOM_SMTP_PORT": str(s.smtp_port),
            "BOARDROOM_SMTP_USERNAME": s.smtp_username or "",
            "BOARDROOM_SMTP_PASSWORD": s.smtp_password or "",
            "BOARDROOM_SMTP_SECURITY": s.smtp_security,
            "BOARDROOM_SMTP_FROM": s.smtp_from,
            "DAGSTER_HOME": str(dagster_home(s)),
            "DAGSTER_DISABLE_TELEMETRY": "1",
            "GX_ANALYTICS_ENABLED": "false",
        }
    )
    return env
