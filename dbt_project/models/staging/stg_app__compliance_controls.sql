with source as (

    select * from {{ source('raw', 'app_compliance_controls') }}

),

renamed as (

    select
        cast(tenant_id as text) as tenant_id,
        cast(control_id as text) as control_id,
        cast(framework as text) as framework,
        cast("status" as text) as control_status,
        cast(checked_at as timestamptz) as checked_at,
        cast(updated_at as timestamptz) as updated_at,
        cast("_extracted_at" as timestamptz) as extracted_at
    from source

)

select * from renamed
