{#- Net Promoter Score class of a 0-10 answer: promoter 9-10, passive 7-8, detractor 0-6;
    null when the question was not asked. -#}
{% macro nps_class(score) -%}
    case
        when {{ score }} >= 9 then 'promoter'
        when {{ score }} >= 7 then 'passive'
        when {{ score }} >= 0 then 'detractor'
    end
{%- endmacro %}

{#- NPS = % promoters - % detractors of the NPS answers, in points from -100 to 100. -#}
{% macro nps(promoters, detractors, nps_answers) -%}
    {{ safe_divide('100 * (' ~ promoters ~ ' - ' ~ detractors ~ ')', nps_answers) }}
{%- endmacro %}

{#- A CSAT answer (1-5) counts as satisfied at 4 or 5; CSAT % is the satisfied share. -#}
{% macro is_csat_satisfied(score) -%}
    {{ score }} >= 4
{%- endmacro %}
