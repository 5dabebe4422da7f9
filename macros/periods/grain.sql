{#- Reads a grain var and rejects values the period macros do not support, so a typo in
    `--vars` fails at compile time instead of producing empty marts. -#}
{% macro grain_var(name) %}
    {%- set grain = var(name) | lower -%}
    {%- if grain not in ['week', 'month', 'quarter'] -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be week, month or quarter, got '" ~ grain ~ "'") }}
    {%- endif -%}
    {{ return(grain) }}
{% endmacro %}
