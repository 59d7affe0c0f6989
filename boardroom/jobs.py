"""Names of the Dagster jobs that code outside the definitions refers to.

``boardroom run`` names the daily job before the definitions are loaded (they read the
partitions' first day, which the command records first), so the name lives here and
``orchestration`` takes it from here too.
"""

from __future__ import annotations

#: Every daily asset for one as-of day (or a range, in one run); see
#: ``orchestration/defs/pipeline.py``.
DAILY_PIPELINE_JOB = "daily_pipeline_job"
