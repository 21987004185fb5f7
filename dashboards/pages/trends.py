"""趋势: every year in the warehouse, with each format break (2019→2021) marked.

Series are keyed by (row, measure) codes, and the formats' measures differ except `decisions`, so no series
mixes two formats; `decisions` continues across a break and each break is drawn as a vertical line where a format
begins (its first report year, from the format definition).

全部 is the county's figures of each year (``county_totals`` scope units, 不含本级, in the format the year is meant for:
the overview's and the export's numbers); a unit type, the sum of its units' reports.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboards import charts, shell, texts
from dashboards.data import ALL, REQUESTS, Warehouse, county_cells, measure_name, scope
from transforms.format import TOTAL, current, ordered

# where each format after the first begins, between two report years, and the notice that made it
BREAKS = tuple((f.meant_for_years[0] - 0.5, f.notice) for f in ordered()[1:])
REQUEST_ROWS = ("new_received", "concluded_total", "carried_forward")
DECISION_ROWS = ("licensing", "penalty", "coercion")


def _mark_break(layout: dict, year: int, unit_type: str, years: list[int]) -> None:
    shown = [y for y in years if y <= year]
    breaks = [(x, notice) for x, notice in BREAKS if shown and min(shown) < x < max(shown)]
    if not breaks:
        return
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
               "line": {"dash": "dash", "color": "#b54708", "width": 2}} for x, _ in breaks]
    notes = [{"xref": "x", "yref": "paper", "x": x, "y": 0.98, "yanchor": "top", "xanchor": "left", "showarrow": False,
              "bgcolor": "rgba(255,255,255,0.8)", "font": {"color": "#b54708"},
              "text": texts.FORMAT_BREAK.format(notice=notice)} for x, notice in breaks]
    # added to what the chart has (its small multiples' titles)
    layout["shapes"] = layout.get("shapes", []) + shapes
    layout["annotations"] = layout.get("annotations", []) + notes


def _request_row_name(code: str) -> str:
    # （七）总计 alone is ambiguous outside the table: prefix its group, 三、本年度办理结果
    row = REQUESTS.row_by_code[code]
    return f"{row.group.text}·{row.label.text}" if row.group else row.label.text


def build(wh: Warehouse, out_dir: Path) -> str:
    years = wh.years

    def upto(df: pd.DataFrame, year: int, unit_type: str) -> pd.DataFrame:
        df = scope(df, None, unit_type)
        return df[df["report_year"] <= year]

    def county(section: str, column: str, year: int) -> pd.DataFrame:
        # the county's figures, in the cells' own columns: one row per year and cell, the value already summed
        df = county_cells(wh, section, upto=year)
        return df.rename(columns={"column_code": column})

    def requests(year: int, unit_type: str) -> pd.DataFrame:
        if unit_type == ALL:
            df = county("requests", "applicant_code", year)
            df = df[df["applicant_code"] == TOTAL]
        else:
            df = upto(wh.requests, year, unit_type)
        df = df[df["row_code"].isin(REQUEST_ROWS)]
        out = df.groupby(["row_code", "report_year"], as_index=False)["value"].sum()
        return pd.DataFrame({"series": out["row_code"].map(_request_row_name),
                             "category": out["report_year"], "value": out["value"]}).sort_values("category")

    def decisions(year: int, unit_type: str) -> pd.DataFrame:
        df = county("proactive", "measure_code", year) if unit_type == ALL else upto(wh.proactive, year, unit_type)
        df = df[df["row_code"].isin(DECISION_ROWS) & (df["measure_code"] == "decisions")]
        out = df.groupby(["row_code", "report_year"], as_index=False)["value"].sum()
        section = current().section("proactive")
        return pd.DataFrame({"series": out["row_code"].map(lambda r: section.row_by_code[r].label.text),
                             "category": out["report_year"], "value": out["value"]}).sort_values("category")

    def normative(year: int, unit_type: str) -> pd.DataFrame:
        df = county("proactive", "measure_code", year) if unit_type == ALL else upto(wh.proactive, year, unit_type)
        df = df[df["row_code"] == "normative_docs"]
        out = df.groupby(["format_version", "measure_code", "report_year"], as_index=False)["value"].sum()
        # one series per measure as printed: formats that print the same measure continue one series
        out["series"] = [measure_name(v, "normative_docs", m)
                         for v, m in zip(out["format_version"], out["measure_code"], strict=True)]
        out = out.groupby(["series", "report_year"], as_index=False)["value"].sum()
        return pd.DataFrame({"series": out["series"], "category": out["report_year"],
                             "value": out["value"]}).sort_values("category")

    decorate = lambda layout, y, t: _mark_break(layout, y, t, years)  # noqa: E731
    request_order = [_request_row_name(r) for r in REQUEST_ROWS]
    decision_order = [current().section("proactive").row_by_code[r].label.text for r in DECISION_ROWS]
    normative_order = list(dict.fromkeys(
        measure_name(f.version, "normative_docs", m.code)
        for f in ordered(newest_first=True)
        for m in f.section("proactive").measures_of("normative_docs")
    ))
    common = {"kind": "line", "barmode": "group", "numeric_x": True, "decorate": decorate,
              "note": texts.COUNTY_NOTE.format(whole=wh.whole), "category_title": texts.YEAR, "upto": True,
              "aggregate": True, "whole": texts.WHOLE_SCOPE.format(whole=wh.whole)}
    # the flows of requests in the palette of the outcomes (new blue, concluded purple, carried forward slate)
    request_colors = {_request_row_name(r): shell.OUTCOME_COLORS[r] for r in REQUEST_ROWS}
    return "".join(
        charts.render(charts.Chart(id=cid, title=title, rows=rows, series_order=order, colors=colors, **common),
                      "trends", wh.variants(), out_dir)
        for cid, title, rows, order, colors in [
            ("requests", texts.CHART_TREND_REQUESTS, requests, request_order, request_colors),
            ("decisions", texts.CHART_TREND_DECISIONS, decisions, decision_order, {}),
            ("normative", texts.CHART_TREND_NORMATIVE, normative, normative_order, {}),
        ]
    )
