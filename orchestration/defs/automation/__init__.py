"""Automation (sensors and freshness) around the daily pipeline.

* ``late_data_sensor.py``: ``late_data_sensor`` re-runs the published as-of days that late
  events or operational changes reach (``late_data.py``: what is late at the sources;
  ``published_days.py``: which published days it reaches, or which miss loaded rows).
* ``notify.py``: mail to the platform's data owner.
* ``run_failure.py``: ``run_failure_alert_sensor`` records a failed run as a platform alert
  in ``marts.alerts`` and mails the data owner (``BOARDROOM_DATA_OWNER_EMAIL``).
* ``freshness.py``: the freshness policy of the published marts.
"""
