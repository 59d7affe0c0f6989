{#-
  Rows whose value lies outside the column's bounds (nulls pass: rates are null when their
  denominator is 0). The bounds are the column's `meta.bounds` in the model's properties,
  the one place they are written (the publication gate's GX suites read them too, through
  boardroom/marts_registry.py): `min` / `max`, and `warn_min` / `warn_max` for a bound the
  gate only warns about; this test checks the tightest of each.
  The test takes no arguments. dbt passes the relation to test as the keyword `model`,
  received here in `kwargs`, so that `model` still names the test node and, through its
  attached node, the column's meta in the graph.
-#}
{% test boardroom_within_range(column_name) %}
{%- set bounds = {} -%}
{%- if execute -%}
    {%- set column = graph.nodes[model.attached_node].columns.get(column_name) or {} -%}
    {%- set bounds = (column.get('meta') or {}).get('bounds') or {} -%}
    {%- if not bounds -%}
        {{ exceptions.raise_compiler_error(
            "boardroom_within_range: column " ~ column_name ~ " of " ~ model.attached_node
            ~ " has no meta.bounds") }}
    {%- endif -%}
{%- endif -%}
{%- set outside = [] -%}
{%- set low = bounds.get('warn_min', bounds.get('min')) -%}
{%- set high = bounds.get('warn_max', bounds.get('max')) -%}
{%- if low is not none -%}{%- do outside.append(column_name ~ ' < ' ~ low) -%}{%- endif -%}
{%- if high is not none -%}{%- do outside.append(column_name ~ ' > ' ~ high) -%}{%- endif -%}
select {{ column_name }}
from {{ kwargs['model'] }}
where {{ outside | join(' or ') if outside else 'false' }}
{% endtest %}
