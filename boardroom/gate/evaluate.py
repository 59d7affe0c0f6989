"""Run the marts' GX suites over a run's as-of days and decide, per tenant, pass or withhold.

Each mart is read once for the days ``[min_date, max_date]`` (whole for ``tenant_summary``
and ``metric_catalog``) into a pandas frame and validated by its checked-in suite through
GX's own API (ephemeral context, pandas data source, ``COMPLETE`` results). A failing
expectation of scope ``tenant`` withholds the tenants of its failing rows; one of scope
``mart`` (freshness, volume, a missing column, a row without a tenant) withholds every
tenant of the mart. Expectations of severity ``warning`` are reported and never block.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

from boardroom.database import connect
from boardroom.gate.config import GateSettings
from boardroom.gate.marts import AUDIT_SCHEMA, MARTS, MARTS_SCHEMA
from boardroom.gate.suites import FRESHNESS_COLUMN, load_suite_dict
from boardroom.gate.tables import columns


@dataclass
class ExpectationOutcome:
    """One expectation's result on one mart."""

    expectation: str
    check: str
    scope: str
    severity: str
    success: bool
    kwargs: dict[str, Any]
    observed_value: Any = None
    element_count: int | None = None
    unexpected_count: int | None = None
    failing_tenants: list[str] = field(default_factory=list)
    sample_rows: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def target(self) -> str:
        k = self.kwargs
        if "column_list" in k:
            return "(" + ", ".join(k["column_list"]) + ")"
        if "column_A" in k:
            return f"({k['column_A']}, {k['column_B']})"
        return str(k.get("column", "table"))

    @property
    def label(self) -> str:
        return f"{self.expectation}({self.target})"

    @property
    def blocking(self) -> bool:
        return not self.success and self.severity == "critical"

    @property
    def mart_wide(self) -> bool:
        return self.blocking and (self.scope == "mart" or not self.failing_tenants)


@dataclass
class MartEvaluation:
    """A mart's suite over the run's days: outcomes, withheld tenants, mart-wide failures."""

    mart: str
    min_date: date
    max_date: date
    row_count: int
    tenants: list[str]
    outcomes: list[ExpectationOutcome]
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def mart_wide_failures(self) -> list[str]:
        return [f"{self.mart}: {o.label} failed" for o in self.outcomes if o.mart_wide]

    @property
    def withheld(self) -> dict[str, list[str]]:
        """Tenant -> reasons, from this mart alone (mart-wide failures withhold everyone)."""
        reasons: dict[str, list[str]] = {}
        wide = self.mart_wide_failures
        for tenant in self.tenants:
            if wide:
                reasons[tenant] = list(wide)
        for o in self.outcomes:
            if o.blocking and not o.mart_wide:
                for tenant in o.failing_tenants:
                    reasons.setdefault(tenant, []).append(
                        f"{self.mart}: {o.label} failed on {o.unexpected_count} row(s)"
                    )
        return reasons

    @property
    def passed(self) -> bool:
        return not any(o.blocking for o in self.outcomes)

    @property
    def severity(self) -> str:
        """ok | warn | error.

        ``error``: a mart-wide failure of a tenant mart (every tenant withheld). ``warn``: some
        tenants withheld, or a platform mart (catalogue, platform overview) withheld alone
        while the tenants still publish.
        """
        if self.mart_wide_failures:
            return "error" if MARTS[self.mart].tenant_scoped else "warn"
        return "warn" if self.withheld else "ok"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["min_date"], data["max_date"] = self.min_date.isoformat(), self.max_date.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MartEvaluation:
        outcomes = [ExpectationOutcome(**o) for o in data["outcomes"]]
        return cls(
            mart=data["mart"],
            min_date=date.fromisoformat(data["min_date"]),
            max_date=date.fromisoformat(data["max_date"]),
            row_count=data["row_count"],
            tenants=list(data["tenants"]),
            outcomes=outcomes,
            parameters=dict(data.get("parameters") or {}),
        )


@dataclass
class GateEvaluation:
    """Every evaluated mart of a run and the resulting publication decision."""

    marts: dict[str, MartEvaluation]

    def tenants(self) -> list[str]:
        found = {t for m in self.marts.values() for t in m.tenants}
        return sorted(found)

    def withheld(self) -> dict[str, list[str]]:
        """Tenant -> reasons over every tenant mart: a tenant is published whole or not."""
        reasons: dict[str, list[str]] = {}
        for name, mart in self.marts.items():
            if not MARTS[name].tenant_scoped:
                continue
            for tenant, why in mart.withheld.items():
                reasons.setdefault(tenant, []).extend(why)
            for tenant in self.tenants() if mart.mart_wide_failures else []:
                reasons.setdefault(tenant, [])
                for reason in mart.mart_wide_failures:
                    if reason not in reasons[tenant]:
                        reasons[tenant].append(reason)
        return reasons

    def passing_tenants(self) -> list[str]:
        withheld = self.withheld()
        return [t for t in self.tenants() if t not in withheld]

    def platform_passed(self) -> bool:
        return all(m.passed for n, m in self.marts.items() if not MARTS[n].tenant_scoped)

    def summary(self) -> dict[str, Any]:
        """Compact JSON summary for the publication log."""
        return {
            "marts": {
                name: {
                    "severity": m.severity,
                    "expectations": len(m.outcomes),
                    "failed": [o.label for o in m.outcomes if not o.success],
                }
                for name, m in sorted(self.marts.items())
            },
            "withheld": self.withheld(),
        }


def json_safe(value: Any) -> Any:
    """A value GX or Postgres returned, as plain JSON."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item"):
        return json_safe(value.item())
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def known_tenants(conn: psycopg.Connection) -> list[str]:
    """Tenant ids of the tenants snapshot (any version), else of the raw mirror."""
    for schema, table in (("snapshots", "snap_app_tenants"), ("raw", "app_tenants")):
        if columns(conn, schema, table):
            return [
                r[0]
                for r in conn.execute(
                    sql.SQL("SELECT DISTINCT tenant_id FROM {} WHERE tenant_id IS NOT NULL").format(
                        sql.Identifier(schema, table)
                    )
                )
            ]
    return []


def volume_min_rows(
    conn: psycopg.Connection, mart: str, min_date: date, max_date: date, ratio: float
) -> int:
    """``ratio`` x the last publication's rows (latest published day x days in the run)."""
    spec = MARTS[mart]
    if not columns(conn, MARTS_SCHEMA, mart):
        return 0
    table = sql.Identifier(MARTS_SCHEMA, mart)
    if spec.daily:
        row = conn.execute(
            sql.SQL(
                "SELECT count(*) FROM {t} WHERE as_of_date = "
                "(SELECT max(as_of_date) FROM {t} WHERE as_of_date <= %s)"
            ).format(t=table),
            (max_date,),
        ).fetchone()
        baseline = int(row[0]) * ((max_date - min_date).days + 1) if row else 0
    else:
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()
        baseline = int(row[0]) if row else 0
    return math.ceil(ratio * baseline)


def load_frame(conn: psycopg.Connection, mart: str, min_date: date, max_date: date):
    """The mart's rows for the days, with the freshness lag column when it applies."""
    import pandas as pd

    spec = MARTS[mart]
    cols = columns(conn, AUDIT_SCHEMA, mart)
    extra = sql.SQL("")
    if "as_of_date" in cols and "data_as_of" in cols:
        extra = sql.SQL(
            ", extract(epoch FROM ((a.as_of_date + 1)::timestamp AT TIME ZONE 'UTC') "
            "- a.data_as_of)::float8 / 3600.0 AS {}"
        ).format(sql.Identifier(FRESHNESS_COLUMN))
    where = sql.SQL("a.as_of_date BETWEEN %s AND %s") if spec.daily else sql.SQL("true")
    params = (min_date, max_date) if spec.daily else ()
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT a.*{} FROM {} AS a WHERE {}").format(
                extra, sql.Identifier(AUDIT_SCHEMA, mart), where
            ),
            params,
        )
        names = [d.name for d in cur.description or []]
        return pd.DataFrame.from_records(cur.fetchall(), columns=names)


def _outcome(result: Any, frame: Any, tenant_scoped: bool, sample: int) -> ExpectationOutcome:
    cfg = result.expectation_config
    severity = getattr(cfg.severity, "value", cfg.severity) or "critical"
    res = result.result or {}
    meta = cfg.meta or {}
    kwargs = {k: v for k, v in cfg.kwargs.items() if k not in ("batch_id", "result_format")}
    error = None
    info = result.exception_info or {}
    if isinstance(info, dict) and info.get("raised_exception"):
        error = str(info.get("exception_message") or "expectation raised")[:500]
    outcome = ExpectationOutcome(
        expectation=cfg.type,
        check=str(meta.get("check", "")),
        scope=str(meta.get("scope", "mart")),
        severity=str(severity),
        success=bool(result.success),
        kwargs=json_safe(kwargs),
        observed_value=json_safe(res.get("observed_value")),
        element_count=res.get("element_count"),
        unexpected_count=res.get("unexpected_count"),
        error=error,
    )
    index = [i for i in res.get("unexpected_index_list") or [] if i in frame.index]
    if not outcome.success and index:
        failing = frame.loc[index]
        if tenant_scoped and "tenant_id" in failing and failing["tenant_id"].notna().all():
            outcome.failing_tenants = sorted(set(failing["tenant_id"]))
        visible = [
            c for c in failing.columns if c != FRESHNESS_COLUMN or outcome.check == "freshness"
        ]
        outcome.sample_rows = [
            {k: json_safe(v) for k, v in row.items()}
            for row in failing[visible].head(sample).to_dict(orient="records")
        ]
    return outcome


def _gx_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


def evaluate_marts(
    warehouse_url: str,
    min_date: date,
    max_date: date,
    *,
    marts: Iterable[str] | None = None,
    settings: GateSettings | None = None,
) -> GateEvaluation:
    """Validate each mart (default: every mart present in ``audit``) for the days."""
    settings = settings or GateSettings.from_env()
    gx, context = _gx_context()
    source = context.data_sources.add_pandas("boardroom_audit")
    evaluations: dict[str, MartEvaluation] = {}
    with connect(warehouse_url, autocommit=True) as conn:
        tenants_known = known_tenants(conn)
        for mart in MARTS if marts is None else marts:
            if not columns(conn, AUDIT_SCHEMA, mart):
                continue
            spec = MARTS[mart]
            frame = load_frame(conn, mart, min_date, max_date)
            parameters = {
                "known_tenants": tenants_known,
                "freshness_max_lag_hours": settings.freshness_max_lag_hours,
                "volume_min_rows": volume_min_rows(
                    conn, mart, min_date, max_date, settings.volume_min_ratio
                ),
            }
            suite = context.suites.add(gx.ExpectationSuite(**load_suite_dict(mart)))
            batch_def = source.add_dataframe_asset(mart).add_batch_definition_whole_dataframe(
                "run_days"
            )
            validation = batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(
                suite,
                expectation_parameters=parameters,
                result_format={"result_format": "COMPLETE"},
            )
            outcomes = [
                _outcome(r, frame, spec.tenant_scoped, settings.sample_rows)
                for r in validation.results
            ]
            tenants = sorted(set(frame["tenant_id"].dropna())) if spec.tenant_scoped else []
            evaluations[mart] = MartEvaluation(
                mart=mart,
                min_date=min_date,
                max_date=max_date,
                row_count=len(frame),
                tenants=tenants,
                outcomes=outcomes,
                parameters={k: v for k, v in parameters.items() if k != "known_tenants"},
            )
    return GateEvaluation(evaluations)
