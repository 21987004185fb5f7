"""One chart = one tidy table of (variant, series, category, value) rendered as Plotly figures and one CSV.

A view describes a chart by a function giving, for each filter variant (year, unit type), the rows it shows. From
that single source both the figure of every variant and the chart's CSV are written, so the download always
matches the picture. Figures are built as plain dicts and serialised with ``plotly.io.to_html(validate=False)``:
the graph_objects validation costs milliseconds per trace and the 1,000-unit benchmark renders hundreds of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pandas as pd
import plotly.io as pio

from dashboards import shell, texts
from dashboards.data import ALL
from transforms.format import UNIT_TYPE_ZH
from transforms.writing.safe_text import csv_cell

FONT = '"Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif'
CONFIG = {"responsive": True, "displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"],
          "locale": "zh-CN"}  # registered by the page's plotly-locale-zh-cn.js
COLUMNS = [texts.YEAR, texts.UNIT_TYPE, texts.SERIES, texts.CATEGORY, texts.VALUE]

Rows = Callable[[int, str], pd.DataFrame]  # (year, unit type) -> DataFrame[series, category, value]


@dataclass
class Chart:
    id: str
    title: str
    rows: Rows
    kind: str = "bar"  # bar | line
    orientation: str = "v"  # h: categories (unit names) on the y axis, readable for long Chinese names
    barmode: str = "stack"
    series_order: list[str] = field(default_factory=list)  # fixed order = stable colours across variants
    value_format: str = ",.0f"
    axis_title: str = texts.COUNT_AXIS
    top_n: int | None = None  # per-unit charts: keep the largest n categories on screen (CSV keeps all)
    colors: dict[str, str] = field(default_factory=dict)  # series -> colour where meaning demands it (错误 red)
    numeric_x: bool = False  # trends: years on a numeric axis so gaps between report years show
    decorate: Callable[[dict, int, str], None] | None = None  # adds shapes/annotations to a variant's layout
    note: str = ""


def render(chart: Chart, page_id: str, variants: list[tuple[int, str]], out_dir: Path) -> str:
    """The chart's HTML block (all variants) and, as a side effect, its CSV `<page>-<chart>.csv`."""
    frames, items = [], {}
    for year, unit_type in variants:
        df = chart.rows(year, unit_type)
        df = df[["series", "category", "value"]] if not df.empty else pd.DataFrame(columns=["series", "category", "value"])
        frames.append(df.assign(year=year, type=unit_type))
        items[(year, unit_type)] = _variant_html(chart, page_id, year, unit_type, df)
    csv_name = f"{page_id}-{chart.id}.csv"
    # an empty warehouse (first run, nothing accepted yet) still gets its pages and header-only CSVs
    empty = pd.DataFrame(columns=["series", "category", "value", "year", "type"])
    _write_csv(pd.concat(frames, ignore_index=True) if frames else empty, out_dir / csv_name)
    download = f'<p class="download"><a href="{escape(csv_name)}" download>{escape(texts.DOWNLOAD_CSV)}</a></p>'
    note = f'<p class="note">{escape(chart.note)}</p>' if chart.note else ""
    return shell.block(chart.title, shell.variants(items) + note, f"chart-{chart.id}", download)


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    out = pd.DataFrame(
        {
            texts.YEAR: df["year"],
            texts.UNIT_TYPE: df["type"].map(lambda t: texts.ALL_TYPES if t == ALL else UNIT_TYPE_ZH.get(t, t)),
            texts.SERIES: df["series"].map(csv_cell),
            texts.CATEGORY: df["category"].map(csv_cell),
            texts.VALUE: df["value"],
        },
        columns=COLUMNS,
    )
    # utf-8-sig: the BOM makes Excel (the county office's tool) open Chinese text correctly
    out.to_csv(path, index=False, encoding="utf-8-sig")


def _text(v):
    """Plotly renders a pseudo-HTML subset in every text (<b>, <a href>, <br>): a unit named
    ``<script>…</script>镇`` must reach it as entities, which Plotly shows literally."""
    return escape(v, quote=False) if isinstance(v, str) else v


def _variant_html(chart: Chart, page_id: str, year: int, unit_type: str, df: pd.DataFrame) -> str:
    if df.empty:
        return f'<p class="note">{escape(texts.NO_DATA)}</p>'
    categories = list(dict.fromkeys(df["category"]))
    note = ""
    if chart.top_n and len(categories) > chart.top_n:
        totals = df.groupby("category", sort=False)["value"].sum().sort_values(ascending=False, kind="stable")
        keep = set(totals.index[: chart.top_n])
        note = f'<p class="note">{escape(texts.TOP_N_NOTE.format(n=chart.top_n, total=len(categories)))}</p>'
        categories = [c for c in categories if c in keep]
        df = df[df["category"].isin(keep)]
    series = [s for s in chart.series_order if s in set(df["series"])] + [
        s for s in dict.fromkeys(df["series"]) if s not in chart.series_order
    ]
    if df.duplicated(["category", "series"]).any():
        df = df.groupby(["category", "series"], sort=False, as_index=False)["value"].sum()
    pivot = df.pivot(index="category", columns="series", values="value")  # pivot_table is 5x slower
    if chart.numeric_x:
        # every year of the span, so a line breaks over years the warehouse does not hold instead of bridging them
        categories = list(range(int(min(categories)), int(max(categories)) + 1))
    pivot = pivot.reindex(index=categories, columns=series)
    traces = [_trace(chart, name, categories, pivot[name]) for name in series]
    for t, name in zip(traces, series, strict=True):
        if name in chart.colors:
            t["marker"] = {"color": chart.colors[name]}
    horizontal = chart.orientation == "h"
    height = max(320, 26 * len(categories) + 160) if horizontal else 440
    # ",~f": thousands separators, no trailing zeros (ticks of small counts may be 0.5 steps)
    value_axis = {"title": {"text": chart.axis_title}, "tickformat": ",~f", "rangemode": "tozero",
                  "automargin": True, "gridcolor": "#e4e7eb"}
    cat_axis: dict = {"automargin": True, "type": "linear" if chart.numeric_x else "category"}
    if chart.numeric_x:
        cat_axis.update(tickformat="d", dtick=1)
    if horizontal:
        cat_axis["autorange"] = "reversed"  # first category (largest) on top
    layout = {
        "separators": ".,",  # decimal point and thousands comma, as Chinese statistical tables print them
        "font": {"family": FONT, "size": 13},
        "barmode": chart.barmode,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "traceorder": "normal"},
        "xaxis": value_axis if horizontal else cat_axis,
        "yaxis": cat_axis if horizontal else value_axis,
        "hoverlabel": {"font": {"family": FONT}},
        "plot_bgcolor": "#fff",
    }
    if chart.decorate:
        chart.decorate(layout, year, unit_type)
    fig = {"data": traces, "layout": layout}
    div_id = f"{page_id}-{chart.id}-{year}-{unit_type}"
    return note + pio.to_html(
        fig, config=CONFIG, full_html=False, include_plotlyjs=False, validate=False, div_id=div_id,
        default_height=f"{height}px",
    )


def _trace(chart: Chart, name: str, categories: list, values: pd.Series) -> dict:
    vals = [None if pd.isna(v) else float(v) for v in values]
    name, categories = _text(name), [_text(c) for c in categories]
    fmt = chart.value_format
    if chart.kind == "line":
        return {"type": "scatter", "mode": "lines+markers", "name": name, "x": categories, "y": vals,
                "connectgaps": False, "hovertemplate": f"%{{x}}<br>{name}：%{{y:{fmt}}}<extra></extra>"}
    if chart.orientation == "h":
        return {"type": "bar", "orientation": "h", "name": name, "y": categories, "x": vals,
                "hovertemplate": f"%{{y}}<br>{name}：%{{x:{fmt}}}<extra></extra>"}
    return {"type": "bar", "name": name, "x": categories, "y": vals,
            "hovertemplate": f"%{{x}}<br>{name}：%{{y:{fmt}}}<extra></extra>"}
