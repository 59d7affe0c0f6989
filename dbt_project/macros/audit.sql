{#- GitLab-style audit column: when the dbt invocation that wrote the row started. -#}
{% macro boardroom_built_at() -%}
    cast('{{ run_started_at.isoformat() }}' as timestamptz)
{%- endmacro %}

{#-
  Restrict a query to the as-of days this invocation (re)builds. `days_alias` is an alias
  of ref('int_as_of_days'); on a full build every day of int_as_of_days is (re)built.
  Pass is_incremental() from the model itself (so unit tests can override it).
-#}
{% macro boardroom_run_days_filter(days_alias, incremental) -%}
    {%- if incremental -%}
        {{ days_alias }}._invocation_id = '{{ invocation_id }}'
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#-
  numerator / denominator as exact numeric; null when the denominator is 0 (or null).
  trim_scale drops trailing zeros only (0.50000000000000000000 -> 0.5): nothing is rounded.
-#}
{% macro boardroom_ratio(numerator, denominator) -%}
    trim_scale(cast({{ numerator }} as numeric) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#-
  `column in (<this invocation's as-of days>)` with the days looked up first and rendered
  as constants on an incremental run, `true` on a full build. Beside a join to the `days`
  CTE it lets Postgres range-scan the as_of_date index of a tenant-day table for the few
  days a run rebuilds instead of reading its whole history.
-#}
{% macro boardroom_run_days_in(column, incremental) -%}
    {%- if incremental and execute -%}
        {%- set query -%}
            select as_of_date from {{ ref('int_as_of_days') }}
            where _invocation_id = '{{ invocation_id }}'
            order by as_of_date
        {%- endset -%}
        {%- set days = [] -%}
        {%- for value in run_query(query).columns[0].values() -%}
            {%- do days.append(modules.datetime.date.fromisoformat((value | string)[:10])) -%}
        {%- endfor -%}
        {%- if days -%}
            {{ column }} in ({% for d in days %}{{ boardroom_date_literal(d) }}{{ ", " if not loop.last }}{% endfor %})
        {%- else -%}
            false
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
