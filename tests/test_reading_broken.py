"""Broken and hostile files: never a traceback, always a Submission saying why, in Chinese."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from reading_fixtures import Sheet, address, split_per_table, statutory_sheet, write_book

from transforms.format.statutory import FORMAT_2021
from transforms.reading import read_submission
from transforms.reading.guard import CFB_MAGIC, ENCRYPTION_INFO, MAX_UNCOMPRESSED

pytestmark = pytest.mark.unit

UNIT = "大营镇"


def assert_unreadable(sub, path, words=()):
    assert sub.unreadable and sub.status == "unreadable"
    assert len(sub.findings) == 1
    f = sub.findings[0]
    assert (f.rule, f.severity) == ("R-FORMAT", "error")
    assert path.name in f.message and "无法读取" in f.message
    for w in words:
        assert w in f.message
    assert sub.cells == {}
    if path.exists():
        assert sub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def good_xlsx(tmp_path_factory):
    sheet, _ = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    return write_book(tmp_path_factory.mktemp("good") / "good.xlsx", [sheet]).read_bytes()


def test_empty_file(tmp_path, registry):
    p = tmp_path / "空文件.xlsx"
    p.write_bytes(b"")
    assert_unreadable(read_submission(p, registry), p, ["空"])


def test_missing_file(tmp_path, registry):
    p = tmp_path / "没有这个文件.xlsx"
    sub = read_submission(p, registry)
    assert sub.unreadable and p.name in sub.findings[0].message


@pytest.mark.parametrize(
    "content, word",
    [
        ("单位,数量\n大营镇,3\n".encode(), "不是可以读取的年度报告"),
        (bytes(range(256)) * 10, "不是可以读取的年度报告"),
        (b"{\\rtf1\\ansi hello}", "RTF"),
    ],
)
def test_not_a_report_in_any_form(tmp_path, registry, content, word):
    p = tmp_path / "report.xls"
    p.write_bytes(content)
    assert_unreadable(read_submission(p, registry), p, [word])


def test_a_web_page_saved_as_xls_is_read_as_a_web_page(tmp_path, registry):
    p = tmp_path / "report.xls"
    p.write_bytes(b"<html><body><table><tr><td>1</td></tr></table></body></html>")
    sub = read_submission(p, registry)
    assert sub.source_kind == "html" and not sub.unreadable
    assert "R-FORMAT" in [f.rule for f in sub.findings if f.severity == "error"]  # no statutory tables in it


def test_truncated_zip(tmp_path, registry, good_xlsx):
    for n in (10, len(good_xlsx) // 2, len(good_xlsx) - 30):
        p = tmp_path / f"cut{n}.xlsx"
        p.write_bytes(good_xlsx[:n])
        assert_unreadable(read_submission(p, registry), p, ["损坏"])


def test_zip_that_is_not_a_workbook(tmp_path, registry):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    p = tmp_path / "renamed.xlsx"
    p.write_bytes(buf.getvalue())
    assert_unreadable(read_submission(p, registry), p)


@pytest.mark.parametrize("member, word", [("xl/workbook.bin", "xlsb"), ("content.xml", "ods")])
def test_other_spreadsheet_formats_are_named(tmp_path, registry, member, word):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr(member, "x")
    p = tmp_path / "report.xlsx"
    p.write_bytes(buf.getvalue())
    assert_unreadable(read_submission(p, registry), p, [word])


def test_encrypted_workbook(tmp_path, registry):
    # what Excel writes for "encrypt with password": an OLE compound file holding EncryptionInfo + EncryptedPackage
    body = CFB_MAGIC + bytes(504) + ENCRYPTION_INFO + bytes(200) + "EncryptedPackage".encode("utf-16-le")
    p = tmp_path / "加密.xlsx"
    p.write_bytes(body + bytes(4096))
    assert_unreadable(read_submission(p, registry), p, ["密码"])


def test_sheet_protection_is_not_encryption(tmp_path, registry):
    import xlsxwriter

    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    p = write_book(tmp_path / "protected.xlsx", [sheet])
    wb = xlsxwriter.Workbook(str(tmp_path / "p2.xlsx"))
    ws = wb.add_worksheet()
    ws.protect("secret")
    ws.write(0, 0, "x")
    wb.close()
    assert read_submission(p, registry).status == "accepted"
    assert not read_submission(tmp_path / "p2.xlsx", registry).unreadable  # readable, just not a report


def test_zip_bomb_is_rejected_before_reading(tmp_path, registry, good_xlsx):
    src = zipfile.ZipFile(io.BytesIO(good_xlsx))
    for name, size in (("ratio", 4 * 1024 * 1024), ("total", MAX_UNCOMPRESSED + 1024)):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for info in src.infolist():
                zf.writestr(info, src.read(info))
            zf.writestr("xl/media/padding.bin", bytes(size))
        p = tmp_path / f"bomb-{name}.xlsx"
        p.write_bytes(buf.getvalue())
        assert len(buf.getvalue()) < 200_000
        assert_unreadable(read_submission(p, registry), p, ["压缩"] if name == "ratio" else ["过大"])


def test_far_away_cell_does_not_kill_the_process(tmp_path, registry):
    """calamine would allocate max_row × max_col cells and abort; the guard refuses to load that sheet."""
    import xlsxwriter

    p = tmp_path / "far.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet()
    ws.write(0, 0, "x")
    ws.write(1_048_575, 16_383, 1)
    wb.close()
    assert_unreadable(read_submission(p, registry), p, ["过大"])


def test_far_away_cell_on_a_second_sheet_only_skips_that_sheet(tmp_path, registry):
    import openpyxl

    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    p = write_book(tmp_path / "two.xlsx", [sheet])
    wb = openpyxl.load_workbook(p)
    wb.create_sheet("stray")["XFD1048576"] = 1
    wb.save(p)
    sub = read_submission(p, registry)
    assert not sub.unreadable
    assert all(sub.value(*k) == v for k, v in expected.items())
    assert any(f.rule == "R-FORMAT" and "stray" in f.message for f in sub.findings)


def test_formulas_without_cached_values(tmp_path, registry):
    """openpyxl writes formulas without results; calamine would silently read them as blank."""
    import openpyxl

    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    p = write_book(tmp_path / "formulas.xlsx", [sheet])
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    key = ("requests", "new_received", "total")
    target = address(sheet, key).split("!")[1]
    ws[target] = "=SUM(D5:I5)"
    wb.save(p)
    sub = read_submission(p, registry)
    assert sub.status == "rejected"
    errs = [f for f in sub.findings if f.rule == "R-FORMULA"]
    assert [(f.cell, f.row, f.column) for f in errs] == [(address(sheet, key), "new_received", "total")]
    assert sub.value(*key) is None
    assert not any(f.rule == "R-BLANK" and address(sheet, key) in f.message for f in sub.findings)


def test_formulas_with_cached_values_are_read(tmp_path, registry):
    import xlsxwriter

    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    key = ("requests", "new_received", "total")
    r, c = sheet.keys[key]
    value = sheet.cells.pop((r, c))
    p = write_book(tmp_path / "cached.xlsx", [sheet])
    # rewrite with the formula and its cached result (what Excel/WPS save)
    wb = xlsxwriter.Workbook(str(tmp_path / "cached2.xlsx"))
    ws = wb.add_worksheet("Sheet1")
    for r0, c0, r1, c1 in sheet.merges:
        ws.merge_range(r0, c0, r1, c1, sheet.cells.get((r0, c0), ""))
    merged = {(a, b) for r0, c0, r1, c1 in sheet.merges for a in range(r0, r1 + 1) for b in range(c0, c1 + 1)}
    for (a, b), v in sheet.cells.items():
        if (a, b) not in merged:
            ws.write(a, b, v)
    ws.write_formula(r, c, "=1+1", None, value)
    wb.close()
    assert p.exists()
    sub = read_submission(tmp_path / "cached2.xlsx", registry)
    assert sub.value(*key) == value and not any(f.rule == "R-FORMULA" for f in sub.findings)


def test_missing_table_is_rejected_not_unreadable(tmp_path, registry):
    sheet, _ = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    parts = [p for p in split_per_table(sheet) if not any(k[0] == "requests" for k in p.keys)]
    sub = read_submission(write_book(tmp_path / "two-tables.xlsx", parts), registry)
    assert sub.status == "rejected" and not sub.unreadable
    assert any(f.rule == "R-LABELS" and f.section == "requests" and f.severity == "error" for f in sub.findings)


def test_workbook_without_any_table(tmp_path, registry):
    sheet = Sheet()
    sheet.put(0, 0, "本单位2024年无相关数据")
    sub = read_submission(write_book(tmp_path / "nothing.xlsx", [sheet]), registry)
    assert sub.status == "rejected" and sub.format_version is None
    assert any(f.rule == "R-FORMAT" and f.severity == "error" for f in sub.findings)


def test_damaged_xls_is_unreadable(tmp_path, registry):
    sheet, _ = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    good = write_book(tmp_path / "good.xls", [sheet]).read_bytes()
    assert read_submission(tmp_path / "good.xls", registry).status == "accepted"
    p = tmp_path / "bad.xls"
    p.write_bytes(good[: len(good) // 3])
    assert_unreadable(read_submission(p, registry), p)
