"""Publish audited marts into ``marts``: atomic per tenant, idempotent, logged.

``publish_tenants`` copies each tenant's rows of every tenant mart for the as-of days
``[min_date, max_date]`` (``tenant_summary``: the tenant's one row) from ``audit`` into
``marts`` in ONE transaction per tenant, then the platform marts (``metric_catalog`` whole,
``platform_overview`` for the days) in one more transaction.

Idempotence and ``published_at``: a published row is compared with its audit row on every
column but ``_built_at`` and ``published_at``. Unchanged rows are left alone, so they keep
their ``published_at`` (and ``_built_at``): ``published_at`` says when these figures were
first published, and publishing twice changes nothing. Changed rows are replaced, new rows
inserted and rows the audit no longer holds for that tenant and those days (a cleared alert,
a decided approval, a resolved ``publication_blocked`` alert) deleted, all stamped with the
transaction's time. Readers in other transactions see a tenant's old rows or its new rows,
never a mix. Importable without Dagster.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from boardroom.database import connect
from boardroom.gate.marts import (
    AUDIT_SCHEMA,
    BUILT_AT,
    MARTS,
    MARTS_SCHEMA,
    PLATFORM_MARTS,
    PUBLISHED_AT,
    TENANT_MARTS,
)
from boardroom.gate.security import PUBLICATION_LOG
from boardroom.gate.tables import columns, ensure_published_tables

#: Two-key advisory lock namespace: one publisher per tenant at a time.
TENANT_LOCK_NS = 0x7075  # "pu"
PLATFORM_KEY = "__platform__"


@dataclass(frozen=True)
class MartPublication:
    """One mart of one publication scope: rows now published, rows inserted and deleted."""

    rows: int
    inserted: int
    deleted: int

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.deleted)


@dataclass(frozen=True)
class ScopePublication:
    """One transaction: a tenant (or the platform marts) and what it published."""

    scope: str
    published_at: datetime
    marts: dict[str, MartPublication]
    rows_by_day: dict[date, dict[str, int]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(m.changed for m in self.marts.values())


@dataclass
class PublishReport:
    """What ``publish_tenants`` did, per tenant and for the platform marts."""

    min_date: date
    max_date: date
    tenants: dict[str, ScopePublication] = field(default_factory=dict)
    platform: ScopePublication | None = None

    def rows_per_mart(self) -> dict[str, int]:
        """Rows published per mart over every scope of this report."""
        totals: dict[str, int] = {}
        scopes = [*self.tenants.values(), *([self.platform] if self.platform else [])]
        for scope in scopes:
            for mart, pub in scope.marts.items():
                totals[mart] = totals.get(mart, 0) + pub.rows
        return totals

    @property
    def changed(self) -> bool:
        scopes = [*self.tenants.values(), *([self.platform] if self.platform else [])]
        return any(s.changed for s in scopes)


def _scope(alias: str, mart: str, tenant: str | None) -> sql.Composable:
    """WHERE clause restricting ``alias`` to the tenant and the run's days."""
    spec = MARTS[mart]
    parts: list[sql.Composable] = []
    if tenant is not None:
        parts.append(sql.SQL("{}.tenant_id = %(tenant)s").format(sql.Identifier(alias)))
    if spec.daily:
        parts.append(
            sql.SQL("{}.as_of_date BETWEEN %(min_date)s AND %(max_date)s").format(
                sql.Identifier(alias)
            )
        )
    return sql.SQL(" AND ").join(parts) if parts else sql.SQL("true")


def _merge_mart(
    conn: psycopg.Connection, mart: str, tenant: str | None, params: dict[str, Any]
) -> MartPublication:
    """Replace the scope's published rows by the audit rows, touching unchanged rows not."""
    spec = MARTS[mart]
    cols = columns(conn, AUDIT_SCHEMA, mart)
    content = [c for c in cols if c not in (BUILT_AT, *spec.grain)]
    audit, pub = sql.Identifier(AUDIT_SCHEMA, mart), sql.Identifier(MARTS_SCHEMA, mart)

    def keys_equal(left: str, right: str) -> sql.Composable:
        return sql.SQL(" AND ").join(
            sql.SQL("{} = {}").format(sql.Identifier(left, k), sql.Identifier(right, k))
            for k in spec.grain
        )

    def row(alias: str) -> sql.Composable:
        return sql.SQL("ROW({})").format(
            sql.SQL(", ").join(sql.Identifier(alias, c) for c in content) or sql.SQL("1")
        )

    deleted = conn.execute(
        sql.SQL(
            "DELETE FROM {pub} AS p WHERE {scope_p} AND NOT EXISTS (SELECT 1 FROM {audit} AS a "
            "WHERE {scope_a} AND {keys} AND {row_a} IS NOT DISTINCT FROM {row_p})"
        ).format(
            pub=pub,
            audit=audit,
            scope_p=_scope("p", mart, tenant),
            scope_a=_scope("a", mart, tenant),
            keys=keys_equal("a", "p"),
            row_a=row("a"),
            row_p=row("p"),
        ),
        params,
    ).rowcount
    col_list = sql.SQL(", ").join(sql.Identifier(c) for c in cols)
    inserted = conn.execute(
        sql.SQL(
            "INSERT INTO {pub} ({cols}, {published_at}) SELECT {a_cols}, now() FROM {audit} AS a "
            "WHERE {scope_a} AND NOT EXISTS (SELECT 1 FROM {pub} AS p WHERE {keys})"
        ).format(
            pub=pub,
            cols=col_list,
            published_at=sql.Identifier(PUBLISHED_AT),
            a_cols=sql.SQL(", ").join(sql.Identifier("a", c) for c in cols),
            audit=audit,
            scope_a=_scope("a", mart, tenant),
            keys=keys_equal("a", "p"),
        ),
        params,
    ).rowcount
    rows = conn.execute(
        sql.SQL("SELECT count(*) FROM {} AS p WHERE {}").format(pub, _scope("p", mart, tenant)),
        params,
    ).fetchone()
    return MartPublication(rows=int(rows[0]) if rows else 0, inserted=inserted, deleted=deleted)


def _rows_by_day(
    conn: psycopg.Connection, marts: Iterable[str], tenant: str | None, params: dict[str, Any]
) -> dict[date, dict[str, int]]:
    """Published rows per as-of day and daily mart of the scope (zero days included)."""
    days = _days(params["min_date"], params["max_date"])
    result: dict[date, dict[str, int]] = {d: {} for d in days}
    for mart in marts:
        if not MARTS[mart].daily:
            continue
        counts = dict(
            conn.execute(
                sql.SQL(
                    "SELECT p.as_of_date, count(*) FROM {} AS p WHERE {} GROUP BY p.as_of_date"
                ).format(sql.Identifier(MARTS_SCHEMA, mart), _scope("p", mart, tenant)),
                params,
            ).fetchall()
        )
        for day in days:
            result[day][mart] = int(counts.get(day, 0))
    return result


def _days(min_date: date, max_date: date) -> list[date]:
    return [min_date + timedelta(days=i) for i in range((max_date - min_date).days + 1)]


def _publish_scope(
    conn: psycopg.Connection,
    scope: str,
    marts: list[str],
    tenant: str | None,
    params: dict[str, Any],
    log: dict[str, Any],
) -> ScopePublication:
    """One transaction: lock the scope, merge each mart, log each day."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (TENANT_LOCK_NS, scope))
        published_at = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
        results = {mart: _merge_mart(conn, mart, tenant, params) for mart in marts}
        by_day = _rows_by_day(conn, marts, tenant, params)
        whole = {m: r.rows for m, r in results.items() if not MARTS[m].daily}
        changed = {m: r.inserted + r.deleted for m, r in results.items()}
        for day, counts in by_day.items():
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (run_id, tenant_id, as_of_date, outcome, published_at, "
                    "min_date, max_date, row_counts, rows_changed, checks_summary) "
                    "VALUES (%s, %s, %s, 'published', %s, %s, %s, %s, %s, %s)"
                ).format(sql.Identifier(MARTS_SCHEMA, PUBLICATION_LOG)),
                (
                    log["run_id"],
                    tenant,
                    day,
                    published_at,
                    params["min_date"],
                    params["max_date"],
                    json.dumps({**counts, **whole}, sort_keys=True),
                    json.dumps(changed, sort_keys=True),
                    log["checks_summary"],
                ),
            )
    return ScopePublication(scope, published_at, results, by_day)


def audit_tenants(conn: psycopg.Connection, min_date: date, max_date: date) -> list[str]:
    """Tenants with rows in the audit tenant marts for the days (or in ``tenant_summary``)."""
    selects = []
    for mart in TENANT_MARTS:
        if not columns(conn, AUDIT_SCHEMA, mart):
            continue
        selects.append(
            sql.SQL("SELECT a.tenant_id FROM {} AS a WHERE {}").format(
                sql.Identifier(AUDIT_SCHEMA, mart), _scope("a", mart, None)
            )
        )
    if not selects:
        return []
    query = sql.SQL("SELECT DISTINCT tenant_id FROM ({}) AS t ORDER BY 1").format(
        sql.SQL(" UNION ALL ").join(selects)
    )
    return [r[0] for r in conn.execute(query, {"min_date": min_date, "max_date": max_date})]


def publish_tenants(
    warehouse_url: str,
    min_date: date,
    max_date: date,
    *,
    tenants: Iterable[str] | None = None,
    checks_summary: Mapping[str, Any] | None = None,
    run_id: str | None = None,
    platform: bool = True,
) -> PublishReport:
    """Publish the tenants' rows of the as-of days ``[min_date, max_date]`` (inclusive).

    ``tenants`` defaults to every tenant present in the audit marts for those days. Each
    tenant is one transaction; ``platform`` (default True) also publishes ``metric_catalog``
    and ``platform_overview`` in one more. ``checks_summary`` (JSON-serialisable) and
    ``run_id`` are written to ``marts.publication_log`` with the row counts.
    """
    if min_date > max_date:
        raise ValueError(f"min_date {min_date} is after max_date {max_date}")
    params = {"min_date": min_date, "max_date": max_date}
    log = {
        "run_id": run_id,
        "checks_summary": json.dumps(dict(checks_summary or {}), sort_keys=True, default=str),
    }
    report = PublishReport(min_date, max_date)
    with connect(warehouse_url, autocommit=True) as conn:
        ready = ensure_published_tables(conn)
        tenant_marts = [m for m in TENANT_MARTS if m in ready]
        selected = (
            sorted(set(tenants)) if tenants is not None else audit_tenants(conn, min_date, max_date)
        )
        for tenant in selected:
            report.tenants[tenant] = _publish_scope(
                conn, tenant, tenant_marts, tenant, {**params, "tenant": tenant}, log
            )
        platform_marts = [m for m in PLATFORM_MARTS if m in ready]
        if platform and platform_marts:
            report.platform = _publish_scope(conn, PLATFORM_KEY, platform_marts, None, params, log)
    return report
