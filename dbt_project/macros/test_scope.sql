{#-
  Data tests scoped to the rows a run wrote. A test's `where` config may name a scope
  instead of SQL; it is resolved here, when the test runs (a `where` rendered at parse
  time would keep the parse's clock in dbt's partial-parse state):
  * `__boardroom_rows_of_this_run__`: rows whose `_built_at` is this invocation's start
    (every mart row carries it): an incremental run tests the days it rebuilt, a full
    build every row. On tenant-day tables the invocation's as-of days are added as
    constants, so the test reads them by the as_of_date index. An invocation that built
    no day (`dbt test` on its own) tests every row.
  * `__boardroom_events_loaded_since__`: events loaded at or after the run's
    late_events_loaded_since (var or BOARDROOM_DBT_LATE_EVENTS_LOADED_SINCE); every event
    on a full refresh or when it is not given.
  Any other `where` is used as given (dbt's behaviour).
-#}
{% macro postgres__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where == '__boardroom_rows_of_this_run__' -%}
        {#- the invocation's as-of days (a test may not ref() a model it does not test: the
            spine is looked up); none when the invocation built nothing (`dbt test` alone) -#}
        {%- set spine = adapter.get_relation(
            database=target.database, schema='intermediate', identifier='int_as_of_days'
        ) -%}
        {%- set found = none -%}
        {%- if spine is not none -%}
            {%- set found = run_query(
                "select string_agg(quote_literal(as_of_date) || '::date', ', ') from " ~ spine
                ~ " where _invocation_id = " ~ boardroom_text_literal(invocation_id)
            ).rows[0][0] -%}
        {%- endif -%}
        {%- if found is none -%}
            {%- set where = '' -%}
        {%- else -%}
            {%- set where = "_built_at = " ~ boardroom_built_at() -%}
            {%- set columns = adapter.get_columns_in_relation(relation)
                | map(attribute='name') | list -%}
            {%- if 'as_of_date' in columns -%}
                {#- the days as constants: the as_of_date index, not a scan of the history -#}
                {%- set where = where ~ " and as_of_date in (" ~ found ~ ")" -%}
            {%- endif -%}
        {%- endif -%}
    {%- elif where == '__boardroom_events_loaded_since__' -%}
        {%- set since = boardroom_parse_timestamp(
            var('late_events_loaded_since', none) or env_var('BOARDROOM_DBT_LATE_EVENTS_LOADED_SINCE', ''),
            'late_events_loaded_since'
        ) -%}
        {%- if since is none or flags.FULL_REFRESH -%}
            {%- set where = '' -%}
        {%- else -%}
            {%- set where = "loaded_at >= cast('" ~ since.isoformat() ~ "' as timestamptz)" -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{- return(filtered) -}}
    {%- else -%}
        {{- return(relation) -}}
    {%- endif -%}
{%- endmacro %}
