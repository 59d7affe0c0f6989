"""Runs of the workspace's jobs made the way the Dagster UI or a schedule makes them.

A run created by ``JobDefinition.execute_in_process`` has no code-location origin: the UI
lists it on the Runs page only, not in the Overview timeline nor in the job's run history
(both filter on the ``repository@location`` label). Here the run is created with the
origin of the code location named in ``workspace.yaml`` (the one ``boardroom dev`` and the
daemon load) and executed in this process from a reconstructable job of that location.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableJob, ReconstructableRepository
from dagster._core.execution.api import execute_run
from dagster._core.execution.execute_in_process import merge_run_tags
from dagster._core.remote_origin import (
    ManagedGrpcPythonEnvCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.workspace.autodiscovery import loadable_targets_from_python_module
from dagster._core.workspace.load import location_origins_from_yaml_paths

from boardroom.paths import WORKSPACE_FILE

#: Tag on every run started from the command line (a filter in the Runs page).
LAUNCHED_BY_TAG = "boardroom/launched_by"


@dataclass(frozen=True)
class WorkspaceJob:
    """A job of the workspace's code location: how to rebuild it and where it comes from."""

    recon_job: ReconstructableJob
    origin: RemoteJobOrigin

    @property
    def location_name(self) -> str:
        return self.origin.repository_origin.code_location_origin.location_name

    @property
    def repository_label(self) -> str:
        """``repository@location``, the label the UI's job pages filter runs on."""
        return self.origin.repository_origin.get_label()

    def definition(self) -> dg.JobDefinition:
        return self.recon_job.get_definition()


def workspace_job(job_name: str, workspace_file: Path = WORKSPACE_FILE) -> WorkspaceJob:
    """``job_name`` of the (single) Python-module code location of ``workspace_file``."""
    origins = [
        o
        for o in location_origins_from_yaml_paths([str(workspace_file)])
        if isinstance(o, ManagedGrpcPythonEnvCodeLocationOrigin)
        and o.loadable_target_origin.module_name
    ]
    if len(origins) != 1:
        raise ValueError(f"{workspace_file} must load exactly one python_module location.")
    location = origins[0]
    target = location.loadable_target_origin
    module = target.module_name
    assert module is not None
    working_directory = target.working_directory or str(workspace_file.parent)
    attribute = target.attribute or _definitions_attribute(module, working_directory)
    recon_repo = ReconstructableRepository.for_module(module, attribute, working_directory)
    repository_name = recon_repo.get_definition().name
    origin = RemoteRepositoryOrigin(location, repository_name).get_job_origin(job_name)
    return WorkspaceJob(recon_repo.get_reconstructable_job(job_name), origin)


def _definitions_attribute(module: str, working_directory: str) -> str:
    """The module attribute the code server would load (the one Definitions in it)."""
    targets = loadable_targets_from_python_module(module, working_directory)
    if len(targets) != 1:
        raise ValueError(f"{module} must define exactly one Definitions object.")
    return targets[0].attribute


def execute_with_origin(
    job: WorkspaceJob,
    instance: dg.DagsterInstance,
    *,
    run_id: str,
    run_config: Mapping[str, Any],
    partition_key: str | None = None,
    tags: Mapping[str, str] | None = None,
    asset_selection: Sequence[dg.AssetKey] | None = None,
) -> dg.DagsterRun:
    """Create the run with the location's origin and execute it here; the finished run."""
    job_def = job.definition()
    run_tags = merge_run_tags(
        job_def=job_def,
        partition_key=partition_key,
        tags={LAUNCHED_BY_TAG: "cli", **(tags or {})},
        asset_selection=asset_selection,
        instance=instance,
        run_config=run_config,
    )
    run = instance.create_run_for_job(
        job_def=job_def,
        run_id=run_id,
        run_config=run_config,
        tags=run_tags,
        asset_selection=frozenset(asset_selection) if asset_selection else None,
        remote_job_origin=job.origin,
        job_code_origin=job.recon_job.get_python_origin(),
    )
    execute_run(job.recon_job, run, instance, raise_on_error=False)
    finished = instance.get_run_by_id(run_id)
    assert finished is not None
    return finished
