"""主动公开: normative documents, licensing/penalty/coercion decisions and fees, unit by unit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboards import charts, texts
from dashboards.data import Warehouse
from dashboards.pages.common import PerUnit
from transforms.format import FORMATS, JIAN, WAN_YUAN, ordered

TOP_N = 40


def _measure_label(fmt_version: str, row: str, col: str, with_row: bool) -> str:
    section = FORMATS[fmt_version].section("proactive")
    m = section.measure(row, col)
    return f"{section.row_by_code[row].label.text}·{m.label.text}" if with_row else m.label.text


def _rows(wh: Warehouse, rows: tuple[str, ...], measures: tuple[str, ...] | None, with_row: bool) -> PerUnit:
    df = wh.proactive[wh.proactive["row_code"].isin(rows)]
    if measures:
        df = df[df["measure_code"].isin(measures)]
    # the series name comes from the unit's own format: measures of two formats never share a series
    names = {
        key: _measure_label(key[0], key[1], key[2], with_row)
        for key in df[["format_version", "row_code", "measure_code"]].drop_duplicates().itertuples(index=False)
    }
    series = pd.Series(
        [names[k] for k in zip(df["format_version"], df["row_code"], df["measure_code"], strict=True)],
        index=df.index, dtype=object,
    )
    return PerUnit(df, series)


def _order(rows: tuple[str, ...], measures: tuple[str, ...] | None, with_row: bool) -> list[str]:
    out = []
    for fmt in ordered(newest_first=True):
        for row, col in fmt.section("proactive").cells():
            if row in rows and (not measures or col in measures):
                out.append(_measure_label(fmt.version, row, col, with_row))
    return list(dict.fromkeys(out))


def build(wh: Warehouse, out_dir: Path) -> str:
    normative = (("normative_docs",), None, False)
    decisions = (("licensing", "penalty", "coercion"), ("decisions",), True)
    fees = (("fees",), None, False)
    # grouped, not stacked: measures side by side, those of different scale (现行有效 and 本年废止) on axes of their own
    specs = [
        ("normative", texts.CHART_NORMATIVE, normative, ",.0f", texts.COUNT_AXIS, JIAN),
        ("decisions", texts.CHART_DECISIONS, decisions, ",.0f", texts.COUNT_AXIS, JIAN),
        ("fees", texts.CHART_FEES, fees, ",.2f", texts.AMOUNT_AXIS, WAN_YUAN),
    ]
    out = []
    for cid, title, spec, fmt, axis, unit in specs:
        rows = _rows(wh, *spec)
        out.append(charts.render(
            charts.Chart(id=cid, title=title, rows=rows, orientation="h", barmode="group",
                         series_order=_order(*spec), value_format=fmt, axis_title=axis, unit=unit, top_n=TOP_N,
                         category_title=texts.UNIT, links=rows.links(wh)),
            "proactive", wh.variants(), out_dir,
        ))
    return "".join(out)
