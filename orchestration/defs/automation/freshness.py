"""Freshness of the published marts: every day, published within hours of the daily run.

``BOARDROOM_MARTS_FRESHNESS_HOURS`` (default 4, whole hours 1..23): the published marts must
have been materialized in the 24 hours before the deadline ``daily run time + that many
hours`` (UTC). Dagster's freshness daemon evaluates the policy; the asset pages and the
asset catalogue show the marts as fresh or overdue.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import dagster as dg

from boardroom.settings import Settings


def freshness_hours(env: Mapping[str, str] | None = None) -> int:
    return Settings.from_env(env).marts_freshness_hours


def deadline_cron(env: Mapping[str, str] | None = None) -> str:
    """The daily deadline: the daily run's time of day plus the allowed hours (UTC)."""
    settings = Settings.from_env(env)
    hour, minute = settings.daily_run_time
    return f"{minute} {(hour + settings.marts_freshness_hours) % 24} * * *"


def marts_freshness_policy(env: Mapping[str, str] | None = None) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.cron(
        deadline_cron=deadline_cron(env), lower_bound_delta=timedelta(hours=24), timezone="UTC"
    )


MARTS_FRESHNESS_POLICY = marts_freshness_policy()
