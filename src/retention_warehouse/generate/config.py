"""True parameters and fixed vocabularies of the synthetic shop.

Everything the generator draws from is defined here so that `_generator_params.json` can record it
and tests can recompute expectations from the recorded values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class ProcessParams:
    """BG/NBD (time unit: week) and Gamma-Gamma (USD) parameters of completed orders."""

    r: float = 0.6
    alpha: float = 8.0
    a: float = 0.8
    b: float = 2.5
    p_gg: float = 6.0
    q: float = 4.0
    gamma: float = 20.0


@dataclass(frozen=True)
class Seasonality:
    """Q4 peak shared by acquisitions (density) and repeat purchases (time-warp)."""

    peak_month_day: tuple[int, int] = (11, 25)  # around Black Friday
    acquisition_amplitude: float = 0.35  # acquisitions: 1 +- 0.35 over the year
    acquisition_growth_per_year: float = 0.6  # +60% acquisitions per year
    purchase_warp_amplitude: float = 0.12  # purchase intensity 1 +- 0.12 in calendar time


@dataclass(frozen=True)
class ShopMix:
    """Shares of categorical attributes and rates of non-purchase events."""

    countries: dict[str, float] = field(
        default_factory=lambda: {"US": 0.45, "GB": 0.15, "DE": 0.12, "FR": 0.10, "CA": 0.10, "AU": 0.08}
    )
    country_currency: dict[str, str] = field(
        default_factory=lambda: {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "CA": "CAD", "AU": "AUD"}
    )
    channels: dict[str, float] = field(
        default_factory=lambda: {
            "organic_search": 0.25,
            "paid_search": 0.20,
            "paid_social": 0.17,
            "email": 0.08,
            "referral": 0.10,
            "affiliate": 0.08,
            "direct": 0.12,
        }
    )
    # Tilt of each channel's share with the customer's purchase-rate quantile u in [0, 1):
    # weight = share * (1 + tilt * (2u - 1)). sum(share * tilt) == 0 keeps the marginal shares.
    channel_tilt: dict[str, float] = field(
        default_factory=lambda: {
            "organic_search": 0.0,
            "paid_search": -0.2,
            "paid_social": -0.5,
            "email": 0.5,
            "referral": 0.6,
            "affiliate": -0.2,
            "direct": 0.041 / 0.12,  # balances the others
        }
    )
    platforms: tuple[str, ...] = ("web", "app", "mobile_web")
    platform_loyalty: float = 0.85  # share of a customer's orders on their preferred platform
    cac_usd: dict[str, float] = field(
        default_factory=lambda: {"paid_search": 45.0, "paid_social": 65.0, "affiliate": 30.0, "email": 22.0}
    )
    cancelled_share: float = 0.04  # of all clean orders
    returned_share: float = 0.06
    discount_share: float = 0.25  # orders with a 5-20% discount
    survey_share: float = 0.20  # customers asked for NPS/CSAT after an order
    exit_survey_share: float = 0.35  # dropped-out customers answering the cancellation survey
    cancellation_reasons: dict[str, float] = field(
        default_factory=lambda: {
            "feels_unvalued": 0.68,
            "product_dissatisfaction": 0.14,
            "price": 0.09,
            "other": 0.09,
        }
    )


@dataclass(frozen=True)
class ExperimentDesign:
    """Win-back experiment on customers who look lapsed at the assignment date."""

    sample_share: float = 0.30  # of eligible customers
    treatment_share: float = 0.5
    design_uplift: float = 0.08  # P(extra completed order within 90 days | treatment)
    min_days_inactive: int = 60
    max_days_inactive: int = 365
    effect_days: int = 90
    days_before_window_end: int = 270  # assignment month = month of (window end - 270 days)
    windows_days: tuple[int, ...] = (30, 60, 90)


def as_dict(obj) -> dict:
    return asdict(obj)
