"""The FX rates of the dbt seed `seeds/fx_rates.csv` (USD per one unit of currency), read by the
generator and by the vars check; outside the generator package so that checking a var does not
import it (and scipy with it)."""

from __future__ import annotations

import csv
from pathlib import Path

from retention_warehouse.settings import PROJECT_DIR

# Used only when the package runs outside the project tree (no seeds/ folder next to src/).
DEFAULT_RATES = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CAD": 0.74, "AUD": 0.66}


def fx_seed_path() -> Path:
    return PROJECT_DIR / "seeds" / "fx_rates.csv"


def load_fx_rates(path: Path | None = None) -> dict[str, float]:
    path = fx_seed_path() if path is None else path
    if not path.exists():
        return dict(DEFAULT_RATES)
    with path.open(newline="") as handle:
        return {row["currency_code"].strip(): float(row["rate_to_usd"]) for row in csv.DictReader(handle)}
