"""Instants as the stand-in stores and prints them: UTC microseconds since the epoch.

Parsing is "best effort or zero" like ClickHouse's ``parseDateTime64BestEffortOrZero``: a
value that is not a date-time sorts and compares as 1970-01-01 00:00:00 (key 0), while the
raw text is kept by the caller. Printing follows PostHog's query API, whose DRF JSON encoder
renders an aware UTC datetime with ``isoformat()`` and swaps ``+00:00`` for ``Z``
(``2026-11-01T10:00:00Z``, ``2026-11-01T10:00:00.123456Z``).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)

# Forms `datetime.fromisoformat` refuses but ClickHouse reads: "2026-11-01 10:00:00 UTC",
# a comma before the fraction, "+0300" style offsets after a space.
_LOOSE = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$"
)


def parse_instant(value: object) -> int | None:
    """UTC microseconds for a date-time string, or None when it is not one.

    A value without an offset is read as UTC (the stand-in's project time zone).
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = _parse_loose(value)
        if parsed is None:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return (parsed - _EPOCH) // _ONE_US


def _parse_loose(value: str) -> datetime | None:
    match = _LOOSE.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
        )
    except ValueError:
        return None
    if zone and zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        parsed -= offset if zone[0] == "+" else -offset
    return parsed


def format_instant(micros: int) -> str:
    """PostHog's JSON rendering of a UTC DateTime64 value (no fraction when it is zero)."""
    seconds, fraction = divmod(micros, 1_000_000)
    day, second_of_day = divmod(seconds, 86_400)
    prefix = _DAY_PREFIXES.get(day)
    if prefix is None:
        date = _EPOCH_NAIVE + timedelta(days=day)
        prefix = f"{date.year:04d}-{date.month:02d}-{date.day:02d}T"
        if len(_DAY_PREFIXES) < 100_000:
            _DAY_PREFIXES[day] = prefix
    hour, rest = divmod(second_of_day, 3600)
    minute, second = divmod(rest, 60)
    if fraction:
        return f"{prefix}{hour:02d}:{minute:02d}:{second:02d}.{fraction:06d}Z"
    return f"{prefix}{hour:02d}:{minute:02d}:{second:02d}Z"


_DAY_PREFIXES: dict[int, str] = {}


def now_micros() -> int:
    """The server's UTC wall clock in microseconds (ingestion time of captured events)."""
    return time.time_ns() // 1000
