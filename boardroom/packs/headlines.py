"""Headline figures: the 3-5 numbers each section opens with, and their change.

The change compares the figure on the period's last day with the same figure on the last
day of the period before (same window, one period earlier), both read from the published
marts. ``change`` is ``current - previous`` exactly (``None`` when either is missing).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boardroom.packs.currency import currency_of, is_money
from boardroom.packs.values import exact

Row = dict[str, Any]

#: surface -> headline figures, most important first.
SECTION_HEADLINES: dict[str, tuple[str, ...]] = {
    "revenue": ("revenue_won_30d", "pipeline_value", "win_rate_90d", "revenue_at_risk_30d"),
    "cost": (
        "est_infra_cost_30d",
        "est_infra_cost_mtd",
        "est_cost_per_1k_messages_7d",
        "est_cost_to_mrr_ratio_30d",
    ),
    "deliverability": (
        "messages_sent_7d",
        "delivery_rate_7d",
        "bounce_rate_7d",
        "complaint_rate_7d",
    ),
    "operations": (
        "api_requests_7d",
        "api_error_rate_7d",
        "api_p95_latency_ms_7d",
        "active_users_7d",
    ),
    "executive_room": (
        "revenue_won_30d",
        "pipeline_value",
        "pending_approvals",
        "approvals_overdue",
        "compliance_posture",
    ),
}
#: status dimension -> the figure that drives it (the overview's headline for it).
OVERVIEW_HEADLINES: dict[str, str] = {
    "revenue_protection": "revenue_at_risk_30d",
    "cost_optimization": "est_infra_cost_30d",
    "deliverability": "bounce_rate_7d",
    "operational": "api_error_rate_7d",
}
PLATFORM_HEADLINES = ("mrr_total", "revenue_won_30d", "tenants_active", "alerts_critical")

#: +1: a rise is good news, -1: a rise is bad news; unlisted figures are neutral.
DIRECTION: dict[str, int] = {
    "revenue_won_30d": 1,
    "pipeline_value": 1,
    "win_rate_90d": 1,
    "payments_collected_30d": 1,
    "revenue_at_risk_30d": -1,
    "revenue_at_risk_ratio_30d": -1,
    "est_infra_cost_30d": -1,
    "est_infra_cost_mtd": -1,
    "est_infra_cost_7d": -1,
    "est_cost_per_1k_messages_7d": -1,
    "est_cost_to_mrr_ratio_30d": -1,
    "delivery_rate_7d": 1,
    "bounce_rate_7d": -1,
    "complaint_rate_7d": -1,
    "otp_verification_rate_7d": 1,
    "api_error_rate_7d": -1,
    "api_p95_latency_ms_7d": -1,
    "active_users_7d": 1,
    "active_users_30d": 1,
    "pending_approvals": -1,
    "approvals_sla_warning": -1,
    "approvals_overdue": -1,
    "compliance_posture": 1,
    "pdpl_consent_coverage": 1,
    "mrr_total": 1,
    "tenants_active": 1,
    "alerts_critical": -1,
    "alerts_warning": -1,
}


def change(current: Any, previous: Any) -> str | None:
    """``current - previous`` as an exact decimal string; None when either is missing."""
    if current is None or previous is None:
        return None
    return exact(Decimal(str(current)) - Decimal(str(previous)))


def headline(
    figure: dict[str, Any],
    name: str,
    row: Row | None,
    previous: Row | None,
    *,
    dimension: str | None = None,
) -> dict[str, Any]:
    """``figure`` (the export of ``name`` from ``row``) with its previous-period value,
    change and currency."""
    before = (previous or {}).get(name)
    return {
        **figure,
        "previous_value": exact(before),
        "change": change((row or {}).get(name), before),
        "currency": currency_of(row) if is_money(figure["unit"]) else None,
        "dimension": dimension,
    }


def tone(name: str, delta: str | None) -> str:
    """``good``, ``bad`` or ``neutral``: how an executive should read the change."""
    if delta is None:
        return "neutral"
    sign = Decimal(delta).compare(Decimal(0))
    return {1: "good", -1: "bad"}.get(int(sign) * DIRECTION.get(name, 0), "neutral")
