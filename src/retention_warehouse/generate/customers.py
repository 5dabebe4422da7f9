"""Customers: acquisition times, latent BG/NBD / Gamma-Gamma parameters and attributes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..landing.timestamps import DAY
from .config import ProcessParams, Seasonality, ShopMix
from .streams import Stream, rng
from .timeutil import YEAR_DAYS, Window, peak_day


def acquisition_weight(window_start: int, day: np.ndarray, seasonality: Seasonality) -> np.ndarray:
    """Relative acquisition intensity on days `day` (float, since window_start): growth times a Q4
    peak. Defined past the window too, which is how appended days continue the curve."""
    growth = np.exp(np.log1p(seasonality.acquisition_growth_per_year) * day / YEAR_DAYS)
    phase = 2.0 * np.pi * (window_start / DAY + day - peak_day(seasonality.peak_month_day)) / YEAR_DAYS
    return growth * (1.0 + seasonality.acquisition_amplitude * np.cos(phase))


def acquisition_density(window: Window, seasonality: Seasonality) -> np.ndarray:
    """Share of all acquisitions on each day of the window."""
    weight = acquisition_weight(window.start, np.arange(window.days, dtype=np.float64), seasonality)
    return weight / weight.sum()


@dataclass
class Customers:
    """Column arrays for one chunk of customers (index = position in the chunk)."""

    acquired_at: np.ndarray  # int64 seconds: the first (completed) order
    lam: np.ndarray  # BG/NBD purchase rate per week
    p: np.ndarray  # BG/NBD dropout probability after each repeat purchase
    nu: np.ndarray  # Gamma-Gamma rate of the order value (USD)
    country: np.ndarray  # index into ShopMix.countries
    channel: np.ndarray  # index into ShopMix.channels
    platform: np.ndarray  # index into ShopMix.platforms (preferred platform)

    def __len__(self) -> int:
        return len(self.lam)

    def take(self, n: int) -> Customers:
        return self.select(slice(0, n))

    def select(self, index) -> Customers:
        return Customers(**{k: v[index] for k, v in vars(self).items()})

    @staticmethod
    def concat(parts: list[Customers]) -> Customers:
        return Customers(**{k: np.concatenate([getattr(c, k) for c in parts]) for k in vars(parts[0])})


def _categorical(gen: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One draw per row of a (n, k) weight matrix."""
    cum = np.cumsum(weights, axis=1)
    u = gen.random(len(weights)) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), weights.shape[1] - 1).astype(np.int8)


def draw_customers(
    seed: int,
    chunk: int,
    n: int,
    window: Window,
    density: np.ndarray,
    params: ProcessParams,
    mix: ShopMix,
) -> Customers:
    gen = rng(seed, chunk, Stream.ACQUISITION)
    day = np.searchsorted(np.cumsum(density), gen.random(n) * density.sum(), side="right")
    day = np.minimum(day, len(density) - 1)
    acquired_at = window.start + day * DAY + gen.integers(0, DAY, n)

    gen = rng(seed, chunk, Stream.PROCESS_PARAMS)
    lam = gen.gamma(params.r, 1.0 / params.alpha, n)
    p = gen.beta(params.a, params.b, n)
    nu = rng(seed, chunk, Stream.SPEND_PARAMS).gamma(params.q, 1.0 / params.gamma, n)

    # Attributes are drawn AFTER lambda and may depend on it (frequent buyers lean to the app and
    # to referral/email), which leaves the marginal Gamma(r, alpha) of lambda untouched.
    gen = rng(seed, chunk, Stream.ATTRIBUTES)
    u = stats.gamma.cdf(lam, params.r, scale=1.0 / params.alpha)
    country = _categorical(gen, np.broadcast_to(np.array(list(mix.countries.values())), (n, len(mix.countries))))
    share = np.array(list(mix.channels.values()))
    tilt = np.array([mix.channel_tilt[c] for c in mix.channels])
    channel = _categorical(gen, share * (1.0 + tilt * (2.0 * u[:, None] - 1.0)))
    app = 0.15 + 0.35 * u  # P(prefers app) rises from 15% to 50% with the purchase rate
    platform = _categorical(gen, np.column_stack([0.55 * (1 - app), app, 0.45 * (1 - app)]))
    return Customers(acquired_at, lam, p, nu, country, channel, platform)
