"""The reporting currency shown beside money figures.

Money-carrying marts may publish a ``currency`` column (the tenant's reporting currency).
A mart published without it gives no code: the figure is shown as a plain number. This is
the only place that knows about the column.
"""

from __future__ import annotations

from typing import Any

#: Catalogue units that are amounts of money.
MONEY_UNITS = frozenset({"currency", "currency per 1000 messages"})


def currency_of(row: dict[str, Any] | None) -> str | None:
    """The row's ISO currency code, or None when the mart has no (or an empty) ``currency``."""
    value = (row or {}).get("currency")
    code = str(value).strip().upper() if value is not None else ""
    return code or None


def is_money(unit: str) -> bool:
    return unit in MONEY_UNITS
