"""总览: the county's indicators for a year against the previous year, and its proactive disclosure counts."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from dashboards import charts, shell, texts
from dashboards.data import Indicators, Warehouse, indicators, measure_name, scope
from transforms.format import FORMATS, JIAN, ordered

# counts only (件): 万元 amounts and the 2019 项/增减 measures would share an axis with them otherwise
COUNT_CELLS = [
    (fmt.version, row, col)
    for fmt in ordered(newest_first=True)
    for row, col in fmt.section("proactive").cells()
    if (m := fmt.section("proactive").measure(row, col)).unit == JIAN and not m.decimal and not m.signed
]


def build(wh: Warehouse, out_dir: Path) -> str:
    kpis = {(y, t): _kpis(wh, y, t) for y, t in wh.variants()}
    chart = charts.Chart(
        id="proactive-counts", title=texts.CHART_PROACTIVE_COUNTS, rows=lambda y, t: _counts(wh, y, t),
        barmode="group", note=texts.COUNTS_NOTE,
    )
    return shell.block(texts.PAGES["overview"][1], shell.variants(kpis), "kpis") + charts.render(
        chart, "overview", wh.variants(), out_dir
    )


def _kpis(wh: Warehouse, year: int, unit_type: str) -> str:
    cur, prev = indicators(wh, year, unit_type), indicators(wh, year - 1, unit_type)
    items = [
        (texts.NEW_REQUESTS, "", lambda i: i.new_requests, shell.fmt_int),
        (texts.DISCLOSURE_RATE, texts.DISCLOSURE_RATE_HELP, lambda i: i.disclosure_rate, shell.fmt_pct),
        (texts.CORRECTION_RATE, texts.CORRECTION_RATE_HELP, lambda i: i.correction_rate, shell.fmt_pct),
        (texts.DISPUTE_RATE, texts.DISPUTE_RATE_HELP, lambda i: i.dispute_rate, shell.fmt_pct),
    ]
    tiles = []
    for name, help_text, get, fmt in items:
        now, before = _get(cur, get), _get(prev, get)
        tiles.append(
            f'<div class="kpi"><div class="name">{escape(name)}</div>'
            f'<div class="value" data-kpi="{escape(name)}">{escape(fmt(now))}</div>'
            f'<div class="prev">{escape(texts.PREVIOUS_YEAR.format(year=year - 1))}：{escape(fmt(before))}'
            f"　{escape(texts.CHANGE)}：{escape(_change(now, before, fmt))}</div>"
            f'<div class="note">{escape(help_text)}</div></div>'
        )
    return f'<div class="kpis">{"".join(tiles)}</div>' + _mixed_note(wh, year, unit_type)


def _get(ind: Indicators | None, get) -> float | None:
    return None if ind is None else get(ind)


def _change(now: float | None, before: float | None, fmt) -> str:
    if now is None or before is None:
        return texts.DASH
    diff = now - before
    if fmt is shell.fmt_pct:  # rates change in percentage points, not percent
        return texts.PERCENT_POINTS.format(diff=diff * 100)
    return f"{diff:+,.0f}"


def _mixed_note(wh: Warehouse, year: int, unit_type: str) -> str:
    df = scope(wh.proactive, year, unit_type)
    per_format = df.groupby("format_version")["unit_code"].nunique()
    if len(per_format) < 2:
        return ""
    minority = per_format.idxmin()
    return f'<p class="note">{escape(texts.MIXED_FORMATS.format(n=int(per_format.min()), notice=FORMATS[minority].notice))}</p>'


def _counts(wh: Warehouse, year: int, unit_type: str) -> pd.DataFrame:
    frames = []
    for label_year in (year, year - 1):
        df = scope(wh.proactive, label_year, unit_type)
        sums = df.groupby(["format_version", "row_code", "measure_code"])["value"].sum()
        frames.append({(r, c): v for (_, r, c), v in sums.items()})
    current, previous = frames
    rows, seen = [], set()
    for version, row, col in COUNT_CELLS:
        # same codes = same measure; a category exists only where this year reported it (no cross-format series)
        if (row, col) not in current or (row, col) in seen:
            continue
        seen.add((row, col))
        name = measure_name(version, row, col)
        rows.append((texts.THIS_YEAR.format(year=year), name, current[(row, col)]))
        if (row, col) in previous:
            rows.append((texts.THIS_YEAR.format(year=year - 1), name, previous[(row, col)]))
    return pd.DataFrame(rows, columns=["series", "category", "value"])
