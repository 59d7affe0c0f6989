"""Read one tenant's (or the platform's) published figures for a period.

Every tenant query names its tenant as a parameter. A renderer that logs in as a trusted
application (a member of ``boardroom_tenant_app``, see docs/bi-access.md) also assumes the
tenant for the transaction (``access.assume_tenant``), so row-level security on the
published marts applies even if a filter were ever missing (defence in depth); the
publishing role owns the marts and reads them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from boardroom.packs.periods import Period

Row = dict[str, Any]

#: Tenant-day marts read over the whole period (trend charts) and at its end (headlines).
DAILY_MARTS = (
    "exec_overview",
    "revenue_protection",
    "cost_optimization",
    "deliverability_health",
    "ops_system_health",
    "executive_room_snapshot",
)
#: Marts read at the period's end only, with their order.
END_MARTS = {
    "cost_optimization_by_service": "est_infra_cost_30d DESC, provider, service",
    "deliverability_by_channel": "channel",
    "approval_queue": "queue_rank",
    "alerts": "severity, alert_kind, alert_key",
}
#: True when the session may (and so should) assume a tenant: a trusted application login.
_ASSUMES_TENANTS = (
    "SELECT pg_has_role(current_user, r.oid, 'MEMBER') "
    "AND to_regprocedure('access.assume_tenant(text)') IS NOT NULL "
    "FROM pg_catalog.pg_roles r WHERE r.rolname = 'boardroom_tenant_app'"
)


@dataclass
class TenantData:
    """One tenant's rows: ``daily[mart]`` over the period, ``at_end[mart]`` on its last day."""

    tenant_id: str
    period: Period
    summary: Row | None
    daily: dict[str, list[Row]] = field(default_factory=dict)
    at_end: dict[str, list[Row]] = field(default_factory=dict)

    def end_row(self, mart: str) -> Row | None:
        rows = [r for r in self.daily.get(mart, []) if r["as_of_date"] == self.period.end]
        return rows[0] if rows else None


@dataclass
class PlatformData:
    period: Period
    daily: list[Row]

    def end_row(self) -> Row | None:
        rows = [r for r in self.daily if r["as_of_date"] == self.period.end]
        return rows[0] if rows else None


def _table(schema: str, name: str) -> sql.Composed:
    return sql.Identifier(schema, name)  # type: ignore[return-value]


def list_tenants(conn: psycopg.Connection, end: date, schema: str = "marts") -> list[str]:
    """Tenants with a published executive overview on ``end`` (the only cross-tenant read)."""
    query = sql.SQL("SELECT DISTINCT tenant_id FROM {} WHERE as_of_date = %s ORDER BY 1").format(
        _table(schema, "exec_overview")
    )
    return [row[0] for row in conn.execute(query, (end,))]


def read_tenant_data(
    conn: psycopg.Connection,
    tenant_id: str,
    period: Period,
    *,
    schema: str = "marts",
    top_approvals: int = 10,
) -> TenantData:
    """Every row a tenant's pack needs, read in one tenant-scoped transaction."""
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        assumes = cur.execute(_ASSUMES_TENANTS).fetchone()
        if assumes and next(iter(assumes.values())):
            cur.execute("SELECT access.assume_tenant(%s)", (tenant_id,))
        summary = cur.execute(
            sql.SQL("SELECT * FROM {} WHERE tenant_id = %s").format(
                _table(schema, "tenant_summary")
            ),
            (tenant_id,),
        ).fetchone()
        data = TenantData(tenant_id, period, summary)
        for mart in DAILY_MARTS:
            query = sql.SQL(
                "SELECT * FROM {} WHERE tenant_id = %s AND as_of_date BETWEEN %s AND %s "
                "ORDER BY as_of_date"
            ).format(_table(schema, mart))
            data.daily[mart] = cur.execute(query, (tenant_id, period.start, period.end)).fetchall()
        for mart, order in END_MARTS.items():
            query = sql.SQL("SELECT * FROM {} WHERE tenant_id = %s AND as_of_date = %s").format(
                _table(schema, mart)
            ) + sql.SQL(" ORDER BY " + order)
            if mart == "approval_queue":
                query += sql.SQL(" LIMIT {}").format(sql.Literal(int(top_approvals)))
            data.at_end[mart] = cur.execute(query, (tenant_id, period.end)).fetchall()
    return data


def read_platform_data(
    conn: psycopg.Connection, period: Period, *, schema: str = "marts"
) -> PlatformData:
    """The platform rollup over the period (platform executives only)."""
    query = sql.SQL(
        "SELECT * FROM {} WHERE as_of_date BETWEEN %s AND %s ORDER BY as_of_date"
    ).format(_table(schema, "platform_overview"))
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        return PlatformData(period, cur.execute(query, (period.start, period.end)).fetchall())
