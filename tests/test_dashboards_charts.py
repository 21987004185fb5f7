"""The charts and tables as a county office head reads them (issue 18), in real headless Chromium at a desk
(1366×768) and on a phone (390×844).

Charts: measures of different scale never share an axis (read from every figure's JSON: per axis, the largest
values of the series side by side are at most ``charts.SCALE_RATIO`` apart), every value axis names its unit, counts
have whole-number ticks (the figures' ``,d`` and the ticks Chromium drew), the outcome colours are the one palette of
``dashboards.shell`` (不予公开 red on every page), a chart's title follows the filters, a trend of one year shows that
year alone, a unit type's overview says so and never shows a bare 100.0% over a handful of cases, and every page
names the county and the time of the data (header, foot, print).

Tables: sorted by clicking a header (numbers as numbers, raw figures from ``data-sort``), searched with a box
(also the tables of a variant, cloned into the page by the filter script); no column narrower than two characters
and no sideways scrolling of the page on a phone; the quality page's findings one row per table row, errors first,
folded per unit-year (its phone page a bounded height per unit-year), a link to them landing below the sticky bar.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from watched import Watched

from countystats.examples.warehouses import HOSTILE_NAME
from dashboards import charts, shell, texts
from dashboards.build import build_dashboards
from dashboards.data import outcome_categories
from transforms.format import SEVERITY_ZH, UNIT_TYPE_ZH

LATEST = 2024
VIEWPORTS = ((1366, 768), (390, 844))
UNITS = ("件", "个", "条", "项", "万元")
COUNTS = ("件", "个", "条", "项")
CHARTED = ("overview", "proactive", "requests", "review", "trends", "completeness", "quality")  # issue 18's pages
WITHHELD = next(name for name, code in shell.outcome_groups().items() if code == "withheld")  # 不予公开, as printed

# every visible cell's content box (width without padding) at least two characters of its font wide
NARROW_CELLS = """() => Array.from(document.querySelectorAll('td, th')).filter(c => {
    if (!c.getClientRects().length || !c.offsetParent) return false;
    const s = getComputedStyle(c);
    return c.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) < 2 * parseFloat(s.fontSize);
}).map(c => c.tagName + ' ' + c.textContent.trim().slice(0, 20))"""
# the tick labels Chromium drew on every axis a live figure declares as counts (tickformat ",d")
COUNT_TICKS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(gd =>
    Object.keys(gd.layout).filter(k => /^[xy]axis\\d*$/.test(k) && gd.layout[k].tickformat === ',d').map(k => {
        const id = k[0] + k.slice(5);
        return [gd.id + ' ' + k, Array.from(gd.querySelectorAll('g.' + id + 'tick text')).map(t => t.textContent)];
    }))"""


# ---------------------------------------------------------------- sites


@pytest.fixture
def site(example_site) -> tuple[Path, Path]:
    """The example warehouse and its site (tests/conftest.py: built once for the modules that only read it)."""
    return example_site


@pytest.fixture(scope="module")
def one_year(tmp_path_factory) -> tuple[Path, Path]:
    """One night, one report year (the fake reader's small county, 示例县): 甲镇 3 and 乙镇 1 request(s) — a township
    total of 4 cases, fewer than the rankings' minimum — 县教育局 40, the county government 20; 甲镇 reports 9,000
    licensing decisions and 1 rule: measures a thousandfold apart."""
    from fake_reading import FAKE, drop

    from countystats import pipeline
    from countystats.examples.small import write_units
    from countystats.settings import Settings

    root = tmp_path_factory.mktemp("one-year")
    settings = Settings(inbox=root / "inbox", db=root / "w.duckdb", out=root / "out", archive=root / "archive",
                        units=write_units(root / "units.csv"), today="2025-02-10")
    drop(settings.inbox, "甲镇.xlsx", "2025-01-05 09:00:00", new=3, carried_over=0, carried_forward=0, licensing=9000,
         figures={"proactive.rules.issued": 1})
    drop(settings.inbox, "乙镇.xlsx", "2025-01-06 09:00:00", unit_code="T02", unit_name="乙镇", new=1, carried_over=0,
         carried_forward=0)
    drop(settings.inbox, "县教育局.xlsx", "2025-01-07 09:00:00", unit_code="D01", unit_name="县教育局",
         unit_type="department", new=40)
    drop(settings.inbox, "示例县人民政府.xlsx", "2025-01-08 09:00:00", unit_code="G00", unit_name="示例县人民政府",
         unit_type="county_government", new=20)
    result = pipeline.run(settings, run_id="night1", **FAKE)
    assert result.dashboards_error is None
    return settings.db, Path(result.dashboards[0]).parent


def pages_of(out: Path) -> list[str]:
    return [p for p in texts.PAGES if (out / f"{p}.html").exists()]


def figures(html: str) -> list[tuple[str, list, dict]]:
    """Every figure of a page, every variant: (div id, data, layout), from the Plotly.newPlot calls."""
    decoder = json.JSONDecoder()
    out = []
    for m in re.finditer(r'Plotly\.newPlot\(\s*"([^"]+)",\s*', html):
        data, end = decoder.raw_decode(html, m.end())
        end += re.match(r"\s*,\s*", html[end:]).end()
        layout, _ = decoder.raw_decode(html, end)
        out.append((m.group(1), data, layout))
    return out


def value_axes(data: list, layout: dict) -> dict[str, list[dict]]:
    """layout key of each value axis (xaxis2, yaxis …) -> the traces drawn against it."""
    axes: dict[str, list[dict]] = {}
    for t in data:
        if t.get("orientation") == "h":
            key = "xaxis" + t.get("xaxis", "x")[1:]
        else:
            key = "yaxis" + t.get("yaxis", "y")[1:]
        axes.setdefault(key, []).append(t)
    return axes


def values_of(trace: dict) -> list[float]:
    return [v for v in (trace["x"] if trace.get("orientation") == "h" else trace["y"]) if v is not None]


def open_page(browser, url: str, width: int = 1366, height: int = 768) -> Watched:
    w = Watched(browser)
    w.page.set_viewport_size({"width": width, "height": height})
    w.open(url)
    return w


# ---------------------------------------------------------------- every page at a desk and on a phone


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_at_a_desk_and_on_a_phone(site, browser):
    """No console error; no column narrower than two characters; on a phone no sideways scrolling of the page (wide
    tables scroll in their own box); count axes drawn with whole numbers only."""
    _, out = site
    for width, height in VIEWPORTS:
        # one tab per width, going from page to page: a new tab starts a renderer that compiles plotly.js (4.7 MB)
        # again, 3× the time of the whole test
        with Watched(browser) as w:
            w.page.set_viewport_size({"width": width, "height": height})
            for page in pages_of(out):
                w.open((out / f"{page}.html").as_uri())
                assert w.errors == [] and w.foreign == [], (page, width, w.errors)
                assert w.page.evaluate(NARROW_CELLS) == [], (page, width)
                if width < 500:
                    overflow = w.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 0, (page, width, overflow)
                for axis, ticks in w.page.evaluate(COUNT_TICKS):
                    numbers = [t.replace(",", "").rstrip("".join(UNITS)) for t in ticks]
                    assert numbers and all(re.fullmatch(r"-?\d+", n) for n in numbers), (page, width, axis, ticks)
                    assert len(set(numbers)) == len(numbers), (page, width, axis, ticks)  # no 0, 1, 1, 2


# ---------------------------------------------------------------- charts


def check_figures(out: Path) -> dict[str, set[str]]:
    """Every figure of the pages of issue 18 (CHARTED): scale, units, integer counts; of every page (unit pages,
    rankings too): the outcome colours. Returns each outcome category's colours seen."""
    palette = shell.outcome_colors()
    seen: dict[str, set[str]] = {}
    paths = [out / f"{p}.html" for p in pages_of(out)] + sorted((out / "units").glob("*.html"))
    checked = 0
    for path in paths:
        for div, data, layout in figures(path.read_text(encoding="utf-8")):
            checked += 1
            for t in data:
                if t["name"] in palette:
                    seen.setdefault(t["name"], set()).add(t["marker"]["color"])
            if path.stem not in CHARTED or path.parent.name == "units":
                continue
            stacked = layout.get("barmode") == "stack" and all(t["type"] == "bar" for t in data)
            one_measure = layout.get("meta", {}).get("one_measure")
            for key, traces in value_axes(data, layout).items():
                axis = layout.get(key, {})
                title = (axis.get("title") or {}).get("text", "")
                unit = (re.search(r"（([^（）]+)）$", title) or [None, axis.get("ticksuffix")])[1]
                assert unit in UNITS, f"{path.name} {div} {key}: no unit in {title!r}"
                if unit in COUNTS:
                    assert axis.get("tickformat") == ",d", f"{path.name} {div} {key}"
                if not stacked and not one_measure:
                    peaks = [max(map(abs, v)) for v in map(values_of, traces) if v and max(map(abs, v))]
                    if peaks:
                        assert max(peaks) / min(peaks) <= charts.SCALE_RATIO, f"{path.name} {div} {key}: {peaks}"
            if "meta" not in layout or "narrow" not in layout["meta"]:  # not a grid of small charts
                category = "yaxis" if data and data[0].get("orientation") == "h" else "xaxis"
                assert (layout.get(category, {}).get("title") or {}).get("text"), f"{path.name} {div} {category}"
    assert checked
    return seen


@pytest.mark.unit
def test_no_axis_mixes_scales_every_axis_has_its_unit_and_the_outcomes_have_one_palette(site, one_year):
    seen = {}
    for _, out in (site, one_year):
        for name, colors in check_figures(out).items():
            seen.setdefault(name, set()).update(colors)
    palette = shell.outcome_colors()
    assert set(seen) == set(outcome_categories().values())  # every outcome is drawn somewhere
    assert all(colors == {palette[name]} for name, colors in seen.items()), seen  # one colour each, everywhere
    r, g, b = (int(palette[WITHHELD][i:i + 2], 16) for i in (1, 3, 5))
    assert r >= 180 and g <= 100 and b <= 100, palette[WITHHELD]  # 不予公开 in the red family


@pytest.mark.unit
def test_measures_a_thousandfold_apart_get_charts_of_their_own(one_year):
    """甲镇's 9,000 licensing decisions and 1 rule: the overview draws every measure in a small chart of its own;
    the per-unit chart of decisions keeps 许可 apart from what is 10× smaller."""
    _, out = one_year
    overview = figures((out / "overview.html").read_text(encoding="utf-8"))
    _, data, layout = next(f for f in overview if f[0] == f"overview-proactive-counts-{LATEST}-all")
    per_axis = {}
    for t in data:
        per_axis.setdefault(t["yaxis"], set()).add(t["hovertemplate"].split("<br>")[0])
    assert all(len(measures) == 1 for measures in per_axis.values())  # one measure per small chart
    assert len(per_axis) == len(layout["annotations"]) > 1
    assert "narrow" in layout["meta"]  # two to a row on a phone


@pytest.mark.unit
def test_scale_groups_and_count_axes():
    pivot = __import__("pandas").DataFrame({"a": [9000.0, 10.0], "b": [3.0, 1.0], "c": [5000.0, None],
                                            "d": [0.0, 0.0]})
    assert charts._scale_groups(pivot, ["a", "b", "c", "d"]) == [["a", "c"], ["b", "d"]]
    assert charts._scale_groups(pivot, ["b", "d"]) == [["b", "d"]]
    chart = charts.Chart(id="t", title="t", rows=lambda y, t: None)
    small = charts._value_axis(chart, 3, 300)
    assert small["tickformat"] == ",d" and small["dtick"] == 1 and small["title"]["text"] == "件数（件）"
    assert charts._value_axis(chart, 0, 300)["range"] == [0, 1]
    assert "dtick" not in charts._value_axis(chart, 900, 300)  # Plotly's own steps are whole numbers there
    money = charts._value_axis(charts.Chart(id="f", title="f", rows=lambda y, t: None, axis_title="金额",
                                            unit="万元"), 0.5, 300)
    assert money["tickformat"] != ",d" and money["title"]["text"] == "金额（万元）"


@pytest.mark.unit
def test_rates_over_no_or_few_cases_are_never_a_bare_percentage():
    assert shell.fmt_rate(4, 4, 5) == ("4 ÷ 4", "few")
    assert shell.fmt_rate(0, 0, 5, texts.RATE_NONE["disclosure"]) == ("—（无办结件）", "none")
    assert shell.fmt_rate(None, None, 5) == (texts.DASH, "none")
    assert shell.fmt_rate(60, 100, 5) == ("60.0%", "")


@pytest.mark.browser
def test_chart_titles_follow_the_filters(site, browser):
    _, out = site
    w = open_page(browser, (out / "proactive.html").as_uri())
    try:
        title = lambda: w.page.locator("#chart-normative .slot .chart-title").inner_text()  # noqa: E731
        assert title().startswith(f"{LATEST}年 · {texts.ALL_UNITS}：")
        w.select(LATEST, "township")
        assert title().startswith(f"{LATEST}年 · {UNIT_TYPE_ZH['township']}：")
        w.select(2023, "township")
        assert title().startswith(f"2023年 · {UNIT_TYPE_ZH['township']}：")
        w.open((out / "overview.html").as_uri() + f"?year={LATEST}&type=township")
        chart = w.page.locator("#chart-proactive-counts .slot .chart-title").inner_text()
        assert chart.startswith(f"{LATEST}年 · {UNIT_TYPE_ZH['township']}合计：")
        w.open((out / "trends.html").as_uri() + "?year=2023&type=all")
        assert w.page.locator("#chart-requests .slot .chart-title").inner_text().startswith("截至2023年 · ")
        assert w.errors == []
    finally:
        w.close()


@pytest.mark.browser
def test_a_single_year_has_no_empty_years_and_a_unit_type_no_bare_rate(one_year, browser):
    db, out = one_year
    w = open_page(browser, (out / "trends.html").as_uri())
    try:
        plots = w.page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd =>
            Array.from(gd.querySelectorAll('g.xtick text')).map(t => t.textContent))""")
        assert plots and all(ticks == [str(LATEST)] for ticks in plots), plots
        assert w.page.locator(".slot .note", has_text=texts.ONE_YEAR.format(year=LATEST)).count() == len(plots)
        w.open((out / "overview.html").as_uri() + f"?year={LATEST}&type=township")
        heading = w.page.locator("#kpis .slot .kpi-scope").inner_text()
        assert heading.startswith(f"{UNIT_TYPE_ZH['township']}合计") and "全县合计" not in heading
        for tile in w.page.locator("#kpis .slot .kpi .value[data-den]").all():
            text, den = tile.inner_text(), float(tile.get_attribute("data-den") or 0)
            if text.endswith("%"):  # a percentage only over enough cases, its two figures under it
                assert den >= 5 and "÷" in tile.locator("xpath=following-sibling::div[1]").inner_text()
            else:
                assert "%" not in text
        rate = w.page.locator(f'#kpis .slot [data-kpi="{texts.DISCLOSURE_RATE}"]')
        assert rate.inner_text() == "4 ÷ 4" and rate.get_attribute("data-value") == "1"
        assert texts.RATE_FEW.format(n=5) in w.page.locator("#kpis .slot .kpi").nth(1).inner_text()
        # the county's name (示例县人民政府 without 人民政府) and the time of the data, not the warehouse's file
        con = duckdb.connect(str(db), read_only=True)
        loaded = con.execute("SELECT value FROM meta WHERE key = 'last_loaded_at'").fetchone()[0]
        con.close()
        footer = w.page.locator("main > footer").inner_text()
        assert footer.startswith(f"示例县 · 数据截至 {loaded[:16]}（第1次运行）") and "duckdb" not in footer
        assert w.page.locator("header h1").inner_text().startswith("示例县 · ")
        assert w.errors == []
    finally:
        w.close()


@pytest.mark.browser
def test_every_page_names_the_county_and_the_data_time_on_screen_and_in_print(site, browser):
    db, out = site
    con = duckdb.connect(str(db), read_only=True)
    loaded = con.execute("SELECT value FROM meta WHERE key = 'last_loaded_at'").fetchone()[0]
    runs = con.execute("SELECT count(*) FROM run_summary").fetchone()[0]
    con.close()
    stamp = f"{texts.UNNAMED_AREA} · 数据截至 {loaded[:16]}（第{runs}次运行）"
    w = open_page(browser, (out / "index.html").as_uri())
    try:
        for page in pages_of(out):
            w.open((out / f"{page}.html").as_uri() + "?year=2023&type=township")
            assert w.page.locator("main > footer").inner_text().startswith(stamp), page
            assert w.page.locator("header .stamp").inner_text().startswith(stamp), page
            assert not w.page.locator("#print-head").is_visible()
            w.page.emulate_media(media="print")
            head = w.page.locator("#print-head")
            assert head.is_visible() and w.page.locator("main > footer").is_visible(), page
            name = texts.PAGES[page][0]
            year = texts.UPTO_YEAR if page == "trends" else texts.THIS_YEAR
            want = texts.PRINT_HEAD.format(year=year.format(year=2023), type=UNIT_TYPE_ZH["township"])
            assert f"{name} · {want}" in head.inner_text() and stamp in head.inner_text(), page
            w.page.emulate_media(media="screen")
        assert w.errors == []
    finally:
        w.close()


@pytest.mark.browser
def test_a_bar_of_a_unit_opens_the_unit_page(site, browser):
    from dashboards.pages.common import UNITS_FOLDER

    _, out = site
    w = open_page(browser, (out / "proactive.html").as_uri() + f"?year={LATEST}&type=all")
    try:
        first = w.page.evaluate("() => document.querySelector('#chart-normative .js-plotly-plot').data[0].customdata[0]")
        assert first.startswith(f"{UNITS_FOLDER}/") and first.endswith(".html")
        box = w.page.locator("#chart-normative .barlayer .point path").first.bounding_box()
        with w.page.expect_navigation():
            w.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert f"/{UNITS_FOLDER}/" in w.page.url and f"year={LATEST}" in w.page.url
    finally:
        w.close()


# ---------------------------------------------------------------- tables


TABLE_PAGE = """<section class="block" id="t"><table id="static"><thead><tr><th>名称</th>
<th class="num" data-sort-method="num">数量</th><th class="num">比率</th></tr></thead><tbody>
<tr><td>甲镇</td><td class="num" data-sort="1234">1,234</td><td class="num">12.5%</td></tr>
<tr><td>乙镇</td><td class="num" data-sort="9">9</td><td class="num">3.0%</td></tr>
<tr><td>丙镇</td><td class="num" data-sort="">—</td><td class="num">100.0%</td></tr>
<tr><td>丁镇</td><td class="num" data-sort="10">10</td><td class="num">—</td></tr>
</tbody></table></section>
<section class="block"><div class="variants"><div class="slot"></div>{templates}</div></section>"""
VARIANT = """<template data-year="{year}" data-type="{type}"><table class="v"><thead><tr><th>名称</th>
<th class="num">件数</th></tr></thead><tbody>{rows}</tbody></table></template>"""


@pytest.mark.browser
def test_tables_sort_numerically_and_search_also_in_variants(browser, tmp_path):
    """The shell's machinery on a page of its own: numbers (1,234 · 9 · 10 · —) sort as numbers, by data-sort where
    given, percentages too without it; the search box hides the rows that do not match; a table cloned from a
    variant's template is sortable and searchable as well."""
    templates = "".join(
        VARIANT.format(year=year, type=t, rows="".join(f"<tr><td>{n}</td><td class=\"num\">{v:,}</td></tr>"
                                                     for n, v in ((f"{t}甲{year}", 5), ("乙", 1200), ("丙", 30))))
        for year in (2024, 2023) for t in ("all", "township"))
    html = shell.page("completeness", TABLE_PAGE.replace("{templates}", templates), [2024, 2023], ["township"],
                      "测试县 · 数据截至 2025-01-01 00:00（第1次运行）", with_plotly=False)
    (tmp_path / "t.html").write_text(html, encoding="utf-8")
    shell.write_assets(tmp_path)
    w = open_page(browser, (tmp_path / "t.html").as_uri())
    column = "([sel, i]) => Array.from(document.querySelectorAll(sel + ' tbody tr')).filter(r => r.offsetParent)" \
             ".map(r => r.cells[i].textContent)"
    try:
        header = w.page.locator("#static th", has_text="数量")
        header.click()
        assert w.page.evaluate(column, ["#static", 1]) == ["—", "9", "10", "1,234"]  # no figure first, then 9 < 10
        header.click()
        assert w.page.evaluate(column, ["#static", 1]) == ["1,234", "10", "9", "—"]
        w.page.locator("#static th", has_text="比率").click()  # no data-sort: read as numbers all the same
        assert w.page.evaluate(column, ["#static", 2]) == ["—", "3.0%", "12.5%", "100.0%"]
        search = w.page.locator("#t .table-search input")
        search.fill("乙")
        assert w.page.evaluate(column, ["#static", 0]) == ["乙镇"]
        assert w.page.locator("#t .search-count").inner_text() == texts.SEARCH_COUNT.format(shown=1, total=4)
        search.fill("")
        assert len(w.page.evaluate(column, ["#static", 0])) == 4
        for year, unit_type in ((2024, "all"), (2023, "township")):
            w.select(year, unit_type)
            w.page.locator("table.v th", has_text="件数").click()
            assert w.page.evaluate(column, ["table.v", 1]) == ["5", "30", "1,200"]
            w.page.locator(".slot .table-search input").fill(f"{unit_type}甲")
            assert w.page.evaluate(column, ["table.v", 0]) == [f"{unit_type}甲{year}"]
        assert w.errors == []
    finally:
        w.close()


@pytest.mark.browser
def test_the_completeness_table_sorts_by_findings_and_searches(site, browser):
    _, out = site
    w = open_page(browser, (out / "completeness.html").as_uri() + f"?year={LATEST}&type=all")
    try:
        w.page.locator("#status-table th", has_text=texts.FINDINGS).click()
        counts = w.page.evaluate("""() => Array.from(document.querySelectorAll('#status-table tbody tr'))
            .filter(r => !r.hidden).map(r => Number(r.cells[6].dataset.sort))""")
        assert counts == sorted(counts) and len(set(counts)) > 1
        w.page.locator("#status-table .table-search input").fill("街道")
        shown = w.page.locator("#status-table tbody tr:visible").all_inner_texts()
        assert shown and all("街道" in row for row in shown)
        assert w.page.locator("#status-table tbody tr:visible", has_text="镇").count() == 0
        assert w.errors == []
    finally:
        w.close()


# ---------------------------------------------------------------- the quality page


SECTIONS = """() => Array.from(document.querySelectorAll('main > section.finding-group')).filter(s => !s.hidden).map(s =>
    ({id: s.id, severities: Array.from(s.querySelectorAll('tbody tr')).map(r => Number(r.cells[0].dataset.sort)),
      rows: Array.from(s.querySelectorAll('tbody tr')).map(r =>
          [0, 1, 2].map(i => r.cells[i].textContent).join('|'))}))"""


@pytest.mark.browser
def test_quality_findings_one_row_per_table_row_errors_first_and_short_on_a_phone(site, browser):
    db, out = site
    con = duckdb.connect(str(db), read_only=True)
    n_findings = con.execute("SELECT count(*) FROM findings").fetchone()[0]
    con.close()
    w = open_page(browser, (out / "quality.html").as_uri() + f"?year={LATEST}&type=all", 390, 844)
    try:
        sections = w.page.evaluate(SECTIONS)
        assert sections and n_findings
        worst = [min(s["severities"]) for s in sections]
        assert worst == sorted(worst) and worst[0] == list(SEVERITY_ZH).index("error")  # errors first
        for s in sections:
            assert s["severities"] == sorted(s["severities"]), s["id"]  # in a unit-year too
            assert len(s["rows"]) == len(set(s["rows"])), s["id"]  # one row per severity, rule and table row
        # folded: the list takes a bounded height per unit-year on a phone (it was every finding's full table)
        height = w.page.evaluate("""() => { const s = Array.from(document.querySelectorAll('main > section.finding-group'))
            .filter(s => !s.hidden); const r = s.map(x => x.getBoundingClientRect());
            return r[r.length - 1].bottom - r[0].top; }""")
        assert height <= 110 * len(sections), (height, len(sections))
        # searching the findings hides the unit-years that do not match
        w.page.locator(".search-list .table-search input").fill(HOSTILE_NAME)
        visible = w.page.locator("main > section.finding-group:visible")
        assert visible.count() == 1 and HOSTILE_NAME in visible.first.inner_text()
        assert w.errors == []
    finally:
        w.close()


@pytest.mark.browser
def test_a_link_to_findings_opens_them_below_the_sticky_bar(site, browser):
    _, out = site
    w = open_page(browser, (out / "completeness.html").as_uri() + f"?year={LATEST}&type=all", 390, 844)
    try:
        row = w.page.locator("#status-table tbody tr:visible", has_text=HOSTILE_NAME)
        row.locator("a", has_text=texts.FINDINGS_LINK.format(n="")).click()
        w.page.wait_for_load_state("load")
        anchor = w.page.url.split("#")[1]
        target = w.page.locator(f"[id='{anchor}']")
        assert target.locator("details").get_attribute("open") is not None  # unfolded
        assert target.locator("tbody tr").first.is_visible()
        top = target.evaluate("el => el.getBoundingClientRect().top")
        bar = w.page.evaluate("() => document.querySelector('.filters').getBoundingClientRect().bottom")
        assert bar <= top < 844, (bar, top)
        assert w.errors == []
    finally:
        w.close()


@pytest.mark.unit
def test_the_vendored_table_sorter_ships_with_its_licence(tmp_path):
    shell.write_assets(tmp_path)
    for name in shell.ASSETS:
        assert (tmp_path / name).read_bytes() == (shell.VENDOR / name).read_bytes()
    assert "MIT" in (shell.VENDOR / shell.TABLESORT).read_text(encoding="utf-8")[:300]
    assert "Permission is hereby granted" in (shell.VENDOR / "LICENSE-tablesort.txt").read_text(encoding="utf-8")


@pytest.mark.unit
def test_the_generated_time_is_in_the_deployments_time_zone(site, tmp_path):
    """The warehouse's times are the deployment's (settings.timezone); the footer's 生成时间 must be too, not the
    machine's (a server on UTC would otherwise print a time 8 hours before the data's as-of time in 北京时间)."""
    from datetime import datetime

    db, _ = site
    stamps = {}
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):  # UTC+14 and UTC−12: 26 hours apart
        page = build_dashboards(db, tmp_path / zone.replace("/", "-"), timezone=zone)[0]
        found = re.search(r"生成时间 (\d{4}-\d\d-\d\d \d\d:\d\d)", page.read_text(encoding="utf-8"))
        stamps[zone] = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M")
    apart = (stamps["Pacific/Kiritimati"] - stamps["Etc/GMT+12"]).total_seconds() / 3600
    assert 25.9 < apart < 26.1, stamps
