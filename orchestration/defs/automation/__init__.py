"""Automation (sensors and freshness) around the daily pipeline.

* ``late_data.py``: ``late_data_sensor`` re-runs the published as-of days that late events
  or operational changes reach.
* ``run_failure.py``: ``run_failure_alert_sensor`` records a failed run as a platform alert
  in ``marts.alerts`` and mails the data owner (``BOARDROOM_DATA_OWNER_EMAIL``).
* ``freshness.py``: the freshness policy of the published marts.
"""
