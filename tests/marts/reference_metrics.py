"""The executive marts recomputed in pandas, straight from PRODUCT.md's definitions.

Nothing here reads dbt's SQL: the inputs are the operational tables of the system of record
(``app.*``) and the valid PostHog events as ingestion loaded them (``raw.posthog_events``:
one row per uuid, quarantined events excluded), and every figure follows the Metrics section
of PRODUCT.md (as-of time T = D+1 00:00 UTC, windows [D-k, D] = D-k 00:00 <= t < T, state read
"as it is" leaving out rows created at or after T, sums over nothing 0, ratios over 0 null).

Values keep their exact type: money is ``Decimal``, counts ``int``, ratios ``Fraction`` (the
exact quotient), percentiles and hours ``Fraction``; a missing figure is ``None``.
:func:`reference_marts` returns one DataFrame per mart, keyed at the mart's grain.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import psycopg

from boardroom.marts_registry import MARTS

LEVELS = ("ok", "watch", "at_risk", "unknown")
STATUS_NAMES = (
    "revenue_protection_status",
    "deliverability_status",
    "cost_optimization_status",
    "operational_status",
)
CHANNELS = ("email", "sms", "whatsapp")
PRIORITY_RANK = {"critical": 1, "high": 2, "normal": 3, "low": 4}
CONNECTOR_STATUSES = ("healthy", "degraded", "failing", "disconnected")

#: The status rules of PRODUCT.md ("Statuses"), at_risk rules before watch rules, each as
#: (level, metric, threshold); a rule holds when the unrounded value >= threshold.
STATUS_RULES: dict[str, tuple[tuple[str, str, Fraction], ...]] = {
    "revenue_protection_status": (
        ("at_risk", "revenue_at_risk_ratio_30d", Fraction("0.05")),
        ("watch", "revenue_at_risk_ratio_30d", Fraction("0.02")),
    ),
    "deliverability_status": (
        ("at_risk", "bounce_rate_7d", Fraction("0.05")),
        ("at_risk", "complaint_rate_7d", Fraction("0.003")),
        ("watch", "bounce_rate_7d", Fraction("0.02")),
        ("watch", "complaint_rate_7d", Fraction("0.001")),
    ),
    "cost_optimization_status": (
        ("at_risk", "est_cost_to_mrr_ratio_30d", Fraction("0.30")),
        ("watch", "est_cost_to_mrr_ratio_30d", Fraction("0.15")),
    ),
    "operational_status": (
        ("at_risk", "api_error_rate_7d", Fraction("0.02")),
        ("at_risk", "connectors_failing_or_disconnected", Fraction(1)),
        ("watch", "api_error_rate_7d", Fraction("0.005")),
        ("watch", "connectors_degraded", Fraction(1)),
    ),
}

EVENTS_LABEL = "approximate: analytics events (PostHog)"
BILLING_LABEL = "approximate: billing system is the system of record"
COST_LABEL = "internal / non-authoritative"

#: PRODUCT.md: "Figures derived from PostHog or cost estimates are approximate"; payments
#: and revenue at risk name the billing system as their system of record.
_APPROXIMATE_LABELS: dict[str, str] = {
    **dict.fromkeys(
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
            "deliverability_status",
            "api_requests_7d",
            "api_errors_7d",
            "api_error_rate_7d",
            "api_p95_latency_ms_7d",
            "active_users_7d",
            "active_users_30d",
            "operational_status",
        ),
        EVENTS_LABEL,
    ),
    **dict.fromkeys(
        (
            "payments_collected_30d",
            "revenue_at_risk_30d",
            "invoices_at_risk_30d",
            "revenue_at_risk_ratio_30d",
            "revenue_protection_status",
        ),
        BILLING_LABEL,
    ),
    **dict.fromkeys(
        (
            "est_infra_cost_mtd",
            "est_infra_cost_30d",
            "est_infra_cost_7d",
            "est_cost_per_1k_messages_7d",
            "est_cost_to_mrr_ratio_30d",
            "units_30d",
            "share_of_tenant_cost_30d",
            "cost_optimization_status",
        ),
        COST_LABEL,
    ),
}


def is_approximate(metric: str) -> bool:
    """Whether PRODUCT.md calls ``metric`` approximate (PostHog, billing or cost estimates)."""
    return metric in _APPROXIMATE_LABELS


def approximation_label(metric: str) -> str | None:
    """The label an approximate ``metric`` carries (None for an exact one)."""
    return _APPROXIMATE_LABELS.get(metric)


_APP_TABLES = (
    "tenants",
    "deals",
    "approval_requests",
    "integration_sync_states",
    "compliance_controls",
    "consents",
    "contradictions",
    "strategic_deals",
    "evidence_packs",
    "infra_usage",
)


@dataclass(frozen=True)
class Sources:
    """What the marts are computed from: ``app`` tables, valid events, completeness marks."""

    app: dict[str, pd.DataFrame]
    events: pd.DataFrame
    events_complete_until: datetime | None
    app_complete_until: datetime | None


def _frame(cur: psycopg.Cursor[Any], query: str) -> pd.DataFrame:
    cur.execute(query)
    columns = [c.name for c in cur.description or ()]
    return pd.DataFrame.from_records(cur.fetchall(), columns=columns, coerce_float=False)


def read_sources(app_url: str, warehouse_url: str) -> Sources:
    """Read the ``app`` tables (system of record) and the loaded events of the warehouse."""
    with psycopg.connect(app_url) as conn, conn.cursor() as cur:
        app = {table: _frame(cur, f"SELECT * FROM app.{table}") for table in _APP_TABLES}
    with psycopg.connect(warehouse_url) as conn, conn.cursor() as cur:
        raw = _frame(
            cur,
            "SELECT uuid::text AS uuid, event, distinct_id, tenant_id, timestamp,"
            " properties::text AS properties FROM raw.posthog_events",
        )
        cur.execute("SELECT min(watermark) FROM raw.ingest_state")
        events_until = cur.fetchone()[0]  # type: ignore[index]
        if events_until is None:
            cur.execute("SELECT max(coalesce(created_at, _loaded_at)) FROM raw.posthog_events")
            events_until = cur.fetchone()[0]  # type: ignore[index]
        cur.execute(
            " UNION ALL ".join(f"SELECT max(_extracted_at) FROM raw.app_{t}" for t in _APP_TABLES)
        )
        extracted = [row[0] for row in cur.fetchall() if row[0] is not None]
    return Sources(
        app=app,
        events=valid_events(raw, set(app["tenants"]["tenant_id"])),
        events_complete_until=events_until,
        app_complete_until=max(extracted) if extracted else None,
    )


def _is_string(value: object) -> bool:
    return isinstance(value, str)


def _is_number(value: object) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_REQUIRED: dict[str, tuple[tuple[str, Any], ...]] = {
    "message_sent": (("message_id", _is_string), ("channel", _is_string)),
    "message_delivered": (("message_id", _is_string), ("channel", _is_string)),
    "message_bounced": (
        ("message_id", _is_string),
        ("channel", _is_string),
        ("bounce_type", _is_string),
    ),
    "message_complaint": (("message_id", _is_string), ("channel", _is_string)),
    "otp_sent": (("otp_id", _is_string), ("channel", _is_string)),
    "otp_verified": (("otp_id", _is_string), ("channel", _is_string)),
    "payment_succeeded": (
        ("invoice_id", _is_string),
        ("amount", _is_number),
        ("currency", _is_string),
    ),
    "payment_failed": (
        ("invoice_id", _is_string),
        ("amount", _is_number),
        ("currency", _is_string),
        ("failure_code", _is_string),
    ),
    "api_request": (
        ("endpoint", _is_string),
        ("status_code", _is_integer),
        ("latency_ms", _is_number),
    ),
}


def quarantine_reason(
    event: str, tenant: str | None, props: dict[str, Any], known: set[str]
) -> str | None:
    """PRODUCT.md's quarantine reason for an event with a parsed timestamp, or None."""
    if not tenant:
        return "missing_tenant"
    if tenant not in known:
        return "unknown_tenant"
    for name, check in _REQUIRED.get(event, ()):
        if not check(props.get(name)):
            return f"wrong_type:{name}"
    return None


def valid_events(raw: pd.DataFrame, known_tenants: set[str]) -> pd.DataFrame:
    """The events that count, with their catalogue properties as typed columns.

    JSON numbers are read exactly (``Decimal``; integers as ``int``).
    """
    rows = []
    for rec in raw.itertuples(index=False):
        props = json.loads(rec.properties, parse_float=Decimal)
        if quarantine_reason(rec.event, rec.tenant_id, props, known_tenants) is not None:
            continue
        rows.append(
            {
                "uuid": rec.uuid,
                "event": rec.event,
                "distinct_id": rec.distinct_id,
                "tenant_id": rec.tenant_id,
                "timestamp": pd.Timestamp(rec.timestamp).tz_convert(UTC),
                "channel": props.get("channel"),
                "invoice_id": props.get("invoice_id"),
                "amount": Decimal(props["amount"]) if "amount" in props else None,
                "status_code": props.get("status_code"),
                "latency_ms": props.get("latency_ms"),
            }
        )
    columns = ["uuid", "event", "distinct_id", "tenant_id", "timestamp", "channel",
               "invoice_id", "amount", "status_code", "latency_ms"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame


def ratio(
    numerator: int | Decimal | Fraction, denominator: int | Decimal | Fraction
) -> Fraction | None:
    """The exact quotient, or None when the denominator is 0 (PRODUCT.md, Empty inputs)."""
    if denominator == 0:
        return None
    return Fraction(numerator) / Fraction(denominator)


def percentile_cont(values: Iterable[int | Decimal], q: Fraction) -> Fraction | None:
    """Linear-interpolated percentile (PostgreSQL ``percentile_cont``), exact; None if empty."""
    ordered = sorted(Fraction(v) for v in values)
    if not ordered:
        return None
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def _dec_sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def as_of_time(day: date) -> datetime:
    """T of as-of day D: D+1 00:00:00 UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def window_start(day: date, days: int) -> datetime:
    """Start of the window [D-(days-1), D]."""
    return datetime.combine(day - timedelta(days=days - 1), time(0), tzinfo=UTC)


def evaluate_status(name: str, values: dict[str, Any], unknown: bool) -> tuple[str, tuple | None]:
    """(status, (metric, value, threshold) of the rule that set it) for one status."""
    if unknown:
        return "unknown", None
    for level in ("at_risk", "watch"):
        for rule_level, metric, threshold in STATUS_RULES[name]:
            value = values.get(metric)
            if rule_level == level and value is not None and Fraction(value) >= threshold:
                return level, (metric, value, threshold)
    return "ok", None


def _micros(instant: datetime | pd.Timestamp) -> int:
    return pd.Timestamp(instant).value // 1000


class _Timeline:
    """Rows sorted by one timestamp column (nulls dropped), sliced by [start, end) quickly."""

    def __init__(self, frame: pd.DataFrame, column: str) -> None:
        kept = frame[frame[column].notna()]
        self.frame = kept.sort_values(column, kind="stable").reset_index(drop=True)
        self.keys = np.array([_micros(x) for x in self.frame[column]], dtype=np.int64)

    def _bounds(self, start: datetime | None, end: datetime) -> tuple[int, int]:
        low = 0 if start is None else int(np.searchsorted(self.keys, _micros(start), "left"))
        return low, int(np.searchsorted(self.keys, _micros(end), "left"))

    def between(self, start: datetime | None, end: datetime) -> pd.DataFrame:
        """Rows stamped in [start, end); ``start`` None means since ever."""
        low, high = self._bounds(start, end)
        return self.frame.iloc[low:high]

    def count(self, start: datetime | None, end: datetime) -> int:
        low, high = self._bounds(start, end)
        return high - low


_MESSAGE_EVENTS = ("message_sent", "message_delivered", "message_bounced", "message_complaint")
_OTP_EVENTS = ("otp_sent", "otp_verified")
_ACTIVITY_EVENTS = ("user_signed_in", "$pageview")
_EVENT_NAMES = (*_MESSAGE_EVENTS, *_OTP_EVENTS, "payment_succeeded", "payment_failed",
                "api_request", *_ACTIVITY_EVENTS)  # fmt: skip


def _deliverability(counts: dict[str, int]) -> dict[str, Any]:
    """Deliverability figures and status from event counts over [D-6, D]."""
    sent = counts.get("message_sent", 0)
    delivered = counts.get("message_delivered", 0)
    bounced = counts.get("message_bounced", 0)
    complained = counts.get("message_complaint", 0)
    otp_sent = counts.get("otp_sent", 0)
    otp_verified = counts.get("otp_verified", 0)
    figures: dict[str, Any] = {
        "messages_sent_7d": sent,
        "messages_delivered_7d": delivered,
        "messages_bounced_7d": bounced,
        "messages_complained_7d": complained,
        "delivery_rate_7d": ratio(delivered, sent),
        "bounce_rate_7d": ratio(bounced, sent),
        "complaint_rate_7d": ratio(complained, sent),
        "otp_sent_7d": otp_sent,
        "otp_verified_7d": otp_verified,
        "otp_verification_rate_7d": ratio(otp_verified, otp_sent),
    }
    status, rule = evaluate_status("deliverability_status", figures, unknown=sent == 0)
    figures["deliverability_status"] = status
    figures["_deliverability_rule"] = rule
    return figures


@dataclass
class _TenantData:
    """One tenant's source rows, indexed for windowed reads."""

    events: dict[str, _Timeline]
    deals_created: _Timeline
    deals_closed: _Timeline
    approvals: _Timeline
    consents: _Timeline
    contradictions: _Timeline
    connectors: pd.DataFrame
    controls: pd.DataFrame
    strategic_deals: pd.DataFrame
    evidence_packs: pd.DataFrame
    usage: list[dict[str, Any]]


def _tenant_data(src: Sources, tid: str) -> _TenantData:
    app = src.app

    def own(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["tenant_id"] == tid]

    events = own(src.events)
    deals = own(app["deals"])
    usage = [
        {**u, "cost": u["units"] * u["unit_cost_estimate"]}
        for u in own(app["infra_usage"]).to_dict("records")
    ]
    return _TenantData(
        events={n: _Timeline(events[events["event"] == n], "timestamp") for n in _EVENT_NAMES},
        deals_created=_Timeline(deals, "created_at"),
        deals_closed=_Timeline(deals, "closed_at"),
        approvals=_Timeline(own(app["approval_requests"]), "created_at"),
        consents=_Timeline(own(app["consents"]).sort_values("consent_id"), "recorded_at"),
        contradictions=_Timeline(own(app["contradictions"]), "detected_at"),
        connectors=own(app["integration_sync_states"]),
        controls=own(app["compliance_controls"]),
        strategic_deals=own(app["strategic_deals"]),
        evidence_packs=own(app["evidence_packs"]),
        usage=usage,
    )


def _tenant_day(
    tenant: dict[str, Any], data: _TenantData, day: date
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Every figure of one tenant on one day, plus its by-channel, by-service and queue rows."""
    tid = tenant["tenant_id"]
    t = as_of_time(day)
    start7, start30, start90 = window_start(day, 7), window_start(day, 30), window_start(day, 90)
    ev = data.events
    m: dict[str, Any] = {
        "tenant_id": tid,
        "as_of_date": day,
        "tenant_name": tenant["name"],
        "plan": tenant["plan"],
        "mrr": tenant["mrr"],
        "locale": tenant["locale"],
        "timezone": tenant["timezone"],
        "tenant_status": tenant["status"],
        "currency": tenant["currency"],
    }

    # Deals: state read as it is, rows created at or after T left out.
    deals = data.deals_created.between(None, t)
    closed = data.deals_closed.between(start90, t)
    closed = closed[closed["created_at"] < pd.Timestamp(t)]
    won30 = closed[(closed["status"] == "won") & (closed["closed_at"] >= pd.Timestamp(start30))]
    open_deals = deals[deals["status"].isin(["open", "negotiating"])]
    won90 = int((closed["status"] == "won").sum())
    lost90 = int((closed["status"] == "lost").sum())
    m.update(
        revenue_won_30d=_dec_sum(won30["value"]),
        deals_won_30d=len(won30),
        pipeline_value=_dec_sum(open_deals["value"]),
        open_deals=len(open_deals),
        win_rate_90d=ratio(won90, won90 + lost90),
        deals_won_90d=won90,
        deals_lost_90d=lost90,
    )

    # Payments (PostHog): collected, and the latest uncured failure per invoice.
    cured = set(ev["payment_succeeded"].between(None, t)["invoice_id"])
    collected = ev["payment_succeeded"].between(start30, t)
    failed = ev["payment_failed"].between(start30, t)
    failed = failed[~failed["invoice_id"].isin(cured)]
    latest = failed.sort_values(["timestamp", "uuid"]).groupby("invoice_id").tail(1)
    collected_sum = _dec_sum(collected["amount"])
    at_risk_sum = _dec_sum(latest["amount"])
    m.update(
        payments_collected_30d=collected_sum,
        revenue_at_risk_30d=at_risk_sum,
        invoices_at_risk_30d=len(latest),
        revenue_at_risk_ratio_30d=ratio(at_risk_sum, collected_sum + at_risk_sum),
    )
    status, rule = evaluate_status(
        "revenue_protection_status", m, unknown=collected_sum + at_risk_sum == 0
    )
    m["revenue_protection_status"], m["_revenue_protection_rule"] = status, rule

    # Deliverability (PostHog): event counts over [D-6, D], whole tenant and per channel.
    m.update(_deliverability({n: ev[n].count(start7, t) for n in (*_MESSAGE_EVENTS, *_OTP_EVENTS)}))
    per_channel: dict[str, dict[str, int]] = {c: {} for c in CHANNELS}
    for name in (*_MESSAGE_EVENTS, *_OTP_EVENTS):
        for channel, n in Counter(ev[name].between(start7, t)["channel"].tolist()).items():
            bucket = channel if channel in CHANNELS else "other"
            counts = per_channel.setdefault(bucket, {})
            counts[name] = counts.get(name, 0) + int(n)
    channel_rows = [
        {"tenant_id": tid, "as_of_date": day, "channel": c, **_deliverability(counts)}
        for c, counts in per_channel.items()
    ]

    # Infra cost estimates, windowed by usage_date (<= D).
    first_of_month = day.replace(day=1)
    mtd = [u for u in data.usage if first_of_month <= u["usage_date"] <= day]
    u30 = [u for u in data.usage if day - timedelta(days=29) <= u["usage_date"] <= day]
    u7 = [u for u in data.usage if day - timedelta(days=6) <= u["usage_date"] <= day]
    cost30 = _dec_sum(u["cost"] for u in u30)
    cost7 = _dec_sum(u["cost"] for u in u7)
    mrr = tenant["mrr"]
    cost_ratio = ratio(cost30, mrr) if mrr is not None and mrr > 0 and u30 else None
    sent = m["messages_sent_7d"]
    m.update(
        est_infra_cost_mtd=_dec_sum(u["cost"] for u in mtd),
        est_infra_cost_30d=cost30,
        est_infra_cost_7d=cost7,
        usage_rows_30d=len(u30),
        est_cost_per_1k_messages_7d=None if sent == 0 else ratio(cost7 * 1000, sent),
        est_cost_to_mrr_ratio_30d=cost_ratio,
    )
    status, rule = evaluate_status("cost_optimization_status", m, unknown=cost_ratio is None)
    m["cost_optimization_status"], m["_cost_optimization_rule"] = status, rule
    service_rows = []
    for provider, service in sorted({(u["provider"], u["service"]) for u in (*mtd, *u30)}):

        def of(rows: list[dict[str, Any]], p: str = provider, s: str = service) -> list[dict]:
            return [u for u in rows if u["provider"] == p and u["service"] == s]

        service_cost30 = _dec_sum(u["cost"] for u in of(u30))
        service_rows.append(
            {
                "tenant_id": tid,
                "as_of_date": day,
                "provider": provider,
                "service": service,
                "currency": tenant["currency"],
                "est_infra_cost_mtd": _dec_sum(u["cost"] for u in of(mtd)),
                "est_infra_cost_30d": service_cost30,
                "est_infra_cost_7d": _dec_sum(u["cost"] for u in of(u7)),
                "units_30d": _dec_sum(u["units"] for u in of(u30)),
                "usage_rows_30d": len(of(u30)),
                "share_of_tenant_cost_30d": ratio(service_cost30, cost30),
            }
        )

    # Operations: API requests (PostHog), activity, connectors (state).
    api = ev["api_request"].between(start7, t)
    errors = sum(1 for code in api["status_code"] if code >= 500)
    users7 = set().union(*(ev[n].between(start7, t)["distinct_id"] for n in _ACTIVITY_EVENTS))
    users30 = set().union(*(ev[n].between(start30, t)["distinct_id"] for n in _ACTIVITY_EVENTS))
    connectors = data.connectors["status"].value_counts().to_dict()
    m.update(
        api_requests_7d=len(api),
        api_errors_7d=errors,
        api_error_rate_7d=ratio(errors, len(api)),
        api_p95_latency_ms_7d=percentile_cont(api["latency_ms"], Fraction(95, 100)),
        active_users_7d=len(users7),
        active_users_30d=len(users30),
        **{f"connectors_{s}": int(connectors.get(s, 0)) for s in CONNECTOR_STATUSES},
        connectors_total=len(data.connectors),
    )
    m["connectors_failing_or_disconnected"] = m["connectors_failing"] + m["connectors_disconnected"]
    status, rule = evaluate_status(
        "operational_status",
        m,
        unknown=m["api_requests_7d"] == 0 and m["connectors_total"] == 0,
    )
    m["operational_status"], m["_operational_rule"] = status, rule

    # Approvals: pending at T, created before it.
    approvals = data.approvals.between(None, t)
    pending = approvals[approvals["status"] == "pending"]
    queue_rows = []
    ordered = sorted(
        pending.itertuples(index=False),
        key=lambda a: (PRIORITY_RANK[a.priority], a.created_at, a.approval_id),
    )
    for rank, a in enumerate(ordered, start=1):
        deadline = a.sla_deadline_at.to_pydatetime()
        queue_rows.append(
            {
                "tenant_id": tid,
                "as_of_date": day,
                "approval_id": a.approval_id,
                "queue_rank": rank,
                "category": a.category,
                "priority": a.priority,
                "priority_rank": PRIORITY_RANK[a.priority],
                "created_at": a.created_at.to_pydatetime(),
                "sla_deadline_at": deadline,
                "escalation_level": int(a.escalation_level),
                "is_sla_warning": deadline < t + timedelta(hours=4),
                "is_overdue": deadline < t,
                "hours_to_sla_deadline": _hours(deadline - t),
            }
        )
    m.update(
        pending_approvals=len(queue_rows),
        approvals_sla_warning=sum(q["is_sla_warning"] for q in queue_rows),
        approvals_overdue=sum(q["is_overdue"] for q in queue_rows),
    )

    # Governance state.
    controls = data.controls["status"].value_counts().to_dict()
    controls_total = len(data.controls)
    consents = data.consents.between(None, t)
    latest_records = consents.groupby(["subject_id", "purpose"]).tail(1)
    subjects = consents["subject_id"].nunique()
    covered = latest_records[latest_records["granted"].astype(bool)]["subject_id"].nunique()
    contradictions = data.contradictions.between(None, t)
    m.update(
        compliance_posture=ratio(int(controls.get("passing", 0)), controls_total),
        controls_passing=int(controls.get("passing", 0)),
        controls_failing=int(controls.get("failing", 0)),
        controls_not_assessed=int(controls.get("not_assessed", 0)),
        controls_total=controls_total,
        pdpl_consent_coverage=ratio(covered, subjects),
        consent_subjects=subjects,
        consent_subjects_covered=covered,
        active_contradictions=int(contradictions["status"].isin(["detected", "reviewing"]).sum()),
        active_strategic_deals=int((data.strategic_deals["status"] == "active").sum()),
        evidence_packs_ready=int((data.evidence_packs["status"] == "ready").sum()),
    )
    return m, channel_rows, service_rows, queue_rows


def _hours(delta: timedelta) -> Fraction:
    return Fraction(delta // timedelta(microseconds=1), 3_600_000_000)


def _rounded(value: Any, places: int) -> str:
    """A figure for display: rounded half up to ``places`` decimals, trailing zeros trimmed."""
    text = format(Decimal(value.numerator) / Decimal(value.denominator)
                  if isinstance(value, Fraction) else Decimal(value), "f")  # fmt: skip
    quantum = Decimal(1).scaleb(-places)
    shown = Decimal(text).quantize(quantum, rounding=ROUND_HALF_UP).normalize()
    return format(shown, "f")


def alert_id(tenant_id: str, day: date, kind: str, key: str) -> str:
    """md5 of the JSON array [tenant_id, as_of_date, alert_kind, alert_key]."""
    text = json.dumps([tenant_id, day.isoformat(), kind, key], ensure_ascii=False)
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - an id, not security


def _alerts(m: dict[str, Any], queue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The alert feed of one tenant-day: statuses at watch / at_risk, then SLA breaches."""
    tid, day = m["tenant_id"], m["as_of_date"]
    rows = []
    for name in STATUS_NAMES:
        status = m[name]
        if status not in ("watch", "at_risk"):
            continue
        metric, value, threshold = m[f"_{name.removesuffix('_status')}_rule"]
        rows.append(
            {
                "alert_id": alert_id(tid, day, "status", name),
                "tenant_id": tid,
                "as_of_date": day,
                "alert_kind": "status",
                "alert_key": name,
                "severity": "critical" if status == "at_risk" else "warning",
                "status_name": name,
                "status": status,
                "metric": metric,
                "value": value,
                "threshold": threshold,
                "message": f"{name} is {status}: {metric} = {_rounded(value, 4)}"
                f" (threshold {_rounded(threshold, 4)})",
                "approval_id": None,
                "is_approximate": is_approximate(metric),
                "approximation_label": approximation_label(metric),
            }
        )
    for q in queue:
        if not q["is_overdue"]:
            continue
        past = -q["hours_to_sla_deadline"]
        rows.append(
            {
                "alert_id": alert_id(tid, day, "sla_breach", q["approval_id"]),
                "tenant_id": tid,
                "as_of_date": day,
                "alert_kind": "sla_breach",
                "alert_key": q["approval_id"],
                "severity": "critical" if q["priority"] in ("critical", "high") else "warning",
                "status_name": None,
                "status": None,
                "metric": "approvals_overdue",
                "value": past,
                "threshold": Fraction(0),
                "message": f"Approval {q['approval_id']} ({q['priority']} priority,"
                f" {q['category']}) is {_rounded(past, 1)} h past its SLA deadline",
                "approval_id": q["approval_id"],
                "is_approximate": False,
                "approximation_label": None,
            }
        )
    return rows


EXEC_OVERVIEW = (
    "tenant_name", "plan", "tenant_status", "currency",
    "revenue_protection_status", "revenue_won_30d", "payments_collected_30d",
    "revenue_at_risk_30d", "revenue_at_risk_ratio_30d",
    "deliverability_status", "messages_sent_7d", "delivery_rate_7d", "bounce_rate_7d",
    "complaint_rate_7d",
    "cost_optimization_status", "est_infra_cost_30d", "est_cost_to_mrr_ratio_30d",
    "operational_status", "api_error_rate_7d", "connectors_degraded", "connectors_failing",
    "connectors_disconnected", "pending_approvals", "approvals_sla_warning",
)  # fmt: skip
REVENUE_PROTECTION = (
    "currency", "revenue_won_30d", "deals_won_30d", "pipeline_value", "open_deals", "win_rate_90d",
    "deals_won_90d", "deals_lost_90d", "payments_collected_30d", "revenue_at_risk_30d",
    "invoices_at_risk_30d", "revenue_at_risk_ratio_30d", "revenue_protection_status",
)  # fmt: skip
COST_OPTIMIZATION = (
    "currency", "mrr", "est_infra_cost_mtd", "est_infra_cost_30d", "est_infra_cost_7d",
    "usage_rows_30d", "messages_sent_7d", "est_cost_per_1k_messages_7d",
    "est_cost_to_mrr_ratio_30d", "cost_optimization_status",
)  # fmt: skip
DELIVERABILITY = (
    "messages_sent_7d", "messages_delivered_7d", "messages_bounced_7d",
    "messages_complained_7d", "delivery_rate_7d", "bounce_rate_7d", "complaint_rate_7d",
    "otp_sent_7d", "otp_verified_7d", "otp_verification_rate_7d", "deliverability_status",
)  # fmt: skip
OPS_SYSTEM_HEALTH = (
    "api_requests_7d", "api_errors_7d", "api_error_rate_7d", "api_p95_latency_ms_7d",
    "active_users_7d", "active_users_30d", "connectors_healthy", "connectors_degraded",
    "connectors_failing", "connectors_disconnected", "connectors_total", "operational_status",
)  # fmt: skip
EXECUTIVE_ROOM = (
    "currency", "revenue_won_30d", "pipeline_value", "win_rate_90d", "pending_approvals",
    "approvals_sla_warning", "approvals_overdue", "connectors_healthy", "connectors_degraded",
    "connectors_failing", "connectors_disconnected", "connectors_total", "compliance_posture",
    "controls_passing", "controls_failing", "controls_not_assessed", "controls_total",
    "pdpl_consent_coverage", "consent_subjects", "consent_subjects_covered",
    "active_contradictions", "active_strategic_deals", "evidence_packs_ready",
)  # fmt: skip
TENANT_SUMMARY = (
    "as_of_date", "tenant_name", "plan", "currency", "mrr", "locale", "timezone", "tenant_status",
    "active_users_7d", "active_users_30d", "messages_sent_7d", "api_requests_7d",
    "pending_approvals", *STATUS_NAMES,
)  # fmt: skip

#: Each mart's key columns: its grain, the contract's primary key (the metric catalogue is
#: the seed's copy, compared with it apart).
GRAINS: dict[str, tuple[str, ...]] = {
    name: mart.grain for name, mart in MARTS.items() if name != "metric_catalog"
}


def _project(
    rows: list[dict[str, Any]], keys: tuple[str, ...], columns: Iterable[str]
) -> pd.DataFrame:
    wanted = list(dict.fromkeys([*keys, *columns]))
    return pd.DataFrame([{c: r[c] for c in wanted} for r in rows], columns=wanted, dtype=object)


_MONEY = frozenset(
    {"revenue_won_30d", "pipeline_value", "payments_collected_30d", "revenue_at_risk_30d",
     "est_infra_cost_30d"}
)  # fmt: skip


def reporting_currency(deals: pd.DataFrame) -> str | None:
    """The currency most of a tenant's deals are recorded in (ties: alphabetical), upper
    case; None without deals."""
    counts = Counter(str(c).upper() for c in deals["currency"] if isinstance(c, str))
    if not counts:
        return None
    return min(counts, key=lambda code: (-counts[code], code))


def _platform_currency(rows: list[dict[str, Any]]) -> str | None:
    """The tenants' one currency, ``mixed`` for several, None for none."""
    codes = {r["currency"] for r in rows if r["currency"] is not None}
    return None if not codes else codes.pop() if len(codes) == 1 else "mixed"


def _platform(
    day: date, rows: list[dict[str, Any]], alerts: list[dict[str, Any]]
) -> dict[str, Any]:
    """The platform rollup of one day: tenant counts, sums, pooled rates, alerts, statuses."""

    def total(name: str) -> Any:
        return sum((r[name] for r in rows), Decimal(0) if name in _MONEY else 0)

    sent = total("messages_sent_7d")
    requests = total("api_requests_7d")
    p: dict[str, Any] = {
        "as_of_date": day,
        "tenants_total": len(rows),
        **{
            f"tenants_{s}": sum(r["tenant_status"] == s for r in rows)
            for s in ("active", "suspended", "churned")
        },
        "currency": _platform_currency(rows),
        "mrr_total": _dec_sum(
            r["mrr"] for r in rows if r["mrr"] is not None and not pd.isna(r["mrr"])
        ),
        "revenue_won_30d": total("revenue_won_30d"),
        "pipeline_value": total("pipeline_value"),
        "payments_collected_30d": total("payments_collected_30d"),
        "revenue_at_risk_30d": total("revenue_at_risk_30d"),
        "est_infra_cost_30d": total("est_infra_cost_30d"),
        "messages_sent_7d": sent,
        "delivery_rate_7d": ratio(total("messages_delivered_7d"), sent),
        "bounce_rate_7d": ratio(total("messages_bounced_7d"), sent),
        "complaint_rate_7d": ratio(total("messages_complained_7d"), sent),
        "api_requests_7d": requests,
        "api_errors_7d": total("api_errors_7d"),
        "api_error_rate_7d": ratio(total("api_errors_7d"), requests),
        "active_users_30d": total("active_users_30d"),
        "pending_approvals": total("pending_approvals"),
        "approvals_sla_warning": total("approvals_sla_warning"),
        "approvals_overdue": total("approvals_overdue"),
        "alerts_critical": sum(a["severity"] == "critical" for a in alerts),
        "alerts_warning": sum(a["severity"] == "warning" for a in alerts),
    }
    for name in STATUS_NAMES:
        dimension = name.removesuffix("_status")
        for level in LEVELS:
            p[f"tenants_{dimension}_{level}"] = sum(r[name] == level for r in rows)
    return p


def data_as_of(src: Sources, day: date) -> datetime:
    """The latest instant both sources are complete for day D: least(T, their marks)."""
    marks = [as_of_time(day), src.events_complete_until, src.app_complete_until]
    return min(m for m in marks if m is not None)


def reference_marts(src: Sources, days: Iterable[date]) -> dict[str, pd.DataFrame]:
    """Every mart recomputed for ``days``, one DataFrame per mart at its grain."""
    tenants = [
        {
            **t,
            "mrr": None if pd.isna(t["mrr"]) else t["mrr"],
            "currency": reporting_currency(
                src.app["deals"][src.app["deals"]["tenant_id"] == t["tenant_id"]]
            ),
        }
        for t in src.app["tenants"].sort_values("tenant_id").to_dict("records")
    ]
    data = {t["tenant_id"]: _tenant_data(src, t["tenant_id"]) for t in tenants}
    metrics: list[dict[str, Any]] = []
    channels: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    queue: list[dict[str, Any]] = []
    alerts: list[dict[str, Any]] = []
    platform: list[dict[str, Any]] = []
    for day in sorted(days):
        t = pd.Timestamp(as_of_time(day))
        day_rows: list[dict[str, Any]] = []
        day_alerts: list[dict[str, Any]] = []
        for tenant in tenants:
            if tenant["created_at"] >= t:
                continue
            m, ch, sv, q = _tenant_day(tenant, data[tenant["tenant_id"]], day)
            day_rows.append(m)
            channels.extend(ch)
            services.extend(sv)
            queue.extend(q)
            day_alerts.extend(_alerts(m, q))
        metrics.extend(day_rows)
        alerts.extend(day_alerts)
        platform.append(_platform(day, day_rows, day_alerts))
    for row in (*metrics, *channels, *services, *queue, *alerts, *platform):
        row["data_as_of"] = data_as_of(src, row["as_of_date"])
    latest: dict[str, dict[str, Any]] = {}
    for m in metrics:
        if m["tenant_id"] not in latest or m["as_of_date"] > latest[m["tenant_id"]]["as_of_date"]:
            latest[m["tenant_id"]] = m
    tenant_day = ("data_as_of",)
    g = GRAINS
    return {
        "exec_overview": _project(metrics, g["exec_overview"], (*tenant_day, *EXEC_OVERVIEW)),
        "revenue_protection": _project(
            metrics, g["revenue_protection"], (*tenant_day, *REVENUE_PROTECTION)
        ),
        "cost_optimization": _project(
            metrics, g["cost_optimization"], (*tenant_day, *COST_OPTIMIZATION)
        ),
        "cost_optimization_by_service": pd.DataFrame(services, dtype=object),
        "deliverability_health": _project(
            metrics, g["deliverability_health"], (*tenant_day, *DELIVERABILITY)
        ),
        "deliverability_by_channel": _project(
            channels, g["deliverability_by_channel"], (*tenant_day, *DELIVERABILITY)
        ),
        "ops_system_health": _project(
            metrics, g["ops_system_health"], (*tenant_day, *OPS_SYSTEM_HEALTH)
        ),
        "executive_room_snapshot": _project(
            metrics, g["executive_room_snapshot"], (*tenant_day, *EXECUTIVE_ROOM)
        ),
        "approval_queue": pd.DataFrame(queue, dtype=object),
        "alerts": pd.DataFrame(alerts, dtype=object),
        "platform_overview": pd.DataFrame(platform, dtype=object),
        "tenant_summary": _project(
            list(latest.values()), g["tenant_summary"], (*tenant_day, *TENANT_SUMMARY)
        ),
    }
