{#-
  Approximation flags read from the metric catalogue (seed metric_catalog), the one place
  that says which figure is approximate and how it is labelled.

  boardroom_approximation_columns(['m1', 'm2']) renders, per metric, the columns
  `<m>_is_approximate` and `<m>_label` (rows that mix figures).
  boardroom_shared_approximation_columns([...]) renders one `is_approximate` and one
  `approximation_label` for rows whose figures all share the same reading.
  A metric missing from the catalogue yields nulls, which the marts' not_null contracts
  reject: a figure cannot be published without its catalogue entry.
-#}
{% macro boardroom_approximation_columns(metrics) -%}
    {%- for metric in metrics %}
    (select catalog.is_approximate from {{ ref('metric_catalog') }} as catalog where catalog.name = '{{ metric }}') as {{ metric }}_is_approximate,
    (select catalog.label from {{ ref('metric_catalog') }} as catalog where catalog.name = '{{ metric }}') as {{ metric }}_label
    {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro boardroom_shared_approximation_columns(metrics) -%}
    (
        select bool_or(catalog.is_approximate)
        from {{ ref('metric_catalog') }} as catalog
        where catalog.name in ({% for metric in metrics %}'{{ metric }}'{{ ", " if not loop.last }}{% endfor %})
    ) as is_approximate,
    (
        select string_agg(distinct catalog.label, '; ' order by catalog.label)
        from {{ ref('metric_catalog') }} as catalog
        where catalog.name in ({% for metric in metrics %}'{{ metric }}'{{ ", " if not loop.last }}{% endfor %})
            and catalog.is_approximate
    ) as approximation_label
{%- endmacro %}
