"""Reporting periods: the ``days`` as-of days ending on day ``end`` (both inclusive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_PERIOD_DAYS = 7


@dataclass(frozen=True)
class Period:
    """As-of days ``[end - days + 1, end]``; weekly (7 days) by default."""

    end: date
    days: int = DEFAULT_PERIOD_DAYS

    def __post_init__(self) -> None:
        if not 1 <= self.days <= 366:
            raise ValueError(f"A period holds 1 to 366 days; got {self.days}.")

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days - 1)

    @property
    def key(self) -> str:
        """Folder and log key of the period, e.g. ``2026-03-31_7d``."""
        return f"{self.end.isoformat()}_{self.days}d"

    @property
    def previous(self) -> Period:
        """The same window one period earlier (the comparison of headline changes)."""
        return Period(self.end - timedelta(days=self.days), self.days)

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days}
