with source as (

    select * from {{ source('raw', 'app_tenants') }}

),

renamed as (

    select
        cast(tenant_id as text) as tenant_id,
        cast("name" as text) as tenant_name,
        cast(plan as text) as plan,
        cast(mrr as numeric) as mrr,
        cast(locale as text) as locale,
        cast("timezone" as text) as timezone,
        cast("status" as text) as tenant_status,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        cast("_extracted_at" as timestamptz) as extracted_at
    from source

)

select * from renamed
