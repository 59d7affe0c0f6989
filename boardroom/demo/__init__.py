"""Deterministic demo data for both sources: the ``app`` database and PostHog events.

``DemoSpec(seed, tenants, days, end_date)`` fixes everything; the same spec always gives
byte-identical rows and events. See :mod:`boardroom.demo.profiles` for how each tenant is
built to show a chosen status per executive dimension.
"""

from boardroom.demo.events import (
    CATALOGUE_EVENTS,
    QUARANTINE_REASONS,
    WAVES,
    DemoEvent,
    Wave,
    day_events,
    iter_events,
)
from boardroom.demo.load_operational import load_operational
from boardroom.demo.operational import APP_COLUMNS, generate_operational
from boardroom.demo.profiles import (
    QUOTE_TENANT_ID,
    TenantProfile,
    tenant_id,
    tenant_profile,
    tenant_profiles,
)
from boardroom.demo.send_events import SendError, SendReport, send_events
from boardroom.demo.spec import DIMENSIONS, LEVELS, DemoSpec
from boardroom.demo.summary import EventTally, SummaryRow, summary_rows, tally_events

__all__ = [
    "APP_COLUMNS",
    "CATALOGUE_EVENTS",
    "DIMENSIONS",
    "LEVELS",
    "QUARANTINE_REASONS",
    "QUOTE_TENANT_ID",
    "WAVES",
    "DemoEvent",
    "DemoSpec",
    "EventTally",
    "SendError",
    "SendReport",
    "SummaryRow",
    "TenantProfile",
    "Wave",
    "day_events",
    "generate_operational",
    "iter_events",
    "load_operational",
    "send_events",
    "summary_rows",
    "tally_events",
    "tenant_id",
    "tenant_profile",
    "tenant_profiles",
]
