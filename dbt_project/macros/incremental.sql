{#-
  Incremental strategy `replace_as_of_days`: in one transaction, delete every row of the
  target whose as_of_date is one of the as-of days this invocation (re)builds (the rows of
  ref('int_as_of_days') written by this invocation), then insert the new rows. Unlike
  delete+insert on the new rows' keys, a day whose rebuild yields fewer rows (an alert
  cleared, an approval decided) loses its stale rows too. The days are an array subquery
  (boardroom_run_days_in), so the delete uses the target's as_of_date index. Models using it must depend
  on int_as_of_days (they all join it).
-#}
{% macro get_incremental_replace_as_of_days_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set columns = arg_dict["dest_columns"] | map(attribute="quoted") | join(", ") -%}
    delete from {{ target }}
    where {{ boardroom_run_days_in('as_of_date', true) }};

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
{% endmacro %}
