"""Workbooks for the reader's tests, built here (not by transforms.writing.layouts) so the reader is checked independently.

``statutory_book`` pastes the three tables of the statutory Word template (python-docx, merges included) into one sheet,
cell for cell, and fills every value cell with a distinct number; the 2019 and mixed counterparts are the same sheet
with table 二 rebuilt from the 2019 blocks and/or table 三's （六） rows replaced by 2019's undivided row. Every label
comes from the Word template or from transforms.format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from transforms.format import FILER, FORMATS, REPORT_TITLE, ReportFormat
from transforms.format.statutory import FORMAT_2019, FORMAT_2021, OTHER_CHILDREN_2021

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DOCX = ROOT.parent / "shared" / "samples" / "published" / "statutory-template-2021.docx"

Key = tuple[str, str, str]


@dataclass
class Sheet:
    """A sheet under construction: cells, merged ranges, and which key each value cell holds."""

    name: str = "Sheet1"
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    keys: dict[Key, tuple[int, int]] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return max((r for r, _ in self.cells), default=-1) + 1

    def put(self, r: int, c: int, value: object) -> None:
        self.cells[(r, c)] = value


def write_book(path: Path, sheets: list[Sheet]) -> Path:
    """Write with xlsxwriter (.xlsx/.xlsm) or xlwt (.xls); merged ranges carry their top-left value."""
    path = Path(path)
    if path.suffix.lower() == ".xls":
        import xlwt

        wb = xlwt.Workbook(encoding="utf-8")
        for sh in sheets:
            ws = wb.add_sheet(sh.name)
            merged = set()
            for r0, c0, r1, c1 in sh.merges:
                ws.write_merge(r0, r1, c0, c1, sh.cells.get((r0, c0), ""))
                merged.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
            for (r, c), v in sh.cells.items():
                if (r, c) not in merged and v is not None:
                    ws.write(r, c, v)
        wb.save(str(path))
        return path
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    for sh in sheets:
        ws = wb.add_worksheet(sh.name)
        merged = set()
        for r0, c0, r1, c1 in sh.merges:
            if (r0, c0) == (r1, c1):
                continue
            ws.merge_range(r0, c0, r1, c1, "")
            v = sh.cells.get((r0, c0))
            if v is not None:
                ws.write(r0, c0, v)
            merged.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
        for (r, c), v in sh.cells.items():
            if (r, c) not in merged and v is not None:
                ws.write(r, c, v)
    wb.close()
    return path


# ---------------------------------------------------------------- the Word template


@lru_cache(maxsize=1)
def docx_tables() -> list[tuple[dict[tuple[int, int], str], list[tuple[int, int, int, int]], int, int]]:
    """Each table: texts at each merged area's top-left, merged ranges (r0, c0, r1, c1), rows, columns.

    python-docx returns the same cell object for every grid position a merged cell covers.
    """
    import docx

    out = []
    for table in docx.Document(str(TEMPLATE_DOCX)).tables:
        boxes: dict[object, list[int]] = {}  # keyed by the XML element itself (kept alive: ids would be reused)
        texts: dict[object, str] = {}
        nrows, ncols = len(table.rows), 0
        for r, row in enumerate(table.rows):
            cells = row.cells
            ncols = max(ncols, len(cells))
            for c, cell in enumerate(cells):
                key = cell._tc
                box = boxes.setdefault(key, [r, c, r, c])
                box[2], box[3] = max(box[2], r), max(box[3], c)
                texts[key] = cell.text
        grid_texts, merges = {}, []
        for key, (r0, c0, r1, c1) in boxes.items():
            text = texts[key].replace("\u3000", "").strip()
            if text:
                grid_texts[(r0, c0)] = texts[key]
            if (r0, c0) != (r1, c1):
                merges.append((r0, c0, r1, c1))
        out.append((grid_texts, merges, nrows, ncols))
    return out


def _number(key: Key, serial: int, fmt: ReportFormat) -> int | float:
    section = fmt.section(key[0])
    if section.measure(key[1], key[2]).decimal:
        return round(serial + 0.123456, 6)
    return serial


def _paste(sheet: Sheet, table, r0: int, c0: int, skip_rows: set[int] = frozenset()) -> dict[int, int]:
    """Copy a docx table at (r0, c0), leaving out ``skip_rows``; returns docx row → sheet row."""
    texts, merges, nrows, _ncols = table
    where, r = {}, r0
    for tr in range(nrows):
        if tr in skip_rows:
            continue
        where[tr] = r
        r += 1
    for (tr, tc), text in texts.items():
        if tr in where:
            sheet.put(where[tr], c0 + tc, text)
    for a, b, c, d in merges:
        rows = [where[x] for x in range(a, c + 1) if x in where]
        if rows and (rows[0], b) != (rows[-1], d):
            sheet.merges.append((rows[0], c0 + b, rows[-1], c0 + d))
    return where


def _begin(sheet: Sheet, fmt: ReportFormat, unit: str, year: int, r: int, c0: int):
    """Title and 填报单位 rows when a unit is given; returns (first free row, fill, expected): ``fill(key, r, c)``
    writes the next distinct number of ``key`` there and records it in ``expected``."""
    if unit:
        sheet.put(r, c0, f"{unit}{year}年{REPORT_TITLE}")
        sheet.put(r + 1, c0, f"{FILER.text}：{unit}")
        r += 3
    serial = iter(range(1, 10_000))
    expected: dict[Key, int | float] = {}

    def fill(key: Key, rr: int, cc: int) -> None:
        value = _number(key, next(serial), fmt)
        sheet.put(rr, cc, value)
        sheet.keys[key] = (rr, cc)
        expected[key] = value

    return r, fill, expected


def statutory_sheet(version: str = FORMAT_2021.version, unit: str = "", year: int = 2024, start: tuple[int, int] = (0, 0)):
    """The template's layout in one sheet (FORMAT_2021.version, FORMAT_2019.version or "mixed"), every value filled; returns (sheet, expected).

    ``expected`` holds every printed cell (key → value); derived cells are left to the caller.
    """
    t2, t3, t4 = docx_tables()
    fmt = (FORMAT_2019 if version == FORMAT_2019.version else FORMAT_2021)
    sheet = Sheet()
    r, c0 = start
    r, fill, expected = _begin(sheet, fmt, unit, year, r, c0)

    # 表二
    proactive = fmt.section("proactive")
    sheet.put(r, c0, proactive.title.text)
    r += 1
    if version == FORMAT_2019.version:
        for block in proactive.blocks:  # the same shape as the template's blocks, with the 2019 contents
            sheet.put(r, c0, block.article.text)
            sheet.merges.append((r, c0, r, c0 + 3))
            sheet.put(r + 1, c0, proactive.anchor.text)
            for j, m in enumerate(block.measures):
                sheet.put(r + 1, c0 + 1 + j, m.label.text)
            r += 2
            for row in block.rows:
                sheet.put(r, c0, row.label.text)
                for j, m in enumerate(block.measures):
                    fill(("proactive", row.code, m.code), r, c0 + 1 + j)
                r += 1
    else:
        where = _paste(sheet, t2, r, c0)
        rows = iter(proactive.rows)
        texts = t2[0]
        for tr in range(t2[2]):
            label = texts.get((tr, 0), "")
            if label and any(label == row.label.text for row in proactive.rows):
                row = next(rows)
                for j, m in enumerate(proactive.measures_of(row.code)):
                    fill(("proactive", row.code, m.code), where[tr], c0 + 1 + j)
        r = max(where.values()) + 1
    r += 1
    # 表三
    requests = (FORMAT_2019 if version in (FORMAT_2019.version, "mixed") else FORMAT_2021).section("requests")
    sheet.put(r, c0, requests.title.text)
    r += 1
    texts = t3[0]
    other_rows = [tr for tr in range(t3[2]) if any(texts.get((tr, 2), "") == FORMAT_2021.section("requests")
                  .row_by_code[code].label.text for code in OTHER_CHILDREN_2021)]
    skip = set(other_rows[1:]) if version in (FORMAT_2019.version, "mixed") else set()
    where = _paste(sheet, t3, r, c0, skip)
    if skip:  # 2019: the first （六） row becomes the undivided row: group label across columns 2–3, no children
        first = where[other_rows[0]]
        sheet.cells.pop((first, c0 + 2), None)
        sheet.merges[:] = [m for m in sheet.merges if not (m[0] <= first <= m[2] and m[1] <= c0 + 1 <= m[3])]
        sheet.merges.append((first, c0 + 1, first, c0 + 2))
    data_rows = [tr for tr in range(3, t3[2]) if tr in where]
    printed = [row for row in requests.rows if not row.derived]
    for tr, row in zip(data_rows, printed, strict=True):
        for j, m in enumerate(requests.columns):
            fill(("requests", row.code, m.code), where[tr], c0 + 3 + j)
    r = max(where.values()) + 2
    # 表四
    review = fmt.section("review_litigation")
    sheet.put(r, c0, review.title.text)
    r += 1
    where = _paste(sheet, t4, r, c0)
    data = where[t4[2] - 1]
    j = 0
    for row in review.rows:
        for m in review.columns:
            fill(("review_litigation", row.code, m.code), data, c0 + j)
            j += 1
    return sheet, expected


def with_derived(expected: dict[Key, int | float], version: str) -> dict[Key, int | float | None]:
    """Add 2021's derived （六）其他处理 (sum of its children) where the sheet printed the children."""
    out = dict(expected)
    if version == FORMAT_2021.version:
        req = FORMAT_2021.section("requests")
        derived = next(r for r in req.rows if r.derived)
        for m in req.columns:
            out[("requests", derived.code, m.code)] = sum(
                expected[("requests", child, m.code)] for child in OTHER_CHILDREN_2021
            )
    return out


def split_per_table(sheet: Sheet) -> list[Sheet]:
    """The same tables, one per sheet (cut at each section title, title/filer rows stay on the first)."""
    fmt = FORMAT_2021
    titles = {s.title.text for s in fmt.sections}
    cuts = sorted(r for (r, _c), v in sheet.cells.items() if v in titles)
    bounds = list(zip(cuts, [*cuts[1:], sheet.height], strict=True))
    out = []
    for i, (a, b) in enumerate(bounds):
        start = 0 if i == 0 else a
        part = Sheet(name=str(sheet.cells[(a, min(c for (r, c) in sheet.cells if r == a))])[2:12])
        for (r, c), v in sheet.cells.items():
            if start <= r < b:
                part.put(r - start, c, v)
        part.merges = [(r0 - start, c0, r1 - start, c1) for r0, c0, r1, c1 in sheet.merges if start <= r0 < b]
        part.keys = {k: (r - start, c) for k, (r, c) in sheet.keys.items() if start <= r < b}
        out.append(part)
    return out


def address(sheet: Sheet, key: Key) -> str:
    from transforms.reading.grid import a1

    r, c = sheet.keys[key]
    return f"{sheet.name}!{a1(r, c)}"


def insert_column(sheet: Sheet, at: int) -> None:
    """An empty spacer column before column ``at`` (everything from ``at`` moves right)."""
    def shift(c: int) -> int:
        return c + 1 if c >= at else c

    sheet.cells = {(r, shift(c)): v for (r, c), v in sheet.cells.items()}
    sheet.merges = [(r0, shift(c0), r1, shift(c1) if c1 >= at or c0 >= at else c1) for r0, c0, r1, c1 in sheet.merges]
    # a merge spanning the spacer keeps it inside: fine for headers, as in real files
    sheet.keys = {k: (r, shift(c)) for k, (r, c) in sheet.keys.items()}


def insert_row(sheet: Sheet, at: int, values: dict[int, object] | None = None) -> None:
    """A row before row ``at`` (empty, or with ``values`` by column)."""
    def shift(r: int) -> int:
        return r + 1 if r >= at else r

    sheet.cells = {(shift(r), c): v for (r, c), v in sheet.cells.items()}
    sheet.merges = [(shift(r0), c0, shift(r1) if r1 >= at or r0 >= at else r1, c1) for r0, c0, r1, c1 in sheet.merges]
    sheet.keys = {k: (shift(r), c) for k, (r, c) in sheet.keys.items()}
    for c, v in (values or {}).items():
        sheet.put(at, c, v)


def row_of(sheet: Sheet, section: str, row: str) -> int:
    return next(r for (s, rr, _c), (r, _cc) in sheet.keys.items() if s == section and rr == row)


def flat_sheet(version: str = FORMAT_2021.version, unit: str = "", year: int = 2024, sep: str = "", name: str = "Sheet1"):
    """Every label a full path in one cell (``三、本年度办理结果{sep}（三）不予公开{sep}1.属于国家秘密``), headers
    likewise (``法人或其他组织{sep}商业企业``), table 四 as three rows of proceedings. Returns (sheet, expected)."""
    fmt = FORMATS[version]
    sheet = Sheet(name=name)
    r, fill, expected = _begin(sheet, fmt, unit, year, 0, 0)

    proactive = fmt.section("proactive")
    sheet.put(r, 0, proactive.title.text)
    r += 1
    for block in proactive.blocks:
        sheet.put(r, 0, proactive.anchor.text)
        for j, m in enumerate(block.measures):
            sheet.put(r, 1 + j, m.label.text)
        r += 1
        for row in block.rows:
            sheet.put(r, 0, f"{block.article.text}{sep}{row.label.text}")
            for j, m in enumerate(block.measures):
                fill(("proactive", row.code, m.code), r, 1 + j)
            r += 1
    r += 1
    requests = fmt.section("requests")
    sheet.put(r, 0, requests.title.text)
    sheet.put(r + 1, 0, requests.corner_note.text)
    for j, m in enumerate(requests.columns):
        sheet.put(r + 1, 1 + j, f"{m.parent.text}{sep}{m.label.text}" if m.parent else m.label.text)
    r += 2
    outer = next(row.group for row in requests.rows if row.group)
    for row in requests.rows:
        if row.derived:
            continue
        parts = [row.label.text]
        if row.group:
            parts.insert(0, row.group.text)
            if row.group != outer:
                parts.insert(0, outer.text)
        sheet.put(r, 0, sep.join(parts))
        for j, m in enumerate(requests.columns):
            fill(("requests", row.code, m.code), r, 1 + j)
        r += 1
    r += 1
    review = fmt.section("review_litigation")
    sheet.put(r, 0, review.title.text)
    for j, m in enumerate(review.columns):
        sheet.put(r + 1, 1 + j, m.label.text)
    r += 2
    for row in review.rows:
        sheet.put(r, 0, f"{row.group.text}{sep}{row.label.text}" if row.group else row.label.text)
        for j, m in enumerate(review.columns):
            fill(("review_litigation", row.code, m.code), r, 1 + j)
        r += 1
    return sheet, expected
