{#- Weighted mean of the expressions that are not null: sum(w * x) / sum(w) over present terms,
    so a missing input drops out and the others are re-weighted instead of the result becoming
    null or being pulled towards zero. `terms` is a list of (expression, weight) pairs; null
    when every term is null. -#}
{% macro weighted_mean_of_present(terms) -%}
    {%- set weighted = [] -%}
    {%- set present = [] -%}
    {%- for expression, weight in terms -%}
        {%- do weighted.append('coalesce(' ~ weight ~ ' * (' ~ expression ~ '), 0)') -%}
        {%- do present.append('case when (' ~ expression ~ ') is null then 0 else ' ~ weight ~ ' end') -%}
    {%- endfor -%}
    {{ safe_divide('(' ~ weighted | join(' + ') ~ ')', '(' ~ present | join(' + ') ~ ')') }}
{%- endmacro %}
