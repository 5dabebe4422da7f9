"""dbt vars given on the command line or by a flow, checked before dbt runs.

Vars that the models splice into SQL (dates, the base currency, the reporting time zone) must
be values of their kind; anything else stops the run with a message naming the var. The macros
check the same shapes again (macros/settings/vars.sql) for plain `dbt` users.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

from retention_warehouse.fx_rates import load_fx_rates

DATE_VARS = ("as_of_date", "clv_calibration_end", "min_order_date")


class VarsError(ValueError):
    """A dbt var is not valid; the message names it."""


def parse_vars(text: str | None) -> dict | None:
    """The JSON object of a --vars option."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise VarsError(f"--vars is not valid JSON ({error.msg} at character {error.pos + 1}): {text}") from None
    if not isinstance(value, dict):
        raise VarsError(f'--vars must be a JSON object such as {{"as_of_date": "2025-06-30"}}, got: {text}')
    return value


def _currencies() -> set[str]:
    return {code.upper() for code in load_fx_rates()}


def check_vars(dbt_vars: dict | None) -> None:
    """Raise VarsError for the first var whose value is not of its kind."""
    for name, value in (dbt_vars or {}).items():
        if name in DATE_VARS and value is not None:
            try:
                dt.date.fromisoformat(str(value))
                ok = len(str(value)) == 10
            except ValueError:
                ok = False
            if not ok:
                raise VarsError(f"var '{name}' must be a date written YYYY-MM-DD, got {value!r}")
        elif name == "base_currency" and str(value).upper() not in _currencies():
            known = ", ".join(sorted(_currencies()))
            raise VarsError(f"var 'base_currency' must be a currency of seeds/fx_rates.csv ({known}), got {value!r}")
        elif name == "reporting_timezone" and str(value).upper() != "UTC" and value not in zoneinfo.available_timezones():
            raise VarsError(f"var 'reporting_timezone' must be an IANA time zone such as 'Europe/Berlin', got {value!r}")
