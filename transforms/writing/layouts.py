"""Writing report workbooks from canonical cells, in every layout units really send.

Everything is derived from the format objects of ``transforms.format`` (sections, blocks, rows, columns,
``Row.group``, ``Measure.parent``, ``Label.text/variants``); no label is spelled here.

Layouts (``layout=``)
    ``stacked``    the three tables in one sheet, cell for cell like the statutory Word template (merged block
                   headers, one-value cells merged across three columns, vertically merged parent labels, the corner
                   note, 申请人情况 / 法人或其他组织 headers, header labels broken over two lines), after a title row
                   and a 填报单位 row, each table under its section title.
    ``per_table``  one sheet per table (sheet names from the section titles, or ``sheet_names=``), title in each.
    ``flat``       one sheet, no merged cells: the labels of a row joined in one column
                   (``三、本年度办理结果（三）不予公开 1.属于国家秘密``), headers unmerged.

Formats: any ``ReportFormat`` of ``transforms.format``, or one with its derived row printed undivided
(``fmt.undivided()``: 2021 tables 二 and 四, table 三 with the undivided （六）其他处理 row — seen in a real district
report; cell codes of 2021, ``other_total`` given, its three children absent — not None: they are not in the
workbook).

Options (fields of :class:`Options`, also keyword arguments of :func:`write_report`)
    placement    ``start=(row, col)`` (0-based; shifted tables), ``spacer`` (an empty column between row labels and
                 numbers), ``title`` / ``filer`` (None = derived from unit name and year, "" = omit the row),
                 ``sheet_names``.
    labels       ``variants`` (first listed variant of every label: typos ``2.其他法律行政止公开``, ``钩稽关系``,
                 ``现行有效件``, 规范性文件 in 2021 …), ``half_width`` brackets, ``numbering`` ("、" or "．" for
                 ``1.``), ``traditional`` (OpenCC s2t on every text).
    numbers      ``numbers`` = "" (numeric cells) | "text" | "fullwidth" | "thousands" | "padded" | "mixed";
                 ``zero`` = "" | "blank" | one of ``ZERO_WORDS``; ``blank_total`` (table 三's 总计 column left blank);
                 ``money_suffix`` (decimal measures written as ``251000元``); ``text_cells`` (key → text that is not
                 a number, e.g. 见附件).
    formulas     ``formulas`` = "" | "cached" (totals as formulas with cached values, as Excel saves them;
                 xlsxwriter) | "uncached" (formulas without values, as programs write them; openpyxl) |
                 "template" (every total a formula, whatever the figures: the blank template's totals compute
                 themselves as the clerk fills in the parts).
    extras       ``explanations`` ((rule id, explanation), …) → a 说明 sheet.

File type from the suffix: ``.xlsx`` / ``.xlsm`` (xlsxwriter; openpyxl for uncached formulas), ``.xls`` (xlwt, legacy;
formulas are written as values there). Cells of a measure in 万元 are shown to two decimals (number format ``0.00``;
the value stays exact).

``Written.sources`` maps each key to ``"Sheet!A1"``, ``Written.raw`` each key whose cell is not a plain number to
what was written (text or formula). What a correct reader returns for a written file is the examples' business
(``countystats.examples.workbooks.read_back``).

API
    write_report(path, fmt, cells, unit_name, year, layout="stacked", **options) -> Written
    plan_report(fmt, cells, unit_name, year, layout="stacked", options=Options()) -> Book   (no I/O)
    write_template(unit_name, year, out=None, units=None, area=None) -> Path   (.xlsx workbook, or .docx)
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from transforms.format import (
    EXPLANATIONS_SHEET,
    FILLED_BY,
    NARRATIVE,
    REPORT_TITLE,
    TOTAL,
    WAN_YUAN,
    ReportFormat,
    for_year,
)
from transforms.writing.plan import (  # the plan is this module's API too (re-exported)
    LAYOUTS,
    NUMBER_STYLES,
    OPTION_NAMES,
    Book,
    Item,
    Key,
    Options,
    SheetPlan,
    Value,
    Written,
    a1,
    plan_report,
    row_paths,
    total_targets,
    written_values,
)

__all__ = [
    "LAYOUTS", "NUMBER_STYLES", "OPTION_NAMES", "Book", "Item", "Key", "Options", "SheetPlan", "Value", "Written", "a1",
    "plan_report", "row_paths", "total_targets", "written_values", "render", "write_report", "write_template",
    "template_instructions", "UnsupportedSuffix", "INSTRUCTIONS_SHEET", "EXAMPLE_EXPLANATION", "TEMPLATE_SUFFIXES",
]


# ---------------------------------------------------------------- writing


def write_report(
    path: str | Path,
    fmt: ReportFormat,
    cells: Mapping[Key, Value],
    unit_name: str,
    year: int,
    layout: str = "stacked",
    options: Options | None = None,
    **kwargs,
) -> Written:
    """Write one report workbook; returns where each cell is and what was written where it is not a number."""
    unknown = set(kwargs) - OPTION_NAMES
    if unknown:
        raise TypeError(f"unknown options {sorted(unknown)}")
    opt = replace(options or Options(), **kwargs)
    path = Path(path)
    book = plan_report(fmt, cells, unit_name, year, layout, opt)
    render(book, path)
    return Written(path, book.sources, book.raw)


def render(book: Book, path: Path, template: bool = False) -> None:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        _render_xlwt(book, path)
    elif book.options.formulas == "uncached":
        _render_openpyxl(book, path)
    elif suffix in (".xlsx", ".xlsm"):
        _render_xlsxwriter(book, path, template)
    else:
        raise ValueError(f"cannot write {suffix} files")


def _content(book: Book, it: Item):
    """(kind, content, cached value) of an item: kind is text | number | formula | blank."""
    if it.key is None:
        return ("text", it.text, None)
    raw = book.raw.get(it.key)
    v = book.values.get(it.key)
    if it.key in book.formulas:
        return ("formula", book.formulas[it.key], v)
    if raw is not None:
        return ("text", raw, None)
    if v is None:
        return ("blank", None, None)
    return ("number", v, None)


def _money(book: Book, it: Item) -> bool:
    """Whether the item is a cell of a measure in 万元 (shown to two decimals)."""
    return it.key is not None and book.fmt.section(it.key[0]).measure(it.key[1], it.key[2]).unit == WAN_YUAN


def _render_xlsxwriter(book: Book, path: Path, template: bool) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})  # no temporary files: ~2× faster for small books
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "text_wrap": True}
    box = {**base, "border": 1}
    styles = {
        "title": {**base, "bold": True, "font_size": 14, "align": "center"},
        "filer": {**base, "text_wrap": False},  # one line running on to the right, as the template has it
        "section": {**base, "bold": True, "text_wrap": False},
        "header": {**box, "align": "center"},
        "note": {**box, "align": "center"},
        "label": box,
        "value": {**box, "align": "center"},
        # the template: what the clerk types (unlocked, yellow), what computes itself (a total's formula: grey)
        "input": {**box, "align": "center", "locked": False, "bg_color": "#FFF2CC"},
        "computed": {**box, "align": "center", "bg_color": "#E7E6E6"},
        "sign": {**base, "text_wrap": False},
        "entry": {**base, "bottom": 1, "locked": False},
        "text": {**base, "valign": "top"},
    }
    fmts = {role: wb.add_format(style) for role, style in styles.items()}
    money = {role: wb.add_format({**styles[role], "num_format": "0.00"}) for role in ("value", "input", "computed")}
    for sheet in book.sheets:
        ws = wb.add_worksheet(sheet.name)
        for c, w in sheet.widths.items():
            ws.set_column(c, c, w)
        for r, texts in enumerate(sheet.rows):
            for c, text in enumerate(texts):
                if text:
                    ws.write_string(r, c, text, fmts["text"] if template else None)
        for it in sheet.items:
            role = it.role
            if template and it.key:
                role = "computed" if it.key in book.formulas else "input"
            f = money[role] if _money(book, it) else fmts[role]
            kind, content, cached = _content(book, it)
            if it.merged:
                ws.merge_range(it.row, it.col, it.last_row, it.last_col, "", f)
            if kind == "text" and content is not None:
                ws.write_string(it.row, it.col, content, f)
            elif kind == "number":
                ws.write_number(it.row, it.col, content, f)
            elif kind == "formula":  # a template's total over blank parts shows 0, as Excel computes it
                ws.write_formula(it.row, it.col, content, f, 0 if cached is None else cached)
            elif not it.merged:
                ws.write_blank(it.row, it.col, None, f)
            if template and role == "input":
                _validate(ws, book, it)
        if template:
            # a printed template: rows as tall as their wrapped labels (LibreOffice does not grow them itself)
            for r, height in _row_heights(sheet).items():
                ws.set_row(r, height)
            _print_setup(ws, sheet)
        if template and sheet.items:
            ws.protect("", {"format_columns": True, "format_rows": True})
    wb.close()


_LINE_POINTS = {"title": 22.0}  # the height of a line of text by the item's role (10-point text elsewhere)


def _text_width(text: str) -> float:
    """Column-width units a line of 10-point text takes: a CJK character almost two, others about one."""
    return sum(1.8 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def _row_heights(sheet: SheetPlan) -> dict[int, float]:
    """Row → height in points for the rows whose text wraps onto several lines in its (merged) width."""

    def lines(text: str, first: int, last: int) -> int:
        width = sum(sheet.widths.get(c, 8.43) for c in range(first, last + 1)) - 1
        return sum(max(1, math.ceil(_text_width(line) / max(width, 1))) for line in text.split("\n"))

    heights: dict[int, float] = {}
    for it in sheet.items:
        if not it.text or (it.last_row is not None and it.last_row != it.row):
            continue  # a label merged over several rows has their height
        if it.role in ("filer", "section", "sign"):
            continue  # one line running on to the right
        n = lines(it.text, it.col, it.last_col if it.last_col is not None else it.col)
        heights[it.row] = max(heights.get(it.row, 0), n * _LINE_POINTS.get(it.role, 13.5) + 3)
    for r, texts in enumerate(sheet.rows):
        n = max((lines(t, c, c) for c, t in enumerate(texts) if t), default=1)
        heights[r] = max(heights.get(r, 0), n * 13.5 + 3)
    return {r: h for r, h in heights.items() if h > 16}


def _print_setup(ws, sheet: SheetPlan) -> None:
    """A template sheet prints as the office files it: A4 landscape, all columns on one page's width, the title and
    填报单位 rows at the top of every page, each table starting a page of its own."""
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if not sheet.items:  # the 填表说明 and 说明 sheets: text, portrait
        return
    ws.set_landscape()
    ws.center_horizontally()
    top = [it.row for it in sheet.items if it.role in ("title", "filer")]
    if top:
        ws.repeat_rows(min(top), max(top))
    sections = sorted(it.row for it in sheet.items if it.role == "section")
    ws.set_h_pagebreaks(sections[1:])
    last_row = max((it.last_row if it.last_row is not None else it.row) for it in sheet.items)
    last_col = max((it.last_col if it.last_col is not None else it.col) for it in sheet.items)
    ws.print_area(0, 0, last_row, last_col)


def _validate(ws, book: Book, it: Item) -> None:
    """Integer ≥ 0 on counts, decimal ≥ 0 on amounts, any integer on 2019's signed 本年增/减."""
    m = book.fmt.section(it.key[0]).measure(it.key[1], it.key[2])
    if m.signed:
        rule = {"validate": "integer", "criteria": "between", "minimum": -(10**9), "maximum": 10**9}
    else:
        rule = {"validate": "decimal" if m.decimal else "integer", "criteria": ">=", "value": 0}
    ws.data_validation(it.row, it.col, it.row, it.col, {**rule, "error_message": m.label.text})


def _render_openpyxl(book: Book, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        for r, texts in enumerate(sheet.rows, start=1):
            for c, text in enumerate(texts, start=1):
                if text:
                    ws.cell(r, c, text)
        for c, w in sheet.widths.items():
            ws.column_dimensions[_col_letter(c)].width = w
        for it in sheet.items:
            kind, content, _ = _content(book, it)
            cell = ws.cell(it.row + 1, it.col + 1)
            if kind != "blank" and content is not None:
                cell.value = content  # a formula string is stored as a formula, with no cached value
            if _money(book, it):
                cell.number_format = "0.00"
            cell.alignment = wrap
            if it.role == "title":
                cell.font = Font(bold=True, size=14)
            elif it.role not in ("filer", "section", "sign", "entry"):
                cell.border = border
            if it.merged:
                ws.merge_cells(
                    start_row=it.row + 1, start_column=it.col + 1, end_row=it.last_row + 1, end_column=it.last_col + 1
                )
    wb.save(path)


def _col_letter(col: int) -> str:
    return a1(0, col)[:-1]


def _render_xlwt(book: Book, path: Path) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    box = "borders: left thin, right thin, top thin, bottom thin; align: wrap on, vert centre"
    styles = {
        "title": xlwt.easyxf("font: bold on, height 280; align: horiz centre, vert centre"),
        "filer": xlwt.easyxf(""),
        "section": xlwt.easyxf("font: bold on"),
        "header": xlwt.easyxf(box + ", horiz centre"),
        "note": xlwt.easyxf(box + ", horiz centre"),
        "label": xlwt.easyxf(box),
        "value": xlwt.easyxf(box + ", horiz centre"),
        "sign": xlwt.easyxf(""),
        "entry": xlwt.easyxf(""),
    }
    for sheet in book.sheets:
        ws = wb.add_sheet(sheet.name, cell_overwrite_ok=True)
        for r, texts in enumerate(sheet.rows):
            for c, text in enumerate(texts):
                if text:
                    ws.write(r, c, text)
        for c, w in sheet.widths.items():
            ws.col(c).width = int(256 * w)
        for it in sheet.items:
            kind, content, cached = _content(book, it)
            if kind == "formula":  # xlwt stores no cached result: write the value Excel would show
                kind, content = ("blank", None) if cached is None else ("number", cached)
            if content is None:
                kind = "blank"
            style = styles[it.role]
            if it.merged:
                ws.write_merge(it.row, it.last_row, it.col, it.last_col, content if kind != "blank" else "", style)
            elif kind == "blank":
                ws.write(it.row, it.col, None, style)
            else:
                ws.write(it.row, it.col, content, style)
    wb.save(str(path))


# ---------------------------------------------------------------- the blank statutory workbook (or Word template)

TEMPLATE_SUFFIXES = (".xlsx", ".docx")  # not .xlsm: a workbook without macros is no macro workbook
INSTRUCTIONS_SHEET = "填表说明"
# the 说明 the instructions show as an example: a warning's rule and why the figure is right all the same (a line
# EXPLANATION_LINE reads in a document)
EXAMPLE_EXPLANATION = ("X-JUMP", "本年开展专项整治，行政处罚数量大幅增加")


class UnsupportedSuffix(ValueError):
    """A file name whose suffix the writer cannot write; the message (Chinese) says which it can."""


def write_template(unit_name: str, year: int, out: str | Path | None = None, units: str | Path | None = None,
                   area: str | None = None) -> Path:
    """The blank report the county sends a unit, of the format meant for ``year``, as ``out``'s suffix says:

    - ``.xlsx`` (also a folder, or no ``out``: named ``{year}_{unit}_政府信息公开工作年度报告.xlsx``; a name
      without a suffix gets ``.xlsx``): the stacked statutory layout, input cells unlocked and highlighted with data
      validation, every total a formula (locked: it computes itself as the parts are filled in), 填表人 and 联系电话
      under the tables, printing A4 landscape one page wide with the title rows on every page; then a sheet
      填表说明 (how to fill it in) and an empty 说明 sheet for explaining warnings.
    - ``.docx``: the statutory Word template with the unit and the year: title, 填报单位, the six parts with the
      template's hints under 一, 五 and 六, the three tables empty.

    Any other suffix raises :class:`UnsupportedSuffix` (never a workbook under another suffix's name).
    ``unit_name``: a name, alias or unit code; ``area``: the county to look in where several share the name (every
    county has its 大营镇)."""
    from transforms.registry import DEFAULT_REGISTRY, Registry

    path = Path(out) if out else None
    suffix = path.suffix.lower() if path is not None and not path.is_dir() else ""
    if suffix and suffix not in TEMPLATE_SUFFIXES:
        raise UnsupportedSuffix(f"不支持的模板格式“{path.suffix}”：请用 .xlsx（Excel/WPS 表格）或 .docx（Word 文档）")
    registry = Registry.load(units or DEFAULT_REGISTRY)
    if registry.unknown_area(area):
        raise ValueError(registry.unknown_area(area))
    found = [registry.by_code[unit_name]] if unit_name in registry.by_code else registry.matches(unit_name, area)
    if not found:
        raise ValueError(f"单位名册中没有“{unit_name}”，请检查名称或名册（{units or DEFAULT_REGISTRY}）")
    if len(found) > 1:  # the title names the unit's county: a guess would send one county's form to another
        raise ValueError(f"“{unit_name}”在{'、'.join(registry.area_name(u.area_code) for u in found)}都有，请用 --area "
                         f"指明区划，或用单位代码（{'、'.join(u.unit_code for u in found)}）")
    unit = found[0]
    name = max(unit.names, key=len)  # 大营镇人民政府 rather than 大营镇 in the title
    default_name = f"{year}_{unit.unit_name}_{REPORT_TITLE}.xlsx"
    if path is None:
        path = Path.cwd() / default_name
    elif path.is_dir():
        path = path / default_name
    elif not suffix:
        path = path.with_suffix(".xlsx")
    fmt = for_year(year)
    if path.suffix.lower() == ".docx":
        from transforms.writing.documents import write_document

        write_document(path, fmt, {}, name, year, "word",
                       narrative={"preamble": None, **{part.code: part.hint for part in NARRATIVE}})
        return path
    book = plan_report(fmt, {}, name, year, "stacked", Options(formulas="template"))
    _template_sheets(book, year)
    render(book, path, template=True)
    return path


def _template_sheets(book: Book, year: int) -> None:
    """What the blank workbook has beyond the tables: 填表人 / 联系电话 lines under them, the 填表说明 sheet, and an
    empty 说明 sheet with its header (the reader takes a row of it as a 说明 only where it begins with a rule's id)."""
    sheet = book.sheets[0]
    left = min(it.col for it in sheet.items)
    r = max(it.last_row if it.last_row is not None else it.row for it in sheet.items) + 2
    for label in FILLED_BY:
        sheet.items.append(Item(r, left, "sign", f"{label.text}："))
        sheet.items.append(Item(r, left + 1, "entry", last_row=r, last_col=left + 2))
        r += 1
    header = ("规则编号", "原因（数字确实无误的理由）")
    book.sheets.append(SheetPlan(INSTRUCTIONS_SHEET, widths={0: 80},
                                 rows=[(line,) for line in template_instructions(book.fmt, sheet.name, year)]))
    book.sheets.append(SheetPlan(EXPLANATIONS_SHEET, widths={0: 14, 1: 66}, rows=[header]))


def template_instructions(fmt: ReportFormat, sheet: str, year: int) -> list[str]:
    """The 填表说明 sheet's lines: how to fill in the template, what each table asks, that the totals compute
    themselves, how a warning is explained. Labels come from the format. No line begins like 填报单位 or holds the
    report's title: the reader looks for the unit and the year in every sheet's first rows."""
    rule, reason = EXAMPLE_EXPLANATION
    total = next(s.total for s in fmt.sections if s.total is not None).label.text
    money = any(m.unit == WAN_YUAN for s in fmt.sections for r in s.rows for m in s.measures_of(r.code))
    amounts = f"；金额以{WAN_YUAN}为单位，可保留两位小数（如 12.50）" if money else ""
    lines = [
        "填表说明",
        f"1. 在“{sheet}”工作表的黄色单元格中填写本单位{year}年1月1日至12月31日的数字：件数填整数{amounts}。"
        "没有发生的填 0，不要空着（空白会被当作“未填写”）。",
        f"2. 灰色单元格是各“{total}”，已设公式，随各项数字自动计算，不用填写。请用 Excel 或 WPS 填写并保存；"
        "用其他程序生成的文件，须用 Excel 或 WPS 打开后保存一次，合计才有数值（否则校验时会报错）。",
        "3. 各表填写的内容：",
    ]
    for sec in fmt.sections:
        title = sec.title.text.split("、", 1)[-1]
        printed = [r for r in sec.rows if not r.derived]
        if sec.blocks:
            what = "按条例第二十条各项，填写" + "、".join(r.label.text for r in printed) + "的数字。"
        elif sec.column_header:
            parts = "、".join(m.label.text for m in sec.columns if m.code != TOTAL)
            what = (f"按{sec.column_header.text}（{parts}）逐行填写申请的收到、办理和结转件数，共 {len(printed)} 行。"
                    + (f"每一列都应符合表中所注{sec.corner_note.text}。" if sec.corner_note else ""))
        else:
            what = ("填写" + "、".join(r.title for r in printed) + "案件的"
                    + "、".join(m.label.text for m in sec.columns if m.code != TOTAL) + "件数。")
        lines.append(f"    {sec.short} {title}：{what}")
    lines += [
        f"4. 在表格下方填写{'、'.join(label.text for label in FILLED_BY)}，以便核实数字时联系。",
        "5. 报送后会逐项校验。校验结果中的“错误”（如表三某列前后不平衡）须改正数字后重新报送；"
        f"“提醒”（如某项数字比上年增减很多）如果数字确实无误，请在“{EXPLANATIONS_SHEET}”工作表中写明原因："
        f"每条提醒写一行，A 列写提醒的规则编号（如 {rule}），B 列写原因（如 {reason}）。每条提醒都有说明的报告即可计入汇总数。",
        f"6. 报送 Word 报告（.docx）的，说明写在正文末尾，每条另起一行、以规则编号开头，如“{rule}：{reason}”。",
    ]
    return lines
