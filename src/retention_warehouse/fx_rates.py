"""The FX rates of the dbt seed `seeds/fx_rates.csv` (USD per one unit of currency), read by the
generator and by the vars check; outside the generator package so that checking a var does not
import it (and scipy with it)."""

from __future__ import annotations

import csv
from pathlib import Path

from retention_warehouse.settings import PROJECT_DIR


def fx_seed_path() -> Path:
    return PROJECT_DIR / "seeds" / "fx_rates.csv"


def load_fx_rates() -> dict[str, float]:
    """The seed's rates; like the landing contract, they are read from the project tree."""
    with fx_seed_path().open(newline="") as handle:
        return {row["currency_code"].strip(): float(row["rate_to_usd"]) for row in csv.DictReader(handle)}
