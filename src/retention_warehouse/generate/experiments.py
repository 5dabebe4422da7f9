"""Win-back experiment: who is assigned, and the extra orders caused by the treatment.

Because the natural (BG/NBD) purchases are simulated first, the counterfactual of every treated
customer is known, which gives the true in-sample uplift of "ordered within w days".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..landing.timestamps import DAY, to_seconds
from .config import ExperimentDesign
from .streams import Stream, rng
from .timeutil import Window

NEVER = np.iinfo(np.int64).max


def assignment_time(window: Window, design: ExperimentDesign) -> int:
    """09:00 UTC on the first day of the month `days_before_window_end` days before the end."""
    day = dt.datetime.fromtimestamp(window.end - design.days_before_window_end * DAY, dt.UTC)
    return max(window.start, to_seconds(dt.datetime(day.year, day.month, 1, 9)))


def experiment_id(assigned_at: int) -> str:
    return f"winback_{dt.datetime.fromtimestamp(assigned_at, dt.UTC).year}"


@dataclass
class Assignments:
    customer: np.ndarray  # chunk index of each assigned customer
    treated: np.ndarray  # bool
    added_at: np.ndarray  # seconds of the treatment's extra completed order, -1 if none
    natural_next: np.ndarray  # first natural completed order at/after assignment, NEVER if none

    @staticmethod
    def empty() -> Assignments:
        none = np.zeros(0, np.int64)
        return Assignments(none, np.zeros(0, bool), none, none)

    def keep(self, n_customers: int) -> Assignments:
        m = self.customer < n_customers
        return Assignments(self.customer[m], self.treated[m], self.added_at[m], self.natural_next[m])


def assign(
    seed: int,
    chunk: int,
    design: ExperimentDesign,
    assigned_at: int,
    n_customers: int,
    completed_cust: np.ndarray,
    completed_at: np.ndarray,
) -> Assignments:
    """Sample lapsed-looking customers (last completed order 60-365 days before assignment)."""
    before = completed_at < assigned_at
    last = np.full(n_customers, -1, dtype=np.int64)
    np.maximum.at(last, completed_cust[before], completed_at[before])
    nxt = np.full(n_customers, NEVER, dtype=np.int64)
    np.minimum.at(nxt, completed_cust[~before], completed_at[~before])

    gen = rng(seed, chunk, Stream.EXPERIMENT)
    idle = assigned_at - last
    eligible = (last >= 0) & (idle >= design.min_days_inactive * DAY) & (idle <= design.max_days_inactive * DAY)
    sampled = eligible & (gen.random(n_customers) < design.sample_share)
    customer = np.flatnonzero(sampled)
    treated = gen.random(customer.size) < design.treatment_share
    success = treated & (gen.random(customer.size) < design.design_uplift)
    # Win-back responses come early: delay = effect_days * U^1.5 (median ~ 0.35 * effect_days).
    delay = (design.effect_days * DAY * gen.random(customer.size) ** 1.5).astype(np.int64) + 1
    added_at = np.where(success, assigned_at + np.minimum(delay, design.effect_days * DAY - 1), -1)
    return Assignments(customer, treated, added_at, nxt[customer])


def summarize(parts: list[Assignments], design: ExperimentDesign, assigned_at: int) -> dict:
    treated = np.concatenate([a.treated for a in parts]) if parts else np.zeros(0, bool)
    added = np.concatenate([a.added_at for a in parts]) if parts else np.zeros(0, np.int64)
    natural = np.concatenate([a.natural_next for a in parts]) if parts else np.zeros(0, np.int64)
    n_treat, n_ctrl = int(treated.sum()), int((~treated).sum())
    out = {"n_control": n_ctrl, "n_treatment": n_treat, "extra_orders_added": int((added >= 0).sum())}
    uplift, rates = {}, {}
    for w in design.windows_days:
        horizon = assigned_at + w * DAY
        natural_buyer = natural < horizon
        added_buyer = (added >= 0) & (added < horizon)
        converted = treated & added_buyer & ~natural_buyer  # non-buyer turned into buyer
        uplift[str(w)] = converted.sum() / n_treat if n_treat else 0.0
        rates[str(w)] = {
            "control": float(natural_buyer[~treated].mean()) if n_ctrl else 0.0,
            "treatment": float((natural_buyer | added_buyer)[treated].mean()) if n_treat else 0.0,
            "treatment_counterfactual": float(natural_buyer[treated].mean()) if n_treat else 0.0,
        }
    out["true_uplift"] = {k: float(v) for k, v in uplift.items()}
    out["observed_buyer_rate"] = rates
    return out
