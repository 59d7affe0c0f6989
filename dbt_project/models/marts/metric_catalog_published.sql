{{ config(materialized='table', alias='metric_catalog') }}

{#-
  The published metric catalogue (relation audit.metric_catalog, then marts.metric_catalog):
  seed metric_catalog as is. The model is named metric_catalog_published only because dbt
  node names must be unique and the seed owns the name metric_catalog.
-#}

select
    name,
    description,
    unit,
    is_approximate,
    source_of_record,
    label,
    surface,
    {{ boardroom_built_at() }} as _built_at
from {{ ref('metric_catalog') }}
