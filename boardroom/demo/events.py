"""PostHog events of the demo, generated per tenant-day and streamed.

Each (tenant, day) has its own random stream, so a day can be regenerated on its own and
the full history is never held in memory. Events follow the catalogue of PRODUCT.md with
its exact property names and JSON types; a few are deliberately messy (late, duplicated,
malformed) and say so in their fields, so downstream tests can reason about them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from psycopg.types.json import Jsonb

from boardroom.demo.profiles import TenantProfile, tenant_profile
from boardroom.demo.spec import DemoSpec, day_start

Wave = Literal["on_time", "late"]
WAVES: tuple[Wave, ...] = ("on_time", "late")

#: Quarantine reasons the demo produces on purpose (PRODUCT.md, Events).
QUARANTINE_REASONS = (
    "missing_tenant",
    "unknown_tenant",
    "unparseable_timestamp",
    "wrong_type:amount",
    "wrong_type:status_code",
    "wrong_type:latency_ms",
    "wrong_type:message_id",
    "wrong_type:otp_id",
)

CATALOGUE_EVENTS = (
    "message_sent",
    "message_delivered",
    "message_bounced",
    "message_complaint",
    "otp_sent",
    "otp_verified",
    "payment_succeeded",
    "payment_failed",
    "api_request",
    "user_signed_in",
    "$pageview",
)

#: Share of events stamped 1-20 days before end_date that arrive in the late wave.
LATE_RATE = 0.03
LATE_MAX_DAYS = 20
#: Share of valid events delivered a second time (same uuid and payload).
DUPLICATE_RATE = 0.002
#: Chance that a tenant-day also carries one malformed event.
MALFORMED_RATE = 0.02

UNPARSEABLE_TIMESTAMPS = ("{year}-13-45T99:00:00", "not-a-timestamp", "31/02/{year} 25:61")

_CHANNELS = ("email", "sms", "whatsapp")
_ENDPOINTS = (
    "/v1/messages",
    "/v1/messages/bulk",
    "/v1/contacts",
    "/v1/otp",
    "/v1/otp/verify",
    "/v1/invoices",
    "/v1/webhooks/whatsapp",
    "/v1/reports/summary",
    "/v1/تقارير/المبيعات",
    "/v1/العملاء",
)
_SUCCESS_CODES = (200, 200, 200, 200, 200, 200, 200, 201, 201, 204, 400, 401, 404, 429)
_SERVER_ERRORS = (500, 502, 503, 504)
_FAILURE_CODES = ("card_declined", "insufficient_funds", "expired_card", "processing_error")
_PAYMENT_METHODS = ("card", "mada", "apple_pay", "bank_transfer")
_PATHS_EN = ("/overview", "/revenue", "/deliverability", "/approvals", "/settings/team")
_PATHS_AR = ("/ar/لوحة-القيادة", "/ar/التقارير", "/ar/الموافقات", "/overview")
_SIGN_IN_METHODS = ("password", "sso", "otp")
_CURRENCY_LABELS = {"SAR": "ر.س", "USD": "دولار أمريكي"}


@dataclass(frozen=True, slots=True)
class DemoEvent:
    """One event as the demo sends it.

    ``properties`` holds the event's own properties; the sender adds the tenant as the
    PostHog group (``$groups.tenant``) when ``tenant`` is set, plus the SDK's own keys.
    ``timestamp`` is a UTC datetime, or the raw string of an unparseable timestamp.
    """

    event: str
    distinct_id: str
    tenant: str | None
    timestamp: datetime | str
    uuid: str
    properties: dict[str, Any] = field(hash=False)
    wave: Wave = "on_time"
    #: The second delivery of an event already sent (same uuid and payload).
    is_duplicate: bool = False
    #: The reason the pipeline must quarantine this event, or None for a valid event.
    quarantine_reason: str | None = None

    @property
    def is_malformed(self) -> bool:
        return self.quarantine_reason is not None


def iter_events(spec: DemoSpec, wave: Wave | None = None) -> Iterator[DemoEvent]:
    """Every event of ``spec`` (or of one wave), day by day, streamed.

    Duplicate deliveries are yielded right after their original.
    """
    for day in spec.dates:
        for event in day_events(spec, day):
            if wave is None or event.wave == wave:
                yield event


def day_events(spec: DemoSpec, day: date) -> list[DemoEvent]:
    """All tenants' events generated for ``day`` (a few are stamped on later days)."""
    events: list[DemoEvent] = []
    for index in range(spec.tenants):
        events.extend(tenant_day_events(spec, tenant_profile(spec, index), day))
    return events


# A raw event before it gets a uuid: (event, distinct_id, tenant, timestamp, properties).
_Raw = tuple[str, str, str | None, datetime, dict[str, Any]]


def tenant_day_events(spec: DemoSpec, profile: TenantProfile, day: date) -> list[DemoEvent]:
    """The events of one tenant generated for one day, from that day's own random stream."""
    rng = spec.rng("events", profile.index, day.toordinal())
    start = day_start(day)
    raws: list[_Raw] = []
    _messages(rng, profile, day, start, raws)
    _otps(rng, profile, start, raws)
    _api_requests(rng, profile, day, start, raws)
    _payments(spec, rng, profile, day, start, raws)
    _activity(rng, profile, day, start, raws)

    days_before_end = (spec.end_date - day).days
    planted = profile.index == 0  # tenant 0 carries one of each kind of mess, always
    events: list[DemoEvent] = []
    forced_late = 2 if planted and days_before_end == 1 else 0
    forced_duplicate = planted and days_before_end == 0
    end = spec.end_date
    for name, distinct_id, tenant, ts, props in raws:
        uuid = _uuid(rng)
        lag = (end - ts.date()).days
        wave: Wave = "on_time"
        if 1 <= lag <= LATE_MAX_DAYS and (forced_late or rng.random() < LATE_RATE):
            wave = "late"
            forced_late = max(0, forced_late - 1)
        event = DemoEvent(name, distinct_id, tenant, ts, uuid, props, wave)
        events.append(event)
        if forced_duplicate or rng.random() < DUPLICATE_RATE:
            forced_duplicate = False
            events.append(DemoEvent(name, distinct_id, tenant, ts, uuid, props, wave, True))

    reasons: list[str] = []
    if planted and days_before_end == 0:
        reasons.extend(QUARANTINE_REASONS)
        reasons.append("wrong_type:status_code")  # the float variant (500.5) too
    elif rng.random() < MALFORMED_RATE:
        reasons.append(rng.choice(QUARANTINE_REASONS))
    for n, reason in enumerate(reasons):
        variant = reasons[:n].count(reason)
        events.append(_malformed(rng, profile, day, start, reason, variant))
    return events


_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


def _uuid(rng: random.Random) -> str:
    """A random version-4 uuid string (what ``str(UUID(int=..., version=4))`` gives, faster)."""
    h = f"{(rng.getrandbits(128) & _UUID_CLEAR) | _UUID_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _at(start: datetime, ms: int) -> datetime:
    return start + timedelta(milliseconds=ms)


def _messages(
    rng: random.Random, p: TenantProfile, day: date, start: datetime, out: list[_Raw]
) -> None:
    plan = p.messages
    if plan is None or p.messages_until is None or day > p.messages_until:
        return
    wd = day.weekday()
    bounces, complaints = plan.flagged[wd], plan.complaints[wd]
    tid = p.tenant_id
    who = f"svc_messaging_{tid}"
    for j in range(plan.total[wd]):
        ms = rng.randrange(85_800_000)  # leaves room for follow-ups on the same day
        channel = rng.choices(_CHANNELS, weights=p.channel_weights)[0]
        mid = f"msg_{rng.getrandbits(64):016x}"
        out.append(
            ("message_sent", who, tid, _at(start, ms), {"message_id": mid, "channel": channel})
        )
        ms += rng.randrange(500, 90_000)
        if j < bounces:
            bounce_type = "hard" if (day.toordinal() + j) % 3 == 0 else "soft"
            out.append(
                (
                    "message_bounced",
                    who,
                    tid,
                    _at(start, ms),
                    {"message_id": mid, "channel": channel, "bounce_type": bounce_type},
                )
            )
            continue
        if j >= bounces + complaints and rng.random() < 0.03:
            continue  # no receipt yet (delivery_rate < 1); does not touch bounce rates
        out.append(
            ("message_delivered", who, tid, _at(start, ms), {"message_id": mid, "channel": channel})
        )
        if j < bounces + complaints:
            out.append(
                (
                    "message_complaint",
                    who,
                    tid,
                    _at(start, ms + rng.randrange(60_000, 500_000)),
                    {"message_id": mid, "channel": channel},
                )
            )


def _otps(rng: random.Random, p: TenantProfile, start: datetime, out: list[_Raw]) -> None:
    count = rng.choices((0, 1, 2, 3), weights=(3, 4, 3, 1))[0]
    tid = p.tenant_id
    for _ in range(count):
        ms = rng.randrange(86_000_000)
        otp_id = f"otp_{rng.getrandbits(48):012x}"
        channel = rng.choices(_CHANNELS, weights=(1, 3, 3))[0]
        who = f"cust_{tid}_{rng.randrange(5000):04d}"
        props = {"otp_id": otp_id, "channel": channel}
        out.append(("otp_sent", who, tid, _at(start, ms), props))
        if rng.random() < 0.86:
            out.append(
                (
                    "otp_verified",
                    who,
                    tid,
                    _at(start, ms + rng.randrange(4_000, 300_000)),
                    dict(props),
                )
            )


def _latency(rng: random.Random, median: float) -> float | int:
    value = rng.lognormvariate(math.log(median), 0.55)
    # Most clients report a float; some an integer (both are JSON numbers).
    return int(value) if rng.random() < 0.1 else round(value, 1)


def _api_requests(
    rng: random.Random, p: TenantProfile, day: date, start: datetime, out: list[_Raw]
) -> None:
    plan = p.api
    if plan is None or p.api_until is None or day > p.api_until:
        return
    wd = day.weekday()
    errors = plan.flagged[wd]
    tid = p.tenant_id
    for j in range(plan.total[wd]):
        if j < errors:
            status, latency = rng.choice(_SERVER_ERRORS), _latency(rng, 900.0)
        else:
            status, latency = rng.choice(_SUCCESS_CODES), _latency(rng, 120.0)
        endpoint = rng.choice(_ENDPOINTS)
        props = {
            "endpoint": endpoint,
            "method": "GET" if rng.random() < 0.6 else "POST",
            "status_code": status,
            "latency_ms": latency,
        }
        out.append(
            (
                "api_request",
                f"apikey_{tid}_{rng.randint(1, 3)}",
                tid,
                _at(start, rng.randrange(86_000_000)),
                props,
            )
        )


def _payment(
    p: TenantProfile, invoice_id: str, amount: float, method: str, failure_code: str | None = None
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "invoice_id": invoice_id,
        "amount": amount,
        "currency": p.currency,
        "payment_method": method,
    }
    if p.currency in _CURRENCY_LABELS and p.locale == "ar":
        props["currency_label"] = _CURRENCY_LABELS[p.currency]
    if failure_code is not None:
        props["failure_code"] = failure_code
    return props


def _payments(
    spec: DemoSpec,
    rng: random.Random,
    p: TenantProfile,
    day: date,
    start: datetime,
    out: list[_Raw],
) -> None:
    tid = p.tenant_id
    who = f"svc_billing_{tid}"
    if p.payments_until is not None and day <= p.payments_until:
        # One invoice a day. Its whole life is drawn here, so retries stamped on later
        # days need no other day's stream; retries never go past the last billing day.
        last = min(spec.end_date, p.payments_until)
        invoice = f"inv_{tid}_{day:%Y%m%d}"
        amount = round(float(p.invoice_amount) * rng.uniform(0.9, 1.1), 2)
        method = rng.choice(_PAYMENT_METHODS)
        ms = rng.randrange(3_600_000, 72_000_000)
        roll = rng.random()
        if roll < 0.12 and day + timedelta(days=1) <= last:
            delay = rng.choice((1, 2)) if day + timedelta(days=2) <= last else 1
            out.append(
                (
                    "payment_failed",
                    who,
                    tid,
                    _at(start, ms),
                    _payment(p, invoice, amount, method, rng.choice(_FAILURE_CODES)),
                )
            )
            paid = day_start(day + timedelta(days=delay))
            out.append(
                ("payment_succeeded", who, tid, _at(paid, ms), _payment(p, invoice, amount, method))
            )
        elif roll < 0.18 and day + timedelta(days=3) <= last:
            # Fails twice, then gets paid.
            for retry in (0, 1):
                out.append(
                    (
                        "payment_failed",
                        who,
                        tid,
                        _at(day_start(day + timedelta(days=retry)), ms),
                        _payment(p, invoice, amount, method, rng.choice(_FAILURE_CODES)),
                    )
                )
            out.append(
                (
                    "payment_succeeded",
                    who,
                    tid,
                    _at(day_start(day + timedelta(days=3)), ms),
                    _payment(p, invoice, amount, "card"),
                )
            )
        else:
            out.append(
                (
                    "payment_succeeded",
                    who,
                    tid,
                    _at(start, ms),
                    _payment(p, invoice, amount, method),
                )
            )
    days_before_end = (spec.end_date - day).days
    for n, failure in enumerate(p.risk_failures):
        if failure.days_before_end == days_before_end:
            invoice = f"inv_{tid}_risk_{failure.invoice_no:02d}"
            out.append(
                (
                    "payment_failed",
                    who,
                    tid,
                    _at(start, 28_800_000 + n * 5_400_000),
                    _payment(p, invoice, float(failure.amount), "card", failure.failure_code),
                )
            )


def _activity(
    rng: random.Random, p: TenantProfile, day: date, start: datetime, out: list[_Raw]
) -> None:
    weekend = day.weekday() in ((4, 5) if p.locale == "ar" else (5, 6))
    share = rng.uniform(0.05, 0.15) * (0.4 if weekend else 1.0)
    active = min(p.users, max(1, round(p.users * share)))
    paths = _PATHS_AR if p.locale == "ar" else _PATHS_EN
    tid = p.tenant_id
    for user in rng.sample(range(p.users), active):
        who = f"usr_{tid}_{user:03d}"
        ms = rng.randrange(82_000_000)
        out.append(
            ("user_signed_in", who, tid, _at(start, ms), {"method": rng.choice(_SIGN_IN_METHODS)})
        )
        for _ in range(rng.randint(0, 2)):
            ms += rng.randrange(5_000, 600_000)
            path = rng.choice(paths)
            out.append(
                (
                    "$pageview",
                    who,
                    tid,
                    _at(start, ms),
                    {
                        "$current_url": f"https://app.boardroom.example{path}",
                        "$pathname": path,
                    },
                )
            )
    if rng.random() < 0.08:
        # Not in the catalogue: kept raw, ignored by the marts.
        report = "تقرير مجلس الإدارة الأسبوعي" if p.locale == "ar" else "Weekly board pack"
        out.append(
            (
                "report_exported",
                f"usr_{tid}_{rng.randrange(p.users):03d}",
                tid,
                _at(start, rng.randrange(86_000_000)),
                {"report": report, "format": "pdf"},
            )
        )


def _malformed(
    rng: random.Random, p: TenantProfile, day: date, start: datetime, reason: str, variant: int
) -> DemoEvent:
    """An event the pipeline must quarantine for exactly ``reason``."""
    tid: str | None = p.tenant_id
    ts: datetime | str = _at(start, rng.randrange(86_000_000))
    who = f"svc_messaging_{p.tenant_id}"
    name = "message_sent"
    props: dict[str, Any] = {"message_id": f"msg_{rng.getrandbits(64):016x}", "channel": "sms"}
    if reason == "missing_tenant":
        tid = None  # e.g. a worker that forgot to set the group
    elif reason == "unknown_tenant":
        tid = f"t_unknown_{rng.randint(1, 3):02d}"
        who = f"svc_messaging_{tid}"
    elif reason == "unparseable_timestamp":
        ts = rng.choice(UNPARSEABLE_TIMESTAMPS).format(year=day.year)
    elif reason == "wrong_type:amount":
        name, who = "payment_succeeded", f"svc_billing_{p.tenant_id}"
        props = _payment(p, f"inv_{p.tenant_id}_{day:%Y%m%d}_x", 0.0, "card")
        props["amount"] = f"{float(p.invoice_amount):.2f}"  # a string, not a number
    elif reason in ("wrong_type:status_code", "wrong_type:latency_ms"):
        name, who = "api_request", f"apikey_{p.tenant_id}_1"
        props = {
            "endpoint": "/v1/messages",
            "method": "POST",
            "status_code": 500,
            "latency_ms": 812.5,
        }
        if reason == "wrong_type:latency_ms":
            props["latency_ms"] = "812.5"
        else:
            props["status_code"] = 500.5 if variant % 2 else "500"
    elif reason == "wrong_type:message_id":
        name = "message_delivered"
        props["message_id"] = rng.randrange(10**6, 10**7)  # a number, not a string
    elif reason == "wrong_type:otp_id":
        name, who = "otp_verified", f"cust_{p.tenant_id}_0001"
        props = {"channel": "sms"}  # otp_id missing
    else:
        raise ValueError(f"unknown quarantine reason {reason!r}")
    return DemoEvent(name, who, tid, ts, _uuid(rng), props, "on_time", False, reason)


def raw_event_values(event: DemoEvent) -> tuple:
    """A valid demo event as the leading columns of ``raw.posthog_events`` (uuid, event,
    distinct_id, tenant_id, timestamp, created_at, properties), for loading straight into the
    warehouse by COPY where ingestion itself is not what is measured or tested. PostHog
    would stamp ``created_at`` on receipt; the demo's events arrive when they happen."""
    properties = {**event.properties, "$groups": {"tenant": event.tenant}}
    return (
        event.uuid,
        event.event,
        event.distinct_id,
        event.tenant,
        event.timestamp,
        event.timestamp,
        Jsonb(properties),
    )
