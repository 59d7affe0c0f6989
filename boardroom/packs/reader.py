"""Read one tenant's (or the platform's) published figures for a period.

Every tenant query names its tenant as a parameter *and* runs in one transaction. When the
session is a trusted-application login (a member of ``boardroom_tenant_app``, see
``boardroom/gate/security.py``), that transaction first calls ``access.assume_tenant``, so
row-level security on the published marts admits that tenant only, even if a filter were
ever missing (defence in depth). The publishing role, which owns the marts, reads by the
parameter alone.
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
TENANT_APP = "boardroom_tenant_app"
#: Scope the transaction to the tenant when the session is a trusted-application login.
#: (Nested CASE: each test runs only when the one before passed, so a warehouse without the
#: role or the access schema is read by the tenant parameter alone.)
_ASSUME_TENANT = sql.SQL(
    "SELECT CASE WHEN to_regrole({app}) IS NULL "
    "OR to_regprocedure('access.assume_tenant(text)') IS NULL THEN NULL "
    "ELSE CASE WHEN pg_has_role(session_user, {app}, 'MEMBER') "
    "THEN access.assume_tenant(%s) END END"
).format(app=sql.Literal(TENANT_APP))


@dataclass
class TenantData:
    """One tenant's rows: ``daily[mart]`` over the period, ``at_end[mart]`` on its last day,
    ``previous[mart]`` on the last day of the period before (for headline changes)."""

    tenant_id: str
    period: Period
    summary: Row | None
    daily: dict[str, list[Row]] = field(default_factory=dict)
    at_end: dict[str, list[Row]] = field(default_factory=dict)
    previous: dict[str, Row] = field(default_factory=dict)

    def end_row(self, mart: str) -> Row | None:
        rows = [r for r in self.daily.get(mart, []) if r["as_of_date"] == self.period.end]
        return rows[0] if rows else None


@dataclass
class PlatformData:
    period: Period
    daily: list[Row]
    previous: Row | None = None

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
        cur.execute(_ASSUME_TENANT, (tenant_id,))
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
            earlier = cur.execute(
                sql.SQL("SELECT * FROM {} WHERE tenant_id = %s AND as_of_date = %s").format(
                    _table(schema, mart)
                ),
                (tenant_id, period.previous.end),
            ).fetchone()
            if earlier is not None:
                data.previous[mart] = earlier
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
    table = _table(schema, "platform_overview")
    query = sql.SQL(
        "SELECT * FROM {} WHERE as_of_date BETWEEN %s AND %s ORDER BY as_of_date"
    ).format(table)
    earlier = sql.SQL("SELECT * FROM {} WHERE as_of_date = %s").format(table)
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        daily = cur.execute(query, (period.start, period.end)).fetchall()
        previous = cur.execute(earlier, (period.previous.end,)).fetchone()
        return PlatformData(period, daily, previous)
