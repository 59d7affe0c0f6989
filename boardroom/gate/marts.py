"""The audited marts the gate checks and publishes: names, grains and scopes."""

from __future__ import annotations

from dataclasses import dataclass

AUDIT_SCHEMA = "audit"
MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class MartSpec:
    """One mart: its grain (primary key) and how it is scoped for publication.

    ``tenant_scoped`` marts have ``tenant_id`` and publish per tenant; ``daily`` marts have
    ``as_of_date`` and publish the run's days (``tenant_summary`` has an ``as_of_date`` but
    holds one row per tenant, the latest day built, so it is published whole per tenant).
    """

    name: str
    grain: tuple[str, ...]
    tenant_scoped: bool = True
    daily: bool = True
    platform_only: bool = False
    volume_checked: bool = True

    @property
    def has_tenant_days(self) -> bool:
        return self.tenant_scoped and self.daily


MARTS: dict[str, MartSpec] = {
    spec.name: spec
    for spec in (
        MartSpec("exec_overview", ("tenant_id", "as_of_date")),
        MartSpec("tenant_summary", ("tenant_id",), daily=False),
        MartSpec("revenue_protection", ("tenant_id", "as_of_date")),
        MartSpec("cost_optimization", ("tenant_id", "as_of_date")),
        MartSpec(
            "cost_optimization_by_service", ("tenant_id", "as_of_date", "provider", "service")
        ),
        MartSpec("deliverability_health", ("tenant_id", "as_of_date")),
        MartSpec("deliverability_by_channel", ("tenant_id", "as_of_date", "channel")),
        MartSpec("ops_system_health", ("tenant_id", "as_of_date")),
        MartSpec("executive_room_snapshot", ("tenant_id", "as_of_date")),
        # Pending approvals and alerts follow the business: an empty queue is legitimate.
        MartSpec(
            "approval_queue", ("tenant_id", "as_of_date", "approval_id"), volume_checked=False
        ),
        MartSpec("alerts", ("alert_id",), volume_checked=False),
        MartSpec("platform_overview", ("as_of_date",), tenant_scoped=False, platform_only=True),
        MartSpec("metric_catalog", ("name",), tenant_scoped=False, daily=False),
    )
}

TENANT_MARTS: tuple[str, ...] = tuple(n for n, s in MARTS.items() if s.tenant_scoped)
PLATFORM_MARTS: tuple[str, ...] = tuple(n for n, s in MARTS.items() if not s.tenant_scoped)

#: Columns the publish step adds or ignores when comparing content.
PUBLISHED_AT = "published_at"
BUILT_AT = "_built_at"

#: Alerts the gate writes into ``marts.alerts`` for a withheld tenant.
PUBLICATION_BLOCKED = "publication_blocked"
