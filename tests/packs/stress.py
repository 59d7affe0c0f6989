"""A stress scenario planted into published marts: every table of a pack at its longest.

For each stressed tenant, on the period's last day: a long tenant name with an unbroken
token, 12 provider/service rows with 40-character names and huge figures, 200 pending
approvals with long ids (and 200 SLA-breach alerts), no API traffic over the whole period
(so the API error-rate chart has nothing to draw), 12-digit money figures, a ``currency``
column on the money-carrying marts and a ``title`` column on the approval queue.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

LONG_NAME = (
    "Internationale Handelsgesellschaft für Logistik und Dienstleistungen "
    "Schifffahrtsversicherungsvermittlungsgesellschaft Holding"
)
PROVIDERS = (
    "Sovereign Cloud Infrastructure Provider",  # 39 characters
    "hyperscale_regional_edge_compute_network",  # 40, one unbroken identifier
    "Transcontinental Messaging Carrier Group",
)
SERVICES = (
    "Managed Streaming Analytics Warehouse 01",
    "object_storage_cold_archive_tier_replica",
    "Programmable Voice and Video Conferencing",
    "Conversational Business Messaging Suite",
)
APPROVALS = 200
#: The reporting currency planted into the money-carrying marts (as a newer mart has it).
CURRENCY = "SAR"
MONEY_MARTS = (
    "exec_overview",
    "revenue_protection",
    "cost_optimization",
    "executive_room_snapshot",
)
#: Titles planted for the first approvals (the source has no title column yet; a mart that
#: publishes one gets its titles shown).
TITLES = (
    "Renew the Gulf logistics master agreement with revised payment terms",
    "Approve the WhatsApp Business template for payment reminders",
)
CATEGORIES = ("deal", "message", "integration", "billing", "compliance")
PRIORITIES = ("critical", "high", "normal", "low")


def _table(name: str) -> sql.Composed:
    return sql.Identifier("marts", name)  # type: ignore[return-value]


def _copy_rows(conn: psycopg.Connection, table: str, template: dict, rows: list[dict]) -> None:
    """Insert ``rows``, each the ``template`` row with some columns replaced."""
    for changes in rows:
        row = {**template, **changes}
        columns = list(row)
        conn.execute(
            sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                _table(table),
                sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                sql.SQL(", ").join(sql.Placeholder() for _ in columns),
            ),
            [row[c] for c in columns],
        )


def _one(conn: psycopg.Connection, table: str, tenant: str, day: date) -> dict:
    cur = conn.cursor(row_factory=dict_row)
    row = cur.execute(
        sql.SQL("SELECT * FROM {} WHERE tenant_id = %s AND as_of_date = %s LIMIT 1").format(
            _table(table)
        ),
        (tenant, day),
    ).fetchone()
    assert row is not None, (table, tenant, day)
    return row


def _set(conn: psycopg.Connection, table: str, tenant: str, where: sql.Composable, **values):
    conn.execute(
        sql.SQL("UPDATE {} SET {} WHERE tenant_id = %s AND ").format(
            _table(table),
            sql.SQL(", ").join(
                sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder()) for k in values
            ),
        )
        + where,
        [*values.values(), tenant],
    )


def plant_stress(url: str, tenants: tuple[str, ...], day: date, days: int = 7) -> None:
    """Make ``tenants``' published figures for the period ending ``day`` as long as they get."""
    with psycopg.connect(url) as conn:
        for mart in MONEY_MARTS:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS currency text").format(
                    _table(mart)
                )
            )
        conn.execute("ALTER TABLE marts.approval_queue ADD COLUMN IF NOT EXISTS title text")
        for tenant in tenants:
            for mart in MONEY_MARTS:
                _set(conn, mart, tenant, sql.SQL("true"), currency=CURRENCY)
            _plant_tenant(conn, tenant, day, days)


def _plant_tenant(conn: psycopg.Connection, tenant: str, day: date, days: int) -> None:
    on_day = sql.SQL("as_of_date = {}").format(sql.Literal(day))
    in_period = sql.SQL("as_of_date BETWEEN {} AND {}").format(
        sql.Literal(day - timedelta(days=days - 1)), sql.Literal(day)
    )
    name = f"{LONG_NAME} {tenant}"
    for mart in ("exec_overview", "tenant_summary"):
        _set(conn, mart, tenant, sql.SQL("true"), tenant_name=name)
    big = Decimal("987654321098.76")
    _set(conn, "revenue_protection", tenant, on_day, pipeline_value=big, revenue_won_30d=big)
    _set(conn, "executive_room_snapshot", tenant, on_day, pipeline_value=big)
    _set(conn, "executive_room_snapshot", tenant, on_day, pending_approvals=APPROVALS)
    _set(conn, "exec_overview", tenant, on_day, pending_approvals=APPROVALS)
    _set(
        conn,
        "ops_system_health",
        tenant,
        in_period,
        api_requests_7d=0,
        api_errors_7d=0,
        api_error_rate_7d=None,
        api_p95_latency_ms_7d=None,
    )
    _set(conn, "exec_overview", tenant, in_period, api_error_rate_7d=None)

    service = _one(conn, "cost_optimization_by_service", tenant, day)
    conn.execute(
        sql.SQL("DELETE FROM {} WHERE tenant_id = %s AND as_of_date = %s").format(
            _table("cost_optimization_by_service")
        ),
        (tenant, day),
    )
    _copy_rows(
        conn,
        "cost_optimization_by_service",
        service,
        [
            {
                "provider": PROVIDERS[i % len(PROVIDERS)],
                "service": f"{SERVICES[i % len(SERVICES)][:37]} {i:02d}",
                "est_infra_cost_30d": Decimal("123456789012.34") / (i + 1),
                "est_infra_cost_7d": Decimal("23456789012.34") / (i + 1),
                "units_30d": Decimal("98765432109") / (i + 1),
                "share_of_tenant_cost_30d": Decimal("0.083333"),
            }
            for i in range(12)
        ],
    )

    approval = _one(conn, "approval_queue", tenant, day)
    conn.execute(
        sql.SQL("DELETE FROM {} WHERE tenant_id = %s AND as_of_date = %s").format(
            _table("approval_queue")
        ),
        (tenant, day),
    )
    ids = [f"apr_{tenant}_cross_border_settlement_{i:05d}"[:44] for i in range(APPROVALS)]
    _copy_rows(
        conn,
        "approval_queue",
        approval,
        [
            {
                "approval_id": ids[i],
                "queue_rank": i + 1,
                "category": CATEGORIES[i % len(CATEGORIES)],
                "priority": PRIORITIES[min(i // 50, 3)],
                "priority_rank": min(i // 50, 3) + 1,
                "escalation_level": 3,
                "is_sla_warning": True,
                "is_overdue": True,
                "hours_to_sla_deadline": Decimal("-12345.6") + i,
                "title": TITLES[i] if i < len(TITLES) else None,
            }
            for i in range(APPROVALS)
        ],
    )
    alert = dict(
        conn.cursor(row_factory=dict_row)
        .execute(
            "SELECT * FROM marts.alerts WHERE tenant_id = %s AND as_of_date = %s LIMIT 1",
            (tenant, day),
        )
        .fetchone()
    )
    _copy_rows(
        conn,
        "alerts",
        alert,
        [
            {
                "alert_id": hashlib.md5(f"stress/{tenant}/{i}".encode()).hexdigest(),  # noqa: S324
                "alert_kind": "sla_breach",
                "alert_key": ids[i],
                "severity": "critical" if i < 100 else "warning",
                "status_name": None,
                "status": None,
                "metric": "approvals_overdue",
                "value": Decimal("12345.6") - i,
                "threshold": Decimal(0),
                "message": f"Approval {ids[i]} is past its SLA deadline",
                "approval_id": ids[i],
                "is_approximate": False,
                "approximation_label": None,
            }
            for i in range(APPROVALS)
        ],
    )
