"""``dbt``: dagster-dbt's CLI resource, pointed at the warehouse by URL from the environment."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource
from pydantic import Field

from boardroom.dbt import parse_cache
from boardroom.dbt.env import dbt_env_from_url
from boardroom.dbt.process import dbt_environment, dbt_executable
from orchestration.defs.marts.project import boardroom_dbt_project


@contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class BoardroomDbtResource(DbtCliResource):
    """``DbtCliResource`` whose invocations read the profile's ``BOARDROOM_DBT_*`` variables
    from ``warehouse_url`` (an ``EnvVar``, so the password is neither shown nor logged).

    dagster-dbt hands ``os.environ`` to the dbt subprocess and to the adapter it opens for
    row counts, so the variables are set for the duration of :meth:`cli` only.
    """

    warehouse_url: str = Field(description="Warehouse URL (postgresql://...), from an EnvVar.")
    threads: int = Field(default=4, description="dbt threads.")

    def profile_env(self) -> dict[str, str]:
        """The profile's ``BOARDROOM_DBT_*`` variables for :attr:`warehouse_url`."""
        return dbt_env_from_url(self.warehouse_url, threads=self.threads)

    def cli(
        self,
        args: Sequence[str],
        *,
        extra_env: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> DbtCliInvocation:
        """``DbtCliResource.cli`` with the profile's variables and ``extra_env`` (the run
        window) set, starting from the warehouse's kept partial-parse state when
        ``target_path`` is given (see :meth:`keep_parse_state`)."""
        run_env = {**self.profile_env(), **(extra_env or {})}
        target_path = kwargs.get("target_path")
        if target_path is not None:
            parse_cache.restore(Path(target_path), run_env)
        with _environ(dbt_environment(run_env)):
            return super().cli(args, **kwargs)

    def keep_parse_state(
        self, target_path: Path, extra_env: Mapping[str, str] | None = None
    ) -> None:
        """Keep the partial-parse state a finished invocation (with ``extra_env``, as given
        to :meth:`cli`) left in ``target_path``."""
        parse_cache.save(target_path, {**self.profile_env(), **(extra_env or {})})


@dg.definitions
def dbt_resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "dbt": BoardroomDbtResource(
                project_dir=boardroom_dbt_project,
                warehouse_url=dg.EnvVar("BOARDROOM_WAREHOUSE_URL"),
                dbt_executable=dbt_executable(),
                global_config_flags=["--no-use-colors"],
            )
        }
    )
