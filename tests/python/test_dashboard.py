"""The dashboard in a real browser (Debian's headless Chromium) over a published version of the
demo marts: every page renders its charts with data, shows the marts' headline numbers and logs
nothing to the console. Screenshots go to data/test/artifacts/dashboard-<page>.png."""

from __future__ import annotations

import csv
import json
import re
import urllib.request

import duckdb
import pytest

from retention_warehouse import browser
from retention_warehouse.dashboard.app import running_dashboard
from retention_warehouse.dashboard.pages import PAGES, overview
from retention_warehouse.dashboard.served import Filters, ServedMarts
from retention_warehouse.orchestration import marts, publish
from retention_warehouse.settings import PROJECT_DIR

CHARTS = {
    "/": ["chart-active-customers"],
    "/cohorts": ["chart-cohort-customers", "chart-cohort-revenue"],
    "/retention": ["chart-retention-rates", "chart-growth-accounting", "chart-quick-ratio"],
    "/value": ["chart-clv-distribution", "chart-clv-deciles", "chart-p-alive", "chart-ltv-cac"],
    "/churn": ["chart-backtest-lift", "chart-calibration"],
    "/playbooks": ["chart-product-breadth", "chart-repeat-spend", "chart-return-rate", "chart-churn-reasons",
                   "chart-nps", "chart-csat", "chart-experiments"],
}
# What a drawn trace leaves in the DOM: bar points, a line's path, a heatmap's image.
DRAWN = re.compile(r'class="point"|class="js-line" d="M|<image ')


@pytest.fixture(scope="module")
def serving(demo_warehouse, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dashboard") / "serving"
    with marts.open_marts(demo_warehouse) as connection:
        staged = publish.stage(connection, marts.discover_marts(demo_warehouse), folder,
                               {"raw_fingerprint": "demo", "as_of_date": "2025-12-31"})
    publish.publish(staged, folder)
    return folder


def _high_risk_threshold() -> float:
    with (PROJECT_DIR / "seeds" / "churn_risk_segments.csv").open(newline="") as bands:
        return next(float(band["min_churn_probability"]) for band in csv.DictReader(bands) if band["risk_segment"] == "high")


def _headline_numbers(serving) -> dict[str, str]:
    """The overview and churn headline figures, computed here from the served marts."""
    with duckdb.connect(str(serving / publish.DUCKDB_FILE), read_only=True) as served:
        customers, = served.execute("select count(*) from dim_customers where first_purchase_date is not null").fetchone()
        active, rate = served.execute(
            "select customers_at_end, (customers_at_end - new_customers) / customers_at_start from fct_retention_rate "
            "where is_complete order by period_start desc limit 1").fetchone()
        high, = served.execute("select count(*) from fct_customer_churn_risk where churn_probability >= ?",
                               [_high_risk_threshold()]).fetchone()
        auc, = served.execute("select validation_auc from fct_churn_model_fit where is_current").fetchone()
    return {"kpi-customers": f"{customers:,}", "kpi-active-customers": f"{active:,}",
            "kpi-retention-rate": f"{100 * rate:.1f}%", "kpi-high-risk": f"{high:,}",
            "kpi-validation-auc": f"{auc:.3f}"}


@pytest.mark.skipif(browser.CHROMIUM is None, reason="Debian's chromium package is not installed (.ci/run installs it)")
def test_every_page_renders_its_charts_and_the_marts_numbers_without_console_messages(serving, tmp_path, request):
    artifacts = request.config.rootpath / "data" / "test" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    shown = {}
    with running_dashboard(serving) as url:
        for path, (title, _) in PAGES.items():
            page = browser.load(url + path, tmp_path / "profile")
            dom = page.stdout
            assert f'id="page-title">{title}<' in dom, f"{path} did not render"
            console = browser.console_messages(page)
            assert not console, f"{path} logged to the console: {console}"
            for chart_id in CHARTS[path]:
                start = dom.index(f'id="{chart_id}"')
                end = min([dom.index(f'id="{other}"') for other in CHARTS[path] if dom.find(f'id="{other}"') > start]
                          or [len(dom)])
                assert 'class="main-svg"' in dom[start:end] and DRAWN.search(dom[start:end]), f"{chart_id} is empty"
            shown |= dict(re.findall(r'id="(kpi-[a-z-]+)"[^>]*>([^<]*)<', dom))
            name = path.strip("/") or "overview"
            browser.load(url + path, tmp_path / "profile", screenshot=artifacts / f"dashboard-{name}.png")
    expected = _headline_numbers(serving)
    assert {key: shown[key] for key in expected} == expected
    assert "Version " in dom and "data as of 2025-12-31" in dom  # the published _build_info


def test_the_channel_and_cohort_filters_narrow_the_headline_figures(serving):
    with duckdb.connect(str(serving / publish.DUCKDB_FILE), read_only=True) as served:
        channel, first, last, customers, revenue = served.execute("""
            select acquisition_channel, min(cohort_period), max(cohort_period), count(*), sum(net_revenue_base)
            from dim_customers where cohort_period between '2024-01-01' and '2024-06-01'
            group by acquisition_channel order by count(*) desc limit 1""").fetchone()
    layout = overview(ServedMarts(serving), Filters(channel, first, last))
    figures = {component.id: component.children for row in layout[:1] for kpi in row.children
               for component in kpi.children if getattr(component, "id", None)}

    assert figures["kpi-customers"] == f"{customers:,}"
    assert figures["kpi-net-revenue"] == f"{float(revenue):,.0f}"


class _RecordingMarts(ServedMarts):
    """Served marts that note which marts each query names."""

    def __init__(self, serving_dir):
        super().__init__(serving_dir)
        self.read = set()

    def frame(self, sql, parameters=None):
        self.read |= set(re.findall(r"\b((?:fct|dim)_\w+)\b", sql))
        return super().frame(sql, parameters)


def test_each_page_exposure_lists_the_marts_the_page_reads(serving, demo_warehouse):
    manifest = json.loads((demo_warehouse.target_path / "manifest.json").read_text())
    for (title, page) in PAGES.values():
        recording = _RecordingMarts(serving)
        page(recording, Filters())
        recording.acquisition_channels()
        recording.cohort_periods()
        exposure = manifest["exposures"][f"exposure.retention_warehouse.dashboard_{page.__name__}"]
        assert {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]} == recording.read, title


def test_before_the_first_publish_the_dashboard_says_what_to_run(tmp_path):
    with running_dashboard(tmp_path / "serving") as url:
        layout = urllib.request.urlopen(url + "/_dash-layout").read().decode()
    assert "No published version at" in layout and "retention-warehouse run" in layout
