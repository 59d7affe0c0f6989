{#-
  dbt's run_hooks, with one difference: the `commit` dbt sends before a model's first hook
  outside its transaction is sent before the first such hook that renders to SQL, not
  before one that renders to nothing. The model's transaction is committed by then (the
  statement only makes sure), and a routine run, whose VACUUM hooks render to nothing
  (macros/maintenance.sql), would send it for every model. Each hook is still rendered
  right before it runs.
-#}
{% macro run_hooks(hooks, inside_transaction=True) %}
    {%- set committed = [] -%}
    {%- for hook in hooks | selectattr('transaction', 'equalto', inside_transaction) -%}
        {%- set rendered = render(hook.get('sql')) | trim -%}
        {%- if rendered | length > 0 -%}
            {%- if not inside_transaction and not committed -%}
                {%- call statement(auto_begin=inside_transaction) -%}
                    commit;
                {%- endcall -%}
                {%- do committed.append(true) -%}
            {%- endif -%}
            {%- call statement(auto_begin=inside_transaction) -%}
                {{ rendered }}
            {%- endcall -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
