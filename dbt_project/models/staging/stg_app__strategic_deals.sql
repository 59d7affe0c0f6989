with source as (

    select * from {{ source('raw', 'app_strategic_deals') }}

),

renamed as (

    select
        cast(strategic_deal_id as text) as strategic_deal_id,
        cast(tenant_id as text) as tenant_id,
        cast("status" as text) as strategic_deal_status,
        cast(updated_at as timestamptz) as updated_at,
        cast("_extracted_at" as timestamptz) as extracted_at
    from source

)

select * from renamed
