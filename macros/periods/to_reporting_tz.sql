{#- Converts a UTC timestamp (without zone) into wall-clock time in the `reporting_timezone` var. -#}
{% macro to_reporting_tz(utc_timestamp) -%}
    {%- set tz = checked_var('reporting_timezone', '[A-Za-z0-9_+/-]+', 'a time zone name such as Europe/Berlin') -%}
    {%- if tz | upper == 'UTC' -%}
        {{ utc_timestamp }}
    {%- else -%}
        {{ return(adapter.dispatch('to_reporting_tz', 'retention_warehouse')(utc_timestamp, tz)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__to_reporting_tz(utc_timestamp, tz) -%}
    from_utc_timestamp({{ utc_timestamp }}, '{{ tz }}')
{%- endmacro %}

{% macro duckdb__to_reporting_tz(utc_timestamp, tz) -%}
    cast(timezone('{{ tz }}', timezone('UTC', {{ utc_timestamp }})) as timestamp)
{%- endmacro %}
