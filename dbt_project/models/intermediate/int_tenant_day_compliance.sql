{#-
  Compliance per tenant x as-of day, from snapshots as valid at T.
  compliance_posture = passing / all controls (not_assessed in the denominator), null
  without controls. pdpl_consent_coverage = covered subjects / distinct subjects among
  consents recorded before T; a subject is covered when its latest record (by
  recorded_at, then consent_id) for some purpose is granted: a withdrawal uncovers it.
-#}

with tenant_days as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_days'), is_incremental(),
        columns=['tenant_id', 'as_of_date'],
        day_columns=['as_of_at']
    ) }}

),

control_versions as (

    {{ boardroom_snapshot_history(
        ref('snap_app_compliance_controls'), ['tenant_id', 'control_id']
    ) }}

),

consent_versions as (

    {{ boardroom_snapshot_history(ref('snap_app_consents'), ['consent_id']) }}

),

controls as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        count(control_versions.control_id) filter (
            where control_versions.control_status = 'passing'
        ) as controls_passing,
        count(control_versions.control_id) filter (
            where control_versions.control_status = 'failing'
        ) as controls_failing,
        count(control_versions.control_id) filter (
            where control_versions.control_status = 'not_assessed'
        ) as controls_not_assessed,
        count(control_versions.control_id) as controls_total
    from tenant_days
    left join control_versions
        on control_versions.tenant_id = tenant_days.tenant_id
        and {{ boardroom_valid_at('control_versions', 'tenant_days.as_of_at') }}
    group by tenant_days.tenant_id, tenant_days.as_of_date

),

latest_consents as (

    select distinct on (
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        consent_versions.subject_id,
        consent_versions.purpose
    )
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        consent_versions.subject_id,
        consent_versions.purpose,
        consent_versions.is_granted
    from tenant_days
    inner join consent_versions
        on consent_versions.tenant_id = tenant_days.tenant_id
        and {{ boardroom_valid_at('consent_versions', 'tenant_days.as_of_at') }}
        and consent_versions.recorded_at < tenant_days.as_of_at
    order by
        tenant_days.tenant_id asc,
        tenant_days.as_of_date asc,
        consent_versions.subject_id asc,
        consent_versions.purpose asc,
        consent_versions.recorded_at desc,
        consent_versions.consent_id desc

),

subjects as (

    select
        tenant_id,
        as_of_date,
        subject_id,
        bool_or(coalesce(is_granted, false)) as is_covered
    from latest_consents
    group by tenant_id, as_of_date, subject_id

),

coverage as (

    select
        tenant_id,
        as_of_date,
        count(*) as consent_subjects,
        count(*) filter (where is_covered) as consent_subjects_covered
    from subjects
    group by tenant_id, as_of_date

)

select
    controls.tenant_id,
    controls.as_of_date,
    cast(controls.controls_passing as bigint) as controls_passing,
    cast(controls.controls_failing as bigint) as controls_failing,
    cast(controls.controls_not_assessed as bigint) as controls_not_assessed,
    cast(controls.controls_total as bigint) as controls_total,
    {{ boardroom_ratio('controls.controls_passing', 'controls.controls_total') }}
        as compliance_posture,
    cast(coalesce(coverage.consent_subjects, 0) as bigint) as consent_subjects,
    cast(coalesce(coverage.consent_subjects_covered, 0) as bigint) as consent_subjects_covered,
    {{ boardroom_ratio('coverage.consent_subjects_covered', 'coverage.consent_subjects') }}
        as pdpl_consent_coverage,
    {{ boardroom_built_at() }} as _built_at
from controls
left join coverage
    on coverage.tenant_id = controls.tenant_id
    and coverage.as_of_date = controls.as_of_date
