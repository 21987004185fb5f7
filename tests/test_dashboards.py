"""The dashboards, built from an example warehouse and opened in real headless Chromium (Debian's, never a download).

The warehouse comes from ``countystats.examples.warehouses``: consistent reports, some broken on purpose,
validated by Great Expectations and loaded by the real loader, so every relation and status is the product's.

Checks per page: no console/page errors, nothing requested from anywhere but the local files, the expected
charts and traces for the data (derived from the chart CSVs, which share their source with the figures), a
screenshot; then escaping of a hostile unit name, the filters, the CSV downloads, the findings links, read-only
use of the warehouse, and a build over the real pipeline's warehouse.

The county's figures: the overview's 全部 is county_totals scope units (不含本级), the county government's own report
apart, its coverage stated — checked for every year of the example county against the exported workbook, read back.
Statuses as their own states in one palette, timeliness before a deadline (未到期), and the quality page's counting
(a superseded file's findings do not count; findings opened and resolved over runs) on a small scenario of three
runs whose numbers are worked out by hand (:func:`runs`).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from watched import Watched

from countystats.examples.warehouses import HOSTILE_NAME, YEARS, build_warehouse
from dashboards import texts
from dashboards.build import PLOTLY_JS, build_dashboards
from dashboards.shell import STATUS_COLORS
from transforms.format import OF_UNIT_YEAR, STATUS_ZH, TOTAL, UNIT_TYPE_ZH, for_year, ordered

pytestmark = pytest.mark.browser

PAGES = ["index", "overview", "proactive", "requests", "review", "trends", "completeness", "quality", "rankings"]
LATEST = max(YEARS)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path, list[Path]]:
    root = tmp_path_factory.mktemp("dash")
    db = build_warehouse(root / "w.duckdb")
    out = root / "site"
    return db, out, build_dashboards(db, out)


@pytest.fixture(scope="module")
def county(example_inbox, tmp_path_factory):
    """清河县 through the real pipeline (reader, Great Expectations, loader, publish): (settings, site folder)."""
    from countystats import pipeline
    from countystats.settings import Settings

    root = tmp_path_factory.mktemp("county")
    inbox = root / "inbox"
    shutil.copytree(example_inbox, inbox)  # the shared fixture must stay untouched
    settings = Settings(inbox=inbox, db=root / "data" / "w.duckdb", out=root / "out", archive=root / "archive")
    result = pipeline.run(settings, run_id="dash")
    assert result.dashboards_error is None and len(result.dashboards) == len(PAGES)
    return settings, Path(result.dashboards[0]).parent


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three nightly runs (the fake reader: reports with the figures and findings named), on 20 January 2025 — before
    the deadline. Worked out by hand:

    ====  ==========================================  ==============================================
    run   甲镇 2024 (its newest file's findings)        乙镇 2024
    ====  ==========================================  ==============================================
    r1    T3-SHIFT                 opened 1            T3-BALANCE (rejected)      opened 1
    r2    T3-SHIFT, T3-BALANCE     opened 1            clean (accepted)           resolved 1
    r3    T3-SHIFT                 resolved 1          —
    ====  ==========================================  ==============================================

    So opened/resolved per run: r1 2/0, r2 1/1, r3 0/1; the files that stand hold one finding (甲镇's T3-SHIFT), the
    superseded ones four. 甲镇 is 待核实, 乙镇 通过 (on time), 丙镇, 县教育局 and 示例县人民政府 have sent nothing.
    """
    from fake_reading import FAKE, drop

    from countystats import pipeline
    from countystats.examples.small import write_units
    from countystats.settings import Settings

    root = tmp_path_factory.mktemp("runs")
    settings = Settings(inbox=root / "inbox", db=root / "w.duckdb", out=root / "out", archive=root / "archive",
                        units=write_units(root / "units.csv"), today="2025-01-20")
    drop(settings.inbox, "a1.xlsx", "2025-01-05 09:00:00", new=5, warning=True)
    drop(settings.inbox, "b1.xlsx", "2025-01-05 10:00:00", unit_code="T02", unit_name="乙镇", new=7, errors=True)
    pipeline.run(settings, run_id="r1", **FAKE)
    drop(settings.inbox, "a2.xlsx", "2025-01-10 09:00:00", new=6, warning=True, errors=True)
    drop(settings.inbox, "b2.xlsx", "2025-01-10 10:00:00", unit_code="T02", unit_name="乙镇", new=8)
    pipeline.run(settings, run_id="r2", **FAKE)
    drop(settings.inbox, "a3.xlsx", "2025-01-15 09:00:00", new=7, warning=True)
    result = pipeline.run(settings, run_id="r3", **FAKE)
    assert result.dashboards_error is None
    return settings.db, Path(result.dashboards[0]).parent


def read_csv(path: Path) -> pd.DataFrame:
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf", f"{path.name} lacks the UTF-8 BOM Excel needs"
    return pd.read_csv(path, encoding="utf-8-sig", dtype={texts.SERIES: str, texts.CATEGORY: str})


def variant_rows(csv: pd.DataFrame, year: int, unit_type: str) -> pd.DataFrame:
    label = texts.ALL_TYPES if unit_type == "all" else UNIT_TYPE_ZH[unit_type]
    return csv[(csv[texts.YEAR] == year) & (csv[texts.UNIT_TYPE] == label)]


def expected_charts(out: Path, page: str, year: int, unit_type: str) -> dict[str, list[int]]:
    expected = {}
    for path in sorted(out.glob(f"{page}-*.csv")):
        rows = variant_rows(read_csv(path), year, unit_type)
        expected[path.stem[len(page) + 1:]] = [rows[texts.SERIES].nunique()] if len(rows) else []
    return expected


def assert_traces_match_csv(w: Watched, out: Path, page: str, year: int, unit_type: str) -> None:
    for chart_id in expected_charts(out, page, year, unit_type):
        rows = variant_rows(read_csv(out / f"{page}-{chart_id}.csv"), year, unit_type)
        want = rows.groupby(texts.SERIES)[texts.VALUE].sum().to_dict()
        got = {}
        for t in w.traces(chart_id):
            values = t["x"] if t["orientation"] == "h" else t["y"]
            # Plotly shows HTML entities literally: trace names arrive escaped, the CSV holds the real text
            name = t["name"].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
            # a series may be drawn in several small multiples (the overview's measures): its traces add up
            got[name] = got.get(name, 0) + sum(v for v in values if v is not None)
        assert got == pytest.approx(want), f"{page}/{chart_id} for {year}/{unit_type}"


def test_site_files_are_offline_and_complete(site):
    _, out, pages = site
    assert [p.name for p in pages] == [f"{p}.html" for p in PAGES]
    assert (out / PLOTLY_JS).stat().st_size > 1_000_000
    assert "@media print" in (out / "dashboards.css").read_text(encoding="utf-8")  # the shell's, once for the site
    for p in pages:
        html = p.read_text(encoding="utf-8")
        assert 'src="http' not in html and "cdn." not in html.lower()
        assert ("plotly.min.js" in html) == (p.stem != "index")
        assert 'href="dashboards.css"' in html and 'src="dashboards.js"' in html and 'lang="zh-CN"' in html
        # every chart has its CSV link next to it, and every link its file
        links = re.findall(r'href="([^"]+\.csv)" download', html)
        assert sorted(links) == sorted(c.name for c in out.glob(f"{p.stem}-*.csv"))
        assert html.count('<section class="block" id="chart-') == len(links)
    # 16: the quality page's findings opened and resolved over runs joined the 15 charts
    assert len(list(out.glob("*.csv"))) == 16


@pytest.mark.slow
def test_every_page_in_chromium(site, browser, tmp_path_factory):
    _, out, pages = site
    shots = tmp_path_factory.mktemp("screenshots")
    with Watched(browser) as w:
        for page in PAGES:
            w.open((out / f"{page}.html").as_uri())
            assert w.charts() == expected_charts(out, page, LATEST, "all"), page
            w.page.screenshot(path=str(shots / f"{page}.png"), full_page=True)
            assert (shots / f"{page}.png").stat().st_size > 10_000
        assert w.errors == [] and w.dialogs == [] and w.foreign == []
    print(f"screenshots in {shots}")


def test_plotly_speaks_chinese(site, browser):
    """The mode bar's tooltips come from Plotly's zh-CN locale, served locally beside plotly.min.js."""
    _, out, _ = site
    assert (out / "plotly-locale-zh-cn.js").is_file()
    with Watched(browser) as w:
        w.open((out / "overview.html").as_uri())
        titles = w.page.evaluate(
            "() => Array.from(document.querySelectorAll('.modebar-btn')).map(b => b.getAttribute('data-title'))")
        assert titles and "下载图表为PNG格式" in titles
        assert not any(t and t.startswith("Download plot") for t in titles)
        assert w.errors == [] and w.foreign == []


def test_hostile_unit_name_is_text_everywhere(site, browser):
    _, out, _ = site
    with Watched(browser) as w:
        for page in ("proactive", "requests", "completeness", "quality"):
            w.open((out / f"{page}.html").as_uri())
            assert w.page.get_by_text(HOSTILE_NAME, exact=False).first.is_visible(), page
            # no element was created from the name (the figures' JSON holds it only as escaped text)
            injected = w.page.evaluate(
                "() => Array.from(document.querySelectorAll('script')).filter(s => s.textContent.trim() === 'alert(1)').length")
            assert injected == 0, page
        # inside the SVG of a chart: the tick label reads the name literally
        w.open((out / "requests.html").as_uri())
        ticks = w.page.evaluate("() => Array.from(document.querySelectorAll('#chart-outcomes .ytick text')).map(t => t.textContent)")
        assert HOSTILE_NAME in ticks
        assert w.dialogs == [] and w.errors == []


@pytest.mark.slow
def test_filters_switch_the_data_and_match_the_csv(site, browser):
    _, out, _ = site
    towns = set(read_csv(out / "requests-outcomes.csv").pipe(variant_rows, LATEST, "township")[texts.CATEGORY])
    with Watched(browser) as w:
        w.open((out / "requests.html").as_uri())
        all_units = set(w.traces("outcomes")[0]["y"])
        w.select(LATEST, "township")
        shown = {n.replace("&lt;", "<").replace("&gt;", ">") for n in w.traces("outcomes")[0]["y"]}
        assert shown == towns and len(all_units) > len(shown)
        for page in PAGES[1:]:
            for year, unit_type in [(LATEST, "all"), (2020, "township"), (2023, "subdistrict")]:
                w.open((out / f"{page}.html").as_uri() + f"?year={year}&type={unit_type}")
                assert w.charts() == expected_charts(out, page, year, unit_type), (page, year, unit_type)
                assert_traces_match_csv(w, out, page, year, unit_type)
        # switching back and forth leaves exactly one live figure per chart
        w.open((out / "trends.html").as_uri())
        for year in (2020, 2023, 2024, 2020):
            w.page.select_option("#f-year", str(year))
        assert all(len(v) <= 1 for v in w.charts().values())
        assert w.errors == [] and w.foreign == []


def test_overview_numbers_and_filters_travel_with_navigation(site, browser):
    _, out, _ = site
    with Watched(browser) as w:
        w.open((out / "overview.html").as_uri())
        rate = w.page.locator(f'[data-kpi="{texts.DISCLOSURE_RATE}"]').inner_text()
        assert rate.endswith("%") and len(rate.split(".")[-1]) == 2  # one decimal, e.g. 67.7%
        w.select(2023, "all")  # 2022 is not in the warehouse: the comparison shows “—”
        assert texts.DASH in w.page.locator("#kpis .prev").first.inner_text()
        w.page.click("nav a[href^='trends.html']")
        assert "year=2023" in w.page.url and w.page.input_value("#f-year") == "2023"
        # the format break is marked on the trend of the one continuing measure
        w.page.select_option("#f-year", "2024")
        shapes = w.page.evaluate("() => document.querySelector('#chart-decisions .js-plotly-plot').layout.shapes.length")
        assert shapes == 1
        assert w.errors == []


def test_completeness_lists_every_expected_unit_and_links_to_findings(site, browser):
    db, out, _ = site
    con = duckdb.connect(str(db), read_only=True)
    expected = con.execute("SELECT count(*) FROM completeness WHERE report_year = ?", [LATEST]).fetchone()[0]
    statuses = {s for (s,) in con.execute("SELECT DISTINCT status FROM completeness WHERE report_year = ?",
                                          [LATEST]).fetchall()}
    con.close()
    assert statuses == set(OF_UNIT_YEAR)  # every status a unit's year can have is on the page
    with Watched(browser) as w:
        w.open((out / "completeness.html").as_uri())
        assert w.page.locator("#status-table tbody tr:visible").count() == expected
        row = w.page.locator("#status-table tbody tr:visible", has_text=HOSTILE_NAME)
        row.locator("td:last-child a").click()  # the findings (the name leads to the unit's page)
        w.page.wait_for_load_state("load")
        anchor = w.page.url.split("#")[1]
        section = w.page.locator(f"[id='{anchor}']")
        assert section.is_visible() and HOSTILE_NAME in section.inner_text()
        assert section.locator("tbody tr").count() >= 1
        assert w.errors == [] and w.dialogs == []


def test_build_opens_the_warehouse_read_only_while_an_analyst_reads(site, tmp_path):
    db, _, _ = site
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    analyst = duckdb.connect(str(copy), read_only=True)  # a writer could not open the file now; a reader can
    try:
        pages = build_dashboards(copy, tmp_path / "site")
    finally:
        analyst.close()
    assert len(pages) == len(PAGES)
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before


def test_rates_guard_division_by_zero():
    from dashboards import shell
    from dashboards.data import Indicators

    nothing = Indicators(new_requests=0, granted=0, concluded=0, corrected=0, reviewed=0, disputes=0, units_reporting=1)
    assert (nothing.disclosure_rate, nothing.correction_rate, nothing.dispute_rate) == (None, None, None)
    assert shell.fmt_pct(None) == texts.DASH == shell.fmt_int(None)
    assert shell.fmt_pct(2 / 3) == "66.7%" and shell.fmt_int(1234567) == "1,234,567"


def test_outcome_categories_come_from_the_format_groups():
    from dashboards.data import REQUESTS, outcome_categories, short_label
    from transforms.format.statutory import FORMAT_2019

    cats = outcome_categories()
    ordered = list(dict.fromkeys(cats.values()))
    assert len(ordered) == 6
    printed = {short_label(t.text) for s in (REQUESTS, FORMAT_2019.section("requests"))
               for r in s.rows for t in (r.label, r.group) if t}
    assert set(ordered) <= printed
    # every leaf outcome of both formats falls in exactly one category (2021's （六） through other_total)
    assert {r for r in FORMAT_2019.leaf_outcomes} <= set(cats)


def test_no_trend_series_mixes_the_two_formats(site):
    from dashboards.data import measure_name

    db, out, _ = site
    con = duckdb.connect(str(db), read_only=True)
    per_year = con.execute("SELECT report_year, list(DISTINCT format_version) FROM proactive_cells GROUP BY 1").fetchall()
    con.close()
    assert all(len(versions) == 1 for _, versions in per_year)  # each year's reports in one format
    by_year = {year: versions[0] for year, versions in per_year}
    # the format whose 表二 names each series (a measure of the normative documents row)
    defined_in = {measure_name(f.version, "normative_docs", m.code): f.version
                  for f in ordered() for m in f.section("proactive").measures_of("normative_docs")}
    assert len(defined_in) == sum(len(f.section("proactive").measures_of("normative_docs")) for f in ordered())
    csv = read_csv(out / "trends-normative.csv")
    csv = csv[(csv[texts.YEAR] == LATEST) & (csv[texts.UNIT_TYPE] == texts.ALL_TYPES)]
    # both sides of the break are on the chart: the oldest year in its format, the newest in the current one
    shown = {by_year[int(y)] for y in csv[texts.CATEGORY]}
    assert shown == {for_year(min(YEARS)).version, for_year(LATEST).version} and len(shown) == 2
    for series, rows in csv.groupby(texts.SERIES):
        formats = {by_year[int(y)] for y in rows[texts.CATEGORY]}
        assert formats == {defined_in[series]}, f"{series} spans formats {formats}"


def test_print_layout_hides_navigation_and_filters(site, browser):
    _, out, _ = site
    with Watched(browser) as w:
        w.open((out / "requests.html").as_uri())
        w.page.emulate_media(media="print")
        assert not w.page.locator("header nav").is_visible()
        assert not w.page.locator(".filters").is_visible()
        assert not w.page.locator(".download").first.is_visible()
        assert w.page.locator("#chart-outcomes .js-plotly-plot").is_visible()


def test_an_empty_warehouse_still_gets_its_pages(tmp_path):
    db = build_warehouse(tmp_path / "empty.duckdb", units=[])  # the schema alone
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
    con.close()
    pages = build_dashboards(db, tmp_path / "site")
    assert [p.stem for p in pages] == PAGES
    assert read_csv(tmp_path / "site" / "requests-outcomes.csv").empty


@pytest.mark.slow
def test_dashboards_of_the_example_county_through_the_real_pipeline(county, browser):
    """清河县 end to end: real reader, Great Expectations, loader, publish; then every page in Chromium."""
    settings, site_dir = county
    con = duckdb.connect(str(settings.db), read_only=True)
    latest = con.execute("SELECT max(report_year) FROM completeness").fetchone()[0]
    expected_rows = con.execute(
        "SELECT count(*) FROM completeness c JOIN units u USING (unit_code) "
        "WHERE c.report_year = ? AND u.unit_type <> 'city_government'", [latest]).fetchone()[0]
    con.close()
    with Watched(browser) as w:
        for page in PAGES:
            w.open((site_dir / f"{page}.html").as_uri())
            assert w.charts() == expected_charts(site_dir, page, latest, "all"), page
            if page != "index":
                assert_traces_match_csv(w, site_dir, page, latest, "all")
        w.open((site_dir / "completeness.html").as_uri())
        assert w.page.locator("#status-table tbody tr:visible").count() == expected_rows
        assert w.errors == [] and w.dialogs == [] and w.foreign == []


# ---------------------------------------------------------------- the county's figures: one definition


def kpis(w: Watched) -> dict[str, dict]:
    """The overview's tiles as shown: name -> {value, prev, num, den} (the raw figures of data-*)."""
    return w.page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('#kpis .slot [data-kpi]')).map(e =>
            [e.dataset.kpi, {value: e.dataset.value, prev: e.dataset.prev, num: e.dataset.num, den: e.dataset.den}]))"""
    )


def own_kpis(w: Watched) -> dict[str, str]:
    return w.page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('#kpis .slot [data-own-kpi]')).map(e =>
            [e.dataset.ownKpi, e.dataset.value]))"""
    )


def overview_figures(figures: dict, fig=None) -> dict[str, tuple]:
    """What each tile shows, from a table of figures (section, row, column) -> value: (value,) for a count,
    (numerator, denominator) for a rate. ``fig(key)`` reads one figure (default: from ``figures``, 0 if absent)."""
    fig = fig or (lambda key: figures.get(key, 0))

    def req(row: str):
        return fig(("requests", row, TOTAL))

    def rev(row: str, col: str = TOTAL):
        return fig(("review_litigation", row, col))

    return {
        texts.NEW_REQUESTS: (req("new_received"),),
        texts.DISCLOSURE_RATE: (req("granted") + req("partly_granted"), req("concluded_total")),
        texts.CORRECTION_RATE: (rev("reconsideration", "corrected"),
                                rev("reconsideration") - rev("reconsideration", "pending")),
        texts.DISPUTE_RATE: (rev("reconsideration") + rev("litigation_direct") + rev("litigation_after_reconsideration"),
                             req("new_received")),
    }


def assert_tiles(shown: dict[str, dict], expected: dict[str, tuple], what: str) -> None:
    for name, want in expected.items():
        tile = shown[name]
        if len(want) == 1:
            assert float(tile["value"]) == want[0], f"{what}: {name}"
        else:
            assert (float(tile["num"]), float(tile["den"])) == want, f"{what}: {name}"
            if want[1]:
                assert float(tile["value"]) == pytest.approx(want[0] / want[1]), f"{what}: {name}"
            else:  # a denominator of 0: “—”, no rate
                assert tile["value"] == "", f"{what}: {name}"


def count_cells(version: str) -> dict[str, tuple[str, str]]:
    """The overview chart's categories of a format: measure name -> (row, column)."""
    from dashboards.data import measure_name
    from dashboards.pages.overview import COUNT_CELLS

    return {measure_name(v, row, col): (row, col) for v, row, col in COUNT_CELLS if v == version}


@pytest.mark.slow
def test_overview_figures_agree_with_county_totals_and_the_export_for_every_year(county, browser, tmp_path):
    """“Agree to the unit, for every figure and year”: the overview's 全部 (tiles, the previous year, the proactive
    counts chart) is county_totals scope units, which is what the exported workbook holds (read back by the project's
    reader); the county government's own report is shown apart and equals the export's 本级 column."""
    from openpyxl import load_workbook

    from transforms.reading import read_submission
    from transforms.registry import Registry
    from transforms.warehouse.rollup import county_sum
    from transforms.writing.export import COVERAGE_SHEET, coverage_lines, export_county

    settings, site_dir = county
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        sums = {scope: county_sum(con, scope=scope) for scope in ("units", "own", "all")}
        own_name = con.execute("SELECT unit_name FROM units WHERE unit_type = 'county_government'").fetchone()[0]
        coverage = {r[0]: r[1:] for r in con.execute(
            "SELECT report_year, units_expected, units_counted, missing, held, returned, rejected, own_counted, "
            "other_format FROM county_coverage").fetchall()}
    finally:
        con.close()
    years = sorted(y for y, _ in sums["units"])
    assert years == [2023, 2024]
    registry = Registry.load(settings.units)
    chart = read_csv(site_dir / "overview-proactive-counts.csv")
    with Watched(browser) as w:
        w.open((site_dir / "overview.html").as_uri())
        for year in years:
            fmt = for_year(year)
            units, own, every = (sums[s][(year, fmt.version)] for s in ("units", "own", "all"))
            path = export_county(year, db=settings.db, out=tmp_path / f"{year}.xlsx")
            back = read_submission(path, registry, year=year, unit_name=own_name)
            assert back.format_version == fmt.version and not back.unreadable

            def exported(key, units=units, back=back):
                """A figure as county_totals has it, checked against the exported workbook on the way."""
                assert back.value(*key) == units[key], key
                return units[key]

            w.select(year, "all")
            shown = kpis(w)
            assert_tiles(shown, overview_figures(units, exported), f"{year} 全部")
            # the county government is apart: not in 全部, shown on its own line, as in the export's 本级 column
            new_received = ("requests", "new_received", TOTAL)
            assert own[new_received] > 0 and units[new_received] + own[new_received] == every[new_received]
            assert float(own_kpis(w)[texts.NEW_REQUESTS]) == own[new_received]
            sheet = load_workbook(path)[COVERAGE_SHEET]
            main = {r[0].value: [c.value for c in r[1:4]] for r in sheet.iter_rows() if r[0].value}
            assert main[fmt.section("requests").describe("new_received", "total")] == [
                units[new_received], own[new_received], every[new_received]]
            previous = sums["units"].get((year - 1, for_year(year - 1).version))
            assert shown[texts.NEW_REQUESTS]["prev"] == ("" if previous is None else f"{previous[new_received]}")
            # the coverage under the tiles is the export's 汇总说明, sentence for sentence
            lines = [line.strip() for line in coverage_lines(fmt, year, coverage[year], [], own_name)]
            stated = w.page.locator("#kpis .slot .coverage li").all_inner_texts()
            sheet_text = [str(c.value).strip() for r in sheet.iter_rows() for c in r if c.value is not None]
            assert stated == lines and set(lines) <= set(sheet_text)
            # the proactive counts of the year (and the year before, where the format has the same cell)
            rows = variant_rows(chart, year, "all")
            this = dict(zip(rows.loc[rows[texts.SERIES] == f"{year}年", texts.CATEGORY],
                            rows.loc[rows[texts.SERIES] == f"{year}年", texts.VALUE], strict=True))
            cells = count_cells(fmt.version)
            assert set(this) == set(cells)
            for name, (row, col) in cells.items():
                assert this[name] == exported(("proactive", row, col)), name
            before = rows[rows[texts.SERIES] == f"{year - 1}年"]
            for name, value in zip(before[texts.CATEGORY], before[texts.VALUE], strict=True):
                assert value == previous[("proactive", *cells[name])], name
        assert w.errors == []


def test_overview_states_its_scope_and_coverage(site, browser):
    """全部 is the county's figures (county_totals, 不含本级) for every year, in both formats; a unit type's view says
    it is that type's sum, never the county's; the coverage names the units missing, held and returned."""
    from transforms.warehouse.rollup import county_sum

    db, out, _ = site
    con = duckdb.connect(str(db), read_only=True)
    try:
        sums = county_sum(con, scope="units")
        held, returned, missing = con.execute(
            "SELECT held, returned, missing FROM county_coverage WHERE report_year = ?", [LATEST]).fetchone()
    finally:
        con.close()
    assert held and returned and missing
    assert {v for _, v in sums} == {f.version for f in ordered()}  # both formats' years are checked
    with Watched(browser) as w:
        w.open((out / "overview.html").as_uri())
        for (year, _version), figures in sorted(sums.items()):
            w.select(year, "all")
            assert_tiles(kpis(w), overview_figures(figures), f"{year} 全部")
            heading = w.page.locator("#kpis .slot .kpi-scope").inner_text()
            assert "全县汇总数" in heading and "不含" in heading
        w.select(LATEST, "all")
        coverage = w.page.locator("#kpis .slot .coverage").inner_text()
        for name in [*held, *returned, *missing]:
            assert name in coverage, name
        assert "待核实" in coverage and "被退回" in coverage and "未报送" in coverage
        assert w.page.locator("#kpis .slot .own").is_visible()  # the county government's line, even without one
        w.select(LATEST, "township")
        heading = w.page.locator("#kpis .slot .kpi-scope").inner_text()
        assert heading.startswith(UNIT_TYPE_ZH["township"]) and "全县合计" not in heading
        assert "不是全县汇总数" in heading
        assert w.page.locator("#kpis .slot .own").count() == 0
        assert w.errors == []


# ---------------------------------------------------------------- statuses, timeliness, quality


def rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_statuses_are_their_own_states_in_one_palette(site, browser):
    """待核实 and 退回 are shown as such (not 通过, not 未通过), each in its own colour, the same on every page."""
    db, out, _ = site
    con = duckdb.connect(str(db), read_only=True)
    per_status = dict(con.execute("SELECT status, count(*) FROM completeness WHERE report_year = ? GROUP BY 1",
                                  [LATEST]).fetchall())
    con.close()
    assert per_status.get("needs_review") and per_status.get("returned")
    assert len({STATUS_COLORS[s] for s in OF_UNIT_YEAR}) == len(OF_UNIT_YEAR)  # one colour per status
    dot = "el => getComputedStyle(el, '::before').color"
    with Watched(browser) as w:
        w.open((out / "completeness.html").as_uri())
        for status in OF_UNIT_YEAR:
            rows = w.page.locator(f'#status-table tbody tr:visible[data-status="{status}"]')
            assert rows.count() == per_status.get(status, 0), status
            if rows.count():
                label = rows.first.locator(".status")
                assert label.inner_text() == STATUS_ZH[status]
                assert label.evaluate(dot) == rgb(STATUS_COLORS[status]), status
        # the chart: one trace per status present, in OF_UNIT_YEAR order, in the same colours
        traces = w.page.evaluate("() => document.querySelector('#chart-status .js-plotly-plot').data.map("
                                 "t => [t.name, t.marker.color])")
        assert traces == [[STATUS_ZH[s], STATUS_COLORS[s]] for s in OF_UNIT_YEAR if per_status.get(s)]
        # the index: a row per status, in order, with its count and its dot
        w.open((out / "index.html").as_uri())
        shown = w.page.locator("#summary .slot .status")
        assert shown.all_inner_texts() == [STATUS_ZH[s] for s in OF_UNIT_YEAR]
        for i, status in enumerate(OF_UNIT_YEAR):
            assert shown.nth(i).evaluate(dot) == rgb(STATUS_COLORS[status])
            count = shown.nth(i).locator("xpath=ancestor::tr/td").inner_text()
            assert count == str(per_status.get(status, 0)), status
        # the quality page: each file's status in the same words and colours
        w.open((out / "quality.html").as_uri())
        held = w.page.locator("section.filtered:visible .status-needs_review").first
        assert held.inner_text() == STATUS_ZH["needs_review"]
        assert held.evaluate(dot) == rgb(STATUS_COLORS["needs_review"])
        assert w.errors == []


def test_timeliness_after_the_deadline(site, browser):
    """Past the deadline (the example warehouse is judged today): a unit without a report that counts is 逾期未报,
    a report that came late 逾期报送 (P-LATE), the others 按时; the deadline rule is stated beside the table."""
    db, out, _ = site
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT unit_name, on_time, first_accepted_at IS NOT NULL FROM completeness "
                       "WHERE report_year = ?", [LATEST]).fetchall()
    con.close()
    assert all(on_time is not None for _, on_time, _ in rows)
    with Watched(browser) as w:
        w.open((out / "completeness.html").as_uri())
        shown = dict(w.page.evaluate("() => Array.from(document.querySelectorAll('#status-table tbody tr')).filter("
                                     "r => !r.hidden).map(r => [r.cells[0].innerText, r.cells[5].innerText])"))
        from transforms.rules import RULES

        for name, on_time, counted in rows:
            want = texts.ON_TIME if on_time else RULES["P-LATE"].name_zh if counted else texts.OVERDUE
            assert shown[name] == want, name
        assert {texts.ON_TIME, texts.OVERDUE, RULES["P-LATE"].name_zh} <= set(shown.values())
        assert w.page.locator("#deadline-rule").inner_text().startswith("截止日期：报告年度次年 1月31日；县政府本级 3月31日")


def test_completeness_before_the_deadline_says_not_due(runs, browser):
    """As of 20 January, before the 31 January deadline: a unit without a report that counts is 未到期 — neither late
    nor on time —, whether it sent nothing or its file is held (待核实); a counted report is 按时."""
    db, out = runs
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT value FROM meta WHERE key = 'as_of'").fetchone()[0] == "2025-01-20"
    statuses = dict(con.execute("SELECT unit_name, status FROM completeness").fetchall())
    con.close()
    assert statuses == {"甲镇": "needs_review", "乙镇": "accepted", "丙镇": "missing", "县教育局": "missing",
                        "示例县人民政府": "missing"}
    with Watched(browser) as w:
        w.open((out / "completeness.html").as_uri())
        shown = dict(w.page.evaluate("() => Array.from(document.querySelectorAll('#status-table tbody tr')).map("
                                     "r => [r.cells[0].innerText, [r.cells[3].innerText, r.cells[5].innerText]])"))
        assert shown == {"甲镇": [STATUS_ZH["needs_review"], texts.NOT_DUE], "乙镇": [STATUS_ZH["accepted"], texts.ON_TIME],
                         "丙镇": [STATUS_ZH["missing"], texts.NOT_DUE], "县教育局": [STATUS_ZH["missing"], texts.NOT_DUE],
                         "示例县人民政府": [STATUS_ZH["missing"], texts.NOT_DUE]}
        assert w.page.locator("#deadline-rule").inner_text() == (
            "截止日期：报告年度次年 1月31日；县政府本级 3月31日。统计截至 2025-01-20。")
        w.open((out / "index.html").as_uri())
        summary = dict(w.page.evaluate("() => Array.from(document.querySelectorAll('#summary .slot tr')).map("
                                       "r => [r.cells[0].innerText, r.cells[1].innerText])"))
        assert summary[texts.NOT_DUE] == "4" and summary[texts.OVERDUE] == "0"
        assert w.errors == []


def test_quality_counts_only_the_files_that_stand_for_their_unit_year(runs, browser):
    """甲镇's and 乙镇's older files (T3-BALANCE twice, T3-SHIFT twice) are superseded: only 甲镇's newest file's
    T3-SHIFT counts — in the charts, the list, the completeness page's link and the index."""
    from dashboards.pages.quality import _rule_label

    db, out = runs
    con = duckdb.connect(str(db), read_only=True)
    every = con.execute("SELECT rule, count(*) FROM findings GROUP BY 1 ORDER BY 1").fetchall()
    con.close()
    assert every == [("T3-BALANCE", 2), ("T3-SHIFT", 3)]  # in the warehouse, history kept
    by_rule = variant_rows(read_csv(out / "quality-by-rule.csv"), 2024, "all")
    assert dict(zip(by_rule[texts.CATEGORY], by_rule[texts.VALUE], strict=True)) == {_rule_label("T3-SHIFT"): 1}
    by_unit = variant_rows(read_csv(out / "quality-by-unit.csv"), 2024, "all")
    assert dict(zip(by_unit[texts.CATEGORY], by_unit[texts.VALUE], strict=True)) == {"甲镇": 1}
    with Watched(browser) as w:
        w.open((out / "quality.html").as_uri())
        sections = w.page.locator("section.filtered:visible")
        assert sections.count() == 1 and "甲镇" in sections.first.locator("h2").inner_text()
        assert sections.first.locator("tbody tr").count() == 1
        w.open((out / "completeness.html").as_uri())
        row = w.page.locator("#status-table tbody tr", has_text="甲镇")
        assert row.locator("td:last-child a").inner_text() == texts.FINDINGS_LINK.format(n=1)
        assert w.page.locator("#status-table tbody tr", has_text="乙镇").locator("td:last-child a").count() == 0
        w.open((out / "index.html").as_uri())
        summary = dict(w.page.evaluate("() => Array.from(document.querySelectorAll('#summary .slot tr')).map("
                                       "r => [r.cells[0].innerText, r.cells[1].innerText])"))
        assert (summary[f"{texts.FINDINGS}·错误"], summary[f"{texts.FINDINGS}·提醒"]) == ("0", "1")
        assert w.errors == []


def test_findings_opened_and_resolved_over_runs(runs, browser):
    """The chart's CSV holds the hand-worked numbers of :func:`runs`, in run order, and the figure shows the CSV."""
    _, out = runs
    csv = variant_rows(read_csv(out / "quality-over-runs.csv"), 2024, "all")
    got = list(zip(csv[texts.CATEGORY], csv[texts.SERIES], csv[texts.VALUE], strict=True))
    assert got == [("r1", texts.OPENED, 2), ("r1", texts.RESOLVED, 0), ("r2", texts.OPENED, 1),
                   ("r2", texts.RESOLVED, 1), ("r3", texts.OPENED, 0), ("r3", texts.RESOLVED, 1)]
    # summed over the runs, opened − resolved = what the standing files still hold (one T3-SHIFT)
    assert csv.loc[csv[texts.SERIES] == texts.OPENED, texts.VALUE].sum() - csv.loc[
        csv[texts.SERIES] == texts.RESOLVED, texts.VALUE].sum() == 1
    with Watched(browser) as w:
        w.open((out / "quality.html").as_uri())
        assert [t["x"] for t in w.traces("over-runs")] == [["r1", "r2", "r3"]] * 2
        assert_traces_match_csv(w, out, "quality", 2024, "all")
        assert w.errors == []
