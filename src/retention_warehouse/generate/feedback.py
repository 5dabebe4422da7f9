"""Survey responses: NPS/CSAT after an order, and cancellation reasons from customers who left.

Each customer has a latent satisfaction; customers whose BG/NBD dropout happened inside the window
score lower (dissatisfaction drives churn), so NPS predicts churn in the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..landing.timestamps import DAY
from .config import ShopMix

NULL = -1
LATEST_ANSWER = 75 * DAY  # no answer comes later than this after its customer's last purchase


@dataclass
class Responses:
    customer: np.ndarray
    responded_at: np.ndarray
    nps: np.ndarray  # NULL when not asked
    csat: np.ndarray  # NULL when not asked
    reason: np.ndarray  # index into ShopMix.cancellation_reasons, NULL unless the customer left

    def __len__(self) -> int:
        return len(self.customer)

    def select(self, index: np.ndarray) -> Responses:
        return Responses(*(getattr(self, f)[index] for f in vars(self)))

    @staticmethod
    def concat(parts: list[Responses]) -> Responses:
        return Responses(*(np.concatenate([getattr(r, f) for r in parts]) for f in vars(parts[0])))


def surveys(
    gen: np.random.Generator,
    mix: ShopMix,
    dropped: np.ndarray,
    completed_cust: np.ndarray,
    completed_at: np.ndarray,
    last_purchase: np.ndarray,
    window_end: int,
) -> Responses:
    """`completed_*` must be sorted by customer; `last_purchase` is the natural last purchase."""
    n = len(dropped)
    satisfaction = gen.standard_normal(n)

    # Post-order survey: one random completed order of ~survey_share of the customers.
    counts = np.bincount(completed_cust, minlength=n)
    starts = np.cumsum(counts) - counts
    who = np.flatnonzero(gen.random(n) < mix.survey_share)
    which = starts[who] + (gen.random(who.size) * counts[who]).astype(np.int64)
    at = completed_at[which] + gen.integers(3600, 10 * DAY, who.size)
    score = satisfaction[who] - 1.4 * dropped[who]
    nps = np.clip(np.rint(8.2 + 1.7 * score), 0, 10).astype(np.int64)
    csat = np.clip(np.rint(4.2 + 0.8 * score), 1, 5).astype(np.int64)
    ask_nps = gen.random(who.size) < 0.85
    ask_csat = (gen.random(who.size) < 0.75) | ~ask_nps
    post = Responses(
        who, at, np.where(ask_nps, nps, NULL), np.where(ask_csat, csat, NULL), np.full(who.size, NULL)
    )

    # Exit survey: some customers who dropped out answer 2-10 weeks after their last purchase.
    left = np.flatnonzero(dropped & (gen.random(n) < mix.exit_survey_share))
    at = last_purchase[left] + gen.integers(14 * DAY, LATEST_ANSWER, left.size)
    shares = np.array(list(mix.cancellation_reasons.values()))
    reason = np.minimum(np.searchsorted(np.cumsum(shares), gen.random(left.size)), len(shares) - 1)
    nps = np.clip(np.rint(4.0 + 1.8 * satisfaction[left]), 0, 10).astype(np.int64)
    ask_nps = gen.random(left.size) < 0.5
    exit_ = Responses(left, at, np.where(ask_nps, nps, NULL), np.full(left.size, NULL), reason)

    both = Responses.concat([post, exit_])
    both = both.select(both.responded_at < window_end)  # answers after the window are not exported yet
    return both.select(np.argsort(both.responded_at, kind="stable"))
