"""The ``boardroom`` command line (:mod:`boardroom.cli.main`) and what only it uses.

* :mod:`~boardroom.cli.runtime`: databases and PostHog brought up for a command, and the
  environment of the Dagster and dbt processes it starts;
* :mod:`~boardroom.cli.pipeline_run`: ``boardroom run``, the daily job in this process, with
  :mod:`~boardroom.cli.workspace_run` (runs with the workspace's origin) and
  :mod:`~boardroom.cli.run_failure` (the closing paragraph of a failed run);
* :mod:`~boardroom.cli.demo_setup`: ``boardroom generate`` and ``boardroom demo``;
* :mod:`~boardroom.cli.dev_server`: ``boardroom dev``.

Only this package imports ``orchestration`` (the Dagster definitions); the rest of
``boardroom`` does not depend on Dagster's code location.
"""
