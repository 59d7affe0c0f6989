"""The demo data set's specification and its deterministic random streams."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

#: Status levels of PRODUCT.md, in the order profiles cycle through them.
LEVELS = ("ok", "watch", "at_risk", "unknown")

#: The four executive statuses (named after the mart columns' prefixes).
DIMENSIONS = ("revenue_protection", "deliverability", "cost_optimization", "operational")


@dataclass(frozen=True, kw_only=True)
class DemoSpec:
    """What to generate: ``tenants`` tenants over ``days`` days ending on ``end_date`` (UTC).

    The same spec always yields byte-identical data. ``end_date`` is explicit so that the
    data does not depend on the day it is generated (the CLI defaults it to yesterday).
    """

    end_date: date
    seed: int = 7
    tenants: int = 12
    days: int = 30

    def __post_init__(self) -> None:
        if self.tenants < 1:
            raise ValueError(f"tenants must be at least 1; got {self.tenants}")
        if self.days < 1:
            raise ValueError(f"days must be at least 1; got {self.days}")
        if isinstance(self.end_date, datetime) or not isinstance(self.end_date, date):
            raise TypeError(f"end_date must be a datetime.date; got {self.end_date!r}")

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)

    @property
    def dates(self) -> list[date]:
        """Every generated day, oldest first."""
        return [self.start_date + timedelta(days=k) for k in range(self.days)]

    @property
    def as_of(self) -> datetime:
        """The as-of instant T of ``end_date``: the next midnight, UTC (PRODUCT.md, Time)."""
        return day_start(self.end_date + timedelta(days=1))

    @property
    def window_30d(self) -> int:
        """How many generated days a 30-day window ending on ``end_date`` holds."""
        return min(self.days, 30)

    def rng(self, *parts: object) -> random.Random:
        """An independent random stream named by ``parts`` (e.g. tenant index and day).

        Seeding from a string is stable across processes and Python versions (it is
        hashed with SHA-512, not ``hash()``), so each stream can be regenerated on its
        own, in any order.
        """
        key = ":".join(str(p) for p in ("boardroom-demo", self.seed, *parts))
        return random.Random(key)  # noqa: S311 - demo data, not security


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC)
