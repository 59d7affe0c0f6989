with source as (

    select * from {{ source('raw', 'app_executive_recipients') }}

),

renamed as (

    select
        cast(recipient_id as text) as recipient_id,
        cast(tenant_id as text) as tenant_id,
        cast(email as text) as email,
        cast(full_name as text) as full_name,
        cast("role" as text) as recipient_role,
        cast(mfa_verified as boolean) as is_mfa_verified,
        cast(active as boolean) as is_active,
        cast(updated_at as timestamptz) as updated_at,
        cast("_extracted_at" as timestamptz) as extracted_at
    from source

)

select * from renamed
