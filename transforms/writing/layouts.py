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
                 xlsxwriter) | "uncached" (formulas without values, as programs write them; openpyxl).
    extras       ``explanations`` ((rule id, explanation), …) → a 说明 sheet.

File type from the suffix: ``.xlsx`` / ``.xlsm`` (xlsxwriter; openpyxl for uncached formulas), ``.xls`` (xlwt, legacy;
formulas are written as values there).

``Written.sources`` maps each key to ``"Sheet!A1"``, ``Written.raw`` each key whose cell is not a plain number to
what was written (text or formula). What a correct reader returns for a written file is the examples' business
(``countystats.examples.workbooks.read_back``).

API
    write_report(path, fmt, cells, unit_name, year, layout="stacked", **options) -> Written
    plan_report(fmt, cells, unit_name, year, layout="stacked", options=Options()) -> Book   (no I/O)
    write_template(unit_name, year, out=None, units=None) -> Path
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
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
    for_year,
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
        if self.formulas not in ("", "cached", "uncached"):
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
    role: str  # title | filer | section | header | label | note | value
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
    rows: list[tuple[str, str]] = field(default_factory=list)  # plain text rows (说明 sheet)

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
    formulas = _formulas(fmt, values, where, dict(opt.text_cells)) if opt.formulas else {}
    book = Book(fmt, sheets, values, sources, formulas, {}, opt)
    book.raw = {k: t for k in values if (t := _raw(book, fmt, k)) is not None}
    return book


def _formulas(fmt: ReportFormat, values: dict[Key, Value], where: dict, texts: dict) -> dict[Key, str]:
    """=SUM(...) for every total cell that holds a value (a blank or a text stays as it is)."""
    out = {}
    for target, parts in total_targets(fmt).items():
        if values.get(target) is None or target not in where or target in texts:
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


def _render_xlsxwriter(book: Book, path: Path, template: bool) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})  # no temporary files: ~2× faster for small books
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "text_wrap": True}
    box = {**base, "border": 1}
    fmts = {
        "title": wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"}),
        "filer": wb.add_format(base),
        "section": wb.add_format({**base, "bold": True, "text_wrap": False}),
        "header": wb.add_format({**box, "align": "center"}),
        "note": wb.add_format({**box, "align": "center"}),
        "label": wb.add_format(box),
        "value": wb.add_format({**box, "align": "center"}),
        "input": wb.add_format({**box, "align": "center", "locked": False, "bg_color": "#FFF2CC"}),
    }
    for sheet in book.sheets:
        ws = wb.add_worksheet(sheet.name)
        for c, w in sheet.widths.items():
            ws.set_column(c, c, w)
        for r, (a, b) in enumerate(sheet.rows):
            ws.write_string(r, 0, a)
            ws.write_string(r, 1, b)
        for it in sheet.items:
            f = fmts["input" if template and it.key else it.role]
            kind, content, cached = _content(book, it)
            if it.merged:
                ws.merge_range(it.row, it.col, it.last_row, it.last_col, "", f)
            if kind == "text":
                ws.write_string(it.row, it.col, content, f)
            elif kind == "number":
                ws.write_number(it.row, it.col, content, f)
            elif kind == "formula":
                ws.write_formula(it.row, it.col, content, f, cached)
            elif not it.merged:
                ws.write_blank(it.row, it.col, None, f)
            if template and it.key:
                _validate(ws, book, it)
        if template:
            ws.protect("", {"format_columns": True, "format_rows": True})
    wb.close()


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
        for r, (a, b) in enumerate(sheet.rows, start=1):
            ws.cell(r, 1, a)
            ws.cell(r, 2, b)
        for c, w in sheet.widths.items():
            ws.column_dimensions[_col_letter(c)].width = w
        for it in sheet.items:
            kind, content, _ = _content(book, it)
            cell = ws.cell(it.row + 1, it.col + 1)
            if kind != "blank":
                cell.value = content  # a formula string is stored as a formula, with no cached value
            cell.alignment = wrap
            if it.role == "title":
                cell.font = Font(bold=True, size=14)
            elif it.role not in ("filer", "section"):
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
    }
    for sheet in book.sheets:
        ws = wb.add_sheet(sheet.name, cell_overwrite_ok=True)
        for r, (a, b) in enumerate(sheet.rows):
            ws.write(r, 0, a)
            ws.write(r, 1, b)
        for c, w in sheet.widths.items():
            ws.col(c).width = int(256 * w)
        for it in sheet.items:
            kind, content, cached = _content(book, it)
            if kind == "formula":  # xlwt stores no cached result: write the value Excel would show
                kind, content = ("blank", None) if cached is None else ("number", cached)
            style = styles[it.role]
            if it.merged:
                ws.write_merge(it.row, it.last_row, it.col, it.last_col, content if kind != "blank" else "", style)
            elif kind == "blank":
                ws.write(it.row, it.col, None, style)
            else:
                ws.write(it.row, it.col, content, style)
    wb.save(str(path))


# ---------------------------------------------------------------- the blank statutory workbook


def write_template(unit_name: str, year: int, out: str | Path | None = None, units: str | Path | None = None,
                   area: str | None = None) -> Path:
    """The blank submission workbook the county sends a unit: stacked 2021 layout, input cells unlocked and
    highlighted, data validation on every number cell, labels protected. ``unit_name``: a name, alias or unit code;
    ``area``: the county to look in where several share the name (every county has its 大营镇)."""
    from transforms.registry import DEFAULT_REGISTRY, Registry

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
    path = Path(out) if out else Path.cwd() / default_name
    if path.is_dir():
        path = path / default_name
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        path = path.with_suffix(".xlsx")
    book = plan_report(for_year(year), {}, name, year, "stacked", Options())
    render(book, path, template=True)
    return path
