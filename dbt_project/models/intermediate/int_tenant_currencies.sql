{{ config(materialized='view', tags=['static']) }}

{#-
  Each tenant's reporting currency: the currency most of its deals are recorded in (ties go
  to the alphabetically first code). `app.tenants` carries no currency, and PRODUCT.md sums
  money as recorded, without conversion; this names the currency those sums are read in.
  Null for a tenant with no deals.
-#}

with deal_currencies as (

    select
        tenant_id,
        upper(currency) as currency,
        count(*) as deals
    from {{ ref('stg_app__deals') }}
    where currency is not null
    group by tenant_id, upper(currency)

),

ranked as (

    select
        tenant_id,
        currency,
        count(*) over (partition by tenant_id) as currencies,
        row_number() over (partition by tenant_id order by deals desc, currency asc) as rank
    from deal_currencies

)

select
    tenant_id,
    currency,
    currencies > 1 as deals_in_other_currencies
from ranked
where rank = 1
