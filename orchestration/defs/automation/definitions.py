"""Automation definitions: the late-data and run-failure sensors."""

import dagster as dg

from orchestration.defs.automation.late_data_sensor import late_data_sensor
from orchestration.defs.automation.run_failure import run_failure_alert_sensor


@dg.definitions
def automation_definitions() -> dg.Definitions:
    return dg.Definitions(sensors=[late_data_sensor, run_failure_alert_sensor])
