"""Churn probability: a model of P(no purchase within the horizon), fitted on the warehouse's own
past snapshots (docs/churn.md)."""
