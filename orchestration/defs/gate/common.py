"""Keys and helpers shared by the gate's checks and assets."""

from datetime import date, timedelta
from typing import Any

import dagster as dg

from boardroom.gate.evaluate import ExpectationOutcome, MartEvaluation
from boardroom.gate.marts import MARTS
from orchestration.partitions import partition_days

GROUP = "publish"
CHECK_NAME = "gx_suite"
AUDIT_KEYS: dict[str, dg.AssetKey] = {m: dg.AssetKey(["audit", m]) for m in MARTS}
MARTS_KEYS: dict[str, dg.AssetKey] = {m: dg.AssetKey(["marts", m]) for m in MARTS}


def run_days(context: Any) -> tuple[date, date]:
    """The run's as-of days as an inclusive ``(min_date, max_date)``."""
    first, end = partition_days(context)
    return first, end - timedelta(days=1)


def outcome_entry(outcome: ExpectationOutcome) -> dict[str, Any]:
    return {
        "expectation": outcome.label,
        "check": outcome.check,
        "scope": outcome.scope,
        "severity": outcome.severity,
        "success": outcome.success,
        "observed_value": outcome.observed_value,
        "unexpected_count": outcome.unexpected_count,
        "element_count": outcome.element_count,
        "failing_tenants": outcome.failing_tenants,
        "sample_rows": outcome.sample_rows,
        **({"error": outcome.error} if outcome.error else {}),
    }


def check_metadata(ev: MartEvaluation) -> dict[str, Any]:
    """Asset-check metadata: every expectation's result, failures with samples, decision."""
    failed = [o for o in ev.outcomes if not o.success]
    lines = [
        "| expectation | severity | observed | unexpected | tenants |",
        "|---|---|---|---|---|",
    ]
    for o in failed:
        lines.append(
            f"| {o.label} | {o.severity} | {o.observed_value} | {o.unexpected_count} | "
            f"{', '.join(o.failing_tenants) or 'mart-wide'} |"
        )
    return {
        "as_of_days": f"{ev.min_date.isoformat()}..{ev.max_date.isoformat()}",
        "rows_checked": dg.MetadataValue.int(ev.row_count),
        "expectations_evaluated": dg.MetadataValue.int(len(ev.outcomes)),
        "expectations_failed": dg.MetadataValue.int(len(failed)),
        "tenants_withheld": dg.MetadataValue.json(ev.withheld),
        "mart_wide_failures": dg.MetadataValue.json(ev.mart_wide_failures),
        "failed_expectations": dg.MetadataValue.md("\n".join(lines) if failed else "none"),
        "failures": dg.MetadataValue.json([outcome_entry(o) for o in failed]),
        "results": dg.MetadataValue.json([outcome_entry(o) for o in ev.outcomes]),
        "parameters": dg.MetadataValue.json(ev.parameters),
    }
