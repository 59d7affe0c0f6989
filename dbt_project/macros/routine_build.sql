{#-
  A routine build of an unchanged project. The run sets BOARDROOM_DBT_LEAVE_OUT_TAG=static
  when the warehouse holds the build of this very project: the fingerprint of every file of
  dbt_project/ and of the dbt version matches the one recorded by the last complete build
  that made the static nodes (boardroom/dbt/static_nodes.py), so that build checked every
  model's contract, schema and comments against the same SQL and YAML. An incremental run
  of such a build skips those checks, a few catalog queries per model each. A full refresh,
  an edited project or a new warehouse runs them all.
-#}
{% macro boardroom_project_unchanged() -%}
    {{ return(env_var('BOARDROOM_DBT_LEAVE_OUT_TAG', '') == 'static') }}
{%- endmacro %}

{#-
  The table this node adds days or versions to is the one the recorded build made,
  documented and analysed: the project is unchanged, every table of that build is still
  there (BOARDROOM_DBT_TABLES_KEPT) and the node keeps its table (an incremental model or
  a snapshot; a table model replaces its table every run).
-#}
{% macro boardroom_table_kept() -%}
    {{ return(
        boardroom_project_unchanged()
        and env_var('BOARDROOM_DBT_TABLES_KEPT', '') == 'true'
        and config.get('materialized') in ('incremental', 'snapshot')
    ) }}
{%- endmacro %}

{#- The contract check (the model's SQL against its YAML columns): once per project. -#}
{% macro postgres__get_assert_columns_equivalent(sql) -%}
    {%- if boardroom_project_unchanged() -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(assert_columns_equivalent(sql)) }}
{%- endmacro %}

{#-
  on_schema_change: the new rows have the table's columns when the project is the same.
  The columns to insert are then the contract's (checked against the table by the build
  that recorded the project), so neither they nor the new rows' columns are read from the
  catalog; a model without a contract gets {} and dbt reads the table's.
-#}
{% macro postgres__process_schema_changes(on_schema_change, source_relation, target_relation) -%}
    {%- if boardroom_project_unchanged() -%}
        {%- set contract = config.get('contract') -%}
        {%- if contract and contract.enforced -%}
            {%- set columns = [] -%}
            {%- for column in model['columns'].values() -%}
                {%- do columns.append(api.Column.create(column['name'], column['data_type'])) -%}
            {%- endfor -%}
            {{ return(columns) }}
        {%- endif -%}
        {{ return({}) }}
    {%- endif -%}
    {{ return(default__process_schema_changes(
        on_schema_change, source_relation, target_relation
    )) }}
{%- endmacro %}

{#-
  Table and column comments (persist_docs): written again unless the project is the same
  and the table already carries the model's description (a table created by this run has
  none yet); not even looked up on a table the recorded build documented.
-#}
{% macro postgres__persist_docs(relation, model, for_relation, for_columns) -%}
    {%- set documented = config.persist_relation_docs() and model.description -%}
    {%- if boardroom_table_kept() -%}
        {{ return('') }}
    {%- endif -%}
    {%- if boardroom_project_unchanged() and documented -%}
        {%- set name = relation.include(database=false) | string | replace("'", "''") -%}
        {%- set found = run_query(
            "select obj_description(to_regclass('" ~ name ~ "'), 'pg_class')"
        ) -%}
        {%- if found.columns[0].values()[0] == model.description -%}
            {{ return('') }}
        {%- endif -%}
    {%- endif -%}
    {{ return(default__persist_docs(relation, model, for_relation, for_columns)) }}
{%- endmacro %}
