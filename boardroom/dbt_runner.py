"""Run the dbt project outside Dagster: the benchmarks, the tests' warehouse builds, scripts.

Dagster runs dbt through ``dagster-dbt`` (``orchestration/defs/marts``); this module is the
plain-subprocess path with the same profile, selector and run window, so a warehouse built
either way holds the same rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

from boardroom import dbt_parse_cache
from boardroom.dbt_env import DBT_PROJECT_DIR, DBT_SELECTOR, DbtWindow, dbt_env_from_url
from boardroom.dbt_static_nodes import plan_static_nodes


class DbtRunError(RuntimeError):
    """A dbt invocation failed; the message ends with the tail of dbt's output."""


def dbt_executable() -> str:
    """The ``dbt`` next to this interpreter (the project's virtualenv), else from PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


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
    """Run ``dbt <args>`` against the warehouse; raise :class:`DbtRunError` on failure.

    ``work_dir`` keeps dbt's target and logs apart (parallel invocations must not share
    them); default is the project's own ``target/`` and ``logs/``. ``env`` adds to the
    environment (a run window's :meth:`~boardroom.dbt_env.DbtWindow.env`). The
    warehouse's partial-parse state is restored before and kept after a successful run.
    """
    command = [dbt_executable(), "--no-use-colors", *args]
    command += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    target_dir = target_path(work_dir)
    if work_dir is not None:
        command += ["--target-path", str(target_dir), "--log-path", str(work_dir / "logs")]
    profile_env = dbt_env_from_url(warehouse_url, threads=threads)
    full_env = {
        **os.environ,
        **profile_env,
        **(env or {}),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt_parse_cache.restore(target_dir, profile_env)
    result = subprocess.run(
        command, env=full_env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        tail = (result.stdout[-6000:] + "\n" + result.stderr[-2000:]).strip()
        raise DbtRunError(f"dbt {' '.join(args[:1])} failed (exit {result.returncode}):\n{tail}")
    dbt_parse_cache.save(target_dir, profile_env)
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

    The staging views and seeds are left out when the warehouse already holds this
    project's build of them (:mod:`boardroom.dbt_static_nodes`)."""
    selector = DBT_SELECTOR if unit_tests else f"{DBT_SELECTOR}_no_unit_tests"
    args = ["build", "--selector", selector]
    if full_refresh:
        args.append("--full-refresh")
    window = DbtWindow(
        min_date,
        max_date,
        start_date=start_date,
        event_days=tuple(event_days),
        late_events_loaded_since=late_events_loaded_since,
    )
    static = plan_static_nodes(warehouse_url, rebuild=full_refresh)
    result = run_dbt(
        args,
        warehouse_url,
        work_dir=work_dir,
        threads=threads,
        env={**window.env(), **static.env()},
    )
    static.record(warehouse_url, target_path(work_dir) / "manifest.json")
    return result
