"""Run the dbt project outside Dagster: the benchmarks, the tests' warehouse builds, scripts.

Dagster runs dbt through ``dagster-dbt`` (``orchestration/defs/marts``); this module is the
plain-subprocess path with the same profile, selector and run window, so a warehouse built
either way holds the same rows.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

from boardroom.dbt import parse_cache
from boardroom.dbt.env import DBT_SELECTOR, DbtWindow, dbt_env_from_url
from boardroom.dbt.process import run_dbt_process
from boardroom.dbt.static_nodes import plan_static_nodes
from boardroom.paths import DBT_PROJECT_DIR


def target_path(work_dir: Path | None) -> Path:
    """dbt's target folder for a run kept in ``work_dir`` (default: the project's own)."""
    return (work_dir or DBT_PROJECT_DIR) / "target"


def run_dbt(
    args: Sequence[str],
    warehouse_url: str,
    *,
    work_dir: Path | None = None,
    threads: int = 4,
    timeout: float = 1800,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` against the warehouse; raise
    :class:`~boardroom.dbt.process.DbtRunError` on failure.

    ``work_dir`` keeps dbt's target and logs apart (parallel invocations must not share
    them); default is the project's own ``target/`` and ``logs/``. ``env`` adds to the
    environment (a run window's :meth:`~boardroom.dbt.env.DbtWindow.env`). The
    warehouse's partial-parse state is restored before and kept after a successful run.
    """
    target_dir = target_path(work_dir)
    profile_env = dbt_env_from_url(warehouse_url, threads=threads)
    run_env = {**profile_env, **(env or {})}
    parse_cache.restore(target_dir, run_env)
    result = run_dbt_process(
        args,
        target_path=None if work_dir is None else target_dir,
        log_path=None if work_dir is None else work_dir / "logs",
        env=run_env,
        timeout=timeout,
    )
    parse_cache.save(target_dir, run_env)
    return result


def build_marts(
    warehouse_url: str,
    min_date: date | str,
    max_date: date | str,
    *,
    start_date: date | str | None = None,
    event_days: Iterable[date | str] = (),
    late_events_loaded_since: datetime | None = None,
    full_refresh: bool = False,
    unit_tests: bool = True,
    work_dir: Path | None = None,
    threads: int = 4,
) -> subprocess.CompletedProcess[str]:
    """One ``dbt build`` of every tenant's marts for the as-of days [min_date, max_date].

    The static nodes are left out when the warehouse already holds this project's build of
    them (:mod:`boardroom.dbt.static_nodes`); such a build writes no ``run_results.json``:
    :func:`boardroom.dbt.results.node_results` reads what ran from the returned output."""
    selector = DBT_SELECTOR if unit_tests else f"{DBT_SELECTOR}_no_unit_tests"
    static = plan_static_nodes(warehouse_url, rebuild=full_refresh)
    args = ["build", "--selector", selector, *static.dbt_flags()]
    if full_refresh:
        args.append("--full-refresh")
    window = DbtWindow(
        min_date,
        max_date,
        start_date=start_date,
        event_days=tuple(event_days),
        late_events_loaded_since=late_events_loaded_since,
    )
    result = run_dbt(
        args,
        warehouse_url,
        work_dir=work_dir,
        threads=threads,
        env={**window.env(), **static.env()},
    )
    static.record(warehouse_url, target_path(work_dir) / "manifest.json")
    return result
