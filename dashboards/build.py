"""build_dashboards(db_path, out_dir): the static, offline dashboard site from the published warehouse.

Called by countystats.pipeline at publish time. Writes index.html and one page per view, one CSV per chart
(`<page>-<chart>.csv`, UTF-8 with BOM), and a single shared plotly.min.js (with Plotly's zh-CN locale) that every
page loads locally (no CDN: the county office's machines may be offline).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from plotly.offline import get_plotlyjs

from dashboards import areas, shell
from dashboards.data import MIN_CASES, areas_of, of_area, read
from dashboards.pages import (
    completeness,
    index,
    overview,
    proactive,
    quality,
    rankings,
    requests,
    review,
    trends,
    units,
)
from dashboards.pages.common import unit_link
from transforms.warehouse.store import connect

PLOTLY_JS = "plotly.min.js"
PLOTLY_LOCALE = Path(__file__).parent / "vendor" / "plotly-locale-zh-cn.js"  # mode bar and dates in Chinese
BUILDERS = {
    "index": index.build,
    "overview": overview.build,
    "proactive": proactive.build,
    "requests": requests.build,
    "review": review.build,
    "trends": trends.build,
    "completeness": completeness.build,
    "quality": quality.build,
    "rankings": rankings.build,
}


def build_dashboards(db_path: Path, out_dir: Path, min_cases: int = MIN_CASES,
                     timezone: str = "Asia/Shanghai") -> list[Path]:
    """Write the dashboards for the warehouse at db_path (opened read-only) into out_dir; return the HTML pages of
    the sites (the menu's pages of every area; the unit pages under ``units/`` are not listed: a thousand of them
    would fill the run summary).

    Many counties (dashboards.areas): a site of every page per area — the top area's in out_dir, every other's in
    ``out_dir/<area_code>/`` — linked by the area bar; one county: one site, as ever. A page per unit, once, in
    ``out_dir/units/``, linked from every area's pages. ``min_cases``: on the rankings, a rate over fewer cases is
    shown as such and not ranked (settings.min_cases). ``timezone``: the deployment's (settings.timezone)."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_plotly_js(out_dir / PLOTLY_JS)
    (out_dir / PLOTLY_LOCALE.name).write_bytes(PLOTLY_LOCALE.read_bytes())
    shell.write_assets(out_dir)  # the vendored table sorter (dashboards/vendor/), with its licence
    frames = read(db_path)
    tree = areas.tree_of(frames["areas"])
    compared = None
    if tree is not None:
        con = connect(db_path, read_only=True)
        try:
            compared = areas.comparison_data(con)
        finally:
            con.close()
    # in the deployment's time zone, as the warehouse's times are (settings.timezone), not the machine's
    generated = datetime.now(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")  # the footer: the county, the data, now
    pages = []
    views, top = {}, None
    for code in areas_of(frames):
        wh = of_area(frames, code)
        wh.min_cases = int(min_cases)
        site, bar = out_dir, ""
        if tree is not None:
            site = out_dir / tree.folder(code)
            site.mkdir(parents=True, exist_ok=True)
            wh.assets = "" if code == tree.top else "../"
            wh.tree, wh.comparison = tree, areas.comparison_rows(compared, tree, code)
            # a county's units compared: each name a link to the unit's page
            wh.comparison["link"] = [unit_link(wh, c, n) if k == "unit" else "" for c, n, k in zip(
                wh.comparison["child"], wh.comparison["name"], wh.comparison["kind"], strict=True)]
        for page_id, build in BUILDERS.items():
            body = build(wh, site)
            if tree is not None:
                bar = areas.nav(tree, code, page_id)
            html = shell.page(page_id, body, wh.years, wh.types, shell.footer_line(wh, generated),
                              with_plotly=page_id != "index", area_bar=bar, area_name=shell.site_name(wh),
                              assets="" if tree is None or code == tree.top else "../")
            path = site / f"{page_id}.html"
            path.write_text(html, encoding="utf-8")
            pages.append(path)
        views[code] = units.area_view(wh)
        top = top or wh
    if top is not None:  # the top area's warehouse has every unit
        units.write_unit_pages(top, out_dir, views, shell.footer_line(top, generated))
    return pages


def _write_plotly_js(path: Path) -> None:
    # ~4.7 MB: rewrite only when the installed plotly's bundle differs (nightly runs reuse the same out_dir)
    js = get_plotlyjs()
    if not path.exists() or path.stat().st_size != len(js.encode()) or path.read_text(encoding="utf-8") != js:
        path.write_text(js, encoding="utf-8")
