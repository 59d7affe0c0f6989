"""The reporting currency shown beside money figures.

Money-carrying marts may publish a ``currency`` column (the tenant's reporting currency).
A mart published without it gives no code: the figure is shown as a plain number, and so is
a platform sum over tenants of several currencies (``platform_overview.currency`` is then
``mixed``: an amount without conversion has no one currency to name). This is the only place
that knows about the column.
"""

from __future__ import annotations

from typing import Any

#: Catalogue units that are amounts of money.
MONEY_UNITS = frozenset({"currency", "currency per 1000 messages"})


def currency_of(row: dict[str, Any] | None) -> str | None:
    """The row's ISO currency code, or None when the mart has no (or an empty) ``currency``."""
    value = (row or {}).get("currency")
    code = str(value).strip().upper() if value is not None else ""
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


def is_money(unit: str) -> bool:
    return unit in MONEY_UNITS
