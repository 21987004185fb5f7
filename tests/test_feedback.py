"""The feedback workbook: the clerk's own file with offending cells marked and a printable 问题清单 sheet."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from countystats.examples.reports import SHEET, make_submission, set_values
from expectations.feedback import FILL, HEADERS, LIST_SHEET, write_feedback
from expectations.validation import validate_submissions
from transforms.format.statutory import FORMAT_2021
from transforms.model import Finding, Submission

pytestmark = pytest.mark.unit


def _write_source(sub: Submission, path: Path) -> Path:
    """The workbook the submission 'was read from': every value at its source address, one merged cell."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = "title"
    for cell in sub.cells.values():
        if cell.source:
            ws[cell.source.split("!")[1]] = cell.value
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A township report with one error (T3-BALANCE), one warning (T3-SHIFT, explained) and a finding without cell."""
    sub = make_submission(FORMAT_2021.version, "township", random.Random(3))
    key = ("requests", "carried_forward", "natural_person")
    set_values(sub, [(key, sub.value(*key) + 1), (("requests", "carried_forward", "total"),
                                                 sub.value("requests", "carried_forward", "total") + 1)])
    for row in ("new_received", "granted", "concluded_total"):
        for col in ("legal_services", "total"):
            set_values(sub, [(("requests", row, col), sub.value("requests", row, col) + 1)])
    sub.explanations = {"T3-SHIFT": "确有律师事务所申请"}
    sub.add(Finding("R-YEAR", "warning", "报告年度与文件名不一致"))
    validate_submissions([sub], None)
    folder = tmp_path_factory.mktemp("feedback")
    return sub, _write_source(sub, folder / "报送.xlsx"), folder


def test_offending_cells_are_filled_and_commented(checked):
    sub, source, folder = checked
    out = write_feedback(sub, source, folder / "反馈.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    errors = [f for f in sub.findings if f.severity == "error" and f.cell]
    warnings = [f for f in sub.findings if f.severity == "warning" and f.cell]
    assert errors and warnings
    error_cells = {f.cell for f in errors}
    for f in errors:
        cell = ws[f.cell.split("!")[1]]
        assert cell.fill.start_color.rgb.endswith(FILL["error"].start_color.rgb[-6:])
        assert f.message in cell.comment.text
    for f in warnings:
        if f.cell in error_cells:
            continue  # a cell with an error and a warning is red
        cell = ws[f.cell.split("!")[1]]
        assert cell.fill.start_color.rgb.endswith(FILL["warning"].start_color.rgb[-6:])
        assert f.message in cell.comment.text
    # values the clerk typed are untouched
    for c in sub.cells.values():
        if c.source:
            assert ws[c.source.split("!")[1]].value == c.value


def test_problem_list_sheet(checked):
    sub, source, folder = checked
    wb = load_workbook(write_feedback(sub, source, folder / "反馈2.xlsx"))
    assert wb.sheetnames[0] == LIST_SHEET and wb.active.title == LIST_SHEET
    ws = wb[LIST_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert len(rows) == 1 + len(sub.findings)
    # errors first, with the table, row and column in Chinese from the format
    requests = FORMAT_2021.section("requests")
    balance = next(r for r in rows[1:] if r[0].startswith("T3-BALANCE"))
    assert rows[1][1] == "错误"
    assert balance[2:5] == (requests.short, requests.row_by_code["new_received"].title,
                            requests.column_by_code["natural_person"].label.text)
    shift = next(r for r in rows[1:] if r[0].startswith("T3-SHIFT"))
    assert shift[7] == "确有律师事务所申请"
    no_cell = next(r for r in rows[1:] if r[0].startswith("R-YEAR"))
    assert no_cell[5] in (None, "")
    # printable: landscape, one page wide, header repeated
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows.replace("$", "") == "1:1"
    assert ws.freeze_panes == "A2"


def test_merged_cell_is_marked_at_its_anchor(tmp_path):
    sub = make_submission(FORMAT_2021.version, "department", random.Random(4))
    # 表四 written into a merged range: the finding's address is inside the range, not its top-left
    sub.findings.append(Finding("T4-TOTAL", "error", "总计不对", "review_litigation", "reconsideration", "total",
                                cell=f"{SHEET}!C60"))
    path = tmp_path / "merged.xlsx"
    wb = Workbook()
    wb.active.title = SHEET
    wb.active.merge_cells("B60:D60")
    wb.save(path)
    ws = load_workbook(write_feedback(sub, path, tmp_path / "out.xlsx"))[SHEET]
    assert "总计不对" in ws["B60"].comment.text


def test_xls_source_is_copied_by_value(tmp_path, checked):
    xlwt = pytest.importorskip("xlwt")
    sub, _, _ = checked
    book = xlwt.Workbook()
    sheet = book.add_sheet(SHEET)
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    for c in sub.cells.values():
        if c.source and c.value is not None:
            col, row = coordinate_from_string(c.source.split("!")[1])
            sheet.write(row - 1, column_index_from_string(col) - 1, c.value)
    path = tmp_path / "old.xls"
    book.save(str(path))
    wb = load_workbook(write_feedback(sub, path, tmp_path / "old-反馈.xlsx"))
    ws = wb[SHEET]
    f = next(f for f in sub.findings if f.severity == "error")
    cell = ws[f.cell.split("!")[1]]
    assert cell.value == sub.cells[(f.section, f.row, f.column)].value
    assert f.message in cell.comment.text
    assert wb.sheetnames[0] == LIST_SHEET
