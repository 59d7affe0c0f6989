{#-
  Read access to unpublished rows for the audit reader role (var audit_reader_role: data
  engineers reviewing a build, never BI readers, since `audit` has no row-level security),
  GitLab style, harmless when the role does not exist. The role name is validated as a
  plain identifier and quoted by format('%I'); relation names come from dbt.

  grant_select_if_role_exists (post-hook of every mart and seed): SELECT on the relation,
  inside the model's transaction, so the rebuilt table swaps in with its grant.
  grant_schema_usage_if_role_exists (on-run-end): USAGE on the schemas, once per run
  (concurrent GRANTs on one schema from parallel post-hooks collide in the catalog).
-#}
{% macro boardroom_validated_role(role) -%}
    {%- if role is none or (role | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set role_name = role | string | trim -%}
    {%- if not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]{0,62}', role_name) -%}
        {{ exceptions.raise_compiler_error(
            "var audit_reader_role must be a plain identifier, got: " ~ role_name
        ) }}
    {%- endif -%}
    {{ return(role_name) }}
{%- endmacro %}

{% macro grant_select_if_role_exists(relation, role) -%}
    {%- set role_name = boardroom_validated_role(role) -%}
    {%- if role_name is none -%}
        select 1
    {%- else -%}
        do $grant$
        begin
            if exists (select 1 from pg_catalog.pg_roles where rolname = '{{ role_name }}') then
                execute format('grant select on %I.%I to %I', '{{ relation.schema }}', '{{ relation.identifier }}', '{{ role_name }}');
            end if;
        end
        $grant$
    {%- endif -%}
{%- endmacro %}

{% macro grant_schema_usage_if_role_exists(schemas, role) -%}
    {%- set role_name = boardroom_validated_role(role) -%}
    {%- if role_name is none -%}
        select 1
    {%- else -%}
        do $grant$
        declare
            schema_name text;
        begin
            if exists (select 1 from pg_catalog.pg_roles where rolname = '{{ role_name }}') then
                foreach schema_name in array array[{% for s in schemas %}'{{ s }}'{{ ", " if not loop.last }}{% endfor %}]::text[] loop
                    if exists (select 1 from pg_catalog.pg_namespace where nspname = schema_name) then
                        execute format('grant usage on schema %I to %I', schema_name, '{{ role_name }}');
                    end if;
                end loop;
            end if;
        end
        $grant$
    {%- endif -%}
{%- endmacro %}
