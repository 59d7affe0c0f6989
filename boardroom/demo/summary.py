"""What a demo data set holds, as plain rows for the CLI's summary table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from boardroom.demo.events import DemoEvent
from boardroom.demo.profiles import tenant_profiles
from boardroom.demo.spec import DIMENSIONS, LEVELS, DemoSpec


@dataclass
class EventTally:
    """Counts of events as they stream by (fed by ``send_events`` or ``tally_events``)."""

    deliveries: int = 0
    by_event: Counter[str] = field(default_factory=Counter)
    late: int = 0
    duplicates: int = 0
    malformed: Counter[str] = field(default_factory=Counter)

    def add(self, event: DemoEvent) -> None:
        self.deliveries += 1
        if event.is_duplicate:
            self.duplicates += 1
            return
        if event.quarantine_reason is not None:
            self.malformed[event.quarantine_reason] += 1
            return
        self.by_event[event.event] += 1
        if event.wave == "late":
            self.late += 1

    @property
    def valid(self) -> int:
        """Distinct events the pipeline should keep (no duplicates, none quarantined)."""
        return sum(self.by_event.values())


def tally_events(events: Iterable[DemoEvent]) -> EventTally:
    tally = EventTally()
    for event in events:
        tally.add(event)
    return tally


class SummaryRow(NamedTuple):
    section: str
    item: str
    count: int


def summary_rows(
    spec: DemoSpec,
    *,
    row_counts: Mapping[str, int] | None = None,
    tally: EventTally | None = None,
) -> list[SummaryRow]:
    """Rows (section, item, count) describing the data set of ``spec``.

    ``row_counts`` (from ``load_operational``) and ``tally`` (from ``send_events`` or
    ``tally_events``) are optional so the CLI can show whatever it has produced,
    without generating anything twice.
    """
    rows: list[SummaryRow] = []
    profiles = tenant_profiles(spec)
    for key, title in (
        ("locale", "tenants by locale"),
        ("status", "tenants by status"),
        ("plan", "tenants by plan"),
    ):
        counts = Counter(getattr(p, key) for p in profiles)
        rows.extend(SummaryRow(title, value, n) for value, n in sorted(counts.items()))
    for dimension in DIMENSIONS:
        counts = Counter(p.targets[dimension] for p in profiles)
        rows.extend(
            SummaryRow(f"target {dimension} status", level, counts[level]) for level in LEVELS
        )
    if row_counts is not None:
        rows.extend(SummaryRow("app table rows", table, n) for table, n in row_counts.items())
    if tally is not None:
        rows.extend(
            SummaryRow("events by kind", name, n) for name, n in sorted(tally.by_event.items())
        )
        rows.append(SummaryRow("events", "valid (distinct, not quarantined)", tally.valid))
        rows.append(SummaryRow("events", "late (arrive after the on-time wave)", tally.late))
        rows.append(SummaryRow("events", "duplicate deliveries", tally.duplicates))
        rows.append(SummaryRow("events", "malformed (quarantined)", sum(tally.malformed.values())))
        rows.append(SummaryRow("events", "deliveries (all of the above)", tally.deliveries))
        rows.extend(
            SummaryRow("malformed by reason", reason, n)
            for reason, n in sorted(tally.malformed.items())
        )
    return rows
