"""A page per unit, ``units/<slug>.html`` (:func:`dashboards.pages.common.unit_href`): written once, in the top
site's folder, from the top area's Warehouse (which has every unit), whatever the number of areas, and linked from
every area's pages.

What a unit's page shows:

- 历年报送情况: per year its status (``completeness``) and timeliness, first report, findings;
- per year (the 报告年度 filter chooses which: ``filtered`` blocks, ``data-year``): its rates — 实质公开率, 复议纠错率,
  争议转化率, each with its two figures — beside its county's (``county_totals`` scope units, 不含本级, of the unit's
  own area: :func:`dashboards.data.county_indicators`); every file it sent for the year (received, status, current,
  the one that stands, findings); the findings of the file that stands, grouped by row of the form, errors first;
- 历年主要数字: its figures per year (new requests, concluded, the six outcome groups, carried forward, proactive
  counts, reconsideration and litigation cases, the rates) from its current counted report (``unit_figures``);
- charts of its figures over the years, one per scale (its requests; its 实质公开率 beside its county's), each chart's
  data of every unit in one CSV, ``units/units-<chart>.csv`` (the site's CSV columns, 类别 the unit, formula-safe
  cells: the csv module with ``csv_cell``, as charts.py writes them).

Speed (1,000 units: ~1.5 s): everything is grouped once per build (plain dicts keyed by unit), then each page is
string formatting; the figures are plain Plotly JSON (``Plotly.newPlot``, as ``plotly.io.to_html`` writes them) —
pandas' ``to_csv`` and ``plotly.io.to_html`` cost ~3 ms a call, seconds over a thousand units —, the pages are
written by a thread while the next ones are made, and there is no file per unit but its page (creating a file costs
this machine's disk more than writing its bytes).
A unit page's links are relative to ``units/``: the shared scripts one folder up (``../``), the menu to the pages
of the unit's own area site (``../<area_code>/`` below the top area).
"""

from __future__ import annotations

import csv
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pandas as pd

from dashboards import charts, shell, texts
from dashboards.data import (
    UNIT_FIGURES,
    Indicators,
    Warehouse,
    county_indicators,
    measure_name,
    outcome_categories,
    proceeding_names,
    unit_figures,
)
from dashboards.pages.common import UNITS_FOLDER, unit_href
from dashboards.pages.completeness import timeliness
from dashboards.pages.overview import COUNT_CELLS
from dashboards.pages.rankings import RATES
from transforms.format import FORMATS, NARRATIVE, SEVERITY_ZH, UNIT_TYPE_ZH
from transforms.rules import RULES
from transforms.rules.narrative import part_name
from transforms.writing.safe_text import csv_cell

SEVERITY_RANK = {s: i for i, s in enumerate(("error", "warning", "notice"))}
NARRATIVE_PARTS = {p.code: i for i, p in enumerate(NARRATIVE)}
CHART_HEIGHT = 320


@dataclass(frozen=True)
class AreaView:
    """What a unit's page needs of its area: its name, how it is called as a whole (全县), where its site is (relative
    to the top folder), the way down to it, and its figures (不含本级) per year."""

    code: str
    name: str  # as the area's pages name it in their heading (shell.site_name)
    whole: str
    folder: str
    trail: tuple[tuple[str, str], ...] = ()  # (name, folder) from the top area down to this one
    county: dict[int, Indicators | None] = field(default_factory=dict)


def area_view(wh: Warehouse) -> AreaView:
    """The view of ``wh``'s area (built in the area loop of build_dashboards, from figures it has read anyway)."""
    tree = wh.tree
    folder = tree.folder(wh.area) if tree is not None else ""
    trail = tuple((a.name, tree.folder(a.code)) for a in tree.path(wh.area)) if tree is not None else ()
    return AreaView(wh.area, shell.site_name(wh), wh.whole, folder, trail,
                    {y: county_indicators(wh, y) for y in wh.years})


@dataclass
class _Grouped:
    """Every frame a unit page shows, grouped by unit once: plain dicts and tuples, times already formatted."""

    status: dict = field(default_factory=dict)  # code -> {year: completeness record}
    files: dict = field(default_factory=dict)  # code -> [submission record], by received time
    findings: dict = field(default_factory=dict)  # submission_id -> [finding record] (standing files only)
    counts: dict = field(default_factory=dict)  # submission_id -> number of findings
    figures: dict = field(default_factory=dict)  # code -> {year: Indicators}
    cells: dict = field(default_factory=dict)  # code -> {(figure key, year): value}


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: (None if _missing(v) else v) for k, v in r.items()} for r in df.to_dict("records")]


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def _times(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The frame with each of ``columns`` (name -> strftime format) as text, in one pass per column; NaT: None."""
    df = df.copy()
    for column, fmt in columns.items():
        values = pd.to_datetime(df[column])
        df[column + "_text"] = values.dt.strftime(fmt).where(values.notna(), None).astype(object)
    return df


def _group(wh: Warehouse) -> _Grouped:
    g = _Grouped()
    comp = _times(wh.completeness[["unit_code", "report_year", "status", "first_received_at", "first_accepted_at",
                                   "deadline", "on_time", "backfilled"]],
                  {"first_received_at": "%Y-%m-%d %H:%M", "deadline": "%Y-%m-%d"})
    for r in _records(comp):
        g.status.setdefault(r["unit_code"], {})[int(r["report_year"])] = r
    subs = wh.submissions[wh.submissions["unit_code"].notna()].sort_values(["received_at", "submission_id"])
    subs = _times(subs[["submission_id", "unit_code", "report_year", "format_version", "source_file", "received_at",
                        "status", "is_current", "stands"]], {"received_at": "%Y-%m-%d %H:%M"})
    for r in _records(subs):
        r["report_year"] = None if r["report_year"] is None else int(r["report_year"])
        g.files.setdefault(r["unit_code"], []).append(r)
    g.counts = wh.findings.groupby("submission_id").size().to_dict()
    standing = wh.standing_findings
    for r in _records(standing[["submission_id", "rule", "severity", "section", "row_code", "column_code", "cell",
                                "message", "expected", "actual"]]):
        g.findings.setdefault(r["submission_id"], []).append(r)
    for r in unit_figures(wh).itertuples(index=False):
        g.figures.setdefault(r.unit_code, {})[int(r.report_year)] = Indicators(
            **{k: float(getattr(r, k)) for k in UNIT_FIGURES}, units_reporting=1)
    # the figures table's cells, keyed by what each row of the table is
    keys = {"new_received": texts.NEW_REQUESTS, "concluded_total": texts.CONCLUDED,
            "carried_forward": texts.CARRIED_FORWARD} | outcome_categories()
    req = wh.requests[wh.requests["row_code"].isin(keys)]
    sums = req.groupby(["unit_code", "report_year", req["row_code"].map(keys)])["value"].sum()
    rev = wh.review
    cases = rev.groupby(["unit_code", "report_year", rev["proceeding_code"].map(proceeding_names())])["value"].sum()
    corrected = rev[(rev["proceeding_code"] == "reconsideration") & (rev["result_code"] == "corrected")]
    corrected = corrected.groupby(["unit_code", "report_year"])["value"].sum()
    names = {(v, r, c): measure_name(v, r, c) for v, r, c in COUNT_CELLS}
    pro = wh.proactive
    pro = pro[pd.MultiIndex.from_frame(pro[["format_version", "row_code", "measure_code"]]).isin(list(names))]
    counts = pro.groupby(["unit_code", "report_year", "format_version", "row_code", "measure_code"])["value"].sum()
    for (code, year, key), v in sums.items():
        g.cells.setdefault(code, {})[(key, int(year))] = float(v)
    for (code, year, key), v in cases.items():
        g.cells.setdefault(code, {})[(key, int(year))] = float(v)
    for (code, year), v in corrected.items():
        g.cells.setdefault(code, {})[(texts.RECON_CORRECTED, int(year))] = float(v)
    for (code, year, v_, r_, c_), v in counts.items():
        g.cells.setdefault(code, {})[(names[(v_, r_, c_)], int(year))] = float(v)
    return g


def _table_rows() -> list[tuple[str, list[tuple[str, str]]]]:
    """The figures table: (group heading as HTML, [(row key, the row's opening HTML)]), in the order of the form."""
    outcomes = list(dict.fromkeys(outcome_categories().values()))
    proactive = list(dict.fromkeys(measure_name(v, r, c) for v, r, c in COUNT_CELLS))
    review = list(proceeding_names().values())
    groups = [
        (texts.GROUP_REQUESTS, [texts.NEW_REQUESTS, texts.CONCLUDED, texts.CARRIED_FORWARD]),
        (texts.GROUP_OUTCOMES, outcomes),
        (texts.GROUP_REVIEW, [*review, texts.RECON_CORRECTED]),
        (texts.GROUP_PROACTIVE, proactive),
    ]
    return [(escape(group), [(k, f'<tr data-figure="{escape(k)}"><td class="label">{escape(k)}</td>') for k in keys])
            for group, keys in groups]


STYLE = """<style>
.unit-page td, .unit-page th { min-width:2.5em; }
.unit-page td.file, .unit-page td.label { overflow-wrap:anywhere; }
.unit-page .parts { display:block; font-size:.8rem; color:var(--muted); }
.unit-page .tag { display:inline-block; font-size:.8rem; border:1px solid var(--line); border-radius:3px;
  padding:0 .3em; margin:.1em .3em 0 0; color:var(--muted); }
.unit-page .tag.stands { color:var(--accent); border-color:var(--accent); }
.unit-page tr.group th { background:#f7f9fb; position:static; }
.unit-page ul.findings { margin:.2rem 0 .6rem; padding-left:1.2rem; }
.unit-page .sev-error { color:var(--bad); font-weight:bold; }
.unit-page .sev-warning { color:var(--warn); font-weight:bold; }
.unit-page .where { color:var(--muted); font-size:.85rem; }
.unit-page h3 { font-size:.95rem; margin:.8rem 0 .3rem; }
.unit-page table.unit-rates, .unit-page #unit-history table { max-width:48rem; }
.unit-page .parts, .unit-page td.when { white-space:nowrap; }
.unit-page h4 { font-size:.9rem; margin:.5rem 0 .2rem; }
@media (max-width:720px) { .unit-page .status { white-space:normal; } }
@media print { .unit-page section.block.filtered[hidden] { display:none !important; } }
</style>"""


CHARTS = ("requests", "rates")  # each chart's data of every unit in one CSV, units/units-<chart>.csv


def write_unit_pages(wh: Warehouse, out_dir: Path, views: dict[str, AreaView], footer: str) -> list[Path]:
    """Write every unit's page (and its charts' CSVs) into ``out_dir/units/``; remove the pages and CSVs of units
    no longer in the registry (a nightly build reuses the folder). ``views``: every area's :class:`AreaView`."""
    folder = Path(out_dir) / UNITS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    g = _group(wh)
    top = next(iter(views.values())) if views else AreaView("", "", wh.whole, "")
    shells: dict[str, tuple[str, str]] = {}  # area -> the page around the body, split where the body goes
    written: set[str] = set()
    ctx = _Context(wh.years, wh.min_cases, _table_rows(), {c: [] for c in CHARTS})
    # writing a file costs more than making it (creating a thousand files takes the disk seconds on a busy
    # machine): a thread writes them while the next pages are made (a write releases the GIL)
    writer = ThreadPoolExecutor(max_workers=2)
    pending = []
    units = wh.units[["unit_code", "unit_name", "unit_type", "area_code"]]
    names = units.set_index("unit_code")["unit_name"].astype(str)
    twins = set(names[names.duplicated(keep=False)].index)  # a name twice: the CSV's 类别 carries the code
    for code, name, unit_type, area in units.itertuples(index=False):
        if _missing(code):
            continue
        area = "" if _missing(area) else str(area)
        view = views.get(area, top)
        if area not in shells:
            shells[area] = _shell(wh, view, footer)
        slug = unit_href(wh, code).rsplit("/", 1)[1][: -len(".html")]
        kind = UNIT_TYPE_ZH.get(unit_type, "" if _missing(unit_type) else str(unit_type))
        label = f"{name}（{code}）" if code in twins else str(name)
        body = _body(ctx, g, view, str(code), str(name), kind, slug, label)
        head, tail = shells[area]
        title = escape(str(name).replace("\x00", ""))  # NUL marks the placeholders (and is no HTML text)
        html = (head.replace("\x00title\x00", title)
                .replace("\x00help\x00", escape(texts.UNIT_META.format(kind=kind, code=code)))
                + body + tail)
        path = folder / f"{slug}.html"
        pending.append(writer.submit(path.write_text, html, encoding="utf-8"))
        written.add(path.name)
    for chart, rows in ctx.csv.items():
        name = f"{UNITS_FOLDER}-{chart}.csv"
        with open(folder / name, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel reads the Chinese
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(charts.COLUMNS)
            w.writerows((y, t, csv_cell(s), csv_cell(c), float(v)) for y, t, s, c, v in rows)
        written.add(name)
    writer.shutdown(wait=True)
    for done in pending:
        done.result()  # a write that failed fails the build
    for stale in folder.iterdir():  # a unit gone from the registry: its page must not linger
        if stale.suffix in (".html", ".csv") and stale.name not in written:
            stale.unlink()
    return sorted(folder / n for n in written if n.endswith(".html"))


def _shell(wh: Warehouse, view: AreaView, footer: str) -> tuple[str, str]:
    """The site's page around a unit page's body (shell.page) in ``units/``: the shared scripts one folder up, the
    menu to the unit's own area site, its heading and title the unit's (placeholders filled per unit). Returns the
    page before and after the body."""
    prefix = f"../{view.folder}"
    bar = ""
    if view.trail:
        trail = " › ".join(f'<a class="keep-filters" href="../{escape(f)}overview.html">{escape(n)}</a>'
                           for n, f in view.trail)
        bar = (f'<nav class="areas" aria-label="{escape(texts.AREA)}">{escape(texts.UNIT_AREA.format(area=""))}'
               f'<span class="area-trail">{trail}</span></nav>')
    # the unit's name and description are filled per unit (NUL: no HTML text, so no name can fake a placeholder)
    html = shell.page(None, "\x00body\x00", wh.years, wh.types, footer, with_plotly=True, area_bar=bar,
                      area_name=view.name, assets="../", heading=("\x00title\x00", "\x00help\x00"), links=prefix)
    head, tail = html.split("\x00body\x00", 1)
    return head, tail


# ---------------------------------------------------------------- the body


@dataclass
class _Context:
    """What every unit page of a build shares: the site's years, the setting, the figures table's rows, and the
    texts every page repeats, escaped once."""

    years: list[int]
    min_cases: int
    rows: list
    csv: dict[str, list[tuple]]  # chart -> rows of every unit: (year, type, series, unit, value)
    county_cells: dict = field(default_factory=dict)  # (area, year) -> the area's rate cells
    rate_names: tuple[str, ...] = tuple(escape(rate.name) for rate in RATES)
    note: str = f'<p class="note">{escape(texts.UNIT_PAGE_NOTE)}</p>'
    # a few rows each: not sorted (no sort arrows taking a phone's width), not searched
    history_head: str = ("<thead><tr>" + "".join(f'<th data-sort-method="none">{escape(h)}</th>' for h in (
        texts.YEAR, texts.STATUS, texts.FIRST_RECEIVED, texts.TIMELINESS)) +
        f'<th class="num" data-sort-method="none">{escape(texts.FINDINGS)}</th></tr></thead>')
    files_head: str = ("<thead><tr>" + "".join(f'<th data-sort-method="none">{escape(h)}</th>' for h in (
        texts.RECEIVED_AT, texts.FILE, texts.STATUS)) +
        f'<th class="num" data-sort-method="none">{escape(texts.FINDINGS_COUNT)}</th></tr></thead>')


def _body(ctx: _Context, g: _Grouped, view: AreaView, code: str, name: str, kind: str, slug: str,
          label: str) -> str:
    status = g.status.get(code, {})
    files = g.files.get(code, [])
    figures = g.figures.get(code, {})
    cells = g.cells.get(code, {})
    years = sorted({*status, *figures, *(f["report_year"] for f in files if f["report_year"] is not None)})
    parts = [STYLE, ctx.note, _history(ctx, status, files, g, years)]
    for year in ctx.years:
        parts.append(_year_block(ctx, g, view, code, year, status.get(year),
                                 [f for f in files if f["report_year"] == year], figures.get(year)))
    parts.append(_figures_table(ctx, cells, figures, years))
    parts.append(_charts(ctx, view, figures, cells, years, kind, label))
    return f'<div class="unit-page" data-unit="{escape(code)}" data-unit-name="{escape(name)}">{"".join(parts)}</div>'


def _history(ctx: _Context, status: dict, files: list[dict], g: _Grouped, years: list[int]) -> str:
    """Every year of the unit, newest first: status, timeliness, first report, findings of the file that stands."""
    if not years:
        return shell.block(texts.UNIT_HISTORY, f'<p class="note">{escape(texts.NO_DATA)}</p>', "unit-history")
    body = []
    for year in reversed(years):
        r = status.get(year)
        n = sum(g.counts.get(f["submission_id"], 0) for f in files if f["report_year"] == year and f["stands"])
        if r is None:  # not expected that year, yet a file came
            state, received, timely, css, code = "", texts.DASH, texts.DASH, "", ""
        else:
            state, code = _status(r["status"]), escape(str(r["status"]))
            received = r["first_received_at_text"] or texts.DASH
            timely, css = timeliness(r["on_time"], r["first_accepted_at"], r["backfilled"])
        body.append(f'<tr data-year="{year}" data-status="{code}"><td class="num">{year}</td><td>{state}</td>'
                    f'<td>{received}</td><td class="{css}">{escape(timely)}</td>'
                    f'<td class="num">{n}</td></tr>')
    return shell.block(texts.UNIT_HISTORY, f'<table class="no-search">{ctx.history_head}<tbody>{"".join(body)}'
                                           "</tbody></table>", "unit-history")


def _raw(v: float | None) -> str:
    return "" if v is None else f"{v:.10g}"


_STATUS: dict = {}


def _status(code) -> str:
    """shell.status_html, once per status."""
    if code not in _STATUS:
        _STATUS[code] = shell.status_html(code)
    return _STATUS[code]


def _rate_cell(ind: Indicators | None, rate, scope: str, min_cases: int) -> str:
    """A rate as the site shows one (shell.fmt_rate: over fewer than ``min_cases`` cases its two figures, never a
    bare 100%), its two figures under it, the raw figures in data-*."""
    if ind is None:
        return f'<td class="num" data-rate="{rate.key}" data-scope="{scope}">{texts.DASH}</td>'
    num, den = getattr(ind, rate.num), getattr(ind, rate.den)
    value = None if num is None or not den else num / den
    text, few = shell.fmt_rate(num, den, min_cases)  # figures, %, ÷ and —: nothing to escape
    under = texts.TOO_FEW_CASES.format(n=min_cases) if few == "few" else texts.PARTS.format(
        num=shell.fmt_int(num), den=shell.fmt_int(den))
    return (f'<td class="num" data-rate="{rate.key}" data-scope="{scope}" data-num="{_raw(num)}" '
            f'data-den="{_raw(den)}" data-value="{_raw(value)}">{text}<span class="parts">{under}</span></td>')


def _year_block(ctx: _Context, g: _Grouped, view: AreaView, code: str, year: int, status: dict | None,
                files: list[dict], ind: Indicators | None) -> str:
    title = texts.UNIT_YEAR.format(year=year)
    attrs = f' id="year-{year}" data-year="{year}"'
    if status is None and not files and ind is None:
        return (f'<section class="block filtered"{attrs}><h2>{escape(title)}</h2>'
                f'<p class="note">{escape(texts.UNIT_YEAR_NONE)}</p></section>')
    out = []
    if status is not None:
        timely, css = timeliness(status["on_time"], status["first_accepted_at"], status["backfilled"])
        deadline = status["deadline_text"] or texts.DASH
        out.append(f'<p class="year-status">{escape(texts.STATUS)}：{_status(status["status"])}　'
                   f'{escape(texts.TIMELINESS)}：<span class="{css}">{escape(timely)}</span>'
                   f'{escape(texts.DEADLINE_OF.format(deadline=deadline))}</p>')
    # the rates, the unit's beside its area's
    county = view.county.get(year)
    key = (view.code, year)
    if key not in ctx.county_cells:  # the same for every unit of the area
        ctx.county_cells[key] = [_rate_cell(county, rate, "county", ctx.min_cases) for rate in RATES]
    rows = "".join(f"<tr><th>{ctx.rate_names[i]}</th>{_rate_cell(ind, rate, 'unit', ctx.min_cases)}"
                   f"{ctx.county_cells[key][i]}</tr>" for i, rate in enumerate(RATES))
    out.append(f"<h3>{escape(texts.UNIT_RATES.format(whole=view.whole))}</h3>")
    if ind is None:
        out.append(f'<p class="note">{escape(texts.NOT_COUNTED)}</p>')
    whole = texts.COUNTY_SCOPE.format(whole=view.whole)
    out.append(f'<table class="unit-rates no-search"><thead><tr><th data-sort-method="none">{escape(texts.INDICATOR)}'
               f'</th><th class="num" data-sort-method="none">{escape(texts.THIS_UNIT)}</th>'
               f'<th class="num" data-sort-method="none">{escape(whole)}</th></tr></thead><tbody>{rows}</tbody>'
               f'</table><p class="note">{escape(texts.UNIT_RATES_NOTE.format(whole=view.whole))}</p>')
    out.append(f"<h3>{escape(texts.UNIT_FILES)}</h3>")
    out.append(_files(ctx, g, files) if files else f'<p class="note">{escape(texts.UNIT_FILES_NONE)}</p>')
    standing = next((f for f in files if f["stands"]), None)
    if standing is not None:
        out.append(_findings(g, standing, view, code, year))
    return f'<section class="block filtered"{attrs}><h2>{escape(title)}</h2>{"".join(out)}</section>'


def _files(ctx: _Context, g: _Grouped, files: list[dict]) -> str:
    body = []
    for f in files:
        sid = f["submission_id"]
        tags = f'<span class="tag current">{escape(texts.CURRENT)}</span>' if f["is_current"] else ""
        tags += (f'<span class="tag stands">{escape(texts.STANDS)}</span>' if f["stands"] else
                 f'<span class="tag superseded">{escape(texts.SUPERSEDED)}</span>')
        n = int(g.counts.get(sid, 0))
        body.append(f'<tr data-submission="{escape(str(sid))}" data-stands="{"1" if f["stands"] else ""}" '
                    f'data-current="{"1" if f["is_current"] else ""}" data-findings="{n}">'
                    f'<td class="when">{f["received_at_text"] or texts.DASH}</td>'
                    f'<td class="file">{escape(str(f["source_file"] or ""))}</td>'
                    f'<td>{_status(f["status"])}<br>{tags}</td><td class="num">{n}</td></tr>')
    return f'<table class="unit-files no-search">{ctx.files_head}<tbody>{"".join(body)}</tbody></table>'


def _rule_label(rule) -> str:
    r = RULES.get(rule)
    return f"{rule} {r.name_zh}" if r else str(rule)


def _place(version, section, row_code) -> tuple[tuple, str]:
    """A finding's row of the form: (order key, name) — the tables in the form's order, then the parts of the
    text, then what has no place (a late report)."""
    if section in NARRATIVE_PARTS:
        return (1, NARRATIVE_PARTS[section], 0), part_name(section)
    try:
        fmt = FORMATS[str(version)]
        sec = fmt.section(section)
        index = [r.code for r in sec.rows].index(row_code)
        return (0, [s.code for s in fmt.sections].index(section), index), sec.describe(row_code)
    except (KeyError, ValueError, TypeError):
        if section is None and row_code is None:
            return (2, 0, 0), texts.OTHER_PLACES
        return (1, 99, 0), " ".join(str(p) for p in (section, row_code) if p is not None)


def _findings(g: _Grouped, standing: dict, view: AreaView, code: str, year: int) -> str:
    """The findings of the file that stands, grouped by row of the form, errors first (the rows with an error, then
    those with a warning, each in the form's order; within a row, errors, warnings, notices)."""
    found = g.findings.get(standing["submission_id"], [])
    file = str(standing["source_file"] or "")
    if not found:
        return f'<p class="note">{escape(texts.UNIT_FINDINGS_NONE)}</p>'
    groups: dict[tuple, tuple[str, list[dict]]] = {}
    for f in found:
        key, place = _place(standing["format_version"], f["section"], f["row_code"])
        groups.setdefault(key, (place, []))[1].append(f)
    worst = {k: min(SEVERITY_RANK.get(f["severity"], 9) for f in fs) for k, (_, fs) in groups.items()}
    out = [f'<h3>{escape(texts.UNIT_FINDINGS.format(file=file, n=len(found)))}</h3>']
    for key in sorted(groups, key=lambda k: (worst[k], k)):
        place, fs = groups[key]
        fs = sorted(fs, key=lambda f: (SEVERITY_RANK.get(f["severity"], 9), str(f["rule"]), str(f["column_code"])))
        items = []
        for f in fs:
            where = []
            if f["column_code"] and f["section"] not in NARRATIVE_PARTS:
                try:
                    where.append(FORMATS[str(standing["format_version"])].section(f["section"]).describe(
                        f["row_code"], f["column_code"]))
                except (KeyError, TypeError):
                    where.append(str(f["column_code"]))
            if f["cell"]:
                where.append(f"{texts.CELL} {f['cell']}")
            if f["expected"] is not None or f["actual"] is not None:
                where.append(texts.FINDING_VALUES.format(expected=shell.fmt_num(f["expected"]),
                                                         actual=shell.fmt_num(f["actual"])))
            severity = str(f["severity"])
            items.append(
                f'<li data-severity="{escape(severity)}"><span class="sev-{escape(severity)}">'
                f"{escape(SEVERITY_ZH.get(severity, severity))}</span> {escape(_rule_label(f['rule']))}："
                f"{escape(str(f['message'] or ''))}"
                + (f'<span class="where">{escape(texts.FINDING_AT.format(where="；".join(where)))}</span>' if where else "")
                + "</li>")
        out.append(f'<div class="finding-group"><h4>{escape(place)}</h4><ul class="findings">{"".join(items)}</ul></div>')
    anchor = shell.findings_anchor(code, year)
    out.append(f'<p><a href="../{escape(view.folder)}quality.html?year={year}&amp;type=all#{anchor}">'
               f"{escape(texts.UNIT_FINDINGS_QUALITY)}</a></p>")
    return "".join(out)


def _figures_table(ctx: _Context, cells: dict, figures: dict, years: list[int]) -> str:
    if not years:
        return ""
    none = ' data-sort-method="none"'
    head = f"<th{none}>{escape(texts.FIGURE)}</th>" + "".join(f'<th class="num"{none}>{y}</th>' for y in years)
    body = []
    span = len(years) + 1
    for group, rows in ctx.rows:
        shown = [(k, opening) for k, opening in rows if any((k, y) in cells for y in years)]
        if not shown:
            continue
        body.append(f'<tr class="group"><th colspan="{span}">{group}</th></tr>')
        for key, opening in shown:
            body.append(opening + "".join(f'<td class="num">{shell.fmt_int(cells.get((key, y)))}</td>'
                                          for y in years) + "</tr>")
    body.append(f'<tr class="group"><th colspan="{span}">{escape(texts.GROUP_RATES)}</th></tr>')
    for rate in RATES:
        values = []
        for y in years:
            ind = figures.get(y)
            num, den = (None, None) if ind is None else (getattr(ind, rate.num), getattr(ind, rate.den))
            values.append(escape(shell.fmt_rate(num, den, ctx.min_cases)[0]))
        body.append(f'<tr data-figure="{escape(rate.name)}"><td class="label">{escape(rate.name)}</td>'
                    + "".join(f'<td class="num">{v}</td>' for v in values) + "</tr>")
    return shell.block(texts.UNIT_FIGURES, f'<table class="unit-figures no-search"><thead><tr>{head}</tr></thead>'
                                           f'<tbody>{"".join(body)}</tbody></table>'
                                           f'<p class="note">{escape(texts.UNIT_FIGURES_NOTE)}</p>', "unit-figures")


# ---------------------------------------------------------------- charts


def _json(obj) -> str:
    """JSON inside a <script>: no ``</script>`` or ``<!--`` can form, whatever the texts."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _layout(percent: bool) -> dict:
    """A unit chart's layout: charts.py's conventions (fonts, separators, legend on top), a numeric year axis."""
    return {
        "separators": ".,", "font": {"family": charts.FONT, "size": 13}, "barmode": "group", "height": CHART_HEIGHT,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "traceorder": "normal"},
        "xaxis": {"automargin": True, "type": "linear", "tickformat": "d", "dtick": 1},
        "yaxis": {"title": {"text": texts.RATE_AXIS if percent else texts.COUNT_AXIS},
                  "tickformat": ".0%" if percent else ",~f", "rangemode": "tozero", "automargin": True,
                  "gridcolor": "#e4e7eb"},
        "hoverlabel": {"font": {"family": charts.FONT}}, "plot_bgcolor": "#fff",
    }


LAYOUTS = {percent: _json(_layout(percent)) for percent in (False, True)}
CONFIG = _json(charts.CONFIG)


def _chart(ctx: _Context, chart_id: str, title: str, series: list[tuple[str, dict[int, float | None]]],
           years: list[int], kind: str, unit_type_zh: str, label: str, percent: bool = False, note: str = "") -> str:
    """One chart of the unit over the years (a Plotly figure as charts.py draws one: bars or lines on a numeric
    year axis, so a gap between report years shows); its rows go to the chart's CSV of every unit,
    ``units/units-<chart_id>.csv`` (the site's CSV columns, 类别 the unit: one CSV, not two files per unit — a file
    costs more to create than its bytes to write)."""
    rows = [(y, unit_type_zh, s, label, v) for s, values in series for y in years if (v := values.get(y)) is not None]
    ctx.csv[chart_id].extend(rows)
    csv_name = f"{UNITS_FOLDER}-{chart_id}.csv"
    download = (f'<p class="download"><a href="{csv_name}" download>{escape(texts.DOWNLOAD_CSV)}</a>'
                f'<span class="note">{escape(texts.UNIT_CSV_NOTE)}</span></p>')
    extra = f'<p class="note">{escape(note)}</p>' if note else ""
    if not rows:
        return shell.block(title, f'<p class="note">{escape(texts.NO_DATA)}</p>{extra}', f"chart-{chart_id}", download)
    span = list(range(min(years), max(years) + 1))
    fmt = ".1%" if percent else ",.0f"
    traces = []
    for s, values in series:
        name = escape(s, quote=False)  # Plotly reads a subset of HTML in texts
        trace = {"name": name, "x": span, "y": [values.get(y) for y in span],
                 "hovertemplate": f"%{{x}}<br>{name}：%{{y:{fmt}}}<extra></extra>"}
        trace |= ({"type": "scatter", "mode": "lines+markers", "connectgaps": False} if kind == "line" else
                  {"type": "bar"})
        traces.append(trace)
    div = f"unit-{chart_id}"
    figure = (f'<div id="{div}" class="plotly-graph-div" style="height:{CHART_HEIGHT}px; width:100%;"></div>'
              f'<script>if (window.Plotly) Plotly.newPlot("{div}", {_json(traces)}, {LAYOUTS[percent]}, '
              f"{CONFIG});</script>")
    return shell.block(title, figure + extra, f"chart-{chart_id}", download)


def _charts(ctx: _Context, view: AreaView, figures: dict, cells: dict, years: list[int], kind: str,
            label: str) -> str:
    """Two scales, two charts: the requests (new, concluded, carried forward) of its counted reports, and its
    实质公开率 beside its area's (the reconsideration and litigation cases, a handful, are in the table)."""
    counted = [y for y in years if y in figures]
    requests = [(k, {y: cells.get((k, y), 0.0) for y in counted})
                for k in (texts.NEW_REQUESTS, texts.CONCLUDED, texts.CARRIED_FORWARD)]
    unit = {y: figures[y].disclosure_rate for y in counted}
    county = {y: (c.disclosure_rate if (c := view.county.get(y)) is not None else None) for y in years}
    rates = [(texts.THIS_UNIT, unit), (texts.COUNTY_SCOPE.format(whole=view.whole), county)]
    return (
        _chart(ctx, "requests", texts.CHART_UNIT_REQUESTS, requests, counted, "bar", kind, label)
        + _chart(ctx, "rates", texts.CHART_UNIT_RATES.format(whole=view.whole), rates, years, "line", kind, label,
                 percent=True, note=f"{texts.DISCLOSURE_RATE} = {texts.DISCLOSURE_RATE_HELP}")
    )
