"""dbt marts (groups ``staging``, ``snapshots``, ``intermediate``, ``marts_audit``,
``reference``): the dbt project as Dagster assets, built in one ``dbt build`` per run.

* ``project.py``: the :class:`~dagster_dbt.DbtProject` and its manifest (parsed on load
  when missing or older than the project's files).
* ``translator.py``: asset keys ``[schema, alias]``, groups, owners, descriptions; dbt
  sources map onto the ingest assets' keys so lineage runs from ``raw`` to ``audit``; each
  dbt test's check is described in words (``check_descriptions.py``).
* ``resources.py``: the ``dbt`` resource, pointed at the warehouse by URL (and bound there);
  each invocation starts from the warehouse's kept partial-parse state.
* ``assets.py``: ``boardroom_dbt_models``, partitioned like ingestion; a run's window becomes
  ``min_date`` / ``max_date`` plus the event days ingestion touched, passed as the
  ``BOARDROOM_DBT_*`` environment variables ``int_as_of_days`` reads.
"""
