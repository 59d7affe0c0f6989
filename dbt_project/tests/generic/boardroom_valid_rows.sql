{#-
  The row checks of one model in a single pass over it: `not_null` lists the columns that
  must always hold a value, `accepted_values` maps a column to the values it may take (a
  null passes, as in dbt's accepted_values). One test node instead of one per column and
  check: every node of a routine run costs dbt its own compile and round trips, and the
  staging models' checks run before anything else in the build.

  A failing row reads column, problem and value, with the number of rows: dbt fails the
  test on any row, and `dbt test --store-failures` keeps them.
-#}
{% test boardroom_valid_rows(model, not_null=[], accepted_values={}) %}
{%- set checks = [] -%}
{%- for column in not_null -%}
    {%- do checks.append({
        'column': column,
        'problem': 'is null',
        'failed': adapter.quote(column) ~ ' is null',
    }) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do checks.append({
        'column': column,
        'problem': 'not an accepted value',
        'failed': 'cast(' ~ adapter.quote(column) ~ ' as text) not in ('
            ~ literals | join(', ') ~ ')',
    }) -%}
{%- endfor -%}
{%- if not checks -%}
    {{ exceptions.raise_compiler_error(
        "boardroom_valid_rows needs not_null columns or accepted_values") }}
{%- endif -%}
with failing_rows as (

    select *
    from {{ model }}
    where
    {%- for check in checks %}
        ({{ check.failed }}){{ " or" if not loop.last }}
    {%- endfor %}

)

select
    problems.column_name,
    problems.problem,
    problems.value,
    count(*) as failing_rows
from failing_rows
cross join lateral (
    values
    {%- for check in checks %}
        (
            '{{ check.column | replace("'", "''") }}',
            '{{ check.problem }}',
            cast({{ adapter.quote(check.column) }} as text),
            coalesce({{ check.failed }}, false)
        ){{ "," if not loop.last }}
    {%- endfor %}
) as problems (column_name, problem, value, failed)
where problems.failed
group by problems.column_name, problems.problem, problems.value
{% endtest %}
