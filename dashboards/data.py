"""Reading the published warehouse (read-only) and the few derived quantities every view shares.

Only named columns are read (shared/spec/interfaces.md and the documented views), so lineage or other extra columns
the loader adds never change a dashboard.

The county's figures (全部) are the warehouse's one definition of them, ``county_totals`` scope ``units`` (不含本级:
townships, subdistricts, departments), exactly what ``countystats export`` writes; the county government's own
report (scope ``own``, 本级) is shown apart, and ``county_coverage`` says what they cover. They are read, never
recomputed. A filter to one unit type shows that type's units, from the ``*_cells`` views: there totals are
recomputed from their parts (applicant columns, result columns) because a blank 总计 is legal in an accepted report
(T3-ROWSUM / T4-TOTAL take it as the sum, with a notice).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from transforms.format import FORMATS, TOTAL, UNIT_TYPE_ZH, current, sql_list, unit_types
from transforms.format.facts import GOVERNMENT_OF_AREA
from transforms.warehouse.store import connect
from transforms.warehouse.views import unit_label
from transforms.writing.export import LEVEL_ZH

Key = tuple[str, str, str]  # (section, row_code, column_code)

# comparison data (a city government's report) is not part of the county's pages: only units expected to report
EXCLUDED_TYPES = unit_types(expected=False)
ALL = "all"

GOVERNMENTS = tuple(sorted({t for types in GOVERNMENT_OF_AREA.values() for t in types}))  # an area's own (本级)
_UNIT = "unit_code, unit_name, unit_type, report_year, format_version"
_COUNTY = f"coalesce(unit_type, '') NOT IN {sql_list(EXCLUDED_TYPES)}"
# Only named columns (shared/spec/interfaces.md, and the documented columns of run_id, meta and the county views of
# transforms/warehouse/schema.py), so extra (lineage) columns never change a page. The cell relations are reduced in
# DuckDB to what the pages show: fetching ~600,000 request cells into pandas for a 1,000-unit county costs more than
# building every page. A blank (NULL) counts as 0 in sums, as the rules say; 总计 columns are left out and recomputed
# from their parts, since a blank 总计 is legal in an accepted report. The county's figures are county_totals' own.
QUERIES = {
    # unit_label: the name lists above one county show (views.unit_label: 清河县·大营镇)
    "units": f"SELECT u.unit_code, u.unit_name, u.unit_type, u.area_code, u.active_from, u.active_to, "
    f"{unit_label('u', 'a')} AS unit_label FROM units u LEFT JOIN areas a USING (area_code)",
    # stands: the unit-year's newest file, arg_max by (received_at, submission_id), whose findings count (an older
    # file of the same unit and year is superseded); a file of no known unit or year stands alone
    "submissions": "SELECT submission_id, unit_code, report_year, format_version, source_file, sha256, received_at, "
    "status, is_current, run_id, area_code, "
    "coalesce(submission_id = arg_max(submission_id, (received_at, submission_id)) "
    "OVER (PARTITION BY unit_code, report_year), false) OR unit_code IS NULL OR report_year IS NULL AS stands "
    "FROM submissions",
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
    # outcomes by applicant type, per county: already summed over its units (the chart shows no unit)
    "outcomes_by_applicant": "SELECT area_code, unit_type, report_year, row_code, applicant_code, "
    "sum(coalesce(value, 0))::DOUBLE AS value FROM requests_cells "
    f"WHERE applicant_code <> '{TOTAL}' AND {_COUNTY} GROUP BY ALL",
    "review": f"SELECT {_UNIT}, proceeding_code, result_code, coalesce(value, 0)::DOUBLE AS value "
    f"FROM review_litigation_cells WHERE result_code <> '{TOTAL}' AND {_COUNTY}",
    "completeness": "SELECT unit_code, unit_name, report_year, status, first_received_at, first_accepted_at, "
    "deadline, on_time, backfilled FROM completeness",
    # every area's figures (a county's are county_totals'): 不含本级 (units) and 本级 (own); 含本级 is their sum and
    # not shown as a figure of its own
    "totals": "SELECT area_code, report_year, format_version, scope, section, row_code, column_code, "
    "value::DOUBLE AS value, reports FROM area_totals WHERE scope IN ('units', 'own')",
    "coverage": "SELECT area_code, report_year, units_expected, units_counted, missing, held, returned, rejected, "
    "own_counted, other_format FROM area_coverage",
    "unmapped": "SELECT area_code, report_year, unit_name, format_version, section, row_code, column_code, value "
    "FROM county_unmapped ORDER BY report_year, unit_code, section, row_code, column_code",
    "meta": "SELECT key, value FROM meta",
    "runs": "SELECT run_id, loaded_at FROM run_summary ORDER BY loaded_at, run_id",
    # each area's government (本级): the county's, in a deployment of many counties the city's too
    "own": f"SELECT area_code, unit_name FROM units WHERE unit_type IN {sql_list(GOVERNMENTS)} ORDER BY unit_code",
    "areas": "SELECT area_code, area_name, area_type, parent_code, depth FROM areas ORDER BY depth, area_code",
    # every area with each area it rolls up into (areas.path), itself included: what lies under an area
    "rolled": "SELECT unnest(path) AS rolls_into, area_code FROM areas",
    # N-COPY's pairs (one row per finding, so a pair found on both reports is two rows, A|B and B|A): both reports'
    # units (with the aliases N-COPY removed before comparing), years, files and texts of the part, the similarity
    "copies": "SELECT c.submission_id, c.section, c.other_submission_id, c.similarity, "
    "a.unit_code, ua.unit_name, ua.unit_type, ua.aliases, a.report_year, a.source_file, ta.text, "
    "b.unit_code AS other_unit_code, ub.unit_name AS other_unit_name, ub.unit_type AS other_unit_type, "
    "ub.aliases AS other_aliases, b.report_year AS other_report_year, b.source_file AS other_source_file, "
    "tb.text AS other_text "
    "FROM narrative_copies c "
    "JOIN submissions a ON a.submission_id = c.submission_id "
    "JOIN submissions b ON b.submission_id = c.other_submission_id "
    "LEFT JOIN units ua ON ua.unit_code = a.unit_code LEFT JOIN units ub ON ub.unit_code = b.unit_code "
    "LEFT JOIN narratives ta ON ta.submission_id = c.submission_id AND ta.section = c.section "
    "LEFT JOIN narratives tb ON tb.submission_id = c.other_submission_id AND tb.section = c.section "
    "ORDER BY c.submission_id, c.section",
}
AS_ROWS = ("coverage", "unmapped")
COPY_COLUMNS = ["submission_id", "section", "other_submission_id", "similarity", "unit_code", "unit_name",
                "unit_type", "aliases", "report_year", "source_file", "text", "other_unit_code", "other_unit_name",
                "other_unit_type", "other_aliases", "other_report_year", "other_source_file", "other_text"]
# rankings: a rate over fewer cases than this (its denominator) is shown with its figures but not ranked; the pipeline
# hands build_dashboards the setting ``min_cases`` (COUNTYSTATS_MIN_CASES)
MIN_CASES = 5
OWN_FALLBACK = {"county": "县政府", "city": "市政府", "province": "省政府"}  # an area government's name where the
# registry has none

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
    # county_totals as read: report_year, format_version, scope, section, row_code, column_code, value, reports
    totals: pd.DataFrame = field(default_factory=pd.DataFrame)
    # county_totals: (report_year, scope) -> {(section, row, column): value}, scope units (不含本级) or own (本级)
    county: dict[tuple[int, str], dict[Key, float]] = field(default_factory=dict)
    county_reports: dict[tuple[int, str], int] = field(default_factory=dict)  # reports the figures sum
    county_format: dict[int, str] = field(default_factory=dict)  # the format each year's figures are in
    coverage: dict[int, tuple] = field(default_factory=dict)  # county_coverage, as coverage_lines takes it
    unmapped: dict[int, list[tuple]] = field(default_factory=dict)  # county_unmapped, as coverage_lines takes it
    meta: dict[str, str] = field(default_factory=dict)
    runs: list[str] = field(default_factory=list)  # run ids in the order they loaded
    own_name: str = OWN_FALLBACK["county"]
    # N-COPY's pairs as QUERIES["copies"] reads them, of every file (standing or not): see standing_copies
    copies: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COPY_COLUMNS))
    area: str = ""  # the area the pages are of ('' : the one county of a one-county registry)
    area_name: str = ""  # its name ('' for that one county)
    area_type: str = "county"  # county | city | province
    tree: Tree | None = None  # the areas of a deployment of many counties, else None
    comparison: pd.DataFrame | None = None  # the area's children compared (dashboards.areas.comparison_rows)
    assets: str = ""  # the way from this area's site folder to the top one (shared scripts, unit pages): "" or "../"
    min_cases: int = MIN_CASES  # rankings: a rate over fewer cases is shown as such, not ranked

    @property
    def standing_findings(self) -> pd.DataFrame:
        """Findings of the files that stand for their unit-year (``submissions.stands``): a superseded file's no
        longer count, on any page."""
        if self._standing is None:
            self._standing = self.findings[self.findings["submission_id"].isin(self._standing_ids())]
        return self._standing

    @property
    def standing_copies(self) -> pd.DataFrame:
        """N-COPY's pairs of the standing findings: the pairs of the files that stand for their unit-year."""
        return self.copies[self.copies["submission_id"].isin(self._standing_ids())]

    def _standing_ids(self) -> pd.Series:
        return self.submissions.loc[self.submissions["stands"].fillna(False).astype(bool), "submission_id"]

    _standing: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def whole(self) -> str:
        """全县, 全市, 全省: the area as a whole, as its consolidated report calls it."""
        return LEVEL_ZH.get(self.area_type, LEVEL_ZH["county"])[0]

    def variants(self) -> list[tuple[int, str]]:
        return [(y, t) for y in self.years for t in (ALL, *self.types)]


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    type: str  # county | city | province
    parent: str | None


@dataclass(frozen=True)
class Tree:
    """The deployment's areas, and where each area's site is (the top area's in the output folder itself)."""

    areas: dict[str, Area]
    top: str

    def folder(self, code: str) -> str:
        """The area's site, relative to the output folder: '' for the top area, else ``<code>/``."""
        return "" if code == self.top else f"{code}/"

    def href(self, here: str, there: str, page: str) -> str:
        """A link from a page of area ``here`` to the page of area ``there``."""
        up = "" if here == self.top else "../"
        return f"{up}{self.folder(there)}{page}"

    def path(self, code: str) -> list[Area]:
        """From the top down to the area itself."""
        out = []
        at: str | None = code
        while at is not None and at in self.areas:
            out.append(self.areas[at])
            at = self.areas[at].parent
        return out[::-1]

    def children(self, code: str) -> list[Area]:
        return [a for a in self.areas.values() if a.parent == code]


def tree_of(areas: pd.DataFrame) -> Tree | None:
    """The tree of the warehouse's ``areas`` (top first), or None for one county (only the implicit area '')."""
    rows = areas[areas["area_code"] != ""]
    if rows.empty:
        return None
    tree = {r.area_code: Area(r.area_code, r.area_name, r.area_type, None if r.parent_code != r.parent_code else
                              r.parent_code) for r in rows.itertuples(index=False)}
    return Tree(tree, rows["area_code"].iloc[0])


def read(db_path: Path) -> dict:
    """Every frame the pages show, of every area, in one read-only pass over the warehouse."""
    # read_only: analysts and the nightly job may hold the file too; we never need to write
    con = connect(db_path, read_only=True)  # within the job's DuckDB memory limit
    try:
        con.execute("SET enable_progress_bar = false")  # a progress bar on stderr in the nightly log is noise
        # coverage rows as tuples, as the export reads them (transforms.writing.export.coverage_lines takes them)
        f = {name: con.execute(sql).fetchall() if name in AS_ROWS else _shared(con.execute(sql).df())
             for name, sql in QUERIES.items()}
    finally:
        con.close()
    for name in ("proactive", "requests", "applicants", "outcomes_by_applicant", "review"):
        f[name]["report_year"] = f[name]["report_year"].astype(int)
    f["source"] = Path(db_path).name
    return f


def areas_of(f: dict) -> list[str]:
    """The areas a site of pages is built for, the top one first: one (the implicit county '') for one county, and
    for a warehouse nothing was ever loaded into."""
    return list(f["areas"]["area_code"]) or [""]


def load(db_path: Path, area: str | None = None) -> Warehouse:
    """The pages' data of one area (default: the top one), from the warehouse at ``db_path``."""
    f = read(db_path)
    return of_area(f, area if area is not None else areas_of(f)[0])


def of_area(f: dict, area: str) -> Warehouse:
    """The pages' data of ``area``: the units under it (every county below a city or province), its own figures
    (``area_totals``, ``area_coverage``) and its government's name."""
    areas = f["areas"]
    rolled = f["rolled"]
    under = set(rolled.loc[rolled["rolls_into"] == area, "area_code"]) | {area}
    top = area == areas_of(f)[0]
    units = f["units"][f["units"]["area_code"].isin(under)]
    unit_codes = set(units["unit_code"])
    g = {name: df[df["unit_code"].isin(unit_codes)] for name, df in f.items()
         if name in ("proactive", "requests", "applicants", "review", "completeness")}
    copies = f["copies"]
    kind = areas.loc[areas["area_code"] == area, "area_type"]
    level = str(kind.iloc[0]) if len(kind) else "county"
    if level != "county":  # above one county, every county has its 大营镇: a unit is named with its county
        labels = units.set_index("unit_code")["unit_label"]
        units = units.assign(unit_name=units["unit_label"])
        g = {name: df.assign(unit_name=df["unit_code"].map(labels).fillna(df["unit_name"])) for name, df in g.items()}
        copies = copies.assign(unit_name=copies["unit_code"].map(labels).fillna(copies["unit_name"]),
                               other_unit_name=copies["other_unit_code"].map(labels).fillna(copies["other_unit_name"]))
    by_area = f["outcomes_by_applicant"]
    g["outcomes_by_applicant"] = (by_area[by_area["area_code"].isin(under)].drop(columns="area_code")
                                  .groupby(["unit_type", "report_year", "row_code", "applicant_code"], as_index=False,
                                           dropna=False)["value"].sum())
    subs_all = f["submissions"]
    # a file of no known unit shows where its inbox folder says, or (no folder said) at the top
    subs_all = subs_all[subs_all["area_code"].isin(under) | subs_all["unit_code"].isin(unit_codes)
                        | (top & subs_all["area_code"].isna())]
    comp = g["completeness"].merge(units[["unit_code", "unit_type"]], on="unit_code", how="left")
    comp = comp[~comp["unit_type"].isin(EXCLUDED_TYPES)]
    subs = subs_all.merge(units[["unit_code", "unit_name", "unit_type"]], on="unit_code", how="left")
    ids = set(subs["submission_id"])
    years = sorted(
        {int(y) for df in (comp, g["proactive"], g["requests"], subs) for y in df["report_year"].dropna()},
        reverse=True,
    )
    present = set(units.loc[~units["unit_type"].isin(EXCLUDED_TYPES), "unit_type"])
    types = [t for t in UNIT_TYPE_ZH if t in present]
    totals = f["totals"][f["totals"]["area_code"] == area].drop(columns="area_code")
    county: dict[tuple[int, str], dict[Key, float]] = {}
    reports: dict[tuple[int, str], int] = {}
    county_format: dict[int, str] = {}
    for r in totals.itertuples(index=False):
        key = (int(r.report_year), r.scope)
        county.setdefault(key, {})[(r.section, r.row_code, r.column_code)] = float(r.value)
        reports[key] = max(reports.get(key, 0), int(r.reports))
        county_format[int(r.report_year)] = r.format_version
    coverage = {int(r[1]): tuple(r[2:]) for r in f["coverage"] if r[0] == area}
    unmapped: dict[int, list[tuple]] = {}
    for r in f["unmapped"]:
        if r[0] in under:
            unmapped.setdefault(int(r[1]), []).append(tuple(r[2:]))
    own = f["own"].loc[f["own"]["area_code"] == area, "unit_name"]
    named = areas.loc[areas["area_code"] == area, "area_name"]
    return Warehouse(
        units=units, submissions=subs, findings=f["findings"][f["findings"]["submission_id"].isin(ids)],
        proactive=g["proactive"], requests=g["requests"], applicants=g["applicants"],
        outcomes_by_applicant=g["outcomes_by_applicant"], review=g["review"], completeness=comp,
        years=years, types=types, source=f["source"], totals=totals, county=county, county_reports=reports,
        county_format=county_format, coverage=coverage, unmapped=unmapped,
        meta=dict(zip(f["meta"]["key"], f["meta"]["value"], strict=True)), runs=list(f["runs"]["run_id"]),
        own_name=str(own.iloc[0]) if len(own) else OWN_FALLBACK.get(level, ""),
        copies=copies[copies["submission_id"].isin(ids)],
        area=area, area_name=str(named.iloc[0]) if len(named) else "",
        area_type=level,
    )


def _shared(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with each repeated text one object: DuckDB makes a new string for every row, and the per-unit
    figures repeat a unit's code, name and type and the row codes on every row (most of a province's pages' memory).
    The texts stay texts (categories would not add or format like them)."""
    for column in df.columns:
        if df[column].dtype != object and not pd.api.types.is_string_dtype(df[column]):
            continue
        codes, uniques = pd.factorize(df[column], use_na_sentinel=False)
        df[column] = uniques.take(codes)  # every row refers to its unique's one object
    return df


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


def ratio(num: float | None, den: float | None) -> float | None:
    """None when a figure is missing or the denominator is 0: shown as “—”, never as 0% or an error."""
    return None if num is None or not den else num / den


@dataclass(frozen=True)
class Indicators:
    """The overview's figures. Counts are None where the source has no such figure (never taken as 0)."""

    new_requests: float | None
    granted: float | None  # 予以公开 + 部分公开
    concluded: float | None
    corrected: float | None
    reviewed: float | None  # reconsiderations decided: total − pending
    disputes: float | None  # reconsiderations and both kinds of litigation
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


PROCEEDINGS = tuple(r.code for r in REVIEW.rows)


def _from_figures(get, units: int) -> Indicators:
    """The indicators from a table's figures: ``get((section, row, column))`` -> value or None."""

    def total(*keys: Key) -> float | None:
        values = [get(k) for k in keys]
        return None if any(v is None for v in values) else float(sum(values))

    recon_total, pending = get(("review_litigation", "reconsideration", TOTAL)), get(
        ("review_litigation", "reconsideration", "pending"))
    return Indicators(
        new_requests=total(("requests", "new_received", TOTAL)),
        granted=total(("requests", "granted", TOTAL), ("requests", "partly_granted", TOTAL)),
        concluded=total(("requests", "concluded_total", TOTAL)),
        corrected=total(("review_litigation", "reconsideration", "corrected")),
        reviewed=None if recon_total is None or pending is None else float(recon_total - pending),
        disputes=total(*(("review_litigation", p, TOTAL) for p in PROCEEDINGS)),
        units_reporting=units,
    )


def county_indicators(wh: Warehouse, year: int, part: str = "units") -> Indicators | None:
    """The county's indicators of ``year`` as ``county_totals`` has them: ``part`` units (不含本级) or own (本级).
    Only figures county_totals holds are read; None when it holds none for the year."""
    figures = wh.county.get((year, part))
    if not figures:
        return None
    return _from_figures(figures.get, wh.county_reports.get((year, part), 0))


def county_cells(wh: Warehouse, section: str, year: int | None = None, upto: int | None = None) -> pd.DataFrame:
    """The county's figures of one table (``county_totals`` scope units, 不含本级): report_year, format_version,
    row_code, column_code, value; of ``year``, or of every year up to ``upto``, or of every year."""
    t = wh.totals
    if t.empty:
        return pd.DataFrame(columns=["report_year", "format_version", "row_code", "column_code", "value"])
    mask = (t["scope"] == "units") & (t["section"] == section)
    if year is not None:
        mask &= t["report_year"] == year
    if upto is not None:
        mask &= t["report_year"] <= upto
    return t.loc[mask, ["report_year", "format_version", "row_code", "column_code", "value"]]


def indicators(wh: Warehouse, year: int, unit_type: str) -> Indicators | None:
    """全部: the county's figures (:func:`county_indicators`, 不含本级); one unit type: the sum of its units' current
    counted reports (the ``*_cells`` views), totals taken as the sum of their parts."""
    if unit_type == ALL:
        return county_indicators(wh, year)
    req = scope(wh.requests, year, unit_type)
    rev = scope(wh.review, year, unit_type)
    if req.empty and rev.empty:
        return None
    figures: dict[Key, float] = {("requests", r, TOTAL): v for r, v in req.groupby("row_code")["value"].sum().items()}
    for (proceeding, result), v in rev.groupby(["proceeding_code", "result_code"])["value"].sum().items():
        figures[("review_litigation", proceeding, result)] = v
        key = ("review_litigation", proceeding, TOTAL)
        figures[key] = figures.get(key, 0.0) + v
    return _from_figures(lambda k: figures.get(k, 0.0), int(req["unit_code"].nunique()))


UNIT_FIGURES = ("new_requests", "granted", "concluded", "corrected", "reviewed", "disputes")


def unit_figures(wh: Warehouse) -> pd.DataFrame:
    """The overview's figures of every unit and year, from the unit's current counted report (the ``*_cells``
    views, as a unit type's figures are): one row per (unit_code, report_year) with unit_name, unit_type and the
    :class:`Indicators` counts (:data:`UNIT_FIGURES`), a blank counting as 0 and totals the sums of their parts.
    ``Indicators(**figures, units_reporting=1)`` gives a row's rates, so a unit's rate is defined as the county's."""
    keys = ["unit_code", "report_year"]
    rows = {"new_received", "granted", "partly_granted", "concluded_total"}
    req = wh.requests[wh.requests["row_code"].isin(rows)]
    req = req.groupby([*keys, "row_code"])["value"].sum().unstack("row_code")
    rev = wh.review
    recon = rev["proceeding_code"] == "reconsideration"
    cases = pd.DataFrame({
        "disputes": rev.groupby(keys)["value"].sum(),
        "_recon": rev[recon].groupby(keys)["value"].sum(),
        "corrected": rev[recon & (rev["result_code"] == "corrected")].groupby(keys)["value"].sum(),
        "_pending": rev[recon & (rev["result_code"] == "pending")].groupby(keys)["value"].sum(),
    })
    df = req.reindex(columns=sorted(rows)).join(cases, how="outer").fillna(0.0)
    out = pd.DataFrame({
        "new_requests": df["new_received"], "granted": df["granted"] + df["partly_granted"],
        "concluded": df["concluded_total"], "corrected": df["corrected"], "reviewed": df["_recon"] - df["_pending"],
        "disputes": df["disputes"],
    }, index=df.index).reset_index()
    names = pd.concat([wh.requests[["unit_code", "unit_name", "unit_type"]], wh.review[["unit_code", "unit_name",
                                                                                          "unit_type"]]])
    names = names.drop_duplicates("unit_code").set_index("unit_code")
    out["unit_name"] = out["unit_code"].map(names["unit_name"])
    out["unit_type"] = out["unit_code"].map(names["unit_type"])
    out["report_year"] = out["report_year"].astype(int)
    return out[[*keys, "unit_name", "unit_type", *UNIT_FIGURES]]
