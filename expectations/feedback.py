"""The clerk's own workbook handed back with every problem marked: what `countystats check FILE --feedback OUT` writes.

The clerk corrects the file they sent, so we annotate that file rather than a report about it: each offending cell is
filled red (error: the report is sent back) or yellow (warning: accepted, please look), carries a comment with the
Chinese message, and a printable ``问题清单`` sheet lists every finding, including those that point at no cell.
.xlsx/.xlsm are loaded with openpyxl (formatting kept); .xls cannot be written by openpyxl, so its values are
copied via python-calamine into a new workbook under the same sheet names and addresses. A Word document, a PDF or a
portal page cannot be marked in place: its tables, as read, become sheets named as the findings name them (表格2,
第3页), each cell at the row and column the finding gives (表格2!R5C3 is C5 of sheet 表格2).
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from transforms.format import FORMATS, SEVERITY_ZH
from transforms.model import Finding, Submission
from transforms.rules import RULES
from transforms.rules.narrative import PARTS, part_name
from transforms.writing.safe_text import set_text

LIST_SHEET = "问题清单"
HEADERS = ("规则", "严重程度", "表", "行", "列", "单元格", "说明", "单位解释")
WIDTHS = (16, 9, 7, 26, 14, 12, 70, 30)
FILL = {
    "error": PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"),
    "warning": PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"),
    "notice": PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7"),
}
SEVERITY_ORDER = {"error": 0, "warning": 1, "notice": 2}
HEADER_FILL = PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


FEEDBACK_MAX_MERGE = 100_000  # openpyxl makes an object per cell of a merged range: P1:XFD1048576 is 17 billion


def _load(source: Path, keep_vba: bool) -> Workbook:
    """The clerk's workbook, editable. openpyxl (formatting kept) for an .xlsx/.xlsm the guard finds ordinary;
    otherwise — .xls, or sheets whose merges or extent openpyxl would expand without bound — its values copied
    under the same sheet names and addresses, read as the reader reads them (capped, merges clipped)."""
    from transforms.reading.grid import load_grids
    from transforms.reading.guard import Rejected, inspect

    data = source.read_bytes()
    document = _document(data)
    if document is not None:
        return _tables_book(document)
    try:
        insp = inspect(data)
    except Rejected:
        insp = None
    ordinary = insp is not None and insp.kind == "xlsx" and not insp.oversized_sheets and all(
        f.largest_merge <= FEEDBACK_MAX_MERGE for f in insp.sheets.values())
    if ordinary:
        # normal (not read-only) mode: merged ranges are needed to find a merged cell's anchor
        return load_workbook(source, keep_vba=keep_vba)
    grids, _ = load_grids(data, skip=insp.oversized_sheets if insp else set())
    wb = Workbook()
    wb.remove(wb.active)
    for grid in grids:
        ws = wb.create_sheet(title=grid.name[:31])
        for r, row in enumerate(grid.cells, start=1):
            for c, value in enumerate(row, start=1):
                if value not in ("", None) and (r - 1, c - 1) not in grid.origin:
                    set_text(ws.cell(row=r, column=c), value)
    return wb


def _document(data: bytes):
    """The tables and text of a Word document, PDF or portal page; None for a workbook (or what is no document)."""
    from transforms.reading.forms import FORM_OF, read_document, sniff
    from transforms.reading.guard import Rejected

    try:
        kind = sniff(data)
        if FORM_OF[kind] == "workbook":
            return None
        return read_document(data, kind)
    except Rejected:
        return None


def _tables_book(document) -> Workbook:
    """A document's tables as sheets, one per place a finding names (表格2 / 第3页), each value at its R/C."""
    wb = Workbook()
    wb.remove(wb.active)
    for table in document.tables:
        for r, row in enumerate(table.cells):
            prefix, number = table.rows[min(r, len(table.rows) - 1)]
            title = prefix[:31]
            ws = wb[title] if title in wb.sheetnames else wb.create_sheet(title=title)
            for c, value in enumerate(row, start=1):
                if value:
                    set_text(ws.cell(row=number, column=c), value)
    return wb


_RC = re.compile(r"R(\d+)C(\d+)")


def _split(ref: str) -> tuple[str, str]:
    """'Sheet1!C8' / "'My sheet'!C8" → (sheet, 'C8'); a document's '表格2!R5C3' → ('表格2', 'C5')."""
    sheet, _, coord = ref.rpartition("!")
    m = _RC.fullmatch(coord)
    if m:
        coord = f"{get_column_letter(int(m.group(2)))}{int(m.group(1))}"
    return sheet.strip("'"), coord.replace("$", "")


def _anchor(ws, coord: str):
    """The writable cell for an address: the top-left cell of the merged range it lies in, if any."""
    cell = ws[coord]
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if coord in rng:
                return ws.cell(row=rng.min_row, column=rng.min_col)
    return cell


def _where(sub: Submission, f: Finding) -> tuple[str, str, str]:
    """表 / 行 / 列 in Chinese from the format, for the list sheet."""
    fmt = FORMATS.get(sub.format_version or "")
    if fmt is None or f.section is None:
        return "", f.row or "", f.column or ""
    if f.section in PARTS:  # a finding about a part of the narrative (N-PROBLEMS, N-COPY)
        return part_name(f.section), "", ""
    section = fmt.section(f.section)
    row = section.row_by_code[f.row].title if f.row in section.row_by_code else (f.row or "")
    column = section.column_by_code[f.column].label.text if f.column in section.column_by_code else (f.column or "")
    return section.short, row, column


def _rule_text(rule_id: str) -> str:
    rule = RULES.get(rule_id)
    return f"{rule_id} {rule.name_zh}" if rule else rule_id


def _mark_cells(wb: Workbook, findings: list[Finding]) -> None:
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.cell:
            by_cell.setdefault(_split(f.cell), []).append(f)
    for (sheet, coord), fs in by_cell.items():
        if sheet not in wb.sheetnames:
            continue
        cell = _anchor(wb[sheet], coord)
        severity = min((f.severity for f in fs), key=lambda s: SEVERITY_ORDER.get(s, 3))  # the gravest says
        cell.fill = FILL.get(severity, PatternFill())
        text = "\n\n".join(f"【{SEVERITY_ZH[f.severity]} {_rule_text(f.rule)}】{f.message}" for f in fs)
        comment = Comment(text, "countystats")
        comment.width, comment.height = 360, min(60 + 18 * (len(text) // 22 + 2 * len(fs)), 600)
        cell.comment = comment


def _list_sheet(wb: Workbook, sub: Submission) -> None:
    if LIST_SHEET in wb.sheetnames:
        del wb[LIST_SHEET]
    ws = wb.create_sheet(LIST_SHEET, 0)  # first, so it is what the clerk sees on opening
    ws.append(HEADERS)
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
    for f in sorted(sub.findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 3)):
        table, row, column = _where(sub, f)
        r = ws.max_row + 1
        texts = (_rule_text(f.rule), SEVERITY_ZH.get(f.severity, f.severity), table, row, column, f.cell or "",
                 f.message, f.explanation or "")
        for c, text in enumerate(texts, start=1):
            set_text(ws.cell(row=r, column=c), text)  # a label or 说明 such as =HYPERLINK(…) stays text
        for cell in ws[r]:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = BORDER
        ws.cell(row=ws.max_row, column=2).fill = FILL.get(f.severity, PatternFill())
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    # printing: A4 landscape, one page wide, header row repeated on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4


def write_feedback(sub: Submission, source: Path, out: Path) -> Path:
    """Write ``source`` (the workbook ``sub`` was read from) to ``out`` with the findings marked; returns ``out``.

    Runs in this process: ``countystats check --feedback`` calls it through :func:`write_feedback_isolated`.
    """
    source, out = Path(source), Path(out)
    # macros survive only into an .xlsm (an .xlsx with a VBA part would not open)
    wb = _load(source, keep_vba=source.suffix.lower() == ".xlsm" and out.suffix.lower() == ".xlsm")
    _mark_cells(wb, sub.findings)
    _list_sheet(wb, sub)
    wb.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def feedback_pool(limits=None):
    """Writer processes for :func:`write_feedback_isolated` to use across calls (the portal keeps one warm)."""
    from transforms.isolation import Limits, WorkerPool

    return WorkerPool("expectations.feedback:write_feedback", limits=limits or Limits())


def write_feedback_isolated(sub: Submission, source: Path, out: Path, limits=None, pool=None) -> Path:
    """:func:`write_feedback` in a worker process with a memory cap and a time limit (openpyxl expands what a
    hostile workbook declares). Raises :class:`FeedbackFailed` with a Chinese reason when it cannot be written.
    ``pool``: writer processes kept by the caller (:func:`feedback_pool`); otherwise one is started for this call."""
    from transforms.isolation import Failure

    own = pool is None
    pool = pool or feedback_pool(limits)
    try:
        (result,) = pool.map([(sub, Path(source), Path(out))])
    finally:
        if own:
            pool.close()
    if isinstance(result, Failure):
        Path(out).unlink(missing_ok=True)
        raise FeedbackFailed(f"无法生成反馈工作簿：{result.reason_zh(pool.limits)}", sub)
    return result


class FeedbackFailed(RuntimeError):
    """The feedback workbook could not be written; the message is Chinese, for the clerk."""

    def __init__(self, message: str, submission: Submission):
        super().__init__(message)
        self.submission = submission
