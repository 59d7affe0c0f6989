with source as (

    select * from {{ source('raw', 'app_contradictions') }}

),

renamed as (

    select
        cast(contradiction_id as text) as contradiction_id,
        cast(tenant_id as text) as tenant_id,
        cast(severity as text) as severity,
        cast("status" as text) as contradiction_status,
        cast(detected_at as timestamptz) as detected_at,
        cast(updated_at as timestamptz) as updated_at,
        cast("_extracted_at" as timestamptz) as extracted_at
    from source

)

select * from renamed
