"""The board-pack document: one tenant's (or the platform's) figures for a period and scope.

This dict is the JSON export (``exports/board_pack.schema.json``) and the only input of
the PDF template, so both always hold the same figures. Every figure carries its unit,
approximation flag and label from the metric catalogue.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from boardroom.packs.catalog import MetricCatalog
from boardroom.packs.headlines import (
    OVERVIEW_HEADLINES,
    PLATFORM_HEADLINES,
    SECTION_HEADLINES,
    headline,
)
from boardroom.packs.i18n import Translator
from boardroom.packs.periods import Period
from boardroom.packs.reader import PlatformData, Row, TenantData
from boardroom.packs.scopes import (
    PLATFORM_SCOPE,
    SCOPES,
    STATUS_SURFACES,
    alert_surface,
    overview_dimensions,
    roles_for_scope,
)
from boardroom.packs.values import exact, iso

SCHEMA_VERSION = "1.1"
#: Names a figure goes by in exports when the catalogue's name would break the wording rules.
EXPORT_NAMES = {"invoices_at_risk_30d": "failed_payments_at_risk_30d"}
#: Keys left out of the content hash (they change on every render or republication).
VOLATILE_KEYS = ("generated_at", "published_at", "content_hash")

OVERVIEW_FIGURES: dict[str, tuple[str, ...]] = {
    "revenue_protection": (
        "revenue_at_risk_30d",
        "payments_collected_30d",
        "revenue_at_risk_ratio_30d",
        "revenue_won_30d",
    ),
    "deliverability": (
        "messages_sent_7d",
        "delivery_rate_7d",
        "bounce_rate_7d",
        "complaint_rate_7d",
    ),
    "cost_optimization": ("est_infra_cost_30d",),
    "operational": (
        "api_error_rate_7d",
        "connectors_degraded",
        "connectors_failing",
        "connectors_disconnected",
    ),
}

#: surface -> (mart, status dimension or None, figures, trend figures)
SURFACE_LAYOUT: dict[str, tuple[str, str | None, tuple[str, ...], tuple[str, ...]]] = {
    "revenue": (
        "revenue_protection",
        "revenue_protection",
        (
            "revenue_won_30d",
            "deals_won_30d",
            "pipeline_value",
            "open_deals",
            "win_rate_90d",
            "deals_won_90d",
            "deals_lost_90d",
            "payments_collected_30d",
            "revenue_at_risk_30d",
            "invoices_at_risk_30d",
            "revenue_at_risk_ratio_30d",
        ),
        ("revenue_at_risk_30d",),
    ),
    "cost": (
        "cost_optimization",
        "cost_optimization",
        (
            "mrr",
            "est_infra_cost_mtd",
            "est_infra_cost_30d",
            "est_infra_cost_7d",
            "usage_rows_30d",
            "messages_sent_7d",
            "est_cost_per_1k_messages_7d",
            "est_cost_to_mrr_ratio_30d",
        ),
        ("est_infra_cost_30d",),
    ),
    "deliverability": (
        "deliverability_health",
        "deliverability",
        (
            "messages_sent_7d",
            "messages_delivered_7d",
            "messages_bounced_7d",
            "messages_complained_7d",
            "delivery_rate_7d",
            "bounce_rate_7d",
            "complaint_rate_7d",
            "otp_sent_7d",
            "otp_verified_7d",
            "otp_verification_rate_7d",
        ),
        ("bounce_rate_7d",),
    ),
    "operations": (
        "ops_system_health",
        "operational",
        (
            "api_requests_7d",
            "api_errors_7d",
            "api_error_rate_7d",
            "api_p95_latency_ms_7d",
            "active_users_7d",
            "active_users_30d",
            "connectors_healthy",
            "connectors_degraded",
            "connectors_failing",
            "connectors_disconnected",
            "connectors_total",
        ),
        ("api_error_rate_7d",),
    ),
    "executive_room": (
        "executive_room_snapshot",
        None,
        (
            "revenue_won_30d",
            "pipeline_value",
            "win_rate_90d",
            "pending_approvals",
            "approvals_sla_warning",
            "approvals_overdue",
            "connectors_healthy",
            "connectors_degraded",
            "connectors_failing",
            "connectors_disconnected",
            "compliance_posture",
            "controls_passing",
            "controls_failing",
            "controls_not_assessed",
            "pdpl_consent_coverage",
            "consent_subjects",
            "consent_subjects_covered",
            "active_contradictions",
            "active_strategic_deals",
            "evidence_packs_ready",
        ),
        ("pending_approvals",),
    ),
}

BREAKDOWNS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "cost": (
        "by_service",
        "cost_optimization_by_service",
        ("provider", "service"),
        ("est_infra_cost_30d", "est_infra_cost_7d", "units_30d", "share_of_tenant_cost_30d"),
    ),
    "deliverability": (
        "by_channel",
        "deliverability_by_channel",
        ("channel",),
        ("messages_sent_7d", "delivery_rate_7d", "bounce_rate_7d", "complaint_rate_7d"),
    ),
}

PLATFORM_FIGURES = (
    "tenants_total",
    "tenants_active",
    "tenants_suspended",
    "tenants_churned",
    "mrr_total",
    "revenue_won_30d",
    "pipeline_value",
    "payments_collected_30d",
    "revenue_at_risk_30d",
    "est_infra_cost_30d",
    "messages_sent_7d",
    "delivery_rate_7d",
    "bounce_rate_7d",
    "complaint_rate_7d",
    "api_requests_7d",
    "api_errors_7d",
    "api_error_rate_7d",
    "active_users_30d",
    "pending_approvals",
    "approvals_sla_warning",
    "approvals_overdue",
    "alerts_critical",
    "alerts_warning",
)
PLATFORM_TRENDS = ("alerts_critical", "messages_sent_7d")
LEVELS = ("ok", "watch", "at_risk", "unknown")


class MissingPublication(LookupError):
    """The period's last day is not published for this tenant (or the platform)."""


def export_name(name: str) -> str:
    return EXPORT_NAMES.get(name, name)


def _meta(catalog: MetricCatalog, name: str, t: Translator) -> dict[str, Any]:
    entry = catalog[name]
    return {
        "name": export_name(name),
        "unit": entry.unit,
        "is_approximate": entry.is_approximate,
        "label": t.label(entry.label),
        "source_of_record": entry.source_of_record,
    }


def figure(catalog: MetricCatalog, name: str, row: Row, t: Translator) -> dict[str, Any]:
    """One figure from a mart row, with its catalogue metadata."""
    return {**_meta(catalog, name, t), "value": exact(row.get(name))}


def _status(catalog: MetricCatalog, dimension: str, row: Row, t: Translator) -> dict[str, Any]:
    name = f"{dimension}_status"
    entry = catalog[name]
    return {
        "dimension": dimension,
        "surface": STATUS_SURFACES[dimension],
        "status": row.get(name) or "unknown",
        "is_approximate": entry.is_approximate,
        "label": t.label(entry.label),
    }


def _trend(
    catalog: MetricCatalog, names: tuple[str, ...], rows: list[Row], period: Period, t: Translator
) -> dict[str, Any]:
    by_day = {r["as_of_date"]: r for r in rows}
    return {
        "dates": [d.isoformat() for d in period.dates()],
        "series": [
            {
                **_meta(catalog, name, t),
                "values": [exact(by_day.get(d, {}).get(name)) for d in period.dates()],
            }
            for name in names
        ],
    }


def _breakdown(catalog: MetricCatalog, surface: str, data: TenantData, t: Translator) -> dict:
    breakdown_id, mart, dims, names = BREAKDOWNS[surface]
    return {
        "id": breakdown_id,
        "dimensions": list(dims),
        "figures": [_meta(catalog, name, t) for name in names],
        "rows": [
            {
                "keys": {d: str(row[d]) for d in dims},
                "values": {export_name(n): exact(row.get(n)) for n in names},
            }
            for row in data.at_end.get(mart, [])
        ],
    }


def _alert(catalog: MetricCatalog, row: Row, t: Translator) -> dict[str, Any]:
    metric = row.get("metric")
    approximate = bool(row.get("is_approximate"))
    entry_label = catalog[metric].label if metric in catalog.entries else None
    label = row.get("approximation_label") or (entry_label if approximate else None)
    return {
        "alert_id": row["alert_id"],
        "kind": row["alert_kind"],
        "severity": row["severity"],
        "surface": alert_surface(row),
        "status_name": row.get("status_name"),
        "status": row.get("status"),
        "metric": export_name(metric) if metric else None,
        "value": exact(row.get("value")),
        "threshold": exact(row.get("threshold")),
        "approval_id": row.get("approval_id"),
        "is_approximate": approximate,
        "label": t.label(label) if label else None,
    }


def _approval(row: Row) -> dict[str, Any]:
    title = row.get("title")  # the source's title where it has one
    return {
        "rank": int(row["queue_rank"]),
        "approval_id": row["approval_id"],
        "title": str(title) if title else None,
        "category": row["category"],
        "priority": row["priority"],
        "created_at": iso(row["created_at"]),
        "sla_deadline_at": iso(row["sla_deadline_at"]),
        "escalation_level": int(row["escalation_level"]),
        "is_sla_warning": bool(row["is_sla_warning"]),
        "is_overdue": bool(row["is_overdue"]),
        "hours_to_sla_deadline": exact(row["hours_to_sla_deadline"]),
    }


def content_hash(document: dict[str, Any]) -> str:
    """SHA-256 of the document without its volatile keys: equal figures, equal hash."""
    stable = {k: v for k, v in document.items() if k not in VOLATILE_KEYS}
    text = json.dumps(stable, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _finish(document: dict[str, Any]) -> dict[str, Any]:
    document["content_hash"] = content_hash(document)
    return document


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def tenant_document(
    data: TenantData, catalog: MetricCatalog, scope: str, *, generated_at: str | None = None
) -> dict[str, Any]:
    """The export of one tenant's pack variant ``scope`` (see :mod:`boardroom.packs.scopes`)."""
    overview = data.end_row("exec_overview")
    if overview is None:
        raise MissingPublication(
            f"No published executive overview for tenant {data.tenant_id!r} "
            f"on {data.period.end.isoformat()}."
        )
    summary = data.summary or {}
    locale = summary.get("locale") or "en"
    t = Translator(locale)
    surfaces = SCOPES[scope]
    statuses = []
    for dim in overview_dimensions(scope):
        status = _status(catalog, dim, overview, t)
        status["figures"] = [figure(catalog, n, overview, t) for n in OVERVIEW_FIGURES[dim]]
        statuses.append(status)
    earlier = data.previous.get("exec_overview")
    headlines = [
        headline(
            figure(catalog, OVERVIEW_HEADLINES[dim], overview, t),
            OVERVIEW_HEADLINES[dim],
            overview,
            earlier,
            dimension=dim,
        )
        for dim in overview_dimensions(scope)
    ]
    if scope in ("full", "overview"):
        headlines.append(
            headline(
                figure(catalog, "pending_approvals", overview, t),
                "pending_approvals",
                overview,
                earlier,
            )
        )
    sections = []
    for surface in surfaces:
        mart, dim, names, trends = SURFACE_LAYOUT[surface]
        row = data.end_row(mart) or {}
        sections.append(
            {
                "id": surface,
                "status": _status(catalog, dim, row, t) if dim and row else None,
                "headlines": [
                    headline(figure(catalog, n, row, t), n, row, data.previous.get(mart))
                    for n in SECTION_HEADLINES[surface]
                ],
                "figures": [figure(catalog, n, row, t) for n in names],
                "trend": _trend(catalog, trends, data.daily.get(mart, []), data.period, t),
                "breakdown": _breakdown(catalog, surface, data, t)
                if surface in BREAKDOWNS
                else None,
            }
        )
    alerts = [
        _alert(catalog, r, t) for r in data.at_end.get("alerts", []) if alert_surface(r) in surfaces
    ]
    approvals = (
        [_approval(r) for r in data.at_end.get("approval_queue", [])]
        if "executive_room" in surfaces
        else None
    )
    document = {
        "schema_version": SCHEMA_VERSION,
        "pack_kind": "tenant",
        "scope": scope,
        "roles": roles_for_scope(scope),
        "locale": t.locale,
        "tenant": {
            "tenant_id": data.tenant_id,
            "name": overview.get("tenant_name") or summary.get("tenant_name") or data.tenant_id,
            "plan": overview.get("plan"),
            "status": overview.get("tenant_status"),
        },
        "period": data.period.as_dict(),
        "as_of_date": data.period.end.isoformat(),
        "data_as_of": iso(overview.get("data_as_of")),
        "published_at": iso(overview.get("published_at")),
        "generated_at": generated_at or _now(),
        "overview": {
            "headlines": headlines,
            "statuses": statuses,
            "figures": [
                figure(catalog, n, overview, t)
                for n in ("pending_approvals", "approvals_sla_warning")
            ]
            if scope in ("full", "overview")
            else [],
        },
        "sections": sections,
        "alerts": alerts,
        "approvals": approvals,
        "platform": None,
    }
    return _finish(document)


def platform_document(
    data: PlatformData, catalog: MetricCatalog, *, generated_at: str | None = None
) -> dict[str, Any]:
    """The platform executives' pack: the platform rollup only, no tenant's rows."""
    row = data.end_row()
    if row is None:
        raise MissingPublication(
            f"No published platform overview on {data.period.end.isoformat()}."
        )
    t = Translator("en")
    distribution = [
        {
            "dimension": dim,
            **{level: int(row.get(f"tenants_{dim}_{level}") or 0) for level in LEVELS},
        }
        for dim in STATUS_SURFACES
    ]
    document = {
        "schema_version": SCHEMA_VERSION,
        "pack_kind": "platform",
        "scope": PLATFORM_SCOPE,
        "roles": ["ceo", "cfo", "coo", "cto", "executive_assistant"],
        "locale": t.locale,
        "tenant": None,
        "period": data.period.as_dict(),
        "as_of_date": data.period.end.isoformat(),
        "data_as_of": iso(row.get("data_as_of")),
        "published_at": iso(row.get("published_at")),
        "generated_at": generated_at or _now(),
        "overview": {"headlines": [], "statuses": [], "figures": []},
        "sections": [],
        "alerts": [],
        "approvals": None,
        "platform": {
            "headlines": [
                headline(figure(catalog, n, row, t), n, row, data.previous)
                for n in PLATFORM_HEADLINES
            ],
            "figures": [figure(catalog, n, row, t) for n in PLATFORM_FIGURES],
            "status_distribution": distribution,
            "trend": _trend(catalog, PLATFORM_TRENDS, data.daily, data.period, t),
        },
    }
    return _finish(document)
