with source as (

    select * from {{ source('raw', 'app_integration_sync_states') }}

),

renamed as (

    select
        cast(tenant_id as text) as tenant_id,
        cast(connector as text) as connector,
        cast("status" as text) as connector_status,
        cast(last_success_at as timestamptz) as last_success_at,
        cast(last_error as text) as last_error,
        cast(updated_at as timestamptz) as updated_at,
        cast("_extracted_at" as timestamptz) as extracted_at
    from source

)

select * from renamed
