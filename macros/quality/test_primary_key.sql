{#- Generic test for a key of several columns: no column is null and no combination repeats.
    One scan and one grouping, where unique + not_null per column would read the table three
    times; used where a string surrogate key would cost more to build than the rows it names. -#}
{% test primary_key(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as copies

from {{ model }}
group by {{ columns | join(', ') }}
having
    count(*) > 1
    {%- for column in columns %}
    or {{ column }} is null
    {%- endfor %}

{% endtest %}
