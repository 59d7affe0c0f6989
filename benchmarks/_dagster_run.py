"""Dagster runs of the pipeline benchmark: the history's range run, and where a run's time
went, read back from the instance's event log.

:func:`run_history` runs ``daily_pipeline_job`` over a range of as-of days as ONE run, the
way ``boardroom run --from/--to`` does (``boardroom.pipeline_run.run_pipeline``), leaving
groups out (the benchmark's history skips ingestion and board packs). Call it in a fresh
process (``benchmarks._measure.run_in_child``): the environment names the deployment. It
runs without psycopg's prepared statements (see :func:`_no_prepared_statements`).

:func:`read_run` reads:

- **steps**: each step's start (seconds after a reference instant, e.g. the process start)
  and duration, from its ``STEP_START`` and ``STEP_SUCCESS``/``STEP_FAILURE`` events, plus
  the run's own ``RUN_START`` and end;
- **dbt nodes**: dagster-dbt puts dbt's ``unique_id`` and the node's ``Execution Duration``
  (dbt's node start to finish) on every materialization (models, seeds, snapshots) and
  check evaluation (data tests) it reports, so the slowest nodes need no ``run_results.json``
  (the marts step deletes its dbt target folder after a successful build);
- **metadata** of every materialization and check evaluation, by asset key, and the run's
  log messages (the marts step logs its build plan as ``dbt: ...``).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks._dbt_timings import summarize

_DURATION = "Execution Duration"


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


@dataclass
class RunEvents:
    run_start: float | None = None
    run_end: float | None = None
    status: str = ""
    step_start: dict[str, float] = field(default_factory=dict)
    step_end: dict[str, float] = field(default_factory=dict)
    failed_steps: list[str] = field(default_factory=list)
    #: step -> (first, last) time it reported an asset materialization or check result
    step_outputs: dict[str, list[float]] = field(default_factory=dict)
    #: asset key -> metadata of its materializations (merged, in event order)
    materializations: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: dbt node (without the project prefix) -> seconds
    dbt_nodes: dict[str, float] = field(default_factory=dict)
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def steps(self, since: float) -> list[dict[str, Any]]:
        """Every step in start order: its start ``since`` the reference and its duration."""
        rows = []
        for key, started in sorted(self.step_start.items(), key=lambda item: item[1]):
            ended = self.step_end.get(key)
            outputs = self.step_outputs.get(key)
            rows.append(
                {
                    "step": key,
                    "starts_at_s": round(started - since, 2),
                    "seconds": round(ended - started, 2) if ended is not None else None,
                    # before its first result (start-up), and after its last one
                    "first_result_after_s": round(outputs[0] - started, 2) if outputs else None,
                    "after_last_result_s": (
                        round(ended - outputs[1], 2) if outputs and ended is not None else None
                    ),
                    "failed": key in self.failed_steps,
                }
            )
        return rows

    def dbt_summary(self, top: int = 10) -> dict[str, Any]:
        return summarize(list(self.dbt_nodes.items()), top)

    def message(self, prefix: str) -> str | None:
        return next((m for m in self.messages if m.startswith(prefix)), None)

    def metadata(self, key: str, name: str, default: Any = None) -> Any:
        return self.materializations.get(key, {}).get(name, default)


def _dbt_node(metadata: dict[str, Any]) -> tuple[str, float] | None:
    unique_id, seconds = metadata.get("unique_id"), metadata.get(_DURATION)
    if unique_id is None or seconds is None:
        return None
    return str(unique_id).split(".", 2)[-1], float(seconds)


def read_run(instance: Any, run_id: str) -> RunEvents:
    """Everything above from the run's event log (``instance.all_logs``)."""
    from dagster import DagsterEventType as kind

    events = RunEvents()
    run = instance.get_run_by_id(run_id)
    events.status = run.status.value if run is not None else "UNKNOWN"
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            if entry.user_message:
                events.messages.append(entry.user_message)
            continue
        kind_ = event.event_type
        if event.step_key and kind_ in (kind.ASSET_MATERIALIZATION, kind.ASSET_CHECK_EVALUATION):
            span = events.step_outputs.setdefault(event.step_key, [entry.timestamp] * 2)
            span[1] = entry.timestamp
        if kind_ == kind.RUN_START:
            events.run_start = entry.timestamp
        elif kind_ in (kind.RUN_SUCCESS, kind.RUN_FAILURE, kind.RUN_CANCELED):
            events.run_end = entry.timestamp
        elif kind_ == kind.STEP_START:
            events.step_start.setdefault(event.step_key, entry.timestamp)
        elif kind_ in (kind.STEP_SUCCESS, kind.STEP_FAILURE):
            events.step_end[event.step_key] = entry.timestamp
            if kind_ == kind.STEP_FAILURE:
                events.failed_steps.append(event.step_key)
        elif kind_ == kind.ASSET_MATERIALIZATION:
            mat = event.event_specific_data.materialization
            metadata = {k: _value(v) for k, v in mat.metadata.items()}
            key = mat.asset_key.to_user_string()
            events.materializations.setdefault(key, {}).update(metadata)
            node = _dbt_node(metadata)
            if node:
                events.dbt_nodes[node[0]] = node[1]
        elif kind_ == kind.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            metadata = {k: _value(v) for k, v in (evaluation.metadata or {}).items()}
            node = _dbt_node(metadata)
            if node:
                events.dbt_nodes[node[0]] = node[1]
            if evaluation.passed:
                events.checks_passed += 1
            else:
                name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                events.checks_failed.append(name)
    return events


def _no_prepared_statements() -> None:
    """No server-side prepared statements on this process's psycopg connections.

    Publishing a range of days for every tenant (the gate's ``publish_tenants``: one
    connection, the same statements per tenant) gets psycopg's automatic prepared
    statements after five tenants; Postgres then keeps a generic plan that costs more with
    every tenant already published: 500 tenants x 364 days took 1,754 s, 95 s without.
    The rows written are the same either way; only the history's preparation is faster.
    """
    from psycopg import _preparing

    _preparing.PrepareManager.prepare_threshold = None


def run_history(
    env: dict[str, str], first: date, last: date, skip_groups: tuple[str, ...], output: Path
) -> dict[str, Any]:
    """``daily_pipeline_job`` over [first, last] as one run without ``skip_groups``, in this
    process with ``env``; its progress lines and dbt's output go to ``output``."""
    os.environ.update(env)  # before the definitions load: they read the partitions' start
    _no_prepared_statements()
    with output.open("w", encoding="utf-8") as out:
        sys.stdout = sys.stderr = out
        from rich.console import Console

        from boardroom.cli.pipeline_run import run_pipeline
        from boardroom.cli.runtime import open_runtime
        from boardroom.settings import Settings

        started = time.perf_counter()
        with open_runtime(Settings.from_env()) as runtime:
            report = run_pipeline(
                runtime, first, last, skip_groups=skip_groups, console=Console(file=out, width=160)
            )
        out.flush()
    return {
        "run_id": report.run_id,
        "success": report.success,
        "seconds": round(time.perf_counter() - started, 1),
        "failures": report.failures,
        "failed_checks": report.failed_checks,
    }
