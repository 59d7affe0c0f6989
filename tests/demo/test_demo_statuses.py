"""The demo makes every executive status take every value at end_date.

The four statuses are computed here straight from PRODUCT.md's definitions, on the
generated rows and events (a plain Python reading, independent of the pipeline and of the
generator's internals), and must match each tenant's target with a clear margin.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from boardroom.demo import (
    APP_COLUMNS,
    DIMENSIONS,
    LEVELS,
    DemoEvent,
    DemoSpec,
    generate_operational,
    iter_events,
    tenant_profile,
)

END = date(2026, 3, 31)


def _level(value: float | None, watch: float, at_risk: float) -> str:
    if value is None:
        return "unknown"
    return "at_risk" if value >= at_risk else "watch" if value >= watch else "ok"


def _near(value: float, threshold: float, margin: float = 0.1) -> bool:
    return abs(value - threshold) < margin * threshold


def compute_statuses(spec: DemoSpec) -> dict[str, dict[str, str]]:
    """{tenant_id: {dimension: level}} at as-of day D = end_date, per PRODUCT.md."""
    D = spec.end_date
    T = datetime.combine(D + timedelta(days=1), datetime.min.time(), UTC)

    def since(k: int) -> datetime:  # start of window [D-k, D]
        return T - timedelta(days=k + 1)

    rows = generate_operational(spec)
    col = {t: {c: i for i, c in enumerate(cs)} for t, cs in APP_COLUMNS.items()}
    tenants = {r[0]: r for r in rows["tenants"]}

    # One event per uuid, first received wins; quarantined events count nowhere.
    seen: set[str] = set()
    events: dict[str, list[DemoEvent]] = {t: [] for t in tenants}
    for e in iter_events(spec):
        if e.uuid in seen:
            continue
        seen.add(e.uuid)
        if e.quarantine_reason is None and e.tenant in tenants:
            events[e.tenant].append(e)

    result: dict[str, dict[str, str]] = {}
    for tid, tenant in tenants.items():
        evs = events[tid]
        w7 = [e for e in evs if since(6) <= e.timestamp < T]
        w30 = [e for e in evs if since(29) <= e.timestamp < T]

        # revenue protection
        collected = sum(
            Decimal(str(e.properties["amount"])) for e in w30 if e.event == "payment_succeeded"
        )
        cured = {
            e.properties["invoice_id"]
            for e in evs
            if e.event == "payment_succeeded" and e.timestamp < T
        }
        latest: dict[str, DemoEvent] = {}
        for e in sorted(
            (e for e in w30 if e.event == "payment_failed"), key=lambda e: (e.timestamp, e.uuid)
        ):
            latest[e.properties["invoice_id"]] = e
        risk = sum(
            Decimal(str(e.properties["amount"])) for inv, e in latest.items() if inv not in cured
        )
        denominator = collected + risk
        r = float(risk / denominator) if denominator else None
        assert r is None or r == 0 or not (_near(r, 0.02) or _near(r, 0.05)), (tid, r)
        revenue = _level(r, 0.02, 0.05)

        # deliverability
        kinds = Counter(e.event for e in w7)
        sent = kinds["message_sent"]
        if sent:
            bounce = kinds["message_bounced"] / sent
            complaint = kinds["message_complaint"] / sent
            assert not (_near(bounce, 0.02) or _near(bounce, 0.05)), (tid, bounce)
            rank = max(
                LEVELS.index(_level(bounce, 0.02, 0.05)),
                LEVELS.index(_level(complaint, 0.001, 0.003)),
            )
            deliverability = LEVELS[rank]
        else:
            deliverability = "unknown"

        # cost optimisation
        mrr = tenant[col["tenants"]["mrr"]]
        u = col["infra_usage"]
        usage = [
            r
            for r in rows["infra_usage"]
            if r[u["tenant_id"]] == tid and D - timedelta(days=29) <= r[u["usage_date"]] <= D
        ]
        if mrr is None or mrr <= 0 or not usage:
            cost = "unknown"
        else:
            c = float(sum(r[u["units"]] * r[u["unit_cost_estimate"]] for r in usage) / mrr)
            assert not (_near(c, 0.15) or _near(c, 0.30)), (tid, c)
            cost = _level(c, 0.15, 0.30)

        # operational health
        s = col["integration_sync_states"]
        connectors = [
            r[s["status"]] for r in rows["integration_sync_states"] if r[s["tenant_id"]] == tid
        ]
        api = [e for e in w7 if e.event == "api_request"]
        if not api and not connectors:
            operational = "unknown"
        else:
            error_rate = (
                sum(e.properties["status_code"] >= 500 for e in api) / len(api) if api else None
            )
            if error_rate:
                assert not (_near(error_rate, 0.005) or _near(error_rate, 0.02)), error_rate
            operational = "ok"
            if (error_rate is not None and error_rate >= 0.005) or "degraded" in connectors:
                operational = "watch"
            if (error_rate is not None and error_rate >= 0.02) or {"failing", "disconnected"} & set(
                connectors
            ):
                operational = "at_risk"

        result[tid] = {
            "revenue_protection": revenue,
            "deliverability": deliverability,
            "cost_optimization": cost,
            "operational": operational,
        }
    return result


@pytest.mark.parametrize(
    "spec",
    [
        DemoSpec(seed=7, tenants=8, days=30, end_date=END),
        DemoSpec(seed=11, tenants=12, days=45, end_date=date(2025, 12, 31)),
        DemoSpec(seed=3, tenants=9, days=10, end_date=date(2026, 2, 28)),
    ],
    ids=lambda s: f"seed{s.seed}-{s.tenants}x{s.days}",
)
def test_every_status_takes_every_value(spec: DemoSpec) -> None:
    statuses = compute_statuses(spec)
    for dimension in DIMENSIONS:
        assert {s[dimension] for s in statuses.values()} == set(LEVELS), dimension
    for index in range(spec.tenants):
        profile = tenant_profile(spec, index)
        assert statuses[profile.tenant_id] == dict(profile.targets), profile.tenant_id
