"""The metric catalogue (``marts.metric_catalog``): each figure's unit, flag and label."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.rows import dict_row


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    unit: str
    is_approximate: bool
    source_of_record: str
    label: str
    surface: str


class UnknownMetric(KeyError):
    """A figure the pack shows has no row in the metric catalogue."""


@dataclass(frozen=True)
class MetricCatalog:
    entries: dict[str, CatalogEntry]

    def __getitem__(self, name: str) -> CatalogEntry:
        try:
            return self.entries[name]
        except KeyError:
            raise UnknownMetric(f"Figure {name!r} is not in the metric catalogue.") from None

    def approximate_labels(self) -> set[str]:
        return {e.label for e in self.entries.values() if e.is_approximate}


def read_catalog(conn: psycopg.Connection, schema: str = "marts") -> MetricCatalog:
    """Read the published catalogue from ``<schema>.metric_catalog``."""
    query = sql.SQL(
        "SELECT name, unit, is_approximate, source_of_record, label, surface FROM {}"
    ).format(sql.Identifier(schema, "metric_catalog"))
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query).fetchall()
    return MetricCatalog({row["name"]: CatalogEntry(**row) for row in rows})
