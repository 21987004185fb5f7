"""`countystats template`: the blank report a unit fills in — a workbook whose totals compute themselves, with 填表说明,
an empty 说明 sheet, 填表人 / 联系电话 and print settings, that the project's own reader reads right once filled in; or
the statutory Word template for the unit and year. Any other kind of file is refused in Chinese."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from countystats.examples.reports import consistent_values
from transforms.format import (
    EXPLANATION_LINE,
    EXPLANATIONS_SHEET,
    FILER,
    FILLED_BY,
    OUTLINE,
    REPORT_TITLE,
    WAN_YUAN,
    for_year,
)
from transforms.writing.layouts import (
    EXAMPLE_EXPLANATION,
    INSTRUCTIONS_SHEET,
    Options,
    UnsupportedSuffix,
    plan_report,
    total_targets,
    write_template,
)

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "config" / "units.csv"
UNIT, NAME = "大营镇", "清河县大营镇人民政府"  # the name the template prints: the unit's longest name in the registry
YEAR = 2024
FMT = for_year(YEAR)
TOTALS = total_targets(FMT)
SHEET = "Sheet1"


def _plan():
    """Where the template puts every cell (the unit's name does not move any)."""
    return plan_report(FMT, {}, NAME, YEAR, "stacked", Options(formulas="template"))


def _at(wb, source: str):
    sheet, ref = source.split("!")
    return wb[sheet][ref]


def _refs(formula: str) -> set[str]:
    """The cells a =SUM(...) of ranges and cells adds up."""
    from openpyxl.utils import get_column_letter, range_boundaries

    assert formula.startswith("=SUM(") and formula.endswith(")"), formula
    out = set()
    for part in formula[5:-1].split(","):
        c0, r0, c1, r1 = range_boundaries(part)
        out |= {f"{get_column_letter(c)}{r}" for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    return out


def _fill(template: Path, out: Path, values: dict, explanation: tuple[str, str] | None = None) -> Path:
    """What a county's script does with openpyxl: every part typed in (never a total), 填表人 and 联系电话, and a 说明
    where given. openpyxl keeps the totals' formulas and drops their results."""
    import openpyxl

    wb = openpyxl.load_workbook(template)
    for key, source in _plan().sources.items():
        if key not in TOTALS:
            _at(wb, source).value = values[key]
    ws = wb[SHEET]
    typed = dict(zip((f"{label.text}：" for label in FILLED_BY), ("张三", "0318-6888888"), strict=True))
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in typed:
                ws.cell(cell.row, cell.column + 1).value = typed[cell.value]
    if explanation:
        wb[EXPLANATIONS_SHEET].append(explanation)
    wb.save(out)
    return out


# ---------------------------------------------------------------- the workbook


@pytest.mark.unit
def test_every_total_is_a_formula_over_exactly_its_parts_and_only_the_parts_are_open(tmp_path):
    import openpyxl

    path = write_template(UNIT, YEAR, out=tmp_path / "t.xlsx", units=UNITS)
    wb = openpyxl.load_workbook(path)
    sources = _plan().sources
    assert len(TOTALS) == 34  # 表三: 25 rows' 总计 and （七）总计's 6 columns; 表四: 3 总计
    for key, source in sources.items():
        cell = _at(wb, source)
        if key in TOTALS:
            assert isinstance(cell.value, str), key
            want = {sources[p].split("!")[1] for p in TOTALS[key]}
            assert _refs(cell.value) == want, key
            assert cell.protection.locked, key  # a formula is not typed over
        else:
            assert cell.value is None and not cell.protection.locked, key
        money = FMT.section(key[0]).measure(key[1], key[2]).unit == WAN_YUAN
        assert (cell.number_format == "0.00") == money, key
    assert wb[SHEET].protection.sheet
    assert len(wb[SHEET].data_validations.dataValidation) == len(sources) - len(TOTALS)


@pytest.mark.unit
def test_the_template_prints_landscape_one_page_wide_with_its_title_on_every_page(tmp_path):
    import openpyxl

    path = write_template(UNIT, YEAR, out=tmp_path / "t.xlsx", units=UNITS)
    ws = openpyxl.load_workbook(path)[SHEET]
    setup = ws.page_setup
    assert setup.orientation == "landscape" and setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0  # OOXML's default width is 1 page; 0: any height
    assert ws["A1"].value == f"{NAME}{YEAR}年{REPORT_TITLE}" and ws["A2"].value == f"{FILER.text}：{NAME}"
    assert ws.print_title_rows == "$1:$2"  # the title and 填报单位 on every page
    assert ws.row_dimensions[1].height >= 20  # a 14-point title is not cut off
    plan = _plan().sheets[0]
    sections = sorted(it.row for it in plan.items if it.role == "section")
    assert [b.id for b in ws.row_breaks.brk] == sections[1:]  # 表三 and 表四 each begin a page
    last_row = max(r for r in range(1, ws.max_row + 1) if any(c.value for c in ws[r]))
    assert ws.print_area == f"'{SHEET}'!$A$1:$O${last_row}"  # every table's width, down to 联系电话


@pytest.mark.unit
def test_the_instructions_the_explanations_sheet_and_who_filled_it_in(tmp_path):
    import openpyxl

    from transforms.rules import RULES

    path = write_template(UNIT, YEAR, out=tmp_path / "t.xlsx", units=UNITS)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [SHEET, INSTRUCTIONS_SHEET, EXPLANATIONS_SHEET] and wb.active.title == SHEET
    text = "\n".join(str(c.value) for row in wb[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)
    for sec in FMT.sections:
        assert sec.short in text and sec.title.text.split("、", 1)[1] in text
    assert "公式" in text and f"“{EXPLANATIONS_SHEET}”工作表" in text
    assert REPORT_TITLE not in text and FILER.text not in text  # nothing the reader takes for a title or a filer
    rule, reason = EXAMPLE_EXPLANATION
    example = f"{rule}：{reason}"
    assert example in text
    assert EXPLANATION_LINE.match(example).groups() == (rule, reason)
    assert RULES[rule].severity == "warning"  # a warning can be explained; an error cannot
    assert [[c.value for c in row] for row in wb[EXPLANATIONS_SHEET].iter_rows()] == [["规则编号", "原因（数字确实无误的理由）"]]
    ws = wb[SHEET]
    for label in FILLED_BY:
        cell = next(c for row in ws.iter_rows() for c in row if c.value == f"{label.text}：")
        entry = ws.cell(cell.row, cell.column + 1)
        assert entry.value is None and not entry.protection.locked


@pytest.mark.unit
def test_a_template_filled_by_a_program_is_read_exactly_and_its_uncalculated_totals_are_named(tmp_path, registry):
    """openpyxl keeps the formulas and drops their results: every part is read as typed; each total is an R-FORMULA
    error naming its cell (validation-rules.md: nothing is computed from a formula without its value — the clerk
    opens the file in Excel/WPS and saves it, as 填表说明 says), and nothing else is wrong: the extra rows and sheets
    mislead neither the table finder, nor the year, nor the unit."""
    from transforms.reading import read_submission

    values = consistent_values(FMT.version)
    template = write_template(UNIT, YEAR, out=tmp_path / "t.xlsx", units=UNITS)
    blank = read_submission(template, registry)
    assert (blank.unit_name, blank.report_year, blank.explanations) == (UNIT, YEAR, {})
    assert not [f for f in blank.findings if f.severity == "error"]

    rule, reason = EXAMPLE_EXPLANATION
    sub = read_submission(_fill(template, tmp_path / "filled.xlsx", values, (rule, reason)), registry)
    assert (sub.unit_name, sub.report_year, sub.format_version) == (UNIT, YEAR, FMT.version)
    assert sub.explanations == {rule: reason}
    sources = _plan().sources
    for key in sources:
        assert sub.value(*key) == (None if key in TOTALS else values[key]), key
    errors = [f for f in sub.findings if f.severity == "error"]
    assert {f.rule for f in errors} == {"R-FORMULA"}
    assert sorted(f.cell for f in errors) == sorted(sources[k] for k in TOTALS)
    assert not [f for f in sub.findings if f.rule in ("R-LABELS", "R-UNIT", "R-YEAR", "R-FORMAT")]


def _recalculate(filled: Path, out: Path) -> Path:
    """The workbook as Excel/WPS would save it, formulas calculated: LibreOffice headless (``python3 dev.py test``
    installs it); where it is missing, the ``formulas`` library if installed (the totals then saved as values)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is not None:
        subprocess.run([soffice, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless", "--norestore",
                        "--convert-to", "xlsx", "--outdir", str(out), str(filled)],
                       check=True, capture_output=True, timeout=300)
        return out / filled.name
    try:
        import formulas
        import numpy as np
    except ImportError:
        pytest.fail("the totals need calculating: install LibreOffice (python3 dev.py test does) or `formulas`")
    import openpyxl

    wb = openpyxl.load_workbook(filled)
    ws = wb[SHEET]
    pending = {c.coordinate: c.value for row in ws.iter_rows() for c in row
               if isinstance(c.value, str) and c.value.startswith("=")}
    while pending:  # a total of totals waits for them
        for ref, text in list(pending.items()):
            func = formulas.Parser().ast(text)[1].compile()
            ranges = [ws[r] if ":" in r else ((ws[r],),) for r in func.inputs]
            if any(c.coordinate in pending for cells in ranges for row in cells for c in row):
                continue
            ws[ref] = float(func(*(np.array([[c.value for c in row] for row in cells], dtype=object)
                                    for cells in ranges)))
            del pending[ref]
    path = out / filled.name
    wb.save(path)
    return path


@pytest.mark.integration
@pytest.mark.slow
def test_a_filled_template_calculated_gives_the_right_totals_and_passes_check(tmp_path):
    import openpyxl

    from countystats.checking import check_file

    values = consistent_values(FMT.version)
    template = write_template(UNIT, YEAR, out=tmp_path / "t.xlsx", units=UNITS)
    filled = _fill(template, tmp_path / "filled.xlsx", values)
    (tmp_path / "calculated").mkdir()
    calculated = _recalculate(filled, tmp_path / "calculated")
    wb = openpyxl.load_workbook(calculated, data_only=True)
    totals = {key: _at(wb, _plan().sources[key]).value for key in TOTALS}
    assert totals == {key: values[key] for key in TOTALS}
    assert any(v for v in totals.values())  # figures, not a sheet of zeros
    sub = check_file(calculated, units=UNITS)
    assert (sub.unit_name, sub.report_year, sub.status) == (UNIT, YEAR, "accepted")
    assert not [f for f in sub.findings if f.severity in ("error", "warning")]


# ---------------------------------------------------------------- the Word template and other suffixes


@pytest.mark.unit
def test_the_word_template_has_the_unit_the_year_the_outline_and_empty_tables_ready_to_fill(tmp_path, registry):
    import docx

    from transforms.reading import read_submission
    from transforms.writing.documents import write_document

    path = write_template(UNIT, YEAR, out=tmp_path / "t.docx", units=UNITS)
    with zipfile.ZipFile(path) as z:
        assert "word/document.xml" in z.namelist() and "xl/workbook.xml" not in z.namelist()
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[:2] == [f"{NAME}{YEAR}年{REPORT_TITLE}", f"{FILER.text}：{NAME}"]
    assert [t for t in texts if t in {p.label.text for p in OUTLINE}] == [p.label.text for p in OUTLINE]
    for part in OUTLINE:
        if part.narrative:
            assert texts[texts.index(part.label.text) + 1] == part.hint
    # where the figures go: the same writer's addresses (表格N!RrCc, after merged cells are expanded)
    sources = write_document(tmp_path / "where.docx", FMT, {}, NAME, YEAR, "word").sources
    assert len(document.tables) == 3 and set(sources) == set(FMT.cells(include_derived=False))

    def cell(source: str):
        table, rc = source.split("!")
        r, c = rc[1:].split("C")
        return document.tables[int(table[2:]) - 1].cell(int(r) - 1, int(c) - 1)

    assert all(cell(s).text == "" for s in sources.values())
    values = consistent_values(FMT.version)
    for key, source in sources.items():  # a unit types its figures in, totals too (Word computes nothing)
        cell(source).text = str(values[key])
    document.save(str(tmp_path / "filled.docx"))
    sub = read_submission(tmp_path / "filled.docx", registry)
    assert (sub.unit_name, sub.report_year, sub.format_version, sub.source_kind) == (UNIT, YEAR, FMT.version, "word")
    assert all(sub.value(*key) == values[key] for key in sources)
    assert not [f for f in sub.findings if f.severity == "error"]


@pytest.mark.unit
@pytest.mark.parametrize("name", ["t.pdf", "t.txt", "t.xls", "t.csv"])
def test_other_kinds_of_file_are_refused_in_chinese(tmp_path, name):
    suffix = name[name.index("."):]
    with pytest.raises(ValueError) as raised:
        write_template(UNIT, YEAR, out=tmp_path / name, units=UNITS)
    assert isinstance(raised.value, UnsupportedSuffix)
    assert f"不支持的模板格式“{suffix}”" in str(raised.value) and ".xlsx" in str(raised.value)
    assert ".docx" in str(raised.value)
    assert list(tmp_path.iterdir()) == []  # nothing written under any name


@pytest.mark.unit
def test_a_folder_or_a_name_without_suffix_gets_the_workbook(tmp_path):
    path = write_template(UNIT, YEAR, out=tmp_path, units=UNITS)
    assert path == tmp_path / f"{YEAR}_{UNIT}_{REPORT_TITLE}.xlsx" and zipfile.is_zipfile(path)
    path = write_template(UNIT, YEAR, out=tmp_path / "大营镇模板", units=UNITS)
    assert path == tmp_path / "大营镇模板.xlsx" and path.exists()
