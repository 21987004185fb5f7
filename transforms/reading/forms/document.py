"""What every form of a report becomes before its tables are looked for: tables as grids, and the text around them.

A workbook, a Word document, a PDF and a portal page differ in how they store a table, not in what a table is: rows
of cells, some merged, with text in them. Each form's reader (:mod:`.workbook`, :mod:`.word`, :mod:`.pdf`,
:mod:`.html`) turns its file into a :class:`Document`: the document's tables as :class:`Table` (merged cells
expanded, every position named the way the spec tells a person to find it), and its other text as
:class:`TextBlock` in reading order (the title, the 填报单位 line, the narrative sections). :func:`stack` lays the
tables one under another in a :class:`~transforms.reading.grid.Grid`, the same shape a workbook's sheet has, so the
table finder and the rules never learn which form a report came in.

Addresses (interfaces.md, "Every form a report arrives in"): ``Sheet1!D9`` in a workbook; ``表格2!R5C3`` — the
document's 2nd table, grid row 5, column 3, counted after merged cells are expanded — in Word and HTML; ``第3页!R5C3``
in a PDF (rows counted over the table rows of that page, top to bottom; columns within the table). A table that runs
on over a page break counts its columns over all its parts, so a column keeps its number on every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transforms.reading.grid import Grid

FORMS = ("workbook", "word", "pdf", "html")  # submissions.source_kind, "source_kind" in check --json
FORM_ZH = {"workbook": "Excel/WPS 工作簿", "word": "Word 文档", "pdf": "PDF 文件", "html": "网页"}
MAX_TABLES = 200  # a report has 3–6 tables (table 二 is sometimes four); more are not scanned
MAX_TABLE_ROWS = 2000
MAX_TABLE_COLS = 100
MAX_BLOCKS = 5000  # paragraphs of text kept (a report has ~100)
MAX_BLOCK_CHARS = 20_000


@dataclass
class Table:
    """One table of a document, merged cells expanded.

    ``cells[r][c]`` is the text the person typed at the top-left of a merged area, and ``None`` at every other
    position the merged area covers (``merges`` says which); an empty cell is ``""``. Rows may differ in length.
    """

    cells: list[list[str | None]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r0, c0, r1, c1), inclusive, 0-based
    # where a person finds row r: ("表格2", 5) → 表格2!R5C…; a PDF table may run over pages: ("第4页", 1)
    rows: list[tuple[str, int]] = field(default_factory=list)
    # x position of each column boundary (len = columns + 1) where the form knows its geometry (Word's grid
    # column widths, a PDF's ruling lines): a table continued from the previous one is aligned on it
    col_edges: list[float] | None = None
    continues: bool = False  # the rest of the previous table (split by a page break, or across pages)

    def __post_init__(self):
        if not self.rows:
            raise ValueError("Table.rows: say where each row is (e.g. ('表格2', 1), ('表格2', 2), …)")


@dataclass
class TextBlock:
    """A paragraph of text outside the tables (or a line of a PDF joined into its paragraph)."""

    text: str
    where: str  # where a person finds it: "第3段", "第2页", "页眉"
    tables_before: int = 0  # how many tables come before it in the document: the narrative sits between them
    heading: bool = False  # set by the form when it knows (a Word heading style, an HTML h1–h6, a larger PDF font)


@dataclass
class Document:
    kind: str  # one of FORMS
    tables: list[Table] = field(default_factory=list)
    blocks: list[TextBlock] = field(default_factory=list)
    title: str | None = None  # the form's own title where it has one (an HTML page's article title)
    skipped: dict[str, str] = field(default_factory=dict)  # parts not read → why (Chinese): R-FORMAT warnings
    # a workbook's sheets, read by the workbook reader as they are (no stacking); None for the other forms
    grids: list[Grid] | None = None
    inspection: object = None  # a workbook's guard findings (transforms.reading.guard.Inspection)
    converted_from: str | None = None  # "doc" / "xls": a legacy file LibreOffice converted before it was read

    def as_grids(self) -> list[Grid]:
        """What the table finder reads: a workbook's sheets, or the document's tables stacked (:func:`stack`)."""
        if self.grids is not None:
            return self.grids
        return [stack(self.tables, self.kind)] if self.tables else []


SEPARATOR_ROWS = 2  # blank rows between two tables that do not continue each other (as between a sheet's tables)


def stack(tables: list[Table], kind: str) -> Grid:
    """The tables one under another in one grid, in document order.

    A table that continues the previous one follows it directly. Where every part of such a run knows its column
    boundaries, all parts are laid on the union of them: a PDF page whose rows never divide the label column (the
    first rows of table 三) and the next page's rows that do (三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密) then
    share columns, a cell spanning several of them becoming a merged area. Other tables are separated by blank rows,
    as the tables of a stacked sheet are. Every position remembers its address in the document (``Grid.refs``).
    """
    cells: list[list[object]] = []
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    refs: dict[tuple[int, int], str] = {}
    row_names: list[str] = []
    for run in _runs(tables[:MAX_TABLES]):
        if cells:
            for _ in range(SEPARATOR_ROWS):
                cells.append([])
                row_names.append("")
        mappings = _union_columns(run)
        for table, mapping in zip(run, mappings, strict=True):
            _place(table, mapping, cells, origin, refs, row_names)
    for row in cells:  # positions no table cell reached are blank, as an empty sheet cell is
        for c, v in enumerate(row):
            if v is None:
                row[c] = ""
    return Grid(name=kind, visible=True, index=0, cells=cells, origin=origin, refs=refs, row_names=row_names)


def _runs(tables: list[Table]) -> list[list[Table]]:
    """Tables grouped into runs: a table and the tables that continue it."""
    runs: list[list[Table]] = []
    for table in tables:
        if table.continues and runs:
            runs[-1].append(table)
        else:
            runs.append([table])
    return runs


def _union_columns(run: list[Table]) -> list[list[tuple[int, int]] | None]:
    """For each table of a run, ``mapping[c]`` = (first, last) column of the run's union of column boundaries that
    its column c covers; None for every table when some part does not know its boundaries (taken as they are)."""
    if len(run) == 1 or any(not _geometry_fits(t) for t in run):
        return [None] * len(run)
    xs = sorted(x for t in run for x in t.col_edges)
    tolerance = max(3.0, 0.005 * (xs[-1] - xs[0]))  # points or twips: a rounding apart, never a column
    union: list[float] = []
    for x in xs:
        if not union or x - union[-1] > tolerance:
            union.append(x)

    def index(x: float) -> int:
        return min(range(len(union)), key=lambda i: abs(union[i] - x))

    out = []
    for t in run:
        mapping = []
        for c in range(len(t.col_edges) - 1):
            a, b = index(t.col_edges[c]), index(t.col_edges[c + 1])
            mapping.append((a, max(a, b - 1)))
        out.append(mapping)
    return out


def _geometry_fits(table: Table) -> bool:
    edges = table.col_edges
    return bool(edges) and len(edges) >= 2 and all(len(row) <= len(edges) - 1 for row in table.cells)


def _place(table: Table, mapping, cells, origin, refs, row_names) -> None:
    """Append ``table``'s rows to the grid, its column c at ``mapping[c]`` (a span: merged), its merges kept."""
    top = len(cells)
    for r, row in enumerate(table.cells[:MAX_TABLE_ROWS]):
        prefix, number = table.rows[r] if r < len(table.rows) else table.rows[-1]
        out: list[object] = []
        cells.append(out)
        row_names.append(f"{prefix}第 {number} 行")
        for c, value in enumerate(row[:MAX_TABLE_COLS]):
            first, last = mapping[c] if mapping is not None and c < len(mapping) else (c, c)
            while len(out) <= last:
                out.append(None)
            out[first] = "" if value is None else value
            # a run's columns are counted over all its parts (a merged label spanning three columns counts three)
            refs[(top + r, first)] = f"{prefix}!R{number}C{(first if mapping is not None else c) + 1}"
            for extra in range(first + 1, last + 1):  # one of the table's columns over several of the run's
                out[extra] = out[first]
                origin[(top + r, extra)] = (top + r, first)
    height = min(len(table.cells), MAX_TABLE_ROWS)
    for r0, c0, r1, c1 in table.merges:
        if r0 >= height or c0 >= MAX_TABLE_COLS:
            continue
        r1, c1 = min(r1, height - 1), min(c1, MAX_TABLE_COLS - 1)
        a0 = mapping[c0][0] if mapping is not None and c0 < len(mapping) else c0
        a1 = mapping[c1][1] if mapping is not None and c1 < len(mapping) else c1
        value = cells[top + r0][a0] if a0 < len(cells[top + r0]) else ""
        for r in range(top + r0, top + r1 + 1):
            row = cells[r]
            while len(row) <= a1:
                row.append(None)
            for c in range(a0, a1 + 1):
                if (r, c) != (top + r0, a0):
                    row[c] = value
                    origin[(r, c)] = (top + r0, a0)
