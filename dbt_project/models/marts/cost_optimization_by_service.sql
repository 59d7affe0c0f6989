{#- Estimated infra cost per tenant x day x provider x service (internal / non-authoritative). -#}

with service_costs as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_day_service_costs'), is_incremental(), day_columns=['data_as_of']
    ) }}

),

costed as (

    select
        service_costs.*,
        currencies.currency
    from service_costs
    left join {{ ref('int_tenant_currencies') }} as currencies
        on currencies.tenant_id = service_costs.tenant_id

)

select
    tenant_id,
    as_of_date,
    provider,
    service,
    data_as_of,
    currency,
    est_infra_cost_mtd,
    est_infra_cost_30d,
    est_infra_cost_7d,
    units_30d,
    usage_rows_30d,
    {{ boardroom_ratio(
        'est_infra_cost_30d', 'sum(est_infra_cost_30d) over (partition by tenant_id, as_of_date)'
    ) }} as share_of_tenant_cost_30d,
    {{ boardroom_shared_approximation_columns([
        'est_infra_cost_mtd', 'est_infra_cost_30d', 'est_infra_cost_7d', 'units_30d',
        'share_of_tenant_cost_30d'
    ]) }},
    {{ boardroom_built_at() }} as _built_at
from costed
