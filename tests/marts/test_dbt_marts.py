"""The dbt project end to end on real Postgres: build, figures, incrementality, refresh.

A tiny hand-made warehouse (raw mirrors and PostHog events) goes through four dbt
invocations in one module-scoped database:

1. ``dbt build`` of the window 2025-03-08..2025-03-12 (seeds, snapshots, models, data and
   unit tests), then the figures are checked to the cent;
2. an incremental run of 2025-03-10 only: every other day is left untouched;
3. late data (an event stamped 03-09, loaded now; a deal won on 03-11, a new snapshot
   version) and a run of 03-12 with ``late_events_loaded_since``: the reached days are
   rebuilt, 03-08 is not;
4. ``--full-refresh`` of the window: the same rows as the incremental history.

Two tenants matter (``t_acme`` and ``t_o'brien``, quote included) plus ``t_new``, created
mid-window. Most assertions are about D = 2025-03-10, T = 2025-03-11 00:00:00 UTC; the rows
are CSV files in ``fixtures/`` (one per raw table, plus the late events), every expected
figure worked out in the comments beside the rows that produce it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from boardroom.dbt.env import DbtWindow, dbt_env_from_url
from boardroom.dbt.process import run_dbt_process
from boardroom.marts_registry import MARTS as REGISTRY
from boardroom.paths import DBT_PROJECT_DIR, PROJECT_ROOT
from tests.support.fixture_rows import read_rows

REPO = PROJECT_ROOT
RAW_APP_SCHEMA = REPO / "boardroom" / "ingest" / "raw_app_schema.sql"
RAW_EVENTS_SCHEMA = REPO / "boardroom" / "ingest" / "raw_events_schema.sql"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

ACME = "t_acme"
OBRIEN = "t_o'brien"
NEW = "t_new"

MIN_DATE = "2025-03-08"
MAX_DATE = "2025-03-12"
#: When the scenario's mirrors were extracted (the app source's completeness).
EXTRACTED_AT = datetime(2025, 3, 12, 18, 0, tzinfo=UTC)

# Fallback DDL for raw.posthog_events / raw.ingest_state if ingestion's own file is absent.
_EVENTS_DDL = """
CREATE TABLE IF NOT EXISTS raw.posthog_events (
    uuid uuid PRIMARY KEY,
    event text NOT NULL,
    distinct_id text,
    tenant_id text NOT NULL,
    "timestamp" timestamptz NOT NULL,
    created_at timestamptz,
    properties jsonb NOT NULL DEFAULT '{}'::jsonb,
    _loaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS raw.ingest_state (
    stream text PRIMARY KEY,
    watermark timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    details jsonb
)
"""


def ts(text: str) -> datetime:
    """'2025-03-10 12:00:00' (UTC) as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def create_raw_schema(conn: psycopg.Connection) -> None:
    conn.execute(RAW_APP_SCHEMA.read_text())
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    if RAW_EVENTS_SCHEMA.exists():
        conn.execute(RAW_EVENTS_SCHEMA.read_text())
    else:
        conn.execute(_EVENTS_DDL)


def _insert(conn: psycopg.Connection, table: str, rows: list[dict]) -> None:
    for row in rows:
        row = {**row, "_extracted_at": row.get("_extracted_at", EXTRACTED_AT)}
        columns = list(row)
        conn.execute(
            sql.SQL("INSERT INTO raw.{} ({}) VALUES ({})").format(
                sql.Identifier(table),
                sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                sql.SQL(", ").join(sql.Placeholder() for _ in columns),
            ),
            [row[c] for c in columns],
        )


def event_rows(path: Path, *, loaded_at: datetime | None = None) -> list[dict]:
    """raw.posthog_events rows of an events CSV: the columns after ``distinct_id`` are
    properties; uuids are 1, 2, ... in row order unless a ``uuid`` column gives them."""
    rows = []
    for number, row in enumerate(read_rows(path), start=1):
        given = row.pop("uuid", None)
        name, tenant, stamp = row.pop("event"), row.pop("tenant_id"), row.pop("timestamp")
        distinct_id = row.pop("distinct_id")
        properties = {k: v for k, v in row.items() if v is not None}
        rows.append(
            {
                "uuid": uuid.UUID(given) if given else uuid.UUID(int=number),
                "event": name,
                "distinct_id": distinct_id,
                "tenant_id": tenant,
                "timestamp": stamp,
                "created_at": stamp + timedelta(minutes=1),
                "properties": json.dumps({"$groups": {"tenant": tenant}, **properties}),
                "_loaded_at": loaded_at or EXTRACTED_AT,
            }
        )
    return rows


def insert_events(conn: psycopg.Connection, rows: list[dict]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO raw.posthog_events (uuid, event, distinct_id, tenant_id,"
            ' "timestamp", created_at, properties, _loaded_at)'
            " VALUES (%(uuid)s, %(event)s, %(distinct_id)s, %(tenant_id)s, %(timestamp)s,"
            " %(created_at)s, %(properties)s::jsonb, %(_loaded_at)s)",
            rows,
        )


def load_scenario(conn: psycopg.Connection) -> None:
    """Fill raw.app_* and raw.posthog_events (the schema must exist) from ``fixtures/``:
    one CSV per mirror (``app_<table>.csv``) and the events (``posthog_events.csv``), with
    the figures they produce worked out in their comments."""
    for path in sorted(FIXTURES.glob("app_*.csv")):
        _insert(conn, path.stem, read_rows(path))
    insert_events(conn, event_rows(FIXTURES / "posthog_events.csv"))


# --------------------------------------------------------------------------------------
# The dbt runs: one module-scoped warehouse, four dbt invocations, results captured after
# each; the tests below only read what was captured.
# --------------------------------------------------------------------------------------

#: relation in audit -> its grain (primary key)
MARTS = {name: mart.grain for name, mart in REGISTRY.items()}
DAILY_MARTS = [name for name, mart in REGISTRY.items() if mart.daily]
CATALOG_CSV = DBT_PROJECT_DIR / "seeds" / "metric_catalog.csv"
DAY = "2025-03-10"


def _dbt(args: list[str], env: dict[str, str], workdir: Path) -> subprocess.CompletedProcess:
    return run_dbt_process(
        args,
        target_path=workdir / "target",
        log_path=workdir / "logs",
        env=env,
        timeout=300,
    )


def _capture(url: str) -> dict[str, list[dict]]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        captured = {}
        for mart, key in MARTS.items():
            query = sql.SQL("SELECT * FROM audit.{} ORDER BY {}").format(
                sql.Identifier(mart), sql.SQL(", ").join(sql.Identifier(k) for k in key)
            )
            captured[mart] = conn.execute(query).fetchall()
        return captured


@pytest.fixture(scope="module")
def dbt_runs(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    name = f"wh_dbt_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = urlunsplit(urlsplit(pg_admin_url)._replace(path=f"/{name}"))
    role = f"br_reader_{uuid.uuid4().hex[:8]}"
    workdir = tmp_path_factory.mktemp("dbt")
    env = {
        **os.environ,
        **dbt_env_from_url(url, threads=4),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    runs: dict = {"url": url, "role": role, "timings": {}}
    try:
        with psycopg.connect(url) as conn:
            create_raw_schema(conn)
            load_scenario(conn)

        # 1. First build of the window: seeds, snapshots, models, data and unit tests.
        started = time.monotonic()
        first = _dbt(
            [
                "build",
                "--selector",
                "boardroom_marts",
                "--vars",
                DbtWindow(MIN_DATE, MAX_DATE).vars_json(audit_reader_role=role),
            ],
            env,
            workdir,
        )
        runs["timings"]["build"] = time.monotonic() - started
        runs["build_log"] = first.stdout
        runs["after_build"] = _capture(url)
        # The marts' data tests are not part of a run (the publication gate checks the
        # same); CI runs them apart, over every row.
        runs["mart_tests_log"] = _dbt(
            ["test", "--selector", "boardroom_mart_data_tests"], env, workdir
        ).stdout

        # 2. An incremental run of one day, nothing changed (models only: `dbt run`), the
        #    window passed as Boardroom's runs pass it: environment variables, no vars.
        role_only = json.dumps({"audit_reader_role": role})
        started = time.monotonic()
        _dbt(
            ["run", "--selector", "boardroom_marts", "--vars", role_only],
            {**env, **DbtWindow(DAY, DAY).env()},
            workdir,
        )
        runs["timings"]["one_day"] = time.monotonic() - started
        runs["after_one_day"] = _capture(url)

        # 3. Late data: a complaint stamped 03-09 arrives now, deal d5 is won on 03-11 at
        #    noon (a new snapshot version). The run is for 03-12 only, with the load time
        #    of the previous run: days 03-09..03-12 are rebuilt, 03-08 is not.
        with psycopg.connect(url) as conn:
            since = conn.execute("SELECT now()").fetchone()[0]
            insert_events(
                conn,
                event_rows(FIXTURES / "posthog_events_late.csv", loaded_at=datetime.now(UTC)),
            )
            conn.execute(
                "UPDATE raw.app_deals SET status = 'won', closed_at = %s, updated_at = %s,"
                " _extracted_at = %s WHERE deal_id = 'd5'",
                [ts("2025-03-11 12:00:00"), ts("2025-03-11 12:00:00"), EXTRACTED_AT],
            )
        started = time.monotonic()
        _dbt(
            [
                "build",
                "--log-level-file",  # the parse messages below are debug-level
                "debug",
                "--selector",
                "boardroom_marts",
                "--resource-type",
                "snapshot",
                "model",
                "--vars",
                role_only,
            ],
            {**env, **DbtWindow(MAX_DATE, MAX_DATE, late_events_loaded_since=since).env()},
            workdir,
        )
        logs = [workdir / "logs" / name for name in ("dbt.log.1", "dbt.log")]
        runs["late_log"] = "".join(p.read_text() for p in logs if p.exists())
        runs["timings"]["late_events"] = time.monotonic() - started
        runs["after_late"] = _capture(url)

        # 4. Full refresh of the models over the same window, the BI role now existing.
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        started = time.monotonic()
        _dbt(
            [
                "run",
                "--selector",
                "boardroom_marts",
                "--full-refresh",
                "--vars",
                DbtWindow(MIN_DATE, MAX_DATE).vars_json(audit_reader_role=role),
            ],
            env,
            workdir,
        )
        runs["timings"]["full_refresh"] = time.monotonic() - started
        runs["after_full_refresh"] = _capture(url)
        yield runs
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            if exists:
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _row(rows: list[dict], **match: object) -> dict:
    found = [r for r in rows if all(str(r[k]) == str(v) for k, v in match.items())]
    assert len(found) == 1, f"{len(found)} rows match {match}"
    return found[0]


def _without_audit(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "_built_at"} for r in rows]


# ---- the build ------------------------------------------------------------------------


def test_dbt_build_passes_clean(dbt_runs):
    log = dbt_runs["build_log"]
    assert "Completed successfully" in log
    assert "[WARNING]" not in log and "WARN=0" in log
    assert "unit_test" in log and " ERROR=0 " in log
    assert "accepted_values_exec_overview" not in log  # the marts' tests run apart


def test_the_marts_data_tests_pass_over_every_row(dbt_runs):
    log = dbt_runs["mart_tests_log"]
    assert "Completed successfully" in log and "WARN=0" in log and " ERROR=0 " in log
    assert "accepted_values_exec_overview_revenue_protection_status" in log
    assert "relationships_exec_overview_tenant_id" in log
    # Every run is ONE dbt invocation for every tenant (shown with pytest -s).
    print("dbt timings (s):", {k: round(v, 1) for k, v in dbt_runs["timings"].items()})


def test_exact_schemas_and_no_published_at(dbt_runs):
    with psycopg.connect(dbt_runs["url"]) as conn:
        relations = set(
            conn.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                " WHERE table_schema IN ('staging','intermediate','audit','snapshots','reference')"
            ).fetchall()
        )
        relations = {r[0] for r in relations}
        published = conn.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_schema = 'audit' AND column_name = 'published_at'"
        ).fetchone()[0]
    for mart in MARTS:
        assert f"audit.{mart}" in relations
    assert {
        "staging.stg_posthog__events",
        "snapshots.snap_app_deals",
        "intermediate.int_as_of_days",
        "reference.metric_catalog",
        "reference.status_thresholds",
    } <= relations
    assert published == 0  # added by the publish step


def test_primary_keys_enforced_at_the_grain(dbt_runs):
    with psycopg.connect(dbt_runs["url"]) as conn:
        for mart, key in MARTS.items():
            columns = conn.execute(
                "SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_constraint c"
                " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
                " WHERE c.contype = 'p' AND c.conrelid = %s::regclass",
                [f"audit.{mart}"],
            ).fetchone()[0]
            assert columns == sorted(key), mart


# ---- figures of 2025-03-10 (T = 2025-03-11 00:00 UTC) --------------------------------


def test_exec_overview_figures_and_statuses(dbt_runs):
    rows = dbt_runs["after_build"]["exec_overview"]
    acme = _row(rows, tenant_id=ACME, as_of_date=DAY)
    assert acme["revenue_won_30d"] == Decimal("1234.56")
    assert acme["payments_collected_30d"] == Decimal("130.10")
    assert acme["revenue_at_risk_30d"] == Decimal("70.25")
    assert acme["revenue_at_risk_ratio_30d"] == Decimal("0.35063638632393311705")  # 70.25 / 200.35
    assert acme["revenue_protection_status"] == "at_risk"
    assert acme["messages_sent_7d"] == 50
    assert acme["delivery_rate_7d"] == Decimal("0.96")
    assert acme["bounce_rate_7d"] == Decimal("0.02")  # threshold hit exactly -> watch
    assert acme["deliverability_status"] == "watch"
    assert acme["est_infra_cost_30d"] == Decimal("187.1")
    assert acme["cost_optimization_status"] == "watch"
    assert acme["api_error_rate_7d"] == Decimal("0.005")  # exactly -> watch
    assert acme["operational_status"] == "watch"
    assert acme["data_as_of"] == ts("2025-03-11 00:00:00")
    assert acme["revenue_at_risk_30d_is_approximate"] is True
    assert (
        acme["revenue_at_risk_30d_label"] == "approximate: billing system is the system of record"
    )
    assert acme["est_infra_cost_30d_label"] == "internal / non-authoritative"
    assert acme["delivery_rate_7d_label"] == "approximate: analytics events (PostHog)"

    obrien = _row(rows, tenant_id=OBRIEN, as_of_date=DAY)  # suspended, mrr unknown
    assert obrien["revenue_won_30d"] == 0 and obrien["messages_sent_7d"] == 0
    assert obrien["delivery_rate_7d"] is None and obrien["revenue_at_risk_ratio_30d"] is None
    assert obrien["deliverability_status"] == "unknown"
    assert obrien["revenue_protection_status"] == "unknown"
    assert obrien["cost_optimization_status"] == "unknown"
    assert obrien["operational_status"] == "at_risk"  # smtp failing, no API events


def test_every_tenant_gets_figures_from_creation(dbt_runs):
    rows = dbt_runs["after_build"]["exec_overview"]
    days = ["2025-03-08", "2025-03-09", "2025-03-10", "2025-03-11", "2025-03-12"]
    present = {(r["tenant_id"], str(r["as_of_date"])) for r in rows}
    for day in days:
        assert (ACME, day) in present and (OBRIEN, day) in present
    assert (NEW, "2025-03-09") not in present and (NEW, "2025-03-10") in present


def test_revenue_protection_windows_and_cure(dbt_runs):
    rows = dbt_runs["after_build"]["revenue_protection"]
    day = _row(rows, tenant_id=ACME, as_of_date=DAY)
    assert day["pipeline_value"] == Decimal("1000.00")
    assert day["win_rate_90d"] == Decimal("0.5")
    assert day["invoices_at_risk_30d"] == 1
    assert _row(rows, tenant_id=OBRIEN, as_of_date=DAY)["win_rate_90d"] is None
    # inv2 paid on 03-12: cured from that day on; d3 closed at 03-11 00:00 counts from 03-11.
    last = _row(rows, tenant_id=ACME, as_of_date="2025-03-12")
    assert last["revenue_at_risk_30d"] == 0
    assert last["revenue_protection_status"] == "ok"
    assert _row(rows, tenant_id=ACME, as_of_date="2025-03-11")["revenue_won_30d"] == Decimal(
        "50.00"
    )


def test_cost_optimization_and_services(dbt_runs):
    day = _row(dbt_runs["after_build"]["cost_optimization"], tenant_id=ACME, as_of_date=DAY)
    assert day["est_infra_cost_mtd"] == Decimal("132.1")
    assert day["est_infra_cost_7d"] == Decimal("132")
    assert day["est_cost_per_1k_messages_7d"] == Decimal("2640")
    assert day["est_cost_to_mrr_ratio_30d"] == Decimal("0.1871")
    new = _row(dbt_runs["after_build"]["cost_optimization"], tenant_id=NEW, as_of_date=DAY)
    assert new["cost_optimization_status"] == "unknown"  # mrr 0, no usage
    services = [
        r
        for r in dbt_runs["after_build"]["cost_optimization_by_service"]
        if r["tenant_id"] == ACME and str(r["as_of_date"]) == DAY
    ]
    by_service = {r["service"]: r for r in services}
    assert by_service["ec2"]["est_infra_cost_30d"] == Decimal("187")
    assert by_service["ses"]["est_infra_cost_mtd"] == Decimal("0.1")
    assert sum(r["share_of_tenant_cost_30d"] for r in services) == 1
    assert all(r["approximation_label"] == "internal / non-authoritative" for r in services)


def test_deliverability_by_channel(dbt_runs):
    rows = [
        r
        for r in dbt_runs["after_build"]["deliverability_by_channel"]
        if r["tenant_id"] == ACME and str(r["as_of_date"]) == DAY
    ]
    by_channel = {r["channel"]: r for r in rows}
    assert set(by_channel) == {"email", "sms", "whatsapp"}
    assert by_channel["email"]["messages_sent_7d"] == 40
    assert by_channel["email"]["bounce_rate_7d"] == Decimal("0.025")
    assert by_channel["email"]["deliverability_status"] == "watch"
    assert by_channel["sms"]["deliverability_status"] == "ok"
    assert by_channel["whatsapp"]["delivery_rate_7d"] is None
    assert by_channel["whatsapp"]["deliverability_status"] == "unknown"
    health = _row(dbt_runs["after_build"]["deliverability_health"], tenant_id=ACME, as_of_date=DAY)
    assert health["otp_verification_rate_7d"] == Decimal("0.75")
    assert health["is_approximate"] is True
    assert health["approximation_label"] == "approximate: analytics events (PostHog)"


def test_ops_system_health(dbt_runs):
    day = _row(dbt_runs["after_build"]["ops_system_health"], tenant_id=ACME, as_of_date=DAY)
    assert day["api_requests_7d"] == 200 and day["api_errors_7d"] == 1
    assert day["api_p95_latency_ms_7d"] == pytest.approx(190.05)
    assert (day["active_users_7d"], day["active_users_30d"]) == (2, 3)
    assert (
        day["connectors_healthy"],
        day["connectors_degraded"],
        day["connectors_failing"],
        day["connectors_disconnected"],
    ) == (1, 1, 0, 0)


def test_executive_room_snapshot(dbt_runs):
    day = _row(dbt_runs["after_build"]["executive_room_snapshot"], tenant_id=ACME, as_of_date=DAY)
    assert day["revenue_won_30d"] == Decimal("1234.56")
    assert day["pipeline_value"] == Decimal("1000.00")
    assert day["pending_approvals"] == 3 and day["approvals_sla_warning"] == 2
    assert day["compliance_posture"] == Decimal("0.6")
    assert day["controls_not_assessed"] == 1
    assert day["pdpl_consent_coverage"] == Decimal("0.5")
    assert day["active_contradictions"] == 2
    assert day["active_strategic_deals"] == 1 and day["evidence_packs_ready"] == 1
    obrien = _row(
        dbt_runs["after_build"]["executive_room_snapshot"], tenant_id=OBRIEN, as_of_date=DAY
    )
    assert obrien["compliance_posture"] is None and obrien["pdpl_consent_coverage"] is None


def test_approval_queue_order_and_flags(dbt_runs):
    rows = [
        r
        for r in dbt_runs["after_build"]["approval_queue"]
        if r["tenant_id"] == ACME and str(r["as_of_date"]) == DAY
    ]
    rows.sort(key=lambda r: r["queue_rank"])
    assert [(r["approval_id"], r["is_sla_warning"], r["is_overdue"]) for r in rows] == [
        ("a1", True, True),  # critical, overdue
        ("a3", False, False),  # normal, deadline exactly T + 4 h: no warning
        ("a2", True, False),  # low, deadline T + 4 h - 1 s
    ]


def test_alerts(dbt_runs):
    rows = [r for r in dbt_runs["after_build"]["alerts"] if str(r["as_of_date"]) == DAY]
    keys = {(r["tenant_id"], r["alert_kind"], r["alert_key"], r["severity"]) for r in rows}
    assert keys == {
        (ACME, "status", "revenue_protection_status", "critical"),
        (ACME, "status", "deliverability_status", "warning"),
        (ACME, "status", "cost_optimization_status", "warning"),
        (ACME, "status", "operational_status", "warning"),
        (ACME, "sla_breach", "a1", "critical"),
        (OBRIEN, "status", "operational_status", "critical"),
    }
    breach = _row(rows, alert_kind="sla_breach")
    key = json.dumps([ACME, DAY, "sla_breach", "a1"]).encode()
    expected_id = hashlib.md5(key, usedforsecurity=False).hexdigest()
    assert breach["alert_id"] == expected_id
    assert breach["value"] == 12 and breach["threshold"] == 0
    deliverability = _row(rows, alert_key="deliverability_status")
    assert (deliverability["metric"], deliverability["value"], deliverability["threshold"]) == (
        "bounce_rate_7d",
        Decimal("0.02"),
        Decimal("0.02"),
    )
    assert deliverability["is_approximate"] is True
    obrien = _row(rows, tenant_id=OBRIEN)
    assert obrien["metric"] == "connectors_failing_or_disconnected"
    assert obrien["is_approximate"] is False


def test_platform_overview_and_tenant_summary(dbt_runs):
    platform = _row(dbt_runs["after_build"]["platform_overview"], as_of_date=DAY)
    assert platform["tenants_total"] == 3 and platform["tenants_suspended"] == 1
    assert platform["alerts_critical"] == 3 and platform["alerts_warning"] == 3
    assert platform["tenants_operational_at_risk"] == 1
    assert platform["revenue_won_30d"] == Decimal("1234.56")
    summary = {r["tenant_id"]: r for r in dbt_runs["after_build"]["tenant_summary"]}
    assert set(summary) == {ACME, OBRIEN, NEW}
    assert str(summary[OBRIEN]["as_of_date"]) == MAX_DATE
    assert summary[OBRIEN]["locale"] == "ar" and summary[OBRIEN]["mrr"] is None


def test_metric_catalog_published_from_the_seed(dbt_runs):
    with CATALOG_CSV.open() as f:
        seed = {r["name"]: r for r in csv.DictReader(f)}
    published = {r["name"]: r for r in dbt_runs["after_build"]["metric_catalog"]}
    assert set(published) == set(seed)
    for name, row in seed.items():
        assert published[name]["label"] == row["label"]
        assert published[name]["is_approximate"] == (row["is_approximate"] == "true")
    assert (
        seed["revenue_at_risk_30d"]["label"]
        == "approximate: billing system is the system of record"
    )
    assert seed["est_infra_cost_mtd"]["label"] == "internal / non-authoritative"
    for metric in (
        "revenue_won_30d",
        "pipeline_value",
        "win_rate_90d",
        "pending_approvals",
        "approvals_sla_warning",
        "compliance_posture",
        "pdpl_consent_coverage",
        "active_contradictions",
        "active_strategic_deals",
        "evidence_packs_ready",
        "connectors_healthy",
        "connectors_degraded",
        "connectors_failing",
        "connectors_disconnected",
    ):
        assert seed[metric]["is_approximate"] == "false", metric
    for metric in (
        "messages_sent_7d",
        "delivery_rate_7d",
        "bounce_rate_7d",
        "complaint_rate_7d",
        "otp_verification_rate_7d",
        "payments_collected_30d",
        "revenue_at_risk_30d",
        "est_infra_cost_mtd",
        "est_infra_cost_30d",
        "est_cost_per_1k_messages_7d",
        "api_error_rate_7d",
        "api_p95_latency_ms_7d",
        "active_users_7d",
        "active_users_30d",
    ):
        assert seed[metric]["is_approximate"] == "true", metric


def test_money_figures_carry_the_tenants_currency(dbt_runs):
    """Every mart with a money column has ``currency`` beside it: the tenant's most used
    deal currency (ACME: seven SAR deals, one usd), null for tenants without deals."""
    with CATALOG_CSV.open() as f:
        money = {r["name"] for r in csv.DictReader(f) if r["unit"].startswith("currency")}
    built = dbt_runs["after_build"]
    for mart, rows in built.items():
        if mart == "metric_catalog" or not rows or not money & set(rows[0]):
            continue
        assert "currency" in rows[0], mart
        currencies = {r.get("tenant_id"): r["currency"] for r in rows}
        if mart == "platform_overview":
            assert set(currencies.values()) == {"SAR"}  # the only tenant with deals
            continue
        assert currencies[ACME] == "SAR", mart
        assert currencies.get(NEW) is None and currencies.get(OBRIEN) is None, mart


def test_metric_catalog_names_each_figures_mart_and_column(dbt_runs):
    built = dbt_runs["after_build"]
    catalog = {r["name"]: r for r in built["metric_catalog"]}
    for name, entry in catalog.items():
        located = [item.split(".") for item in entry["published_in"]]
        for mart, column in located:
            assert column == name and column in built[mart][0], (name, mart)
        if entry["mart"] is None:
            assert located == [] and entry["column_name"] is None, name
            continue
        assert [entry["mart"], entry["column_name"]] in located, name
    assert catalog["revenue_won_30d"]["mart"] == "revenue_protection"
    assert "exec_overview.revenue_won_30d" in catalog["revenue_won_30d"]["published_in"]
    assert catalog["mrr_total"]["mart"] == "platform_overview"
    assert catalog["units_30d"]["mart"] == "cost_optimization_by_service"
    assert catalog["connectors_failing_or_disconnected"]["published_in"] == []
    assert sum(entry["mart"] is None for entry in catalog.values()) == 1


def test_every_approximate_figure_is_flagged(dbt_runs):
    with CATALOG_CSV.open() as f:
        catalog = {r["name"]: r for r in csv.DictReader(f)}
    for mart in MARTS:
        rows = dbt_runs["after_build"][mart]
        if mart == "metric_catalog" or not rows:
            continue
        columns = set(rows[0])
        for column in columns:
            entry = catalog.get(column)
            if not entry or entry["is_approximate"] != "true":
                continue
            for row in rows:
                if f"{column}_is_approximate" in columns:
                    assert row[f"{column}_is_approximate"] is True, (mart, column)
                    assert row[f"{column}_label"] == entry["label"], (mart, column)
                else:
                    assert row["is_approximate"] is True, (mart, column)
                    assert entry["label"] in row["approximation_label"], (mart, column)


def test_status_thresholds_match_the_contract():
    with (DBT_PROJECT_DIR / "seeds" / "status_thresholds.csv").open() as f:
        rules = {
            (r["status_name"], r["metric"], r["level"]): Decimal(r["threshold"])
            for r in csv.DictReader(f)
        }
    assert rules == {
        ("revenue_protection_status", "revenue_at_risk_ratio_30d", "at_risk"): Decimal("0.05"),
        ("revenue_protection_status", "revenue_at_risk_ratio_30d", "watch"): Decimal("0.02"),
        ("deliverability_status", "bounce_rate_7d", "at_risk"): Decimal("0.05"),
        ("deliverability_status", "complaint_rate_7d", "at_risk"): Decimal("0.003"),
        ("deliverability_status", "bounce_rate_7d", "watch"): Decimal("0.02"),
        ("deliverability_status", "complaint_rate_7d", "watch"): Decimal("0.001"),
        ("cost_optimization_status", "est_cost_to_mrr_ratio_30d", "at_risk"): Decimal("0.30"),
        ("cost_optimization_status", "est_cost_to_mrr_ratio_30d", "watch"): Decimal("0.15"),
        ("operational_status", "api_error_rate_7d", "at_risk"): Decimal("0.02"),
        ("operational_status", "connectors_failing_or_disconnected", "at_risk"): Decimal("1"),
        ("operational_status", "api_error_rate_7d", "watch"): Decimal("0.005"),
        ("operational_status", "connectors_degraded", "watch"): Decimal("1"),
    }


# ---- incrementality -------------------------------------------------------------------


def test_one_day_run_leaves_other_days_untouched(dbt_runs):
    before, after = dbt_runs["after_build"], dbt_runs["after_one_day"]
    for mart in DAILY_MARTS:
        other_before = [r for r in before[mart] if str(r["as_of_date"]) != DAY]
        other_after = [r for r in after[mart] if str(r["as_of_date"]) != DAY]
        assert other_after == other_before, mart  # _built_at included: not rewritten
        day_before = [r for r in before[mart] if str(r["as_of_date"]) == DAY]
        day_after = [r for r in after[mart] if str(r["as_of_date"]) == DAY]
        assert _without_audit(day_after) == _without_audit(day_before), mart
        assert all(
            a["_built_at"] > b["_built_at"] for a, b in zip(day_after, day_before, strict=True)
        ), mart


def test_late_event_rebuilds_the_days_it_reaches(dbt_runs):
    before, after = dbt_runs["after_one_day"], dbt_runs["after_late"]
    for mart in DAILY_MARTS:
        kept_before = [r for r in before[mart] if str(r["as_of_date"]) == "2025-03-08"]
        kept_after = [r for r in after[mart] if str(r["as_of_date"]) == "2025-03-08"]
        assert kept_after == kept_before, mart
    rebuilt = [r for r in after["exec_overview"] if str(r["as_of_date"]) >= "2025-03-09"]
    built_before = max(r["_built_at"] for r in before["exec_overview"])
    assert rebuilt and all(r["_built_at"] > built_before for r in rebuilt)
    day = _row(after["exec_overview"], tenant_id=ACME, as_of_date=DAY)
    assert day["complaint_rate_7d"] == Decimal("0.02")  # 1 complaint / 50 sent
    assert day["deliverability_status"] == "at_risk"
    alert = _row(
        [r for r in after["alerts"] if str(r["as_of_date"]) == DAY],
        tenant_id=ACME,
        alert_key="deliverability_status",
    )
    assert (alert["severity"], alert["metric"]) == ("critical", "complaint_rate_7d")
    # State from the snapshots, as valid at T: d5 won at 03-11 12:00.
    room = after["executive_room_snapshot"]
    assert _row(room, tenant_id=ACME, as_of_date=DAY)["pipeline_value"] == Decimal("1000.00")
    on_11 = _row(room, tenant_id=ACME, as_of_date="2025-03-11")
    assert on_11["pipeline_value"] == Decimal("500.01")  # d7 (created 03-11) + d6
    assert on_11["revenue_won_30d"] == Decimal("1049.99")  # d5 + d3


def test_a_new_window_reparses_nothing(dbt_runs):
    """Runs pass the window as environment variables, read only when int_as_of_days runs:
    a run for another day keeps dbt's partial parsing whole (no file re-parsed), where new
    --vars would re-parse the project and a variable read at parse time its file."""
    late_run = dbt_runs["late_log"].rsplit("running dbt with arguments", 1)[1]
    assert "Partial parsing enabled, no changes found, skipping parsing" in late_run
    assert "Partial parsing: updated file" not in late_run
    assert "Starting full parse" not in late_run


def test_full_refresh_yields_the_same_rows(dbt_runs):
    incremental, refreshed = dbt_runs["after_late"], dbt_runs["after_full_refresh"]
    for mart in MARTS:
        assert _without_audit(refreshed[mart]) == _without_audit(incremental[mart]), mart


def test_grants_only_when_the_role_exists(dbt_runs):
    role = dbt_runs["role"]
    with psycopg.connect(dbt_runs["url"]) as conn:
        for mart in MARTS:
            assert conn.execute(
                "SELECT has_table_privilege(%s, %s, 'SELECT')", [role, f"audit.{mart}"]
            ).fetchone()[0], mart
        assert conn.execute("SELECT has_schema_privilege(%s, 'audit', 'USAGE')", [role]).fetchone()[
            0
        ]
