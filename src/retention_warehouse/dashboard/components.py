"""Building blocks shared by the pages: headline figures, charts, tables and number formats."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

TEMPLATE = "plotly_white"


def count_text(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{int(value):,}"


def percent_text(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.1f}%"


def money_text(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):,.0f}"


def number_text(value, decimals: int = 2) -> str:
    return "–" if value is None or pd.isna(value) or math.isinf(value) else f"{float(value):,.{decimals}f}"


def kpi(kpi_id: str, label: str, value: str, note: str = "") -> html.Div:
    """A headline figure; its id (`kpi-...`) lets tests read the value shown."""
    return html.Div(className="kpi", children=[
        html.Div(label, className="kpi-label"),
        html.Div(value, id=kpi_id, className="kpi-value"),
        html.Div(note, className="kpi-note"),
    ])


def kpi_row(*kpis: html.Div) -> html.Div:
    return html.Div(list(kpis), className="kpi-row")


def chart(chart_id: str, figure: go.Figure, title: str) -> html.Div:
    figure.update_layout(template=TEMPLATE, title=title, margin={"l": 60, "r": 20, "t": 50, "b": 50}, height=380)
    return html.Div(dcc.Graph(id=chart_id, figure=figure, config={"displaylogo": False}), className="chart")


def table(table_id: str, frame: pd.DataFrame, formats: dict) -> html.Table:
    """A plain HTML table; `formats` maps a column to its text format (columns not in it are shown as is)."""
    header = html.Thead(html.Tr([html.Th(column.replace("_", " ")) for column in frame.columns]))
    rows = [
        html.Tr([html.Td(formats.get(column, str)(value)) for column, value in row.items()])
        for _, row in frame.iterrows()
    ]
    return html.Table([header, html.Tbody(rows)], id=table_id, className="table")


def note(text: str) -> html.P:
    return html.P(text, className="note")
