"""A PDF's tables and text, rebuilt from its text layer and its ruling lines: ``read_pdf(data) -> Document``.

A report exported from Word/WPS holds no "table", "row" or "paragraph": only glyphs with their boxes on the page and
vector paths (stroked lines, thin filled rectangles, a filled rectangle per cell). This module rebuilds the structure
from that geometry, with pypdfium2 for the extraction (chars with boxes in ~3 ms a page, where pdfminer needs ~40).

**Extraction.** Per page: every char with its loose box, baseline and font size (pdfium's font size times the
char's matrix scale), whether pdfium put a space before it (its generated spaces have no usable box, so a space is
kept as a flag on the next char); every visible path turned into horizontal/vertical *rulings* (a thin shape → its
centre line, any other shape → its axis-aligned edges; white or transparent shapes are invisible and ignored: Word
paints white boxes behind text); images counted. Form XObjects are walked with an explicit stack (their matrices
composed), never by recursion.

**Ruled tables.** Rulings closer than ``TOL`` are one position; collinear pieces that touch are merged. Rulings that
cross form a table (connected components). The distinct x positions of its vertical rulings (and its outer extent)
and the y positions of its horizontal ones make a fine grid; two neighbouring fine cells are one merged cell where
no ruling separates them (union-find). Each char goes to the fine cell holding its centre; a cell's text is its
lines top to bottom joined with "\\n". A grid of one column (boxes around paragraphs) is not a table and its text
stays text.

**Tables without ruling lines** (the text layer alone, as the Shanghai reports' PDFs are). Lines are chars
clustered by baseline, cut into segments at column gaps (prose never has one: its widest justified space is ~0.3
em). A line ending in numbers set apart (several, or one far from its label) is a *value line*; a run of value lines,
not broken by running text or a section heading, is a table, with the header lines above it and the label lines just
above and below it. Columns: the overlapping x-ranges of the numbers make the value columns; where the rows' labels
start makes the label columns (a label run into the next level's is cut there). Rows: every value line; a label line
that wraps (its previous line reached the column's end, or a narrow column of vertical text) joins the row above, a
label line of its own joins the value line beside it (values centred between two label lines). Headers: each header
line a row, a header cell's next lines joined to it; the headers of a row, with those of its band (a header over two
rows sits between them), tile the columns of the header above them — centred over their columns or set left and
heading the columns up to the next — which makes merged cells as rulings would; a header alone over a merged value
cell spans the columns its values sit in; header rows above and below a header with nothing else in its columns are
merged into it. Addresses in such a table count its rows and columns as read, which may differ from the grid its
author had.

**Text.** Lines outside tables, minus page numbers ("- 3 -", "第 3 页 共 5 页") and lines repeated at the top or
bottom of most pages (running headers/footers), become paragraphs: wrapped lines are joined (Chinese without a
separator); a paragraph starts where a line is indented, the previous line ended well before the right margin, the
font size changes, a blank gap or a table intervenes. Consecutive centred lines of one size are one block (the title
over two lines). Larger or centred blocks and numbered section headings (一、总体情况, （三）…) are headings.

**Across pages.** A table at the top of a page whose horizontal extent matches the table at the bottom of the previous
page continues it (``Table.continues``; :func:`~transforms.reading.forms.document.stack` aligns its columns); the
header rows Word repeats at the top of a continuation (rows equal to the table's first rows) are dropped; a row Word
broke over the page (the rest of its text opening the continuation, without values) is joined to its row, as is the
rest of a merged label cut by the page (（四）无 | 法提供). A paragraph running over a page break is one block. Rows
are addressed per page (``第3页!R5C3``): R counts the table rows of the page top to bottom over all its tables, as a
person counts them (repeated header rows included).

**Hostile or broken files** raise :class:`~transforms.reading.guard.Rejected` with the reason for the clerk: an open
password, a file pdfium cannot parse or that ends before ``%%EOF`` (truncated), a scanned PDF (images, no text: no
OCR here), no text at all, a text layer of unmapped glyphs. At most ``MAX_PAGES`` pages are read, ``MAX_OBJECTS``
objects and ``MAX_CHARS`` chars per page; what is left out is named in ``Document.skipped``.

Limits: one text column per page (two-column layouts interleave); rotated pages (/Rotate) and text at angles other
than multiples of 90° (watermarks: dropped) are not laid out; white or transparent shapes are not rulings (a table
drawn only as white cells on a dark ground is read without rulings), and a table drawn only with horizontal rules
(三线表) is read as a table without rulings; a ruled cell whose rulings do not close a rectangle is read
as its single grid cells. Tables without rulings are read as well as positions allow: a header set over four lines
beside others over two (table 四 flattened, no merged cells, no rulings) may land in the wrong column; a value that is
not a number does not make a column; a table whose header is on one page and its rows on the next is two tables.
A text layer of garbled glyphs (fonts without a usable ToUnicode map) is refused, a partly garbled one read as is.
"""

from __future__ import annotations

import ctypes
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field

from transforms.reading.forms.document import (
    MAX_BLOCK_CHARS,
    MAX_BLOCKS,
    MAX_TABLE_COLS,
    MAX_TABLE_ROWS,
    MAX_TABLES,
    Document,
    Table,
    TextBlock,
)
from transforms.reading.guard import Rejected

MAX_PAGES = 50  # a report has < 20 pages
MAX_OBJECTS = 20_000  # page objects looked at per page (a report's table page has ~700)
MAX_PATH_SEGMENTS = 200  # segments read of one path (a border has 2–5; a path of thousands is a drawing)
MAX_SEGMENTS = 50_000  # path segments read per page
MAX_CHARS = 30_000  # chars per page (a dense page has ~3,000)
MAX_DOC_CHARS = 200_000  # chars of the whole document (a report has ~15,000): later pages are not read
MAX_RULINGS = 400  # horizontal or vertical rulings per page after merging (a table page has ~60)
MAX_FORM_DEPTH = 6  # nested Form XObjects followed

TOL = 3.0  # pt: rulings this close are one (a 1.9 pt thin rectangle; 0.2 pt between cell rectangles)
THIN = 3.0  # pt: a filled shape this thin is a line
MARGIN = 0.12  # the top and bottom share of a page where page numbers and running headers live
EOF_WINDOW = 4096  # %%EOF must be in the last bytes of a complete PDF

ENCRYPTED = "文件设置了打开密码（已加密），请取消密码后另存再报送"
DAMAGED = "PDF 文件已损坏（无法解析），请用 Word/WPS 重新导出 PDF 后报送"
TRUNCATED = "PDF 文件已损坏（文件不完整，可能下载或复制时中断），请重新导出后报送"
SCANNED = ("PDF 是扫描件（页面只有图片，没有文字），countystats 不做文字识别（OCR），读不出其中的表格；"
           "请报送 Word/Excel 原文件，或在 Word/WPS 中直接导出（另存为）PDF 后报送")
NO_TEXT = "PDF 中没有任何文字，请报送 Word/Excel 原文件，或在 Word/WPS 中直接导出（另存为）PDF 后报送"
GARBLED = ("PDF 中的文字无法正确提取（字体缺少文字编码，复制出来是乱码），请报送 Word/Excel 原文件，"
           "或在 Word/WPS 中重新导出 PDF 后报送")

_SPACES = frozenset((0x20, 0xA0, 0x3000, 0x09, 0x2002, 0x2003, 0x2009))
_SKIP = frozenset((0x0D, 0x0A, 0xFFFE, 0xFFFF, 0xFEFF, 0x200B))


# ---------------------------------------------------------------- what extraction yields


@dataclass(slots=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float  # page coordinates turned top-down: y grows downwards, as a person reads
    bottom: float
    base: float  # baseline
    size: float  # font size in points
    space: bool  # pdfium put a space just before this char


@dataclass(slots=True)
class _Line:
    chars: list[_Char]
    x0: float
    x1: float
    top: float
    bottom: float
    base: float
    size: float
    text: str
    page: int = 0


@dataclass
class _Page:
    number: int  # 1-based
    width: float
    height: float
    chars: list[_Char] = field(default_factory=list)
    hrules: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    vrules: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)
    images: int = 0
    unmapped: int = 0  # chars whose font has no usable text encoding
    notes: list[str] = field(default_factory=list)  # what was capped (Chinese)


@dataclass
class _PageTable:
    """A table as found on one page, before it is numbered and tied to the tables of other pages."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    cells: list[list[str | None]]
    merges: list[tuple[int, int, int, int]]
    col_edges: list[float]
    continues: bool = False
    first_row: int = 1  # the page row number of cells[0]
    # columns whose cell in the last row ends in a line that runs to the cell's right edge: text the page may have
    # cut (a genuine row's short label 行政处罚 does not), see _join_split_row
    cut_tail: set[int] = field(default_factory=set)


# ---------------------------------------------------------------- public


def read_pdf(data: bytes) -> Document:
    """The PDF's tables and text. Raises :class:`Rejected` (reason in Chinese) for what cannot be read."""
    pages, skipped = _extract(data)
    return _assemble(pages, skipped)


# ---------------------------------------------------------------- extraction (pypdfium2)


def _extract(data: bytes) -> tuple[list[_Page], dict[str, str]]:
    """The pages (at most MAX_PAGES) as chars and rulings, pdfium's documents and pages closed as soon as read."""
    import pypdfium2 as pdfium

    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise Rejected(TRUNCATED)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise Rejected(ENCRYPTED if "password" in str(exc).lower() else DAMAGED) from exc
    skipped: dict[str, str] = {}
    pages: list[_Page] = []
    try:
        total = len(pdf)
        if total > MAX_PAGES:
            skipped[f"第{MAX_PAGES + 1}–{total}页"] = (f"文件共 {total} 页，只读取了前 {MAX_PAGES} 页"
                                                     "（一份年度报告通常不超过 20 页）")
        broken = []
        read = 0  # chars so far
        for i in range(min(total, MAX_PAGES)):
            if read > MAX_DOC_CHARS:
                skipped[f"第{i + 1}–{min(total, MAX_PAGES)}页"] = (f"文件文字过多（前 {i} 页已有 {read} 个字符），"
                                                                 "其余页面未读取")
                break
            try:
                page = pdf[i]
            except pdfium.PdfiumError:
                broken.append(i + 1)
                continue
            try:
                pages.append(_read_page(page, i + 1))
                read += len(pages[-1].chars)
            except pdfium.PdfiumError:
                broken.append(i + 1)
            finally:
                page.close()
        for number in broken:
            skipped[f"第{number}页"] = "页面已损坏，未能读取"
    finally:
        pdf.close()
    if not pages:
        raise Rejected(DAMAGED)
    return pages, skipped


def _read_page(page, number: int) -> _Page:
    left, bottom, right, top = page.get_bbox()
    out = _Page(number, right - left, top - bottom)
    textpage = page.get_textpage()
    try:
        _read_chars(textpage.raw, top, out)
    finally:
        textpage.close()
    _read_graphics(page.raw, top, out)
    return out


def _read_chars(tp, top: float, out: _Page) -> None:
    import pypdfium2.raw as raw

    count = raw.FPDFText_CountChars(tp)
    if count > MAX_CHARS:
        out.notes.append(f"页面文字过多（{count} 个字符），只读取了前 {MAX_CHARS} 个")
        count = MAX_CHARS
    rect, m = raw.FS_RECTF(), raw.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    tl, tr, tb, tt = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    tight_box = raw.FPDFText_GetCharBox
    get_unicode, loose_box, origin = raw.FPDFText_GetUnicode, raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetCharOrigin
    font_size, matrix, map_error = raw.FPDFText_GetFontSize, raw.FPDFText_GetMatrix, raw.FPDFText_HasUnicodeMapError
    chars = out.chars
    space = False
    pending_high = 0  # a UTF-16 high surrogate waiting for its pair
    for i in range(count):
        u = get_unicode(tp, i)
        if u in _SPACES:
            space = True
            continue
        if 0xD800 <= u < 0xDC00:
            pending_high = u
            continue
        if 0xDC00 <= u < 0xE000:
            if not pending_high:
                continue
            u = 0x10000 + ((pending_high - 0xD800) << 10) + (u - 0xDC00)
            pending_high = 0
        if u < 0x20 or u in _SKIP:  # pdfium's generated line ends, control chars, unmapped glyphs
            continue
        matrix(tp, i, m)
        scale = math.sqrt(abs(m.a * m.d - m.b * m.c))
        if scale and abs(m.b) > 0.02 * scale and abs(m.a) > 0.02 * scale:
            continue  # text at an angle (a diagonal watermark) is no part of the report's layout
        if map_error(tp, i):
            out.unmapped += 1
        loose_box(tp, i, rect)
        origin(tp, i, ox, oy)
        size = font_size(tp, i) * scale or (rect.top - rect.bottom)
        x0, x1, y0, y1 = rect.left, rect.right, rect.bottom, rect.top
        if x1 - x0 > 1.6 * size or y1 - y0 > 2.2 * size:  # a font whose metrics are wrong (vertical fonts): the ink
            tight_box(tp, i, tl, tr, tb, tt)
            x0, x1, y0, y1 = tl.value, tr.value, tb.value, tt.value
        chars.append(_Char(chr(u), x0, x1, top - y1, top - y0, top - oy.value, size, space))
        space = False


def _read_graphics(page, top: float, out: _Page) -> None:
    """Visible paths → rulings; images counted. Form XObjects walked with a stack, their matrices composed."""
    import pypdfium2.raw as raw

    m = raw.FS_MATRIX()
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack = [(page, raw.FPDFPage_CountObjects(page), 0, identity, 0, False)]  # container, count, next, matrix, depth
    seen = 0
    budget = [MAX_SEGMENTS]
    while stack:
        container, count, index, matrix, depth, is_form = stack.pop()
        if index >= count:
            continue
        stack.append((container, count, index + 1, matrix, depth, is_form))
        seen += 1
        if seen > MAX_OBJECTS:
            out.notes.append(f"页面图形对象过多，只读取了前 {MAX_OBJECTS} 个")
            return
        obj = raw.FPDFFormObj_GetObject(container, index) if is_form else raw.FPDFPage_GetObject(container, index)
        if not obj:
            continue
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            out.images += 1
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            own = _compose(_matrix(raw, obj, m), matrix)
            _path_rulings(raw, obj, own, top, out, budget)
        elif kind == raw.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            inner = _compose(_matrix(raw, obj, m), matrix)
            stack.append((obj, raw.FPDFFormObj_CountObjects(obj), 0, inner, depth + 1, True))
    if budget[0] <= 0:
        out.notes.append("页面线条过多，只读取了一部分")


def _matrix(raw, obj, m) -> tuple[float, ...]:
    if not raw.FPDFPageObj_GetMatrix(obj, m):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix applying ``inner`` then ``outer`` (PDF row-vector convention)."""
    a1, b1, c1, d1, e1, f1 = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _visible(getter, obj) -> bool:
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not getter(obj, r, g, b, a):
        return True
    return a.value > 0 and min(r.value, g.value, b.value) < 245  # white on white paper is not seen


def _path_rulings(raw, obj, mx: tuple[float, ...], top: float, out: _Page, budget: list[int]) -> None:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not raw.FPDFPath_GetDrawMode(obj, fill, stroke):
        return
    filled = bool(fill.value) and _visible(raw.FPDFPageObj_GetFillColor, obj)
    stroked = bool(stroke.value) and _visible(raw.FPDFPageObj_GetStrokeColor, obj)
    if not (filled or stroked):
        return
    n = min(raw.FPDFPath_CountSegments(obj), MAX_PATH_SEGMENTS, budget[0])
    budget[0] -= max(n, 1)
    a, b, c, d, e, f = mx
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []  # each subpath's points
    pieces: list[list[tuple[float, float, float, float]]] = []  # each subpath's straight pieces
    start = current = None
    for j in range(n):
        seg = raw.FPDFPath_GetPathSegment(obj, j)
        if not seg or not raw.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        px, py = a * x.value + c * y.value + e, top - (b * x.value + d * y.value + f)
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO or current is None:
            subpaths.append([(px, py)])
            pieces.append([])
            start = current = (px, py)
        else:
            subpaths[-1].append((px, py))
            if kind == raw.FPDF_SEGMENT_LINETO:
                pieces[-1].append((current[0], current[1], px, py))
            current = (px, py)  # a Bézier's points: not a ruling, the pen moves on
        if raw.FPDFPathSegment_GetClose(seg) and start is not None:
            pieces[-1].append((current[0], current[1], start[0], start[1]))
            current = start
    for points, straight in zip(subpaths, pieces, strict=True):
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        if filled and max(w, h) > THIN and min(w, h) <= THIN:  # a thin filled rectangle is a line: its centre
            if w >= h:
                out.hrules.append(((min(ys) + max(ys)) / 2, min(xs), max(xs)))
            else:
                out.vrules.append(((min(xs) + max(xs)) / 2, min(ys), max(ys)))
            continue
        for x0, y0, x1, y1 in straight:  # any other shape: its horizontal and vertical edges
            if abs(y1 - y0) <= 0.5 and abs(x1 - x0) > 1:
                out.hrules.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
            elif abs(x1 - x0) <= 0.5 and abs(y1 - y0) > 1:
                out.vrules.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


# ---------------------------------------------------------------- lines of chars


def _lines(chars: list[_Char], page: int = 0) -> list[_Line]:
    """Chars clustered by baseline into lines, top to bottom; each line's chars left to right."""
    out: list[_Line] = []
    group: list[_Char] = []
    base = size = 0.0
    for ch in sorted(chars, key=lambda c: (c.base, c.x0)):
        if group and abs(ch.base - base) <= 0.35 * max(min(ch.size, size), 1.0):
            group.append(ch)
            continue
        if group:
            out.append(_make_line(group, page))
        group, base, size = [ch], ch.base, ch.size
    if group:
        out.append(_make_line(group, page))
    return out


def _make_line(chars: list[_Char], page: int) -> _Line:
    chars.sort(key=lambda c: c.x0)
    kept = [chars[0]]
    for ch in chars[1:]:  # a glyph painted twice (fake bold) is one char
        prev = kept[-1]
        if ch.text == prev.text and abs(ch.x0 - prev.x0) < min(0.3 * (prev.x1 - prev.x0), 1.0):
            continue
        kept.append(ch)
    sizes = sorted(c.size for c in kept)
    return _Line(kept, kept[0].x0, max(c.x1 for c in kept), min(c.top for c in kept), max(c.bottom for c in kept),
                 kept[0].base, sizes[len(sizes) // 2], _join(kept), page)


def _join(chars: list[_Char]) -> str:
    parts = []
    for i, ch in enumerate(chars):
        if i and ch.space:
            parts.append(" ")
        parts.append(ch.text)
    return "".join(parts)


def _cell_text(chars: list[_Char]) -> str:
    return "\n".join(line.text for line in _lines(chars))


# ---------------------------------------------------------------- ruled tables


def _cluster(values: list[float], tol: float = TOL) -> list[float]:
    """Sorted positions, those within ``tol`` of a cluster's first one made one (their mean)."""
    out: list[float] = []
    group: list[float] = []
    for v in sorted(values):
        if group and v - group[0] > tol:
            out.append(sum(group) / len(group))
            group = []
        group.append(v)
    if group:
        out.append(sum(group) / len(group))
    return out


def _nearest(positions: list[float], v: float) -> int:
    i = bisect_left(positions, v)
    if i == len(positions) or (i > 0 and v - positions[i - 1] < positions[i] - v):
        return i - 1
    return i


def _merge_rulings(rules: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Rulings at one position (within TOL) snapped together; collinear pieces that overlap or touch joined."""
    if not rules:
        return []
    positions = _cluster([r[0] for r in rules])
    by_pos: dict[int, list[tuple[float, float]]] = {}
    for pos, a, b in rules:
        by_pos.setdefault(_nearest(positions, pos), []).append((a, b))
    out = []
    for k, spans in by_pos.items():
        spans.sort()
        a, b = spans[0]
        for a2, b2 in spans[1:]:
            if a2 <= b + TOL:
                b = max(b, b2)
            else:
                out.append((positions[k], a, b))
                a, b = a2, b2
        out.append((positions[k], a, b))
    return out


def _components(hs: list, vs: list) -> list[tuple[list, list]]:
    """Groups of rulings connected by crossings (a horizontal and a vertical that meet, within TOL)."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(hs)), key=lambda i: hs[i][0])
    ys = [hs[i][0] for i in order]
    for j, (x, y0, y1) in enumerate(vs):
        for k in range(bisect_left(ys, y0 - TOL), bisect_right(ys, y1 + TOL)):
            i = order[k]
            if hs[i][1] - TOL <= x <= hs[i][2] + TOL:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list, list]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if g[0] and g[1]]


@dataclass
class _Ruled:
    """A grid of rulings on one page: fine positions, and the cells (merged areas) over them."""

    xs: list[float]
    ys: list[float]
    owner: list[list[int]]  # fine cell → index of its cell in boxes
    boxes: list[tuple[int, int, int, int]]  # (r0, c0, r1, c1) per cell
    content: list[list[_Char]] = field(default_factory=list)


def _grid(hs: list, vs: list) -> _Ruled | None:
    left = min(min(h[1] for h in hs), min(v[0] for v in vs))
    right = max(max(h[2] for h in hs), max(v[0] for v in vs))
    top = min(min(h[0] for h in hs), min(v[1] for v in vs))
    bottom = max(max(h[0] for h in hs), max(v[2] for v in vs))
    xs = _cluster([v[0] for v in vs] + [left, right])
    ys = _cluster([h[0] for h in hs] + [top, bottom])
    nr, nc = len(ys) - 1, len(xs) - 1
    if nc < 2 or nr < 1 or nr > MAX_TABLE_ROWS or nc > MAX_TABLE_COLS:
        return None  # one column is boxes around text, not a table
    at_x: list[list[tuple[float, float]]] = [[] for _ in xs]
    for x, y0, y1 in vs:
        at_x[_nearest(xs, x)].append((y0, y1))
    at_y: list[list[tuple[float, float]]] = [[] for _ in ys]
    for y, x0, x1 in hs:
        at_y[_nearest(ys, y)].append((x0, x1))
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def ruled(spans: list[tuple[float, float]], mid: float) -> bool:
        return any(a - 1 <= mid <= b + 1 for a, b in spans)

    for r in range(nr):
        mid = (ys[r] + ys[r + 1]) / 2
        for c in range(nc - 1):
            if not ruled(at_x[c + 1], mid):
                parent[find(r * nc + c + 1)] = find(r * nc + c)
    for r in range(nr - 1):
        for c in range(nc):
            if not ruled(at_y[r + 1], (xs[c] + xs[c + 1]) / 2):
                parent[find((r + 1) * nc + c)] = find(r * nc + c)
    members: dict[int, list[int]] = {}
    for i in range(nr * nc):
        members.setdefault(find(i), []).append(i)
    owner = [[-1] * nc for _ in range(nr)]
    boxes: list[tuple[int, int, int, int]] = []
    for cells in members.values():
        rows, cols = [i // nc for i in cells], [i % nc for i in cells]
        box = (min(rows), min(cols), max(rows), max(cols))
        if (box[2] - box[0] + 1) * (box[3] - box[1] + 1) != len(cells):
            # not a rectangle (a ruling broken off): each fine cell on its own
            for i in cells:
                owner[i // nc][i % nc] = len(boxes)
                boxes.append((i // nc, i % nc, i // nc, i % nc))
            continue
        for i in cells:
            owner[i // nc][i % nc] = len(boxes)
        boxes.append(box)
    if all(b[1] == 0 and b[3] == nc - 1 for b in boxes):
        return None  # every row one cell: boxes around paragraphs
    return _Ruled(xs, ys, owner, boxes, [[] for _ in boxes])


def _ruled_tables(page: _Page) -> tuple[list[_PageTable], list[_Char]]:
    """The page's ruled tables, and the chars outside them."""
    hs, vs = _merge_rulings(page.hrules), _merge_rulings(page.vrules)
    if len(hs) > MAX_RULINGS or len(vs) > MAX_RULINGS:
        page.notes.append(f"页面线条过多（{len(hs)} 条横线、{len(vs)} 条竖线），未按表格线读取")
        return [], page.chars
    grids = [g for g in (_grid(h, v) for h, v in _components(hs, vs)) if g is not None]
    if not grids:
        return [], page.chars
    grids.sort(key=lambda g: g.ys[0])
    rest = []
    for ch in page.chars:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        for g in grids:
            if g.xs[0] <= cx < g.xs[-1] and g.ys[0] <= cy < g.ys[-1]:
                g.content[g.owner[bisect_right(g.ys, cy) - 1][bisect_right(g.xs, cx) - 1]].append(ch)
                break
        else:
            rest.append(ch)
    tables = []
    for g in grids:
        if not any(g.content):
            continue  # a drawn grid with nothing in it
        nr, nc = len(g.ys) - 1, len(g.xs) - 1
        cells: list[list[str | None]] = [[None] * nc for _ in range(nr)]
        merges = []
        cut_tail = set()
        for (r0, c0, r1, c1), chars in zip(g.boxes, g.content, strict=True):
            cells[r0][c0] = _cell_text(chars) if chars else ""
            if r1 > r0 or c1 > c0:
                merges.append((r0, c0, r1, c1))
            if r1 == nr - 1 and chars:
                tail = _lines(chars)[-1]
                if g.xs[c1 + 1] - tail.x1 <= CUT_EMS * tail.size:
                    cut_tail.add(c0)
        tables.append(_PageTable(page.number, g.xs[0], g.xs[-1], g.ys[0], g.ys[-1], cells, sorted(merges),
                                 list(g.xs), cut_tail=cut_tail))
    return tables, rest


# ---------------------------------------------------------------- tables without ruling lines

_NUMBER = re.compile(r"[-+−]?\d[\d,，]*(?:[.．]\d+)?%?")
_DASH = re.compile(r"[-–—－/／]")
_SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_SUBSECTION = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
COL_GAP = 0.8  # ems between two cells of a row (justified prose has at most ~0.3)
CUT_EMS = 2.0  # a cell's last line ending this close to its right edge may go on in the next page's row


@dataclass(eq=False)
class _Seg:
    """Chars of a line that sit together: a cell's text in that line."""

    x0: float
    x1: float
    text: str
    number: bool
    chars: list[_Char]


def _seg(chars: list[_Char]) -> _Seg:
    text = _join(chars)
    plain = text.replace(" ", "")
    return _Seg(chars[0].x0, max(c.x1 for c in chars), text, bool(_NUMBER.fullmatch(plain) or _DASH.fullmatch(plain)),
                chars)


def _segments(line: _Line) -> list[_Seg]:
    """The line cut where chars are a column gap apart; numbers are also cut at spaces ("0 0 0")."""
    segs: list[list[_Char]] = []
    em = max(line.size, 1.0)
    for ch in line.chars:
        if segs:
            prev = segs[-1][-1]
            gap = ch.x0 - prev.x1
            numeric_pair = ch.text.isdigit() and prev.text.isdigit()
            if gap > COL_GAP * em or (numeric_pair and (ch.space or gap > 0.5 * em)):
                segs.append([ch])
                continue
            segs[-1].append(ch)
        else:
            segs.append([ch])
    return [_seg(chars) for chars in segs]


def _values(segs: list[_Seg]) -> int:
    """How many segments at the end of the line are values (0 when the line is no table row)."""
    n = 0
    for seg in reversed(segs):
        if not seg.number:
            break
        n += 1
    if not any(_NUMBER.fullmatch(s.text.replace(" ", "")) for s in segs[len(segs) - n:]):
        return 0
    if n >= 2 or (n == 1 and len(segs) >= 2):
        return n
    return 0


def _word_tables(lines: list[_Line], page: int, body: tuple[float, float]) -> tuple[list[_PageTable], list[_Line]]:
    """Tables set out by word positions alone, and the lines that are not part of one."""
    if not lines:
        return [], lines
    segs = [_segments(line) for line in lines]
    nvals = [_values(s) for s in segs]
    width = max(body[1] - body[0], 1.0)

    def stop(i: int, row: int) -> bool:
        """Running text, or a section heading: larger than the table's text, or a long line reaching over its values
        (a label may begin 三、 too: 三、本年度办理结果…, set in the label column)."""
        line = lines[i]
        if len(segs[i]) == 1 and line.x1 - line.x0 > 0.6 * width and len(line.text) > 15:
            return True
        first_value = segs[row][len(segs[row]) - nvals[row]].x0
        return (len(segs[i]) == 1 and bool(_SECTION.match(line.text))
                and (line.size > 1.1 * lines[row].size or (len(line.text) >= 12 and line.x1 > first_value)))

    regions: list[list[int]] = []  # runs of value lines
    run: list[int] = []
    for i, line in enumerate(lines):
        if not nvals[i]:
            continue
        if run and (line.top - lines[run[-1]].bottom > 6 * line.size
                    or any(stop(k, i) for k in range(run[-1] + 1, i))):
            regions.append(run)
            run = []
        run.append(i)
    if run:
        regions.append(run)
    tables, used = [], set()
    for run in regions:
        if len(run) < 2 and nvals[run[0]] < 3:
            continue  # one line with a number or two is a sentence, not a table
        head = run[0]
        while head > 0 and run[0] - head < 16:  # header lines above the first row (narrow columns wrap a lot)
            j = head - 1
            if j in used or stop(j, run[0]) or lines[head].top - lines[j].bottom > 2.5 * lines[j].size:
                break
            head = j
        tail = run[-1]  # the last label's lines below its values (labels set over two lines, values centred)
        first_value = segs[tail][len(segs[tail]) - nvals[tail]].x0
        while (tail + 1 < len(lines) and tail + 1 - run[-1] <= 3 and not nvals[tail + 1]
               and lines[tail + 1].x1 < first_value - 0.2 * lines[tail].size
               and lines[tail + 1].top - lines[tail].bottom <= 0.6 * lines[tail].size):
            tail += 1
        members = list(range(head, tail + 1))
        table = _word_table([lines[i] for i in members], [segs[i] for i in members], [nvals[i] for i in members],
                            page)
        if table is not None:
            tables.append(table)
            used.update(members)
    return tables, [line for i, line in enumerate(lines) if i not in used]


def _word_table(lines: list[_Line], segs: list[list[_Seg]], nvals: list[int], page: int) -> _PageTable | None:
    """One region of lines as a table: value columns from the numbers, label columns from where labels start."""
    em = max(sorted(line.size for line in lines)[len(lines) // 2], 1.0)
    # value columns: the x-ranges of the numbers; ranges that overlap are one column (centred, left or right aligned)
    spans = sorted((s.x0, s.x1) for ss, n in zip(segs, nvals, strict=True) if n for s in ss[len(ss) - n:])
    columns: list[list[float]] = []
    for a, b in spans:
        if columns and a <= columns[-1][1] + 0.3 * em:
            columns[-1][1] = max(columns[-1][1], b)
        else:
            columns.append([a, b])
    # labels to the left of the values: the boundary halfway between the labels' ends and the first value column
    ends = [s.x1 for ss, n in zip(segs, nvals, strict=True) if n for s in ss[: len(ss) - n] if s.x1 < columns[0][0]]
    boundary = (max(ends) + columns[0][0]) / 2 if ends else columns[0][0] - 0.25 * em

    def labels_of(k: int) -> list[_Seg]:
        return [s for s in segs[k][: len(segs[k]) - nvals[k]] if s.x1 <= columns[0][0] - 0.2 * em]

    # label columns: where the rows' label text starts (labels of several levels side by side); a label run into
    # the next level's label with little space between is cut where that level starts
    first_row = next(k for k, n in enumerate(nvals) if n)
    starts = _cluster([s.x0 for k in range(first_row, len(lines)) if nvals[k] for s in labels_of(k)], em)
    for k in range(len(lines)):
        segs[k] = [piece for s in segs[k] for piece in (_cut(s, starts, em) if s in labels_of(k) else (s,))]
    left = min(min(line.x0 for line in lines), boundary)
    right = max(max(line.x1 for line in lines), columns[-1][1]) + 0.01
    edges = [left] + [x for x in starts[1:] if x < boundary - 0.5 * em]
    if starts and boundary - left > 0.5 * em:
        edges.append(boundary)
    else:
        edges[0] = min(left, boundary)  # no labels (table 四's single row): the values start the table
    labels = len(edges) - 1  # zones left of the values
    edges += [(columns[k - 1][1] + columns[k][0]) / 2 for k in range(1, len(columns))] + [right]
    zones = len(edges) - 1
    if zones > MAX_TABLE_COLS or len(lines) > MAX_TABLE_ROWS:
        return None

    def overlap(seg: _Seg, z: int) -> float:
        return max(0.0, min(seg.x1, edges[z + 1]) - max(seg.x0, edges[z]))

    def label_zone(seg: _Seg) -> int:
        return max(0, min(bisect_right(edges, seg.x0 + 0.5 * em) - 1, labels - 1))

    def place(seg: _Seg) -> list[int]:
        """The zones a header segment fills: every zone it mostly covers (a merged cell), else the one it overlaps
        most."""
        covered = [z for z in range(zones) if overlap(seg, z) > 0
                   and overlap(seg, z) >= 0.5 * min(edges[z + 1] - edges[z], seg.x1 - seg.x0)]
        if len(covered) >= 2 and covered[-1] - covered[0] == len(covered) - 1:
            return covered
        return [max(range(zones), key=lambda z: overlap(seg, z))]

    rows: list[_WordRow] = []
    value_lines = [k for k, n in enumerate(nvals) if n]
    # label lines just above the first row are the table's (a label set over two lines, or the rest of a row cut by
    # the page), not its header: the header has text over the values
    body = value_lines[0]
    while body > 0 and all(s in labels_of(body - 1) for s in segs[body - 1]):
        body -= 1
    row_of = {}
    for k in value_lines:
        row_of[k] = len(rows)
        rows.append(_WordRow(lines[k].base))
    # how far a label column's text reaches (the next column's start, or its longest line): a line that reaches it
    # wrapped, and the next line continues it; so does the next line of a narrow column (vertical text, 三、本年度…)
    reach = [edges[z + 1] if z + 1 < labels else
             max((s.x1 for k in range(len(lines)) for s in labels_of(k) if label_zone(s) == z), default=0.0)
             for z in range(labels)]
    last: dict[int, tuple[int, float, float, int]] = {}  # label zone → (row, x1, baseline, line) of its latest text
    for k, line in enumerate(lines):
        mine = labels_of(k) if labels else []
        value_segs = segs[k][len(segs[k]) - nvals[k]:] if nvals[k] else []
        others = [piece for s in segs[k] if s not in mine
                  for piece in ((s,) if s in value_segs else _cut_at(s, edges[labels + 1:-1], em))]
        own = []
        for s in mine:
            z = label_zone(s)
            prev = last.get(z)
            wrapped = prev is not None and s.x0 <= edges[z] + 1.5 * em and (
                (0 < line.base - prev[2] <= 1.6 * em and prev[1] >= reach[z] - 1.5 * em)
                or (prev[3] == k - 1 and reach[z] - edges[z] <= 3 * em))
            # a value line keeps its own (innermost) label: only an outer label column's line may continue above
            if wrapped and (k not in row_of or any(label_zone(t) > z for t in mine)):
                rows[prev[0]].add(z, line.base, s)
                last[z] = (prev[0], s.x1, line.base, k)
            else:
                own.append((s, z))
        if k in row_of:
            target = row_of[k]
        elif not own and not others:
            continue
        elif others or k < body:  # a header line (across the values, or above the first row)
            target = len(rows)
            rows.append(_WordRow(line.base, header=True))
        else:  # a label line of its own: the value line it stands beside (below: centred cells), else above
            below = [v for v in value_lines if 0 <= lines[v].base - line.base <= 1.6 * em]
            above = [v for v in value_lines if 0 < line.base - lines[v].base <= 1.6 * em]
            if below or above:
                target = row_of[below[0] if below else above[-1]]
            else:
                target = len(rows)
                rows.append(_WordRow(line.base))
        row = rows[target]
        for s, z in own:
            row.add(z, line.base, s)
            last[z] = (target, s.x1, line.base, k)
        for s in others:
            if s in value_segs:
                zs = [max(range(labels, zones), key=lambda z, s=s: overlap(s, z))]
                row.values.add(zs[0])
            else:
                zs = place(s)
            row.add(zs[0], line.base, s)
            if len(zs) > 1 and (zs[0], zs[-1]) not in row.spans:
                row.spans.append((zs[0], zs[-1]))
    rows = sorted((row for row in rows if row.pieces), key=lambda row: row.base)
    _header_spans(rows, labels, edges, em)
    cells: list[list[str | None]] = []
    for row in rows:
        out: list[str | None] = [""] * zones
        for z, parts in row.pieces.items():
            parts.sort()
            text, last_base = "", None
            for base, _x, piece in parts:
                if last_base is not None:
                    text += "\n" if base - last_base > 0.35 * em else " "
                text += piece
                last_base = base
            out[z] = text
        cells.append(out)
    merges = _header_merges(rows, cells, labels)
    return _PageTable(page, edges[0], edges[-1], min(line.top for line in lines), max(line.bottom for line in lines),
                      cells, merges, edges)


def _header_spans(rows: list[_WordRow], labels: int, edges: list[float], em: float) -> None:
    """What rulings would have said about the header rows, from positions alone.

    The headers of a row, with those of its band (a header set over two lines sits between them: 总计 beside
    结果/维持), tile the columns of the header above them (行政诉讼's ten columns): either each centred over its
    columns, or each set left in its cell and heading the columns up to the next; the tiling that fits their
    positions gives each header its columns (a merged cell). A header cell's next line (结果/维持 in a narrow
    column) joins it. A header above a merged value cell (本年处理决定数量 over three columns, the value centred
    under the middle one) spans the columns its values sit in.
    """
    zones = len(edges) - 1
    _join_header_lines(rows, labels, edges, em)
    heads = [row for row in rows if row.header]

    def zone_of(x: float) -> int:
        return max(labels, min(bisect_right(edges, x) - 1, zones - 1))

    def centred(tiles: list[tuple[float, float]], lo: int, hi: int) -> list[tuple[int, int]] | None:
        out, a = [], lo
        for x0, x1 in tiles:
            if a > hi or edges[a] > x0 + 0.5 * em:
                return None
            c = (x0 + x1) / 2
            e = min(range(a, hi + 1), key=lambda e: abs((edges[a] + edges[e + 1]) / 2 - c))
            if abs((edges[a] + edges[e + 1]) / 2 - c) > 0.5 * (edges[e + 1] - edges[e]):
                return None
            out.append((a, e))
            a = e + 1
        return out if a == hi + 1 else None

    def left(tiles: list[tuple[float, float]], lo: int, hi: int) -> list[tuple[int, int]] | None:
        firsts = [zone_of(x0 + 0.25 * em) for x0, _x1 in tiles]
        if len(tiles) < 2 or firsts[0] != lo or any(b <= a for a, b in zip(firsts, firsts[1:], strict=False)):
            return None  # (a header alone in its row, set left: where it ends says nothing)
        return [(a, (firsts[k + 1] - 1) if k + 1 < len(firsts) else hi) for k, a in enumerate(firsts)]

    for i, row in enumerate(heads):
        own = {z: row.extent[z] for z in row.pieces if z >= labels and not any(a < z <= b for a, b in row.spans)}
        if not own:
            continue
        band = [other.extent[z] for other in heads if other is not row and abs(other.base - row.base) <= 1.3 * em
                for z in other.pieces if z >= labels]
        # a band header under one of this row's headers is its child, not its neighbour
        band = [(x0, x1) for x0, x1 in band if not any(a <= (x0 + x1) / 2 <= b for a, b in own.values())]

        def bound(x: float, above=heads[:i]) -> tuple[int, int]:
            z = zone_of(x)
            for other in reversed(above):
                for a, b in other.spans:
                    if a <= z <= b:
                        return a, b
                if z in other.pieces:
                    return z, z
            return labels, zones - 1

        groups: dict[tuple[int, int], list[tuple[float, float, int | None]]] = {}
        for z, (x0, x1) in own.items():
            groups.setdefault(bound((x0 + x1) / 2), []).append((x0, x1, z))
        for x0, x1 in band:
            key = bound((x0 + x1) / 2)
            if key in groups:
                groups[key].append((x0, x1, None))
        for (lo, hi), tiles in groups.items():
            tiles.sort(key=lambda t: (t[0] + t[1]) / 2)
            extents = [(x0, x1) for x0, x1, _z in tiles]
            tiling = centred(extents, lo, hi) or left(extents, lo, hi)
            if tiling is None:
                continue
            for (_x0, _x1, z), (a, b) in zip(tiles, tiling, strict=True):
                if z is None:
                    continue
                row.spans = [(p, q) for p, q in row.spans if p != z]
                if a != z:  # the text sits at the top-left of its merged area
                    row.pieces[a] = row.pieces.pop(z)
                    row.extent[a] = row.extent.pop(z)
                if b > a:
                    row.spans.append((a, b))
    rows[:] = [row for row in rows if row.pieces]
    for above, below in zip(rows, rows[1:], strict=False):
        if not above.header or not below.values:
            continue
        for z in sorted(p for p in above.pieces if p >= labels):
            end = z
            while end + 1 < zones and end + 1 not in above.pieces:
                end += 1
            under = {v for v in below.values if z <= v <= end}
            if end > z and under and z not in under and not any(a <= z <= b for a, b in above.spans):
                above.spans.append((z, end))


def _join_header_lines(rows: list[_WordRow], labels: int, edges: list[float], em: float) -> None:
    """A header cell's text over several lines (法人或/其他组/织, 结果/维持 in narrow columns) is one header: lines
    that follow closely in one column, centred on the same point or starting at the same x, each narrower than the
    column (a wider header heads several columns and is another cell)."""
    latest: dict[int, _WordRow] = {}  # zone → the header row holding its latest header line
    for row in rows:
        if not row.header:
            if row.values:
                latest.clear()
            continue
        for z in sorted(row.pieces):
            width = edges[z + 1] - edges[z] + 0.5 * em
            x0, x1 = row.extent[z]
            upper = latest.get(z)
            if (upper is not None and z >= labels and 0 < row.base - upper.pieces[z][-1][0] <= 1.35 * em
                    and x1 - x0 <= width and upper.extent[z][1] - upper.extent[z][0] <= width
                    and (abs((x0 + x1) / 2 - sum(upper.extent[z]) / 2) <= 0.5 * em
                         or abs(x0 - upper.extent[z][0]) <= 0.5 * em)):
                upper.pieces[z].extend(row.pieces.pop(z))
                a0, a1 = upper.extent[z]
                upper.extent[z] = (min(a0, x0), max(a1, x1))
                del row.extent[z]
            else:
                latest[z] = row
    rows[:] = [row for row in rows if row.pieces]


def _header_merges(rows: list[_WordRow], cells: list[list[str | None]], labels: int) -> list[tuple[int, int, int, int]]:
    """The merged areas of the header rows: each header's columns (its span), and the header rows above and below it
    where nothing else stands in those columns (a header over two rows, centred between them: 总计 beside 结果/维持),
    its text moved to the top-left as a merged cell's is. Headers claim their areas top to bottom."""
    merges = []
    r = 0
    while r < len(rows):
        if not rows[r].header:
            r += 1
            continue
        end = r
        while end + 1 < len(rows) and rows[end + 1].header:
            end += 1
        claimed: set[tuple[int, int]] = set()
        areas = []
        for i in range(r, end + 1):
            for z in sorted(rows[i].pieces):
                a, b = next(((a, b) for a, b in rows[i].spans if a == z), (z, z))

                def free(k: int, a=a, b=b, claimed=claimed) -> bool:
                    return all(not cells[k][c] and (k, c) not in claimed for c in range(a, b + 1)) and not any(
                        x <= b and a <= y for x, y in rows[k].spans)

                up, down = i, i
                if z >= labels:  # label columns keep their lines
                    while up - 1 >= r and free(up - 1):
                        up -= 1
                    while down + 1 <= end and free(down + 1):
                        down += 1
                claimed.update((k, c) for k in range(up, down + 1) for c in range(a, b + 1))
                areas.append((up, a, down, b, cells[i][z]))
        for top, a, bottom, b, _text in areas:
            for k in range(top, bottom + 1):
                for c in range(a, b + 1):
                    cells[k][c] = None
        for top, a, bottom, b, text in areas:
            cells[top][a] = text
            if bottom > top or b > a:
                merges.append((top, a, bottom, b))
        r = end + 1
    for r, row in enumerate(rows):  # the value rows' merged cells (none: a value row is read as it stands)
        if not row.header:
            for z0, z1 in row.spans:
                for c in range(z0 + 1, z1 + 1):
                    cells[r][c] = None
                merges.append((r, z0, r, z1))
    return sorted(merges)


@dataclass
class _WordRow:
    base: float
    header: bool = False  # a header line's row (no values, text over the value columns)
    pieces: dict[int, list[tuple[float, float, str]]] = field(default_factory=dict)  # zone → (baseline, x, text)
    spans: list[tuple[int, int]] = field(default_factory=list)  # zones of a merged header cell
    values: set[int] = field(default_factory=set)  # zones holding a value
    extent: dict[int, tuple[float, float]] = field(default_factory=dict)  # zone → x-range of its text

    def add(self, zone: int, base: float, seg: _Seg) -> None:
        self.pieces.setdefault(zone, []).append((base, seg.x0, seg.text))
        x0, x1 = self.extent.get(zone, (seg.x0, seg.x1))
        self.extent[zone] = (min(x0, seg.x0), max(x1, seg.x1))


def _cut_at(seg: _Seg, edges: list[float], em: float) -> list[_Seg]:
    """A header segment cut where a column boundary passes through a gap in it (社会公 法律服: two narrow columns'
    headers a little apart); a header over several columns has no gap there."""
    pieces: list[list[_Char]] = [[seg.chars[0]]]
    for prev, ch in zip(seg.chars, seg.chars[1:], strict=False):
        if ch.x0 - prev.x1 > 0.15 * em and any(prev.x1 - 0.1 * em <= x <= ch.x0 + 0.1 * em for x in edges):
            pieces.append([])
        pieces[-1].append(ch)
    return [seg] if len(pieces) == 1 else [_seg(chars) for chars in pieces]


def _cut(seg: _Seg, starts: list[float], em: float) -> list[_Seg]:
    """A label segment cut where another label column starts (a visible gap before a char at that position)."""
    pieces: list[list[_Char]] = [[seg.chars[0]]]
    for prev, ch in zip(seg.chars, seg.chars[1:], strict=False):
        if ch.x0 - prev.x1 > 0.15 * em and any(abs(ch.x0 - x) <= 0.5 * em for x in starts):
            pieces.append([])
        pieces[-1].append(ch)
    return [seg] if len(pieces) == 1 else [_seg(chars) for chars in pieces]


# ---------------------------------------------------------------- page furniture

_PAGE_NUMBER = re.compile(
    r"[-－—–~～·•\s]*\d{1,4}[-－—–~～·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.?)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?",
    re.IGNORECASE,
)


def _in_margin(line: _Line, height: float) -> bool:
    return line.bottom < MARGIN * height or line.top > (1 - MARGIN) * height


def _drop_furniture(pages: list[_Page], lines: dict[int, list[_Line]]) -> None:
    """Page numbers, and lines repeated in the top or bottom margin of most pages (running headers/footers)."""
    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))

    counts: Counter = Counter()
    for page in pages:
        counts.update({key(line) for line in lines[page.number] if _in_margin(line, page.height)})
    needed = max(2, math.ceil(0.5 * len(pages)))
    for page in pages:
        kept = []
        page_lines = lines[page.number]
        for k, line in enumerate(page_lines):
            edge = _in_margin(line, page.height) or k in (0, len(page_lines) - 1)
            if edge and _PAGE_NUMBER.fullmatch(line.text.strip()):
                continue
            if len(pages) >= 2 and _in_margin(line, page.height) and counts[key(line)] >= needed:
                continue
            kept.append(line)
        lines[page.number] = kept


# ---------------------------------------------------------------- assembly


def _assemble(pages: list[_Page], skipped: dict[str, str]) -> Document:
    if not any(page.chars for page in pages):
        raise Rejected(SCANNED if any(page.images for page in pages) else NO_TEXT)
    n_chars = sum(len(page.chars) for page in pages)
    if sum(page.unmapped for page in pages) > 0.5 * n_chars:
        raise Rejected(GARBLED)
    for page in pages:
        if not page.chars and page.images:
            skipped[f"第{page.number}页"] = "该页是扫描图片，没有文字（不做文字识别），未能读取"
        for note in page.notes:
            skipped.setdefault(f"第{page.number}页", note)

    tables: dict[int, list[_PageTable]] = {}
    lines: dict[int, list[_Line]] = {}
    for page in pages:
        tables[page.number], rest = _ruled_tables(page)
        lines[page.number] = _lines(rest, page.number)
    _drop_furniture(pages, lines)
    margins = _body(lines)[:2]
    for page in pages:
        found, lines[page.number] = _word_tables(lines[page.number], page.number, margins)
        tables[page.number] = sorted(tables[page.number] + found, key=lambda t: t.top)
    _continuations(pages, tables, lines)
    body = _body(lines)  # the running text's margins and size, now without the tables' text

    doc = Document("pdf", skipped=skipped)
    writer = _Paragraphs(doc, body)
    for page in pages:
        items: list[tuple[float, int, object]] = [(t.top, 0, t) for t in tables[page.number]]
        items += [(line.top, 1, line) for line in lines[page.number]]
        items.sort(key=lambda it: (it[0], it[1]))
        number = 1
        for _top, kind, item in items:
            if kind == 0:
                number = _emit_table(doc, item, number)
                writer.table()
            else:
                writer.line(item)
    writer.flush()
    return doc


def _emit_table(doc: Document, t: _PageTable, number: int) -> int:
    """Number the table's rows on its page and add it (less a repeated header); the next free row number."""
    first = number + t.first_row - 1
    end = number + len(t.cells) + t.first_row - 1
    if t.cells and len(doc.tables) < MAX_TABLES:
        doc.tables.append(Table(cells=t.cells, merges=t.merges,
                                rows=[(f"第{t.page}页", first + r) for r in range(len(t.cells))],
                                col_edges=t.col_edges, continues=t.continues))
    return end


def _continuations(pages: list[_Page], tables: dict[int, list[_PageTable]], lines: dict[int, list[_Line]]) -> None:
    """A table opening a page that is as wide as the table closing the previous page continues it; header rows
    repeated from the table's start are dropped (their row numbers stay counted: they are on the page)."""
    root: dict[int, _PageTable] = {}  # id of a continuing part → the part that opened the table
    for prev, page in zip(pages, pages[1:], strict=False):
        if page.number != prev.number + 1 or not tables[prev.number] or not tables[page.number]:
            continue
        last, nxt = tables[prev.number][-1], tables[page.number][0]
        if any(line.top > last.bottom for line in lines[prev.number]):
            continue  # text after the table on its page
        if any(line.bottom < nxt.top for line in lines[page.number]):
            continue  # text before the table on the next page
        if abs(last.x0 - nxt.x0) > 2 * TOL + 2 or abs(last.x1 - nxt.x1) > 2 * TOL + 2:
            continue
        nxt.continues = True
        opener = root.get(id(last), last)
        root[id(nxt)] = opener
        repeated = 0
        while (repeated < len(nxt.cells) and repeated < len(opener.cells)
               and _row_texts(nxt.cells[repeated]) and _row_texts(nxt.cells[repeated]) == _row_texts(
                   opener.cells[repeated])):
            repeated += 1
        if repeated and opener is not nxt:
            _drop_rows(nxt, repeated)
        _join_split_row(last, nxt)


def _join_split_row(prev: _PageTable, nxt: _PageTable) -> None:
    """Word lets a row break over the page: the rest of its cells' text opens the continuation, its value cells
    empty there (a genuine next row has its values). That rest is joined to the row it belongs to; likewise the rest
    of a merged label cut by the page (（四）无 | 法提供) is joined to the label it continues."""
    if not nxt.cells or not prev.cells or len(prev.col_edges) != len(nxt.col_edges):
        return
    edges = prev.col_edges
    for i, (a, b) in enumerate(zip(edges, nxt.col_edges, strict=True)):  # (a table without rulings: its guesses)
        widths = [edges[j + 1] - edges[j] for j in (i - 1, i) if 0 <= j < len(edges) - 1]
        if abs(a - b) > max(2 * TOL, 0.15 * min(widths, default=0.0)):
            return
    last, first = len(prev.cells) - 1, nxt.cells[0]

    def owner(c: int) -> tuple[int, int] | None:
        """The cell of prev's last row at column c (the top-left of the merged area covering it)."""
        if c < len(prev.cells[last]) and prev.cells[last][c] is not None:
            return (last, c)
        return next(((r0, c0) for r0, c0, r1, c1 in prev.merges if r0 <= last <= r1 and c0 <= c <= c1), None)

    filled = [c for c, v in enumerate(first) if v and v.strip()]
    own = [c for c, v in enumerate(prev.cells[last]) if v and v.strip()]
    if not filled:
        return
    numbers = [c for c in own if _NUMBER.fullmatch(re.sub(r"\s", "", prev.cells[last][c]))]
    cut = all(c in own and c not in numbers and c in prev.cut_tail for c in filled)
    # a header row cut by the page (结果 | 维持 in table 四's narrow columns): words, no figure on either side, in
    # several columns, each running to its cell's edge above
    header_cut = (not numbers and len(filled) >= 3 and cut
                  and not any(_NUMBER.fullmatch(re.sub(r"\s", "", first[c])) for c in filled))
    if (numbers and cut) or header_cut:
        for c in filled:
            prev.cells[last][c] = f"{prev.cells[last][c]}\n{first[c]}"
        _drop_rows(nxt, 1)
        return
    for c in filled:  # a merged label cut by the page
        r0c0 = owner(c)
        spans = [m for m in prev.merges if (m[0], m[1]) == r0c0 and m[0] < last == m[2]]
        if r0c0 is not None and spans and prev.cells[r0c0[0]][r0c0[1]] and any(
                (m[0], m[1]) == (0, c) and m[2] > 0 for m in nxt.merges):
            prev.cells[r0c0[0]][r0c0[1]] += first[c]
            first[c] = ""


def _row_texts(row: list[str | None]) -> list[str]:
    return [re.sub(r"\s+", "", v) for v in row if v and v.strip()]


def _drop_rows(t: _PageTable, k: int) -> None:
    t.cells = t.cells[k:]
    t.first_row += k
    merges = []
    for r0, c0, r1, c1 in t.merges:
        if r1 < k:
            continue
        if r0 < k:  # a merged area begun in the dropped rows: its text is there, its rest stays blank
            for r in range(k, r1 + 1):
                t.cells[r - k][c0] = t.cells[r - k][c0] or ""
            merges.append((0, c0, r1 - k, c1))
            continue
        merges.append((r0 - k, c0, r1 - k, c1))
    t.merges = merges


# ---------------------------------------------------------------- paragraphs


def _body(lines: dict[int, list[_Line]]) -> tuple[float, float, float]:
    """The text's left and right margins and its font size: the most common ones, weighted by chars."""
    sizes: Counter = Counter()
    lefts: Counter = Counter()
    rights: Counter = Counter()
    for page_lines in lines.values():
        for line in page_lines:
            sizes[round(line.size * 2) / 2] += len(line.chars)
    size = sizes.most_common(1)[0][0] if sizes else 12.0
    for page_lines in lines.values():
        for line in page_lines:
            if abs(line.size - size) <= 0.15 * size and len(line.chars) > 5:
                lefts[round(line.x0)] += 1
                rights[round(line.x1)] += 1
    if not lefts:
        xs = [line.x0 for ls in lines.values() for line in ls] or [0.0]
        x1s = [line.x1 for ls in lines.values() for line in ls] or [1.0]
        return min(xs), max(x1s), size
    left = min(x for x, n in lefts.items() if n >= max(lefts.values()) / 3)
    right = max(x for x, n in rights.items() if n >= max(rights.values()) / 3)
    return float(left), float(right), size


class _Paragraphs:
    """Lines in reading order → TextBlocks: wrapped lines joined, new paragraphs where the layout says so."""

    def __init__(self, doc: Document, body: tuple[float, float, float]):
        self.doc = doc
        self.left, self.right, self.size = body
        self.lines: list[_Line] = []
        self.tables_before = 0
        self.broken = False  # a table came since the last line

    def centred(self, line: _Line) -> bool:
        lgap, rgap = line.x0 - self.left, self.right - line.x1
        return lgap > 1.5 * line.size and rgap > 1.5 * line.size and abs(lgap - rgap) <= 2 * line.size

    def table(self) -> None:
        self.flush()
        self.broken = True

    def line(self, line: _Line) -> None:
        if self.lines and self.new_paragraph(self.lines[-1], line):
            self.flush()
        if not self.lines:
            self.tables_before = len(self.doc.tables)
        self.broken = False
        self.lines.append(line)

    def new_paragraph(self, prev: _Line, line: _Line) -> bool:
        em = max(prev.size, line.size)
        if self.broken or abs(prev.size - line.size) > 0.12 * em or _heading_like(prev.text) or _heading_like(line.text):
            return True
        if self.centred(prev) or self.centred(line):
            return not (self.centred(prev) and self.centred(line)) or line.top - prev.bottom > 1.5 * em
        if line.page == prev.page and line.top - prev.bottom > 1.2 * em:
            return True  # a blank line between
        if line.page != prev.page and line.page != prev.page + 1:
            return True
        return line.x0 > prev.x0 + 0.9 * em or prev.x1 < self.right - 1.5 * em

    def flush(self) -> None:
        if not self.lines:
            return
        lines, self.lines = self.lines, []
        text = lines[0].text.strip()
        for line in lines[1:]:
            nxt = line.text.strip()
            text += " " + nxt if text[-1:].isascii() and text[-1:].isalnum() and nxt[:1].isascii() and \
                nxt[:1].isalnum() else nxt
        if not text or len(self.doc.blocks) >= MAX_BLOCKS:
            return
        size = max(line.size for line in lines)
        heading = (size >= 1.15 * self.size or (all(self.centred(line) for line in lines) and len(text) <= 60)
                   or _heading_like(text))
        self.doc.blocks.append(TextBlock(text[:MAX_BLOCK_CHARS], f"第{lines[0].page}页", self.tables_before, heading))


def _heading_like(text: str) -> bool:
    """A numbered section heading: 一、总体情况 · （三）政府信息管理情况。 (short, no sentence inside)."""
    text = text.strip()
    return len(text) <= 40 and bool(_SECTION.match(text) or _SUBSECTION.match(text)) and "。" not in text[:-1]
