"""Writing report documents — Word, PDF, the portal's page — from canonical cells, as units and portals make them.

The tables are those of :func:`transforms.writing.plan.plan_report` (every label, merged area and number style comes
from there, hence from ``transforms.format``): the stacked plan is cut at its section titles into the three tables,
each placed in a document with the narrative real reports have around them::

    {unit}{year}年政府信息公开工作年度报告        (one line, or two: the unit's name, then year and title)
    填报单位：{unit}                              (the plan's filer line; ``filer=""`` omits it)
    本报告由……                                    (preamble)
    一、总体情况            narrative "overview"
    二、主动公开政府信息情况  + table 二 (one table with its blocks)
    三、收到和处理政府信息公开申请情况 + table 三
    四、政府信息公开行政复议、行政诉讼情况 + table 四
    五、存在的主要问题及改进情况   narrative "problems"
    六、其他需要报告的事项         narrative "other"

``narrative``: a dict with any of "preamble", "overview", "problems", "other" (paragraphs split on "\\n"); a key
left out gets a text made from the figures (:func:`default_narrative`: :mod:`transforms.writing.narratives`, its
phrasing chosen by the unit's name and the year, never random); a key given as ``None``
leaves that part out (for 一/五/六 its heading too).

Addresses (``Written.sources``, interfaces.md "Every form a report arrives in"), rows and columns 1-based, counted
after merged cells are expanded:

- Word and HTML: ``表格N!RrCc``, N the table's number in document order, every ``w:tbl``/``<table>`` counted, an
  outer table before those inside it: the 1×1 layout table of ``nested`` is 表格1 and the report's tables are 表格2–4
  (as :mod:`transforms.reading.forms.word` numbers them). A table 三 split in two (``split_table``) is two tables; the
  second part's rows count from its own first row (its repeated header rows included).
- PDF: ``第P页!RrCc``, r counted over all the table rows drawn on page P, top to bottom (a repeated header row counts
  where it is drawn), c within the table. Tables are cut into pages here (:class:`_PdfPart`), not by reportlab, so a
  vertically merged label may be cut across pages as Word/WPS exports do (its text stays in the first part) and the
  page of every row is recorded when it is drawn.

Options: :class:`~transforms.writing.layouts.Options` (labels, number styles, zero words, traditional …; not
``formulas`` nor ``explanations``, which are workbook things) and :class:`DocumentOptions`, both also as keyword
arguments of :func:`write_document`.

Determinism: the same inputs give the same bytes (Word: fixed core properties and zip entry dates; PDF: reportlab's
``invariant``; HTML: plain text).

API
    write_document(path, fmt, cells, unit_name, year, form, narrative=None, options=None, document=None, **kw) -> Written
    default_narrative(fmt, cells, unit_name, year) -> dict[str, str]
"""

from __future__ import annotations

import html as htmllib
import io
import math
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from transforms.format import NARRATIVE, REPORT_TITLE, ReportFormat, Section
from transforms.writing.narratives import narrative as _narrative
from transforms.writing.plan import (
    OPTION_NAMES,
    Book,
    Item,
    Key,
    Options,
    Value,
    Written,
    _s2t,
    plan_report,
)

FORMS = ("word", "pdf", "html")
# The narrative parts around the tables, as the report's outline names them (the tables' own titles come from the
# format's sections)
NARRATIVE_SECTIONS = tuple((part.code, part.label.text) for part in NARRATIVE)
NARRATIVE_KEYS = ("preamble", *(k for k, _ in NARRATIVE_SECTIONS))
ENCODINGS = ("utf-8", "gbk", None)


@dataclass(frozen=True)
class DocumentOptions:
    """How the document is made, beyond the tables' content (which :class:`Options` says).

    layout          "stacked" (the statutory template's merged tables) | "flat" (no merged cell, labels joined)
    split_title     the title over two lines: the unit's name, then 2024年政府信息公开工作年度报告 (all forms)
    split_table     Word: table 三 as two Word tables, a page break after its first ``split_table`` rows (0: one)
    repeat_header   Word: the second part of a split table 三 begins with the header rows again; PDF: a table
                    continued on the next page begins with its header rows (tables 三 and 四, not 二's blocks)
    title_in_textbox  Word: the title in a text box (Word's mc:AlternateContent: DrawingML, VML fallback)
    unit_in_header  Word, PDF: the unit's name in the page header
    nested          Word: the whole report inside a 1×1 layout table
    tracked_change  Word: one value written as a tracked deletion of a wrong figure and insertion of the right one
                    (``w:del``/``w:ins``); True = the first figure of table 三, or the key of a printed figure
    rulings         PDF: table ruling lines (False: the table text placed in columns without lines)
    encoding        HTML: "utf-8" | "gbk" (gb18030 bytes, declared gb2312 as portals do) | None (UTF-8, undeclared)
    furniture       HTML: the portal around the article (navigation, breadcrumbs, related links, footer, scripts)
    split_labels    HTML: labels split across ``<p>``s inside their cells, padded with ``&nbsp;`` runs
    """

    layout: str = "stacked"
    split_title: bool = False
    split_table: int = 0
    repeat_header: bool = False
    title_in_textbox: bool = False
    unit_in_header: bool = False
    nested: bool = False
    tracked_change: bool | Key = False
    rulings: bool = True
    encoding: str | None = "utf-8"
    furniture: bool = False
    split_labels: bool = False

    def __post_init__(self):
        if self.layout not in ("stacked", "flat"):
            raise ValueError(f"layout={self.layout!r}, one of 'stacked', 'flat'")
        if self.encoding not in ENCODINGS:
            raise ValueError(f"encoding={self.encoding!r}, one of {ENCODINGS}")
        if self.split_table < 0:
            raise ValueError(f"split_table={self.split_table!r}")

    def check(self, form: str) -> None:
        """Refuse an option the form does not have (a test asking for it would test nothing)."""
        default = DocumentOptions()
        for name, forms in _ONLY_FOR.items():
            if getattr(self, name) != getattr(default, name) and form not in forms:
                raise ValueError(f"{name} is an option of {'/'.join(forms)} documents, not {form}")
        if form == "word" and self.repeat_header and not self.split_table:
            raise ValueError("repeat_header in a Word document repeats the header of a split table: set split_table")


_ONLY_FOR = {
    "split_table": ("word",),
    "title_in_textbox": ("word",),
    "nested": ("word",),
    "tracked_change": ("word",),
    "repeat_header": ("word", "pdf"),
    "unit_in_header": ("word", "pdf"),
    "rulings": ("pdf",),
    "encoding": ("html",),
    "furniture": ("html",),
    "split_labels": ("html",),
}
DOCUMENT_OPTION_NAMES = frozenset(f.name for f in fields(DocumentOptions))


# ---------------------------------------------------------------- the document, whatever its form


@dataclass(frozen=True)
class Cell:
    """A cell of a document table at its top-left grid position; ``rows``/``cols`` its merged extent."""

    text: str
    role: str  # header | label | note | value
    key: Key | None = None
    rows: int = 1
    cols: int = 1


@dataclass
class Grid:
    """One table of the document (or a part of one), in grid positions from (0, 0)."""

    section: Section
    n_rows: int
    n_cols: int
    cells: dict[tuple[int, int], Cell]
    widths: list[float]  # relative column widths
    head: int  # rows above the first value row (the header rows)

    @property
    def covered(self) -> set[tuple[int, int]]:
        """Positions inside a merged area other than its top-left."""
        out = set()
        for (r, c), cell in self.cells.items():
            out.update((r + i, c + j) for i in range(cell.rows) for j in range(cell.cols) if i or j)
        return out

    def part(self, first: int, last: int, header: int = 0) -> Grid:
        """Rows [first, last), after the first ``header`` rows when given (a repeated header). A merged area cut by
        the part keeps its text in the part where it begins and is an empty merged area in the other, as Word does
        when a table is split."""
        if header and first < header:
            raise ValueError("a repeated header comes before rows below it")
        cells = {}
        for (r, c), cell in self.cells.items():
            end = r + cell.rows
            if r < header and end <= header:
                cells[(r, c)] = cell
            top, bottom = max(r, first), min(end, last)
            if top < bottom:
                kept = cell if top == r else replace(cell, text="", key=None)
                cells[(header + top - first, c)] = replace(kept, rows=bottom - top)
        return Grid(self.section, header + last - first, self.n_cols, cells, self.widths, min(self.head, header))

    def values(self):
        """(row, col, key) of every value cell."""
        return [(r, c, cell.key) for (r, c), cell in sorted(self.cells.items()) if cell.key]


@dataclass
class Composed:
    """The document's parts in order: (kind, content) with kind title | filer | heading | text | table."""

    title: list[str]
    blocks: list[tuple[str, object]] = field(default_factory=list)
    unit: str = ""
    year: int = 0
    book: Book | None = None


def _number(v: Value) -> str:
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return "" if v is None else str(v)


def _text(book: Book, it: Item) -> str:
    if it.key is None:
        return it.text or ""
    raw = book.raw.get(it.key)
    return raw if raw is not None else _number(book.values.get(it.key))


def _grids(book: Book, cells: Mapping[Key, Value], unit_name: str, year: int, layout: str
           ) -> tuple[list[str], str | None, list[tuple[str, Grid]]]:
    """(title texts, filer text, [(section title, table)]): each table planned alone (a format of its one section),
    so that its column widths are its own and not the widest of the stacked sheet's column."""
    titles, filer, tables = [], None, []
    for sec in book.fmt.sections:
        sheet = plan_report(replace(book.fmt, sections=(sec,)), cells, unit_name, year, layout, book.options).sheets[0]
        items = [it for it in sheet.items if it.role not in ("title", "filer", "section")]
        if not tables:
            titles = [it.text for it in sheet.items if it.role == "title"]
            filer = next((it.text for it in sheet.items if it.role == "filer"), None)
        section_title = next(it.text for it in sheet.items if it.role == "section")
        r0 = min(it.row for it in items)
        c0 = min(it.col for it in items)
        r1 = max(it.last_row if it.last_row is not None else it.row for it in items)
        c1 = max(it.last_col if it.last_col is not None else it.col for it in items)
        grid_cells = {}
        for it in items:
            rows = (it.last_row if it.last_row is not None else it.row) - it.row + 1
            cols = (it.last_col if it.last_col is not None else it.col) - it.col + 1
            grid_cells[(it.row - r0, it.col - c0)] = Cell(_text(book, it), it.role, it.key, rows, cols)
        head = min((r for (r, _), cell in grid_cells.items() if cell.key), default=0)
        widths = [sheet.widths.get(c, 8.0) for c in range(c0, c1 + 1)]
        tables.append((section_title, Grid(sec, r1 - r0 + 1, c1 - c0 + 1, grid_cells, widths, head)))
    return titles, filer, tables


def default_narrative(fmt: ReportFormat, cells: Mapping[Key, Value], unit_name: str, year: int) -> dict[str, str]:
    """A plausible narrative made from the figures, in words of the unit's own (the same for the same arguments:
    :func:`transforms.writing.narratives.narrative`, seeded with the unit's name and the year)."""
    return _narrative(fmt, cells, unit_name, year)


def compose(book: Book, cells: Mapping[Key, Value], unit_name: str, year: int, narrative: Mapping | None,
            dopt: DocumentOptions) -> Composed:
    """The document's parts in order, every text as it is printed (traditional characters where asked)."""
    narrative = dict(narrative or {})
    unknown = set(narrative) - set(NARRATIVE_KEYS)
    if unknown:
        raise ValueError(f"narrative keys {sorted(unknown)}, known: {NARRATIVE_KEYS}")
    text = _s2t().convert if book.options.traditional else (lambda t: t)
    default = default_narrative(book.fmt, cells, unit_name, year)
    titles, filer, tables = _grids(book, cells, unit_name, year, dopt.layout)
    title = titles[0] if titles else ""
    unit = text(unit_name)
    if title and dopt.split_title and title.startswith(unit) and len(title) > len(unit):
        lines = [unit, title[len(unit):]]
    else:
        lines = [title] if title else []
    doc = Composed(lines, unit=unit, year=year, book=book)
    if lines:
        doc.blocks.append(("title", lines))
    if filer:
        doc.blocks.append(("filer", filer))

    def say(key: str, heading: str | None) -> None:
        body = narrative[key] if key in narrative else default[key]
        if body is None:
            return
        if heading:
            doc.blocks.append(("heading", text(heading)))
        doc.blocks.extend(("text", text(p)) for p in body.split("\n") if p.strip())

    headings = dict(NARRATIVE_SECTIONS)
    say("preamble", None)
    say("overview", headings["overview"])
    for section_title, grid in tables:
        doc.blocks.append(("heading", section_title))
        doc.blocks.append(("table", grid))
    say("problems", headings["problems"])
    say("other", headings["other"])
    return doc


def write_document(
    path: str | Path,
    fmt: ReportFormat,
    cells: Mapping[Key, Value],
    unit_name: str,
    year: int,
    form: str,
    narrative: Mapping[str, str | None] | None = None,
    options: Options | None = None,
    document: DocumentOptions | None = None,
    **kwargs,
) -> Written:
    """Write one report as a Word document, a PDF or a portal page; returns where each value is (``sources``) and
    what was written where it is not a plain number (``raw``)."""
    if form not in FORMS:
        raise ValueError(f"form={form!r}, one of {FORMS}")
    unknown = set(kwargs) - OPTION_NAMES - DOCUMENT_OPTION_NAMES
    if unknown:
        raise TypeError(f"unknown options {sorted(unknown)}")
    opt = replace(options or Options(), **{k: v for k, v in kwargs.items() if k in OPTION_NAMES})
    dopt = replace(document or DocumentOptions(), **{k: v for k, v in kwargs.items() if k in DOCUMENT_OPTION_NAMES})
    if opt.formulas or opt.explanations:
        raise ValueError("formulas and explanations are workbook things: a document has neither")
    dopt.check(form)
    path = Path(path)
    book = plan_report(fmt, cells, unit_name, year, dopt.layout, opt)
    doc = compose(book, cells, unit_name, year, narrative, dopt)
    render = {"word": _word, "pdf": _pdf, "html": _html}[form]
    sources = render(doc, dopt, path)
    return Written(path, sources, dict(book.raw))


def _tracked_key(doc: Composed, dopt: DocumentOptions) -> Key | None:
    if dopt.tracked_change is False:
        return None
    values = doc.book.values
    if dopt.tracked_change is True:
        keys = [k for k in doc.book.sources if k[0] == "requests" and values.get(k) is not None]
        if not keys:
            raise ValueError("tracked_change: table 三 has no figure to change")
        return keys[0]
    key = tuple(dopt.tracked_change)
    if values.get(key) is None:
        raise ValueError(f"tracked_change: {key} is not a printed figure")
    return key


def _wrong(v: Value) -> str:
    """The figure a clerk first typed: off by one (or ten, for a one)."""
    return _number(v + (10 if v == 1 else 1))


# ---------------------------------------------------------------- Word


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TEXTBOX_NS = (
    f'xmlns:w="{_W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word"'
)
_TEXT_WIDTH_MM = 156  # A4 less the 27 mm margins


def _word_date(year: int) -> datetime:
    return datetime(min(max(year, 1900), 9998) + 1, 1, 20, 9, 0, tzinfo=UTC)


def _textbox_xml(lines: list[str]) -> str:
    """A title text box as Word saves it: DrawingML shape, VML fallback; the text is in both."""
    paras = "".join(
        '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" '
        f'w:eastAsia="宋体"/><w:b/><w:sz w:val="44"/></w:rPr><w:t>{escape(line)}</w:t></w:r></w:p>'
        for line in lines
    )
    cx, cy = 5_400_000, 420_000 * len(lines) + 180_000
    return (
        f"<w:r {_TEXTBOX_NS}><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
        '<wp:anchor distT="0" distB="0" distL="114300" distR="114300" simplePos="0" relativeHeight="251659264" '
        'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapTopAndBottom/>'
        '<wp:docPr id="1" name="文本框 1"/><wp:cNvGraphicFramePr/><a:graphic>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        f'<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
        f"<wps:txbx><w:txbxContent>{paras}</w:txbxContent></wps:txbx>"
        '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="91440" tIns="45720" rIns="91440" bIns="45720" '
        'anchor="t" anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor>'
        "</w:drawing></mc:Choice><mc:Fallback><w:pict>"
        f'<v:shape id="文本框 1" o:spid="_x0000_s1026" type="#_x0000_t202" style="position:absolute;'
        f"margin-left:0;margin-top:0;width:{cx / 12700:.1f}pt;height:{cy / 12700:.1f}pt;z-index:251659264;"
        'mso-position-horizontal:center;mso-position-horizontal-relative:margin" filled="f" stroked="f">'
        f'<v:textbox><w:txbxContent>{paras}</w:txbxContent></v:textbox><w10:wrap type="topAndBottom"/>'
        "</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def _word(doc: Composed, dopt: DocumentOptions, path: Path) -> dict[Key, str]:
    import docx
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Emu, Mm, Pt

    d = docx.Document()
    page = d.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin = page.right_margin = Mm(27)
    page.top_margin, page.bottom_margin = Mm(37), Mm(35)
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    when = _word_date(doc.year)
    props = d.core_properties
    props.title, props.author, props.last_modified_by = doc.title[0] if doc.title else "", doc.unit, doc.unit
    props.created = props.modified = props.last_printed = when
    props.revision = 1
    tracked = _tracked_key(doc, dopt)

    def run(p, text: str, size: float, font: str, bold: bool = False):
        r = p.add_run(text)
        r.font.size = Pt(size)
        r.font.name = font
        r.font.bold = bold or None
        r._element.rPr.rFonts.set(qn("w:eastAsia"), font)
        return r

    # the footer's page number "- 1 -", as real reports have; the unit's name in the header where asked
    foot = page.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(foot, "- ", 10.5, "宋体")
    foot._p.append(parse_xml(f'<w:fldSimple xmlns:w="{_W_NS}" w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    run(foot, " -", 10.5, "宋体")
    if dopt.unit_in_header:
        head = page.header.paragraphs[0]
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run(head, doc.unit, 10.5, "宋体")

    if dopt.nested:
        outer = d.add_table(rows=1, cols=1)
        outer.autofit = False
        box = outer.cell(0, 0)
        box.width = Mm(_TEXT_WIDTH_MM)
        pending = [box.paragraphs[0]]  # the cell's own first paragraph takes the first text
    else:
        box, pending = d, []

    def para():
        return pending.pop() if pending else box.add_paragraph()

    def table(grid: Grid):
        t = box.add_table(grid.n_rows, grid.n_cols) if dopt.nested else d.add_table(grid.n_rows, grid.n_cols)
        t.style = d.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        total = sum(grid.widths)
        widths = [Emu(int(Mm(_TEXT_WIDTH_MM) * w / total)) for w in grid.widths]
        for col, w in zip(t.columns, widths, strict=True):
            col.width = w
        for row in t.rows:
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = w
        # Table.cell() walks the whole table each time: take the cells once (merged areas never overlap, so the
        # corners of one are still in the table after the others are merged)
        at = t._cells
        n = grid.n_cols
        for (r, c), cell in grid.cells.items():
            if cell.rows > 1 or cell.cols > 1:
                at[r * n + c].merge(at[(r + cell.rows - 1) * n + c + cell.cols - 1])
        at = t._cells
        for (r, c), cell in grid.cells.items():
            wc = at[r * n + c]
            wc.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            for i, line in enumerate(cell.text.split("\n")):
                p = wc.paragraphs[0] if i == 0 else wc.add_paragraph()
                p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT if cell.role in ("label", "note") else WD_ALIGN_PARAGRAPH.CENTER
                if cell.key is not None and cell.key == tracked:
                    _word_tracked(p, _wrong(doc.book.values[cell.key]), line, doc.unit, when)
                elif line:
                    run(p, line, 10, "宋体")
        return t

    sources: dict[Key, str] = {}
    number = 1 if dopt.nested else 0  # the layout table is the document's first table

    def place(grid: Grid) -> None:
        nonlocal number
        number += 1
        table(grid)
        for r, c, key in grid.values():
            sources[key] = f"表格{number}!R{r + 1}C{c + 1}"

    for kind, content in doc.blocks:
        if kind == "title":
            p = para()
            if dopt.title_in_textbox:
                p._p.append(parse_xml(_textbox_xml(content)))
                continue
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for i, line in enumerate(content):
                if i:
                    p = para()
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run(p, line, 22, "宋体", bold=True)
        elif kind == "filer":
            run(para(), content, 14, "仿宋")
        elif kind == "heading":
            p = para()
            p.paragraph_format.first_line_indent = Pt(32)
            run(p, content, 16, "黑体")
        elif kind == "text":
            p = para()
            p.paragraph_format.first_line_indent = Pt(32)
            run(p, content, 16, "仿宋")
        elif kind == "table":
            grid: Grid = content
            k = dopt.split_table
            if k and grid.section.code == "requests":
                if not 0 < k < grid.n_rows:
                    raise ValueError(f"split_table={k}: table 三 has {grid.n_rows} rows")
                place(grid.part(0, k))
                para().add_run().add_break(WD_BREAK.PAGE)
                place(grid.part(k, grid.n_rows, grid.head if dopt.repeat_header and k >= grid.head else 0))
            else:
                place(grid)
            pending.clear()
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))
    return sources


def _word_tracked(p, wrong: str, right: str, author: str, when: datetime) -> None:
    """``wrong`` deleted and ``right`` inserted, as Word records a change with 修订 on."""
    from docx.oxml import parse_xml

    date = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    rpr = '<w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="20"/></w:rPr>'
    who = f"w:author={quoteattr(author)} w:date=\"{date}\""
    p._p.append(parse_xml(f'<w:del xmlns:w="{_W_NS}" w:id="9001" {who}><w:r>{rpr}'
                          f"<w:delText>{escape(wrong)}</w:delText></w:r></w:del>"))
    p._p.append(parse_xml(f'<w:ins xmlns:w="{_W_NS}" w:id="9002" {who}><w:r>{rpr}'
                          f"<w:t>{escape(right)}</w:t></w:r></w:ins>"))


def _fixed_zip(data: bytes) -> bytes:
    """The package again with fixed entry dates (zipfile stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------- PDF

_PDF_FONT = "STSong-Light"
_PDF_CELL_SIZE = 9  # points


def _pdf(doc: Composed, dopt: DocumentOptions, path: Path) -> dict[Key, str]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate, Spacer, Table

    if _PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_PDF_FONT))

    def style(name, size, leading, align=TA_LEFT, indent=0.0, before=0.0):
        return ParagraphStyle(name, fontName=_PDF_FONT, fontSize=size, leading=leading, alignment=align,
                              firstLineIndent=indent, spaceBefore=before, wordWrap="CJK")

    title_style = style("title", 18, 28, TA_CENTER)
    body = style("body", 12, 20, indent=24)
    heading = style("heading", 13, 22, indent=24, before=6)
    cell_left, cell_center = style("cell", _PDF_CELL_SIZE, 11), style("cellc", _PDF_CELL_SIZE, 11, TA_CENTER)
    width, height = A4
    frame_width = width - 55 * mm
    drawn: list[tuple[int, Grid]] = []  # (page, part) in drawing order: top to bottom on each page

    def markup(text: str) -> str:
        return escape(text).replace("\n", "<br/>")

    def make_table(part: Grid) -> Table:
        covered = part.covered
        data = []
        for r in range(part.n_rows):
            row = []
            for c in range(part.n_cols):
                cell = part.cells.get((r, c))
                if cell is None or (r, c) in covered or not cell.text:
                    row.append("")
                else:
                    row.append(Paragraph(markup(cell.text), cell_left if cell.role in ("label", "note") else cell_center))
            data.append(row)
        total = sum(part.widths)
        commands = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONT", (0, 0), (-1, -1), _PDF_FONT, _PDF_CELL_SIZE),
                    ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
        if dopt.rulings:
            commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
        for (r, c), cell in part.cells.items():
            end = (c + cell.cols - 1, r + cell.rows - 1)
            if cell.rows > 1 or cell.cols > 1:
                commands.append(("SPAN", (c, r), end))
            if cell.role in ("label", "note"):  # room for the punctuation CJK wrapping hangs past the line's end
                commands.append(("RIGHTPADDING", (c, r), end, 2 + _PDF_CELL_SIZE))
        return Table(data, colWidths=[frame_width * w / total for w in part.widths], style=commands)

    class _PdfPart(Flowable):
        """Rows [first, last) of a table; splits itself at any row (a merged label is cut, not kept whole, as
        exports from Word do) and records the page each of its rows is drawn on."""

        def __init__(self, grid: Grid, first: int, last: int):
            super().__init__()
            self.grid, self.first, self.last = grid, first, last
            continued = first > 0
            repeat = continued and dopt.repeat_header and not grid.section.blocks and grid.head
            self.part = grid.part(first, last, grid.head if repeat else 0)
            self.table = make_table(self.part)

        def wrap(self, aw, ah):
            self.width, self.height = self.table.wrap(aw, ah)
            return self.width, self.height

        def split(self, aw, ah):
            # the first part of a table keeps its header rows with at least one row under them
            lowest = self.first + (1 if self.first else self.grid.head + 1)
            for n in range(self.last - 1, lowest - 1, -1):
                candidate = _PdfPart(self.grid, self.first, n)
                if candidate.wrap(aw, ah)[1] <= ah:
                    return [candidate, _PdfPart(self.grid, n, self.last)]
            return []

        def draw(self):
            drawn.append((self.canv.getPageNumber(), self.part))
            self.table.drawOn(self.canv, 0, 0)

    story = []
    for kind, content in doc.blocks:
        if kind == "title":
            story.extend(Paragraph(markup(line), title_style) for line in content)
            story.append(Spacer(1, 6 * mm))
        elif kind == "filer":
            story.append(Paragraph(markup(content), style("filer", 12, 20)))
        elif kind == "heading":
            # a heading is not left alone at the foot of a page; a table under it may still run over the page
            # (keepWithNext would carry the whole table to the next page instead)
            story.append(CondPageBreak(40 * mm))
            story.append(Paragraph(markup(content), heading))
        elif kind == "text":
            story.append(Paragraph(markup(content), body))
        elif kind == "table":
            story.append(_PdfPart(content, 0, content.n_rows))
            story.append(Spacer(1, 3 * mm))

    def furniture(canvas, template):
        canvas.saveState()
        canvas.setFont(_PDF_FONT, 10.5)
        canvas.drawCentredString(width / 2, 15 * mm, f"- {template.page} -")
        if dopt.unit_in_header:
            canvas.drawCentredString(width / 2, height - 18 * mm, doc.unit)
        canvas.restoreState()

    template = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=28 * mm, rightMargin=27 * mm, topMargin=30 * mm, bottomMargin=28 * mm,
        invariant=1, title="".join(doc.title), author=doc.unit, creator="countystats", subject=REPORT_TITLE,
    )
    template.build(story, onFirstPage=furniture, onLaterPages=furniture)

    sources: dict[Key, str] = {}
    counted: dict[int, int] = {}  # page → table rows drawn on it so far
    for page, part in drawn:
        above = counted.get(page, 0)
        for r, c, key in part.values():
            sources[key] = f"第{page}页!R{above + r + 1}C{c + 1}"
        counted[page] = above + part.n_rows
    return sources


# ---------------------------------------------------------------- HTML


def _html(doc: Composed, dopt: DocumentOptions, path: Path) -> dict[Key, str]:
    esc = htmllib.escape
    title = "".join(doc.title)
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>"]
    if dopt.encoding == "utf-8":
        out.append('<meta charset="utf-8">')
    elif dopt.encoding == "gbk":
        out.append('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    page_title = f"{title}_政府信息公开年报_{doc.unit}" if dopt.furniture else title
    out.append(f"<title>{esc(page_title)}</title>")
    if dopt.furniture:
        out += [
            f'<meta name="SiteName" content="{esc(doc.unit)}">',
            f'<meta name="ArticleTitle" content="{esc(title)}">',
            f'<meta name="PubDate" content="{doc.year + 1}-01-20 09:00">',
            '<link rel="stylesheet" type="text/css" href="/images/style.css">',
            '<script type="text/javascript" src="/js/jquery.min.js"></script>',
        ]
    out += ["</head>", "<body>"]
    if dopt.furniture:
        out += [
            '<div class="header"><div class="logo"><a href="/">' + esc(doc.unit) + "</a></div>",
            '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
            '<li><a href="/zwgk/zfxxgk/">政府信息公开</a></li><li><a href="/hdjl/">互动交流</a></li>'
            '<li><a href="/zwfw/">政务服务</a></li></ul></div>',
            '<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
            '<a href="/zwgk/zfxxgk/zfxxgknb/">政府信息公开年报</a></div>',
        ]
    out.append('<div class="article">')
    if doc.title:
        out.append(f'<h1 class="article-title">{"<br>".join(esc(t) for t in doc.title)}</h1>')
    if dopt.furniture:
        out.append(f'<div class="article-info">发布时间：{doc.year + 1}-01-20&nbsp;&nbsp;来源：{esc(doc.unit)}'
                   '&nbsp;&nbsp;<span id="views">浏览次数：</span></div>')
    out.append('<div class="article-content">')
    sources: dict[Key, str] = {}
    number = 0
    for kind, content in doc.blocks:
        if kind == "filer":
            out.append(f"<p>{esc(content)}</p>")
        elif kind == "heading":
            out.append(f'<p style="text-indent:2em;"><strong>{esc(content)}</strong></p>')
        elif kind == "text":
            out.append(f'<p style="text-indent:2em;">{esc(content)}</p>')
        elif kind == "table":
            number += 1
            out.append(_html_table(content, dopt.split_labels))
            for r, c, key in content.values():
                sources[key] = f"表格{number}!R{r + 1}C{c + 1}"
    out += ["</div>", "</div>"]
    if dopt.furniture:
        previous = f"{doc.unit}{doc.year - 1}年{REPORT_TITLE}"
        out += [
            '<div class="related"><h3>相关链接</h3><ul>',
            f'<li><a href="/zwgk/zfxxgk/zfxxgknb/{doc.year}01/t1.htm">{esc(previous)}</a></li>',
            '<li><a href="/zwgk/zfxxgk/zfxxgkzn/">政府信息公开指南</a></li>',
            '<li><a href="/zwgk/zfxxgk/zfxxgkzd/">政府信息公开制度</a></li></ul></div>',
            f'<div class="footer"><p>主办单位：{esc(doc.unit)}&nbsp;&nbsp;版权所有</p>'
            "<p>网站标识码：0000000000&nbsp;&nbsp;ICP备案号：00000000号</p></div>",
            '<script type="text/javascript">var _hmt = _hmt || []; $(function(){ $("#views").append("1024"); });'
            "</script>",
        ]
    out += ["</body>", "</html>", ""]
    text = "\n".join(out)
    path.write_bytes(text.encode("gb18030" if dopt.encoding == "gbk" else "utf-8"))
    return sources


_PAD = "\n &nbsp; &nbsp; &nbsp; &nbsp; &nbsp; &nbsp;"


def _html_cell_text(cell: Cell, split: bool) -> str:
    esc = htmllib.escape
    if not cell.text:
        return "&nbsp;"
    if not split:
        return "<br>".join(esc(line) for line in cell.text.split("\n"))
    if cell.role == "value":
        return f"<p>{esc(cell.text)}</p>"
    lines = cell.text.split("\n")
    if len(lines) == 1 and len(cell.text) > 8:  # a long label typed over three lines of a narrow cell
        size = math.ceil(len(cell.text) / 3)
        lines = [cell.text[i:i + size] for i in range(0, len(cell.text), size)]
    return "".join(f"<p>{esc(line)}</p>" if i == 0 else f"<p><span>{esc(line)}</span>{_PAD}</p>"
                   for i, line in enumerate(lines))


def _html_table(grid: Grid, split: bool) -> str:
    covered = grid.covered
    rows = []
    for r in range(grid.n_rows):
        tds = []
        for c in range(grid.n_cols):
            if (r, c) in covered:
                continue
            cell = grid.cells.get((r, c))
            if cell is None:
                tds.append('<td valign="center">&nbsp;</td>')
                continue
            span = (f' colspan="{cell.cols}"' if cell.cols > 1 else "") + (
                f' rowspan="{cell.rows}"' if cell.rows > 1 else "")
            tds.append(f'<td{span} valign="center">{_html_cell_text(cell, split)}</td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return ('<table cellspacing="0" cellpadding="0" align="center" border="1" '
            'style="border-collapse:collapse;margin:0 auto;"><tbody>' + "".join(rows) + "</tbody></table>")
