"""The shape of a statutory report format: labels, measures (columns), rows, blocks, tables, the format itself.

Data classes only; the formats themselves are in :mod:`transforms.format.statutory`. Derived facts the rest of the
code needs (a derived row's children, the rows a format derives, the same format printed with its derived rows
undivided as real reports do) are methods here, so no module outside the format package reasons about versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

SECTIONS = ("proactive", "requests", "review_litigation")
TOTAL = "total"  # the code of every 总计 column
JIAN = "件"  # the unit of a count (measures in 万元 or 项 say so)
YUAN, WAN_YUAN = "元", "万元"  # money: cells of 万元 measures typed in 元 are converted (×1/10,000)
UNDIVIDED = "undivided"  # a report's table printed with a derived row undivided (see ReportFormat.leaf_layouts)


@dataclass(frozen=True)
class Label:
    """A label as printed, plus the variants seen in real reports."""

    text: str
    variants: tuple[str, ...] = ()

    @property
    def all_texts(self) -> tuple[str, ...]:
        return (self.text, *self.variants)


@dataclass(frozen=True)
class Measure:
    """A column of a table (proactive measure, applicant type, or review/litigation result)."""

    code: str
    label: Label
    parent: Label | None = None  # merged header above, e.g. 法人或其他组织
    unit: str = JIAN
    decimal: bool = False  # amounts in 万元 may carry decimals
    signed: bool = False  # 2019 本年增/减 may be negative

    @property
    def title(self) -> str:
        return f"{self.parent.text}·{self.label.text}" if self.parent else self.label.text


@dataclass(frozen=True)
class Row:
    """A row of a table. ``group`` is the vertically merged parent label (e.g. （三）不予公开)."""

    code: str
    label: Label
    group: Label | None = None
    derived: bool = False  # not printed as its own row in this format (2021 other_total): the sum of its children
    leaf_outcome: bool = False  # one of the mutually exclusive 办理结果 rows summed by （七）总计
    # a derived row printed undivided (its children absent, R-FORMAT mixed signals): the child its figure counts
    # under in sums across reports (2021 （六）其他处理 → 3.其他)
    undivided_into: str | None = None

    @property
    def title(self) -> str:
        # numbered sub-rows (1.属于国家秘密) only make sense with their group: （三）不予公开 1.属于国家秘密
        if self.group and self.label.text[:1].isdigit():
            return f"{self.group.text}{self.label.text}"
        return self.label.text


@dataclass(frozen=True)
class Block:
    """A block of table 二: header 第二十条第（X）项, then 信息内容 + measures, then rows."""

    article: Label
    measures: tuple[Measure, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Section:
    code: str
    number: str  # 二 / 三 / 四
    title: Label
    anchor: Label  # a label that marks where the table starts (first header cell)
    rows: tuple[Row, ...]
    columns: tuple[Measure, ...] = ()  # the grid columns (requests, review_litigation)
    blocks: tuple[Block, ...] = ()  # proactive only: each row has its block's own measures
    column_header: Label | None = None  # the label spanning the columns (申请人情况)
    corner_note: Label | None = None

    @property
    def short(self) -> str:
        return f"表{self.number}"

    @property
    def total(self) -> Measure | None:
        """The 总计 column of a grid table (表三, 表四): the sum of the other columns of its row."""
        return next((m for m in self.columns if m.code == TOTAL), None)

    @property
    def parts(self) -> tuple[str, ...]:
        """The columns a row's 总计 sums (every column but 总计), in order."""
        return tuple(m.code for m in self.columns if m.code != TOTAL)

    def measures_of(self, row_code: str) -> tuple[Measure, ...]:
        if self.blocks:
            for block in self.blocks:
                if any(r.code == row_code for r in block.rows):
                    return block.measures
            raise KeyError(row_code)
        return self.columns

    def cells(self, include_derived: bool = True) -> list[tuple[str, str]]:
        """Every (row_code, column_code) of this section, in reading order."""
        return [
            (row.code, m.code)
            for row in self.rows
            if include_derived or not row.derived
            for m in self.measures_of(row.code)
        ]

    @cached_property
    def row_by_code(self) -> dict[str, Row]:
        return {r.code: r for r in self.rows}

    @cached_property
    def column_by_code(self) -> dict[str, Measure]:
        cols = {m.code: m for b in self.blocks for m in b.measures} if self.blocks else {}
        cols.update({m.code: m for m in self.columns})
        return cols

    def measure(self, row_code: str, column_code: str) -> Measure:
        for m in self.measures_of(row_code):
            if m.code == column_code:
                return m
        raise KeyError((row_code, column_code))

    @cached_property
    def derived_rows(self) -> tuple[str, ...]:
        """Rows this table does not print as their own row but derives from their children (2021 （六）其他处理)."""
        return tuple(r.code for r in self.rows if r.derived)

    def children(self, row_code: str) -> tuple[str, ...]:
        """The printed rows a derived row sums: those grouped under its label."""
        row = self.row_by_code[row_code]
        return tuple(r.code for r in self.rows if r.group == row.label and not r.derived)

    def undivided(self) -> Section:
        """This table as real reports print it with each derived row undivided: one printed row carrying the
        figure, its children absent (a 2021 表三 with 2019's single （六）其他处理 row)."""
        if not self.derived_rows:
            return self
        gone = {c for d in self.derived_rows for c in self.children(d)}
        rows = tuple(replace(r, derived=False, leaf_outcome=True) if r.derived else r
                     for r in self.rows if r.code not in gone)
        return replace(self, rows=rows)

    def describe(self, row_code: str, column_code: str | None = None) -> str:
        """Chinese description of a cell for messages: 表三 “（二）部分公开” × “商业企业”."""
        text = f"{self.short} “{self.row_by_code[row_code].title}”"
        if column_code:
            text += f" × “{self.measure(row_code, column_code).label.text}”"
        return text


@dataclass(frozen=True)
class ReportFormat:
    version: str
    notice: str
    sections: tuple[Section, ...]
    meant_for_years: tuple[int, int | None]
    leaf_outcomes: tuple[str, ...] = field(default=())

    def section(self, code: str) -> Section:
        for s in self.sections:
            if s.code == code:
                return s
        raise KeyError(code)

    def cells(self, include_derived: bool = True) -> list[tuple[str, str, str]]:
        return [(s.code, r, c) for s in self.sections for r, c in s.cells(include_derived)]

    def has(self, section: str, row: str | None = None, column: str | None = None) -> bool:
        """Whether this format has the table (and the row in it, and the column in that row)."""
        sec = next((s for s in self.sections if s.code == section), None)
        if sec is None or (row is not None and row not in sec.row_by_code):
            return False
        if row is None:
            return True
        return column is None or any(m.code == column for m in sec.measures_of(row))

    def undivided(self) -> ReportFormat:
        """This format with its derived rows printed undivided (the mixed reports of R-FORMAT), same version."""
        return self._undivided

    @cached_property
    def _undivided(self) -> ReportFormat:
        if not self.derived_rows:
            return self
        return define(replace(self, sections=tuple(s.undivided() for s in self.sections), leaf_outcomes=()))

    @property
    def derived_rows(self) -> tuple[tuple[str, str], ...]:
        """(section, row) of every row this format derives from its children instead of printing it."""
        return tuple((s.code, r) for s in self.sections for r in s.derived_rows)

    def leaf_layouts(self) -> dict[str, tuple[str, ...]]:
        """The ways a report of this format can lay out 表三's leaf outcome rows, each with its rows: as printed
        (key: the version) and, where the format derives a row, with that row undivided (``<version>/undivided``)."""
        out = {self.version: self.leaf_outcomes}
        if self.derived_rows:
            out[f"{self.version}/{UNDIVIDED}"] = self.undivided().leaf_outcomes
        return out


def define(fmt: ReportFormat) -> ReportFormat:
    """A format as written in its definition, completed: table 二's rows are those of its blocks (kept in one place,
    the blocks), and the leaf outcome rows of 表三 are listed in order."""
    sections = tuple(replace(s, rows=tuple(r for b in s.blocks for r in b.rows)) if s.blocks else s
                     for s in fmt.sections)
    requests = next(s for s in sections if s.code == "requests")
    leaves = tuple(r.code for r in requests.rows if r.leaf_outcome)
    return replace(fmt, sections=sections, leaf_outcomes=leaves)
