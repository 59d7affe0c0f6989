with source as (

    select * from {{ source('raw', 'app_approval_requests') }}

),

renamed as (

    select
        cast(approval_id as text) as approval_id,
        cast(tenant_id as text) as tenant_id,
        cast(category as text) as category,
        cast(priority as text) as priority,
        cast("status" as text) as approval_status,
        cast(created_at as timestamptz) as created_at,
        cast(sla_deadline_at as timestamptz) as sla_deadline_at,
        cast(decided_at as timestamptz) as decided_at,
        cast(escalation_level as integer) as escalation_level,
        cast(updated_at as timestamptz) as updated_at,
        cast("_extracted_at" as timestamptz) as extracted_at
    from source

)

select * from renamed
