"""复议诉讼: cases by proceeding and result (全部: county_totals scope units, 不含本级, as on the overview; or a unit
type's units), and by unit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboards import charts, shell, texts
from dashboards.data import ALL, Warehouse, county_cells, proceeding_names, result_names, scope
from dashboards.pages.common import PerUnit
from transforms.format import TOTAL

TOP_N = 40


def build(wh: Warehouse, out_dir: Path) -> str:
    proceedings, results = proceeding_names(), result_names()

    def by_result(year: int, unit_type: str) -> pd.DataFrame:
        if unit_type == ALL:
            df = county_cells(wh, "review_litigation", year=year).rename(
                columns={"row_code": "proceeding_code", "column_code": "result_code"})
            df = df[df["result_code"] != TOTAL]
        else:
            df = scope(wh.review, year, unit_type)
        if df.empty:
            return pd.DataFrame(columns=["series", "category", "value"])
        sums = df.groupby(["proceeding_code", "result_code"])["value"].sum()
        return pd.DataFrame(
            [(results[r], proceedings[p], sums.get((p, r), 0.0)) for p in proceedings for r in results],
            columns=["series", "category", "value"],
        )

    # units without any case would only add empty rows to the chart
    cases = wh.review[wh.review["value"] != 0]
    by_unit = PerUnit(cases, cases["proceeding_code"].map(proceedings))

    return charts.render(
        charts.Chart(id="by-result", title=texts.CHART_REVIEW_BY_RESULT, rows=by_result,
                     series_order=list(results.values()), note=texts.COUNTY_NOTE.format(whole=wh.whole),
                     colors={results[code]: color for code, color in shell.REVIEW_COLORS.items()},
                     category_title=texts.PROCEEDING_AXIS, aggregate=True,
                     whole=texts.WHOLE_SCOPE.format(whole=wh.whole)),
        "review", wh.variants(), out_dir,
    ) + charts.render(
        charts.Chart(id="by-unit", title=texts.CHART_REVIEW_BY_UNIT, rows=by_unit, orientation="h",
                     series_order=list(proceedings.values()), top_n=TOP_N, category_title=texts.UNIT,
                     links=by_unit.links(wh)),
        "review", wh.variants(), out_dir,
    )
