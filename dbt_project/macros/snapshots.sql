{#-
  Validity intervals of a snapshot's versions, for "state valid at T" joins:
  valid_from <= T and T < valid_to.
  * valid_from: dbt_valid_from (the source's updated_at), except for the first version
    captured of each key, valid since -infinity: the operational database keeps no
    history, so before the first snapshot a row is read as it was first captured ("app as
    it is"); models still leave out rows created at or after T.
  * valid_to: dbt_valid_to (the next version's updated_at, or the snapshot run that found
    the row hard-deleted), +infinity for current versions.
-#}
{% macro boardroom_snapshot_history(snapshot_relation, key_columns) -%}
    select
        versions.*,
        case
            when row_number() over (
                partition by {% for key in key_columns %}versions.{{ key }}{{ ", " if not loop.last }}{% endfor %}
                order by versions.dbt_valid_from, versions.dbt_scd_id
            ) = 1
            then cast('-infinity' as timestamptz)
            else versions.dbt_valid_from
        end as valid_from,
        coalesce(versions.dbt_valid_to, cast('infinity' as timestamptz)) as valid_to
    from {{ snapshot_relation }} as versions
{%- endmacro %}

{#-
  The snapshot clock as timestamptz (dbt-postgres uses `now()::timestamp without time
  zone`). Our snapshots' validity columns are timestamptz (updated_at is), and this clock
  stamps dbt_valid_to of hard-deleted rows: keeping the type avoids a session-time-zone
  conversion and dbt's SnapshotTimestampWarning.
-#}
{% macro postgres__snapshot_get_time() -%}
    now()
{%- endmacro %}

{#-
  A version of boardroom_snapshot_history (alias `versions`) valid at the instant `at`:
  valid_from <= at < valid_to.
-#}
{% macro boardroom_valid_at(versions, at) -%}
    {{ versions }}.valid_from <= {{ at }} and {{ at }} < {{ versions }}.valid_to
{%- endmacro %}
