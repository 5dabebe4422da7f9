"""The Dash app: a header with the published version and the filters, and one page per path."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Generator
from datetime import date
from pathlib import Path

from dash import Dash, Input, Output, dcc, html
from werkzeug.serving import make_server

from retention_warehouse.dashboard.pages import PAGES
from retention_warehouse.dashboard.served import Filters, ServedMarts


def _header(marts: ServedMarts) -> html.Header:
    cohorts = [{"label": f"{period:%Y-%m}", "value": period.isoformat()} for period in marts.cohort_periods()]
    return html.Header([
        html.H1("Retention analytics"),
        html.Nav([dcc.Link(title, href=path, className="nav-link") for path, (title, _) in PAGES.items()]),
        html.Div(className="filters", children=[
            dcc.Dropdown(id="filter-channel", options=marts.acquisition_channels(), placeholder="All acquisition channels"),
            dcc.Dropdown(id="filter-cohort-from", options=cohorts, placeholder="First cohort"),
            dcc.Dropdown(id="filter-cohort-to", options=cohorts, placeholder="Last cohort"),
        ]),
        html.Div(id="build-info", className="build-info"),
    ])


def _layout(marts: ServedMarts) -> html.Div:
    """Built for each new browser session, so the filters' options come from the current version."""
    if not marts.path.exists():
        return html.Div([html.H1("Retention analytics"), html.P(
            f"No published version at {marts.path}: run `retention-warehouse run` (or `make run`) first.",
            id="no-version")])
    return html.Div([dcc.Location(id="url"), _header(marts), html.Main(id="page")])


def create_app(serving_dir: Path) -> Dash:
    marts = ServedMarts(serving_dir)
    app = Dash(__name__, title="Retention analytics", suppress_callback_exceptions=True)
    app.layout = lambda: _layout(marts)

    @app.callback(
        Output("page", "children"), Output("build-info", "children"),
        Input("url", "pathname"), Input("filter-channel", "value"),
        Input("filter-cohort-from", "value"), Input("filter-cohort-to", "value"),
    )
    def render(pathname, channel, cohort_from, cohort_to):
        title, page = PAGES.get(pathname or "/", (None, None))
        if page is None:
            return html.P(f"No page at {pathname}."), ""
        filters = Filters(channel, cohort_from and date.fromisoformat(cohort_from),
                          cohort_to and date.fromisoformat(cohort_to))
        version = marts.pinned()
        info = version.build_info()
        build = (f"Version {info['version']}, published {info['published_at']:%Y-%m-%d %H:%M} UTC, "
                 f"data as of {info['as_of_date']:%Y-%m-%d}")
        return [html.H2(title, id="page-title"), *page(version, filters)], build

    return app


@contextlib.contextmanager
def running_dashboard(serving_dir: Path, host: str = "127.0.0.1", port: int = 0) -> Generator[str, None, None]:
    """The dashboard served in a background thread (port 0: a free one), without request logs
    (for tests and benchmarks); yields its URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(host, port, create_app(serving_dir).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
