{{ config(materialized='table', alias='metric_catalog', indexes=[], tags=['static']) }}

{#-
  The published metric catalogue (relation audit.metric_catalog, then marts.metric_catalog):
  seed metric_catalog, plus where each figure is published. The model is named
  metric_catalog_published only because dbt node names must be unique and the seed owns the
  name metric_catalog.

  `published_in` lists every `mart.column` holding the figure, read from the marts' own YAML
  (their contracts name every column), so it cannot drift from the marts. `mart` is the
  figure's home: the detail mart of its board-pack surface when that mart carries it, else
  the first mart that does.
-#}

{%- set surface_marts = {
    'revenue': 'revenue_protection',
    'deliverability': 'deliverability_health',
    'cost': 'cost_optimization',
    'operations': 'ops_system_health',
    'executive_room': 'executive_room_snapshot',
    'platform': 'platform_overview',
} -%}

{%- set locations = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | sort(attribute='name') -%}
        {%- if node.resource_type == 'model' and 'marts' in node.fqn and node.name != this.name -%}
            {%- for column in node.columns -%}
                {%- do locations.append((node.alias or node.name, column)) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with catalog as (

    select * from {{ ref('metric_catalog') }}

),

locations (mart, column_name) as (

    values
    {%- for mart, column in locations %}
        ({{ dbt.string_literal(mart) }}, {{ dbt.string_literal(column) }}){{ ',' if not loop.last }}
    {%- else %}
        (cast(null as text), cast(null as text))
    {%- endfor %}

),

surface_marts (surface, mart) as (

    values
    {%- for surface, mart in surface_marts.items() %}
        (
            {{ dbt.string_literal(surface) }}, {{ dbt.string_literal(mart) }}
        ){{ ',' if not loop.last }}
    {%- endfor %}

),

published as (

    select
        catalog.name,
        coalesce(
            max(locations.mart) filter (where locations.mart = surface_marts.mart),
            min(locations.mart)
        ) as mart,
        coalesce(
            array_agg(locations.mart || '.' || locations.column_name order by locations.mart)
            filter (where locations.mart is not null),
            cast('{}' as text[])
        ) as published_in
    from catalog
    left join surface_marts on surface_marts.surface = catalog.surface
    left join locations on locations.column_name = catalog.name
    group by catalog.name

)

select
    catalog.name,
    catalog.description,
    catalog.unit,
    catalog.is_approximate,
    catalog.source_of_record,
    catalog.label,
    catalog.surface,
    published.mart,
    case when published.mart is not null then catalog.name end as column_name,
    published.published_in,
    {{ boardroom_built_at() }} as _built_at
from catalog
inner join published on published.name = catalog.name
