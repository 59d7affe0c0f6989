{#-
  Contract check: the same as dbt's default__get_empty_schema_sql, without its warning on
  `numeric` columns declared without precision and scale. Unconstrained numeric is the
  intended contract type of money and ratios here: it stores values exactly and rounds
  nothing (PRODUCT.md: money exact to the cent, nothing rounded before publication).
-#}
{% macro postgres__get_empty_schema_sql(columns) %}
    {%- set col_err = [] -%}
    select
    {% for i in columns %}
      {%- set col = columns[i] -%}
      {%- if col['data_type'] is not defined -%}
        {%- do col_err.append(col['name']) -%}
      {%- endif -%}
      {% set col_name = adapter.quote(col['name']) if col.get('quote') else col['name'] %}
      {{ cast('null', col['data_type']) }} as {{ col_name }}{{ ", " if not loop.last }}
    {%- endfor -%}
    {%- if (col_err | length) > 0 -%}
      {{ exceptions.column_type_missing(column_names=col_err) }}
    {%- endif -%}
{% endmacro %}
