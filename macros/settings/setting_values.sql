{#- Vars and environment values reach SQL only through these macros: each is checked for its
    kind (a compiler error names the var) or quoted as a string literal. The CLI checks the vars
    the same way before dbt starts (retention_warehouse/project_vars.py). -#}

{#- A SQL string literal of `value`, quoted for the adapter (Spark also escapes backslashes). -#}
{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'retention_warehouse')(value | string)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__string_literal(value) -%}
    '{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{#- The value of var `name` after checking it matches `pattern` (a regular expression). -#}
{% macro checked_var(name, pattern, expected) -%}
    {%- set value = var(name) -%}
    {%- if value is not none and not modules.re.fullmatch(pattern, value | string) -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be " ~ expected ~ ", got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- A date var as a SQL date, or none when the var is null. -#}
{% macro date_var(name) -%}
    {%- set value = checked_var(name, '[0-9]{4}-[0-9]{2}-[0-9]{2}', 'a date written YYYY-MM-DD') -%}
    {{ return("cast('" ~ value ~ "' as date)" if value else none) }}
{%- endmacro %}
