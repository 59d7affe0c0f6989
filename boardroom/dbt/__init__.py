"""The dbt project outside Dagster: its environment, how dbt is started, and its manifest.

* :mod:`boardroom.dbt.env`: a Postgres URL into the variables ``profiles.yml`` reads, and a
  run's window (:class:`~boardroom.dbt.env.DbtWindow`);
* :mod:`boardroom.dbt.process`: the one place a ``dbt`` subprocess is started;
* :mod:`boardroom.dbt.runner`: ``dbt build`` of the marts for the benchmarks, tests, scripts;
* :mod:`boardroom.dbt.parse_cache`: dbt's partial-parse state kept per warehouse;
* :mod:`boardroom.dbt.manifest`: the manifest Dagster loads, re-parsed when stale.
"""
