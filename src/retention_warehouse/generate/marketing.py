"""Daily marketing spend per paid channel, consistent with the customers those channels acquired.

Spend on day d for channel c = CAC_c * (customers acquired through c) * density_d * noise, where
density_d is the acquisition curve (the expected share of acquisitions on day d) and noise is
log-normal with mean 1. Total spend / acquired customers is therefore about CAC_c per channel,
and the daily series follows growth and the Q4 peak without the zero-inflation of small samples.
"""

from __future__ import annotations

import numpy as np

from ..landing.timestamps import DAY, format_date
from .config import ShopMix
from .streams import GLOBAL_CHUNK, Stream, rng
from .timeutil import Window

NOISE_SD = 0.25


def spend_columns(
    seed: int, window: Window, density: np.ndarray, acquired: dict[str, int], mix: ShopMix, chunk: int = GLOBAL_CHUNK
) -> dict:
    """`density[d]` * `acquired[c]` = expected acquisitions of channel c on day d of the window."""
    gen = rng(seed, chunk, Stream.MARKETING)
    channels = list(mix.cac_usd)
    days = len(density)
    noise = np.exp(NOISE_SD * gen.standard_normal((days, len(channels))) - NOISE_SD**2 / 2)
    cac = np.array([mix.cac_usd[c] for c in channels])
    n = np.array([acquired.get(c, 0) for c in channels], dtype=np.float64)
    amount = np.round(density[:, None] * (cac * n)[None, :] * noise, 2)
    dates = format_date(window.start + np.repeat(np.arange(days), len(channels)) * DAY)
    return {
        "spend_date": dates,
        "channel": np.tile(np.array(channels, dtype=object), days),
        "currency": np.full(days * len(channels), "USD", dtype=object),
        "spend_amount": amount.ravel(),
    }
