"""The whole gate outside Dagster: evaluate, publish the passing tenants, withhold the rest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from boardroom.database import connect
from boardroom.gate.config import GateSettings
from boardroom.gate.evaluate import GateEvaluation, evaluate_marts
from boardroom.gate.publish import PublishReport, audit_tenants, publish_tenants
from boardroom.gate.records import log_withheld, raise_blocked_alerts
from boardroom.gate.tables import ensure_published_tables


class UnknownTenants(ValueError):
    """A tenant scope names tenants the audit marts do not hold for the run's days."""


@dataclass
class GateReport:
    """A gate run: the evaluation, what was published and who was withheld (with reasons)."""

    evaluation: GateEvaluation
    publication: PublishReport
    withheld: dict[str, list[str]] = field(default_factory=dict)


def complete_evaluation(
    warehouse_url: str,
    min_date: date,
    max_date: date,
    evaluation: GateEvaluation | None = None,
    settings: GateSettings | None = None,
) -> GateEvaluation:
    """``evaluation`` plus a fresh evaluation of every mart it lacks."""
    evaluation = evaluation or GateEvaluation({})
    with connect(warehouse_url, autocommit=True) as conn:
        present = set(ensure_published_tables(conn))
    missing = [m for m in present if m not in evaluation.marts]
    if missing:
        fresh = evaluate_marts(warehouse_url, min_date, max_date, marts=missing, settings=settings)
        evaluation.marts.update(fresh.marts)
    return evaluation


def run_gate(
    warehouse_url: str,
    min_date: date,
    max_date: date,
    *,
    run_id: str | None = None,
    evaluation: GateEvaluation | None = None,
    settings: GateSettings | None = None,
    tenants: Iterable[str] | None = None,
) -> GateReport:
    """Evaluate (what ``evaluation`` lacks), publish passing tenants, alert and log the rest.

    ``tenants`` scopes the publication to those tenants: only their rows, alerts and log
    rows are written, and the platform marts (a rollup over every tenant) are left as they
    are. Raises :class:`UnknownTenants` for a tenant with no rows in the audit marts.
    """
    scope = None if tenants is None else sorted(set(tenants))
    if scope is not None:  # checked before the (slower) evaluation
        with connect(warehouse_url, autocommit=True) as conn:
            known = audit_tenants(conn, min_date, max_date)
        unknown = [t for t in scope if t not in known]
        if unknown:
            raise UnknownTenants(
                f"No rows in the audit marts for tenant(s) {', '.join(unknown)} on as-of days "
                f"{min_date}..{max_date}; known tenants: {', '.join(known) or 'none'}."
            )
    evaluation = complete_evaluation(warehouse_url, min_date, max_date, evaluation, settings)
    withheld = {t: why for t, why in evaluation.withheld().items() if scope is None or t in scope}
    passing = [t for t in evaluation.passing_tenants() if scope is None or t in scope]
    summary = evaluation.summary()
    with connect(warehouse_url, autocommit=True) as conn:
        with conn.transaction():
            for mart in evaluation.marts.values():
                raise_blocked_alerts(conn, mart, tenants=scope)
        if withheld:
            log_withheld(conn, withheld, min_date, max_date, run_id=run_id, checks_summary=summary)
    report = publish_tenants(
        warehouse_url,
        min_date,
        max_date,
        tenants=passing,
        checks_summary=summary,
        run_id=run_id,
        platform=scope is None and evaluation.platform_passed(),
    )
    return GateReport(evaluation, report, withheld)
