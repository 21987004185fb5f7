"""Reading the published warehouse (read-only) and the few derived quantities every view shares.

Only the columns named in shared/spec/interfaces.md are read, so lineage or other extra columns the loader adds
never change a dashboard. Totals are recomputed from their parts (applicant columns, result columns) because a
blank 总计 is legal in an accepted report (T3-ROWSUM / T4-TOTAL take it as the sum, with a warning).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from transforms.report_format import APPLICANT_CODES, FORMAT_2021, FORMATS, OTHER_CHILDREN_2021, UNIT_TYPE_ZH

COLUMNS = {
    "units": "unit_code, unit_name, unit_type, active_from, active_to",
    "submissions": "submission_id, unit_code, report_year, format_version, source_file, sha256, received_at, "
    "status, is_current",
    "findings": "submission_id, rule, severity, section, row_code, column_code, cell, message, expected, actual",
    "proactive_cells": "unit_code, unit_name, unit_type, report_year, format_version, row_code, measure_code, value",
    "requests_cells": "unit_code, unit_name, unit_type, report_year, format_version, row_code, applicant_code, value",
    "review_litigation_cells": "unit_code, unit_name, unit_type, report_year, format_version, proceeding_code, "
    "result_code, value",
    "completeness": "unit_code, unit_name, report_year, status, first_received_at, on_time",
}

# comparison data from the city is not part of the county's figures (interfaces.md: unit_type city_government)
EXCLUDED_TYPES = ("city_government",)
ALL = "all"

REQUESTS = FORMAT_2021.section("requests")
REVIEW = FORMAT_2021.section("review_litigation")
RESULT_PARTS = tuple(m.code for m in REVIEW.columns if m.code != "total")


@dataclass
class Warehouse:
    units: pd.DataFrame
    submissions: pd.DataFrame
    findings: pd.DataFrame
    proactive: pd.DataFrame
    requests: pd.DataFrame
    review: pd.DataFrame
    completeness: pd.DataFrame
    years: list[int]  # newest first: the default filter is the latest year
    types: list[str]  # unit types present, in UNIT_TYPE_ZH order
    source: str

    def variants(self) -> list[tuple[int, str]]:
        return [(y, t) for y in self.years for t in (ALL, *self.types)]


def load(db_path: Path) -> Warehouse:
    # read_only: analysts and the nightly job may hold the file too; we never need to write
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        f = {name: con.execute(f"SELECT {cols} FROM {name}").df() for name, cols in COLUMNS.items()}
    finally:
        con.close()
    for name in ("proactive_cells", "requests_cells", "review_litigation_cells"):
        df = f[name]
        df = df[~df["unit_type"].isin(EXCLUDED_TYPES)].copy()
        df["value"] = pd.to_numeric(df["value"], errors="coerce").fillna(0.0)
        df["report_year"] = df["report_year"].astype(int)
        f[name] = df
    units = f["units"]
    comp = f["completeness"].merge(units[["unit_code", "unit_type"]], on="unit_code", how="left")
    comp = comp[~comp["unit_type"].isin(EXCLUDED_TYPES)]
    subs = f["submissions"].merge(units[["unit_code", "unit_name", "unit_type"]], on="unit_code", how="left")
    years = sorted(
        {int(y) for df in (comp, f["proactive_cells"], f["requests_cells"], subs) for y in df["report_year"].dropna()},
        reverse=True,
    )
    present = set(units.loc[~units["unit_type"].isin(EXCLUDED_TYPES), "unit_type"])
    types = [t for t in UNIT_TYPE_ZH if t in present]
    return Warehouse(
        units=units, submissions=subs, findings=f["findings"], proactive=f["proactive_cells"],
        requests=f["requests_cells"], review=f["review_litigation_cells"], completeness=comp,
        years=years, types=types, source=Path(db_path).name,
    )


def scope(df: pd.DataFrame, year: int | None, unit_type: str, year_col: str = "report_year") -> pd.DataFrame:
    """Rows of one filter variant; year None keeps every year."""
    mask = pd.Series(True, index=df.index)
    if year is not None:
        mask &= df[year_col] == year
    if unit_type != ALL:
        mask &= df["unit_type"] == unit_type
    return df[mask]


def short_label(text: str) -> str:
    """（三）不予公开 → 不予公开; （二）部分公开（区分处理的…） → 部分公开: category names for legends."""
    text = re.sub(r"^（[一二三四五六七八九十]+）", "", text)
    return re.sub(r"（[^（）]*）$", "", text)


def outcome_categories() -> dict[str, str]:
    """Request row_code -> outcome category, from the format's row groups.

    Rows directly under 三、本年度办理结果 are their own category (予以公开, 部分公开); rows under a sub-group
    (（三）不予公开 …) take the group's name. （六）其他处理 is taken from `other_total`, present for both formats, so
    2019 and 2021 reports fall into the same six categories.
    """
    result_group = REQUESTS.row_by_code["concluded_total"].group
    mapping: dict[str, str] = {}
    for fmt in FORMATS.values():
        for row in fmt.section("requests").rows:
            if row.code in OTHER_CHILDREN_2021 or not (row.leaf_outcome or row.code == "other_total"):
                continue
            mapping[row.code] = short_label((row.label if row.group == result_group else row.group).text)
    return mapping


def proceeding_names() -> dict[str, str]:
    return {r.code: f"{r.group.text}·{r.label.text}" if r.group else r.label.text for r in REVIEW.rows}


def result_names() -> dict[str, str]:
    return {m.code: m.label.text for m in REVIEW.columns if m.code != "total"}


def applicant_names() -> dict[str, str]:
    return {m.code: m.title for m in REQUESTS.columns if m.code in APPLICANT_CODES}


def request_rows(df: pd.DataFrame) -> pd.DataFrame:
    """requests_cells without the 总计 column: totals are the sum of the applicant columns."""
    return df[df["applicant_code"].isin(APPLICANT_CODES)]


def review_parts(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["result_code"].isin(RESULT_PARTS)]


def measure_name(fmt_version: str, row_code: str, measure_code: str) -> str:
    section = FORMATS[fmt_version].section("proactive")
    return f"{section.row_by_code[row_code].label.text}·{section.measure(row_code, measure_code).label.text}"


def ratio(num: float, den: float) -> float | None:
    """None when the denominator is 0: shown as “—”, never as 0% or an error."""
    return None if not den else num / den


@dataclass(frozen=True)
class Indicators:
    new_requests: float
    granted: float
    concluded: float
    corrected: float
    reviewed: float  # reconsiderations decided: total − pending
    disputes: float
    units_reporting: int

    @property
    def disclosure_rate(self) -> float | None:
        return ratio(self.granted, self.concluded)

    @property
    def correction_rate(self) -> float | None:
        return ratio(self.corrected, self.reviewed)

    @property
    def dispute_rate(self) -> float | None:
        return ratio(self.disputes, self.new_requests)


def indicators(wh: Warehouse, year: int, unit_type: str) -> Indicators | None:
    req = request_rows(scope(wh.requests, year, unit_type))
    rev = review_parts(scope(wh.review, year, unit_type))
    if req.empty and rev.empty:
        return None
    by_row = req.groupby("row_code")["value"].sum()
    recon = rev[rev["proceeding_code"] == "reconsideration"].groupby("result_code")["value"].sum()
    return Indicators(
        new_requests=float(by_row.get("new_received", 0)),
        granted=float(by_row.get("granted", 0) + by_row.get("partly_granted", 0)),
        concluded=float(by_row.get("concluded_total", 0)),
        corrected=float(recon.get("corrected", 0)),
        reviewed=float(recon.sum() - recon.get("pending", 0)),
        disputes=float(rev["value"].sum()),
        units_reporting=int(req["unit_code"].nunique()),
    )
