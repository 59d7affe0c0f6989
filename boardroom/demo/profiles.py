"""Per-tenant profiles: who each demo tenant is and which status it is built to show.

Tenant ``i`` gets a target level (ok, watch, at_risk, unknown) for each of the four
executive statuses. Tenants come in blocks of four; within a block every dimension takes
each level exactly once (with a different rotation per block), so any 4 consecutive
tenants cover all 16 (dimension, level) pairs, and 8 or more tenants also cover the
variants below (e.g. a failing *and* a disconnected connector).

The event and operational generators then produce data whose figures at ``end_date``
sit well inside the target band:

- Counts that feed 7-day rates (messages, bounces, complaints, API requests, 5xx) follow
  a fixed weekly pattern, so *every* 7-day window holds exactly one week of it and its
  rate is known exactly (e.g. 3.4 % bounces for watch, never near 2 % or 5 %).
- 30-day money figures have bounded noise and the uncured payment failures or the
  infrastructure cost are sized against those bounds (scaled down when ``days`` < 30).

The 7-day guarantees need ``days`` >= 7 (a shorter history holds only part of a week).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from types import MappingProxyType

from boardroom.demo.names import company_name
from boardroom.demo.spec import DIMENSIONS, LEVELS, DemoSpec

PLANS = ("starter", "growth", "enterprise")
CONNECTORS = ("whatsapp", "stripe", "hubspot", "salesforce", "smtp")

#: A tenant id with a single quote, so that quoting is exercised everywhere downstream.
QUOTE_TENANT_INDEX = 2
QUOTE_TENANT_ID = "t_o'brien"
QUOTE_TENANT_NAME = "O'Brien & Daughters Freight Ltd"

# Per-block rotation of the four dimensions' levels (see the module docstring).
_BLOCK_OFFSETS = (
    (0, 1, 2, 3),
    (1, 3, 0, 2),
    (2, 0, 3, 1),
    (3, 2, 1, 0),
    (0, 2, 1, 3),
    (1, 0, 3, 2),
)

# Target infrastructure cost over 30 days as a share of MRR (thresholds 0.15 and 0.30);
# daily noise is bounded by +-8 %, so the ratio stays within +-8 % of these.
_COST_RATIO = {"ok": 0.06, "watch": 0.22, "at_risk": 0.55, "unknown": 0.10}

_MRR_RANGE = {"starter": (400, 1500), "growth": (2500, 9000), "enterprise": (15000, 60000)}
_USERS_RANGE = {"starter": (4, 9), "growth": (8, 20), "enterprise": (18, 45)}


def tenant_id(index: int) -> str:
    """The id of tenant ``index`` (0-based): ``t_001``, ``t_002``, ``t_o'brien``, ..."""
    return QUOTE_TENANT_ID if index == QUOTE_TENANT_INDEX else f"t_{index + 1:03d}"


def target_level(index: int, dimension: str) -> str:
    """The status tenant ``index`` is built to show for ``dimension`` at ``end_date``."""
    offsets = _BLOCK_OFFSETS[(index // 4) % len(_BLOCK_OFFSETS)]
    return LEVELS[(index + offsets[DIMENSIONS.index(dimension)]) % 4]


@dataclass(frozen=True)
class WeeklyCounts:
    """Events per weekday (Monday first) and how many of them are flagged.

    ``flagged`` are bounces (messages) or 5xx responses (API requests); ``complaints``
    only applies to messages. Each is at most ``total`` for the same weekday.
    """

    total: tuple[int, ...]
    flagged: tuple[int, ...]
    complaints: tuple[int, ...] = (0, 0, 0, 0, 0, 0, 0)

    @property
    def weekly_total(self) -> int:
        return sum(self.total)

    @property
    def weekly_flagged(self) -> int:
        return sum(self.flagged)


@dataclass(frozen=True)
class RiskFailure:
    """A planted ``payment_failed`` that is never cured (feeds revenue_at_risk_30d)."""

    days_before_end: int
    invoice_no: int
    amount: Decimal
    failure_code: str


@dataclass(frozen=True)
class TenantProfile:
    index: int
    tenant_id: str
    name: str
    domain: str
    plan: str
    mrr: Decimal | None
    locale: str
    timezone: str
    status: str
    created_at: datetime
    currency: str
    targets: Mapping[str, str]
    #: Which occurrence of its level this tenant is, per dimension (picks the variant).
    variant: int
    messages: WeeklyCounts | None
    messages_until: date | None
    api: WeeklyCounts | None
    api_until: date | None
    payments_until: date | None
    invoice_amount: Decimal
    risk_failures: tuple[RiskFailure, ...]
    cost_ratio: float
    cost_mrr: Decimal
    has_usage: bool
    connectors: Mapping[str, str]
    users: int
    channel_weights: tuple[int, int, int]  # email, sms, whatsapp

    @property
    def has_payments(self) -> bool:
        return self.payments_until is not None


def tenant_profiles(spec: DemoSpec) -> list[TenantProfile]:
    return [tenant_profile(spec, i) for i in range(spec.tenants)]


@cache
def tenant_profile(spec: DemoSpec, index: int) -> TenantProfile:
    """Tenant ``index`` of ``spec``; independent of how many tenants the spec has."""
    rng = spec.rng("tenant", index)
    tid = tenant_id(index)
    plan = PLANS[index % 3]
    locale = "ar" if index % 4 == 1 else "en"
    if index == QUOTE_TENANT_INDEX:
        name, domain = QUOTE_TENANT_NAME, "obrien-freight"
    else:
        name, domain = company_name(rng, locale)
        domain = f"{domain}-{index + 1}"
    if locale == "ar":
        timezone = rng.choice(("Asia/Riyadh", "Asia/Riyadh", "Asia/Dubai", "Asia/Kuwait"))
        currency = "SAR"
    else:
        timezone = rng.choice(
            ("Europe/London", "Asia/Riyadh", "America/New_York", "Asia/Singapore", "Europe/Berlin")
        )
        currency = "SAR" if timezone == "Asia/Riyadh" else "USD"
    if index == 5:
        status = "suspended"
    elif index == 7:
        status = "churned"
    elif index < 8:
        status = "active"
    else:
        status = rng.choices(("active", "suspended", "churned"), weights=(88, 6, 6))[0]
    created_at = datetime.combine(
        spec.end_date - timedelta(days=rng.randint(200, 1100)), datetime.min.time(), UTC
    ) + timedelta(seconds=rng.randrange(86400))

    targets = MappingProxyType({d: target_level(index, d) for d in DIMENSIONS})
    variant = index // 4

    lo, hi = _MRR_RANGE[plan]
    nominal_mrr = Decimal(rng.randint(lo, hi) * 10) / 10
    mrr: Decimal | None = nominal_mrr.quantize(Decimal("0.01"))
    has_usage = True
    if targets["cost_optimization"] == "unknown":
        # Three ways a cost ratio cannot be computed (PRODUCT.md, cost optimisation).
        kind = variant % 3
        if kind == 0:
            mrr = None
        elif kind == 1:
            mrr = Decimal("0.00")
        else:
            has_usage = False

    weekend = (4, 5) if locale == "ar" else (5, 6)  # Fri/Sat in the Gulf, Sat/Sun elsewhere
    messages, messages_until = _message_plan(
        spec, rng, targets["deliverability"], variant, weekend, plan
    )
    api, api_until = _api_plan(spec, rng, targets["operational"], variant, weekend)
    connectors = MappingProxyType(_connector_plan(targets["operational"], variant))

    invoice_amount = (Decimal(rng.randint(15_000, 250_000)) / 100).quantize(Decimal("0.01"))
    payments_until: date | None = spec.end_date
    revenue = targets["revenue_protection"]
    if revenue == "unknown":
        # Variant 0 never bills through the product; variant 1 stopped over 30 days ago.
        payments_until = None if variant % 2 == 0 else spec.end_date - timedelta(days=31)
    risk = _risk_failures(spec, revenue, variant, invoice_amount)

    users = rng.randint(*_USERS_RANGE[plan])
    channel_weights = (2, 3, 5) if locale == "ar" else (5, 3, 2)
    return TenantProfile(
        index=index,
        tenant_id=tid,
        name=name,
        domain=f"{domain}.example",
        plan=plan,
        mrr=mrr,
        locale=locale,
        timezone=timezone,
        status=status,
        created_at=created_at,
        currency=currency,
        targets=targets,
        variant=variant,
        messages=messages,
        messages_until=messages_until,
        api=api,
        api_until=api_until,
        payments_until=payments_until,
        invoice_amount=invoice_amount,
        risk_failures=risk,
        cost_ratio=_COST_RATIO[targets["cost_optimization"]],
        cost_mrr=nominal_mrr,
        has_usage=has_usage,
        connectors=connectors,
        users=users,
        channel_weights=channel_weights,
    )


def _weekly_totals(
    rng: random.Random, per_day: float, weekend: tuple[int, int], minimum: int
) -> list[int]:
    totals = [
        max(2, round(per_day * (0.5 if wd in weekend else 1.15) * rng.uniform(0.9, 1.1)))
        for wd in range(7)
    ]
    wd = 0
    while sum(totals) < minimum:  # keep small tenants big enough for a clean rate
        if wd not in weekend:
            totals[wd] += 1
        wd = (wd + 1) % 7
    return totals


def _count_for_rate(total: int, target: float, low: float, high: float) -> int:
    """The count whose rate over ``total`` is closest to ``target`` within [low, high]."""
    candidates = range(math.ceil(low * total), math.floor(high * total) + 1)
    if not candidates:
        raise ValueError(f"no count of {total} gives a rate in [{low}, {high}]")
    return min(candidates, key=lambda c: (abs(c - target * total), c))


def _spread(
    rng: random.Random, totals: list[int], count: int, taken: list[int] | None = None
) -> tuple[int, ...]:
    """Place ``count`` flags on weekdays, never more than a day's free capacity."""
    flags = [0] * 7
    used = taken or [0] * 7
    order = list(range(7))
    rng.shuffle(order)
    k = 0
    while count > 0:
        wd = order[k % 7]
        if flags[wd] + used[wd] < totals[wd]:
            flags[wd] += 1
            count -= 1
        k += 1
    return tuple(flags)


def _message_plan(
    spec: DemoSpec,
    rng: random.Random,
    level: str,
    variant: int,
    weekend: tuple[int, int],
    plan: str,
) -> tuple[WeeklyCounts | None, date | None]:
    # Bounce thresholds are 2 % (watch) and 5 % (at_risk); complaints 0.1 % and 0.3 %.
    # A watch rate needs a big enough week (>= 56 sent) for a count inside its band.
    size = {"starter": 0.9, "growth": 1.0, "enterprise": 1.2}[plan]
    per_day = rng.uniform(8.0, 11.0) if level == "watch" else rng.uniform(5.0, 9.0) * size
    totals = _weekly_totals(rng, per_day, weekend, minimum=56 if level == "watch" else 30)
    total = sum(totals)
    complaints = 0
    until: date | None = spec.end_date
    if level == "ok":
        bounces = _count_for_rate(total, 0.008, 0.0, 0.014)
    elif level == "watch":
        bounces = _count_for_rate(total, 0.034, 0.026, 0.044)
    elif level == "at_risk" and variant % 2 == 0:
        bounces = _count_for_rate(total, 0.08, 0.065, 0.2)
    elif level == "at_risk":  # complaint-driven: few bounces, complaints >= 0.3 %
        bounces = _count_for_rate(total, 0.008, 0.0, 0.014)
        complaints = _count_for_rate(total, 0.012, 0.008, 0.05)
    else:
        # unknown: nothing sent in the last 7 days. Variant 0 never messages; variant 1
        # stopped a week before end_date (so only older windows have figures).
        if variant % 2 == 0:
            return None, None
        bounces = _count_for_rate(total, 0.008, 0.0, 0.014)
        until = spec.end_date - timedelta(days=7)
    flagged = _spread(rng, totals, bounces)
    complaint_days = _spread(rng, totals, complaints, taken=list(flagged))
    return WeeklyCounts(tuple(totals), flagged, complaint_days), until


def _api_plan(
    spec: DemoSpec, rng: random.Random, level: str, variant: int, weekend: tuple[int, int]
) -> tuple[WeeklyCounts | None, date | None]:
    # Error-rate thresholds are 0.5 % (watch) and 2 % (at_risk).
    until: date | None = spec.end_date
    if level == "watch" and variant % 2 == 1:
        totals = _weekly_totals(rng, 15.0, weekend, minimum=100)
        errors = _count_for_rate(sum(totals), 0.011, 0.007, 0.016)
    else:
        totals = _weekly_totals(rng, rng.uniform(2.5, 5.0), weekend, minimum=22)
        errors = 0
        if level == "at_risk" and variant % 3 != 1:
            errors = _count_for_rate(sum(totals), 0.06, 0.035, 0.2)
        if level == "unknown":
            if variant % 2 == 0:
                return None, None
            until = spec.end_date - timedelta(days=7)
    return WeeklyCounts(tuple(totals), _spread(rng, totals, errors)), until


def _connector_plan(level: str, variant: int) -> dict[str, str]:
    if level == "unknown":
        return {}
    states = dict.fromkeys(CONNECTORS, "healthy")
    if level == "watch" and variant % 2 == 0:
        states["hubspot"] = "degraded"
    elif level == "at_risk" and variant % 3 == 0:
        states["stripe"] = "failing"
        states["salesforce"] = "degraded"
    elif level == "at_risk" and variant % 3 == 1:
        states["whatsapp"] = "disconnected"
    return states


def _risk_failures(
    spec: DemoSpec, level: str, variant: int, amount: Decimal
) -> tuple[RiskFailure, ...]:
    """Uncured failures sized against 30 days of collections.

    One invoice of ``amount`` (+-10 %) succeeds per day, so the window collects between
    0.9 and 1.1 x ``amount`` per generated day (up to 3 more from retries of invoices
    issued just before the window). Risk R = amount x window/30 gives
    r = R / (collected + R) in about [2.7 %, 3.6 %] for watch; 4R gives r >= 9.9 %.
    """
    unit = amount * spec.window_30d / 30
    last = spec.days - 1

    def failure(days: int, invoice_no: int, factor: str, code: str) -> RiskFailure:
        amt = (unit * Decimal(factor)).quantize(Decimal("0.01"))
        return RiskFailure(min(days, last), invoice_no, amt, code)

    if level == "ok" and variant % 2 == 1:
        return (failure(15, 1, "0.20", "processing_error"),)  # r < 0.8 %: still ok
    if level == "watch":
        # One invoice failing twice; the latest failure (the full amount) counts.
        return (
            failure(12, 1, "0.97", "insufficient_funds"),
            failure(9, 1, "1.00", "card_declined"),
        )
    if level == "at_risk":
        return (
            failure(20, 1, "2.00", "expired_card"),
            failure(5, 2, "1.90", "card_declined"),
            failure(3, 2, "2.00", "insufficient_funds"),
        )
    return ()
