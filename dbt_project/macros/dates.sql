{#-
  The as-of days a run (re)builds, from the run's vars. Every value is validated in Jinja
  and rendered as a typed SQL literal of its ISO form; nothing user-supplied is pasted in.
-#}

{% macro boardroom_parse_date(value, name) -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
        {{ exceptions.raise_compiler_error(
            name ~ " (var or BOARDROOM_DBT_" ~ (name | upper) ~ ") must be a date YYYY-MM-DD, got: "
            ~ text
        ) }}
    {%- endif -%}
    {{ return(modules.datetime.date.fromisoformat(text)) }}
{%- endmacro %}

{% macro boardroom_parse_timestamp(value, name) -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {#- a date, then an optional time, then an optional Z or UTC offset -#}
    {%- set iso_timestamp = '[0-9]{4}-[0-9]{2}-[0-9]{2}'
        ~ '([T ][0-9:.]+)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?' -%}
    {%- if not modules.re.fullmatch(iso_timestamp, text) -%}
        {{ exceptions.raise_compiler_error(
            name ~ " (var or BOARDROOM_DBT_" ~ (name | upper) ~ ") must be an ISO timestamp, got: "
            ~ text
        ) }}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.fromisoformat(text.replace('Z', '+00:00')) -%}
    {%- if parsed.tzinfo is none -%}
        {%- set parsed = parsed.replace(tzinfo=modules.pytz.utc) -%}
    {%- endif -%}
    {{ return(parsed) }}
{%- endmacro %}

{% macro boardroom_parse_date_list(value, name) -%}
    {%- set items = [] -%}
    {%- if value is none -%}
        {{ return(items) }}
    {%- endif -%}
    {%- if value is string -%}
        {%- set raw_items = value.split(',') -%}
    {%- else -%}
        {%- set raw_items = value -%}
    {%- endif -%}
    {%- for item in raw_items -%}
        {%- set parsed = boardroom_parse_date(item, name) -%}
        {%- if parsed is not none -%}
            {%- do items.append(parsed) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(items) }}
{%- endmacro %}

{% macro boardroom_date_literal(d) -%}
    cast('{{ d.isoformat() }}' as date)
{%- endmacro %}

{#-
  The run's as-of days as a query with one column, as_of_date.
  * full build (first run, --full-refresh): [coalesce(start_date, min_date), max_date] ∪ days
  * incremental run: [min_date, max_date] ∪ days ∪ the days reached by late data:
    X..X+29 for an event loaded at or after `late_since` stamped on day X, X..X+30 for an
    infra usage row extracted at or after it with usage_date X (month to date reaches 30),
    and X..X+29 for every event day X listed in `event_days` (the days ingestion reports
    as touched: a row gained, changed or lost), kept between the first day of
    `existing_relation` and the later of max_date and its last day: no day before the
    history's start is created.
  min_date and max_date default to each other, and both to the UTC date the run started.
-#}
{% macro boardroom_days_to_build(
    min_date, max_date, start_date, days, late_since, incremental, existing_relation, event_days=none
) -%}
    {%- set lo, hi = boardroom_window_bounds(min_date, max_date) -%}
    {%- if lo > hi -%}
        {{ exceptions.raise_compiler_error("min_date " ~ lo ~ " is after max_date " ~ hi) }}
    {%- endif -%}
    {%- set first = boardroom_parse_date(start_date, 'start_date') -%}
    {%- if incremental or first is none -%}
        {%- set first = lo -%}
    {%- endif -%}
    {%- set extra_days = boardroom_parse_date_list(days, 'days') -%}
    {%- set since = boardroom_parse_timestamp(late_since, 'late_events_loaded_since') -%}
    {%- set touched = boardroom_parse_date_list(event_days, 'event_days') -%}
    select cast(day as date) as as_of_date
    from generate_series(
        cast({{ boardroom_date_literal(first) }} as timestamp),
        cast({{ boardroom_date_literal(hi) }} as timestamp),
        interval '1 day'
    ) as day
    {%- if extra_days %}
    union
    select extra_day as as_of_date
    from unnest(array[
        {%- for d in extra_days %}
            {{- boardroom_date_literal(d) }}{{ ", " if not loop.last }}
        {%- endfor -%}
    ]) as extra_day
    {%- endif %}
    {%- if incremental and (since is not none or touched) %}
    union
    select reached.as_of_date
    from (
        {%- if touched %}
        select touched_day + offsets.n as as_of_date
        from unnest(array[
            {%- for d in touched %}
                {{- boardroom_date_literal(d) }}{{ ", " if not loop.last }}
            {%- endfor -%}
        ]) as touched_day
        cross join generate_series(0, 29) as offsets (n)
        {%- endif %}
        {%- if touched and since is not none %}
        union
        {%- endif %}
        {%- if since is not none %}
        -- distinct days first, then their reach: not every late event times 30
        select late_days.event_date + offsets.n as as_of_date
        from (
            select distinct cast(events.event_at at time zone 'UTC' as date) as event_date
            from {{ ref('stg_posthog__events') }} as events
            where events.loaded_at >= cast('{{ since.isoformat() }}' as timestamptz)
        ) as late_days
        cross join generate_series(0, 29) as offsets (n)
        union
        select usage_days.usage_date + offsets.n as as_of_date
        from (
            select distinct usage.usage_date
            from {{ ref('stg_app__infra_usage') }} as usage
            where usage.extracted_at >= cast('{{ since.isoformat() }}' as timestamptz)
        ) as usage_days
        cross join generate_series(0, 30) as offsets (n)
        {%- endif %}
    ) as reached
    where reached.as_of_date >= (select min(as_of_date) from {{ existing_relation }})
      and reached.as_of_date <= greatest(
          {{ boardroom_date_literal(hi) }},
          (select max(as_of_date) from {{ existing_relation }})
      )
    {%- endif %}
{%- endmacro %}

{#- UTC instant of midnight starting the given date expression. -#}
{% macro boardroom_utc_midnight(date_expr) -%}
    (cast({{ date_expr }} as timestamp) at time zone 'UTC')
{%- endmacro %}

{#- UTC calendar date of a timestamptz expression. -#}
{% macro boardroom_utc_date(ts_expr) -%}
    cast({{ ts_expr }} at time zone 'UTC' as date)
{%- endmacro %}


{#-
  The run window's first and last as-of day: min_date and max_date (YYYY-MM-DD) default to
  each other, and both to the UTC date the run started.
-#}
{% macro boardroom_window_bounds(min_date, max_date) -%}
    {%- set lo = boardroom_parse_date(min_date, 'min_date') -%}
    {%- set hi = boardroom_parse_date(max_date, 'max_date') -%}
    {%- set today = run_started_at.astimezone(modules.pytz.utc).date() -%}
    {%- if lo is none and hi is none -%}
        {%- set lo = today -%}
        {%- set hi = today -%}
    {%- elif lo is none -%}
        {%- set lo = hi -%}
    {%- elif hi is none -%}
        {%- set hi = lo -%}
    {%- endif -%}
    {{ return([lo, hi]) }}
{%- endmacro %}

{#-
  The run window as given: each var when set (`dbt build --vars ...` by hand), else its
  BOARDROOM_DBT_* environment variable (what Boardroom's runs set: boardroom.dbt.env.
  DbtWindow.env). Call it only when `execute` is true: dbt re-parses every file that reads
  an environment variable while being parsed whenever its value changes, and the window
  changes on every daily run.
-#}
{% macro boardroom_run_window() -%}
    {{ return({
        'min_date': var('min_date') or env_var('BOARDROOM_DBT_MIN_DATE', ''),
        'max_date': var('max_date') or env_var('BOARDROOM_DBT_MAX_DATE', ''),
        'start_date': var('start_date') or env_var('BOARDROOM_DBT_START_DATE', ''),
        'days': var('days') or env_var('BOARDROOM_DBT_DAYS', ''),
        'late_since': var('late_events_loaded_since')
            or env_var('BOARDROOM_DBT_LATE_EVENTS_LOADED_SINCE', ''),
        'event_days': var('event_days') or env_var('BOARDROOM_DBT_EVENT_DAYS', ''),
    }) }}
{%- endmacro %}

{#-
  on-run-start: a bad window value stops the run before its first node, naming the var
  (the same checks as the date spine's; the window is read when it runs, not at parse).
-#}
{% macro boardroom_check_run_window() -%}
    {%- if execute -%}
        {%- set window = boardroom_run_window() -%}
        {%- do boardroom_days_to_build(
            incremental=false, existing_relation=none, **window
        ) -%}
    {%- endif -%}
{%- endmacro %}
