{#- Registry of raw tables and the models that account for their rows: `base` validates every raw
    row, `staging` keeps the usable ones. Read by fct_quarantined_rows and by the
    assert_raw_rows_accounted_for test; register every new raw table here (the names must be
    literal for dbt's parser to see the refs; test_project_structure checks that this list covers
    every landing table of the sources YAML). -#}
{% macro validated_tables() %}
    {{ return([
        {'source': 'shop', 'table': 'customers', 'base': 'base_shop__customers', 'staging': 'stg_shop__customers'},
        {'source': 'shop', 'table': 'products', 'base': 'base_shop__products', 'staging': 'stg_shop__products'},
        {'source': 'shop', 'table': 'orders', 'base': 'base_shop__orders', 'staging': 'stg_shop__orders'},
        {'source': 'shop', 'table': 'order_items', 'base': 'base_shop__order_items', 'staging': 'stg_shop__order_items'},
        {'source': 'marketing', 'table': 'marketing_spend', 'base': 'base_marketing__spend', 'staging': 'stg_marketing__spend'},
        {'source': 'feedback', 'table': 'survey_responses', 'base': 'base_feedback__survey_responses', 'staging': 'stg_feedback__survey_responses'},
        {'source': 'experiments', 'table': 'experiment_assignments', 'base': 'base_experiments__assignments', 'staging': 'stg_experiments__assignments'},
    ]) }}
{% endmacro %}
