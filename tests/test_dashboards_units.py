"""A page per unit and the rankings (排名), from the example warehouse, in real headless Chromium.

The numbers a page shows are checked against DuckDB queries of the warehouse written here (the unit's figures from
the ``*_cells`` views, the county's from ``county_totals``), never against the dashboards' own code; the rankings
against a pandas recomputation of those queries (direction, ties, the minimum number of cases). Then the links that
lead to a unit's page (completeness, rankings, a county's subsite of a city), escaping, phone and desktop layouts,
print, and a unit's files and findings over several runs (:func:`runs`: a superseded file, the standing one's
findings errors first).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from watched import Watched

from countystats.examples.warehouses import HOSTILE_NAME, YEARS
from dashboards import texts
from dashboards.build import build_dashboards
from dashboards.data import MIN_CASES
from dashboards.shell import findings_anchor
from transforms.format import STATUS_ZH

LATEST = max(YEARS)
HOSTILE = "T004"  # the example county's township with the hostile name: counted in 2024, with a finding
# every visible table cell at least two characters wide (its font size twice), measured in the page
NARROW_CELLS = """() => Array.from(document.querySelectorAll('table')).filter(t => t.offsetParent !== null)
    .flatMap(t => Array.from(t.querySelectorAll('th, td'))).filter(c => c.offsetParent !== null)
    .map(c => [c.textContent.trim().slice(0, 20), c.getBoundingClientRect().width,
               2 * parseFloat(getComputedStyle(c).fontSize)]).filter(([, w, min]) => w < min)"""


def slug(code: str) -> str:
    return findings_anchor(code, "x")[2:-2]


@pytest.fixture
def site(example_site) -> tuple[Path, Path]:
    """The example warehouse and its site (tests/conftest.py: built once for the modules that only read it)."""
    return example_site


def query(db: Path, sql: str, params=()) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


# the unit's figures, from the cells of its current counted report: 总计 columns left out and re-added from their parts
UNIT_FIGURES = """
WITH req AS (
    SELECT unit_code, unit_type, report_year,
           sum(coalesce(value, 0)) FILTER (WHERE row_code IN ('granted', 'partly_granted')) AS granted,
           sum(coalesce(value, 0)) FILTER (WHERE row_code = 'concluded_total') AS concluded,
           sum(coalesce(value, 0)) FILTER (WHERE row_code = 'new_received') AS new_requests
    FROM requests_cells WHERE applicant_code <> 'total' GROUP BY ALL),
rev AS (
    SELECT unit_code, report_year,
           sum(coalesce(value, 0)) FILTER (WHERE proceeding_code = 'reconsideration' AND result_code = 'corrected')
               AS corrected,
           sum(coalesce(value, 0)) FILTER (WHERE proceeding_code = 'reconsideration' AND result_code <> 'pending')
               AS reviewed,
           sum(coalesce(value, 0)) AS disputes
    FROM review_litigation_cells WHERE result_code <> 'total' GROUP BY ALL)
SELECT unit_code, unit_type, report_year, granted, concluded, new_requests,
       coalesce(corrected, 0) AS corrected, coalesce(reviewed, 0) AS reviewed, coalesce(disputes, 0) AS disputes
FROM req LEFT JOIN rev USING (unit_code, report_year)
"""
COUNTY_FIGURES = """
SELECT report_year,
       sum(value) FILTER (WHERE section = 'requests' AND row_code IN ('granted', 'partly_granted')
                          AND column_code = 'total') AS granted,
       sum(value) FILTER (WHERE section = 'requests' AND row_code = 'concluded_total' AND column_code = 'total')
           AS concluded,
       sum(value) FILTER (WHERE section = 'requests' AND row_code = 'new_received' AND column_code = 'total')
           AS new_requests,
       sum(value) FILTER (WHERE section = 'review_litigation' AND row_code = 'reconsideration'
                          AND column_code = 'corrected') AS corrected,
       sum(value) FILTER (WHERE section = 'review_litigation' AND row_code = 'reconsideration'
                          AND column_code = 'total')
       - sum(value) FILTER (WHERE section = 'review_litigation' AND row_code = 'reconsideration'
                            AND column_code = 'pending') AS reviewed,
       sum(value) FILTER (WHERE section = 'review_litigation' AND column_code = 'total') AS disputes
FROM county_totals WHERE scope = 'units' GROUP BY ALL
"""
# rate key -> (numerator, denominator, higher is better)
RATES = {"disclosure": ("granted", "concluded", True), "correction": ("corrected", "reviewed", False),
         "dispute": ("disputes", "new_requests", False)}


def rate_cells(w: Watched, year: int) -> dict[tuple[str, str], tuple[str, str]]:
    """The year block's rates as shown: (rate, unit|county) -> (data-num, data-den)."""
    return {(k, s): (n, d) for k, s, n, d in w.page.evaluate(
        """y => Array.from(document.querySelectorAll('#year-' + y + ' td[data-rate]')).map(td =>
            [td.dataset.rate, td.dataset.scope, td.dataset.num || '', td.dataset.den || ''])""", year)}


def viewport(browser, width: int, height: int) -> Watched:
    w = Watched(browser)
    w.page.set_viewport_size({"width": width, "height": height})
    return w


# ---------------------------------------------------------------- the computation (no browser)


@pytest.mark.unit
def test_rates_are_ranked_by_direction_with_ties_and_too_few_cases_apart():
    from dashboards.pages.rankings import RATES as PAGE_RATES
    from dashboards.pages.rankings import in_order, rate_table

    figures = pd.DataFrame(
        [  # code, type, granted, concluded, corrected, reviewed, disputes, new_requests
            ("A", "township", 8, 10, 1, 10, 1, 50),
            ("B", "township", 4, 5, 0, 5, 2, 50),  # disclosure 80% like A: the same rank
            ("C", "department", 9, 10, 3, 4, 0, 3),  # 3/4 corrections, 3 new requests: fewer than 5 cases
            ("D", "department", 1, 10, 5, 5, 5, 10),
            ("E", "subdistrict", 0, 0, 0, 0, 0, 0),  # no case at all: no rate, not listed
        ], columns=["unit_code", "unit_type", "granted", "concluded", "corrected", "reviewed", "disputes",
                    "new_requests"]).assign(report_year=2024, unit_name=lambda d: d["unit_code"] + "镇")
    rates = {r.key: r for r in PAGE_RATES}

    def listed(key: str, unit_type: str = "all") -> list[tuple[str, float | None]]:
        rows = in_order(rate_table(figures, rates[key], 5), 2024, unit_type)
        return [(c, None if r != r else int(r)) for c, r in zip(rows["unit_code"], rows["rank"], strict=True)]

    # higher is better: 90% first, two units at 80% share rank 2, then 10%
    assert listed("disclosure") == [("C", 1), ("A", 2), ("B", 2), ("D", 4)]
    # lower is better: 0 of 5 first; C's 3 of 4 is fewer than 5 cases: listed after the ranked, not ranked
    assert listed("correction") == [("B", 1), ("A", 2), ("D", 3), ("C", None)]
    assert listed("dispute") == [("A", 1), ("B", 2), ("D", 3), ("C", None)]
    # among one type: ranks of that type's units
    assert listed("disclosure", "department") == [("C", 1), ("D", 2)]
    assert listed("correction", "department") == [("D", 1), ("C", None)]
    # the setting: with 3 cases enough, C's 0 of 3 disputes ranks first
    rows = in_order(rate_table(figures, rates["dispute"], 3), 2024, "all")
    assert list(rows["unit_code"])[:1] == ["C"] and rows["rank"].notna().all()


@pytest.mark.unit
def test_on_time_ranking_counts_the_years_due_up_to_the_year():
    from dashboards.pages.rankings import on_time_in_order, on_time_table

    rows = [  # code, year, on_time (None: not yet due), first counted report
        ("A", 2022, True, "2023-01-10"), ("A", 2023, True, "2024-01-20"), ("A", 2024, None, None),
        ("B", 2022, False, None), ("B", 2023, True, "2024-01-05"), ("B", 2024, True, "2025-01-02"),
        ("C", 2023, False, "2024-03-01"), ("C", 2024, True, "2025-01-30"),
        ("D", 2024, None, None),
    ]
    comp = pd.DataFrame(rows, columns=["unit_code", "report_year", "on_time", "first_accepted_at"]).assign(
        unit_name=lambda d: d["unit_code"], unit_type="township", backfilled=False,
        deadline=lambda d: pd.to_datetime(d["report_year"].map(lambda y: f"{y + 1}-01-31")),
        first_accepted_at=lambda d: pd.to_datetime(d["first_accepted_at"]))
    comp["on_time"] = comp["on_time"].astype(object)
    table = on_time_table(comp)
    got = on_time_in_order(table, 2024, "all")
    # A 2/2 (2024 not due), B 2/3, C 1/2; D has no year due: not ranked
    assert list(zip(got["unit_code"], got["ok"], got["due"], strict=True)) == [
        ("A", 2, 2), ("B", 2, 3), ("C", 1, 2), ("D", 0, 0)]
    assert [None if r != r else int(r) for r in got["rank"]] == [1, 2, 3, None]
    # up to 2023: A 2/2, B 1/2, C 0/1
    got = on_time_in_order(table, 2023, "all")
    assert list(zip(got["unit_code"], got["rank"].astype(int), strict=True)) == [("A", 1), ("B", 2), ("C", 3)]


# ---------------------------------------------------------------- the pages (every test below opens Chromium or
# shares its site)


@pytest.mark.browser
def test_every_unit_has_its_page_and_the_chart_csvs(site):
    db, out = site
    codes = list(query(db, "SELECT unit_code FROM units")["unit_code"])
    pages = {p.name for p in (out / "units").glob("*.html")}
    assert pages == {f"{slug(c)}.html" for c in codes}
    for chart in ("requests", "rates"):
        path = out / "units" / f"units-{chart}.csv"
        assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        assert rows[0] == [texts.YEAR, texts.UNIT_TYPE, texts.SERIES, texts.CATEGORY, texts.VALUE]
        assert HOSTILE_NAME in {r[3] for r in rows[1:]}  # the unit, as text (it starts with no formula sign)
    html = (out / "units" / f"{HOSTILE}.html").read_text(encoding="utf-8")
    assert 'src="../plotly.min.js"' in html and HOSTILE_NAME not in html  # escaped everywhere
    assert 'href="../overview.html' in html and 'href="../rankings.html' in html  # the menu: the site's pages
    assert 'href="units-requests.csv"' in html


@pytest.mark.browser
def test_a_unit_page_shows_its_years_status_files_findings_and_rates(site, browser, tmp_path_factory):
    db, out = site
    shots = tmp_path_factory.mktemp("unit-shots")
    status = query(db, "SELECT report_year, status FROM completeness WHERE unit_code = ? ORDER BY 1 DESC",
                   [HOSTILE])
    unit = query(db, UNIT_FIGURES + " WHERE unit_code = ?", [HOSTILE]).set_index("report_year")
    county = query(db, COUNTY_FIGURES).set_index("report_year")
    files = query(db, "SELECT submission_id, report_year, strftime(received_at, '%Y-%m-%d %H:%M') AS received, "
                      "status FROM submissions WHERE unit_code = ? ORDER BY received_at", [HOSTILE])
    findings = query(db, "SELECT f.rule, f.severity FROM findings f JOIN submissions s USING (submission_id) "
                         "WHERE s.unit_code = ? AND s.report_year = ?", [HOSTILE, LATEST])
    assert len(findings) >= 1 and LATEST in unit.index
    with Watched(browser) as w:
        w.open((out / "units" / f"{HOSTILE}.html").as_uri())
        # the unit's name as text, nothing run
        assert w.page.locator("main > h2").inner_text() == HOSTILE_NAME
        assert HOSTILE_NAME in w.page.title()
        assert w.page.evaluate("() => Array.from(document.querySelectorAll('script')).filter("
                               "s => s.textContent.trim() === 'alert(1)').length") == 0
        # its years, newest first, each with its status
        shown = w.page.evaluate("() => Array.from(document.querySelectorAll('#unit-history tbody tr')).map("
                                "r => [r.dataset.year, r.cells[1].innerText])")
        assert shown == [[str(y), STATUS_ZH[s]] for y, s in zip(status["report_year"], status["status"], strict=True)]
        # the year filter chooses the year shown: the newest first
        assert w.page.locator(f"#year-{LATEST}").is_visible()
        assert all(not w.page.locator(f"#year-{y}").is_visible() for y in YEARS if y != LATEST)
        for year in YEARS:
            w.select(year, "all")
            assert w.page.locator(f"#year-{year}").is_visible()
            # its rates beside the county's: the figures of the warehouse
            cells = rate_cells(w, year)
            for key, (num, den, _) in RATES.items():
                if year in unit.index:
                    assert cells[(key, "unit")] == (f"{unit.loc[year, num]:.10g}", f"{unit.loc[year, den]:.10g}"), (year, key)
                else:
                    assert cells[(key, "unit")] == ("", "")
                assert cells[(key, "county")] == (f"{county.loc[year, num]:.10g}", f"{county.loc[year, den]:.10g}"), (year, key)
            # every file of the year, with its received time and status
            rows = w.page.evaluate("y => Array.from(document.querySelectorAll('#year-' + y + ' table.unit-files tbody tr'))"
                                   ".map(r => [r.dataset.submission, r.cells[0].innerText, r.cells[2].innerText])", year)
            want = files[files["report_year"] == year]
            assert [(int(s), t) for s, t, _ in rows] == list(zip(want["submission_id"], want["received"], strict=True))
            assert all(STATUS_ZH[s] in text for (_, _, text), s in zip(rows, want["status"], strict=True))
        w.select(LATEST, "all")
        # the findings of the file that stands, with the link to the quality page
        items = w.page.locator(f"#year-{LATEST} ul.findings li")
        assert items.count() == len(findings)
        assert all(rule in w.page.locator(f"#year-{LATEST}").inner_text() for rule in findings["rule"])
        link = w.page.locator(f"#year-{LATEST} a[href*='quality.html']")
        assert link.get_attribute("href").endswith(f"#{findings_anchor(HOSTILE, LATEST)}")
        # the charts: the requests (three series) and the rate beside the county's, each year's figure the warehouse's
        traces = w.traces("requests")
        assert [t["name"] for t in traces] == [texts.NEW_REQUESTS, texts.CONCLUDED, texts.CARRIED_FORWARD]
        new = dict(zip(traces[0]["x"], traces[0]["y"], strict=True))
        assert {y: v for y, v in new.items() if v is not None} == {y: unit.loc[y, "new_requests"] for y in unit.index}
        rates = w.traces("rates")
        assert [t["name"] for t in rates] == [texts.THIS_UNIT, texts.COUNTY_SCOPE.format(whole="全县")]
        ours = dict(zip(rates[0]["x"], rates[0]["y"], strict=True))
        for y in unit.index:
            assert ours[y] == pytest.approx(unit.loc[y, "granted"] / unit.loc[y, "concluded"])
        w.page.screenshot(path=str(shots / "unit-1366.png"), full_page=True)
        # print: the unit's name and the year, without the menu and filters
        w.page.emulate_media(media="print")
        assert w.page.locator("main > h2").is_visible() and w.page.locator(f"#year-{LATEST} > h2").is_visible()
        assert w.page.locator(f"#year-{LATEST} > h2").inner_text() == texts.UNIT_YEAR.format(year=LATEST)
        assert not w.page.locator(".filters").is_visible()
        assert all(not w.page.locator(f"#year-{y}").is_visible() for y in YEARS if y != LATEST)
        assert w.errors == [] and w.dialogs == [] and w.foreign == []
    with viewport(browser, 1366, 768) as w:
        w.open((out / "units" / f"{HOSTILE}.html").as_uri())
        w.page.screenshot(path=str(shots / "unit-1366x768.png"))
    with viewport(browser, 390, 844) as w:
        w.open((out / "units" / f"{HOSTILE}.html").as_uri())
        assert w.page.evaluate(NARROW_CELLS) == []
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing runs off the screen
        w.page.screenshot(path=str(shots / "unit-390x844.png"), full_page=True)
        assert (shots / "unit-390x844.png").stat().st_size > 10_000
        assert w.errors == []
    print(f"screenshots in {shots}")


def ranking_rows(w: Watched, block: str) -> list[dict]:
    return w.page.evaluate("""id => Array.from(document.querySelectorAll('#' + id + ' .slot tbody tr')).map(r => ({
        rank: r.cells[0].innerText.trim(), code: r.querySelector('a.unit-link').getAttribute('href'),
        name: r.cells[1].innerText, value: r.cells[2].innerText.trim(), parts: r.cells[3].innerText.trim(),
        ranked: !r.classList.contains('not-ranked')}))""", block)


def expected_ranking(figures: pd.DataFrame, key: str, min_cases: int) -> pd.DataFrame:
    num, den, higher = RATES[key]
    df = figures[figures[den] > 0].copy()
    df["rate"] = df[num] / df[den]
    df["ranked"] = df[den] >= min_cases
    keyed = df["rate"].where(df["ranked"])
    df["rank"] = (keyed if higher else -keyed).rank(method="min", ascending=False)
    return df


@pytest.mark.browser
def test_rankings_follow_the_warehouse_and_the_filters(site, browser, tmp_path_factory):
    db, out = site
    shots = tmp_path_factory.mktemp("ranking-shots")
    figures = query(db, UNIT_FIGURES)
    with Watched(browser) as w:
        w.open((out / "rankings.html").as_uri())
        seen_too_few = False
        for year in YEARS:
            for unit_type in ("all", "township"):
                w.select(year, unit_type)
                part = figures[figures["report_year"] == year]
                if unit_type != "all":
                    part = part[part["unit_type"] == unit_type]
                for key in RATES:
                    want = expected_ranking(part, key, MIN_CASES)
                    rows = ranking_rows(w, f"rank-{key}")
                    got = {r["code"].split("?")[0].split("/")[-1].removesuffix(".html"): r for r in rows}
                    assert set(got) == {slug(c) for c in want["unit_code"]}, (year, unit_type, key)
                    for r in want.itertuples():
                        row = got[slug(r.unit_code)]
                        n, d = getattr(r, RATES[key][0]), getattr(r, RATES[key][1])
                        assert row["parts"] == f"{n:,.0f} ÷ {d:,.0f}"
                        if r.ranked:
                            assert row["ranked"] and int(row["rank"]) == int(r.rank), (year, key, r.unit_code)
                            assert row["value"] == f"{r.rate:.1%}"
                        else:  # shown as such: its figures, never a rate, never ranked
                            seen_too_few = True
                            assert not row["ranked"] and row["rank"] == texts.DASH
                            assert row["value"] == texts.TOO_FEW.format(n=MIN_CASES) and "%" not in row["value"]
                    # listed in rank order, the units not ranked after them
                    flags = [r["ranked"] for r in rows]
                    assert flags == sorted(flags, reverse=True)
                    ranks = [int(r["rank"]) for r in rows if r["ranked"]]
                    assert ranks == sorted(ranks)
        assert seen_too_few  # the example has reconsiderations over fewer than five cases
        # on time: years on time of the years due up to the year
        comp = query(db, "SELECT unit_code, report_year, on_time FROM completeness")
        w.select(LATEST, "all")
        rows = {r["code"].split("?")[0].split("/")[-1].removesuffix(".html"): r for r in ranking_rows(w, "rank-on-time")}
        expected = set(comp.loc[comp["report_year"] == LATEST, "unit_code"])  # the units of the year, each once
        assert set(rows) == {slug(c) for c in expected}
        upto = comp[(comp["report_year"] <= LATEST) & comp["unit_code"].isin(expected)]
        for code, g in upto.groupby("unit_code"):
            due, ok = int(g["on_time"].notna().sum()), int((g["on_time"] == True).sum())  # noqa: E712
            assert rows[slug(code)]["value"] == texts.YEARS_ON_TIME_VALUE.format(ok=ok, due=due), code
        shares = [eval(r["value"].removesuffix("年")) for r in ranking_rows(w, "rank-on-time")]  # noqa: S307
        assert shares == sorted(shares, reverse=True)
        # the hostile name is text here too
        assert w.page.get_by_text(HOSTILE_NAME).first.is_visible()
        w.page.screenshot(path=str(shots / "rankings-1366.png"), full_page=True)
        assert w.errors == [] and w.dialogs == [] and w.foreign == []
    with viewport(browser, 390, 844) as w:
        w.open((out / "rankings.html").as_uri())
        assert w.page.evaluate(NARROW_CELLS) == []
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= 390
        w.page.screenshot(path=str(shots / "rankings-390x844.png"), full_page=True)
    with viewport(browser, 1366, 768) as w:
        w.open((out / "rankings.html").as_uri())
        w.page.screenshot(path=str(shots / "rankings-1366x768.png"))
        assert w.errors == []


@pytest.mark.browser
def test_the_minimum_of_cases_is_a_setting(site, tmp_path):
    """With min_cases=1 every rate over a case is ranked; the page says how many cases are enough."""
    db, _ = site
    build_dashboards(db, tmp_path / "site", min_cases=1)
    html = (tmp_path / "site" / "rankings.html").read_text(encoding="utf-8")
    assert 'class="not-ranked"' not in html.split('id="rank-on-time"')[0]
    assert texts.RANKINGS_NOTE.format(n=1) in html
    from countystats.settings import Settings

    assert Settings().min_cases == MIN_CASES and Settings.from_env(min_cases="3").min_cases == 3


@pytest.mark.browser
def test_links_from_completeness_and_rankings_reach_the_unit_page(site, browser):
    _, out = site
    with Watched(browser) as w:
        w.open((out / "completeness.html").as_uri() + f"?year={LATEST}&type=all")
        row = w.page.locator("#status-table tbody tr:visible", has_text=HOSTILE_NAME)
        with w.page.expect_navigation():
            row.locator("a.unit-link").click()
        assert w.page.url.split("?")[0].endswith(f"/units/{HOSTILE}.html") and f"year={LATEST}" in w.page.url
        assert w.page.locator("main > h2").inner_text() == HOSTILE_NAME
        assert w.page.locator(f"#year-{LATEST}").is_visible()
        # the unit page's menu leads back to the site, the year kept
        with w.page.expect_navigation():
            w.page.click("header nav a[href^='../rankings.html']")
        assert w.page.url.split("?")[0].endswith("/rankings.html") and f"year={LATEST}" in w.page.url
        w.select(2023, "all")
        link = w.page.locator("#rank-disclosure .slot a.unit-link").first
        name = link.inner_text()
        with w.page.expect_navigation():
            link.click()
        assert "/units/" in w.page.url and "year=2023" in w.page.url
        assert w.page.locator("main > h2").inner_text() == name and w.page.locator("#year-2023").is_visible()
        # the quality page's findings of a unit lead to it too
        w.open((out / "quality.html").as_uri())
        assert w.page.locator(f"[id='{findings_anchor(HOSTILE, LATEST)}'] h2 a.unit-link").get_attribute(
            "href").startswith(f"units/{HOSTILE}.html")
        assert w.errors == [] and w.foreign == []


# ---------------------------------------------------------------- a unit's files over runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two runs (the fake reader): 甲镇 sends a file with a warning, then one with an error and a warning, which
    stands; 乙镇 a rejected file, then a clean one."""
    from fake_reading import FAKE, drop

    from countystats import pipeline
    from countystats.examples.small import write_units
    from countystats.settings import Settings

    root = tmp_path_factory.mktemp("unit-runs")
    settings = Settings(inbox=root / "inbox", db=root / "w.duckdb", out=root / "out", archive=root / "archive",
                        units=write_units(root / "units.csv"), today="2025-01-20")
    drop(settings.inbox, "a1.xlsx", "2025-01-05 09:00:00", new=5, warning=True)
    drop(settings.inbox, "b1.xlsx", "2025-01-05 10:00:00", unit_code="T02", unit_name="乙镇", new=7, errors=True)
    pipeline.run(settings, run_id="r1", **FAKE)
    drop(settings.inbox, "a2.xlsx", "2025-01-10 09:00:00", new=6, warning=True, errors=True)
    drop(settings.inbox, "b2.xlsx", "2025-01-10 10:00:00", unit_code="T02", unit_name="乙镇", new=8)
    result = pipeline.run(settings, run_id="r2", **FAKE)
    assert result.dashboards_error is None
    return settings.db, Path(result.dashboards[0]).parent


@pytest.mark.browser
def test_a_unit_page_lists_every_file_and_the_findings_of_the_one_that_stands(runs, browser):
    db, out = runs
    files = query(db, "SELECT submission_id, status, is_current FROM submissions WHERE unit_code = 'T01' "
                      "ORDER BY received_at")
    newest = int(files["submission_id"].iloc[-1])
    severities = query(db, "SELECT severity FROM findings WHERE submission_id = ?", [newest])["severity"]
    assert sorted(severities) == ["error", "warning"]
    with Watched(browser) as w:
        w.open((out / "units" / "T01.html").as_uri() + "?year=2024&type=all")
        rows = w.page.evaluate("() => Array.from(document.querySelectorAll('#year-2024 table.unit-files tbody tr'))"
                               ".map(r => [+r.dataset.submission, r.dataset.stands, r.dataset.current, "
                               "+r.dataset.findings, r.cells[2].innerText])")
        assert [r[0] for r in rows] == list(files["submission_id"])
        assert [r[1] for r in rows] == ["", "1"]  # the newer file stands, the older is superseded
        assert [r[2] == "1" for r in rows] == list(files["is_current"])
        assert texts.SUPERSEDED in rows[0][4] and texts.STANDS in rows[1][4]
        assert rows[0][3] == 1 and rows[1][3] == 2
        # the standing file's findings only: errors first, then warnings
        shown = w.page.evaluate("() => Array.from(document.querySelectorAll('#year-2024 ul.findings li')).map("
                                "li => li.dataset.severity)")
        assert shown == ["error", "warning"]
        status = w.page.locator("#year-2024 .year-status").inner_text()
        assert STATUS_ZH["rejected"] in status  # the unit-year's status, the completeness view's
        # 乙镇: its rejected file superseded by the clean one, no findings to list
        w.open((out / "units" / "T02.html").as_uri() + "?year=2024&type=all")
        assert w.page.locator("#year-2024 table.unit-files tbody tr").count() == 2
        assert w.page.locator("#year-2024 ul.findings li").count() == 0
        assert texts.UNIT_FINDINGS_NONE in w.page.locator("#year-2024").inner_text()
        # 丙镇 sent nothing: its year says so, its rates are “—”
        w.open((out / "units" / "T03.html").as_uri() + "?year=2024&type=all")
        assert texts.UNIT_FILES_NONE in w.page.locator("#year-2024").inner_text()
        assert STATUS_ZH["missing"] in w.page.locator("#year-2024 .year-status").inner_text()
        assert w.errors == []


# ---------------------------------------------------------------- many counties


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """邢台市's season through the real pipeline (as tests/test_dashboards_areas.py): (settings, site)."""
    from countystats import pipeline
    from countystats.examples.city import CITY_REGISTRY, write_example_city_inbox
    from countystats.settings import Settings

    root = tmp_path_factory.mktemp("city-units")
    write_example_city_inbox(root / "inbox")
    settings = Settings(inbox=root / "inbox", db=root / "data" / "w.duckdb", out=root / "out",
                        archive=root / "archive", units=CITY_REGISTRY)
    result = pipeline.run(settings, run_id="city")
    assert result.dashboards_error is None
    return settings, Path(result.dashboards[0]).parent


@pytest.mark.browser
@pytest.mark.slow
def test_a_county_subsite_links_to_the_shared_unit_pages(city, browser):
    from countystats.examples.city import EXAMPLE_COUNTY

    settings, site = city
    units = query(settings.db, "SELECT unit_code, unit_name FROM units WHERE area_code = ? "
                               "AND unit_type = 'township' ORDER BY unit_code", [EXAMPLE_COUNTY])
    code, name = units.iloc[0]
    page = (site / EXAMPLE_COUNTY / "completeness.html").read_text(encoding="utf-8")
    assert f'href="../units/{slug(code)}.html"' in page
    assert not (site / EXAMPLE_COUNTY / "units").exists()  # written once, in the top folder
    county = query(settings.db, "SELECT sum(value) FILTER (WHERE row_code IN ('granted', 'partly_granted')) AS g, "
                                "sum(value) FILTER (WHERE row_code = 'concluded_total') AS c FROM area_totals "
                                "WHERE area_code = ? AND scope = 'units' AND report_year = 2024 "
                                "AND section = 'requests' AND column_code = 'total'", [EXAMPLE_COUNTY]).iloc[0]
    with Watched(browser) as w:
        w.open((site / EXAMPLE_COUNTY / "completeness.html").as_uri() + "?year=2024&type=all")
        row = w.page.locator("#status-table tbody tr:visible").filter(has=w.page.locator(
            f"a.unit-link[href^='../units/{slug(code)}.html']"))
        with w.page.expect_navigation():
            row.locator("a.unit-link").click()
        assert re.search(rf"/units/{slug(code)}\.html\?year=2024", w.page.url)
        # above one county a unit is named with its county; the page is of its county's site
        assert w.page.locator("main > h2").inner_text() == f"清河县·{name}"
        assert w.page.locator("header nav:not(.areas) a[href^='../130534/overview.html']").count() == 1
        assert "清河县" in w.page.locator("header h1").inner_text()
        # its rates beside its county's (area_totals of 清河县, 不含本级), not the city's
        assert rate_cells(w, 2024)[("disclosure", "county")] == (f"{county['g']:.10g}", f"{county['c']:.10g}")
        assert w.page.locator("#chart-rates .js-plotly-plot").count() == 1  # plotly.min.js from the top folder
        with w.page.expect_navigation():
            w.page.click("header nav:not(.areas) a[href^='../130534/rankings.html']")
        assert f"/{EXAMPLE_COUNTY}/rankings.html" in w.page.url
        assert w.page.locator(f"#rank-on-time .slot a.unit-link[href^='../units/{slug(code)}.html']").count() == 1
        assert w.errors == [] and w.foreign == []
