{#-
  Seeds are reloaded only when their CSV (or column types) changed. dbt's seed
  materialization truncates and re-inserts every seed on every run; this one stamps the
  table's comment with the CSV's checksum and, when the existing table carries the same
  stamp, loads nothing (post-hooks, e.g. grants, still run). A full refresh, a changed CSV,
  a missing or differently commented table are loaded as dbt does.
-#}
{% materialization seed, adapter='postgres' %}
    {%- set identifier = model['alias'] -%}
    {%- set full_refresh_mode = should_full_refresh() -%}
    {%- set old_relation = adapter.get_relation(
        database=database, schema=schema, identifier=identifier
    ) -%}
    {%- set exists_as_table = old_relation is not none and old_relation.is_table -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set stamp = 'boardroom seed ' ~ model['checksum']['checksum']
        ~ ' ' ~ local_md5(tojson(config.get('column_types') or {})) -%}
    {%- set agate_table = load_agate_table() -%}
    {%- do store_result('agate_table', response='OK', agate_table=agate_table) -%}
    {%- set unchanged = false -%}
    {%- if exists_as_table and not full_refresh_mode -%}
        {%- set found = run_query(
            "select obj_description(to_regclass(" ~ boardroom_text_literal(old_relation.include(database=false) | string) ~ "), 'pg_class')"
        ) -%}
        {%- set unchanged = found.rows[0][0] == stamp -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- if unchanged -%}
        {% call noop_statement('main', 'UNCHANGED 0', 'UNCHANGED', 0) %}
            -- {{ target_relation }} holds this CSV already
        {% endcall %}
    {%- else -%}
        {%- if old_relation is not none and old_relation.is_view -%}
            {{ exceptions.raise_compiler_error("Cannot seed to '{}', it is a view".format(old_relation.render())) }}
        {%- elif exists_as_table -%}
            {%- set create_table_sql = reset_csv_table(model, full_refresh_mode, old_relation, agate_table) -%}
        {%- else -%}
            {%- set create_table_sql = create_csv_table(model, agate_table) -%}
        {%- endif -%}
        {%- set code = 'CREATE' if full_refresh_mode else 'INSERT' -%}
        {%- set rows_affected = agate_table.rows | length -%}
        {%- set insert_sql = load_csv_rows(model, agate_table) if rows_affected > 0 else "" -%}
        {% call noop_statement('main', code ~ ' ' ~ rows_affected, code, rows_affected) %}
            {{ get_csv_sql(create_table_sql, insert_sql) }};
        {% endcall %}
        {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(old_relation, full_refresh_mode)) %}
        {% do persist_docs(target_relation, model) %}
        {% if full_refresh_mode or not exists_as_table %}
            {% do create_indexes(target_relation) %}
        {% endif %}
        {% do run_query("comment on table " ~ target_relation ~ " is " ~ boardroom_text_literal(stamp)) %}
    {%- endif -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{%- endmaterialization -%}
