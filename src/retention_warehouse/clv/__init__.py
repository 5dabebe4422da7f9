"""Customer lifetime value: BG/NBD and Gamma-Gamma maximum-likelihood fits outside dbt.

The dbt models build the grouped sufficient statistics; `step.fit_clv` fits both models, scores
every distinct (frequency, recency, age) group and writes the results back to the warehouse,
where the CLV marts read them.
"""
