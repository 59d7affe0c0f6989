with source as (

    select * from {{ source('raw', 'app_deals') }}

),

renamed as (

    select
        cast(deal_id as text) as deal_id,
        cast(tenant_id as text) as tenant_id,
        cast("name" as text) as deal_name,
        cast("value" as numeric(14, 2)) as deal_value,
        cast(currency as text) as currency,
        cast("status" as text) as deal_status,
        cast(created_at as timestamptz) as created_at,
        cast(closed_at as timestamptz) as closed_at,
        cast(updated_at as timestamptz) as updated_at,
        cast("_extracted_at" as timestamptz) as extracted_at
    from source

)

select * from renamed
