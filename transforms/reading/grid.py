"""A workbook's sheets as plain grids, with merged ranges filled, read with python-calamine.

Merged cells are filled with the top-left value so a vertically merged parent label (（三）不予公开) or a horizontally
merged header (法人或其他组织) is seen from every cell it covers; ``origin`` remembers the top-left cell so a value is
traced to the cell the clerk typed into and a merged label is not read twice.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache

MAX_ROWS = 2000  # a report is ~60 rows stacked, ~250 as one long list; more is noise we do not scan
MAX_COLS = 100
MAX_SHEETS = 40  # a report has 1–4 sheets (+ 说明); a workbook with hundreds is not scanned sheet by sheet


@dataclass
class Grid:
    name: str  # the sheet name as written in the workbook
    visible: bool
    index: int
    cells: list[list[object]]
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # merged cell → top-left
    truncated: bool = False
    # a document's tables stacked (transforms.reading.forms.document.stack): each position's address in the
    # document ("表格2!R5C3", "第3页!R5C3") and each row's description; None for a workbook's sheet (Sheet1!D9)
    refs: dict[tuple[int, int], str] | None = None
    row_names: list[str] | None = None

    @property
    def height(self) -> int:
        return len(self.cells)

    def width(self, r: int) -> int:
        return len(self.cells[r])

    def get(self, r: int, c: int) -> object:
        if 0 <= r < len(self.cells) and 0 <= c < len(self.cells[r]):
            return self.cells[r][c]
        return None

    def top_left(self, r: int, c: int) -> tuple[int, int]:
        return self.origin.get((r, c), (r, c))

    def address(self, r: int, c: int) -> str:
        """Where a person finds the cell: ``Sheet1!D9``, ``表格2!R5C3``, ``第3页!R5C3``."""
        r0, c0 = self.top_left(r, c)
        if self.refs is not None:
            return self.refs.get((r0, c0)) or self._near(r0, c0)
        return f"{self.name}!{a1(r0, c0)}"

    def _near(self, r: int, c: int) -> str:
        """A document position no table cell covers (a stacked table narrower than the grid): its row's address."""
        for cc in range(c, -1, -1):
            ref = self.refs.get((r, cc))
            if ref is not None:
                return f"{ref.rpartition('C')[0]}C{int(ref.rpartition('C')[2]) + c - cc}"
        return f"{self.name}!R{r + 1}C{c + 1}"

    @property
    def place(self) -> str:
        """The grid as a person names it: 工作表“Sheet1”, or the document's tables."""
        return f"工作表“{self.name}”" if self.refs is None else "文档中的表格"

    def describe_row(self, r: int) -> str:
        """工作表“Sheet1”第 12 行 / 表格2第 5 行 / 第3页第 5 行"""
        if self.row_names is not None and r < len(self.row_names) and self.row_names[r]:
            return self.row_names[r]
        return f"{self.place}第 {r + 1} 行"

    def describe_column(self, r: int, c: int) -> str:
        """工作表“Sheet1”第 D 列 / 表格2第 3 列"""
        if self.refs is None:
            return f"{self.place}第 {column_letters(c)} 列"
        ref = self.address(r, c)
        prefix, _, rc = ref.partition("!")
        return f"{prefix}第 {rc.rpartition('C')[2]} 列"


def column_letters(c: int) -> str:
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=65536)
def a1(r: int, c: int) -> str:
    return f"{column_letters(c)}{r + 1}"  # cached: every value cell of every file is named by its address


def load_grids(data: bytes, skip: set[str] = frozenset()) -> tuple[list[Grid], dict[str, str]]:
    """Every worksheet (not chart sheets), capped at MAX_ROWS × MAX_COLS, and the sheets left out with why
    (Chinese). Raises calamine's errors."""
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids, left_out = [], {}
    for index, meta in enumerate(book.sheets_metadata[:MAX_SHEETS]):
        if meta.name in skip or "Work" not in str(meta.typ):
            continue
        sheet = book.get_sheet_by_index(index)
        rows = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS)
        truncated = sheet.height > MAX_ROWS or sheet.width > MAX_COLS
        # calamine's rows are lists of their own: kept as they are unless wider than we scan
        cells = rows if all(len(row) <= MAX_COLS for row in rows) else [list(row[:MAX_COLS]) for row in rows]
        grid = Grid(meta.name, "Visible" in str(meta.visible), index, cells, truncated=truncated)
        try:
            _fill_merged(grid, sheet.merged_cell_ranges or ())
        except MergesTooLarge:
            left_out[meta.name] = "合并单元格重叠过多"
            continue
        grids.append(grid)
    return grids, left_out


def _fill_merged(grid: Grid, ranges) -> None:
    """Copy each merged range's top-left value over the range, clipped to the cells the sheet has.

    A merged range only matters where it covers content: ``P1:XFD1048576`` over a 60-row report fills those 60
    rows, not a million. Ranges that overlap (Excel never writes them) could still multiply the work, so the
    total filled is bounded by the grid's own size; a sheet that needs more is refused (:class:`MergesTooLarge`).
    """
    cells, origin = grid.cells, grid.origin
    height = len(cells)
    width = max((len(row) for row in cells), default=0)
    budget = max(height * width, 1) * 2 + 10_000
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= height or c0 >= width:
            continue
        r1, c1 = min(r1, height - 1), min(c1, width - 1)
        budget -= (r1 - r0 + 1) * (c1 - c0 + 1)
        if budget < 0:
            raise MergesTooLarge(grid.name)
        value = grid.get(r0, c0)
        top_left = (r0, c0)
        for r in range(r0, r1 + 1):
            row = cells[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0 + 1 if r == r0 else c0, c1 + 1):  # the top-left cell keeps its own content
                row[c] = value
                origin[(r, c)] = top_left


class MergesTooLarge(Exception):
    """A sheet's merged ranges overlap so much that filling them would cost more than the sheet itself."""

    def __init__(self, sheet: str):
        super().__init__(sheet)
        self.sheet = sheet
