"""build_dashboards(db_path, out_dir): the static, offline dashboard site from the published warehouse.

Called by countystats.pipeline at publish time. Writes index.html and one page per view, one CSV per chart
(`<page>-<chart>.csv`, UTF-8 with BOM), and a single shared plotly.min.js (with Plotly's zh-CN locale) that every
page loads locally (no CDN: the county office's machines may be offline).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from plotly.offline import get_plotlyjs

from dashboards import areas, shell, texts
from dashboards.data import areas_of, of_area, read
from dashboards.pages import completeness, index, overview, proactive, quality, requests, review, trends
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
}


def build_dashboards(db_path: Path, out_dir: Path) -> list[Path]:
    """Write the dashboards for the warehouse at db_path (opened read-only) into out_dir; return the HTML pages.

    Many counties (dashboards.areas): a site of every page per area — the top area's in out_dir, every other's in
    ``out_dir/<area_code>/`` — linked by the area bar; one county: one site, as ever."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_plotly_js(out_dir / PLOTLY_JS)
    (out_dir / PLOTLY_LOCALE.name).write_bytes(PLOTLY_LOCALE.read_bytes())
    frames = read(db_path)
    tree = areas.tree_of(frames["areas"])
    compared = None
    if tree is not None:
        con = connect(db_path, read_only=True)
        try:
            compared = areas.comparison_data(con)
        finally:
            con.close()
    footer = texts.GENERATED_AT.format(at=datetime.now().strftime("%Y-%m-%d %H:%M"), db=frames["source"])
    pages = []
    for code in areas_of(frames):
        wh = of_area(frames, code)
        site, bar = out_dir, ""
        if tree is not None:
            site = out_dir / tree.folder(code)
            site.mkdir(parents=True, exist_ok=True)
            wh.tree, wh.comparison = tree, areas.comparison_rows(compared, tree, code)
        for page_id, build in BUILDERS.items():
            body = build(wh, site)
            if tree is not None:
                bar = areas.nav(tree, code, page_id)
            html = shell.page(page_id, body, wh.years, wh.types, footer, with_plotly=page_id != "index",
                              area_bar=bar, area_name=wh.area_name,
                              assets="" if tree is None or code == tree.top else "../")
            path = site / f"{page_id}.html"
            path.write_text(html, encoding="utf-8")
            pages.append(path)
    return pages


def _write_plotly_js(path: Path) -> None:
    # ~4.7 MB: rewrite only when the installed plotly's bundle differs (nightly runs reuse the same out_dir)
    js = get_plotlyjs()
    if not path.exists() or path.stat().st_size != len(js.encode()) or path.read_text(encoding="utf-8") != js:
        path.write_text(js, encoding="utf-8")
