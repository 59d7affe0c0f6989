with source as (

    select * from {{ source('raw', 'app_evidence_packs') }}

),

renamed as (

    select
        cast(evidence_pack_id as text) as evidence_pack_id,
        cast(tenant_id as text) as tenant_id,
        cast("status" as text) as evidence_pack_status,
        cast(updated_at as timestamptz) as updated_at,
        cast("_extracted_at" as timestamptz) as extracted_at
    from source

)

select * from renamed
