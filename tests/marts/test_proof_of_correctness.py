"""Proof of correctness of the marts: every figure against an independent pandas computation.

Two scenarios, each generated into a real ``app`` database and the real PostHog stand-in
(through the ``posthog`` SDK), ingested (extraction, event pull with dedup and quarantine) and
built by one ``dbt build``:

* ``demo``: the session's demo warehouse (``TEST_SPEC``: 8 tenants x 21 days ending
  2026-03-31, seed 11), compared from a private copy;
* ``edge``: another seed (4 tenants x 8 days ending 2026-03-03, so windows cross a month
  boundary) plus planted edge cases (``edge_events``, ``edge_app_rows``): a tenant created
  mid-window with activity before its creation, a channel outside email/sms/whatsapp, events
  and rows stamped exactly at T and at a window's first instant, two failures of one invoice
  at the same instant, a payment exactly at T, status codes 499 and 500, SLA deadlines
  exactly at T and T + 4 h, a consent withdrawal, an event after the last as-of day.

``reference_metrics`` recomputes each mart from the sources alone (``app.*`` and the events
ingestion loaded) following PRODUCT.md, and every cell of every row is compared at the mart's
grain (missing and extra rows included): money, counts, flags, ids, timestamps and statuses
exactly (``Decimal`` equality, to the cent and beyond), ratios, percentiles and hours to 1e-9
relative, nulls on both sides. The loaded events are also checked against the generator's
valid events, so the events the reference reads are those PRODUCT.md says count.

Which as-of days are comparable:

* Event-derived figures (PostHog windows) and timestamp-derived figures of the operational
  database (revenue_won_30d and win_rate_90d by ``closed_at``, infra cost by ``usage_date``)
  have one value per day whatever the snapshot history: every built day is compared.
* State figures (pipeline, approvals, connectors, controls, consents, contradictions, strategic
  deals, evidence packs, the tenant's plan, mrr and status). PRODUCT.md reads ``app`` "as it
  is", leaving out rows created at or after T, and never reconstructs state. The warehouse holds
  one extraction and one snapshot, taken after the last as-of day; dbt promises (dbt_project
  README, "State metrics") that before the first snapshot a row reads as first captured, i.e.
  as it is. So on every built day the figure both sides must give is the app as it is, minus
  rows created at or after that day's T: every day is compared for state figures too. Only on
  a scenario's last day is that also the true state of the day; earlier days are the
  documented backfill reading, which the test pins down rather than skips.
* ``data_as_of`` is least(T, event watermark, latest extraction): T on every day here.

Thresholds and approximation flags come from PRODUCT.md (``reference_metrics``); the seeds
``status_thresholds.csv`` and ``metric_catalog.csv`` are checked against them separately.
"""

from __future__ import annotations

import csv
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pytest
from posthog.request import batch_post
from psycopg import sql

from boardroom.dbt.runner import build_marts
from boardroom.demo import (
    APP_COLUMNS,
    DemoEvent,
    DemoSpec,
    iter_events,
    load_operational,
    send_events,
)
from boardroom.demo.send_events import build_message, sdk_envelope
from boardroom.ingest.app_tables import extract_app_tables
from boardroom.ingest.events import ingest_events
from boardroom.ingest.posthog_query import PostHogQueryClient
from boardroom.paths import DBT_PROJECT_DIR
from boardroom.posthog_local import PostHogLocal
from boardroom.sources.app_db import create_app_schema
from tests.marts import reference_metrics as ref

SEEDS = DBT_PROJECT_DIR / "seeds"
REL_TOLERANCE = Fraction(1, 10**9)
#: Audit columns that are not figures.
NOT_FIGURES = frozenset({"_built_at", "published_at"})
MARTS = tuple(ref.GRAINS)


@dataclass
class Comparison:
    """The outcome of comparing one mart with its reference."""

    mart: str
    rows: int = 0
    cells: int = 0
    null_cells: int = 0
    mismatches: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Proof:
    """One scenario: reference and built marts with the comparison of each."""

    scenario: str
    tenants: int
    generated_events: set[tuple[str, str, str | None, datetime]]
    sources: ref.Sources
    expected: dict[str, pd.DataFrame]
    actual: dict[str, pd.DataFrame]
    comparisons: dict[str, Comparison]
    days: tuple[date, ...]
    seconds: float


def _read_mart(cur: psycopg.Cursor[Any], mart: str) -> pd.DataFrame:
    cur.execute(sql.SQL("SELECT * FROM audit.{}").format(sql.Identifier(mart)))
    columns = [c.name for c in cur.description or ()]
    return pd.DataFrame(cur.fetchall(), columns=columns, dtype=object)


def _flag(column: str, mart: str) -> tuple[str, str] | None:
    """(figure, 'flag' | 'label') for an approximation column, None for any other column."""
    if column in ("is_approximate", "approximation_label"):
        return mart, "flag" if column == "is_approximate" else "label"
    for suffix, kind in (("_is_approximate", "flag"), ("_label", "label")):
        if column.endswith(suffix):
            return column.removesuffix(suffix), kind
    return None


_ROW_LABELS = {
    "deliverability_health": ref.EVENTS_LABEL,
    "deliverability_by_channel": ref.EVENTS_LABEL,
    "cost_optimization_by_service": ref.COST_LABEL,
}


def _expected_flag(figure: str, kind: str) -> Any:
    if figure in _ROW_LABELS:
        return True if kind == "flag" else _ROW_LABELS[figure]
    if kind == "flag":
        return ref.is_approximate(figure)
    return ref.approximation_label(figure)


def _same(expected: Any, actual: Any) -> bool:
    """Exact equality, except for exact quotients (Fraction): 1e-9 relative."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, Fraction):
        if not isinstance(actual, int | Decimal | float):
            return False
        got = Fraction(actual)
        return abs(got - expected) <= REL_TOLERANCE * max(abs(expected), abs(got))
    if isinstance(expected, Decimal | int):
        return isinstance(actual, Decimal | int) and Decimal(expected) == Decimal(actual)
    if isinstance(expected, datetime):
        return isinstance(actual, datetime) and expected == actual
    return type(expected) is type(actual) and expected == actual


def _show(value: Any) -> str:
    if isinstance(value, Fraction):
        return f"{float(value)!r} (= {value})"
    return repr(value)


def compare_mart(mart: str, expected: pd.DataFrame, actual: pd.DataFrame) -> Comparison:
    """Every cell of ``expected`` against the built mart, at the mart's grain."""
    keys = list(ref.GRAINS[mart])
    result = Comparison(mart)
    exp_rows = {tuple(r[k] for k in keys): r for r in expected.to_dict("records")}
    act_rows = {tuple(r[k] for k in keys): r for r in actual.to_dict("records")}
    if len(act_rows) != len(actual):
        result.mismatches.append(f"{mart}: duplicate keys at the grain {keys}")

    def where(key: tuple) -> str:
        return " ".join(f"{k}={v!s}" for k, v in zip(keys, key, strict=True))

    for key in sorted(exp_rows.keys() - act_rows.keys(), key=str):
        result.mismatches.append(f"{mart} {where(key)}: row missing from the mart")
    for key in sorted(act_rows.keys() - exp_rows.keys(), key=str):
        result.mismatches.append(f"{mart} {where(key)}: unexpected row in the mart")
    figures = [c for c in expected.columns if c not in keys]
    flags = {}
    for column in actual.columns:
        if column in keys or column in NOT_FIGURES or column in figures:
            continue
        flag = _flag(column, mart)
        if flag is None:
            result.mismatches.append(f"{mart}: column {column} has no reference figure")
        else:
            flags[column] = flag
    for column in figures:
        if column not in actual.columns:
            result.mismatches.append(f"{mart}: column {column} is missing from the mart")
    for key in sorted(exp_rows.keys() & act_rows.keys(), key=str):
        want, got = exp_rows[key], act_rows[key]
        result.rows += 1
        checks = [(c, want[c]) for c in figures if c in got]
        checks += [(c, _expected_flag(*flags[c])) for c in flags]
        for column, expected_value in checks:
            result.cells += 1
            result.null_cells += expected_value is None
            if not _same(expected_value, got[column]):
                result.mismatches.append(
                    f"{mart} {where(key)} column={column}: expected {_show(expected_value)},"
                    f" actual {_show(got[column])}"
                )
    return result


#: The second scenario: another seed, 4 tenants over 8 days across a month boundary.
EDGE_SPEC = DemoSpec(seed=23, tenants=4, days=8, end_date=date(2026, 3, 3))
EDGE_TENANT = "t_edge_new"


def _at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, dtime(hour, minute), tzinfo=UTC)


def edge_events(spec: DemoSpec) -> tuple[DemoEvent, ...]:
    """The edge tenant's events around X = end_date - 2 (T_X = X+1 00:00 UTC)."""
    x = spec.end_date - timedelta(days=2)
    t_x = _at(x + timedelta(days=1))
    a = EDGE_TENANT
    billing, messaging = f"svc_billing_{a}", f"svc_messaging_{a}"

    def ev(n: int, name: str, who: str, tenant: str, ts: datetime, **props: Any) -> DemoEvent:
        return DemoEvent(name, who, tenant, ts, f"e0000000-0000-4000-8000-{n:012d}", props)

    def pay(invoice: str, amount: str, failure: str | None = None) -> dict[str, Any]:
        props: dict[str, Any] = {"invoice_id": invoice, "amount": float(amount), "currency": "USD"}
        if failure:
            props["failure_code"] = failure
        return props

    return (
        # A channel outside email / sms / whatsapp: the 'other' row.
        ev(1, "message_sent", messaging, a, _at(x, 10), message_id="m_e1", channel="push"),
        ev(2, "message_delivered", messaging, a, _at(x, 10, 1), message_id="m_e1", channel="push"),
        # Stamped exactly at T_X (day X+1) and exactly at X-6 00:00 (first instant of X's week).
        ev(3, "message_sent", messaging, a, t_x, message_id="m_e3", channel="email"),
        ev(4, "message_sent", messaging, a, _at(x - timedelta(days=6)), message_id="m_e4",
           channel="sms"),
        # Two failures of one invoice at the same instant: the later uuid gives the amount.
        ev(5, "payment_failed", billing, a, _at(x, 9),
           **pay("inv_e_tie", "200.20", "expired_card")),
        ev(6, "payment_failed", billing, a, _at(x, 9),
           **pay("inv_e_tie", "100.10", "card_declined")),
        # Paid exactly at T_X: at risk on X, cured (and collected) from X+1.
        ev(7, "payment_failed", billing, a, _at(x, 8),
           **pay("inv_e_at_t", "300.00", "card_declined")),
        ev(8, "payment_succeeded", billing, a, t_x, **pay("inv_e_at_t", "300.00")),
        # Failed exactly at X-29 00:00: in X's 30-day window, out of X+1's.
        ev(9, "payment_failed", billing, a, _at(x - timedelta(days=29)),
           **pay("inv_e_old", "50.00", "insufficient_funds")),
        # status_code 500 is an error, 499 is not; an integer latency.
        ev(10, "api_request", f"apikey_{a}_1", a, _at(x, 12), endpoint="/v1/edge", status_code=500,
           latency_ms=1000),
        ev(11, "api_request", f"apikey_{a}_1", a, _at(x, 12, 5), endpoint="/v1/edge",
           status_code=499, latency_ms=10.5),
        # Activity before the tenant's creation, then an API request.
        ev(12, "user_signed_in", f"usr_{a}_001", a, _at(x - timedelta(days=2), 10)),
        ev(13, "user_signed_in", f"usr_{a}_002", a, _at(x + timedelta(days=1), 9)),
        ev(14, "api_request", f"apikey_{a}_1", a, _at(x + timedelta(days=1), 9, 5),
           endpoint="/v1/edge", status_code=200, latency_ms=42),
        # After the last as-of day: counts nowhere.
        ev(15, "message_sent", messaging, a, _at(spec.end_date + timedelta(days=1), 1),
           message_id="m_e15", channel="email"),
    )  # fmt: skip


def edge_app_rows(spec: DemoSpec) -> dict[str, list[tuple]]:
    """The edge tenant, created mid-window (X-1 12:00), and its rows: some created exactly at
    T_X, SLA deadlines exactly at T_X and T_X + 4 h, a consent withdrawal, a deal won at X-29."""
    x = spec.end_date - timedelta(days=2)
    t_x = _at(x + timedelta(days=1))
    a = EDGE_TENANT
    created = _at(x - timedelta(days=1), 12)
    old = _at(x - timedelta(days=40))
    usd = "USD"
    return {
        "tenants": [
            (a, "Edge Case Trading", "growth", Decimal("1000.00"), "en", "Europe/London",
             "active", created, created),
        ],
        "deals": [
            ("deal_e_at_t", a, "Created at T", Decimal("1000.00"), usd, "open", t_x, None, t_x),
            ("deal_e_won_edge", a, "Won at X-29", Decimal("2500.00"), usd, "won", old,
             _at(x - timedelta(days=29)), old),
            ("deal_e_lost", a, "Lost", Decimal("400.00"), usd, "lost", created, _at(x, 15),
             _at(x, 15)),
            ("deal_e_nego", a, "Negotiating", Decimal("777.77"), usd, "negotiating", created,
             None, created),
        ],
        "approval_requests": [
            ("apr_e_warn_edge", a, "billing", "normal", "pending", old,
             t_x + timedelta(hours=4), None, 0, old),
            ("apr_e_due_at_t", a, "deal", "high", "pending", old, t_x, None, 1, old),
            ("apr_e_new", a, "message", "low", "pending", created + timedelta(hours=1),
             created + timedelta(hours=169), None, 0, created),
        ],
        "compliance_controls": [
            (a, "PDPL-C01", "PDPL", "passing", created, created),
            (a, "NCA-ECC-1-1", "NCA-ECC", "not_assessed", None, created),
        ],
        "consents": [
            ("cons_e_1", a, "s1", "marketing", True, created, created),
            ("cons_e_2", a, "s1", "marketing", False, _at(x, 12), _at(x, 12)),
            ("cons_e_3", a, "s2", "analytics", True, created, created),
            ("cons_e_4", a, "s2", "marketing", False, created, created),
            ("cons_e_5", a, "s3", "marketing", True, t_x, t_x),
        ],
        "contradictions": [
            ("ctr_e_1", a, "high", "detected", t_x, t_x),
            ("ctr_e_2", a, "low", "resolved", created, created),
        ],
        "strategic_deals": [("sdeal_e_1", a, "active", created)],
        "evidence_packs": [("evp_e_1", a, "ready", created)],
        "infra_usage": [
            (f"use_e_{d:%m%d}", a, "gcp", "cloud_run", d, Decimal("1234.567"),
             Decimal("0.00042"), _at(d + timedelta(days=1), 1))
            for d in (x - timedelta(days=1), x)
        ],
    }  # fmt: skip


def build_edge_warehouse(admin_url: str, work_dir: Path, name: str) -> tuple[str, str]:
    """Generate EDGE_SPEC plus the edge rows and events, ingest both, build the marts."""
    from tests.support.demo_warehouse import (
        PERSONAL_KEY,
        PROJECT_ID,
        PROJECT_KEY,
        create_database,
    )

    spec = EDGE_SPEC
    app_url = create_database(admin_url, f"{name}_app")
    warehouse_url = create_database(admin_url, name)
    with psycopg.connect(app_url) as conn:
        create_app_schema(conn)
        load_operational(conn, spec)
        for table, rows in edge_app_rows(spec).items():
            columns = APP_COLUMNS[table]
            statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                sql.Identifier("app", table),
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.SQL(", ").join(sql.Placeholder() * len(columns)),
            )
            conn.cursor().executemany(statement, rows)
    with PostHogLocal(
        work_dir / "posthog",
        project_id=PROJECT_ID,
        project_api_key=PROJECT_KEY,
        personal_api_key=PERSONAL_KEY,
    ) as server:
        send_events(spec, server.url, PROJECT_KEY, progress=False)
        envelope = sdk_envelope()
        batch = [build_message(e, envelope) for e in edge_events(spec)]
        batch_post(PROJECT_KEY, server.url, timeout=30, batch=batch)
        extract_app_tables(app_url, warehouse_url)
        with PostHogQueryClient(server.url, PROJECT_ID, PERSONAL_KEY) as client:
            ingest_events(client, warehouse_url, spec.start_date, spec.end_date + timedelta(days=1))
    build_marts(
        warehouse_url, spec.start_date, spec.end_date, unit_tests=False, work_dir=work_dir / "dbt"
    )
    return app_url, warehouse_url


def _prove(
    scenario: str,
    spec: DemoSpec,
    app_url: str,
    warehouse_url: str,
    extra_events: tuple[DemoEvent, ...] = (),
) -> Proof:
    started = time.perf_counter()
    days = tuple(spec.dates)
    sources = ref.read_sources(app_url, warehouse_url)
    expected = ref.reference_marts(sources, days)
    with psycopg.connect(warehouse_url) as conn, conn.cursor() as cur:
        actual = {mart: _read_mart(cur, mart) for mart in MARTS}
    comparisons = {m: compare_mart(m, expected[m], actual[m]) for m in MARTS}
    generated = {
        (e.uuid, e.event, e.tenant, e.timestamp)
        for e in (*iter_events(spec), *extra_events)
        if not e.is_malformed and isinstance(e.timestamp, datetime)
    }
    return Proof(
        scenario,
        len(sources.app["tenants"]),
        generated,
        sources,
        expected,
        actual,
        comparisons,
        days,
        time.perf_counter() - started,
    )


@pytest.fixture(scope="module")
def demo_proof(demo_warehouse) -> Iterator[Proof]:
    """The session's demo warehouse (from a private copy) against the reference."""
    from tests.support.demo_warehouse import create_database, drop_database

    name = f"proof_{uuid.uuid4().hex[:10]}"
    url = create_database(demo_warehouse.admin_url, name, template=demo_warehouse.template)
    try:
        yield _prove("demo", demo_warehouse.spec, demo_warehouse.app_url, url)
    finally:
        drop_database(demo_warehouse.admin_url, name)


@pytest.fixture(scope="module")
def edge_proof(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proof]:
    """A second, differently seeded demo with PRODUCT.md's edge cases planted in both sources."""
    from tests.support.demo_warehouse import drop_database

    name = f"proof_edge_{uuid.uuid4().hex[:8]}"
    try:
        app_url, warehouse_url = build_edge_warehouse(
            pg_admin_url, tmp_path_factory.mktemp("edge"), name
        )
        yield _prove("edge", EDGE_SPEC, app_url, warehouse_url, edge_events(EDGE_SPEC))
    finally:
        drop_database(pg_admin_url, name)
        drop_database(pg_admin_url, f"{name}_app")


@pytest.fixture(params=["demo", "edge"])
def proof(request: pytest.FixtureRequest) -> Proof:
    """Each scenario in turn."""
    return request.getfixturevalue(f"{request.param}_proof")


def test_thresholds_seed_matches_product_md() -> None:
    """status_thresholds.csv holds exactly PRODUCT.md's rules, in PRODUCT.md's order."""
    with (SEEDS / "status_thresholds.csv").open(newline="") as handle:
        rows = sorted(
            csv.DictReader(handle), key=lambda r: (r["status_name"], int(r["rule_order"]))
        )
    seeded: dict[str, list[tuple[str, str, Fraction]]] = {}
    for r in rows:
        rule = (r["level"], r["metric"], Fraction(r["threshold"]))
        seeded.setdefault(r["status_name"], []).append(rule)
    assert seeded == {k: list(v) for k, v in ref.STATUS_RULES.items()}


def test_metric_catalogue_flags_match_product_md() -> None:
    """The catalogue calls approximate exactly the PostHog, billing and cost figures."""
    with (SEEDS / "metric_catalog.csv").open(newline="") as handle:
        catalogue = list(csv.DictReader(handle))
    wrong = [
        (r["name"], r["is_approximate"], r["label"])
        for r in catalogue
        if (r["is_approximate"] == "true") != ref.is_approximate(r["name"])
        or (ref.is_approximate(r["name"]) and r["label"] != ref.approximation_label(r["name"]))
    ]
    assert wrong == []


def test_ingested_events_are_the_generated_valid_events(proof: Proof) -> None:
    """Ingestion kept every valid generated event once and nothing else (dedup, quarantine)."""
    events = proof.sources.events
    loaded = {
        (r.uuid, r.event, r.tenant_id, r.timestamp.to_pydatetime())
        for r in events.itertuples(index=False)
    }
    assert len(loaded) == len(events)
    assert loaded == proof.generated_events


@pytest.mark.parametrize("mart", MARTS)
def test_mart_matches_reference(proof: Proof, mart: str) -> None:
    """Every metric of every tenant and as-of day equals PRODUCT.md's computation."""
    comparison = proof.comparisons[mart]
    assert comparison.rows > 0, f"{mart}: no row compared"
    shown = "\n".join(comparison.mismatches[:40])
    more = len(comparison.mismatches) - 40
    assert not comparison.mismatches, (
        f"{len(comparison.mismatches)} mismatches in {mart}"
        f" ({comparison.cells} cells compared):\n{shown}"
        + (f"\n... and {more} more" if more > 0 else "")
    )


def test_comparison_covered_the_whole_scenario(proof: Proof) -> None:
    """The comparison reached every tenant, day, status level and null case of the scenario."""
    cells = sum(c.cells for c in proof.comparisons.values())
    nulls = sum(c.null_cells for c in proof.comparisons.values())
    overview = proof.actual["exec_overview"]
    tenants = proof.sources.app["tenants"]
    assert set(overview["tenant_id"]) == set(tenants["tenant_id"])
    assert set(overview["as_of_date"]) == set(proof.days)
    tenant_days = sum(
        int((tenants["created_at"] < pd.Timestamp(ref.as_of_time(d))).sum()) for d in proof.days
    )
    assert len(overview) == tenant_days
    for name in ref.STATUS_NAMES:
        assert set(overview[name]) == set(ref.LEVELS), name
    assert set(proof.actual["alerts"]["alert_kind"]) == {"status", "sla_breach"}
    assert set(proof.actual["alerts"]["severity"]) == {"critical", "warning"}
    assert nulls > 0
    assert cells > 1000 * proof.tenants, cells
    print(
        f"\n{proof.scenario}: {cells} cells compared ({nulls} null) over {proof.tenants} tenants"
        f" x {len(proof.days)} days; reference and comparison {proof.seconds:.1f} s"
    )
    for c in proof.comparisons.values():
        print(f"  {c.mart}: {c.rows} rows, {c.cells} cells")


def test_comparison_catches_a_cent_a_ratio_and_a_null(demo_proof: Proof) -> None:
    """The comparison is not vacuous: one cent, 1e-8 relative or a null is reported precisely."""
    proof = demo_proof
    actual = proof.actual["exec_overview"].copy()
    row = actual.index[(actual["revenue_protection_status"] == "watch")][0]
    tenant, day = actual.at[row, "tenant_id"], actual.at[row, "as_of_date"]
    actual.at[row, "revenue_won_30d"] += Decimal("0.01")
    actual.at[row, "revenue_at_risk_ratio_30d"] *= Decimal("1.00000001")
    actual.at[row, "messages_sent_7d"] = None
    result = compare_mart("exec_overview", proof.expected["exec_overview"], actual)
    where = f"exec_overview tenant_id={tenant} as_of_date={day}"
    assert [m.split(":")[0] for m in result.mismatches] == [
        f"{where} column=revenue_won_30d",
        f"{where} column=revenue_at_risk_ratio_30d",
        f"{where} column=messages_sent_7d",
    ]


def _d(text: str) -> Decimal:
    return Decimal(text)


_F = Fraction
_COST = _d("1234.567") * _d("0.00042")
#: The edge tenant's figures on X-1, X, X+1, X+2 (2026-02-28 .. 2026-03-03), worked out by
#: hand from ``edge_events`` and ``edge_app_rows`` with PRODUCT.md's definitions.
EDGE_BY_HAND: dict[str, dict[str, list[Any]]] = {
    "revenue_protection": {
        "revenue_won_30d": [_d("2500.00"), _d("2500.00"), 0, 0],
        "pipeline_value": [_d("777.77"), _d("777.77"), _d("1777.77"), _d("1777.77")],
        "open_deals": [1, 1, 2, 2],
        "win_rate_90d": [_F(1), _F(1, 2), _F(1, 2), _F(1, 2)],
        "payments_collected_30d": [0, 0, _d("300"), _d("300")],
        "revenue_at_risk_30d": [_d("50"), _d("450.10"), _d("100.10"), _d("100.10")],
        "invoices_at_risk_30d": [1, 3, 1, 1],
        "revenue_at_risk_ratio_30d": [_F(1), _F(1), _F(1001, 4001), _F(1001, 4001)],
        "revenue_protection_status": ["at_risk"] * 4,
    },
    "deliverability_health": {
        "messages_sent_7d": [1, 2, 2, 2],
        "messages_delivered_7d": [0, 1, 1, 1],
        "delivery_rate_7d": [_F(0), _F(1, 2), _F(1, 2), _F(1, 2)],
        "otp_verification_rate_7d": [None] * 4,
        "deliverability_status": ["ok"] * 4,
    },
    "ops_system_health": {
        "api_requests_7d": [0, 2, 3, 3],
        "api_errors_7d": [0, 1, 1, 1],
        "api_error_rate_7d": [None, _F(1, 2), _F(1, 3), _F(1, 3)],
        "api_p95_latency_ms_7d": [None, _F("950.525"), _F("904.2"), _F("904.2")],
        "active_users_7d": [1, 1, 2, 2],
        "active_users_30d": [1, 1, 2, 2],
        "connectors_total": [0] * 4,
        "operational_status": ["unknown", "at_risk", "at_risk", "at_risk"],
    },
    "executive_room_snapshot": {
        "pending_approvals": [3] * 4,
        "approvals_sla_warning": [0, 1, 2, 2],
        "approvals_overdue": [0, 0, 2, 2],
        "compliance_posture": [_F(1, 2)] * 4,
        "pdpl_consent_coverage": [_F(1), _F(1, 2), _F(2, 3), _F(2, 3)],
        "consent_subjects": [2, 2, 3, 3],
        "active_contradictions": [0, 0, 1, 1],
        "active_strategic_deals": [1] * 4,
        "evidence_packs_ready": [1] * 4,
    },
    "cost_optimization": {
        "est_infra_cost_mtd": [_COST] * 4,
        "est_infra_cost_30d": [_COST, 2 * _COST, 2 * _COST, 2 * _COST],
        "usage_rows_30d": [1, 2, 2, 2],
        "est_cost_per_1k_messages_7d": [_F(_COST * 1000)] * 4,
        "est_cost_to_mrr_ratio_30d": [_F(_COST / 1000)] + [_F(2 * _COST / 1000)] * 3,
        "cost_optimization_status": ["ok"] * 4,
    },
}


def test_edge_tenant_figures_by_hand(edge_proof: Proof) -> None:
    """The planted edges land where PRODUCT.md puts them, in the built marts."""
    days = [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    actual = edge_proof.actual
    wrong = []
    for mart, columns in EDGE_BY_HAND.items():
        rows = actual[mart][actual[mart]["tenant_id"] == EDGE_TENANT].set_index("as_of_date")
        assert sorted(rows.index) == days, mart
        for column, values in columns.items():
            for day, value in zip(days, values, strict=True):
                if not _same(value, rows.at[day, column]):
                    wrong.append((mart, column, day, value, rows.at[day, column]))
    channels = actual["deliverability_by_channel"]
    other = channels[(channels["tenant_id"] == EDGE_TENANT) & (channels["channel"] == "other")]
    assert sorted(other["as_of_date"]) == days[1:]
    assert set(other["messages_sent_7d"]) == {1}
    queue = actual["approval_queue"]
    on_x = queue[(queue["tenant_id"] == EDGE_TENANT) & (queue["as_of_date"] == days[1])]
    flags = {
        r.approval_id: (r.queue_rank, r.is_sla_warning, r.is_overdue, r.hours_to_sla_deadline)
        for r in on_x.itertuples()
    }
    assert flags == {
        "apr_e_due_at_t": (1, True, False, 0),
        "apr_e_warn_edge": (2, False, False, 4),
        "apr_e_new": (3, False, False, flags["apr_e_new"][3]),
    }
    alerts = actual["alerts"]
    breaches = alerts[(alerts["tenant_id"] == EDGE_TENANT) & (alerts["alert_kind"] == "sla_breach")]
    assert sorted(zip(breaches["as_of_date"], breaches["approval_id"], breaches["severity"],
                      breaches["value"], strict=True)) == [
        (days[2], "apr_e_due_at_t", "critical", 24),
        (days[2], "apr_e_warn_edge", "warning", 20),
        (days[3], "apr_e_due_at_t", "critical", 48),
        (days[3], "apr_e_warn_edge", "warning", 44),
    ]  # fmt: skip
    assert wrong == []
