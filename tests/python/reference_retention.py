"""Independent plain-Python computation of the retention marts, used as the known answer.

Written from the metric definitions in the README (not from the SQL): purchases are completed
orders, periods are calendar weeks (Monday), months or quarters, and a customer is active at a
date when they purchased in the trailing `window_days` days up to and including that date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Purchase:
    customer_id: str
    order_date: date
    net_revenue: Decimal


def period_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(grain)


def next_period(start: date, grain: str) -> date:
    if grain == "week":
        return start + timedelta(days=7)
    months = 1 if grain == "month" else 3
    month_index = start.year * 12 + start.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)


def calendar(first: date, last_day: date, grain: str) -> list[date]:
    periods, current = [], first
    while current <= last_day:
        periods.append(current)
        current = next_period(current, grain)
    return periods


def customer_histories(purchases: list[Purchase], grain: str):
    """Per customer: {period_start: (purchases, revenue, last purchase date in period)}."""
    histories: dict[str, dict[date, list]] = defaultdict(dict)
    for purchase in purchases:
        start = period_start(purchase.order_date, grain)
        cell = histories[purchase.customer_id].setdefault(start, [0, Decimal(0), purchase.order_date])
        cell[0] += 1
        cell[1] += purchase.net_revenue
        cell[2] = max(cell[2], purchase.order_date)
    return histories


def retention_marts(purchases: list[Purchase], grain: str = "month", window_days: int = 90):
    """Returns (retention_rate_rows, growth_rows, cohort_rows) keyed like the marts."""
    as_of = max(p.order_date for p in purchases)
    histories = customer_histories(purchases, grain)
    periods = calendar(min(period_start(p.order_date, grain) for p in purchases), as_of, grain)

    retention = {start: defaultdict(int) for start in periods}
    growth = {start: defaultdict(Decimal) for start in periods}
    cohorts: dict[tuple[date, int], list] = {}
    cohort_sizes: dict[date, int] = defaultdict(int)

    for history in histories.values():
        first = min(history)
        cohort_sizes[first] += 1
        last_purchase = None
        active_at_start = False
        previous_active, previous_revenue = False, Decimal(0)
        for number, start in enumerate(p for p in periods if p >= first):
            end = next_period(start, grain) - timedelta(days=1)
            count, revenue, last_in_period = history.get(start, (0, Decimal(0), None))
            if last_in_period is not None:
                last_purchase = last_in_period
            active = count > 0
            active_at_end = last_purchase is not None and (end - last_purchase).days < window_days

            counts = retention[start]
            counts["customers_at_start"] += active_at_start
            counts["new_customers"] += number == 0
            counts["customers_at_end"] += active_at_end
            counts["retained_customers"] += active_at_start and active_at_end
            counts["reactivated_customers"] += (not active_at_start) and active_at_end and number > 0
            counts["lost_customers"] += active_at_start and not active_at_end

            state = (
                "new" if active and number == 0
                else "retained" if active and previous_active
                else "resurrected" if active
                else "churned" if previous_active
                else None
            )
            flows = growth[start]
            if state:
                flows[f"{state}_customers"] += 1
            if state in {"new", "retained", "resurrected"}:
                flows[f"{state}_revenue_base"] += revenue
            if state == "churned":
                flows["churned_revenue_base"] += previous_revenue
            if state == "retained":
                flows["expansion_revenue_base"] += max(revenue - previous_revenue, Decimal(0))
                flows["contraction_revenue_base"] += max(previous_revenue - revenue, Decimal(0))

            cell = cohorts.setdefault((first, number), [0, Decimal(0)])
            cell[0] += active
            cell[1] += revenue

            active_at_start = active_at_end
            previous_active, previous_revenue = active, revenue

    retention_rows = {}
    for start, counts in retention.items():
        cs, cn, ce = counts["customers_at_start"], counts["new_customers"], counts["customers_at_end"]
        retention_rows[start] = {
            **{key: counts[key] for key in (
                "customers_at_start", "new_customers", "customers_at_end",
                "retained_customers", "reactivated_customers", "lost_customers")},
            "retention_rate": (ce - cn) / cs if cs else None,
            "strict_retention_rate": counts["retained_customers"] / cs if cs else None,
            "churn_rate": counts["lost_customers"] / cs if cs else None,
        }

    growth_rows = {}
    for start, flows in growth.items():
        row = {key: flows[key] for key in (
            "new_customers", "retained_customers", "resurrected_customers", "churned_customers",
            "new_revenue_base", "retained_revenue_base", "resurrected_revenue_base",
            "churned_revenue_base", "expansion_revenue_base", "contraction_revenue_base")}
        row = {k: (int(v) if k.endswith("_customers") else v) for k, v in row.items()}
        row["active_customers"] = row["new_customers"] + row["retained_customers"] + row["resurrected_customers"]
        gained = row["new_customers"] + row["resurrected_customers"]
        row["customer_quick_ratio"] = gained / row["churned_customers"] if row["churned_customers"] else None
        growth_rows[start] = row

    cohort_rows = {}
    cumulative: dict[date, Decimal] = defaultdict(Decimal)
    for (cohort, number), (active, revenue) in sorted(cohorts.items()):
        cumulative[cohort] += revenue
        size = cohort_sizes[cohort]
        cohort_rows[(cohort, number)] = {
            "cohort_size": size,
            "active_customers": active,
            "cohort_retention_rate": active / size,
            "net_revenue_base": revenue,
            "cumulative_net_revenue_per_customer": float(cumulative[cohort]) / size,
        }
    return retention_rows, growth_rows, cohort_rows
