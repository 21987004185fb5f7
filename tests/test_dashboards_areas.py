"""Many counties: the example city 邢台市 through the real pipeline, its dashboards drilled down in real Chromium.

One site of pages per area (the city's at the top, each county's in its folder), the area bar on every page (the
way up, the areas under), the overview's comparison of the children — its numbers those of ``area_totals`` — and a
county's units compared in turn.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from watched import Watched

from countystats.examples.city import CITY_REGISTRY, EXAMPLE_COUNTY, write_example_city_inbox
from dashboards import texts

pytestmark = pytest.mark.browser

PAGES = ["index", "overview", "proactive", "requests", "review", "trends", "completeness", "quality", "rankings"]
CITY = "130500"
YEAR = 2024


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """邢台市's season through the real pipeline (reader, Great Expectations, loader, publish): (settings, site)."""
    from countystats import pipeline
    from countystats.settings import Settings

    root = tmp_path_factory.mktemp("city")
    write_example_city_inbox(root / "inbox")
    settings = Settings(inbox=root / "inbox", db=root / "data" / "w.duckdb", out=root / "out",
                        archive=root / "archive", units=CITY_REGISTRY)
    result = pipeline.run(settings, run_id="city")
    assert result.dashboards_error is None
    site = Path(result.dashboards[0]).parent
    assert len(result.dashboards) == 4 * len(PAGES)  # the city and its three counties
    return settings, site


def _totals(db: Path, area: str, scope: str) -> float:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return float(con.execute(
            "SELECT value FROM area_totals WHERE area_code = ? AND report_year = ? AND scope = ? "
            "AND section = 'requests' AND row_code = 'new_received' AND column_code = 'total'",
            [area, YEAR, scope]).fetchone()[0])
    finally:
        con.close()


def test_every_area_has_every_page_with_the_area_bar(city):
    _, site = city
    for folder, name in (("", "邢台市"), ("130534/", "清河县"), ("130533/", "威县"), ("130535/", "临西县")):
        for page in PAGES:
            html = (site / f"{folder}{page}.html").read_text(encoding="utf-8")
            assert f"<h1>{name} · " in html and 'class="areas"' in html
            if folder:  # a county's page: the way up to the city, the shared scripts one folder up
                assert f'href="../{page}.html">邢台市</a>' in html
                assert page == "index" or 'src="../plotly.min.js"' in html
            else:  # the city's page: its counties under it
                assert all(f'href="{c}/{page}.html"' in html for c in ("130534", "130533", "130535"))
        # the overview speaks of the area as a whole as its consolidated report does: 全市 for the city, 全县 for a county
        overview = (site / f"{folder}overview.html").read_text(encoding="utf-8")
        whole = "全县" if folder else "全市"
        assert f"{whole}汇总数（不含" in overview and f"{YEAR}年度{whole}汇总数为" in overview
        assert folder or "全县汇总数" not in overview
    # above one county a unit is named with its county (three 大营镇 in the city); within its county, plainly
    city = (site / "completeness.html").read_text(encoding="utf-8")
    assert all(f"{c}·大营镇" in city for c in ("清河县", "威县", "临西县"))
    assert "清河县·" not in (site / "130534" / "completeness.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_drill_down_from_the_city_to_a_county_and_back(city, browser, tmp_path):
    settings, site = city
    with Watched(browser) as w:
        w.open((site / "overview.html").as_uri() + f"?year={YEAR}&type=all")
        assert "邢台市" in w.page.locator("header h1").inner_text()
        # the city's figures are area_totals' (不含本级: its counties with their governments' own reports)
        shown = w.page.locator(f'[data-kpi="{texts.NEW_REQUESTS}"]').first.get_attribute("data-value")
        assert float(shown) == _totals(settings.db, CITY, "units")
        rows = w.page.locator("#comparison tbody tr:visible")
        assert rows.count() == 3
        by_child = {rows.nth(i).get_attribute("data-child"): rows.nth(i) for i in range(3)}
        assert set(by_child) == {"130534", "130533", "130535"}
        con = duckdb.connect(str(settings.db), read_only=True)
        rolled = {code: (reported, expected, late) for code, reported, expected, late in con.execute(
            "SELECT area_code, units_reported, units_expected, late FROM area_completeness WHERE report_year = ?",
            [YEAR]).fetchall()}
        con.close()
        for code, row in by_child.items():  # each county's figures: everything under it (含本级)
            assert float(row.get_attribute("data-new")) == _totals(settings.db, code, "all")
            cells = row.locator("td").all_inner_texts()
            reported, expected, late = rolled[code]
            assert cells[5] == f"{reported}/{expected}" and cells[7] == str(late)
        # 清河县 has units missing and one late in 2024: the roll-up says so
        assert rolled[EXAMPLE_COUNTY][0] < rolled[EXAMPLE_COUNTY][1] and rolled[EXAMPLE_COUNTY][2] >= 1
        waiting = [float(rows.nth(i).get_attribute("data-not-concluded") or 0) for i in range(3)]
        assert waiting == sorted(waiting, reverse=True)  # the most requests not concluded first
        w.page.screenshot(path=str(tmp_path / "city-overview.png"), full_page=True)
        # down to 清河县, the year kept
        by_child[EXAMPLE_COUNTY].locator("a").click()
        w.page.wait_for_load_state("load")
        assert f"/{EXAMPLE_COUNTY}/overview.html" in w.page.url and f"year={YEAR}" in w.page.url
        assert "清河县" in w.page.locator("header h1").inner_text()
        shown = w.page.locator(f'[data-kpi="{texts.NEW_REQUESTS}"]').first.get_attribute("data-value")
        assert float(shown) == _totals(settings.db, EXAMPLE_COUNTY, "units")
        # a county compares its units: every expected unit of the year, one row each
        con = duckdb.connect(str(settings.db), read_only=True)
        expected = con.execute("SELECT count(*) FROM completeness WHERE area_code = ? AND report_year = ?",
                               [EXAMPLE_COUNTY, YEAR]).fetchone()[0]
        con.close()
        assert w.page.locator("#comparison tbody tr:visible").count() == expected
        assert w.page.locator("#comparison h2").inner_text() == texts.COMPARISON_UNITS
        w.page.screenshot(path=str(tmp_path / "county-overview.png"), full_page=True)
        # on another page, up the trail to the city, the filters kept
        w.page.click("nav:not(.areas) a[href^='completeness.html']")
        w.page.wait_for_load_state("load")
        w.page.click("nav.areas a:has-text('邢台市')")
        w.page.wait_for_load_state("load")
        assert w.page.url.split("?")[0].endswith("/completeness.html") and f"/{EXAMPLE_COUNTY}/" not in w.page.url
        assert f"year={YEAR}" in w.page.url
        # any area at once from the selector: 威县's completeness
        options = w.page.locator("nav.areas select option").all_inner_texts()
        assert [o.strip() for o in options] == ["邢台市", "威县", "清河县", "临西县"]  # by area code
        with w.page.expect_navigation():
            w.page.select_option("nav.areas select", label="\u3000威县")
        assert "/130533/completeness.html" in w.page.url and f"year={YEAR}" in w.page.url
        assert "威县" in w.page.locator("header h1").inner_text()
        assert w.errors == [] and w.foreign == []
