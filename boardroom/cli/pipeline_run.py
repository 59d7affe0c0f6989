"""``boardroom run``: the daily pipeline for one as-of day (or a range), in this process.

The run goes through Dagster (``daily_pipeline_job`` of the code location in
``workspace.yaml``) on the persistent instance under ``DAGSTER_HOME``. It is created with
that location's origin and executed here from a reconstructable job
(:mod:`boardroom.cli.workspace_run`), so the Dagster UI shows it as it shows a scheduled run: in
the Overview timeline, the job's run history and on the asset pages, with the same checks
and metadata. A range runs as ONE run (a single-run backfill), which is how
``boardroom demo`` builds every generated day.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from boardroom.cli.runtime import Runtime, child_environment
from boardroom.jobs import DAILY_PIPELINE_JOB

log = logging.getLogger(__name__)

#: Materialization metadata worth a glance in the summary, in display order.
_HIGHLIGHTS = (
    ("mode", "mode"),
    ("rows_upserted", "upserted"),
    ("rows_deleted", "deleted"),
    ("rows_loaded", "loaded"),
    ("rows_quarantined", "quarantined"),
    ("late_rows", "late"),
    ("days_touched_count", "days touched"),
    ("packs_rendered", "packs"),
    ("pages", "pages"),
)


class PipelineInputError(ValueError):
    """The requested days cannot be run; the message says why."""


def parse_day(text: str, option: str = "--as-of") -> date:
    """``YYYY-MM-DD`` -> date, or a :class:`PipelineInputError` naming the option."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PipelineInputError(
            f"{option} must be a date like 2026-03-31 (YYYY-MM-DD); got {text!r}."
        ) from None


def yesterday_utc() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


def check_window(first: date, last: date) -> None:
    """The as-of days must be complete days (up to yesterday, UTC) inside the partitions."""
    from boardroom.partitions_start import partitions_start

    start = date.fromisoformat(partitions_start())
    newest = yesterday_utc()
    if first > last:
        raise PipelineInputError(f"--from {first} is after --to {last}.")
    if first < start:
        raise PipelineInputError(
            f"{first} is before the first as-of day {start}, where the data starts "
            "(BOARDROOM_PARTITIONS_START, or the day recorded in <data folder>/partitions_start)."
        )
    if last > newest:
        raise PipelineInputError(
            f"{last} has not ended yet: the newest as-of day is {newest} (yesterday, UTC)."
        )


@dataclass
class AssetOutcome:
    """What one asset did in the run (over every partition of the window)."""

    key: str
    group: str
    partitions: set[str] = field(default_factory=set)
    metadata: dict[str, Any] = field(default_factory=dict)
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    checks_warned: list[str] = field(default_factory=list)
    #: ``asset:check`` of each failed check -> what it observed.
    check_notes: dict[str, str] = field(default_factory=dict)

    @property
    def materialized(self) -> bool:
        return bool(self.partitions)

    def rows(self) -> str:
        for name in ("dagster/row_count", "rows_in_days", "rows_in_source"):
            if name in self.metadata:
                return f"{self.metadata[name]:,}"
        return ""

    def highlights(self) -> str:
        parts = [
            f"{label} {self.metadata[name]}"
            for name, label in _HIGHLIGHTS
            if name in self.metadata and self.metadata[name] not in (0, None, "")
        ]
        return ", ".join(parts)

    def checks(self) -> str:
        total = self.checks_passed + len(self.checks_failed) + len(self.checks_warned)
        if not total:
            return ""
        text = f"{self.checks_passed}/{total} passed"
        if self.checks_warned:
            text += f", {len(self.checks_warned)} warned"
        if self.checks_failed:
            text += f", {len(self.checks_failed)} FAILED"
        return text


@dataclass
class PipelineReport:
    run_id: str
    first: date
    last: date
    success: bool
    seconds: float
    assets: dict[str, AssetOutcome]
    failures: list[str]
    log_path: Path | None = None

    @property
    def failed_checks(self) -> list[str]:
        return [name for outcome in self.assets.values() for name in outcome.checks_failed]

    @property
    def window(self) -> str:
        return f"{self.first}" if self.first == self.last else f"{self.first} .. {self.last}"

    def failure_paragraph(self) -> str:
        """Why the run failed, in one paragraph (see :mod:`boardroom.cli.run_failure`)."""
        from boardroom.cli.run_failure import CheckFailure, failure_paragraph

        checks = [
            CheckFailure(name, outcome.check_notes.get(name, "no detail reported"))
            for outcome in self.assets.values()
            for name in outcome.checks_failed
        ]
        return failure_paragraph(
            run_id=self.run_id,
            window=self.window,
            step_failures=self.failures,
            checks=checks,
            log_path=self.log_path,
        )


def _value(metadata_value: Any) -> Any:
    return getattr(metadata_value, "value", metadata_value)


class _Progress:
    """Reads the run's events from the instance as they are stored and reports them."""

    def __init__(
        self,
        instance: Any,
        run_id: str,
        outcomes: dict[str, AssetOutcome],
        echo: Callable[[str], None],
    ) -> None:
        self.instance = instance
        self.run_id = run_id
        self.outcomes = outcomes
        self.echo = echo
        self.failures: list[str] = []
        self._cursor: str | None = None
        self._announced: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="boardroom-progress", daemon=True)

    def __enter__(self) -> _Progress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.poll()

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            try:
                self.poll()
            except Exception as exc:  # a storage hiccup: the final poll reports everything
                log.debug("progress poll failed: %s", exc)

    def poll(self) -> None:
        from dagster import DagsterEventType

        kinds = {
            DagsterEventType.STEP_SUCCESS,
            DagsterEventType.STEP_FAILURE,
            DagsterEventType.ASSET_MATERIALIZATION,
            DagsterEventType.ASSET_CHECK_EVALUATION,
        }
        while True:
            result = self.instance.get_records_for_run(
                self.run_id, cursor=self._cursor, of_type=kinds, limit=1000
            )
            self._cursor = result.cursor
            for record in result.records:
                event = record.event_log_entry.dagster_event
                if event is not None:
                    self._handle(event)
            if not result.has_more:
                return

    def _outcome(self, key: Any) -> AssetOutcome:
        name = key.to_user_string()
        if name not in self.outcomes:
            self.outcomes[name] = AssetOutcome(name, "")
        return self.outcomes[name]

    def _handle(self, event: Any) -> None:
        from dagster import DagsterEventType

        kind = event.event_type
        if kind == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.event_specific_data.materialization
            outcome = self._outcome(mat.asset_key)
            outcome.partitions.add(mat.partition or "")
            outcome.metadata.update({k: _value(v) for k, v in mat.metadata.items()})
            if outcome.key not in self._announced:
                self._announced.add(outcome.key)
                rows = outcome.rows()
                self.echo(
                    f"  [green]materialized[/] {outcome.key}" + (f"  ({rows} rows)" if rows else "")
                )
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            outcome = self._outcome(evaluation.asset_key)
            name = f"{outcome.key}:{evaluation.check_name}"
            if evaluation.passed:
                outcome.checks_passed += 1
            elif str(getattr(evaluation.severity, "value", "")).upper() == "WARN":
                outcome.checks_warned.append(name)
                self.echo(f"  [yellow]check warned[/] {name}")
            else:
                from boardroom.cli.run_failure import observed_in

                outcome.checks_failed.append(name)
                outcome.check_notes[name] = observed_in(
                    evaluation.description, evaluation.metadata or {}
                )
                self.echo(f"  [red]check failed[/] {name}")
        elif kind == DagsterEventType.STEP_SUCCESS:
            seconds = event.event_specific_data.duration_ms / 1000
            self.echo(f"[green]step done[/] {event.step_key} ({seconds:.1f} s)")
        elif kind == DagsterEventType.STEP_FAILURE:
            from boardroom.cli.run_failure import error_text

            head = error_text(event.event_specific_data.error)
            self.failures.append(f"step {event.step_key} failed: {head}")
            self.echo(f"[red]step failed[/] {event.step_key}: {escape(head)}")


def run_failure_reasons(instance: Any, run_id: str) -> list[str]:
    """The run's own failure message, when no step reported one (e.g. a run-level error)."""
    from dagster import DagsterEventType

    from boardroom.cli.run_failure import error_head, error_text

    records = instance.get_records_for_run(
        run_id, of_type={DagsterEventType.RUN_FAILURE, DagsterEventType.STEP_FAILURE}, limit=20
    ).records
    reasons = []
    for record in records:
        entry = record.event_log_entry
        event = entry.dagster_event
        error = getattr(event.event_specific_data, "error", None) if event else None
        text = error_text(error) if error else error_head(entry.message or "")
        reasons.append(
            f"step {event.step_key} failed: {text}" if event and event.step_key else text
        )
    return reasons


@contextmanager
def exported_environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in ``os.environ`` for the in-process run, restoring it afterwards."""
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _step_output_to(log_file: TextIO | None) -> Iterator[TextIO]:
    """Send what steps print (dbt's log lines, which Dagster also keeps as the run's compute
    logs) to ``log_file``; yield a stream to the terminal for the progress lines.

    Dagster mirrors a step's captured stdout back to file descriptor 1, so on a real
    terminal descriptor 1 itself is pointed at the log file for the run.
    """
    stream = sys.stdout
    if log_file is None:
        yield stream
        return
    try:
        is_fd1 = stream.fileno() == 1
    except (AttributeError, OSError, ValueError):
        is_fd1 = False
    if not is_fd1:  # e.g. a test runner's captured stream
        with contextlib.redirect_stdout(log_file):
            yield stream
        return
    stream.flush()
    saved = os.dup(1)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8")
    os.dup2(log_file.fileno(), 1)
    try:
        yield terminal
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        terminal.close()


class _BelowWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


@contextmanager
def _quiet_logging(quiet: bool) -> Iterator[None]:
    """Keep INFO records (Dagster's run logger is at DEBUG) off the root logger's handlers
    while the progress lines are shown; ``--verbose`` lets them through."""
    handlers = list(logging.getLogger().handlers) if quiet else []
    below = _BelowWarning()
    for handler in handlers:
        handler.addFilter(below)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(below)


def range_tags(first: date, last: date) -> dict[str, str]:
    """Tags of a single-run backfill over the as-of days [first, last]."""
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    return {
        ASSET_PARTITION_RANGE_START_TAG: first.isoformat(),
        ASSET_PARTITION_RANGE_END_TAG: last.isoformat(),
    }


def run_config(full_refresh: bool, verbose: bool) -> dict[str, Any]:
    """The run's steps execute one after another in this process (as before: the progress
    lines and the step output file follow them)."""
    config: dict[str, Any] = {
        "execution": {"config": {"in_process": {}}},
        # Without --verbose, failures are told by the progress lines and one closing
        # paragraph; Dagster's own console lines (stack traces included) stay in the run logs.
        "loggers": {"console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}},
    }
    if full_refresh:
        config["ops"] = {
            "raw_app_tables": {"config": {"full_refresh": True}},
            "boardroom_dbt_models": {"config": {"full_refresh": True}},
        }
    return config


def _with_tenants(config: dict[str, Any], tenants: Sequence[str] | None) -> dict[str, Any]:
    """``config`` plus the tenant scope of publication and packs, if any."""
    if not tenants:
        return config
    from orchestration.defs.gate.scope import tenant_run_config

    ops = {**config.get("ops", {}), **tenant_run_config(tenants)["ops"]}
    return {**config, "ops": ops}


@dataclass
class RunPlan:
    """What one run executes: the workspace's daily job, the assets selected, the run's id."""

    job: Any  # a boardroom.cli.workspace_run.WorkspaceJob
    first: date
    last: date
    selected: list[Any]  # asset keys, by name
    subset: bool  # fewer than every asset of the job
    outcomes: dict[str, AssetOutcome]
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def partition_key(self) -> str | None:
        return self.first.isoformat() if self.first == self.last else None

    @property
    def tags(self) -> dict[str, str]:
        return {} if self.partition_key else range_tags(self.first, self.last)

    @property
    def window(self) -> str:
        return f"{self.first}" if self.first == self.last else f"{self.first} .. {self.last}"

    def describe(self, full_refresh: bool) -> str:
        return (
            f"Running {DAILY_PIPELINE_JOB} for as-of {self.window} ({len(self.selected)} "
            f"assets, run {self.run_id[:8]}{', full refresh' if full_refresh else ''})"
        )


@dataclass(frozen=True)
class RunExecution:
    """How an executed plan went."""

    success: bool
    failures: list[str]
    seconds: float
    log_path: Path


def plan_run(
    first: date,
    last: date,
    *,
    skip_groups: Sequence[str] = (),
    only_groups: Sequence[str] | None = None,
) -> RunPlan:
    """The daily job of the workspace for [first, last], its assets filtered by group.

    Loads the definitions: the run's environment must be exported first.
    """
    from boardroom.cli.workspace_run import workspace_job

    job = workspace_job(DAILY_PIPELINE_JOB)
    job_def = job.definition()
    graph = job_def.asset_layer.asset_graph
    every = job_def.asset_layer.selected_asset_keys
    selected = sorted(
        (
            key
            for key in every
            if graph.get(key).group_name not in skip_groups
            and (only_groups is None or graph.get(key).group_name in only_groups)
        ),
        key=lambda k: k.to_user_string(),
    )
    outcomes = {
        key.to_user_string(): AssetOutcome(key.to_user_string(), graph.get(key).group_name)
        for key in selected
    }
    return RunPlan(job, first, last, selected, len(selected) < len(every), outcomes)


def execute_plan(
    plan: RunPlan,
    runtime: Runtime,
    console: Console,
    *,
    full_refresh: bool = False,
    verbose: bool = False,
    tenants: Sequence[str] | None = None,
) -> RunExecution:
    """Execute the plan in this process, its progress on ``console`` as it goes; the
    outcomes of its assets are filled in ``plan.outcomes``."""
    import dagster as dg

    from boardroom.cli.workspace_run import execute_with_origin

    # dagster-dbt writes dbt's own log lines to stdout (a run's captured compute log):
    # keep them in a file, and the progress and summary on the terminal.
    log_path = runtime.settings.data_dir / "logs" / f"run-{plan.run_id[:8]}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with (
        _quiet_logging(not verbose),
        log_path.open("w", encoding="utf-8") as log_file,
        _step_output_to(None if verbose else log_file) as terminal_stream,
        dg.DagsterInstance.get() as instance,
    ):
        terminal = Console(file=terminal_stream, width=console.width, no_color=console.no_color)
        progress = _Progress(instance, plan.run_id, plan.outcomes, terminal.print)
        with progress:
            run = execute_with_origin(
                plan.job,
                instance,
                run_id=plan.run_id,
                run_config=_with_tenants(run_config(full_refresh, verbose), tenants),
                partition_key=plan.partition_key,
                tags=plan.tags,
                asset_selection=plan.selected if plan.subset else None,
            )
        success = run.status == dg.DagsterRunStatus.SUCCESS
        failures = progress.failures or (
            [] if success else run_failure_reasons(instance, plan.run_id)
        )
    return RunExecution(success, failures, time.perf_counter() - started, log_path)


def report_run(
    plan: RunPlan, execution: RunExecution, console: Console, *, verbose: bool = False
) -> PipelineReport:
    """The run's report; without ``verbose``, says where dbt's and the steps' output went."""
    if not verbose:
        console.print(f"dbt and step output: {execution.log_path}")
    return PipelineReport(
        run_id=plan.run_id,
        first=plan.first,
        last=plan.last,
        success=execution.success,
        seconds=execution.seconds,
        assets=plan.outcomes,
        failures=execution.failures,
        log_path=None if verbose else execution.log_path,
    )


def run_pipeline(
    runtime: Runtime,
    first: date,
    last: date,
    *,
    full_refresh: bool = False,
    verbose: bool = False,
    console: Console | None = None,
    skip_groups: Sequence[str] = (),
    only_groups: Sequence[str] | None = None,
    tenants: Sequence[str] | None = None,
) -> PipelineReport:
    """Execute ``daily_pipeline_job`` for the as-of days [first, last] as one run.

    ``skip_groups`` / ``only_groups`` run a subset of the job's assets by group (the demo
    renders board packs for its newest day only, not for every day of its history).
    ``tenants`` scopes publication and board packs to those tenants.
    """
    from boardroom.partitions_start import ensure_start

    console = console or Console()
    ensure_start(runtime)  # before the definitions load: they read the partitions' first day
    check_window(first, last)
    with exported_environment(child_environment(runtime)):
        plan = plan_run(first, last, skip_groups=skip_groups, only_groups=only_groups)
        if not plan.selected:
            return PipelineReport("", first, last, True, 0.0, {}, [])
        console.print(plan.describe(full_refresh))
        execution = execute_plan(
            plan, runtime, console, full_refresh=full_refresh, verbose=verbose, tenants=tenants
        )
    return report_run(plan, execution, console, verbose=verbose)


#: Groups summed into one row each in the summary (their assets are many and alike); an
#: asset of theirs whose checks failed is still listed in the failures below the table.
COLLAPSED_GROUPS = ("staging", "snapshots", "intermediate")


def _collapsed_groups(report: PipelineReport) -> dict[str, list[AssetOutcome]]:
    groups: dict[str, list[AssetOutcome]] = {}
    for outcome in report.assets.values():
        if outcome.group in COLLAPSED_GROUPS:
            groups.setdefault(outcome.group, []).append(outcome)
    return dict(sorted(groups.items()))


def summary_table(report: PipelineReport) -> Table:
    """One row per asset: status, partitions, rows, highlights, checks."""
    title = "as-of " + (
        f"{report.first}" if report.first == report.last else f"{report.first} .. {report.last}"
    )
    table = Table(title=f"Daily pipeline, {title}")
    for column in ("asset", "status", "partitions", "rows", "highlights", "checks"):
        justify = "right" if column in ("partitions", "rows") else "left"
        table.add_column(column, justify=justify, overflow="fold")
    for group, outcomes in _collapsed_groups(report).items():
        status = "[green]materialized[/]" if all(o.materialized for o in outcomes) else "partly"
        passed = sum(o.checks_passed for o in outcomes)
        failed = sum(len(o.checks_failed) for o in outcomes)
        checks = f"{passed}/{passed + failed} passed" if passed + failed else ""
        table.add_row(f"{group}/* ({len(outcomes)} assets)", status, "", "", "", checks)
    shown = [n for n in report.assets if report.assets[n].group not in COLLAPSED_GROUPS]
    for name in sorted(shown, key=lambda n: (report.assets[n].group, n)):
        outcome = report.assets[name]
        if outcome.materialized:
            status = "[green]materialized[/]"
        else:
            status = "[red]not materialized[/]" if not report.success else "skipped"
        if outcome.checks_failed:
            status = "[red]checks failed[/]"
        table.add_row(
            name,
            status,
            str(len(outcome.partitions)) if outcome.partitions else "",
            outcome.rows(),
            outcome.highlights(),
            outcome.checks(),
        )
    return table


def print_report(report: PipelineReport, console: Console) -> None:
    console.print(summary_table(report))
    checks = [o for o in report.assets.values() if o.checks()]
    passed = sum(o.checks_passed for o in checks)
    failed = len(report.failed_checks)
    warned = sum(len(o.checks_warned) for o in checks)
    materialized = sum(1 for o in report.assets.values() if o.materialized)
    console.print(
        f"{materialized}/{len(report.assets)} assets materialized; checks: {passed} passed, "
        f"{warned} warned, {failed} failed; {report.seconds:.1f} s; run id {report.run_id}"
    )
