"""Time helpers of the simulation: its window and the seasonal purchase clock.

All instants are int64 seconds since 1970-01-01 UTC (or float days where the maths needs it), as
the landing writes them (retention_warehouse.landing.timestamps).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..landing.timestamps import DAY, to_seconds

YEAR_DAYS = 365.2425


@dataclass(frozen=True)
class Window:
    start: int  # first second of the window
    end: int  # first second after the window (exclusive)

    @property
    def days(self) -> int:
        return (self.end - self.start) // DAY


def make_window(start_date: str | dt.date, years: int) -> Window:
    if years < 1:
        raise ValueError("years must be >= 1")
    start = dt.date.fromisoformat(str(start_date)) if not isinstance(start_date, dt.date) else start_date
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February -> 28 February
        end = start.replace(year=start.year + years, day=28)
    return Window(to_seconds(start), to_seconds(end))


def peak_day(month_day: tuple[int, int]) -> float:
    """Day-of-year phase (days since 1970-01-01) of the seasonal peak."""
    return float((dt.date(1970, *month_day) - dt.date(1970, 1, 1)).days)


@dataclass(frozen=True)
class SeasonalClock:
    """Operational time tau(t) = integral of 1 + A cos(2 pi (t - peak) / year) dt (t in days).

    Repeat purchases are exact BG/NBD in operational time; mapping them back to calendar time
    makes purchases ~A denser around the peak and ~A sparser half a year later. tau - t is
    bounded by A * year / (2 pi) (about 7 days for A = 0.12), so a customer's calendar T differs
    from its operational T by at most about one week and calendar-time BG/NBD fits stay close.
    """

    amplitude: float
    peak: float  # days since epoch of a peak (any year)

    def _phase(self, days):
        return 2.0 * np.pi * (days - self.peak) / YEAR_DAYS

    def tau(self, days: np.ndarray | float) -> np.ndarray:
        return days + self.amplitude * YEAR_DAYS / (2.0 * np.pi) * np.sin(self._phase(days))

    def inverse(self, tau: np.ndarray) -> np.ndarray:
        """Calendar days for operational days (Newton; tau' = 1 + A cos >= 1 - A > 0)."""
        tau = np.asarray(tau, dtype=np.float64)
        days = tau.copy()
        for _ in range(8):
            slope = 1.0 + self.amplitude * np.cos(self._phase(days))
            days -= (self.tau(days) - tau) / slope
        return days
