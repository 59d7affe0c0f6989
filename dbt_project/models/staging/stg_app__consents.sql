with source as (

    select * from {{ source('raw', 'app_consents') }}

),

renamed as (

    select
        cast(consent_id as text) as consent_id,
        cast(tenant_id as text) as tenant_id,
        cast(subject_id as text) as subject_id,
        cast(purpose as text) as purpose,
        cast(granted as boolean) as is_granted,
        cast(recorded_at as timestamptz) as recorded_at,
        cast(updated_at as timestamptz) as updated_at,
        cast("_extracted_at" as timestamptz) as extracted_at
    from source

)

select * from renamed
