"""The publication gate: audit the marts with Great Expectations, publish passing tenants.

* ``publish.publish_tenants``: copy tenants' audited rows into ``marts`` (atomic per tenant,
  idempotent, logged in ``marts.publication_log``).
* ``evaluate.evaluate_marts``: the suites of ``expectations/`` over a run's days.
* ``gate.run_gate``: evaluate, publish the passing tenants, alert and log the withheld ones.
* ``security.apply_security``: reader roles, grants and row-level security on ``marts``.

Importable without Dagster; Great Expectations is imported only when evaluating.
"""

from boardroom.gate.publish import PublishReport, publish_tenants

__all__ = ["PublishReport", "publish_tenants"]
