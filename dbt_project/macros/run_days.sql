{#-
  The as-of days an invocation (re)builds, and the reads of tenant-day tables restricted to
  them. int_as_of_days holds one row per as-of day, tagged with the invocation that last
  (re)built it; on a full build every one of its days is (re)built. Models pass
  is_incremental() themselves (so unit tests can override it).
-#}

{#- The condition keeping this invocation's days, on `days_alias`, an alias of int_as_of_days. -#}
{% macro boardroom_run_days_filter(days_alias, incremental) -%}
    {%- if incremental -%}
        {{ days_alias }}._invocation_id = '{{ invocation_id }}'
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#-
  `column = any(<this invocation's as-of days>)` on an incremental run, `true` on a full
  build. The days are an array subquery, which Postgres evaluates once before the scan
  (an init plan) and uses as the index condition: beside a join to the run's days it lets
  a tenant-day table be range-scanned by its as_of_date index for the few days a run
  rebuilds instead of read whole, with no lookup of the days while compiling.
-#}
{% macro boardroom_run_days_in(column, incremental) -%}
    {%- if incremental -%}
        {{ column }} = any(array(
            select as_of_date from {{ ref('int_as_of_days') }}
            where _invocation_id = '{{ invocation_id }}'
        ))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The as-of days this invocation (re)builds: its rows of int_as_of_days, every column. -#}
{% macro boardroom_run_days(incremental) -%}
    select * from {{ ref('int_as_of_days') }} as d
    where {{ boardroom_run_days_filter('d', incremental) }}
{%- endmacro %}

{#-
  The rows of a tenant-day table (`relation`, with an as_of_date column) for the as-of days
  this invocation (re)builds: `columns` of the table (every one by default), then
  `day_columns` of those days (int_as_of_days: as_of_at, data_as_of, the window starts).
  The days are joined and also given as an array (boardroom_run_days_in), so Postgres
  reads the table by its as_of_date index.
-#}
{% macro boardroom_run_day_rows(relation, incremental, columns=['*'], day_columns=[]) -%}
    select
        {%- for column in columns %}
        run_rows.{{ column }}{{ "," if not loop.last or day_columns }}
        {%- endfor %}
        {%- for column in day_columns %}
        days.{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }} as run_rows
    inner join (
        {{ boardroom_run_days(incremental) }}
    ) as days
        on days.as_of_date = run_rows.as_of_date
        and {{ boardroom_run_days_in('run_rows.as_of_date', incremental) }}
{%- endmacro %}
