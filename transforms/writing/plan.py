"""Where every label and value of a report goes: the plan of its sheets, from canonical cells (no I/O).

:mod:`transforms.writing.layouts` renders a plan as a workbook, :mod:`transforms.writing.documents` as a Word
document, a PDF or a portal page; both build on this module, so that the one writing blank templates can use the
other. The layouts and options are described in :mod:`transforms.writing.layouts`.

Everything is derived from the format objects of ``transforms.format``; no label is spelled here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from transforms.format import (
    EXPLANATIONS_SHEET,
    FILER,
    REPORT_TITLE,
    TOTAL,
    YUAN,
    ZERO_WORDS,
    Label,
    ReportFormat,
    Row,
    Section,
)

Key = tuple[str, str, str]
Value = int | float | None
LAYOUTS = ("stacked", "per_table", "flat")
NUMBER_STYLES = ("", "text", "fullwidth", "thousands", "padded", "mixed")


@dataclass(frozen=True)
class Options:
    start: tuple[int, int] = (0, 0)
    spacer: bool = False
    title: str | None = None
    filer: str | None = None
    sheet_names: tuple[str, ...] = ()
    variants: bool = False
    half_width: bool = False
    numbering: str = ""
    traditional: bool = False
    numbers: str = ""
    zero: str = ""
    blank_total: bool = False
    money_suffix: bool = False
    text_cells: tuple[tuple[Key, str], ...] = ()
    formulas: str = ""
    explanations: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if self.numbers not in NUMBER_STYLES:
            raise ValueError(f"numbers={self.numbers!r}")
        if self.zero not in ("", "blank", *ZERO_WORDS):
            raise ValueError(f"zero={self.zero!r}")
        if self.formulas not in ("", "cached", "uncached", "template"):
            raise ValueError(f"formulas={self.formulas!r}")


OPTION_NAMES = frozenset(f.name for f in fields(Options))


# ---------------------------------------------------------------- formats


def total_targets(fmt: ReportFormat) -> dict[Key, list[Key]]:
    """Cells that are sums of other cells of the same table (what units write as formulas): 总计 column of tables
    三 and 四, and table 三's （七）总计 row (sum of the leaf outcome rows)."""
    out: dict[Key, list[Key]] = {}
    for code in ("requests", "review_litigation"):
        sec = fmt.section(code)
        parts = [m.code for m in sec.columns[:-1]]
        total = sec.columns[-1].code
        for row in sec.rows:
            if not row.derived:
                out[(code, row.code, total)] = [(code, row.code, c) for c in parts]
    req = fmt.section("requests")
    leaves = [r.code for r in req.rows if r.leaf_outcome and not r.derived]
    concluded = [r for r in req.rows if not r.leaf_outcome and r.group and not r.derived][-1]
    for m in req.columns[:-1]:
        out[("requests", concluded.code, m.code)] = [("requests", r, m.code) for r in leaves]
    return out


def written_values(fmt: ReportFormat, cells: Mapping[Key, Value], opt: Options) -> dict[Key, Value]:
    """The printed cells' values after the options that blank them (总计 column left blank, blanks for 0)."""
    out = {}
    for key in fmt.cells(include_derived=False):
        v = cells.get(key)
        if opt.blank_total and key[0] == "requests" and key[2] == TOTAL:
            v = None
        elif v == 0 and opt.zero == "blank":
            v = None
        out[key] = v
    return out


# ---------------------------------------------------------------- the plan: what goes in which cell


@dataclass
class Item:
    row: int
    col: int
    role: str  # title | filer | section | header | label | note | value | sign | entry (a blank the clerk fills in)
    text: str | None = None
    key: Key | None = None
    last_row: int | None = None  # merged range end (None = not merged)
    last_col: int | None = None

    @property
    def merged(self) -> bool:
        return (self.last_row or self.row) != self.row or (self.last_col or self.col) != self.col


@dataclass
class SheetPlan:
    name: str
    items: list[Item] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    rows: list[tuple[str, ...]] = field(default_factory=list)  # plain text rows (说明, 填表说明 sheets)

    def width(self, col: int, chars: float) -> None:
        self.widths[col] = max(self.widths.get(col, 0), chars)


@dataclass
class Book:
    fmt: ReportFormat
    sheets: list[SheetPlan]
    values: dict[Key, Value]  # what is written, before number styling
    sources: dict[Key, str]  # key → "Sheet!A1"
    formulas: dict[Key, str]  # key → "=SUM(...)"
    raw: dict[Key, str]  # key → text or formula written instead of a plain number
    options: Options


@dataclass
class Written:
    path: Path
    sources: dict[Key, str]  # where each printed cell is: "Sheet!A1"
    raw: dict[Key, str]  # each cell that is not a plain number: what was written (text or formula)


def a1(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


_NUMBERED = re.compile(r"^(\d+)\.")


class _Labels:
    """Label → the text written, with the requested variants (the only place labels become strings)."""

    def __init__(self, opt: Options):
        self.opt = opt

    def __call__(self, label: Label, broken: bool = False) -> str:
        o = self.opt
        t = label.variants[0] if o.variants and label.variants else label.text
        if o.half_width:
            t = t.replace("（", "(").replace("）", ")")
        if o.numbering:
            t = _NUMBERED.sub(lambda m: m.group(1) + o.numbering, t)
        if broken and len(t) == 4:  # narrow header columns of the template: 商业\n企业
            t = t[:2] + "\n" + t[2:]
        return self.text(t)

    def text(self, t: str) -> str:
        return _s2t().convert(t) if self.opt.traditional else t


def _spans(n: int, width: int, flat: bool) -> list[tuple[int, int]]:
    """Offsets and widths of n measures over ``width`` value columns (the last takes the rest)."""
    if flat:
        return [(i, 1) for i in range(n)]
    each = width // n
    return [(i * each, each if i < n - 1 else width - each * (n - 1)) for i in range(n)]


def _merge(item: Item, last_row: int, last_col: int, flat: bool) -> Item:
    if not flat and (last_row, last_col) != (item.row, item.col):
        item.last_row, item.last_col = last_row, last_col
    return item


def _proactive(sec: Section, r0: int, c0: int, lab: _Labels, opt: Options, flat: bool, sheet: SheetPlan) -> int:
    width = max(len(b.measures) for b in sec.blocks)
    vc = c0 + 1 + (1 if opt.spacer else 0)
    r = r0
    items = sheet.items
    sheet.width(c0, 16)
    for b in sec.blocks:
        items.append(_merge(Item(r, c0, "header", lab(b.article)), r, vc + width - 1, flat))
        r += 1
        spans = _spans(len(b.measures), width, flat)
        items.append(Item(r, c0, "header", lab(sec.anchor)))
        for m, (o, w) in zip(b.measures, spans, strict=True):
            items.append(_merge(Item(r, vc + o, "header", lab(m.label)), r, vc + o + w - 1, flat))
        r += 1
        for row in b.rows:
            items.append(Item(r, c0, "label", lab(row.label)))
            for m, (o, w) in zip(b.measures, spans, strict=True):
                items.append(_merge(Item(r, vc + o, "value", key=(sec.code, row.code, m.code)), r, vc + o + w - 1, flat))
            r += 1
    for c in range(vc, vc + width):
        sheet.width(c, 12)
    return r - r0


def row_paths(rows: Iterable[Row]) -> list[tuple[Label | None, Label | None, Label]]:
    """(top, middle, own) label of each printed row of table 三: 三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密.

    A group whose rows are numbered (1.…) is a middle group; it sits under the top group of the rows around it."""
    out = []
    top = None
    for row in rows:
        if row.group is None:
            top = None
            out.append((None, None, row.label))
        elif row.label.text[:1].isdigit():
            out.append((top, row.group, row.label))
        else:
            top = row.group
            out.append((top, None, row.label))
    return out


def _runs(values: list) -> list[tuple[int, int, object]]:
    """Consecutive runs of equal, non-None values: (first index, last index, value)."""
    runs = []
    for i, v in enumerate(values):
        if v is not None and runs and runs[-1][2] == v and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i, v)
        elif v is not None:
            runs.append((i, i, v))
    return runs


def _requests(sec: Section, r0: int, c0: int, lab: _Labels, opt: Options, flat: bool, sheet: SheetPlan) -> int:
    items = sheet.items
    label_cols = 1 if flat else 3
    vc = c0 + label_cols + (1 if opt.spacer else 0)
    cols = sec.columns
    last = vc + len(cols) - 1
    head = 2 if flat else 3
    if sec.corner_note:
        items.append(_merge(Item(r0, c0, "note", lab(sec.corner_note)), r0 + head - 1, c0 + label_cols - 1, flat))
    if sec.column_header:
        items.append(_merge(Item(r0, vc, "header", lab(sec.column_header)), r0, last, flat))
    parent_row = r0 if flat else r0 + 1
    for first, lastc, parent in _runs([m.parent for m in cols]):
        items.append(_merge(Item(parent_row, vc + first, "header", lab(parent)), parent_row, vc + lastc, flat))
    for i, m in enumerate(cols):
        if m.parent or flat:
            items.append(Item(r0 + head - 1, vc + i, "header", lab(m.label, broken=not flat)))
        else:
            items.append(_merge(Item(r0 + 1, vc + i, "header", lab(m.label, broken=True)), r0 + 2, vc + i, flat))
    rows = [r for r in sec.rows if not r.derived]
    paths = row_paths(rows)
    r = r0 + head
    if flat:
        sheet.width(c0, 48)
        for i, (top, mid, own) in enumerate(paths):
            text = "".join(lab(x) for x in (top, mid) if x) + (" " if mid else "") + lab(own)
            items.append(Item(r + i, c0, "label", text))
    else:
        sheet.width(c0, 10)
        sheet.width(c0 + 1, 14)
        sheet.width(c0 + 2, 36)
        for first, lastr, top in _runs([p[0] for p in paths]):
            items.append(_merge(Item(r + first, c0, "label", lab(top)), r + lastr, c0, flat))
        for first, lastr, mid in _runs([p[1] for p in paths]):
            items.append(_merge(Item(r + first, c0 + 1, "label", lab(mid)), r + lastr, c0 + 1, flat))
        for i, (top, mid, own) in enumerate(paths):
            c = c0 + 2 if mid else c0 + 1 if top else c0
            items.append(_merge(Item(r + i, c, "label", lab(own)), r + i, c0 + 2, flat))
    for i, row in enumerate(rows):
        for j, m in enumerate(cols):
            items.append(Item(r + i, vc + j, "value", key=(sec.code, row.code, m.code)))
    for c in range(vc, last + 1):
        sheet.width(c, 9)
    return head + len(rows)


def _review(sec: Section, r0: int, c0: int, lab: _Labels, opt: Options, flat: bool, sheet: SheetPlan) -> int:
    items = sheet.items
    n = len(sec.columns)
    groups = [row.group for row in sec.rows]
    for first, lastr, group in _runs(groups):
        items.append(_merge(Item(r0, c0 + first * n, "header", lab(group)), r0, c0 + (lastr + 1) * n - 1, flat))
    for i, row in enumerate(sec.rows):
        c = c0 + i * n
        top = r0 + 1 if row.group else r0
        items.append(_merge(Item(top, c, "header", lab(row.label)), top, c + n - 1, flat))
        for j, m in enumerate(sec.columns):
            if row.group or flat:  # flat: one row of result labels, under the proceedings' names
                items.append(Item(r0 + 2, c + j, "header", lab(m.label, broken=not flat)))
            else:
                items.append(_merge(Item(r0 + 1, c + j, "header", lab(m.label, broken=not flat)), r0 + 2, c + j, flat))
            items.append(Item(r0 + 3, c + j, "value", key=(sec.code, row.code, m.code)))
            sheet.width(c + j, 8)
    return 4


_TABLES = {"proactive": _proactive, "requests": _requests, "review_litigation": _review}


def _table_width(sec: Section, flat: bool, spacer: bool) -> int:
    if sec.blocks:
        return 1 + spacer + max(len(b.measures) for b in sec.blocks)
    if sec.column_header:
        return (1 if flat else 3) + spacer + len(sec.columns)
    return len(sec.rows) * len(sec.columns)


def plan_report(
    fmt: ReportFormat,
    cells: Mapping[Key, Value],
    unit_name: str,
    year: int,
    layout: str = "stacked",
    options: Options = Options(),
) -> Book:
    """Where every label and value goes (no I/O)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout={layout!r}, one of {LAYOUTS}")
    opt = options
    lab = _Labels(opt)
    flat = layout == "flat"
    title = lab.text(f"{unit_name}{year}年{REPORT_TITLE}" if opt.title is None else opt.title)
    filer = lab.text(f"{FILER.text}：{unit_name}" if opt.filer is None else opt.filer)
    sr, sc = opt.start
    width = max((_table_width(s, flat, opt.spacer) for s in fmt.sections), default=1)

    def heading(sheet: SheetPlan, r: int) -> int:
        if title:
            sheet.items.append(_merge(Item(r, sc, "title", title), r, sc + width - 1, flat))
            r += 1
        if filer:
            sheet.items.append(Item(r, sc, "filer", filer))
            r += 1
        return r + 1 if (title or filer) else r

    def table(sheet: SheetPlan, sec: Section, r: int) -> int:
        sheet.items.append(Item(r, sc, "section", lab(sec.title)))
        return r + 1 + _TABLES[sec.code](sec, r + 1, sc, lab, opt, flat, sheet)

    sheets: list[SheetPlan] = []
    if layout == "per_table":
        for i, sec in enumerate(fmt.sections):
            name = opt.sheet_names[i] if opt.sheet_names else lab(sec.title).split("、", 1)[-1][:31]
            sheet = SheetPlan(name)
            table(sheet, sec, heading(sheet, sr))
            sheets.append(sheet)
    else:
        sheet = SheetPlan(opt.sheet_names[0] if opt.sheet_names else "Sheet1")
        r = heading(sheet, sr)
        for sec in fmt.sections:
            r = table(sheet, sec, r) + 1
        sheets.append(sheet)
    if opt.explanations:
        sheets.append(SheetPlan(EXPLANATIONS_SHEET, rows=list(opt.explanations)))

    sources: dict[Key, str] = {}
    where: dict[Key, tuple[str, int, int]] = {}
    for sheet in sheets:
        for it in sheet.items:
            if it.key:
                sources[it.key] = f"{sheet.name}!{a1(it.row, it.col)}"
                where[it.key] = (sheet.name, it.row, it.col)
    values = written_values(fmt, cells, opt)
    formulas = _formulas(fmt, values, where, dict(opt.text_cells), opt.formulas == "template") if opt.formulas else {}
    book = Book(fmt, sheets, values, sources, formulas, {}, opt)
    book.raw = {k: t for k in values if (t := _raw(book, fmt, k)) is not None}
    return book


def _formulas(fmt: ReportFormat, values: dict[Key, Value], where: dict, texts: dict, always: bool = False
              ) -> dict[Key, str]:
    """=SUM(...) for every total cell that holds a value (a blank or a text stays as it is); ``always``: for every
    total cell (the blank template)."""
    out = {}
    for target, parts in total_targets(fmt).items():
        if (values.get(target) is None and not always) or target not in where or target in texts:
            continue
        cells = [where[p] for p in parts if p in where]
        if not cells or any(c[0] != where[target][0] for c in cells):
            continue
        rows, cols = {c[1] for c in cells}, {c[2] for c in cells}
        contiguous = (len(rows) == 1 and max(cols) - min(cols) + 1 == len(cells)) or (
            len(cols) == 1 and max(rows) - min(rows) + 1 == len(cells)
        )
        if contiguous:
            ref = f"{a1(cells[0][1], cells[0][2])}:{a1(cells[-1][1], cells[-1][2])}"
        else:
            ref = ",".join(a1(r, c) for _, r, c in cells)
        out[target] = f"=SUM({ref})"
    return out


_FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def _number_text(v: int | float, style: str, key: Key) -> str:
    if style == "mixed":  # a stable per-cell choice (no hash(): it is salted per process)
        style = ("text", "fullwidth", "thousands", "padded")[sum(map(ord, "".join(key))) % 4]
    s = f"{v:,}" if style == "thousands" else str(v)
    if style == "fullwidth":
        s = s.translate(_FULLWIDTH)
    elif style == "padded":
        s = "  " + s
    return s


def _raw(book: Book, fmt: ReportFormat, key: Key) -> str | None:
    """What is written in the cell when it is not a plain number (None: number or blank)."""
    opt = book.options
    texts = dict(opt.text_cells)
    if key in texts:
        return texts[key]
    if key in book.formulas:
        return book.formulas[key]
    v = book.values.get(key)
    if v is None:
        return None
    if v == 0 and opt.zero and opt.zero != "blank":
        return opt.zero
    measure = fmt.section(key[0]).measure(key[1], key[2])
    if opt.money_suffix and measure.decimal:
        return f"{v}{YUAN}"
    if opt.numbers:
        return _number_text(v, opt.numbers, key)
    return None
