"""What the gate writes besides the marts: check results, withheld log rows and alerts.

* ``audit.gate_results`` (run_id, mart, min_date, max_date): each mart's evaluation, written
  by its Dagster asset check and read by the publish asset of the same run.
* ``marts.publication_log`` rows with outcome ``withheld`` (reasons per tenant and day).
* ``marts.alerts`` rows of ``alert_kind = 'publication_blocked'`` (severity critical), one per
  withheld tenant, mart and run window (dated the window's last day), with a stable
  ``alert_id`` (md5 of ``[tenant_id, as_of_date, alert_kind, alert_key]`` as the alert feed
  computes it; ``alert_key = 'gate:<mart>'``). They sit under the same tenant policy as the
  rest of the feed; publishing the tenant's window later removes them (resolved).
* Any other alert raised outside dbt (a failed pipeline run) through :func:`write_alert`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg import sql

from boardroom.gate.evaluate import GateEvaluation, MartEvaluation
from boardroom.gate.marts import AUDIT_SCHEMA, MARTS_SCHEMA, PUBLICATION_BLOCKED
from boardroom.gate.security import PUBLICATION_LOG

GATE_RESULTS = "gate_results"
MESSAGE_LIMIT = 1000

GATE_RESULTS_DDL = """
CREATE TABLE IF NOT EXISTS {table} (
    run_id text NOT NULL,
    mart text NOT NULL,
    min_date date NOT NULL,
    max_date date NOT NULL,
    severity text NOT NULL,
    evaluated_at timestamptz NOT NULL DEFAULT now(),
    evaluation jsonb NOT NULL,
    PRIMARY KEY (run_id, mart, min_date, max_date)
)
"""


def store_mart_evaluation(conn: psycopg.Connection, run_id: str, ev: MartEvaluation) -> None:
    """Upsert one mart's evaluation for the run (autocommit connection or caller's tx)."""
    table = sql.Identifier(AUDIT_SCHEMA, GATE_RESULTS)
    conn.execute(sql.SQL(GATE_RESULTS_DDL).format(table=table))
    conn.execute(
        sql.SQL(
            "INSERT INTO {} (run_id, mart, min_date, max_date, severity, evaluation) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (run_id, mart, min_date, max_date) "
            "DO UPDATE SET severity = excluded.severity, evaluation = excluded.evaluation, "
            "evaluated_at = now()"
        ).format(table),
        (run_id, ev.mart, ev.min_date, ev.max_date, ev.severity, json.dumps(ev.to_dict())),
    )


def load_gate_evaluation(
    conn: psycopg.Connection, run_id: str, min_date: date, max_date: date
) -> GateEvaluation:
    """The evaluations the run's checks stored for these days (possibly none)."""
    exists = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f"{AUDIT_SCHEMA}.{GATE_RESULTS}",)
    ).fetchone()
    if not exists or not exists[0]:
        return GateEvaluation({})
    rows = conn.execute(
        sql.SQL(
            "SELECT mart, evaluation FROM {} WHERE run_id = %s AND min_date = %s AND max_date = %s"
        ).format(sql.Identifier(AUDIT_SCHEMA, GATE_RESULTS)),
        (run_id, min_date, max_date),
    ).fetchall()
    return GateEvaluation({mart: MartEvaluation.from_dict(data) for mart, data in rows})


def _message(tenant: str, mart: str, min_date: date, max_date: date, reasons: list[str]) -> str:
    return (
        f"Publication of tenant {tenant} withheld for as-of days {min_date}..{max_date}: "
        + "; ".join(reasons)
    )


@dataclass(frozen=True)
class Alert:
    """A row of ``marts.alerts`` raised outside dbt (gate, pipeline failures).

    ``tenant_id`` is the tenant, or ``PLATFORM_KEY`` (``__platform__``) for an alert about
    the platform itself (a failed run): no tenant reader's policy matches it. The ``alert_id``
    is the md5 of ``[tenant_id, as_of_date, alert_kind, alert_key]``, as the alert feed
    computes it, so the same alert is written once however often it is raised.
    """

    tenant_id: str
    as_of_date: date
    alert_kind: str
    alert_key: str
    metric: str
    value: float
    message: str
    severity: str = "critical"


def write_alert(conn: psycopg.Connection, alert: Alert, *, update: bool = True) -> int:
    """Insert the alert, or (``update``) refresh its message and value; rows written."""
    on_conflict = (
        "DO UPDATE SET value = excluded.value, message = excluded.message, "
        "_built_at = excluded._built_at, published_at = excluded.published_at "
        "WHERE {a}.message IS DISTINCT FROM excluded.message"
        if update
        else "DO NOTHING"
    )
    message = alert.message
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 3] + "..."
    return conn.execute(
        sql.SQL(
            "INSERT INTO {a} (alert_id, tenant_id, as_of_date, data_as_of, alert_kind, "
            "alert_key, severity, status_name, status, metric, value, threshold, message, "
            "approval_id, is_approximate, approximation_label, _built_at, published_at) "
            "VALUES (md5(jsonb_build_array(%(t)s::text, %(d)s::text, %(k)s::text, "
            "%(key)s::text)::text), %(t)s, %(d)s, (%(asof)s::date)::timestamp AT TIME ZONE "
            "'UTC', %(k)s, %(key)s, %(severity)s, NULL, NULL, %(metric)s, %(n)s, 0, "
            "%(msg)s, NULL, false, NULL, now(), now()) "
            "ON CONFLICT (tenant_id, alert_id) " + on_conflict
        ).format(a=sql.Identifier(MARTS_SCHEMA, "alerts")),
        {
            "t": alert.tenant_id,
            "d": alert.as_of_date,
            "k": alert.alert_kind,
            "key": alert.alert_key,
            "asof": alert.as_of_date + timedelta(days=1),
            "severity": alert.severity,
            "metric": alert.metric,
            "n": alert.value,
            "msg": message,
        },
    ).rowcount


def raise_blocked_alerts(
    conn: psycopg.Connection, evaluation: MartEvaluation, tenants: Iterable[str] | None = None
) -> int:
    """Upsert a ``publication_blocked`` alert per tenant this mart withholds; rows written."""
    withheld = evaluation.withheld
    selected = sorted(withheld if tenants is None else set(tenants) & set(withheld))
    day = evaluation.max_date
    written = 0
    for tenant in selected:
        reasons = withheld[tenant]
        written += write_alert(
            conn,
            Alert(
                tenant_id=tenant,
                as_of_date=day,
                alert_kind=PUBLICATION_BLOCKED,
                alert_key=f"gate:{evaluation.mart}",
                metric="publication_gate",
                value=len(reasons),
                message=_message(tenant, evaluation.mart, evaluation.min_date, day, reasons),
            ),
        )
    return written


def log_withheld(
    conn: psycopg.Connection,
    withheld: Mapping[str, list[str]],
    min_date: date,
    max_date: date,
    *,
    run_id: str | None,
    checks_summary: Mapping[str, Any] | None = None,
) -> None:
    """One ``withheld`` publication-log row per tenant and as-of day, with the reasons."""
    summary = json.dumps(dict(checks_summary or {}), sort_keys=True, default=str)
    days = [min_date + timedelta(days=i) for i in range((max_date - min_date).days + 1)]
    table = sql.Identifier(MARTS_SCHEMA, PUBLICATION_LOG)
    with conn.transaction():
        for tenant, reasons in sorted(withheld.items()):
            for day in days:
                conn.execute(
                    sql.SQL(
                        "INSERT INTO {} (run_id, tenant_id, as_of_date, outcome, min_date, "
                        "max_date, checks_summary, reasons) "
                        "VALUES (%s, %s, %s, 'withheld', %s, %s, %s, %s)"
                    ).format(table),
                    (run_id, tenant, day, min_date, max_date, summary, json.dumps(reasons)),
                )
