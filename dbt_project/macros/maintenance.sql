{#-
  VACUUM (ANALYZE) of a table this invocation built whole: one created or swapped in by a
  full refresh, which has no statistics yet. A build that writes every table leaves
  the rest to autovacuum, which then vacuums and analyzes all of them during the next run
  (measured on 2 CPUs: the 30 tables of a 500-tenant, 90-day build, all within the next
  daily run), and the next run plans on no statistics. A table an incremental run changed
  a few days of is left to autovacuum. Post-hook outside the transaction: VACUUM cannot run
  in one.

  Which tables are new is asked of the catalog, except where the answer is known: a table
  model is built whole by every run, and a table the recorded build made and vacuumed
  (boardroom_table_kept, macros/routine_build.sql) only had days added.
-#}
{% macro boardroom_vacuum_if_new() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if config.get('materialized') == 'table' -%}
        vacuum (analyze) {{ this.include(database=false) }}
    {%- elif not boardroom_table_kept() -%}
        {#- pg_stats, not pg_stat_user_tables: statistics are kept with the table (a copied or
            restored database keeps them), activity counters are not. -#}
        {%- set query -%}
            select not exists (
                select 1 from pg_stats
                where schemaname = '{{ this.schema | replace("'", "''") }}'
                    and tablename = '{{ this.identifier | replace("'", "''") }}'
            ) and exists (
                select 1 from pg_tables
                where schemaname = '{{ this.schema | replace("'", "''") }}'
                    and tablename = '{{ this.identifier | replace("'", "''") }}'
            )
        {%- endset -%}
        {%- if run_query(query).columns[0].values()[0] -%}
            vacuum (analyze) {{ this.include(database=false) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
