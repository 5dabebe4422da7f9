{#- Money is stored as decimal cents so sums reconcile exactly across engines. The double is
    first fixed to 6 decimals, then rounded half-up to cents in decimal arithmetic: rounding the
    double directly differs between engines on ties (9.5 * 1.27 = 12.065 is 12.06 on DuckDB,
    whose round works on the binary value, and 12.07 on Spark, which rounds its decimal text). -#}
{% macro money(amount_expr) -%}
    cast(round(cast({{ amount_expr }} as decimal(38, 6)), 2) as decimal(18, 2))
{%- endmacro %}
