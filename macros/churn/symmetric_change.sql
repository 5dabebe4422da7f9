{#- Change from `previous` to `current` as (current - previous) / (current + previous), in [-1, 1]:
    -1 stopped, 0 unchanged, +1 started. Bounded, unlike a growth rate, and symmetric (halving and
    doubling are -1/3 and +1/3); null when both are zero (no activity to compare). -#}
{% macro symmetric_change(current, previous) -%}
    {{ safe_divide('(' ~ current ~ ') - (' ~ previous ~ ')', '(' ~ current ~ ') + (' ~ previous ~ ')') }}
{%- endmacro %}
