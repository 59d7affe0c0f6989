"""The two sources as external assets (group ``sources``), upstream of ``raw/*``.

* ``assets.py``: ``posthog/events`` (the PostHog project's events) and ``app/<table>`` (each
  table of the operational database). Boardroom never materializes them; they put the
  sources into the lineage and carry what was last observed of them.
* ``observe.py``: what an observation reads (rows, newest ``updated_at``, last event
  received), from the app database and PostHog's query API (or the local stand-in).
* ``sensors.py``: ``source_observation_sensor`` records those observations on a timer.
* ``resources.py``: the ``posthog`` resource (PostHog's query API, ``POSTHOG_*``).
"""
