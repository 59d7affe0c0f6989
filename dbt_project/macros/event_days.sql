{#-
  Event days: the UTC days of PostHog events' timestamps. The event rollups
  (int_tenant_event_days, int_tenant_day_active_users, int_tenant_day_api_latencies,
  int_tenant_invoice_days) hold one day's events per row group; a run rebuilds only the
  event days whose events it may have changed (int_event_days), and the as-of windows read
  the rollups instead of raw events.
-#}

{#-
  The event days an incremental run rebuilds, as a query with one column, event_date:
  the run's as-of days [min_date, max_date] and `days` (the newest day's events), every
  `event_days` entry (ingestion's days_touched: a row gained, changed or lost), the days of
  events loaded at or after `late_since` and the usage dates of infra usage rows extracted
  since then, and the days after the last day built up to max_date (a run after a gap
  fills it). A full build rebuilds every day (no list).
-#}
{% macro boardroom_event_days_to_build(
    min_date, max_date, days, late_since, event_days, existing_relation
) -%}
    {%- set lo, hi = boardroom_window_bounds(min_date, max_date) -%}
    {%- set extra_days = boardroom_parse_date_list(days, 'days') -%}
    {%- set touched = boardroom_parse_date_list(event_days, 'event_days') -%}
    {%- set since = boardroom_parse_timestamp(late_since, 'late_events_loaded_since') -%}
    select cast(day as date) as event_date
    from generate_series(
        cast(least(
            {{ boardroom_date_literal(lo) }},
            coalesce((select max(event_date) from {{ existing_relation }}) + 1, {{ boardroom_date_literal(lo) }})
        ) as timestamp),
        cast({{ boardroom_date_literal(hi) }} as timestamp),
        interval '1 day'
    ) as day
    {%- if extra_days or touched %}
    union
    select listed_day as event_date
    from unnest(array[
        {%- for d in extra_days + touched %}
            {{- boardroom_date_literal(d) }}{{ ", " if not loop.last }}
        {%- endfor -%}
    ]) as listed_day
    {%- endif %}
    {%- if since is not none %}
    union
    select distinct {{ boardroom_utc_date('events.event_at') }} as event_date
    from {{ ref('stg_posthog__events') }} as events
    where events.loaded_at >= cast('{{ since.isoformat() }}' as timestamptz)
    union
    select distinct usage_rows.usage_date as event_date
    from {{ ref('stg_app__infra_usage') }} as usage_rows
    where usage_rows.extracted_at >= cast('{{ since.isoformat() }}' as timestamptz)
    {%- endif %}
{%- endmacro %}

{#-
  Keep the events of the event days this invocation rebuilds. Incremental: the days are
  looked up first and rendered as constant ranges of `event_at` (contiguous days merged),
  so Postgres range-scans the timestamp index over those days only. Full build: every
  event stamped before the last as-of day's end. With is_date, `event_at` is a date
  column (infra usage's usage_date).
-#}
{% macro boardroom_event_days_filter(event_at, incremental, is_date=false) -%}
    {%- if incremental and execute -%}
        {%- set query -%}
            select event_date
            from {{ ref('int_event_days') }}
            where _invocation_id = '{{ invocation_id }}'
            order by event_date
        {%- endset -%}
        {%- set ranges = [] -%}
        {%- for value in run_query(query).columns[0].values() -%}
            {%- set day = modules.datetime.date.fromisoformat((value | string)[:10]) -%}
            {%- if ranges and (day - ranges[-1][1]).days == 1 -%}
                {%- do ranges[-1].pop() -%}
                {%- do ranges[-1].append(day) -%}
            {%- else -%}
                {%- do ranges.append([day, day]) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not ranges -%}
            false
        {%- else -%}
            (
            {%- for r in ranges %}
                {%- if is_date %}
                ({{ event_at }} between {{ boardroom_date_literal(r[0]) }} and {{ boardroom_date_literal(r[1]) }})
                {%- else %}
                ({{ event_at }} >= {{ boardroom_utc_midnight(boardroom_date_literal(r[0])) }}
                 and {{ event_at }} < {{ boardroom_utc_midnight(boardroom_date_literal(r[1]) ~ ' + 1') }})
                {%- endif %}
                {{- " or" if not loop.last }}
            {%- endfor %}
            )
        {%- endif -%}
    {%- elif execute and is_date -%}
        {{ event_at }} <= (select max(as_of_date) from {{ ref('int_as_of_days') }})
    {%- elif execute -%}
        {{ event_at }} < (select max(as_of_at) from {{ ref('int_as_of_days') }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#-
  Keep the rollup rows (by `date_column`) that the windows of this invocation's as-of days
  reach: [earliest window start, latest as-of day]. Incremental: the bounds are scalar
  subqueries, evaluated once before the scan (init plans) and used as the range of the
  rollup's event_date index.
-#}
{% macro boardroom_rollup_window_filter(date_column, start_column, incremental) -%}
    {%- if incremental -%}
        {%- set run_days -%}
            from {{ ref('int_as_of_days') }} as d
            where {{ boardroom_run_days_filter('d', true) }}
        {%- endset -%}
        {{ date_column }} between (select min({{ start_column }}) {{ run_days }})
            and (select max(d.as_of_date) {{ run_days }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#-
  Incremental strategy `replace_event_days`: in one transaction, delete the target's rows
  of every day this invocation rebuilds (ref('int_event_days') of this invocation), then
  insert the new rows. A day whose events left loses its stale rows too. The target's day
  column is config `rollup_day_column` (default event_date; usage_date for infra usage).
-#}
{% macro get_incremental_replace_event_days_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set columns = arg_dict["dest_columns"] | map(attribute="quoted") | join(", ") -%}
    {%- set day_column = config.get('rollup_day_column') or 'event_date' -%}
    delete from {{ target }}
    where {{ adapter.quote(day_column) }} in (
        select event_date
        from {{ ref('int_event_days') }}
        where _invocation_id = '{{ invocation_id }}'
    );

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
{% endmacro %}
