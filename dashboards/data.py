"""Reading the published warehouse (read-only) and the few derived quantities every view shares.

Only the columns named in shared/spec/interfaces.md are read, so lineage or other extra columns the loader adds
never change a dashboard. Totals are recomputed from their parts (applicant columns, result columns) because a
blank 总计 is legal in an accepted report (T3-ROWSUM / T4-TOTAL take it as the sum, with a warning).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from transforms.format import FORMATS, TOTAL, UNIT_TYPE_ZH, current, sql_list, unit_types

# comparison data (a city government's report) is not part of the county's pages: only units expected to report
EXCLUDED_TYPES = unit_types(expected=False)
ALL = "all"

_UNIT = "unit_code, unit_name, unit_type, report_year, format_version"
_COUNTY = f"coalesce(unit_type, '') NOT IN {sql_list(EXCLUDED_TYPES)}"
# Only the columns of shared/spec/interfaces.md, so extra (lineage) columns never change a page. The cell
# relations are reduced in DuckDB to what the pages show: fetching ~600,000 request cells into pandas for a
# 1,000-unit county costs more than building every page. A blank (NULL) counts as 0 in sums, as the rules say;
# 总计 columns are left out and recomputed from their parts, since a blank 总计 is legal in an accepted report.
QUERIES = {
    "units": "SELECT unit_code, unit_name, unit_type, active_from, active_to FROM units",
    "submissions": "SELECT submission_id, unit_code, report_year, format_version, source_file, sha256, received_at, "
    "status, is_current FROM submissions",
    "findings": "SELECT submission_id, rule, severity, section, row_code, column_code, cell, message, expected, actual "
    "FROM findings",
    "proactive": f"SELECT {_UNIT}, row_code, measure_code, coalesce(value, 0)::DOUBLE AS value "
    f"FROM proactive_cells WHERE {_COUNTY}",
    # per unit and row: the sum of the applicant columns
    "requests": f"SELECT {_UNIT}, row_code, sum(coalesce(value, 0))::DOUBLE AS value FROM requests_cells "
    f"WHERE applicant_code <> '{TOTAL}' AND {_COUNTY} GROUP BY ALL",
    # new requests by applicant type: the one place the applicant columns are shown
    "applicants": f"SELECT {_UNIT}, applicant_code, coalesce(value, 0)::DOUBLE AS value FROM requests_cells "
    f"WHERE row_code = 'new_received' AND applicant_code <> '{TOTAL}' AND {_COUNTY}",
    # outcomes by applicant type, county level: already summed over units (the chart shows no unit)
    "outcomes_by_applicant": "SELECT unit_type, report_year, row_code, applicant_code, "
    "sum(coalesce(value, 0))::DOUBLE AS value FROM requests_cells "
    f"WHERE applicant_code <> '{TOTAL}' AND {_COUNTY} GROUP BY ALL",
    "review": f"SELECT {_UNIT}, proceeding_code, result_code, coalesce(value, 0)::DOUBLE AS value "
    f"FROM review_litigation_cells WHERE result_code <> '{TOTAL}' AND {_COUNTY}",
    "completeness": "SELECT unit_code, unit_name, report_year, status, first_received_at, on_time FROM completeness",
}

# labels as the current format prints them (every format uses the same codes for these tables)
REQUESTS = current().section("requests")
REVIEW = current().section("review_litigation")
RESULT_PARTS = REVIEW.parts


@dataclass
class Warehouse:
    units: pd.DataFrame
    submissions: pd.DataFrame
    findings: pd.DataFrame
    proactive: pd.DataFrame
    requests: pd.DataFrame  # per unit, year and row: value = sum over applicant types
    applicants: pd.DataFrame  # new_received per unit, year and applicant type
    outcomes_by_applicant: pd.DataFrame  # per unit type, year, row and applicant type
    review: pd.DataFrame  # without the 总计 column
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
        con.execute("SET enable_progress_bar = false")  # a progress bar on stderr in the nightly log is noise
        f = {name: con.execute(sql).df() for name, sql in QUERIES.items()}
    finally:
        con.close()
    for name in ("proactive", "requests", "applicants", "outcomes_by_applicant", "review"):
        f[name]["report_year"] = f[name]["report_year"].astype(int)
    units = f["units"]
    comp = f["completeness"].merge(units[["unit_code", "unit_type"]], on="unit_code", how="left")
    comp = comp[~comp["unit_type"].isin(EXCLUDED_TYPES)]
    subs = f["submissions"].merge(units[["unit_code", "unit_name", "unit_type"]], on="unit_code", how="left")
    years = sorted(
        {int(y) for df in (comp, f["proactive"], f["requests"], subs) for y in df["report_year"].dropna()},
        reverse=True,
    )
    present = set(units.loc[~units["unit_type"].isin(EXCLUDED_TYPES), "unit_type"])
    types = [t for t in UNIT_TYPE_ZH if t in present]
    return Warehouse(
        units=units, submissions=subs, findings=f["findings"], proactive=f["proactive"],
        requests=f["requests"], applicants=f["applicants"],
        outcomes_by_applicant=f["outcomes_by_applicant"], review=f["review"], completeness=comp,
        years=years, types=types, source=Path(db_path).name,
    )


def scope(df: pd.DataFrame, year: int | None, unit_type: str, year_col: str = "report_year") -> pd.DataFrame:
    """Rows of one filter variant; year None keeps every year.

    Every view asks for every (year, type) variant of the same few frames: partition each frame once (groupby)
    and hand out the parts, instead of scanning ~500,000 rows with boolean masks for each chart and variant.
    """
    if year is None and unit_type == ALL:
        return df
    return _partitions(df, year_col).get((year, unit_type), df.iloc[0:0])


_PARTS: dict[int, tuple[weakref.ref, dict]] = {}


def _partitions(df: pd.DataFrame, year_col: str) -> dict:
    cached = _PARTS.get(id(df))
    if cached and cached[0]() is df:
        return cached[1]
    parts: dict = {}
    types = df["unit_type"].fillna("")
    for keys, cols in (((year_col, "_t"), (year_col, "_t")), ((year_col,), (year_col,)), (("_t",), ("_t",))):
        for key, sub in df.assign(_t=types).groupby(list(cols), sort=False, dropna=False):
            sub = sub.drop(columns="_t")
            if keys == (year_col, "_t"):
                parts[(_year(key[0]), key[1])] = sub
            elif keys == (year_col,):
                parts[(_year(key[0]), ALL)] = sub
            else:
                parts[(None, key[0])] = sub
    # entries of frames gone (a previous build) are dropped: the parts must not outlive their frame
    for dead in [k for k, (ref, _) in _PARTS.items() if ref() is None]:
        del _PARTS[dead]
    _PARTS[id(df)] = (weakref.ref(df), parts)
    return parts


def _year(v) -> int | None:
    return None if pd.isna(v) else int(v)


def short_label(text: str) -> str:
    """（三）不予公开 → 不予公开; （二）部分公开（区分处理的…） → 部分公开: category names for legends."""
    text = re.sub(r"^（[一二三四五六七八九十]+）", "", text)
    return re.sub(r"（[^（）]*）$", "", text)


def outcome_categories() -> dict[str, str]:
    """Request row_code -> outcome category, from the format's row groups.

    Rows directly under 三、本年度办理结果 are their own category (予以公开, 部分公开); rows under a sub-group
    (（三）不予公开 …) take the group's name. A derived row (（六）其他处理) stands for its children, and is present in
    every format (printed in 2019, derived in 2021), so reports of every format fall into the same six categories.
    """
    result_group = REQUESTS.row_by_code["concluded_total"].group
    mapping: dict[str, str] = {}
    for fmt in FORMATS.values():
        section = fmt.section("requests")
        children = {c for d in section.derived_rows for c in section.children(d)}
        for row in section.rows:
            if row.code in children or not (row.leaf_outcome or row.derived):
                continue
            mapping[row.code] = short_label((row.label if row.group == result_group else row.group).text)
    return mapping


def proceeding_names() -> dict[str, str]:
    return {r.code: f"{r.group.text}·{r.label.text}" if r.group else r.label.text for r in REVIEW.rows}


def result_names() -> dict[str, str]:
    return {m.code: m.label.text for m in REVIEW.columns if m.code != TOTAL}


def applicant_names() -> dict[str, str]:
    """Every applicant column of every format (a later format may add one), named as the newest prints it."""
    names = {m.code: m.title for f in FORMATS.values() for m in f.section("requests").columns if m.code != TOTAL}
    return names | {m.code: m.title for m in REQUESTS.columns if m.code in names}


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
    req = scope(wh.requests, year, unit_type)
    rev = scope(wh.review, year, unit_type)
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
