"""Synthetic shop data for the landing zone (see docs/architecture.md).

Completed orders follow BG/NBD (counts, timing) and Gamma-Gamma (values); cancelled/returned
orders, a win-back experiment, surveys, marketing spend and quarantine-worthy bad rows are added
around them. Entry points: `generate(raw_dir, orders, ...)`, and `append_days(raw_dir, days)` to
continue a generated landing by more days.
"""

from .append import append_days
from .pipeline import generate

__all__ = ["append_days", "generate"]
