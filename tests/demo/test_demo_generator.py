"""The demo generator: determinism, scaling, coverage of the contract, deliberate mess."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from boardroom.demo import (
    APP_COLUMNS,
    CATALOGUE_EVENTS,
    QUARANTINE_REASONS,
    QUOTE_TENANT_ID,
    DemoEvent,
    DemoSpec,
    generate_operational,
    iter_events,
    summary_rows,
    tally_events,
    tenant_profile,
)
from boardroom.demo.events import tenant_day_events
from boardroom.sources.app_db import APP_TABLES, schema_sql

END = date(2026, 3, 31)
ARABIC = re.compile("[\u0600-\u06ff]")


def _event_digest(events: list[DemoEvent] | None = None, spec: DemoSpec | None = None) -> str:
    digest = hashlib.sha256()
    for e in events if events is not None else iter_events(spec):  # type: ignore[arg-type]
        ts = e.timestamp.isoformat() if isinstance(e.timestamp, datetime) else e.timestamp
        digest.update(
            json.dumps(
                [
                    e.uuid,
                    e.event,
                    e.distinct_id,
                    e.tenant,
                    ts,
                    e.properties,
                    e.wave,
                    e.is_duplicate,
                    e.quarantine_reason,
                ],
                sort_keys=True,
                ensure_ascii=False,
            ).encode()
        )
    return digest.hexdigest()


def _rows_digest(rows: dict[str, list[tuple]]) -> str:
    return hashlib.sha256(repr(sorted(rows.items())).encode()).hexdigest()


@pytest.fixture(scope="module")
def spec8() -> DemoSpec:
    return DemoSpec(seed=7, tenants=8, days=30, end_date=END)


@pytest.fixture(scope="module")
def events8(spec8: DemoSpec) -> list[DemoEvent]:
    return list(iter_events(spec8))


@pytest.fixture(scope="module")
def rows8(spec8: DemoSpec) -> dict[str, list[tuple]]:
    return generate_operational(spec8)


# --- determinism and scale -------------------------------------------------------------


def test_same_spec_gives_identical_data(spec8: DemoSpec, rows8, events8) -> None:
    again = DemoSpec(seed=7, tenants=8, days=30, end_date=END)
    assert generate_operational(again) == rows8
    assert _rows_digest(generate_operational(again)) == _rows_digest(rows8)
    assert _event_digest(spec=again) == _event_digest(events8)


def test_different_seed_or_end_date_gives_different_data(spec8: DemoSpec, rows8, events8) -> None:
    other = DemoSpec(seed=8, tenants=8, days=30, end_date=END)
    assert _rows_digest(generate_operational(other)) != _rows_digest(rows8)
    assert _event_digest(spec=other) != _event_digest(events8)
    assert {e.uuid for e in iter_events(other)}.isdisjoint(e.uuid for e in events8)
    moved = DemoSpec(seed=7, tenants=8, days=30, end_date=END - timedelta(days=1))
    assert _event_digest(spec=moved) != _event_digest(events8)


def test_tenant_data_does_not_depend_on_tenant_count(spec8: DemoSpec, rows8, events8) -> None:
    bigger = DemoSpec(seed=7, tenants=16, days=30, end_date=END)
    big_rows = generate_operational(bigger)
    for table in APP_TABLES:
        assert set(rows8[table]) <= set(big_rows[table]), table
    assert len(big_rows["tenants"]) == 16
    assert len(big_rows["infra_usage"]) > len(rows8["infra_usage"])
    small_tenants = {r[0] for r in rows8["tenants"]}
    big_events = [e for e in iter_events(bigger) if e.tenant in small_tenants]
    assert {e.uuid for e in events8 if e.tenant in small_tenants} == {e.uuid for e in big_events}
    assert len(list(iter_events(bigger))) > 1.6 * len(events8)


def test_days_scale_time_series(spec8: DemoSpec, rows8, events8) -> None:
    short = DemoSpec(seed=7, tenants=8, days=10, end_date=END)
    short_rows = generate_operational(short)
    with_usage = len({r[1] for r in rows8["infra_usage"]})
    assert len(short_rows["infra_usage"]) == with_usage * 10 * 6
    assert len(rows8["infra_usage"]) == with_usage * 30 * 6
    assert {r[4] for r in short_rows["infra_usage"]} == set(short.dates)
    short_events = list(iter_events(short))
    assert 0.25 < len(short_events) / len(events8) < 0.45
    stamped = [e.timestamp for e in short_events if isinstance(e.timestamp, datetime)]
    assert min(stamped) >= datetime(2026, 3, 22, tzinfo=UTC)
    assert max(stamped) < datetime(2026, 4, 1, tzinfo=UTC)


def test_tenant_days_regenerate_in_any_order(spec8: DemoSpec, events8) -> None:
    chunks = {
        (i, day): tenant_day_events(spec8, tenant_profile(spec8, i), day)
        for day in reversed(spec8.dates)
        for i in reversed(range(spec8.tenants))
    }
    rebuilt = [e for day in spec8.dates for i in range(spec8.tenants) for e in chunks[i, day]]
    assert rebuilt == events8


def test_default_volume_and_speed() -> None:
    spec = DemoSpec(end_date=END)  # 12 tenants x 30 days
    events = list(iter_events(spec))
    per_tenant_day = len(events) / (spec.tenants * spec.days)
    assert 20 <= per_tenant_day <= 30
    originals = [e for e in events if not e.is_duplicate]
    assert len({e.uuid for e in originals}) == len(originals)


def test_spec_validation() -> None:
    with pytest.raises(ValueError):
        DemoSpec(tenants=0, end_date=END)
    with pytest.raises(ValueError):
        DemoSpec(days=0, end_date=END)
    with pytest.raises(TypeError):
        DemoSpec(end_date=datetime(2026, 3, 31))  # type: ignore[arg-type]


# --- coverage of the operational contract ----------------------------------------------


def _enumerations() -> dict[tuple[str, str], set[str]]:
    """Every ``CHECK (column IN (...))`` of app_schema.sql, per (table, column)."""
    found: dict[tuple[str, str], set[str]] = {}
    for table, body in re.findall(
        r"CREATE TABLE IF NOT EXISTS app\.(\w+) \((.*?)\n\);", schema_sql(), re.S
    ):
        for column, values in re.findall(r"CHECK \((\w+) IN \(([^)]*)\)\)", body):
            found[table, column] = set(re.findall(r"'([^']*)'", values))
    return found


@pytest.mark.parametrize("seed", [7, 1, 2, 3])
def test_every_enumerated_app_value_appears(seed: int) -> None:
    rows = generate_operational(DemoSpec(seed=seed, tenants=8, days=3, end_date=END))
    enumerations = _enumerations()
    assert len(enumerations) >= 15  # the parser found the contract's CHECKs
    for (table, column), allowed in enumerations.items():
        position = APP_COLUMNS[table].index(column)
        seen = {row[position] for row in rows[table]}
        assert seen == allowed, (table, column, allowed - seen)


def test_operational_shapes_and_edge_cases(spec8: DemoSpec, rows8) -> None:
    for table in APP_TABLES:
        assert rows8[table], table
        assert all(len(r) == len(APP_COLUMNS[table]) for r in rows8[table]), table
    cols = {t: {c: i for i, c in enumerate(APP_COLUMNS[t])} for t in APP_TABLES}
    T = spec8.as_of
    tenants = rows8["tenants"]
    assert {r[0] for r in tenants} >= {"t_001", QUOTE_TENANT_ID}
    mrr = [r[cols["tenants"]["mrr"]] for r in tenants]
    assert None in mrr and Decimal("0.00") in mrr
    arabic = [r for r in tenants if r[cols["tenants"]["locale"]] == "ar"]
    assert len(arabic) == 2 and all(ARABIC.search(r[1]) for r in arabic)

    rec = rows8["executive_recipients"]
    c = cols["executive_recipients"]
    assert any(r[c["tenant_id"]] is None for r in rec)
    assert {r[c["mfa_verified"]] for r in rec} == {True, False}
    assert {r[c["active"]] for r in rec} == {True, False}
    by_tenant = Counter(r[c["tenant_id"]] for r in rec if r[c["active"]])
    for t in tenants:
        roles = {r[c["role"]] for r in rec if r[c["tenant_id"]] == t[0]}
        assert roles == {"ceo", "cfo", "coo", "cto", "executive_assistant"}
        assert by_tenant[t[0]] >= 5
    arabic_ids = {r[0] for r in arabic}
    assert all(ARABIC.search(r[c["full_name"]]) for r in rec if r[c["tenant_id"]] in arabic_ids)
    assert all(r[c["email"]].isascii() and "@" in r[c["email"]] for r in rec)

    d = cols["deals"]
    deals = rows8["deals"]
    assert all(r[d["value"]] == r[d["value"]].quantize(Decimal("0.01")) for r in deals)
    assert {r[d["currency"]] for r in deals} == {"SAR", "USD"}
    closed = [r for r in deals if r[d["status"]] in ("won", "lost")]
    assert all(
        r[d["closed_at"]] is not None and r[d["created_at"]] < r[d["closed_at"]] < T for r in closed
    )
    assert all(
        r[d["closed_at"]] is None for r in deals if r[d["status"]] in ("open", "negotiating")
    )
    oldest = min(r[d["closed_at"]] for r in closed)
    assert T - timedelta(days=121) < oldest < T - timedelta(days=80)
    assert any(r[d["created_at"]] >= T for r in deals)  # created after as-of

    a = cols["approval_requests"]
    pending = [
        r
        for r in rows8["approval_requests"]
        if r[a["status"]] == "pending" and r[a["created_at"]] < T
    ]
    deadlines = [r[a["sla_deadline_at"]] for r in pending]
    assert any(x < T for x in deadlines)  # overdue
    assert any(T <= x < T + timedelta(hours=4) for x in deadlines)  # SLA warning
    assert any(x >= T + timedelta(hours=4) for x in deadlines)
    assert {r[a["escalation_level"]] for r in rows8["approval_requests"]} >= {0, 1, 2}
    assert all(r[a["created_at"]] < r[a["sla_deadline_at"]] for r in rows8["approval_requests"])

    s = cols["integration_sync_states"]
    per_tenant = Counter(r[s["tenant_id"]] for r in rows8["integration_sync_states"])
    assert set(per_tenant.values()) == {5}
    assert all(
        (r[s["last_error"]] is None) == (r[s["status"]] == "healthy")
        for r in rows8["integration_sync_states"]
    )

    ctl = rows8["compliance_controls"]
    assert any(r[1].startswith("PDPL-C") for r in ctl) and any(
        r[1].startswith("NCA-ECC-") for r in ctl
    )
    assert all((r[4] is None) == (r[3] == "not_assessed") for r in ctl)

    k = cols["consents"]
    history: dict[tuple[str, str], list[tuple[datetime, bool]]] = {}
    for r in rows8["consents"]:
        history.setdefault((r[k["subject_id"]], r[k["purpose"]]), []).append(
            (r[k["recorded_at"]], r[k["granted"]])
        )
    withdrawals = [
        h
        for h in history.values()
        if any(g1 and not g2 for (t1, g1), (t2, g2) in zip(sorted(h), sorted(h)[1:], strict=False))
    ]
    assert len(withdrawals) >= spec8.tenants

    u = cols["infra_usage"]
    usage = rows8["infra_usage"]
    assert {r[u["provider"]] for r in usage} >= {"aws", "twilio", "meta", "sendgrid"}
    assert all(r[u["units"]] > 0 and r[u["unit_cost_estimate"]] > 0 for r in usage)
    keys = [r[0] for r in usage]
    assert len(keys) == len(set(keys))


# --- events ----------------------------------------------------------------------------

_STRING_PROPS = {
    "message_id",
    "channel",
    "bounce_type",
    "otp_id",
    "invoice_id",
    "currency",
    "failure_code",
    "endpoint",
}
_REQUIRED = {
    "message_sent": {"message_id", "channel"},
    "message_delivered": {"message_id", "channel"},
    "message_complaint": {"message_id", "channel"},
    "message_bounced": {"message_id", "channel", "bounce_type"},
    "otp_sent": {"otp_id", "channel"},
    "otp_verified": {"otp_id", "channel"},
    "payment_succeeded": {"invoice_id", "amount", "currency"},
    "payment_failed": {"invoice_id", "amount", "currency", "failure_code"},
    "api_request": {"endpoint", "status_code", "latency_ms"},
    "user_signed_in": set(),
    "$pageview": set(),
}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def test_valid_events_follow_the_catalogue(spec8: DemoSpec, events8) -> None:
    valid = [e for e in events8 if not e.is_malformed]
    kinds = Counter(e.event for e in valid)
    assert set(CATALOGUE_EVENTS) <= set(kinds)
    tenants = {tenant_profile(spec8, i).tenant_id for i in range(spec8.tenants)}
    for e in valid:
        assert e.tenant in tenants
        assert isinstance(e.timestamp, datetime) and e.timestamp.tzinfo is UTC
        assert spec8.as_of - timedelta(days=spec8.days) <= e.timestamp < spec8.as_of
        if e.event not in _REQUIRED:
            continue
        props = e.properties
        assert _REQUIRED[e.event] <= set(props), e
        for key in _STRING_PROPS & set(props):
            assert isinstance(props[key], str), (key, e)
        if "channel" in props:
            assert props["channel"] in ("email", "sms", "whatsapp")
        if e.event == "message_bounced":
            assert props["bounce_type"] in ("hard", "soft")
        if e.event.startswith("payment_"):
            assert _is_number(props["amount"]) and props["amount"] > 0
        if e.event == "api_request":
            assert type(props["status_code"]) is int
            assert _is_number(props["latency_ms"])
    channels = Counter(e.properties["channel"] for e in valid if e.event == "message_sent")
    assert set(channels) == {"email", "sms", "whatsapp"}
    bounce_types = {e.properties["bounce_type"] for e in valid if e.event == "message_bounced"}
    assert bounce_types == {"hard", "soft"}
    latencies = [e.properties["latency_ms"] for e in valid if e.event == "api_request"]
    assert any(isinstance(x, int) for x in latencies) and any(
        isinstance(x, float) for x in latencies
    )


def test_payment_histories(events8) -> None:
    by_invoice: dict[str, list[str]] = {}
    for e in sorted(
        (
            e
            for e in events8
            if e.event.startswith("payment_") and not e.is_malformed and not e.is_duplicate
        ),
        key=lambda e: e.timestamp,
    ):
        by_invoice.setdefault(e.properties["invoice_id"], []).append(e.event)
    histories = Counter(tuple(h) for h in by_invoice.values())
    assert histories[("payment_succeeded",)] > 0
    assert histories[("payment_failed", "payment_succeeded")] > 0  # failed, then paid
    assert histories[("payment_failed", "payment_failed", "payment_succeeded")] > 0
    assert histories[("payment_failed", "payment_failed")] > 0  # failed twice, still unpaid
    assert histories[("payment_failed",)] > 0


def test_deliberate_mess_is_present_and_flagged(spec8: DemoSpec, events8) -> None:
    tenants = {tenant_profile(spec8, i).tenant_id for i in range(spec8.tenants)}
    malformed = [e for e in events8 if e.is_malformed]
    assert {e.quarantine_reason for e in malformed} == set(QUARANTINE_REASONS)
    for e in malformed:
        reason = e.quarantine_reason
        props = e.properties
        if reason == "missing_tenant":
            assert e.tenant is None
        elif reason == "unknown_tenant":
            assert e.tenant is not None and e.tenant not in tenants
        else:
            assert e.tenant in tenants
        if reason == "unparseable_timestamp":
            assert isinstance(e.timestamp, str)
            with pytest.raises(ValueError):
                datetime.fromisoformat(e.timestamp)
        else:
            assert isinstance(e.timestamp, datetime)
        if reason == "wrong_type:amount":
            assert isinstance(props["amount"], str) and float(props["amount"]) > 0
        if reason == "wrong_type:status_code":
            assert type(props["status_code"]) is not int
        if reason == "wrong_type:latency_ms":
            assert isinstance(props["latency_ms"], str)
        if reason == "wrong_type:message_id":
            assert isinstance(props["message_id"], int)
        if reason == "wrong_type:otp_id":
            assert "otp_id" not in props
    bad_codes = [
        e.properties["status_code"]
        for e in malformed
        if e.quarantine_reason == "wrong_type:status_code"
    ]
    assert any(isinstance(x, str) for x in bad_codes) and any(
        isinstance(x, float) for x in bad_codes
    )

    duplicates = [e for e in events8 if e.is_duplicate]
    assert duplicates
    originals = {e.uuid: e for e in events8 if not e.is_duplicate}
    for dup in duplicates:
        original = originals[dup.uuid]
        assert (
            original.event,
            original.distinct_id,
            original.tenant,
            original.timestamp,
            original.properties,
            original.wave,
        ) == (dup.event, dup.distinct_id, dup.tenant, dup.timestamp, dup.properties, dup.wave)

    late = [e for e in events8 if e.wave == "late"]
    assert late
    for e in late:
        assert isinstance(e.timestamp, datetime)
        assert 1 <= (spec8.end_date - e.timestamp.date()).days <= 20

    assert any(e.tenant == QUOTE_TENANT_ID for e in events8)
    assert any(
        ARABIC.search(json.dumps(e.properties, ensure_ascii=False))
        for e in events8
        if e.event == "api_request"
    )
    assert any(ARABIC.search(str(e.properties.get("currency_label", ""))) for e in events8)


def test_mess_is_present_at_the_smallest_scale() -> None:
    events = list(iter_events(DemoSpec(tenants=1, days=2, end_date=END)))
    reasons = {e.quarantine_reason for e in events if e.is_malformed}
    assert reasons == set(QUARANTINE_REASONS)
    assert any(e.is_duplicate for e in events)
    assert any(e.wave == "late" for e in events)


def test_summary_rows(spec8: DemoSpec, rows8, events8) -> None:
    tally = tally_events(events8)
    rows = summary_rows(spec8, row_counts={t: len(r) for t, r in rows8.items()}, tally=tally)
    table = {(r.section, r.item): r.count for r in rows}
    assert table["tenants by locale", "ar"] == 2
    assert table["app table rows", "deals"] == len(rows8["deals"])
    assert table["events", "deliveries (all of the above)"] == len(events8)
    assert table["events", "duplicate deliveries"] == sum(e.is_duplicate for e in events8)
    assert table["events", "late (arrive after the on-time wave)"] == sum(
        e.wave == "late" and not e.is_duplicate for e in events8
    )
    for reason in QUARANTINE_REASONS:
        assert table["malformed by reason", reason] >= 1
    for dimension in ("revenue_protection", "deliverability", "cost_optimization", "operational"):
        for level in ("ok", "watch", "at_risk", "unknown"):
            assert table[f"target {dimension} status", level] == 2
