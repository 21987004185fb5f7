"""Hostile and unlucky files, one maker per class of the hardening issue (and variants of our own).

Each maker starts from a real, clean report of the example county (so "the report itself is fine" is known) and
changes what a hostile or unlucky unit would: the sheet XML spelled so a regex misses a far cell, a shared-string
table declaring billions, merges that overlap hundreds of times, numbers at 2^53, a year of 2099, a formula where a
text belongs. The makers return bytes; the tests put them where a unit would (the inbox, ``check``).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from countystats.examples.county import LATE, RESUBMITTED, ExampleReport, generate_county
from transforms.format.statutory import FORMAT_2021
from transforms.reading.grid import column_letters

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FORMULA_TEXT = "=cmd|' /C calc'!A0"
HYPERLINK_TEXT = '=HYPERLINK("http://example.invalid/steal","点此查看")'


def clean_reports(n: int = 6) -> list[ExampleReport]:
    """Example reports that read and validate without error: 2021 tables, .xlsx, on time, one file per unit-year."""
    out = []
    for r in generate_county():
        key = (r.unit_code, r.year)
        if (r.mistake is None and r.format_version == FORMAT_2021.version and not r.mixed and r.file_name.endswith(".xlsx")
                and key not in LATE and key not in RESUBMITTED and r.title_name and r.year == 2024
                and not r.options.formulas):
            out.append(r)
    return out[:n]


def report_bytes(report: ExampleReport, folder: Path) -> bytes:
    return report.write(folder).read_bytes()


# ---------------------------------------------------------------- zip surgery


def rezip(data: bytes, edit, add: dict[str, bytes] | None = None) -> bytes:
    """The workbook with each member passed through ``edit(name, bytes) -> bytes`` (and members added)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, edit(info.filename, src.read(info)))
        for name, body in (add or {}).items():
            zf.writestr(name, body)
    return out.getvalue()


def edit_sheet(data: bytes, fn, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    return rezip(data, lambda name, body: fn(body.decode("utf-8")).encode("utf-8") if name == member else body)


def _before_sheet_data_end(xml: str, rows: str) -> str:
    assert "</sheetData>" in xml
    return xml.replace("</sheetData>", rows + "</sheetData>", 1)


# ---------------------------------------------------------------- class 2: past the guard

# a cell far away (XFD1048576) as the sheet XML may legally spell it: calamine would allocate 17 billion cells
FAR_CELL_SPELLINGS = {
    "single_quotes": "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",
    "spaces_around_equals": '<row r = "1048576" ><c r = "XFD1048576" ><v>1</v></c ></row>',
    "lower_case_reference": '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',
    "namespace_prefix": f'<x:row xmlns:x="{MAIN_NS}" r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>',
    "empty_inline_string": '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is/></c></row>',
    "tab_and_newline_in_tag": '<row\tr="1048576"><c\nr="XFD1048576"\n><v>1</v></c></row>',
}


def far_cell(data: bytes, spelling: str) -> bytes:
    return edit_sheet(data, lambda xml: _before_sheet_data_end(xml, FAR_CELL_SPELLINGS[spelling]))


def cells_without_r_far_down(data: bytes) -> bytes:
    """Rows and cells with no ``r``: their place is implied; a row far down, then a run of cells along it."""
    return edit_sheet(data, lambda xml: _before_sheet_data_end(
        xml, '<row r="1048570">' + "<c><v>1</v></c>" * 2000 + "</row>"))


def styled_empty_far_cell(data: bytes) -> bytes:
    """A formatted but empty cell at A1048576 (a clerk formatted a whole column): harmless, and must stay so."""
    return edit_sheet(data, lambda xml: _before_sheet_data_end(xml, '<row r="1048576"><c r="A1048576" s="1"/></row>'))


def huge_unique_count(data: bytes, count: int = 68_719_476_736) -> bytes:
    def edit(name: str, body: bytes) -> bytes:
        if name != "xl/sharedStrings.xml":
            return body
        text = body.decode("utf-8")
        text, n = re.subn(r'uniqueCount="\d+"', f'uniqueCount="{count}"', text, count=1)
        if not n:
            text = text.replace("<sst ", f'<sst uniqueCount="{count}" ', 1)
        return text.encode("utf-8")

    return rezip(data, edit)


def doctype_entities(data: bytes) -> bytes:
    """A DTD with nested entities (billion laughs) in the sheet XML."""
    dtd = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')

    def fn(xml: str) -> str:
        head, sep, rest = xml.partition("?>")
        return head + sep + dtd + rest if sep else dtd + xml

    return edit_sheet(data, fn)


# ---------------------------------------------------------------- class 3: work without bound


def _add_merges(xml: str, refs: list[str]) -> str:
    tags = "".join(f'<mergeCell ref="{r}"/>' for r in refs)
    m = re.search(r'<mergeCells count="(\d+)">', xml)
    if m:
        total = int(m.group(1)) + len(refs)
        xml = xml.replace(m.group(0), f'<mergeCells count="{total}">', 1)
        return xml.replace("</mergeCells>", tags + "</mergeCells>", 1)
    return xml.replace("</sheetData>", f'</sheetData><mergeCells count="{len(refs)}">{tags}</mergeCells>', 1)


def overlapping_merges(data: bytes, n: int = 600, ref: str = "P1:CV2000") -> bytes:
    return edit_sheet(data, lambda xml: _add_merges(xml, [ref] * n))


def giant_merge(data: bytes) -> bytes:
    """One merged range over the whole rest of the sheet (openpyxl would make 17 billion cell objects)."""
    return edit_sheet(data, lambda xml: _add_merges(xml, ["Q1:XFD1048576"]))


def spaced_end_tags(data: bytes, cells: int = 8000) -> bytes:
    """``</c >`` end tags (legal XML): a regex scanning ``>(.*?)</c>`` goes quadratic on them."""
    rows = []
    for r in range(cells // 40):
        rows.append(f'<row r="{200 + r}">' + "".join(
            f'<c r="{column_letters(c)}{200 + r}" ><v>0</v></c >' for c in range(40)) + "</row>")
    return edit_sheet(data, lambda xml: _before_sheet_data_end(xml, "".join(rows)))


# ---------------------------------------------------------------- class 4 and 5: numbers, years, texts


def set_cell(data: bytes, ref: str, value: str, kind: str = "n") -> bytes:
    """Replace the content of cell ``ref`` (which must exist in sheet1) by a number (``kind`` "n"), an inline
    string ("s") or an error value ("e": what Excel stores for a formula that failed, e.g. #DIV/0!)."""
    def fn(xml: str) -> str:
        pattern = re.compile(rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)', re.S)
        m = pattern.search(xml)
        assert m, ref
        attrs = re.sub(r'\s+t="[^"]*"', "", m.group(1))
        if kind == "n":
            cell = f'<c r="{ref}"{attrs}><v>{value}</v></c>'
        elif kind == "e":
            cell = f'<c r="{ref}"{attrs} t="e"><f>1/0</f><v>{value}</v></c>'
        else:
            escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            cell = f'<c r="{ref}"{attrs} t="inlineStr"><is><t>{escaped}</t></is></c>'
        return xml[: m.start()] + cell + xml[m.end():]

    return edit_sheet(data, fn)


def value_cell(report: ExampleReport, key: tuple[str, str, str]) -> str:
    """The A1 address of a value cell of the report's first sheet."""
    sheet, ref = report.sources[key].split("!")
    assert sheet == report.plan().sheets[0].name, (sheet, key)
    return ref


def replace_year(data: bytes, old: int, new: int) -> bytes:
    """Every ``2024年`` of the shared strings (the title, the filer line) made another year."""
    return rezip(data, lambda name, body: body.replace(f"{old}年".encode(), f"{new}年".encode())
                 if name == "xl/sharedStrings.xml" else body)


def with_explanation_sheet(data: bytes, rows: list[tuple[str, str]], blank: str | None = None) -> bytes:
    """The workbook with a 说明 sheet (rule id, explanation) written as text cells, and optionally one value
    cell of sheet1 blanked (so that an R-BLANK warning is there to explain)."""
    from openpyxl import load_workbook

    from transforms.writing.safe_text import set_text

    wb = load_workbook(io.BytesIO(data))
    ws = wb.create_sheet("说明")
    for r, (rule, text) in enumerate(rows, start=1):
        set_text(ws.cell(r, 1), rule)
        set_text(ws.cell(r, 2), text)
    if blank:
        wb.worksheets[0][blank].value = None
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
