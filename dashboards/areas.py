"""Many counties: one site of pages per area, an area bar on every page, and the comparison of an area's children.

A deployment of many counties (the warehouse's ``areas``) gets the whole set of pages for every area — the top
area's in the output folder, every other area's in ``<area_code>/`` under it — each with the figures of its area
(``area_totals``, ``area_coverage``) and of the units under it. Every page carries the area bar: the way up
(省 › 市 › 县, each a link to the same page of that area) and the areas under it (drill-down), filters kept. The
overview compares the children: a city's counties, a province's cities, a county's units — requests received, 实质
公开率, requests not concluded (结转下年度继续办理), 复议纠错率, how many units reported, count and were late — so
the office sees at a glance which county lags. A warehouse of one county (the implicit area ``''``) has one site, as before.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from dashboards import shell, texts
from dashboards.data import Area, Tree, tree_of  # noqa: F401 (the tree is data; its pages are here)
from transforms.format import COUNTED, TOTAL, sql_list

# what the comparison shows: (section, row, column) of each figure it adds up
NEW = ("requests", "new_received", TOTAL)
GRANTED = (("requests", "granted", TOTAL), ("requests", "partly_granted", TOTAL))
CONCLUDED = ("requests", "concluded_total", TOTAL)
NOT_CONCLUDED = ("requests", "carried_forward", TOTAL)
RECONSIDERED = ("review_litigation", "reconsideration", TOTAL)
RECON_PENDING = ("review_litigation", "reconsideration", "pending")
CORRECTED = ("review_litigation", "reconsideration", "corrected")
FIGURES = {"new": (NEW,), "granted": GRANTED, "concluded": (CONCLUDED,), "not_concluded": (NOT_CONCLUDED,),
           "reconsidered": (RECONSIDERED,), "recon_pending": (RECON_PENDING,), "corrected": (CORRECTED,)}


def nav(tree: Tree, code: str, page_id: str) -> str:
    """The area bar: the way up to the top (each a link to the same page there) and the areas under this one."""
    trail = []
    for a in tree.path(code):
        label = escape(a.name)
        trail.append(f"<strong>{label}</strong>" if a.code == code else
                     f'<a class="keep-filters" href="{escape(tree.href(code, a.code, f"{page_id}.html"))}">{label}</a>')
    under = "".join(
        f'<a class="keep-filters area-child" data-area="{escape(a.code)}" '
        f'href="{escape(tree.href(code, a.code, f"{page_id}.html"))}">{escape(a.name)}</a>'
        for a in tree.children(code))
    down = f'<span class="area-children">{escape(texts.AREA_CHILDREN)}：{under}</span>' if under else ""
    return (f'<nav class="areas" aria-label="{escape(texts.AREA)}">{escape(texts.AREA)}：'
            f'<span class="area-trail">{" › ".join(trail)}</span>{down}{_select(tree, code, page_id)}</nav>')


def _select(tree: Tree, code: str, page_id: str) -> str:
    """Any area at once (a province has a hundred counties): the same page there, the filters kept."""
    options = "".join(
        f'<option value="{escape(tree.href(code, a.code, f"{page_id}.html"))}"{" selected" if a.code == code else ""}>'
        f'{"　" * (len(tree.path(a.code)) - 1)}{escape(a.name)}</option>'
        for a in _tree_order(tree))
    return (f'<select class="area-select" aria-label="{escape(texts.AREA_SELECT)}" '
            f'onchange="location.href = this.value + location.search">{options}</select>')


def _tree_order(tree: Tree) -> list[Area]:
    """Every area, each followed by the areas under it."""
    out: list[Area] = []
    todo = [tree.areas[tree.top]] + [a for a in tree.areas.values() if a.parent is None and a.code != tree.top]
    while todo:
        area = todo.pop(0)
        out.append(area)
        todo[:0] = tree.children(area.code)
    return out


def comparison_data(con) -> dict[str, pd.DataFrame]:
    """What every area's comparison needs, in one pass: the figures of every area (``area_totals``, 含本级: all the
    reports under it) and of every unit (``counted_values``: its own counted reports), and how many units count
    (``area_coverage``, ``completeness``)."""
    sums = ", ".join(
        f"sum(value) FILTER (WHERE {' OR '.join(_is(k) for k in keys)})::DOUBLE AS {name}"
        for name, keys in FIGURES.items())
    counted = sql_list(COUNTED)
    return {
        "areas": con.execute(f"SELECT area_code AS child, report_year, {sums} FROM area_totals WHERE scope = 'all' "
                             "GROUP BY ALL").df(),
        "units": con.execute(f"SELECT unit_code AS child, report_year, {sums} FROM counted_values GROUP BY ALL").df(),
        # completeness rolled up: a child area's units (its own government apart), or a unit itself
        "areas_cover": con.execute("SELECT area_code AS child, report_year, units_expected AS expected, "
                                   "units_reported AS reported, units_counted AS counted, late "
                                   "FROM area_completeness").df(),
        "units_cover": con.execute(f"SELECT unit_code AS child, area_code, report_year, count(*) AS expected, "
                                   "count(*) FILTER (WHERE status <> 'missing') AS reported, "
                                   f"count(*) FILTER (WHERE status IN {counted}) AS counted, "
                                   f"count(*) FILTER (WHERE status IN {counted} AND NOT on_time) AS late "
                                   "FROM completeness GROUP BY ALL").df(),
        "names": con.execute("SELECT unit_code AS child, unit_name AS name FROM units").df(),
    }


def comparison_rows(data: dict[str, pd.DataFrame], tree: Tree, code: str) -> pd.DataFrame:
    """Per child of the area and year — its counties or cities, or a county's units — the figures compared."""
    children = tree.children(code)
    if children:
        codes = [a.code for a in children]
        cover = data["areas_cover"][data["areas_cover"]["child"].isin(codes)]
        figures = data["areas"][data["areas"]["child"].isin(codes)]
        names = pd.DataFrame({"child": codes, "name": [a.name for a in children], "kind": "area"})
    else:
        cover = data["units_cover"][data["units_cover"]["area_code"] == code].drop(columns="area_code")
        figures = data["units"][data["units"]["child"].isin(cover["child"])]
        names = data["names"].assign(kind="unit")
    rows = cover.merge(figures, on=["child", "report_year"], how="left").merge(names, on="child", how="left")
    rows["report_year"] = rows["report_year"].astype(int)
    return rows


def _is(key: tuple[str, str, str]) -> str:
    section, row, column = key
    return f"(section = '{section}' AND row_code = '{row}' AND column_code = '{column}')"


def comparison_table(rows: pd.DataFrame, tree: Tree, code: str, year: int) -> str:
    """The children of one year, those with the most requests not concluded first (then the lowest 实质公开率)."""
    year_rows = rows[rows["report_year"] == year].copy()
    if year_rows.empty:
        return f'<p class="note">{escape(texts.NO_DATA)}</p>'
    year_rows["rate"] = [None if not c or c != c else g / c for g, c in zip(year_rows["granted"],
                                                                             year_rows["concluded"], strict=True)]
    year_rows["correction"] = [None if r != r or p != p or not (r - p) else k / (r - p) for r, p, k in zip(
        year_rows["reconsidered"], year_rows["recon_pending"], year_rows["corrected"], strict=True)]
    year_rows = year_rows.sort_values(["not_concluded", "rate", "name"], ascending=[False, True, True],
                                      na_position="last")
    head = "".join(f'<th class="num">{escape(t)}</th>' if i else f"<th>{escape(t)}</th>"
                   for i, t in enumerate(texts.COMPARISON_COLUMNS))
    body = []
    for r in year_rows.itertuples(index=False):
        if r.kind == "area":
            name = f'<a class="keep-filters" href="{escape(tree.href(code, r.child, "overview.html"))}">{escape(r.name)}</a>'
        else:
            name = getattr(r, "link", "") or escape(str(r.name))  # the unit's page (build.py: pages.common.unit_link)
        cells = [shell.fmt_int(_num(r.new)), shell.fmt_pct(r.rate), shell.fmt_int(_num(r.not_concluded)),
                 shell.fmt_pct(r.correction), f"{int(r.reported)}/{int(r.expected)}", shell.fmt_int(r.counted),
                 shell.fmt_int(r.late)]
        figures = f' data-new="{_raw(r.new)}" data-not-concluded="{_raw(r.not_concluded)}" data-counted="{int(r.counted)}"'
        body.append(f'<tr data-child="{escape(str(r.child))}"{figures}><td>{name}</td>'
                    + "".join(f'<td class="num">{escape(c)}</td>' for c in cells) + "</tr>")
    return f'<table class="comparison"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _num(v) -> float | None:
    return None if v is None or v != v else float(v)


def _raw(v) -> str:
    """A figure as a test or a script reads it from the row (data-*): the number, or empty for none."""
    n = _num(v)
    return "" if n is None else f"{n:g}"
