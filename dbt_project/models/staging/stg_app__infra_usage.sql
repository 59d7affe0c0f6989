with source as (

    select * from {{ source('raw', 'app_infra_usage') }}

),

renamed as (

    select
        cast(usage_id as text) as usage_id,
        cast(tenant_id as text) as tenant_id,
        cast(provider as text) as provider,
        cast(service as text) as service,
        cast(usage_date as date) as usage_date,
        cast(units as numeric) as units,
        cast(unit_cost_estimate as numeric) as unit_cost_estimate,
        cast(updated_at as timestamptz) as updated_at,
        cast("_extracted_at" as timestamptz) as extracted_at
    from source

)

select * from renamed
