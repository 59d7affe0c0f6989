"""The one place a ``dbt`` subprocess is started.

Every invocation outside Dagster (marts builds, ``dbt parse`` of the manifest, the tests' own
runs) goes through :func:`run_dbt_process`: the project's executable, no colours, the
project and profiles folders, its own target and log folders when given, the environment of
:func:`dbt_environment`, and on failure a :class:`DbtRunError` ending with the tail of dbt's
output. Dagster runs dbt through ``dagster-dbt``'s resource, given :func:`dbt_executable`
and :func:`dbt_environment` too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from boardroom.paths import DBT_PROJECT_DIR

#: dbt's file log level for every invocation. At debug level (dbt's default) dbt writes every
#: statement it runs to ``dbt.log``, about 5,000 lines a routine build, and formatting and
#: scrubbing those lines took about a sixth of dbt's CPU; the statements stay in
#: ``target/run``. An environment variable, so ``DBT_LOG_LEVEL_FILE=debug`` in the caller's
#: environment, or ``--log-level-file debug`` on the command line, brings them back.
DBT_ENV_DEFAULTS = {"DBT_LOG_LEVEL_FILE": "info"}


def dbt_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a dbt subprocess: this process's, with :data:`DBT_ENV_DEFAULTS`
    where it sets none of them, and ``extra``; anonymous usage statistics always off."""
    return {
        **DBT_ENV_DEFAULTS,
        **os.environ,
        **(extra or {}),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


class DbtRunError(RuntimeError):
    """A dbt invocation failed; the message ends with the tail of dbt's output."""


def dbt_executable() -> str:
    """``boardroom-dbt`` next to this interpreter (dbt with its garbage collector set,
    :mod:`boardroom.dbt.launcher`), else the ``dbt`` next to it, else ``dbt`` from PATH."""
    for name in ("boardroom-dbt", "dbt"):
        beside = Path(sys.executable).with_name(name)
        if beside.exists():
            return str(beside)
    return "dbt"


def output_tail(
    result: subprocess.CompletedProcess[str], stdout_chars: int = 6000, stderr_chars: int = 2000
) -> str:
    """The end of what dbt printed (its errors are last), stdout then stderr."""
    return (result.stdout[-stdout_chars:] + "\n" + result.stderr[-stderr_chars:]).strip()


def run_dbt_process(
    args: Sequence[str],
    *,
    project_dir: Path = DBT_PROJECT_DIR,
    profiles_dir: Path | None = None,
    target_path: Path | None = None,
    log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt --no-use-colors <args>`` on ``project_dir`` (profiles from ``profiles_dir``,
    default the project's own folder) and return the finished process, output captured.

    ``target_path`` and ``log_path`` keep dbt's target and logs apart (parallel invocations
    must not share them); unset, dbt uses the project's ``target/`` and ``logs/``. ``env``
    is added to this process's environment. With ``check``, a non-zero exit raises
    :class:`DbtRunError`.
    """
    command = [dbt_executable(), "--no-use-colors", *args]
    command += ["--project-dir", str(project_dir)]
    command += ["--profiles-dir", str(profiles_dir or project_dir)]
    if target_path is not None:
        command += ["--target-path", str(target_path)]
    if log_path is not None:
        command += ["--log-path", str(log_path)]
    full_env = dbt_environment(env)
    result = subprocess.run(
        command, env=full_env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise DbtRunError(
            f"dbt {' '.join(args[:1])} failed (exit {result.returncode}):\n{output_tail(result)}"
        )
    return result
