{#- Typed reads of PostHog event properties; a value of another JSON type reads as null. -#}
{% macro json_text(column, key) -%}
    case when jsonb_typeof({{ column }} -> '{{ key }}') = 'string' then {{ column }} ->> '{{ key }}' end
{%- endmacro %}

{% macro json_numeric(column, key) -%}
    case when jsonb_typeof({{ column }} -> '{{ key }}') = 'number' then cast({{ column }} ->> '{{ key }}' as numeric) end
{%- endmacro %}

{% macro json_integer(column, key) -%}
    case
        when jsonb_typeof({{ column }} -> '{{ key }}') = 'number'
            and ({{ column }} ->> '{{ key }}') ~ '^-?[0-9]{1,9}$'
        then cast({{ column }} ->> '{{ key }}' as integer)
    end
{%- endmacro %}
