"""Many counties in one deployment, in the warehouse: area_code on every relation, the areas tree, area_totals at
every level (a city's figures are its counties', a province's its cities', the governments' own reports apart), the
coverage and completeness behind them, the roll-up re-checked at each level, and ``export --area``.

The warehouse is built through the real schema and loader from consistent reports (no reader, no validation): a
province of two cities, the first with two counties and its city government, the second with one county; every county
has a 城关镇 and a 大营镇 (the same names), a department and its county government.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from warehouse_query import query

from countystats.examples.reports import consistent_values, submission_from
from countystats.examples.warehouses import load_run
from countystats.settings import Settings
from transforms.format import for_year
from transforms.inbox.archive import IncomingFile
from transforms.model import Finding
from transforms.registry import Registry
from transforms.warehouse.rollup import RollupError, check_rollup, consolidation_failures
from transforms.writing.export import AreaError, export_county

ROOT = Path(__file__).resolve().parent.parent

AREAS_CSV = """area_code,area_name,area_type,parent_code
P1,示例省,province,
C1,甲市,city,P1
C2,乙市,city,P1
K1,东县,county,C1
K2,西县,county,C1
K3,南县,county,C2
"""
COUNTIES = {"K1": "东县", "K2": "西县", "K3": "南县"}
PARENT = {"K1": "C1", "K2": "C1", "K3": "C2", "C1": "P1", "C2": "P1"}
YEARS = (2020, 2024)  # one in each format (no consecutive years: no cross-year findings to plan around)
# what happens to a unit's report of the newest year (others: accepted); every other year every unit reports
PLANNED = {"K1-T2": "missing", "K2-D1": "needs_review", "K3-T1": "rejected", "C1-G": "accepted"}


def _units_csv() -> str:
    rows = ["unit_code,unit_name,unit_type,aliases,active_from,active_to,area_code"]
    for code, name in COUNTIES.items():
        rows += [f"{code}-T1,城关镇,township,,,,{code}", f"{code}-T2,大营镇,township,,,,{code}",
                 f"{code}-D1,教育局,department,,,,{code}", f"{code}-G,{name}人民政府,county_government,,,,{code}"]
    rows.append("C1-G,甲市人民政府,city_government,,,,C1")
    return "\n".join(rows) + "\n"


def _build(folder: Path, units_csv: str, areas_csv: str | None, planned: dict[str, str]):
    """A warehouse of every registry unit's report for YEARS, the newest year as ``planned``; returns (settings,
    registry, {(unit_code, year): submission} of the reports loaded)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(units_csv, encoding="utf-8")
    if areas_csv is not None:
        (folder / "areas.csv").write_text(areas_csv, encoding="utf-8")
    settings = Settings(inbox=folder / "inbox", db=folder / "w.duckdb", out=folder / "out",
                        archive=folder / "archive", units=folder / "units.csv", today="2025-06-30")
    registry = Registry.load(settings.units)
    rng = random.Random(16)
    loaded = {}
    for year in YEARS:
        fmt = for_year(year)
        batch = []
        for unit in registry.units:
            status = planned.get(unit.unit_code, "accepted") if year == max(YEARS) else "accepted"
            if status == "missing":
                continue
            sub = submission_from(consistent_values(fmt.version, unit.unit_type, rng), fmt.version, unit.unit_type,
                                  name=unit.unit_code, year=year)
            sub.unit_name = unit.unit_name
            sub.sha256 = f"{unit.unit_code}-{year}".encode().hex().ljust(64, "0")
            sub.file = f"{unit.area_code or 'inbox'}/{unit.unit_code}-{year}.xlsx"
            if status == "needs_review":
                sub.add(Finding("T3-SHIFT", "warning", "测试提醒", "requests", "new_received", "research"))
            if status == "rejected":
                sub.add(Finding("T3-BALANCE", "error", "测试错误", "requests", "new_received", "total"))
            incoming = IncomingFile(sub.file, sub.sha256, f"{year + 1}-01-10T09:00:00",
                                    str(settings.archive / f"{sub.sha256}.xlsx"))
            batch.append((incoming, sub))
            loaded[(unit.unit_code, year)] = sub
        # an unidentified file in 西县's inbox folder: its area is the folder's
        stray = submission_from(consistent_values(fmt.version, "township", rng), fmt.version, name="x", year=year)
        stray.unit_code = stray.unit_name = stray.unit_type = None
        stray.sha256 = f"stray-{year}".encode().hex().ljust(64, "0")
        stray.add(Finding("R-UNIT", "error", "无法确定报送单位"))
        batch.append((IncomingFile(f"/inbox/K2/stray-{year}.xlsx", stray.sha256, f"{year + 1}-01-10T09:00:00",
                                   str(settings.archive / "stray.xlsx"), area="K2"), stray))
        load_run(Path(settings.db), batch, registry, settings, f"run-{year}")
    return settings, registry, loaded


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("province"), _units_csv(), AREAS_CSV, PLANNED)


def _totals(db: Path) -> dict[tuple[str, str, int], dict[tuple[str, str, str], Decimal]]:
    """(area, scope, year) → {cell: value} of area_totals."""
    out: dict = defaultdict(dict)
    for area, scope, year, section, row, col, value in query(
            db, "SELECT area_code, scope, report_year, section, row_code, column_code, value FROM area_totals"):
        out[(area, scope, year)][(section, row, col)] = value
    return out


def _cells(db: Path, year: int) -> list[tuple[str, str, str]]:
    """Every cell of the three tables of the year's format (derived rows too)."""
    return query(db, "SELECT section, row_code, column_code FROM format_cells WHERE format_version = ? ORDER BY ALL",
                 [for_year(year).version])


def _counted(loaded, registry: Registry, year: int, codes) -> dict[tuple[str, str, str], Decimal]:
    """The sum of the counted reports of these units, computed here from the reports as sent (blank = 0)."""
    out: dict = defaultdict(Decimal)
    for code in codes:
        sub = loaded.get((code, year))
        if sub is None or sub.status not in ("accepted", "accepted_with_warnings"):
            continue
        for key, cell in sub.cells.items():
            out[key] += Decimal(str(cell.value or 0))
    return out


def _equal(got: dict, want: dict, cells, what: str) -> None:
    bad = [(key, got.get(key, 0), want.get(key, 0)) for key in cells if got.get(key, 0) != want.get(key, 0)]
    assert not bad, f"{what}: {len(bad)} cells differ, e.g. {bad[:3]}"


@pytest.mark.unit
def test_every_relation_carries_the_area_and_the_areas_tree_is_loaded(province):
    settings, registry, _loaded = province
    db = settings.db
    assert query(db, "SELECT area_code, area_name, area_type, parent_code, depth, path FROM areas ORDER BY depth, "
                     "area_code")[:3] == [("P1", "示例省", "province", None, 0, ["P1"]),
                                          ("C1", "甲市", "city", "P1", 1, ["P1", "C1"]),
                                          ("C2", "乙市", "city", "P1", 1, ["P1", "C2"])]
    assert query(db, "SELECT path FROM areas WHERE area_code = 'K2'") == [(["P1", "C1", "K2"],)]
    # the same township name in two counties: two units, each of its county, each report with its county
    assert query(db, "SELECT unit_code, area_code FROM units WHERE unit_name = '城关镇' ORDER BY 1") == [
        ("K1-T1", "K1"), ("K2-T1", "K2"), ("K3-T1", "K3")]
    assert query(db, "SELECT DISTINCT area_code FROM requests_cells WHERE unit_name = '城关镇' AND report_year = 2024 "
                     "ORDER BY 1") == [("K1",), ("K2",)]  # 南县's 城关镇 was rejected in 2024
    assert query(db, "SELECT count(*) FROM submissions WHERE unit_code IS NOT NULL AND area_code IS DISTINCT FROM "
                     "(SELECT u.area_code FROM units u WHERE u.unit_code = submissions.unit_code)") == [(0,)]
    assert query(db, "SELECT DISTINCT area_code FROM submissions WHERE unit_code IS NULL") == [("K2",)]  # its folder
    for relation in ("units", "submissions", "proactive_cells", "requests_cells", "review_litigation_cells",
                     "completeness", "counted_values", "area_totals", "county_totals", "county_unmapped",
                     "area_units", "area_coverage", "county_coverage", "area_completeness"):
        comment = query(db, "SELECT comment FROM duckdb_columns() WHERE table_name = ? AND column_name = "
                            "'area_code'", [relation])
        assert comment and " / " in comment[0][0], relation  # documented in Chinese and English
    # a city's government belongs to its city and is expected there (the city's own report)
    assert query(db, "SELECT area_code, status FROM completeness WHERE unit_code = 'C1-G' ORDER BY report_year") == [
        ("C1", "accepted"), ("C1", "accepted")]


@pytest.mark.unit
@pytest.mark.parametrize("year", YEARS)
def test_city_and_province_totals_are_the_sums_of_their_areas_for_every_cell(province, year):
    settings, registry, loaded = province
    totals, cells = _totals(settings.db), _cells(settings.db, year)
    assert len(cells) > 100
    units_of = defaultdict(list)
    for u in registry.units:
        units_of[u.area_code].append(u)
    for county in COUNTIES:  # each county from its units, computed here from the reports as sent
        mine = units_of[county]
        _equal(totals[(county, "units", year)], _counted(
            loaded, registry, year, [u.unit_code for u in mine if u.unit_type != "county_government"]), cells,
               f"{county} units")
        _equal(totals[(county, "own", year)], _counted(
            loaded, registry, year, [u.unit_code for u in mine if u.unit_type == "county_government"]), cells,
               f"{county} own")
    for city, counties in (("C1", ("K1", "K2")), ("C2", ("K3",))):
        summed: dict = defaultdict(Decimal)
        for county in counties:
            for key, value in totals[(county, "all", year)].items():
                summed[key] += value
        _equal(totals[(city, "units", year)], summed, cells, f"{city} units = its counties' all")
    _equal(totals[("C1", "own", year)], _counted(loaded, registry, year, ["C1-G"]), cells, "甲市 own")
    assert ("C2", "own", year) not in totals  # 乙市 has no government registered
    for area in ("C1", "C2", "K1", "K2", "K3"):
        summed = defaultdict(Decimal)
        for scope in ("units", "own"):
            for key, value in totals.get((area, scope, year), {}).items():
                summed[key] += value
        _equal(totals[(area, "all", year)], summed, cells, f"{area} all = units + own")
    summed = defaultdict(Decimal)
    for city in ("C1", "C2"):
        for key, value in totals[(city, "all", year)].items():
            summed[key] += value
    _equal(totals[("P1", "units", year)], summed, cells, "province = its cities")
    _equal(totals[("P1", "all", year)], totals[("P1", "units", year)], cells, "a province has no own report")
    everything = _counted(loaded, registry, year, [u.unit_code for u in registry.units])
    _equal(totals[("P1", "all", year)], everything, cells, "province = every counted report")
    # county_totals is area_totals of the counties, with their code
    county = {(a, s, y, sec, r, c): v for a, y, s, sec, r, c, v in query(
        settings.db, "SELECT area_code, report_year, scope, section, row_code, column_code, value FROM county_totals")}
    assert county == {(a, s, y, *key): v for (a, s, y), by in totals.items() if a in COUNTIES for key, v in by.items()}


@pytest.mark.unit
def test_the_reports_behind_each_figure_are_counted_at_every_level(province):
    settings, _registry, _loaded = province
    reports = dict(((a, s), n) for a, s, n in query(
        settings.db, "SELECT area_code, scope, reports FROM area_totals WHERE report_year = 2024 AND section = "
                     "'requests' AND row_code = 'new_received' AND column_code = 'total'"))
    # 2024: 东县 3 of 4 (大营镇 missing), 西县 3 (教育局 held), 南县 3 (城关镇 rejected); 甲市 own 1
    assert reports[("K1", "units")] == 2 and reports[("K1", "own")] == 1 and reports[("K1", "all")] == 3
    assert reports[("K2", "units")] == 2 and reports[("K3", "units")] == 2
    assert reports[("C1", "units")] == 6 and reports[("C1", "own")] == 1 and reports[("C1", "all")] == 7
    assert reports[("C2", "units")] == 3 and reports[("P1", "all")] == 10


@pytest.mark.unit
def test_coverage_and_completeness_at_every_level(province):
    settings, _registry, _loaded = province
    coverage = {row[0]: row[1:] for row in query(
        settings.db, "SELECT area_code, area_type, units_expected, units_counted, missing, held, returned, rejected, "
                     "own_counted FROM area_coverage WHERE report_year = 2024")}
    assert coverage["K1"] == ("county", 3, 2, ["大营镇"], [], [], [], True)
    assert coverage["K2"] == ("county", 3, 2, [], ["教育局"], [], [], True)
    assert coverage["K3"] == ("county", 3, 2, [], [], [], ["城关镇"], True)
    # a city's units: its counties' units and their governments; names carry their county (every county has them)
    assert coverage["C1"] == ("city", 8, 6, ["东县·大营镇"], ["西县·教育局"], [], [], True)
    assert coverage["C2"] == ("city", 4, 3, [], [], [], ["南县·城关镇"], False)
    assert coverage["P1"] == ("province", 13, 10, ["东县·大营镇"], ["西县·教育局"], [], ["南县·城关镇"], False)
    assert query(settings.db, "SELECT area_code, units_expected, units_counted, missing FROM county_coverage "
                              "WHERE report_year = 2024 ORDER BY area_code") == [
        ("K1", 3, 2, ["大营镇"]), ("K2", 3, 2, []), ("K3", 3, 2, [])]
    assert query(settings.db, "SELECT DISTINCT units_expected, units_counted, missing FROM area_coverage "
                              "WHERE report_year = 2020 AND area_type = 'county'") == [(3, 3, [])]
    completeness = {row[0]: row[1:] for row in query(
        settings.db, "SELECT area_code, parent_code, units_expected, units_reported, units_counted, on_time, late, "
                     "held, returned, rejected, missing, own_status FROM area_completeness WHERE report_year = 2024")}
    assert completeness["K1"] == ("C1", 3, 2, 2, 2, 0, 0, 0, 0, 1, "accepted")
    assert completeness["C1"] == ("P1", 8, 7, 6, 6, 0, 1, 0, 0, 1, "accepted")
    assert completeness["C2"] == ("P1", 4, 4, 3, 3, 0, 0, 0, 1, 0, None)
    assert completeness["P1"] == (None, 13, 12, 10, 10, 0, 1, 0, 1, 1, None)
    # by county: the counties of a city side by side
    assert query(settings.db, "SELECT area_code, units_counted, units_expected FROM area_completeness "
                              "WHERE parent_code = 'C1' AND report_year = 2024 ORDER BY 1") == [("K1", 2, 3),
                                                                                               ("K2", 2, 3)]
    # the drill-down: the units under a city, with the one of its own government
    assert query(settings.db, "SELECT unit_label FROM area_units WHERE area_code = 'C1' AND report_year = 2024 "
                              "AND own_report") == [("甲市人民政府",)]


@pytest.mark.unit
def test_the_rollup_is_checked_at_every_level_and_a_corrupt_county_figure_stops_it(province, tmp_path):
    import shutil

    from transforms.warehouse import connect

    settings, _registry, _loaded = province
    db = tmp_path / "corrupt.duckdb"
    shutil.copyfile(settings.db, db)
    con = connect(db)
    try:
        check_rollup(con)  # as published: every area adds up
        # one bad cell in a counted report of 西县 (a bug upstream: no rule saw it)
        con.execute("""UPDATE cell_values SET value = value + 5 WHERE section = 'requests' AND row_code =
                       'new_received' AND column_code = 'natural_person' AND submission_id = (
                       SELECT submission_id FROM submissions WHERE unit_code = 'K2-T1' AND is_current
                       AND report_year = 2024)""")
        with pytest.raises(RollupError) as err:
            check_rollup(con)
    finally:
        con.close()
    text = str(err.value)
    for area in ("K2 2024", "C1 2024", "P1 2024"):  # the county, its city and the province
        assert f"{area} (2021, units): T3-BALANCE" in text or f"{area} (2021, all): T3-BALANCE" in text, area
    assert "K1 2024" not in text and "C2 2024" not in text


@pytest.mark.unit
def test_the_consolidation_itself_is_checked():
    def county(units: int, own: int) -> dict:
        return {scope: {(2024, "2021"): {("requests", "new_received", "total"): v}}
                for scope, v in (("units", units), ("own", own), ("all", units + own))}

    sums = {"K1": county(2, 1), "K2": county(4, 0),
            "C1": {"units": {(2024, "2021"): {("requests", "new_received", "total"): 8}},
                   "all": {(2024, "2021"): {("requests", "new_received", "total"): 8}}}}
    problems = consolidation_failures(sums, {"C1": ["K1", "K2"]})
    assert problems == ["C1 2024 units != its areas' all: requests.new_received.total: 8 != 7"]
    sums["C1"]["units"][(2024, "2021")][("requests", "new_received", "total")] = 7
    sums["C1"]["all"][(2024, "2021")][("requests", "new_received", "total")] = 7
    assert consolidation_failures(sums, {"C1": ["K1", "K2"]}) == []


@pytest.mark.unit
@pytest.mark.parametrize("area", ["K1", "C1", "P1"])
def test_export_of_a_county_a_city_and_a_province_is_area_totals(province, tmp_path, area):
    from openpyxl import load_workbook

    from transforms.reading import read_submission
    from transforms.writing.export import COVERAGE_SHEET

    settings, _registry, _loaded = province
    path = export_county(2024, db=settings.db, out=tmp_path, area=area)
    name = {"K1": "东县全县汇总", "C1": "甲市全市汇总", "P1": "示例省全省汇总"}[area]
    assert path.name == f"2024年度{name}政府信息公开工作年度报告.xlsx"
    reader_registry = tmp_path / "reader.csv"  # a registry naming the consolidated report, to read it back
    reader_registry.write_text(f"unit_code,unit_name,unit_type\nX,{name},county_government\n", encoding="utf-8")
    back = read_submission(path, Registry.load(reader_registry), year=2024, unit_name=name)
    totals = {(s, r, c): v for s, r, c, v in query(
        settings.db, "SELECT section, row_code, column_code, value FROM area_totals WHERE area_code = ? AND "
                     "scope = 'units' AND report_year = 2024", [area])}
    for key in for_year(2024).cells(include_derived=False):
        assert back.value(*key) == pytest.approx(float(totals.get(key, 0)), abs=1e-4), key
    sheet = load_workbook(path)[COVERAGE_SHEET]
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    if area == "K1":
        assert "不含东县人民政府本级报告" in text and "应报单位 3 个，计入 2 个" in text and "未报送：大营镇" in text
    elif area == "C1":
        assert "全市汇总数为所辖各县（市、区）汇总数之和" in text and "不含甲市人民政府本级报告" in text
        assert "应报单位 8 个，计入 6 个" in text and "未报送：东县·大营镇" in text and "待核实" in text
    else:
        assert "全省汇总数为所辖各市汇总数之和" in text and "本级报告：" not in text


@pytest.mark.unit
def test_export_of_an_unknown_area_or_of_one_of_several_without_an_area_is_refused(province, tmp_path):
    settings, _registry, _loaded = province
    with pytest.raises(AreaError, match="区划代码“K9”不在数据仓库的区划表中"):
        export_county(2024, db=settings.db, out=tmp_path, area="K9")
    # one top area (the province): without --area, the whole deployment
    assert export_county(2024, db=settings.db, out=tmp_path).name == "2024年度示例省全省汇总政府信息公开工作年度报告.xlsx"


@pytest.mark.unit
def test_a_one_county_registry_keeps_county_totals_as_before_with_a_blank_area(tmp_path):
    units = "unit_code,unit_name,unit_type,aliases,active_from,active_to\n" + "\n".join(
        ["T1,城关镇,township,,,", "T2,大营镇,township,,,", "D1,教育局,department,,,", "G,清河县人民政府,county_government,,,",
         "CG,某市人民政府,city_government,,,"]) + "\n"
    settings, registry, loaded = _build(tmp_path / "one", units, None, {"T2": "missing", "CG": "accepted"})
    db = settings.db
    assert query(db, "SELECT area_code, area_name, area_type, parent_code, depth, path FROM areas") == [
        ("", "", "county", None, 0, [""])]
    assert query(db, "SELECT DISTINCT area_code FROM county_totals") == [("",)]
    assert query(db, "SELECT DISTINCT area_code FROM submissions") == [("",)]
    # a city government in one county's registry is comparison data: not expected, in no total
    assert query(db, "SELECT count(*) FROM completeness WHERE unit_code = 'CG'") == [(0,)]
    for year in YEARS:
        cells = _cells(db, year)
        totals = _totals(db)
        _equal(totals[("", "units", year)], _counted(loaded, registry, year, ["T1", "T2", "D1"]), cells, "units")
        _equal(totals[("", "own", year)], _counted(loaded, registry, year, ["G"]), cells, "own")
    assert query(db, "SELECT area_code, units_expected, units_counted, missing, own_counted FROM county_coverage "
                     "WHERE report_year = 2024") == [("", 3, 2, ["大营镇"], True)]
    # export without --area: the county, named and described as always
    path = export_county(2024, db=db, out=tmp_path)
    assert path.name == "2024年度清河县人民政府全县汇总政府信息公开工作年度报告.xlsx"


@pytest.mark.integration
def test_the_export_command_takes_an_area_and_refuses_an_unknown_one_plainly(province, tmp_path):
    settings, _registry, _loaded = province
    cli = [sys.executable, "-m", "countystats.cli", "export", "--year", "2024", "--db", str(settings.db)]
    done = subprocess.run([*cli, "--area", "C1", "-o", str(tmp_path / "c1.xlsx")], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "c1.xlsx").exists()
    bad = subprocess.run([*cli, "--area", "NOPE", "-o", str(tmp_path / "x.xlsx")], capture_output=True, text=True,
                         cwd=ROOT)
    assert bad.returncode == 2
    assert "区划代码“NOPE”不在数据仓库的区划表中" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "x.xlsx").exists()
