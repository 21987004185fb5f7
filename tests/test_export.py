"""`countystats export`: the county's consolidated report (sum of current accepted reports, county government
excluded) written in the statutory layout and read back by the project's own reader."""

from __future__ import annotations

import pytest
from fake_reading import FAKE, drop

from countystats import pipeline
from countystats.examples.small import write_units
from countystats.settings import Settings
from transforms.format.statutory import FORMAT_2021
from transforms.writing.export import export_county

pytestmark = pytest.mark.unit


@pytest.fixture
def loaded(tmp_path) -> Settings:
    settings = Settings(inbox=tmp_path / "inbox", db=tmp_path / "w.duckdb", out=tmp_path / "out",
                        archive=tmp_path / "archive", units=write_units(tmp_path / "units.csv"))
    drop(settings.inbox, "a.xlsx", "2025-01-10 09:00:00", year=2024, new=5, licensing=3)
    drop(settings.inbox, "b.xlsx", "2025-01-10 09:00:00", unit_code="T02", unit_name="乙镇", year=2024, new=7,
         licensing=4)
    drop(settings.inbox, "b2.xlsx", "2025-01-12 09:00:00", unit_code="T02", unit_name="乙镇", year=2024, new=8,
         licensing=4)  # resubmission: only the current one counts
    drop(settings.inbox, "g.xlsx", "2025-01-10 09:00:00", unit_code="G00", unit_name="示例县人民政府",
         unit_type="county_government", year=2024, new=100, licensing=50)  # not part of the sum
    drop(settings.inbox, "bad.xlsx", "2025-01-10 09:00:00", unit_code="D01", unit_name="县教育局",
         unit_type="department", year=2024, new=1000, errors=True)  # rejected: not part of the sum
    pipeline.run(settings, run_id="r1", **FAKE)
    return settings


def test_export_writes_the_sum_of_current_accepted_reports(loaded, tmp_path):
    from transforms.reading import read_submission
    from transforms.registry import Registry

    path = export_county(2024, db=loaded.db, out=tmp_path / "county.xlsx")
    assert path == tmp_path / "county.xlsx" and path.stat().st_size > 0
    back = read_submission(path, Registry.load(loaded.units), year=2024, unit_name="示例县人民政府")
    assert back.format_version == FORMAT_2021.version and not back.unreadable
    assert back.value("requests", "new_received", "total") == 5 + 8
    assert back.value("requests", "new_received", "natural_person") == 5 + 8
    assert back.value("proactive", "licensing", "decisions") == 3 + 4
    assert back.value("review_litigation", "reconsideration", "total") == 2
    assert not [f for f in back.findings if f.severity == "error"]


def test_export_into_a_folder_names_the_file_and_a_year_without_reports_is_refused(loaded):
    path = export_county(2024, db=loaded.db, out=loaded.out)
    assert path.parent == loaded.out and path.suffix == ".xlsx" and path.exists()
    assert "2024" in path.name
    with pytest.raises(LookupError):
        export_county(2019, db=loaded.db, out=loaded.out)


def test_the_export_states_what_it_covers_and_shows_the_county_government_apart(loaded, tmp_path):
    from openpyxl import load_workbook

    from transforms.writing.export import COVERAGE_SHEET

    path = export_county(2024, db=loaded.db, out=tmp_path / "county.xlsx")
    sheet = load_workbook(path)[COVERAGE_SHEET]
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "不含示例县人民政府本级报告" in text
    assert "应报单位 4 个，计入 2 个" in text  # 甲镇, 乙镇 of 甲乙丙镇 and 县教育局
    assert "未报送：丙镇" in text and "未通过（有错误）：县教育局" in text
    rows = {r[0].value: [c.value for c in r[1:4]] for r in sheet.iter_rows() if r[0].value and r[1].value is not None}
    new_received = FORMAT_2021.section("requests").describe("new_received", "total")
    assert rows[new_received] == [5 + 8, 100, 5 + 8 + 100]  # 不含本级 / 本级 / 含本级


def test_a_report_in_the_older_format_is_mapped_where_the_cells_are_the_same_and_listed_where_not(tmp_path):
    """A township that filed the 2019 tables for 2024: its 表三 and 表四 (the same cells) count, its undivided （六）
    其他处理 under 2021's 3.其他, and what only the 2019 表二 has is listed, not silently dropped."""
    import duckdb
    from openpyxl import load_workbook

    from transforms.format.statutory import FORMAT_2019
    from transforms.writing.export import COVERAGE_SHEET

    settings = Settings(inbox=tmp_path / "inbox", db=tmp_path / "w.duckdb", out=tmp_path / "out",
                        archive=tmp_path / "archive", units=write_units(tmp_path / "units.csv"))
    drop(settings.inbox, "a.xlsx", "2025-01-10 09:00:00", year=2024, new=5)
    drop(settings.inbox, "old.xlsx", "2025-01-10 09:00:00", unit_code="T02", unit_name="乙镇", year=2024, new=7,
         version=FORMAT_2019.version, figures={"proactive.normative_docs.new_made": 3,
                                               "requests.other_total.natural_person": 1,
                                               "requests.other_total.total": 1,
                                               "requests.granted.natural_person": 5, "requests.granted.total": 5})
    pipeline.run(settings, run_id="r1", **FAKE)
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        totals = dict(con.execute(
            "SELECT row_code, value FROM county_totals WHERE scope = 'units' AND report_year = 2024 AND "
            "section = 'requests' AND column_code = 'total'").fetchall())
        coverage = con.execute("SELECT units_counted, other_format FROM county_coverage WHERE report_year = 2024"
                               ).fetchone()
    finally:
        con.close()
    assert totals["new_received"] == 5 + 7 and totals["other_misc"] == 1  # mapped, the undivided row under 3.其他
    assert coverage == (2, ["乙镇"])
    path = export_county(2024, db=settings.db, out=tmp_path / "county.xlsx")  # the roll-up's identities held
    text = "\n".join(str(c.value) for row in load_workbook(path)[COVERAGE_SHEET].iter_rows() for c in row
                     if c.value is not None)
    assert "采用其他年份格式报告的单位：乙镇" in text
    assert "未计入" in text and FORMAT_2019.section("proactive").describe("normative_docs", "new_made") in text
