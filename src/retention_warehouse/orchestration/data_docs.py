"""Data Docs built by GX, made viewable offline.

GX's pages reference Bootstrap, jQuery, Font Awesome and friends on public CDNs and its logo on
S3. The committed copies in gx/plugins/data_docs_offline/ replace those references; assets with
no local copy (Vega for distribution charts, the dark-mode stylesheet) are dropped, which only
loses charts our suites do not draw and the dark theme.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

from retention_warehouse.orchestration.quality import GX_DIR, CheckResult, quality_dirs

ASSETS_DIR = GX_DIR / "plugins" / "data_docs_offline"
SITE_ASSETS = Path("static") / "offline"
LOCAL_LOGO = Path("static") / "images" / "logo-long.png"  # shipped into every site by GX

# Remote URL prefix -> local file (relative to ASSETS_DIR), or None to drop the reference.
REPLACEMENTS: dict[str, str | None] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control":
        "bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control":
        "bootstrap-table-filter-control.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker":
        "bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker":
        "bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "css/fontawesome-all.min.css",
    "https://cdn.jsdelivr.net/npm/vega": None,
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark": None,
}
LOGO_URL = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"

# <script src=...></script> and <link href=...> tags that load a remote asset.
REMOTE_TAG = re.compile(
    r'<script[^>]*\ssrc="(?P<src>https?://[^"]+)"[^>]*>\s*</script>|<link[^>]*\shref="(?P<href>https?://[^"]+)"[^>]*>'
)
SRI_ATTRIBUTES = re.compile(r'\s(?:integrity|crossorigin)="[^"]*"')
LOGO_REFERENCE = re.compile(re.escape(LOGO_URL) + r"[^\"')]*")


def _local_tag(match: re.Match, page: Path, site: Path) -> str:
    url = match.group("src") or match.group("href")
    local = next((file for prefix, file in REPLACEMENTS.items() if url.startswith(prefix)), url)
    if local is None:
        return ""
    if local == url:
        raise ValueError(f"Data Docs page {page.name} loads {url}, which has no offline copy")
    relative = os.path.relpath(site / SITE_ASSETS / local, page.parent)
    return SRI_ATTRIBUTES.sub("", match.group(0).replace(url, relative))


def make_offline(site: Path, since: float = 0.0) -> None:
    """Copy the offline assets into `site` and point every page written since `since` at them."""
    shutil.copytree(ASSETS_DIR, site / SITE_ASSETS, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("README.md"))
    for page in site.rglob("*.html"):
        if page.stat().st_mtime < since:
            continue
        html = page.read_text(encoding="utf-8")
        html = REMOTE_TAG.sub(lambda match, page=page: _local_tag(match, page, site), html)
        html = LOGO_REFERENCE.sub(os.path.relpath(site / LOCAL_LOGO, page.parent), html)
        page.write_text(html, encoding="utf-8")


def site_dir(serving_dir: Path) -> Path:
    return quality_dirs(serving_dir)["RW_GX_DOCS_DIR"]


def build_data_docs(context, serving_dir: Path, results: list[CheckResult]) -> Path:
    """Render the pages of these results and their suites plus the index page (so a run's cost
    does not grow with the history of stored results), offline; returns the index page."""
    started = time.time() - 1  # file systems with coarse mtimes
    identifiers = [identifier for result in results for identifier in result.resource_identifiers]
    context.build_data_docs(resource_identifiers=identifiers or None)
    make_offline(site_dir(serving_dir), since=started)
    return site_dir(serving_dir) / "index.html"
