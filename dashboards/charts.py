"""One chart = one tidy table of (variant, series, category, value) rendered as Plotly figures and one CSV.

A view describes a chart by a function giving, for each filter variant (year, unit type), the rows it shows. From
that single source both the figure of every variant and the chart's CSV are written, so the download always
matches the picture. Figures are built as plain dicts and serialised with ``plotly.io.to_html(validate=False)``:
the graph_objects validation costs milliseconds per trace and the 1,000-unit benchmark renders hundreds of them.

What every figure promises (checked in tests/test_dashboards_charts.py):
- measures of different scale never share an axis: a chart whose series are side by side (grouped bars, lines) puts
  series whose largest values are more than :data:`SCALE_RATIO` apart on axes of their own (small multiples, each
  titled with its series); ``facet="category"`` gives every category its own small chart (the overview's measures);
  stacked bars are parts of one total and share their axis;
- every value axis says what it counts and in which unit (件数（件）, 金额（万元）, 单位数（个）), counts get integer
  ticks only (``,d``, and a whole-number step where Plotly might choose 0.5);
- colours mean what they show: the caller's (statuses, outcomes, severities, results — shell's palettes), every
  other series a neutral colour fixed by its place in ``series_order``, so a series keeps its colour in every variant;
- each variant's title says the year and the unit type it shows (2024年 · 乡镇：…), baked into its template;
- a trend of a single year shows that year alone and says there is no trend yet.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio

from dashboards import shell, texts
from dashboards.data import ALL
from transforms.format import JIAN, UNIT_TYPE_ZH
from transforms.writing.safe_text import csv_cell

FONT = '"Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif'
CONFIG = {"responsive": True, "displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"],
          "locale": "zh-CN"}  # registered by the page's plotly-locale-zh-cn.js
COLUMNS = [texts.YEAR, texts.UNIT_TYPE, texts.SERIES, texts.CATEGORY, texts.VALUE]
SCALE_RATIO = 10  # series whose largest values differ more than this never share an axis
COUNT_UNITS = (JIAN, texts.UNITS_UNIT, texts.FINDINGS_UNIT, "项")  # counted: whole numbers, integer ticks
GRID = {"row": 200, "title": 40, "ticks": 28, "gap": 0.06, "narrow_gap": 0.2}  # category facets (px, paper)

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
    axis_title: str = texts.COUNT_AXIS  # what the values are: 件数, 单位数, 问题数, 金额
    unit: str = JIAN  # their unit, on the value axis: 件数（件）; counts (COUNT_UNITS) get integer ticks
    category_title: str = ""  # the category axis' title: 单位, 报告年度, 规则 …
    top_n: int | None = None  # per-unit charts: keep the largest n categories on screen (CSV keeps all)
    # series -> colour where meaning demands it (shell's palettes), or a function of the variant (year, type) giving it
    colors: dict[str, str] | Callable[[int, str], dict[str, str]] = field(default_factory=dict)
    numeric_x: bool = False  # trends: years on a numeric axis so gaps between report years show
    decorate: Callable[[dict, int, str], None] | None = None  # adds shapes/annotations to a variant's layout
    note: str = ""
    facet: str = "auto"  # auto: series of different scale on axes of their own (not for stacks); category; none
    links: dict[str, str] | None = None  # category (a unit's name) -> its page: a click on its bar opens it
    aggregate: bool = False  # the chart shows a total (全县汇总, 乡镇合计), not units one by one: the title says so
    whole: str = ""  # an aggregate's name for 全部 in the title, e.g. 全县汇总（不含本级）
    upto: bool = False  # trends: the year filter means "up to that year"


def variant_title(chart: Chart, year: int, unit_type: str) -> str:
    """2024年 · 乡镇：规范性文件（按单位）; an aggregate's 全县汇总（不含本级） / 乡镇合计; a trend's 截至2024年."""
    if unit_type == ALL:
        scope = chart.whole if chart.aggregate and chart.whole else texts.ALL_UNITS
    else:
        kind = UNIT_TYPE_ZH.get(unit_type, unit_type)
        scope = texts.TYPE_SUM.format(kind=kind) if chart.aggregate else kind
    return (texts.CHART_SCOPE_UPTO if chart.upto else texts.CHART_SCOPE).format(year=year, scope=scope,
                                                                                 title=chart.title)


def render(chart: Chart, page_id: str, variants: list[tuple[int, str]], out_dir: Path) -> str:
    """The chart's HTML block (all variants, each with its title) and, as a side effect, its CSV `<page>-<chart>.csv`."""
    frames, items = [], {}
    for year, unit_type in variants:
        df = chart.rows(year, unit_type)
        df = df[["series", "category", "value"]] if not df.empty else pd.DataFrame(columns=["series", "category", "value"])
        frames.append(df.assign(year=year, type=unit_type))
        title = f'<h2 class="chart-title">{escape(variant_title(chart, year, unit_type))}</h2>'
        items[(year, unit_type)] = title + _variant_html(chart, page_id, year, unit_type, df)
    csv_name = f"{page_id}-{chart.id}.csv"
    # an empty warehouse (first run, nothing accepted yet) still gets its pages and header-only CSVs
    empty = pd.DataFrame(columns=["series", "category", "value", "year", "type"])
    _write_csv(pd.concat(frames, ignore_index=True) if frames else empty, out_dir / csv_name)
    download = f'<p class="download"><a href="{escape(csv_name)}" download>{escape(texts.DOWNLOAD_CSV)}</a></p>'
    notes = [chart.note] + ([texts.CLICK_UNIT] if chart.links else [])
    note = "".join(f'<p class="note">{escape(n)}</p>' for n in notes if n)
    if not items:  # no year in the warehouse: the chart's title alone
        items_html = f'<h2 class="chart-title">{escape(chart.title)}</h2>'
        return f'<section class="block" id="chart-{escape(chart.id)}">{items_html}{note}{download}</section>'
    return f'<section class="block" id="chart-{escape(chart.id)}">{shell.variants(items)}{note}{download}</section>'


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
    notes = []
    if chart.top_n and len(categories) > chart.top_n:
        totals = df.groupby("category", sort=False)["value"].sum().sort_values(ascending=False, kind="stable")
        keep = set(totals.index[: chart.top_n])
        notes.append(texts.TOP_N_NOTE.format(n=chart.top_n, total=len(categories)))
        categories = [c for c in categories if c in keep]
        df = df[df["category"].isin(keep)]
    series = [s for s in chart.series_order if s in set(df["series"])] + [
        s for s in dict.fromkeys(df["series"]) if s not in chart.series_order
    ]
    if df.duplicated(["category", "series"]).any():
        df = df.groupby(["category", "series"], sort=False, as_index=False)["value"].sum()
    pivot = df.pivot(index="category", columns="series", values="value")  # pivot_table is 5x slower
    single_year = None
    if chart.numeric_x:
        # every year of the span, so a line breaks over years the warehouse does not hold instead of bridging them
        years = [int(c) for c in categories]
        categories = list(range(min(years), max(years) + 1))
        if len(categories) == 1:
            single_year = categories[0]
            notes.append(texts.ONE_YEAR.format(year=single_year))
    pivot = pivot.reindex(index=categories, columns=series)
    colors = chart.colors(year, unit_type) if callable(chart.colors) else chart.colors
    known = list(dict.fromkeys([*chart.series_order, *series]))
    color_of = {s: colors.get(s) or shell.NEUTRAL[known.index(s) % len(shell.NEUTRAL)] for s in series}
    mode = chart.facet
    if mode == "auto":
        mode = "none" if chart.kind == "bar" and chart.barmode == "stack" else "scale"
    if mode == "category":
        fig, height = _grid(chart, categories, series, pivot, color_of)
    else:
        groups = _scale_groups(pivot, series) if mode == "scale" else [series]
        fig, height = _facets(chart, categories, pivot, groups, color_of, single_year)
        if len(groups) > 1:
            notes.append(texts.FACET_NOTE)
    if chart.decorate:
        chart.decorate(fig["layout"], year, unit_type)
    div_id = f"{page_id}-{chart.id}-{year}-{unit_type}"
    return "".join(f'<p class="note">{escape(n)}</p>' for n in notes) + pio.to_html(
        fig, config=CONFIG, full_html=False, include_plotlyjs=False, validate=False, div_id=div_id,
        default_height=f"{height}px",
    )


def _scale_groups(pivot: pd.DataFrame, series: list[str]) -> list[list[str]]:
    """Series in groups whose largest values are at most SCALE_RATIO apart (each group one axis), in series order:
    the largest first, each next joining the group while the group's largest is within SCALE_RATIO of it."""
    values = np.abs(_array(pivot, series))  # numpy: pandas per series costs ms, times hundreds of variants
    peak = dict(zip(series, np.nanmax(np.nan_to_num(values, nan=0.0), axis=0, initial=0.0).tolist(), strict=True))
    groups: list[list[str]] = []
    for s in sorted(series, key=lambda s: -peak[s]):
        top = groups[-1][0] if groups else None
        if top is not None and (not peak[s] or peak[top] <= SCALE_RATIO * peak[s]):
            groups[-1].append(s)
        else:
            groups.append([s])
    for g in groups:
        g.sort(key=series.index)
    return sorted(groups, key=lambda g: series.index(g[0]))


def _peak(chart: Chart, pivot: pd.DataFrame, group: list[str]) -> float:
    """The largest value an axis shows: of a stack, the largest total."""
    part = np.nan_to_num(_array(pivot, group), nan=0.0)
    if not part.size:
        return 0.0
    if chart.kind == "bar" and chart.barmode == "stack":
        return float(part.clip(min=0).sum(axis=1).max())
    return float(np.abs(part).max())


def _array(pivot: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The columns' values, NaN where missing (selecting columns in pandas first costs ten times more)."""
    return pivot.to_numpy(dtype=float, na_value=np.nan)[:, pivot.columns.get_indexer(columns)]


def _value_axis(chart: Chart, peak: float, length_px: float) -> dict:
    """A value axis: titled with the measure and its unit; counts with whole-number ticks only (",d", and where
    Plotly could step by 0.5 — small peaks — a whole step that fits the axis's length)."""
    axis = {"title": {"text": texts.AXIS.format(title=chart.axis_title, unit=chart.unit)}, "rangemode": "tozero",
            "automargin": True, "gridcolor": "#e4e7eb", "zerolinecolor": "#9aa5b1"}
    if chart.unit in COUNT_UNITS:
        axis["tickformat"] = ",d"
        if peak < 10:
            most = max(2, int(length_px // 40))
            axis.update(tick0=0, dtick=next(d for d in (1, 2, 5, 10) if math.ceil(peak / d) <= most))
            if peak <= 0:
                axis["range"] = [0, 1]
    else:
        axis["tickformat"] = ",~f"
    return axis


def _facet_title(names: list[str], color_of: dict[str, str]) -> str:
    return "<br>".join(f'<span style="color:{color_of[n]}">\u25a0</span> {_text(n)}' for n in names)


def _facets(chart: Chart, categories: list, pivot: pd.DataFrame, groups: list[list[str]], color_of: dict[str, str],
            single_year: int | None) -> tuple[dict, int]:
    """One axis per group of series (side by side for horizontal bars — the units' axis shared —, one under another
    otherwise — the years' or categories' axis shared); with several, each titled with its series and colours."""
    horizontal = chart.orientation == "h"
    k = len(groups)
    lines = max(len(g) for g in groups) if k > 1 else 0
    title_px = 18 * lines + 10
    if horizontal:
        height = max(320, 26 * len(categories) + 160) + title_px
    else:
        height = 440 if k == 1 else 120 + 230 * k
    links = chart.links if chart.links else None
    traces, layout = [], {}
    cat_axis: dict = {"automargin": True, "type": "linear" if chart.numeric_x else "category"}
    if chart.category_title:
        cat_axis["title"] = {"text": chart.category_title}
    if chart.numeric_x:
        cat_axis.update(tickformat="d", dtick=1)
        if single_year is not None:  # one year: that year alone, not an empty year on either side
            cat_axis.update(range=[single_year - 0.5, single_year + 0.5], tickvals=[single_year])
    if horizontal:
        cat_axis["autorange"] = "reversed"  # first category (largest) on top
    plot_px = height - 110 - title_px
    annotations = []
    for i, group in enumerate(groups):
        suffix = "" if i == 0 else str(i + 1)
        for name in group:
            t = _trace(chart, name, categories, pivot[name], links)
            if chart.kind == "line":
                t["line"] = {"color": color_of[name]}
                t["marker"] = {"color": color_of[name], "size": 9 if single_year is not None else 7}
            else:
                t["marker"] = {"color": color_of[name]}
            t["xaxis" if horizontal else "yaxis"] = ("x" if horizontal else "y") + suffix
            traces.append(t)
        if horizontal:
            gap = 0.05
            width = (1 - gap * (k - 1)) / k
            domain = [i * (width + gap), i * (width + gap) + width]
            axis = _value_axis(chart, _peak(chart, pivot, group), 300 / k)
            axis.update(domain=domain, anchor="y", side="bottom")
            layout["xaxis" + suffix] = axis
            position = {"x": domain[0], "y": 1, "xanchor": "left"}
        else:
            gap = (title_px + 30) / plot_px if k > 1 else 0
            size = (1 - gap * (k - 1)) / k
            top = 1 - i * (size + gap)
            domain = [max(0.0, top - size), top]
            axis = _value_axis(chart, _peak(chart, pivot, group), plot_px * size)
            axis.update(domain=domain, anchor="x")
            layout["yaxis" + suffix] = axis
            position = {"x": 0, "y": top, "xanchor": "left"}
        if k > 1:
            annotations.append({"xref": "paper", "yref": "paper", "yanchor": "bottom", "showarrow": False,
                                "align": "left", "text": _facet_title(group, color_of), **position})
    if horizontal:
        layout["yaxis"] = cat_axis
    else:
        cat_axis["anchor"] = "y" + ("" if k == 1 else str(k))
        layout["xaxis"] = cat_axis
    layout.update(_base_layout(chart, height))
    layout["margin"]["t"] = 40 if k == 1 else title_px + 8
    if k > 1:
        layout["showlegend"] = False  # each axis is titled with its series, in their colours
        layout["annotations"] = annotations
    meta = {}
    if links:
        meta["links"] = True  # the page's script opens a bar's customdata (the unit's page) on click
    if chart.facet == "none":
        meta["one_measure"] = True  # one measure compared side by side (new and resolved findings): one axis
    if meta:
        layout["meta"] = meta
    return {"data": traces, "layout": layout}, height


def _grid(chart: Chart, categories: list, series: list[str], pivot: pd.DataFrame,
          color_of: dict[str, str]) -> tuple[dict, int]:
    """One small chart per category (the overview's measures: each its own scale), the series (years) its bars,
    three to a row — two on a narrow screen (``meta.narrow``, applied by the page's script)."""
    n = len(categories)
    traces, layout, annotations = [], {}, []
    fmt = chart.value_format
    for i, category in enumerate(categories):
        suffix = "" if i == 0 else str(i + 1)
        values = [(s, pivot.at[category, s]) for s in series if not pd.isna(pivot.at[category, s])]
        for s, v in values:
            traces.append({
                "type": "bar", "name": _text(s), "x": [_text(s)], "y": [float(v)], "xaxis": "x" + suffix,
                "yaxis": "y" + suffix, "marker": {"color": color_of[s]}, "showlegend": False,
                "texttemplate": f"%{{y:{fmt}}}", "textposition": "outside", "cliponaxis": False,
                "hovertemplate": f"{_text(category)}<br>{_text(s)}：%{{y:{fmt}}}<extra></extra>"})
        peak = max([float(v) for _, v in values] or [0.0])
        axis = _value_axis(chart, peak, GRID["row"] - GRID["title"] - GRID["ticks"])
        del axis["title"]  # a rotated 件 reads as a stray glyph: the unit on every tick of the small chart instead
        axis["ticksuffix"] = chart.unit
        axis["range"] = [0, peak * 1.25 if peak > 0 else 1]
        layout["yaxis" + suffix] = {**axis, "anchor": "x" + suffix}
        layout["xaxis" + suffix] = {"type": "category", "anchor": "y" + suffix, "automargin": True}
        annotations.append({"xref": "paper", "yref": "paper", "xanchor": "center", "yanchor": "bottom",
                            "showarrow": False, "text": _text(str(category)).replace("·", "<br>", 1)})
    height, cells = _grid_cells(n, min(3, n), GRID["gap"])
    narrow_height, narrow_cells = _grid_cells(n, min(2, n), GRID["narrow_gap"])
    narrow: dict = {"height": narrow_height}
    for i, ((x0, x1, y0, y1), (nx0, nx1, ny0, ny1)) in enumerate(zip(cells, narrow_cells, strict=True)):
        suffix = "" if i == 0 else str(i + 1)
        layout["xaxis" + suffix]["domain"] = [x0, x1]
        layout["yaxis" + suffix]["domain"] = [y0, y1]
        annotations[i].update(x=(x0 + x1) / 2, y=y1)
        narrow.update({f"xaxis{suffix}.domain": [nx0, nx1], f"yaxis{suffix}.domain": [ny0, ny1],
                       f"annotations[{i}].x": (nx0 + nx1) / 2, f"annotations[{i}].y": ny1})
    layout.update(_base_layout(chart, height))
    # each small chart one measure (its years side by side, however far apart: that is the change to see)
    layout.update(showlegend=False, annotations=annotations, meta={"narrow": narrow, "one_measure": True})
    layout["margin"]["t"] = 10
    return {"data": traces, "layout": layout}, height


def _grid_cells(n: int, ncols: int, gap: float) -> tuple[int, list[tuple[float, float, float, float]]]:
    """The figure's height and each small chart's (x0, x1, y0, y1) in a grid of ``ncols`` columns."""
    nrows = math.ceil(n / ncols)
    total = nrows * GRID["row"]
    width = (1 - gap * (ncols - 1)) / ncols
    cells = []
    for i in range(n):
        r, c = divmod(i, ncols)
        top = 1 - r * GRID["row"] / total
        cells.append((c * (width + gap), c * (width + gap) + width,
                      top - (GRID["row"] - GRID["ticks"]) / total, top - GRID["title"] / total))
    return total + 20, cells


def _base_layout(chart: Chart, height: int) -> dict:
    return {
        "separators": ".,",  # decimal point and thousands comma, as Chinese statistical tables print them
        "font": {"family": FONT, "size": 13},
        "barmode": chart.barmode,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "traceorder": "normal"},
        "hoverlabel": {"font": {"family": FONT}},
        "plot_bgcolor": "#fff",
    }


def _trace(chart: Chart, name: str, categories: list, values: pd.Series, links: dict[str, str] | None = None) -> dict:
    vals = [None if pd.isna(v) else float(v) for v in values]
    raw = categories
    name, categories = _text(name), [_text(c) for c in categories]
    fmt = chart.value_format
    if chart.kind == "line":
        return {"type": "scatter", "mode": "lines+markers", "name": name, "x": categories, "y": vals,
                "connectgaps": False, "hovertemplate": f"%{{x}}<br>{name}：%{{y:{fmt}}}<extra></extra>"}
    if chart.orientation == "h":
        trace = {"type": "bar", "orientation": "h", "name": name, "y": categories, "x": vals,
                 "hovertemplate": f"%{{y}}<br>{name}：%{{x:{fmt}}}<extra></extra>"}
    else:
        trace = {"type": "bar", "name": name, "x": categories, "y": vals,
                 "hovertemplate": f"%{{x}}<br>{name}：%{{y:{fmt}}}<extra></extra>"}
    if links:
        trace["customdata"] = [links.get(c, "") for c in raw]
    return trace
