"""Freshness of the published marts: every day, published within hours of the daily run.

``BOARDROOM_MARTS_FRESHNESS_HOURS`` (default 4, whole hours 1..23): the published marts must
have been materialized in the 24 hours before the deadline ``daily run time + that many
hours`` (UTC). Dagster's freshness daemon evaluates the policy; the asset pages and the
asset catalogue show the marts as fresh or overdue.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

import dagster as dg

from boardroom.settings import ConfigurationError
from orchestration.defs.pipeline import daily_cron, daily_time

FRESHNESS_HOURS_ENV = "BOARDROOM_MARTS_FRESHNESS_HOURS"
DEFAULT_FRESHNESS_HOURS = 4


def freshness_hours(env: Mapping[str, str] | None = None) -> int:
    raw = ((os.environ if env is None else env).get(FRESHNESS_HOURS_ENV) or "").strip()
    if not raw:
        return DEFAULT_FRESHNESS_HOURS
    if not raw.isdigit() or not 1 <= int(raw) <= 23:
        raise ConfigurationError(
            f"{FRESHNESS_HOURS_ENV} must be a whole number of hours from 1 to 23; got {raw!r}."
        )
    return int(raw)


def deadline_cron(env: Mapping[str, str] | None = None) -> str:
    """The daily deadline: the daily run's time of day plus the allowed hours (UTC)."""
    hour, minute = daily_time(*daily_cron(env))
    return f"{minute} {(hour + freshness_hours(env)) % 24} * * *"


def marts_freshness_policy(env: Mapping[str, str] | None = None) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.cron(
        deadline_cron=deadline_cron(env), lower_bound_delta=timedelta(hours=24), timezone="UTC"
    )


MARTS_FRESHNESS_POLICY = marts_freshness_policy()
