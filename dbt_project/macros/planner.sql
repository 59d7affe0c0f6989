{#-
  Planner settings of a node's build, local to its transaction, sent in the same statement
  as the query they are for: the CREATE TABLE AS of its rows (postgres__create_table_as
  below), not as a statement of their own.

  Models, always: no nested loops. A table just written has stale statistics (a new day
  reads as one row), and nested loops planned on that estimate take seconds where hash
  joins over the index-bounded days take milliseconds.

  Models, on an incremental run: no merge joins and no sorts where a hash will do. Such a
  run reads and writes a few as-of days, inputs of thousands of rows that Postgres
  estimates from the statistics of tables written moments ago, and it chose merge joins
  and group-bys over sorts that spill to disk (work_mem 4 MB) where hash joins and hash
  aggregates over the same rows are cheaper. Measured on the statements of the 90-day
  late-wave run: int_tenant_day_service_costs 0.77 -> 0.45 s, int_tenant_invoice_days
  0.10 -> 0.05 s, int_tenant_event_days 0.25 -> 0.14 s, none slower. A full build
  (hundreds of times the rows) keeps the planner's own choice.

  Snapshots: no merge joins. A snapshot run compares every current version with the
  source by key (dbt's staging query: inserts, updates, hard deletes). The first run
  creates the table from the source and joins nothing; later runs merge-joined sorted
  copies of both, spilling to disk: hash joins instead (snap_app_consents, 39k keys:
  0.29 -> 0.19 s).
-#}
{% macro boardroom_plan_settings() -%}
    {%- if model.resource_type == 'snapshot' -%}
        set local enable_mergejoin = off;
    {%- elif model.resource_type == 'model' -%}
        set local enable_nestloop = off;
        {%- if is_incremental() %} set local enable_mergejoin = off; set local enable_sort = off;
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#-
  dbt-postgres' CREATE TABLE AS (every table and incremental model, the staging table of
  every snapshot run), preceded by the node's planner settings. Several statements in one
  query string run as one transaction, so the settings hold for the CREATE even when dbt
  has no transaction open, and for the rest of the node's transaction when it has one.
-#}
{% macro postgres__create_table_as(temporary, relation, sql) -%}
    {{ boardroom_plan_settings() }}
    {{ dbt.postgres__create_table_as(temporary, relation, sql) }}
{%- endmacro %}
