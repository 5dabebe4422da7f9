"""The served dbt docs site opens offline in a real browser (Debian's headless Chromium) and lists
every mart in its rendered navigation, not only in the JSON the page embeds."""

from __future__ import annotations

import re

import pytest
from conftest import run_cli

from retention_warehouse import browser
from retention_warehouse.orchestration.dbt_docs import site_path
from retention_warehouse.orchestration.marts import discover_marts


@pytest.mark.skipif(browser.CHROMIUM is None, reason="Debian's chromium package is not installed (.ci/run installs it)")
def test_dbt_docs_page_renders_every_mart_offline(demo_warehouse, tmp_path, request):
    # In a child process: dbt-duckdb would keep the session's warehouse open in this one.
    settings = demo_warehouse.with_overrides(serving_dir=tmp_path / "serving")
    run_cli(settings, "docs")
    page = site_path(settings.serving_dir)
    rendered = browser.load(page.as_uri(), tmp_path / "profile")
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    dom = rendered.stdout
    # The navigation renders each name as two spans (an ellipsised head and the rest).
    listed = {head + tail for head, tail in re.findall(
        r'<span class="filename-ellip[^>]*>([^<]*)</span>\s*<span class="filename-normal[^>]*>([^<]*)</span>', dom)}
    missing = [mart.name for mart in discover_marts(demo_warehouse) if mart.name not in listed]
    assert not missing, f"not in the rendered page: {missing}"
    screenshot = request.config.rootpath / "data" / "test" / "artifacts" / "dbt_docs.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    browser.load(page.as_uri(), tmp_path / "profile", screenshot=screenshot)
    assert screenshot.stat().st_size > 10_000
