"""`countystats export -o report.docx`: the county's consolidated report as a Word document — the three tables in the
statutory layout holding ``county_totals`` (scope ``units``) cell for cell, 一、总体情况 drafted from those figures,
五 and 六 left for the office, the 汇总说明 before them — and the workbook's 万元 cells shown to two decimals. Any other
kind of file is refused in Chinese."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fake_reading import FAKE, drop

from countystats import pipeline
from countystats.examples.small import write_units
from countystats.settings import Settings
from transforms.format import NARRATIVE, OUTLINE, REPORT_TITLE, TOTAL, WAN_YUAN, for_year
from transforms.format.labels import normalise
from transforms.writing.export import COVERAGE_SHEET, export_county

pytestmark = pytest.mark.unit

YEAR = 2024
FEES = ("proactive", "fees", "amount_wan_yuan")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Settings:
    """甲镇 and 乙镇 counted (fees with four decimals each: the sum has more than two), the county government's own
    report apart, 县教育局 rejected, 丙镇 missing."""
    tmp = tmp_path_factory.mktemp("export-word")
    settings = Settings(inbox=tmp / "inbox", db=tmp / "w.duckdb", out=tmp / "out", archive=tmp / "archive",
                        units=write_units(tmp / "units.csv"))
    drop(settings.inbox, "a.xlsx", "2025-01-10 09:00:00", year=YEAR, new=5, licensing=3,
         figures={"proactive.fees.amount_wan_yuan": 32983.6382, "requests.new_received.commercial": 2,
                  "requests.new_received.total": 7, "requests.granted.commercial": 2, "requests.granted.total": 6,
                  "requests.concluded_total.commercial": 2, "requests.concluded_total.total": 6,
                  "review_litigation.litigation_direct.corrected": 1, "review_litigation.litigation_direct.total": 1})
    drop(settings.inbox, "b.xlsx", "2025-01-10 09:00:00", unit_code="T02", unit_name="乙镇", year=YEAR, new=8,
         licensing=4, figures={"proactive.fees.amount_wan_yuan": 0.0011})
    drop(settings.inbox, "g.xlsx", "2025-01-10 09:00:00", unit_code="G00", unit_name="示例县人民政府",
         unit_type="county_government", year=YEAR, new=100, licensing=50)  # 本级: not part of the sum
    drop(settings.inbox, "bad.xlsx", "2025-01-10 09:00:00", unit_code="D01", unit_name="县教育局",
         unit_type="department", year=YEAR, new=1000, errors=True)  # rejected: not part of the sum
    pipeline.run(settings, run_id="r1", **FAKE)
    return settings


@pytest.fixture(scope="module")
def totals(loaded) -> dict[tuple[str, str, str], Decimal]:
    import duckdb

    con = duckdb.connect(str(loaded.db), read_only=True)
    try:
        rows = con.execute("SELECT section, row_code, column_code, value FROM county_totals "
                           "WHERE scope = 'units' AND report_year = ?", [YEAR]).fetchall()
    finally:
        con.close()
    return {(s, r, c): v for s, r, c, v in rows}


@pytest.fixture(scope="module")
def word(loaded, tmp_path_factory):
    return export_county(YEAR, db=loaded.db, out=tmp_path_factory.mktemp("docx") / "county.docx")


def _paragraphs(path) -> list[str]:
    import docx

    return [p.text for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def test_the_word_report_opens_in_python_docx_with_the_statutory_outline(word):
    import docx

    assert word.suffix == ".docx"
    document = docx.Document(str(word))  # opens: a real .docx, not a workbook under its name
    assert len(document.tables) == 3
    texts = _paragraphs(word)
    assert texts[0] == f"示例县人民政府全县汇总{YEAR}年{REPORT_TITLE}"
    headings = [part.label.text for part in OUTLINE]
    assert [t for t in texts if t in headings] == headings  # 一 … 六, in order, each once
    after = {part.code: texts[texts.index(part.label.text) + 1] for part in NARRATIVE if part.code != "overview"}
    assert after == {"problems": OUTLINE[4].hint, "other": OUTLINE[5].hint}  # left for the office to write


def test_the_three_tables_hold_the_county_totals_cell_for_cell(word, totals, loaded):
    """Read back by the labels (the project's reader finds every table, row and column by its label, wherever the
    writer put it); counts exact, 万元 as printed to two decimals."""
    from transforms.reading import read_submission
    from transforms.registry import Registry

    fmt = for_year(YEAR)
    back = read_submission(word, Registry.load(loaded.units), year=YEAR, unit_name="示例县人民政府")
    assert back.source_kind == "word" and back.format_version == fmt.version
    assert not [f for f in back.findings if f.severity == "error"]
    assert totals[("requests", "new_received", TOTAL)] == 7 + 8  # the fixture is what the test thinks it is
    for key in fmt.cells(include_derived=False):
        want = totals.get(key, 0)
        if fmt.section(key[0]).measure(key[1], key[2]).unit == WAN_YUAN:
            assert back.value(*key) == pytest.approx(float(want), abs=0.005), key
        else:
            assert back.value(*key) == want, key
    assert back.value(*FEES) == 32983.64  # 32983.6382 + 0.0011, printed to two decimals


def test_a_row_of_table_three_read_with_python_docx_alone(word, totals):
    """One row found by its label and its 总计 column by its header, in python-docx's own view of the table (merged
    cells repeated in every grid cell they cover) — without the project's reader."""
    import docx

    requests = for_year(YEAR).section("requests")
    table = next(t for t in docx.Document(str(word)).tables
                 if any(normalise(c.text) == normalise(requests.corner_note.text) for c in t.rows[0].cells))
    grid = [[normalise(c.text) for c in row.cells] for row in table.rows]
    column = next(i for row in grid for i, text in enumerate(row) if text == normalise(requests.total.label.text))
    for code in ("new_received", "carried_over", "carried_forward"):
        label = normalise(requests.row_by_code[code].label.text)
        row = next(r for r in grid if label in r)
        assert int(row[column]) == totals[("requests", code, TOTAL)]


def test_the_overview_states_the_figures_as_the_narrative_check_reads_them(word, totals):
    from transforms.narrative.figures import BY_CODE, stated_figures

    texts = _paragraphs(word)
    first, last = texts.index(OUTLINE[0].label.text), texts.index(OUTLINE[1].label.text)
    overview = "\n".join(texts[first + 1:last])
    stated = {s.quantity: s.value for s in stated_figures(overview, YEAR)}
    # every quantity N-TEXT compares, stated once and equal to the table (a narrative the office keeps passes N-TEXT)
    assert set(stated) == set(BY_CODE)
    for code, value in stated.items():
        assert value == sum(totals.get(k, 0) for k in BY_CODE[code].cells), code
    assert stated["new_received"] == 15 and stated["litigation"] == 1
    assert "全县共收到政府信息公开申请15件，其中自然人13件，法人或其他组织2件（商业企业2件" in overview
    assert "办结13件，其中予以公开13件" in overview and "结转下年度继续办理4件" in overview
    assert "行政事业性收费金额32983.64万元" in overview


def test_the_coverage_comes_before_the_overview(word):
    texts = _paragraphs(word)
    head = texts[:texts.index(OUTLINE[0].label.text)]
    assert head[1].startswith(COVERAGE_SHEET)
    joined = "\n".join(head)
    assert "不含示例县人民政府本级报告" in joined and "应报单位 4 个，计入 2 个" in joined
    assert "未报送：丙镇" in joined and "未通过（有错误）：县教育局" in joined
    assert "本级 100，含本级 115" in joined  # 一、本年新收: 15 without the county government, 100 its own


def test_the_workbook_shows_amounts_in_wan_yuan_to_two_decimals(loaded, tmp_path, totals):
    from openpyxl import load_workbook

    from transforms.writing.layouts import plan_report

    fmt = for_year(YEAR)
    path = export_county(YEAR, db=loaded.db, out=tmp_path / "county.xlsx")
    sources = plan_report(fmt, {}, "全县", YEAR).sources  # where each cell is does not depend on the name
    wb = load_workbook(path)
    money = [k for k in sources if fmt.section(k[0]).measure(k[1], k[2]).unit == WAN_YUAN]
    assert money == [FEES]
    for key, source in sources.items():
        sheet, ref = source.split("!")
        cell = wb[sheet][ref]
        assert cell.number_format == ("0.00" if key in money else "General"), key
    sheet, ref = sources[FEES].split("!")
    assert wb[sheet][ref].value == pytest.approx(float(totals[FEES])) == 32983.6393  # the value stays exact
    assert COVERAGE_SHEET in wb.sheetnames


@pytest.mark.parametrize("name", ["county.pdf", "county.txt", "county.xls", "county.DOC"])
def test_other_kinds_of_file_are_refused_in_chinese_before_anything_is_read(loaded, tmp_path, name):
    from transforms.writing.layouts import UnsupportedSuffix

    suffix = name[name.index("."):]
    for db in (loaded.db, tmp_path / "no-such.duckdb"):  # refused before the warehouse is opened
        with pytest.raises(ValueError) as raised:
            export_county(YEAR, db=db, out=tmp_path / name)
        assert isinstance(raised.value, UnsupportedSuffix)
        assert f"不支持的导出格式“{suffix}”" in str(raised.value) and ".docx" in str(raised.value)
    assert not (tmp_path / name).exists()


def test_a_folder_or_a_name_without_suffix_still_gets_the_workbook(loaded, tmp_path):
    path = export_county(YEAR, db=loaded.db, out=tmp_path)
    assert path.parent == tmp_path and path.suffix == ".xlsx"
    path = export_county(YEAR, db=loaded.db, out=tmp_path / "exports" / "county")
    assert path.parent == tmp_path / "exports" / "county" and path.suffix == ".xlsx" and path.exists()


@pytest.mark.parametrize("year", [2020, YEAR], ids=lambda y: f"format-of-{y}")
def test_the_overview_of_either_format_states_exactly_what_its_tables_have(year):
    """The 2019 tables have no 本年制发 行政规范性文件 (their 表二 measures are said by their labels): never stated."""
    from random import Random

    from countystats.examples.reports import consistent_values
    from transforms.narrative.figures import BY_CODE, stated_figures
    from transforms.writing.narratives import facts_overview

    fmt = for_year(year)
    cells = consistent_values(fmt.version, rng=Random(3))
    overview = facts_overview(fmt, cells, "全县")
    stated = {s.quantity: s.value for s in stated_figures(overview, year)}
    want = {code: sum(cells[k] for k in q.cells) for code, q in BY_CODE.items() if all(fmt.has(*k) for k in q.cells)}
    assert stated == want and len(want) >= 6
    for row in fmt.section("proactive").rows:  # every row of 表二 is said
        assert row.label.text in overview
