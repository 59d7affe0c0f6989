"""``run_failure_alert_sensor``: a failed run becomes a platform alert and a mail.

Each failed run of this code location writes ONE row to ``marts.alerts``: a platform alert
(``tenant_id = '__platform__'``, which no tenant reader's policy matches: it is for the
data engineers) of kind ``run_failed``, keyed by the run id, through the writer of the
gate's ``publication_blocked`` alerts (insert-only here), dated the run's last as-of day
(the failure's UTC date for unpartitioned runs). When the row is new and both
``BOARDROOM_SMTP_HOST`` and ``BOARDROOM_DATA_OWNER_EMAIL`` are set, the data owner gets a
mail saying what failed and where to look.
"""

# No `from __future__ import annotations`: Dagster reads the sensor's resource annotations.

from dataclasses import dataclass
from datetime import UTC, date, datetime

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, PARTITION_NAME_TAG

from boardroom.database import connect
from boardroom.gate.publish import PLATFORM_KEY
from boardroom.gate.records import Alert, write_alert
from boardroom.gate.tables import ensure_published_tables
from boardroom.settings import Settings
from orchestration.defs.automation.notify import data_owner_message, send
from orchestration.defs.databases.resources import PostgresResource

RUN_FAILED = "run_failed"


@dataclass(frozen=True)
class FailedRun:
    run_id: str
    job_name: str
    as_of_date: date
    steps: list[str]  # "step: first line of its error"

    def alert(self) -> Alert:
        return Alert(
            tenant_id=PLATFORM_KEY,
            as_of_date=self.as_of_date,
            alert_kind=RUN_FAILED,
            alert_key=f"run:{self.run_id}",
            metric="pipeline_run",
            value=len(self.steps),
            message=self.describe(),
        )

    def describe(self) -> str:
        failed = "; ".join(self.steps) or "the run failed before any step"
        return (
            f"Run {self.run_id} of {self.job_name} (as-of {self.as_of_date.isoformat()}) "
            f"failed: {failed}. Its logs are on the run's page in the Dagster UI."
        )


def as_of_date(tags: dict[str, str], failed_at: datetime) -> date:
    """The run's (last) as-of day from its partition tags, else the failure's UTC date."""
    for tag in (ASSET_PARTITION_RANGE_END_TAG, PARTITION_NAME_TAG):
        try:
            return date.fromisoformat(tags[tag])
        except (KeyError, ValueError):
            continue
    return failed_at.astimezone(UTC).date()


def failed_run(context: dg.RunFailureSensorContext) -> FailedRun:
    run = context.dagster_run
    steps = []
    for event in context.get_step_failure_events():
        error = event.event_specific_data.error if event.event_specific_data else None
        lines = (error.message if error else "failed").strip().splitlines()
        steps.append(f"{event.step_key}: {lines[0] if lines else 'failed'}")
    record = context.instance.get_run_record_by_id(run.run_id)
    ended = record.end_time if record and record.end_time else None
    failed_at = datetime.fromtimestamp(ended, UTC) if ended else datetime.now(UTC)
    return FailedRun(run.run_id, run.job_name, as_of_date(dict(run.tags), failed_at), steps)


def record_failure(warehouse_url: str, failure: FailedRun) -> bool | None:
    """Write the alert: True when new, False when already recorded, None when there is no
    ``marts.alerts`` yet (nothing built so far)."""
    with connect(warehouse_url, autocommit=True) as conn:
        if "alerts" not in ensure_published_tables(conn):
            return None
        return write_alert(conn, failure.alert(), update=False) == 1


@dg.run_failure_sensor(
    name="run_failure_alert_sensor",
    description="When a run of this code location fails, write one platform alert "
    "(`tenant_id = '__platform__'`, `alert_kind = 'run_failed'`, keyed by run id) to "
    "`marts.alerts` and, if BOARDROOM_SMTP_HOST and BOARDROOM_DATA_OWNER_EMAIL are set, "
    "mail the data owner the failed steps and the run id.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def run_failure_alert_sensor(
    context: dg.RunFailureSensorContext, warehouse: PostgresResource
) -> None:
    failure = failed_run(context)
    try:
        recorded = record_failure(warehouse.url, failure)
    except Exception as exc:  # the warehouse may be what failed: the owner still hears of it
        context.log.warning(f"run {failure.run_id}: alert not recorded ({exc})")
        recorded = None
    if recorded is None:
        context.log.warning(f"run {failure.run_id}: no marts.alerts to record the alert in")
    elif not recorded:
        context.log.info(f"run {failure.run_id}: alert already recorded")
    settings = Settings.from_env()
    message = data_owner_message(
        settings,
        f"Boardroom: {failure.job_name} failed (as-of {failure.as_of_date})",
        failure.describe(),
    )
    if message is not None and recorded is not False:  # mailed once per failed run
        send(settings, message)
        context.log.info(f"run {failure.run_id}: data owner notified")
