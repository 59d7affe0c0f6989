"""Figure values as exact strings for the JSON export, and their display in the PDF."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def exact(value: Any) -> str | None:
    """An exact decimal literal (``"0.0357142857"``), never rounded; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, float):
        return repr(value)
    return str(value)


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def display(value: str | None, unit: str, na: str = "n/a") -> str:
    """A figure for people: grouped digits, 2 decimals for money, ratios as percentages."""
    if value is None:
        return na
    number = Decimal(value)
    if unit == "ratio":
        return f"{number * 100:,.2f}\u00a0%"
    if unit == "count":
        return f"{number:,.0f}"
    if unit == "milliseconds":
        return f"{number:,.0f}\u00a0ms"
    if unit == "units":
        return f"{number:,.0f}"
    return f"{number:,.2f}"


def display_hours(value: str | None) -> str:
    return "n/a" if value is None else f"{Decimal(value):,.1f}"


def when(value: str | None) -> str:
    """An ISO timestamp as ``YYYY-MM-DD HH:MM UTC`` (shown in UTC, to the minute)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")
