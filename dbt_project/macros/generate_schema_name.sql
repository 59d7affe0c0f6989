{#-
  Exact schema names: a node configured with `schema: audit` lands in `audit`, not
  `<target_schema>_audit`. Nodes without a custom schema use the target schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
