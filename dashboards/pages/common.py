"""Per-unit chart rows, computed once for every variant: group by (year, type, series, unit) in one pass, then
hand each (year, type) variant its slice ordered by unit total. Grouping per variant instead costs ~12× more."""

from __future__ import annotations

from html import escape

import pandas as pd

from dashboards.data import Warehouse, scope

EMPTY = pd.DataFrame(columns=["series", "category", "value"])


class PerUnit:
    def __init__(self, df: pd.DataFrame, series: pd.Series):
        self.codes: dict[str, str] = {}  # a bar's label -> its unit's code (the bar links to the unit's page)
        if df.empty:
            self.table = None
            return
        # unit names are not keys: two units sharing a name would merge, so an ambiguous name gets its code
        names = df.groupby("unit_code")["unit_name"].first()
        dup = names[names.duplicated(keep=False)].index
        label = names.where(~names.index.isin(dup), names + "（" + names.index.astype(str) + "）")
        self.codes = {str(lab): code for code, lab in label.items()}
        self.table = (
            df.assign(series=series, category=df["unit_code"].map(label))
            .groupby(["report_year", "unit_type", "series", "category"], sort=False, as_index=False)["value"]
            .sum()
        )

    def links(self, wh: Warehouse) -> dict[str, str]:
        """Each bar's label -> the page of its unit (charts.Chart.links)."""
        return {label: unit_href(wh, code) for label, code in self.codes.items()}

    def __call__(self, year: int, unit_type: str) -> pd.DataFrame:
        if self.table is None:
            return EMPTY
        part = scope(self.table, year, unit_type)
        if part.empty:
            return EMPTY
        totals = part.groupby("category", sort=False)["value"].sum().sort_values(ascending=False, kind="stable")
        rank = pd.Series(range(len(totals)), index=totals.index)
        return part.assign(_r=part["category"].map(rank)).sort_values("_r", kind="stable")[
            ["series", "category", "value"]
        ]


UNITS_FOLDER = "units"  # one page per unit, in the top site's folder, linked from every area's pages


def unit_href(wh: Warehouse, unit_code) -> str:
    """Where the page of the unit ``unit_code`` is, relative to a page of ``wh``'s site (ASCII file name, unique
    per code: the same slug as a unit's findings anchor)."""
    from dashboards.shell import findings_anchor

    slug = findings_anchor(unit_code, "x")[2:-2]  # f-<slug>-x
    return f"{wh.assets}{UNITS_FOLDER}/{slug}.html"


def unit_link(wh: Warehouse, unit_code, text) -> str:
    """A unit's name as a link to its page (the filters travel with it); escaped. No code (a file nobody could
    place): the name alone."""
    if unit_code is None or unit_code != unit_code or unit_code == "":
        return escape("" if text is None or text != text else str(text))
    return f'<a class="keep-filters unit-link" href="{escape(unit_href(wh, unit_code))}">{escape(str(text))}</a>'
