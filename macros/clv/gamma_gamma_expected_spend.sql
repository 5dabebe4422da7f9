{#- Gamma-Gamma conditional expected transaction value (Fader, Hardie & Lee 2005, eq. 5):
    E[Z | x, m] = (p (gamma + x m)) / (p x + q - 1), a weighted mean of the population mean
    p gamma / (q - 1) and the customer's mean m of x repeat transactions. x = 0 gives the
    population mean; null when q <= 1 (the population mean does not exist). -#}
{% macro gamma_gamma_expected_spend(p, q, gamma, frequency, monetary_value) -%}
    case
        when {{ q }} > 1
            then {{ p }} * ({{ gamma }} + {{ frequency }} * coalesce({{ monetary_value }}, 0))
            / ({{ p }} * {{ frequency }} + {{ q }} - 1)
    end
{%- endmacro %}
