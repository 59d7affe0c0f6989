"""Test rows kept as CSV files (``tests/<package>/fixtures/<table or scenario>.csv``).

* Lines starting with ``#`` are comments: the figures the rows produce are worked out
  beside them. A ``note`` column comments one row; it is left out of the row.
* An empty cell is None; a cell ``YYYY-MM-DD HH:MM:SS`` is an aware datetime in UTC. Other
  cells stay text (Postgres casts them to the column's type).
* A header ``name:int``, ``name:float`` or ``name:bool`` converts its column, for values
  whose type is kept as is (JSON properties).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_TYPES: dict[str, Callable[[str], Any]] = {
    "int": int,
    "float": float,
    "bool": lambda text: {"true": True, "false": False}[text.lower()],
}
NOTE = "note"


def _value(text: str, kind: str | None) -> Any:
    if text == "":
        return None
    if kind is not None:
        return _TYPES[kind](text)
    if _TIMESTAMP.match(text):
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    return text


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of the CSV file ``path``, as dicts by column name."""
    with path.open(newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    reader = csv.reader(lines)
    columns = []
    for header in next(reader):
        name, _, kind = header.partition(":")
        if kind and kind not in _TYPES:
            raise ValueError(f"{path.name}: unknown type {kind!r} of column {name!r}")
        columns.append((name, kind or None))
    rows = []
    for number, cells in enumerate(reader, start=1):
        if len(cells) != len(columns):
            raise ValueError(
                f"{path.name}: data row {number} has {len(cells)} cells, not {len(columns)}"
            )
        rows.append(
            {
                name: _value(text, kind)
                for (name, kind), text in zip(columns, cells, strict=True)
                if name != NOTE
            }
        )
    return rows
