"""One paragraph saying why a pipeline run failed: what failed, what was observed, where to
look. Dagster's own failure events (stack traces, per-step dumps) stay in the run's logs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Failed checks quoted by name before "and N more".
_QUOTED = 3
#: A leading exception class, e.g. ``psycopg.errors.UndefinedColumn: ``.
_ERROR_CLASS = re.compile(r"^(?:[A-Za-z_]\w*\.)*[A-Z]\w*: ")
GATE_CHECK = "gx_suite"


@dataclass(frozen=True)
class CheckFailure:
    """A failed (ERROR) asset check of the run: ``asset:check`` and what it observed."""

    name: str
    observed: str

    @property
    def asset(self) -> str:
        return self.name.rsplit(":", 1)[0]

    @property
    def is_gate(self) -> bool:
        return self.name.endswith(f":{GATE_CHECK}")


def _value(metadata_value: Any) -> Any:
    return getattr(metadata_value, "value", metadata_value)


def error_head(message: str) -> str:
    """First line of a Dagster error message, without the exception's class name."""
    lines = (message or "").strip().splitlines()
    return _ERROR_CLASS.sub("", lines[0]) if lines else "failed"


def error_text(error: Any) -> str:
    """A step's error in a line: its innermost cause (what went wrong), followed by what
    Dagster made of it when that differs (e.g. retries exhausted)."""
    heads = []
    while error is not None and len(heads) < 10:
        heads.append(error_head(getattr(error, "message", "") or ""))
        error = getattr(error, "cause", None) or getattr(error, "context", None)
    heads = [h for h in heads if h and h != "failed"] or ["failed"]
    return heads[-1] if len(heads) == 1 else f"{heads[-1]} ({heads[0]})"


def observed_in(description: str | None, metadata: Mapping[str, Any]) -> str:
    """What a failed check saw: the gate's first mart-wide failure with its observed value,
    else the check's own description."""
    failures = _value(metadata.get("failures")) or []
    if isinstance(failures, list) and failures:
        wide = [f for f in failures if f.get("scope") == "mart" or not f.get("failing_tenants")]
        first = (wide or failures)[0]
        text = str(first.get("expectation") or first.get("check") or "an expectation")
        if first.get("observed_value") is not None:
            text += f" observed {first['observed_value']}"
        if first.get("failing_tenants"):
            text += f" (tenants {', '.join(first['failing_tenants'])})"
        if len(failures) > 1:
            text += f", {len(failures) - 1} more failed expectation(s)"
        return text
    return (description or "").strip() or "no detail reported"


def _quoted(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_QUOTED])
    return shown + (f" and {len(items) - _QUOTED} more" if len(items) > _QUOTED else "")


def failure_paragraph(
    *,
    run_id: str,
    window: str,
    step_failures: Sequence[str],
    checks: Sequence[CheckFailure],
    log_path: Path | None,
) -> str:
    """The paragraph ``boardroom run`` prints when a run fails."""
    run = f"Pipeline run {run_id[:8]} (as-of {window}) failed"
    ui = f"the run's logs in the Dagster UI (`boardroom dev`, Runs, {run_id[:8]})"
    output = f"; dbt and step output in {log_path}" if log_path else ""
    gate = [c for c in checks if c.is_gate]
    if gate:
        marts = [c.asset.split("/")[-1] for c in gate]
        observed = "; ".join(f"{c.asset.split('/')[-1]}: {c.observed}" for c in gate[:_QUOTED])
        return (
            f"{run}: the publication gate stopped publication, {len(gate)} audited mart(s) "
            f"failing their Great Expectations suite mart-wide ({_quoted(marts)}). Observed: "
            f"{observed}{'; and more' if len(gate) > _QUOTED else ''}. Nothing was published by "
            "this run; readers keep the last published figures. Look at the gx_suite checks "
            f"of those audit/* assets and {ui}, the rows of audit.gate_results with run_id "
            f"'{run_id}'{output}."
        )
    if checks:
        observed = "; ".join(f"{c.name}: {c.observed}" for c in checks[:_QUOTED])
        return (
            f"{run}: {len(checks)} blocking check(s) failed ({_quoted([c.name for c in checks])})"
            f". Observed: {observed}. The assets downstream of them did not run. Look at those "
            f"checks and {ui}{output}."
        )
    what = "; ".join(step_failures[:_QUOTED]) or "the run failed before any step reported"
    return f"{run}: {what}. Later steps did not run. Look at {ui}{output}."
