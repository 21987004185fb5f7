"""The dashboards, built from an example warehouse and opened in real headless Chromium (Debian's, never a download).

The warehouse comes from ``countystats.examples.warehouses``: consistent reports, some broken on purpose,
validated by Great Expectations and loaded by the real loader, so every relation and status is the product's.

Checks per page: no console/page errors, nothing requested from anywhere but the local files, the expected
charts and traces for the data (derived from the chart CSVs, which share their source with the figures), a
screenshot; then escaping of a hostile unit name, the filters, the CSV downloads, the findings links, read-only
use of the warehouse, and a build over the real pipeline's warehouse.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from countystats.examples.warehouses import HOSTILE_NAME, YEARS, build_warehouse
from dashboards import texts
from dashboards.build import PLOTLY_JS, build_dashboards
from transforms.format import OF_UNIT_YEAR, UNIT_TYPE_ZH, for_year, ordered

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
PAGES = ["index", "overview", "proactive", "requests", "review", "trends", "completeness", "quality"]
LATEST = max(YEARS)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path, list[Path]]:
    root = tmp_path_factory.mktemp("dash")
    db = build_warehouse(root / "w.duckdb")
    out = root / "site"
    return db, out, build_dashboards(db, out)


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "Debian chromium is not installed: `python3 dev.py test` installs it"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Watched:
    """A page with every console error, page error, dialog and non-file request recorded."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1366, "height": 900})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: None if r.url.startswith(("file://", "data:", "blob:")) else self.foreign.append(r.url))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def charts(self) -> dict[str, list[int]]:
        """chart id -> trace counts of its live figures (normally one figure, or none for an empty variant)."""
        return self.page.evaluate(
            """() => Object.fromEntries(Array.from(document.querySelectorAll('section[id^="chart-"]')).map(s =>
                [s.id.slice(6), Array.from(s.querySelectorAll('.js-plotly-plot')).map(el => el.data.length)]))"""
        )

    def traces(self, chart_id: str) -> list[dict]:
        return self.page.evaluate(
            """id => { const el = document.querySelector('#chart-' + id + ' .js-plotly-plot');
                return el ? el.data.map(t => ({name: t.name, x: t.x, y: t.y, orientation: t.orientation || 'v'})) : []; }""",
            chart_id,
        )

    def select(self, year: int, unit_type: str) -> None:
        self.page.select_option("#f-year", str(year))
        self.page.select_option("#f-type", unit_type)

    def close(self) -> None:
        self.page.close()

    def __enter__(self) -> Watched:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


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
            got[name] = sum(v for v in values if v is not None)
        assert got == pytest.approx(want), f"{page}/{chart_id} for {year}/{unit_type}"


def test_site_files_are_offline_and_complete(site):
    _, out, pages = site
    assert [p.name for p in pages] == [f"{p}.html" for p in PAGES]
    assert (out / PLOTLY_JS).stat().st_size > 1_000_000
    for p in pages:
        html = p.read_text(encoding="utf-8")
        assert 'src="http' not in html and "cdn." not in html.lower()
        assert ("plotly.min.js" in html) == (p.stem != "index")
        assert "@media print" in html and 'lang="zh-CN"' in html
        # every chart has its CSV link next to it, and every link its file
        links = re.findall(r'href="([^"]+\.csv)" download', html)
        assert sorted(links) == sorted(c.name for c in out.glob(f"{p.stem}-*.csv"))
        assert html.count('<section class="block" id="chart-') == len(links)
    assert len(list(out.glob("*.csv"))) == 15


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
        row.locator("a").click()
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
def test_dashboards_of_the_example_county_through_the_real_pipeline(example_inbox, tmp_path, browser):
    """清河县 end to end: real reader, Great Expectations, loader, publish; then every page in Chromium."""
    from countystats import pipeline
    from countystats.settings import Settings

    inbox = tmp_path / "inbox"
    shutil.copytree(example_inbox, inbox)  # the shared fixture must stay untouched
    settings = Settings(inbox=inbox, db=tmp_path / "data" / "w.duckdb", out=tmp_path / "out",
                        archive=tmp_path / "archive")
    result = pipeline.run(settings, run_id="dash")
    assert result.dashboards_error is None and len(result.dashboards) == len(PAGES)
    site_dir = Path(result.dashboards[0]).parent
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
