{#- GitLab-style audit column: when the dbt invocation that wrote the row started. -#}
{% macro boardroom_built_at() -%}
    cast('{{ run_started_at.isoformat() }}' as timestamptz)
{%- endmacro %}
