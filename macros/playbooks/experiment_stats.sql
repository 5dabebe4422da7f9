{#- Statistics of a two-arm experiment with a binary outcome (purchased within the window), from
    the rate p and sample size n of the treatment (_t) and control (_c) arms. Intervals are normal
    approximations at z = 1.96 (two-sided 95 %):
    - absolute uplift p_t - p_c: Wald interval, SE = sqrt(p_t(1-p_t)/n_t + p_c(1-p_c)/n_c);
    - relative uplift p_t / p_c - 1: log risk-ratio (Katz) interval,
      SE(ln RR) = sqrt((1-p_t)/(n_t p_t) + (1-p_c)/(n_c p_c)), bounds exp(ln RR -+ z SE) - 1,
      which stays above -1 and is asymmetric like the ratio itself. Undefined (null) when an arm
      has no buyers. -#}

{% macro uplift_z() -%}
    1.96
{%- endmacro %}

{% macro absolute_uplift(p_t, p_c) -%}
    ({{ p_t }} - {{ p_c }})
{%- endmacro %}

{% macro absolute_uplift_standard_error(p_t, n_t, p_c, n_c) -%}
    sqrt({{ p_t }} * (1 - {{ p_t }}) / {{ n_t }} + {{ p_c }} * (1 - {{ p_c }}) / {{ n_c }})
{%- endmacro %}

{#- bound: 'lower' or 'upper'. -#}
{% macro absolute_uplift_bound(p_t, n_t, p_c, n_c, bound) -%}
    ({{ absolute_uplift(p_t, p_c) }} {{ '-' if bound == 'lower' else '+' }} {{ uplift_z() }}
    * {{ absolute_uplift_standard_error(p_t, n_t, p_c, n_c) }})
{%- endmacro %}

{% macro relative_uplift(p_t, p_c) -%}
    ({{ p_t }} / nullif({{ p_c }}, 0) - 1)
{%- endmacro %}

{% macro log_risk_ratio_standard_error(p_t, n_t, p_c, n_c) -%}
    sqrt(
        (1 - {{ p_t }}) / ({{ n_t }} * nullif({{ p_t }}, 0))
        + (1 - {{ p_c }}) / ({{ n_c }} * nullif({{ p_c }}, 0))
    )
{%- endmacro %}

{% macro relative_uplift_bound(p_t, n_t, p_c, n_c, bound) -%}
    (exp(
        ln(nullif({{ p_t }}, 0) / nullif({{ p_c }}, 0))
        {{ '-' if bound == 'lower' else '+' }} {{ uplift_z() }}
        * {{ log_risk_ratio_standard_error(p_t, n_t, p_c, n_c) }}
    ) - 1)
{%- endmacro %}
