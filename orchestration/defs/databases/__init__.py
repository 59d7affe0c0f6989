"""The Postgres databases every part of the pipeline uses (no assets of their own).

* ``resources.py``: ``PostgresResource``, bound as ``app_db`` (the SaaS app's operational
  database, read-only) and ``warehouse`` (``raw``, ``audit`` and the published ``marts``).
"""
