"""总览: the county's indicators for a year against the previous year, and its proactive disclosure counts.

全部 (every unit type) shows the county's figures as the warehouse defines them once, ``county_totals`` scope
``units`` (不含本级: what ``countystats export`` writes), the county government's own report (本级, scope ``own``)
on a line of its own, and what the figures cover (``county_coverage``, in the export's own sentences). A filter to one
unit type shows that type's units, under a heading that says so. Every figure a tile shows is also in its
``data-value`` (rates: ``data-num`` ÷ ``data-den``), so a test or a script reads the page's numbers, not its text.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from dashboards import areas, charts, shell, texts
from dashboards.data import ALL, Indicators, Warehouse, county_indicators, indicators, measure_name, scope
from transforms.format import COUNTED, FORMATS, JIAN, UNIT_TYPE_ZH, for_year, ordered
from transforms.writing.export import coverage_lines

# counts only (件): 万元 amounts and the 2019 项/增减 measures would share an axis with them otherwise
COUNT_CELLS = [
    (fmt.version, row, col)
    for fmt in ordered(newest_first=True)
    for row, col in fmt.section("proactive").cells()
    if (m := fmt.section("proactive").measure(row, col)).unit == JIAN and not m.decimal and not m.signed
]


class Kpi:
    """One tile: its name, help text, value, and for a rate the two figures it divides (``key``: its wording when
    there are no cases, texts.RATE_NONE)."""

    def __init__(self, name: str, help_text: str, value, parts=None, key: str = ""):
        self.name, self.help, self.value, self.parts, self.key = name, help_text, value, parts, key
        self.fmt = shell.fmt_pct if parts else shell.fmt_int

    def shown(self, ind: Indicators | None, min_cases: int) -> tuple[str, str]:
        """(text, kind) of the tile's figure: a count, or a rate as shell.fmt_rate shows it — never 100.0% over a
        case or two, —（无办结件） where there are none."""
        if not self.parts:
            return shell.fmt_int(None if ind is None else self.value(ind)), ""
        if ind is None:
            return texts.DASH, "none"
        num, den = self.parts(ind)
        return shell.fmt_rate(num, den, min_cases, texts.RATE_NONE[self.key])


KPIS = [
    Kpi(texts.NEW_REQUESTS, "", lambda i: i.new_requests),
    Kpi(texts.DISCLOSURE_RATE, texts.DISCLOSURE_RATE_HELP, lambda i: i.disclosure_rate,
        lambda i: (i.granted, i.concluded), "disclosure"),
    Kpi(texts.CORRECTION_RATE, texts.CORRECTION_RATE_HELP, lambda i: i.correction_rate,
        lambda i: (i.corrected, i.reviewed), "correction"),
    Kpi(texts.DISPUTE_RATE, texts.DISPUTE_RATE_HELP, lambda i: i.dispute_rate,
        lambda i: (i.disputes, i.new_requests), "dispute"),
]


def build(wh: Warehouse, out_dir: Path) -> str:
    kpis = {(y, t): _kpis(wh, y, t) for y, t in wh.variants()}
    # one small chart per measure (规章 and 行政许可 differ a thousandfold), this year dark, last year light
    chart = charts.Chart(
        id="proactive-counts", title=texts.CHART_PROACTIVE_COUNTS, rows=lambda y, t: _counts(wh, y, t),
        barmode="group", note=f"{texts.COUNTS_NOTE}{texts.COUNTY_NOTE.format(whole=wh.whole)}", facet="category",
        colors=lambda y, t: {texts.THIS_YEAR.format(year=y): shell.NEUTRAL[0],
                             texts.THIS_YEAR.format(year=y - 1): "#9fb3c8"},
        aggregate=True, whole=texts.WHOLE_SCOPE.format(whole=wh.whole),
    )
    return shell.block(texts.KPIS, shell.variants(kpis), "kpis") + charts.render(
        chart, "overview", wh.variants(), out_dir
    ) + _comparison(wh)


def _comparison(wh: Warehouse) -> str:
    """Many counties: the area's children side by side (its counties or cities, a county's units), every year."""
    if wh.tree is None or wh.comparison is None:
        return ""
    tables = {year: areas.comparison_table(wh.comparison, wh.tree, wh.area, year) for year in wh.years}
    title = texts.COMPARISON if wh.tree.children(wh.area) else texts.COMPARISON_UNITS
    note = f'<p class="note">{escape(texts.COMPARISON_NOTE)}</p>'
    return shell.block(title, shell.variants({(y, t): tables[y] for y, t in wh.variants()}) + note, "comparison")


def _kpis(wh: Warehouse, year: int, unit_type: str) -> str:
    cur, prev = indicators(wh, year, unit_type), indicators(wh, year - 1, unit_type)
    if unit_type == ALL:
        heading = texts.SCOPE_COUNTY.format(whole=wh.whole, own=wh.own_name)
    else:
        heading = texts.SCOPE_TYPE.format(kind=UNIT_TYPE_ZH.get(unit_type, unit_type), whole=wh.whole)
    tiles = []
    for kpi in KPIS:
        now, before = _get(cur, kpi.value), _get(prev, kpi.value)
        (text, kind), (prev_text, prev_kind) = kpi.shown(cur, wh.min_cases), kpi.shown(prev, wh.min_cases)
        parts = ""
        attrs = f' data-kpi="{escape(kpi.name)}" data-value="{_raw(now)}" data-prev="{_raw(before)}"'
        if kpi.parts and cur is not None:
            num, den = kpi.parts(cur)
            attrs += f' data-num="{_raw(num)}" data-den="{_raw(den)}"'
            line = (texts.RATE_FEW.format(n=wh.min_cases) if kind == "few"
                    else texts.PARTS.format(num=shell.fmt_int(num), den=shell.fmt_int(den)))
            parts = f'<div class="parts">{escape(line)}</div>'
        # a change between two rates only where both are rates (not —, not the figures of a case or two)
        change = _change(now, before, kpi.fmt) if not kind and not prev_kind else texts.DASH
        tiles.append(
            f'<div class="kpi"><div class="name">{escape(kpi.name)}</div>'
            f'<div class="value{" " + kind if kind else ""}"{attrs}>{escape(text)}</div>{parts}'
            f'<div class="prev">{escape(texts.PREVIOUS_YEAR.format(year=year - 1))}：{escape(prev_text)}'
            f"　{escape(texts.CHANGE)}：{escape(change)}</div>"
            f'<div class="note">{escape(kpi.help)}</div></div>'
        )
    body = f'<h3 class="kpi-scope">{escape(heading)}</h3><div class="kpis">{"".join(tiles)}</div>'
    if unit_type == ALL:
        return body + _coverage(coverage_lines(for_year(year), year, wh.coverage.get(year), wh.unmapped.get(year, []),
                                               wh.own_name, area_type=wh.area_type)) + _own(wh, year)
    return body + _coverage(_type_coverage(wh, year, unit_type)) + _mixed_note(wh, year, unit_type)


def _raw(v: float | None) -> str:
    """A figure for a data attribute: plain digits (no separators), empty where there is none."""
    return "" if v is None else f"{v:.10g}"


def _coverage(lines: list[str]) -> str:
    return '<ul class="coverage">' + "".join(f"<li>{escape(line.strip())}</li>" for line in lines) + "</ul>"


def _type_coverage(wh: Warehouse, year: int, unit_type: str) -> list[str]:
    """The coverage of one unit type's figures, in the export's wording: the county's coverage sentences
    (coverage_lines, ``whole_county=False``) for that type's units from ``completeness``."""
    comp = scope(wh.completeness, year, unit_type).sort_values("unit_code")

    def names(status: str) -> list[str]:
        return [str(n) for n in comp.loc[comp["status"] == status, "unit_name"]]

    row = (len(comp), int(comp["status"].isin(COUNTED).sum()), names("missing"), names("needs_review"),
           names("returned"), names("rejected"), False, [])
    return coverage_lines(for_year(year), year, row, [], wh.own_name, whole_county=False)


def _own(wh: Warehouse, year: int) -> str:
    """The county government's own report (本级), apart: county_totals scope ``own``."""
    own = county_indicators(wh, year, "own")
    head = escape(texts.OWN_LINE.format(own=wh.own_name))
    if own is None:
        return f'<p class="own" data-own="">{head}{escape(texts.OWN_NONE)}</p>'
    items = "；".join(
        f'<span data-own-kpi="{escape(k.name)}" data-value="{_raw(k.value(own))}">'
        f"{escape(k.name)} {escape(k.shown(own, wh.min_cases)[0])}</span>"
        for k in KPIS
    )
    return f'<p class="own" data-own="">{head}{items}</p>'


def _get(ind: Indicators | None, get) -> float | None:
    return None if ind is None else get(ind)


def _change(now: float | None, before: float | None, fmt) -> str:
    if now is None or before is None:
        return texts.DASH
    diff = now - before
    if fmt is shell.fmt_pct:  # rates change in percentage points, not percent
        return texts.PERCENT_POINTS.format(diff=diff * 100)
    return f"{diff:+,.0f}"


def _mixed_note(wh: Warehouse, year: int, unit_type: str) -> str:
    df = scope(wh.proactive, year, unit_type)
    per_format = df.groupby("format_version")["unit_code"].nunique()
    if len(per_format) < 2:
        return ""
    minority = per_format.idxmin()
    return f'<p class="note">{escape(texts.MIXED_FORMATS.format(n=int(per_format.min()), notice=FORMATS[minority].notice))}</p>'


def _counts(wh: Warehouse, year: int, unit_type: str) -> pd.DataFrame:
    if unit_type == ALL:  # the county's figures, in the format of each year (county_totals, 不含本级)
        frames = [{(r, c): v for (s, r, c), v in wh.county.get((y, "units"), {}).items() if s == "proactive"}
                  for y in (year, year - 1)]
        versions = {wh.county_format.get(year)}
    else:
        frames = []
        for label_year in (year, year - 1):
            df = scope(wh.proactive, label_year, unit_type)
            sums = df.groupby(["format_version", "row_code", "measure_code"])["value"].sum()
            frames.append({(r, c): v for (_, r, c), v in sums.items()})
        versions = {v for v, _, _ in COUNT_CELLS}
    current, previous = frames
    rows, seen = [], set()
    for version, row, col in COUNT_CELLS:
        # same codes = same measure; a category exists only where this year reported it (no cross-format series)
        if version not in versions or (row, col) not in current or (row, col) in seen:
            continue
        seen.add((row, col))
        name = measure_name(version, row, col)
        rows.append((texts.THIS_YEAR.format(year=year), name, current[(row, col)]))
        if (row, col) in previous:
            rows.append((texts.THIS_YEAR.format(year=year - 1), name, previous[(row, col)]))
    return pd.DataFrame(rows, columns=["series", "category", "value"])
