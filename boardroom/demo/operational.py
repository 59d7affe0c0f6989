"""Rows of the operational database (schema ``app``) for a demo spec.

Rows are tuples in the column order of ``boardroom/sources/app_schema.sql``. Every table
of every tenant has its own random stream, so tables and tenants can be generated in any
order. Times are relative to the as-of instant T (midnight after ``end_date``); a few
rows are stamped after T, as a live application would have them by extraction time.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from decimal import Decimal

from boardroom.demo.names import deal_name, person_name
from boardroom.demo.profiles import QUOTE_TENANT_INDEX, TenantProfile, tenant_profiles
from boardroom.demo.spec import DemoSpec, day_start
from boardroom.sources.app_db import APP_TABLES

#: Column names per table, in the order of app_schema.sql (and of the generated tuples).
APP_COLUMNS: dict[str, tuple[str, ...]] = {
    "tenants": (
        "tenant_id",
        "name",
        "plan",
        "mrr",
        "locale",
        "timezone",
        "status",
        "created_at",
        "updated_at",
    ),
    "executive_recipients": (
        "recipient_id",
        "tenant_id",
        "email",
        "full_name",
        "role",
        "mfa_verified",
        "active",
        "updated_at",
    ),
    "deals": (
        "deal_id",
        "tenant_id",
        "name",
        "value",
        "currency",
        "status",
        "created_at",
        "closed_at",
        "updated_at",
    ),
    "approval_requests": (
        "approval_id",
        "tenant_id",
        "category",
        "priority",
        "status",
        "created_at",
        "sla_deadline_at",
        "decided_at",
        "escalation_level",
        "updated_at",
    ),
    "integration_sync_states": (
        "tenant_id",
        "connector",
        "status",
        "last_success_at",
        "last_error",
        "updated_at",
    ),
    "compliance_controls": (
        "tenant_id",
        "control_id",
        "framework",
        "status",
        "checked_at",
        "updated_at",
    ),
    "consents": (
        "consent_id",
        "tenant_id",
        "subject_id",
        "purpose",
        "granted",
        "recorded_at",
        "updated_at",
    ),
    "contradictions": (
        "contradiction_id",
        "tenant_id",
        "severity",
        "status",
        "detected_at",
        "updated_at",
    ),
    "strategic_deals": ("strategic_deal_id", "tenant_id", "status", "updated_at"),
    "evidence_packs": ("evidence_pack_id", "tenant_id", "status", "updated_at"),
    "infra_usage": (
        "usage_id",
        "tenant_id",
        "provider",
        "service",
        "usage_date",
        "units",
        "unit_cost_estimate",
        "updated_at",
    ),
}
assert tuple(APP_COLUMNS) == APP_TABLES

ROLES = ("ceo", "cfo", "coo", "cto", "executive_assistant")
DEAL_STATUSES = ("open", "negotiating", "won", "lost")
APPROVAL_CATEGORIES = ("deal", "message", "integration", "billing", "compliance")
APPROVAL_PRIORITIES = ("critical", "high", "normal", "low")
APPROVAL_STATUSES = ("pending", "approved", "rejected", "expired")
CONTROL_STATUSES = ("passing", "failing", "not_assessed")
SEVERITIES = ("low", "medium", "high")
CONTRADICTION_STATUSES = ("detected", "reviewing", "resolved")
STRATEGIC_STATUSES = ("active", "paused", "closed")
EVIDENCE_STATUSES = ("draft", "ready", "exported")
CONSENT_PURPOSES = ("marketing", "analytics", "service_notifications", "third_party_sharing")
CONTROLS = (
    *(f"PDPL-C{n:02d}" for n in range(1, 9)),
    "NCA-ECC-1-1",
    "NCA-ECC-1-2",
    "NCA-ECC-2-1",
    "NCA-ECC-2-2",
    "NCA-ECC-2-3",
    "NCA-ECC-3-1",
)
#: (provider, service, unit cost estimate, share of a tenant's daily cost)
INFRA_SERVICES = (
    ("aws", "ec2", Decimal("0.0416"), Decimal("0.35")),
    ("aws", "rds", Decimal("0.115"), Decimal("0.25")),
    ("aws", "s3", Decimal("0.023"), Decimal("0.05")),
    ("twilio", "sms", Decimal("0.0395"), Decimal("0.15")),
    ("meta", "whatsapp_business", Decimal("0.0315"), Decimal("0.15")),
    ("sendgrid", "email", Decimal("0.00095"), Decimal("0.05")),
)
_SLA_HOURS = {"critical": 4, "high": 24, "normal": 72, "low": 168}
_CENT = Decimal("0.01")
_MILLI = Decimal("0.001")


def generate_operational(spec: DemoSpec) -> dict[str, list[tuple]]:
    """Every ``app`` table's rows for ``spec``, keyed by table in FK-safe order."""
    rows: dict[str, list[tuple]] = {table: [] for table in APP_TABLES}
    rows["executive_recipients"].extend(_platform_executives(spec))
    for p in tenant_profiles(spec):
        rows["tenants"].append(_tenant_row(spec, p))
        rows["executive_recipients"].extend(_recipients(spec, p))
        rows["deals"].extend(_deals(spec, p))
        rows["approval_requests"].extend(_approvals(spec, p))
        rows["integration_sync_states"].extend(_connectors(spec, p))
        rows["compliance_controls"].extend(_controls(spec, p))
        rows["consents"].extend(_consents(spec, p))
        rows["contradictions"].extend(_contradictions(spec, p))
        rows["strategic_deals"].extend(
            _counted(spec, p, "strategic_deals", "sdeal", STRATEGIC_STATUSES, (3, 6))
        )
        rows["evidence_packs"].extend(
            _counted(spec, p, "evidence_packs", "evp", EVIDENCE_STATUSES, (3, 8))
        )
        rows["infra_usage"].extend(_infra_usage(spec, p))
    return rows


def _seconds(rng: random.Random, low_hours: float, high_hours: float) -> timedelta:
    return timedelta(seconds=round(rng.uniform(low_hours, high_hours) * 3600))


def _tenant_row(spec: DemoSpec, p: TenantProfile) -> tuple:
    rng = spec.rng("tenant-row", p.index)
    updated = max(p.created_at, spec.as_of - _seconds(rng, 1, 24 * 30))
    return (
        p.tenant_id,
        p.name,
        p.plan,
        p.mrr,
        p.locale,
        p.timezone,
        p.status,
        p.created_at,
        updated,
    )


def _platform_executives(spec: DemoSpec) -> list[tuple]:
    """The platform's own executives (tenant_id NULL): one inactive, one without MFA."""
    rng = spec.rng("platform-executives")
    rows = []
    for n, role in enumerate(ROLES, start=1):
        full_name, local = person_name(rng, "ar" if n % 2 == 0 else "en")
        rows.append(
            (
                f"rcp_platform_{n:02d}",
                None,
                f"{local}@boardroom.example",
                full_name,
                role,
                role != "cto",
                role != "coo",
                spec.as_of - _seconds(rng, 24, 24 * 90),
            )
        )
    return rows


def _recipients(spec: DemoSpec, p: TenantProfile) -> list[tuple]:
    rng = spec.rng("recipients", p.index)
    people = [(role, True) for role in ROLES]
    if p.index % 2 == 0:
        people.append((rng.choice(ROLES[:4]), False))  # a former executive, deactivated
    rows = []
    seen: set[str] = set()
    for n, (role, active) in enumerate(people, start=1):
        full_name, local = person_name(rng, p.locale)
        if p.index == QUOTE_TENANT_INDEX and role == "ceo":
            full_name, local = "Grace O'Brien", "grace.obrien"
        while local in seen:
            local += str(n)
        seen.add(local)
        mfa = not ((role == "executive_assistant" and p.index % 3 == 0) or rng.random() < 0.08)
        rows.append(
            (
                f"rcp_{p.tenant_id}_{n:02d}",
                p.tenant_id,
                f"{local}@{p.domain}",
                full_name,
                role,
                mfa,
                active,
                spec.as_of - _seconds(rng, 2, 24 * 60),
            )
        )
    return rows


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(math.exp(rng.uniform(math.log(low), math.log(high)))).quantize(_CENT)


def _deals(spec: DemoSpec, p: TenantProfile) -> list[tuple]:
    rng = spec.rng("deals", p.index)
    T = spec.as_of
    count = rng.randint(*{"starter": (12, 25), "growth": (20, 45), "enterprise": (35, 70)}[p.plan])
    other_currency = "USD" if p.currency == "SAR" else "SAR"
    rows = []
    for j in range(count):
        status = DEAL_STATUSES[j] if j < 4 else rng.choices(DEAL_STATUSES, (30, 20, 30, 20))[0]
        currency = p.currency if rng.random() < 0.8 else other_currency
        value = _money(rng, 4_000, 1_500_000)
        closed_at: datetime | None = None
        if status in ("won", "lost"):
            closed_at = T - _seconds(rng, 1, 24 * 120)  # spread over ~120 days
            created_at = closed_at - _seconds(rng, 24 * 3, 24 * 90)
        else:
            created_at = T - _seconds(rng, 1, 24 * 150)
        if j == count - 1 and rng.random() < 0.5:
            # Created after T (today, in the live app): left out of end_date's figures.
            status, closed_at, created_at = "open", None, T + _seconds(rng, 1, 10)
        updated = max(created_at, closed_at or created_at) + _seconds(rng, 0, 3)
        rows.append(
            (
                f"deal_{p.tenant_id}_{j + 1:04d}",
                p.tenant_id,
                deal_name(rng, p.locale),
                value,
                currency,
                status,
                created_at,
                closed_at,
                updated,
            )
        )
    return rows


def _approvals(spec: DemoSpec, p: TenantProfile) -> list[tuple]:
    """Approvals with SLA deadlines around T: overdue, due within 4 h of T, and later."""
    rng = spec.rng("approvals", p.index)
    T = spec.as_of
    rows = []
    pending_seen = 0
    for j in range(rng.randint(10, 30)):
        category = APPROVAL_CATEGORIES[j] if j < 5 else rng.choice(APPROVAL_CATEGORIES)
        priority = (
            APPROVAL_PRIORITIES[(j + p.index) % 4]
            if j < 4
            else rng.choices(APPROVAL_PRIORITIES, (1, 3, 5, 2))[0]
        )
        status = (
            APPROVAL_STATUSES[j] if j < 4 else rng.choices(APPROVAL_STATUSES, (35, 35, 15, 15))[0]
        )
        sla = timedelta(hours=_SLA_HOURS[priority])
        decided_at: datetime | None = None
        if status == "pending":
            bucket = pending_seen % 3 if pending_seen < 3 else rng.randrange(3)
            pending_seen += 1
            if bucket == 0:  # overdue: an SLA breach
                deadline = T - _seconds(rng, 1, 24 * 3)
                escalation = rng.randint(1, 3)
            elif bucket == 1:  # due within 4 h of T: an SLA warning
                deadline = T + _seconds(rng, 0.2, 3.8)
                escalation = rng.randint(0, 1)
            else:
                deadline = T + _seconds(rng, 6, 24 * 5)
                escalation = 0
            created_at = deadline - sla
            if created_at >= T - timedelta(minutes=30):
                created_at = T - _seconds(rng, 1, 20)
            updated = max(created_at, min(deadline, T)) if escalation else created_at
        else:
            # Decided (or expired) before T, however long the SLA.
            created_at = T - sla * 1.6 - _seconds(rng, 1, 24 * 50)
            created_at = created_at.replace(microsecond=0)
            deadline = created_at + sla
            if status == "expired":
                escalation = rng.randint(2, 3)
                updated = deadline + _seconds(rng, 0, 1)
            else:
                decided_at = created_at + sla * rng.uniform(0.1, 1.5)
                decided_at = decided_at.replace(microsecond=0)
                escalation = 1 if decided_at > deadline else 0
                updated = decided_at
        rows.append(
            (
                f"apr_{p.tenant_id}_{j + 1:04d}",
                p.tenant_id,
                category,
                priority,
                status,
                created_at,
                deadline,
                decided_at,
                escalation,
                updated,
            )
        )
    if rng.random() < 0.3:
        # Raised after T: pending in the app, but not part of end_date's figures.
        created_at = T + _seconds(rng, 1, 6)
        rows.append(
            (
                f"apr_{p.tenant_id}_{len(rows) + 1:04d}",
                p.tenant_id,
                "message",
                "high",
                "pending",
                created_at,
                created_at + timedelta(hours=24),
                None,
                0,
                created_at,
            )
        )
    return rows


_ERRORS_EN = {
    "degraded": "HTTP 429 from provider; sync retried with backoff",
    "failing": "Authentication failed: credentials revoked (HTTP 401)",
    "disconnected": "Connector disconnected by a tenant administrator",
}
_ERRORS_AR = {
    "degraded": "تجاوز حد الطلبات لدى المزود؛ تتم إعادة المحاولة",
    "failing": "فشل التحقق: انتهت صلاحية رمز الوصول",
    "disconnected": "تم فصل الموصل من قبل مسؤول المنشأة",
}


def _connectors(spec: DemoSpec, p: TenantProfile) -> list[tuple]:
    rng = spec.rng("connectors", p.index)
    T = spec.as_of
    errors = _ERRORS_AR if p.locale == "ar" else _ERRORS_EN
    rows = []
    for connector, status in p.connectors.items():
        last_error = None if status == "healthy" else errors[status]
        if status == "healthy":
            last_success: datetime | None = T - _seconds(rng, 0.1, 3)
        elif status == "degraded":
            last_success = T - _seconds(rng, 6, 30)
        elif status == "failing":
            last_success = T - _seconds(rng, 48, 24 * 6)
        else:
            last_success = None if rng.random() < 0.5 else T - _seconds(rng, 24 * 10, 24 * 60)
        rows.append(
            (p.tenant_id, connector, status, last_success, last_error, T - _seconds(rng, 0.05, 1))
        )
    return rows


def _controls(spec: DemoSpec, p: TenantProfile) -> list[tuple]:
    if p.index % 8 == 6:
        return []  # never assessed: compliance_posture is null for this tenant
    rng = spec.rng("controls", p.index)
    T = spec.as_of
    rows = []
    for j, control in enumerate(CONTROLS):
        framework = "PDPL" if control.startswith("PDPL") else "NCA-ECC"
        status = CONTROL_STATUSES[j] if j < 3 else rng.choices(CONTROL_STATUSES, (70, 15, 15))[0]
        checked = None if status == "not_assessed" else T - _seconds(rng, 1, 24 * 45)
        rows.append(
            (
                p.tenant_id,
                control,
                framework,
                status,
                checked,
                checked or T - _seconds(rng, 24, 24 * 90),
            )
        )
    return rows


def _consents(spec: DemoSpec, p: TenantProfile) -> list[tuple]:
    """Consent records; a withdrawal is a later record with granted false."""
    rng = spec.rng("consents", p.index)
    T = spec.as_of
    size = {"starter": 0.6, "growth": 1.0, "enterprise": 1.8}[p.plan]
    rows: list[tuple] = []

    def record(subject: str, purpose: str, granted: bool, at: datetime) -> None:
        rows.append(
            (
                f"cons_{p.tenant_id}_{len(rows) + 1:05d}",
                p.tenant_id,
                subject,
                purpose,
                granted,
                at,
                at + _seconds(rng, 0, 0.1),
            )
        )

    for s in range(round(rng.randint(20, 60) * size)):
        subject = f"subj_{p.tenant_id}_{s + 1:04d}"
        for k, purpose in enumerate(rng.sample(CONSENT_PURPOSES, rng.randint(1, 2))):
            at = T - _seconds(rng, 24 * 10, 24 * 400)
            granted = rng.random() < 0.85
            record(subject, purpose, granted, at)
            withdraw = (s == 0 and k == 0) or rng.random() < 0.15
            later = at + _seconds(rng, 24, 24 * 9)
            if granted and withdraw:
                record(subject, purpose, False, later)
            elif not granted and rng.random() < 0.3:
                record(subject, purpose, True, later)  # consented after first refusing
        if rng.random() < 0.02:
            record(subject, "marketing", False, T + _seconds(rng, 1, 12))  # after T
    return rows


def _contradictions(spec: DemoSpec, p: TenantProfile) -> list[tuple]:
    rng = spec.rng("contradictions", p.index)
    T = spec.as_of
    rows = []
    for j in range(rng.randint(3, 8)):
        severity = SEVERITIES[j] if j < 3 else rng.choice(SEVERITIES)
        status = (
            CONTRADICTION_STATUSES[(j + p.index) % 3]
            if j < 3
            else rng.choice(CONTRADICTION_STATUSES)
        )
        detected = T - _seconds(rng, 1, 24 * 90)
        if j == 0 and p.index % 5 == 4:
            detected = T + _seconds(rng, 1, 8)  # detected after T
        rows.append(
            (
                f"ctr_{p.tenant_id}_{j + 1:04d}",
                p.tenant_id,
                severity,
                status,
                detected,
                detected + _seconds(rng, 0, 48),
            )
        )
    return rows


def _counted(
    spec: DemoSpec,
    p: TenantProfile,
    table: str,
    prefix: str,
    statuses: tuple[str, ...],
    count: tuple[int, int],
) -> list[tuple]:
    rng = spec.rng(table, p.index)
    rows = []
    for j in range(rng.randint(*count)):
        status = statuses[j] if j < len(statuses) else rng.choice(statuses)
        rows.append(
            (
                f"{prefix}_{p.tenant_id}_{j + 1:04d}",
                p.tenant_id,
                status,
                spec.as_of - _seconds(rng, 1, 24 * 120),
            )
        )
    return rows


def _infra_usage(spec: DemoSpec, p: TenantProfile) -> list[tuple]:
    """Daily usage per provider/service, costing ``cost_ratio`` x MRR over 30 days (+-8 %)."""
    if not p.has_usage:
        return []
    rows = []
    per_day = Decimal(p.cost_ratio) * p.cost_mrr / spec.window_30d
    for day in spec.dates:
        rng = spec.rng("infra", p.index, day.toordinal())
        daily = per_day * Decimal(rng.uniform(0.92, 1.08))
        updated = day_start(day) + timedelta(days=1, seconds=rng.randrange(3600, 7200))
        for provider, service, unit_cost, share in INFRA_SERVICES:
            units = (daily * share / unit_cost).quantize(_MILLI)
            rows.append(
                (
                    f"use_{p.tenant_id}_{day:%Y%m%d}_{service}",
                    p.tenant_id,
                    provider,
                    service,
                    day,
                    units,
                    unit_cost,
                    updated,
                )
            )
    return rows
