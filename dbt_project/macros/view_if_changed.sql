{#-
  Views (staging) are replaced only when their SQL changed. dbt's view materialization
  re-creates every view on every run (create, two renames, drop, in a transaction) though
  a routine run changes none. This one stamps each view's comment with the md5 of its
  compiled SQL and, when the existing view carries the same stamp, does nothing but that
  one lookup. A full refresh, a changed SQL, a missing or differently commented view are
  (re)created as dbt does: built beside the target, swapped in by rename.
-#}
{% materialization view, adapter='postgres' %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- set stamp = 'boardroom sql md5 ' ~ local_md5(sql) -%}
    {%- set unchanged = false -%}
    {%- if existing_relation is not none and existing_relation.is_view
        and not should_full_refresh() -%}
        {%- call statement('main', fetch_result=True) -%}
            select obj_description(
                to_regclass({{ boardroom_text_literal(existing_relation.include(database=false) | string) }}),
                'pg_class'
            ) as stamp
        {%- endcall -%}
        {%- set unchanged = load_result('main').table.rows[0][0] == stamp -%}
    {%- endif -%}
    {%- if not unchanged -%}
        {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
        {%- set backup_relation_type = 'view' if existing_relation is none else existing_relation.type -%}
        {%- set backup_relation = make_backup_relation(target_relation, backup_relation_type) -%}
        {{ run_hooks(pre_hooks, inside_transaction=False) }}
        {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
        {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}
        {{ run_hooks(pre_hooks, inside_transaction=True) }}
        {%- call statement('main') -%}
            {{ get_create_view_as_sql(intermediate_relation, sql) }};
            comment on view {{ intermediate_relation }} is {{ boardroom_text_literal(stamp) }}
        {%- endcall -%}
        {%- if existing_relation is not none -%}
            {{ adapter.rename_relation(existing_relation, backup_relation) }}
        {%- endif -%}
        {{ adapter.rename_relation(intermediate_relation, target_relation) }}
        {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing_relation, full_refresh_mode=True)) %}
        {% do persist_docs(target_relation, model) %}
        {{ run_hooks(post_hooks, inside_transaction=True) }}
        {{ adapter.commit() }}
        {{ drop_relation_if_exists(backup_relation) }}
        {{ run_hooks(post_hooks, inside_transaction=False) }}
    {%- endif -%}
    {{ return({'relations': [target_relation]}) }}
{%- endmaterialization -%}

{#- A SQL string literal of `text`, quotes doubled. -#}
{% macro boardroom_text_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}
