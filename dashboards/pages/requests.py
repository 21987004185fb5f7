"""依申请公开: outcomes (six categories from the format's row groups) and applicant types, unit by unit; outcomes by
applicant type for the county (全部: county_totals scope units, 不含本级, as on the overview) or a unit type."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboards import charts, shell, texts
from dashboards.data import ALL, Warehouse, applicant_names, county_cells, outcome_categories, scope
from dashboards.pages.common import PerUnit
from transforms.format import TOTAL

TOP_N = 40


def build(wh: Warehouse, out_dir: Path) -> str:
    categories = outcome_categories()
    applicants = applicant_names()

    leaves = wh.requests[wh.requests["row_code"].isin(categories)]
    outcomes = PerUnit(leaves, leaves["row_code"].map(categories))
    by_applicant = PerUnit(wh.applicants, wh.applicants["applicant_code"].map(applicants))

    def outcomes_by_applicant(year: int, unit_type: str) -> pd.DataFrame:
        if unit_type == ALL:
            df = county_cells(wh, "requests", year=year).rename(columns={"column_code": "applicant_code"})
            df = df[df["applicant_code"] != TOTAL]
        else:
            df = scope(wh.outcomes_by_applicant, year, unit_type)
        df = df[df["row_code"].isin(categories)]
        out = df.assign(series=df["row_code"].map(categories), category=df["applicant_code"].map(applicants))
        out = out.groupby(["series", "category"], sort=False, as_index=False)["value"].sum()
        order = {name: i for i, name in enumerate(applicants.values())}
        return out.sort_values("category", key=lambda c: c.map(order), kind="stable")

    colors = shell.outcome_colors()  # the one palette of outcomes: 不予公开 red on every page
    order = list(dict.fromkeys(categories.values()))
    return charts.render(
        charts.Chart(id="outcomes", title=texts.CHART_OUTCOMES, rows=outcomes, orientation="h",
                     series_order=order, colors=colors, top_n=TOP_N, category_title=texts.UNIT,
                     links=outcomes.links(wh)),
        "requests", wh.variants(), out_dir,
    ) + charts.render(
        charts.Chart(id="applicants", title=texts.CHART_APPLICANTS, rows=by_applicant, orientation="h",
                     series_order=list(applicants.values()), top_n=TOP_N, category_title=texts.UNIT,
                     links=by_applicant.links(wh)),
        "requests", wh.variants(), out_dir,
    ) + charts.render(
        charts.Chart(id="outcomes-by-applicant", title=texts.CHART_OUTCOMES_BY_APPLICANT, rows=outcomes_by_applicant,
                     orientation="h", series_order=order, colors=colors, category_title=texts.APPLICANT_AXIS,
                     note=texts.COUNTY_NOTE.format(whole=wh.whole), aggregate=True,
                     whole=texts.WHOLE_SCOPE.format(whole=wh.whole)),
        "requests", wh.variants(), out_dir,
    )
