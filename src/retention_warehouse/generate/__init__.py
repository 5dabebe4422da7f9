"""Synthetic shop data for the landing zone (see docs/architecture.md).

Completed orders follow BG/NBD (counts, timing) and Gamma-Gamma (values); cancelled/returned
orders, a win-back experiment, surveys, marketing spend and quarantine-worthy bad rows are added
around them. Entry point: `generate(raw_dir, orders, ...)`.
"""

from .pipeline import generate

__all__ = ["generate"]
