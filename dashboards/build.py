"""build_dashboards(db_path, out_dir): the static, offline dashboard site from the published warehouse.

Called by countystats.pipeline at publish time. Writes index.html and one page per view, one CSV per chart
(`<page>-<chart>.csv`, UTF-8 with BOM), and a single shared plotly.min.js (with Plotly's zh-CN locale) that every
page loads locally (no CDN: the county office's machines may be offline).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from plotly.offline import get_plotlyjs

from dashboards import shell, texts
from dashboards.data import load
from dashboards.pages import completeness, index, overview, proactive, quality, requests, review, trends

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
    """Write the dashboards for the warehouse at db_path (opened read-only) into out_dir; return the HTML pages."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_plotly_js(out_dir / PLOTLY_JS)
    (out_dir / PLOTLY_LOCALE.name).write_bytes(PLOTLY_LOCALE.read_bytes())
    wh = load(db_path)
    footer = texts.GENERATED_AT.format(at=datetime.now().strftime("%Y-%m-%d %H:%M"), db=wh.source)
    pages = []
    for page_id, build in BUILDERS.items():
        body = build(wh, out_dir)
        html = shell.page(page_id, body, wh.years, wh.types, footer, with_plotly=page_id != "index")
        path = out_dir / f"{page_id}.html"
        path.write_text(html, encoding="utf-8")
        pages.append(path)
    return pages


def _write_plotly_js(path: Path) -> None:
    # ~4.7 MB: rewrite only when the installed plotly's bundle differs (nightly runs reuse the same out_dir)
    js = get_plotlyjs()
    if not path.exists() or path.stat().st_size != len(js.encode()) or path.read_text(encoding="utf-8") != js:
        path.write_text(js, encoding="utf-8")
