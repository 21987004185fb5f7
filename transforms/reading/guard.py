"""Checks on a workbook's bytes *before* any reader touches them: see what the parser will see.

No spreadsheet library guards against hostile files: a zip bomb costs gigabytes of memory; a single cell far away
(``XFD1048576``) makes python-calamine allocate a dense range of 17 billion cells, and a ``sharedStrings.xml``
declaring a huge ``uniqueCount`` makes it reserve that many strings — both abort the whole process (a Rust
allocation failure, not a Python exception). So the guard reads what calamine will read, exactly and in linear time:
the zip's central directory, then each sheet's XML with a streaming parser (expat, DTDs refused as defusedxml
does), which sees every legal spelling of a cell (quotes of either kind, spaces around ``=``, lower-case references,
cells and rows without ``r``, namespace prefixes) the way the reader does — no regular expression over the markup.

From the same pass it takes each sheet's extent of cells that hold something (a styled but empty cell is not
content: calamine skips it, and so does the extent), its merged ranges, and the formula cells without a cached
value (calamine silently drops them: files written by a program and never opened in Excel/WPS carry ``<f>`` without
``<v>``). The reading itself runs isolated anyway (:mod:`transforms.isolation`); the guard turns what it can
recognise into a precise reason for the clerk and keeps calamine from ever seeing it.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from xml.parsers import expat

MAX_FILE_BYTES = 20 * 1024 * 1024  # a report is ~20 KB; anything this large is not one
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # declared total of all zip members
MAX_RATIO = 100  # declared uncompressed / compressed (normal xlsx: 5–20)
RATIO_MIN_BYTES = 1024 * 1024  # tiny members may compress extremely well; only judge large ones
# calamine allocates max_row × max_col cells per sheet; cap the area we let it load
MAX_SHEET_ROWS = 100_000
MAX_SHEET_COLS = 1_000
MAX_SHEET_AREA = 5_000_000
MAX_MERGES = 10_000  # a report has ~40 merged ranges
MAX_ERROR_CELLS = 10_000  # error values remembered per sheet (each is a finding only where a figure belongs)
MAX_SHARED_STRINGS = 1_000_000  # a report has ~300 distinct texts; calamine reserves what uniqueCount declares
MAX_ZIP_MEMBERS = 2_000

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")

_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,9})")
_CHUNK = 1 << 16


class Rejected(Exception):
    """The file cannot be read safely; ``reason`` is Chinese, for the clerk."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class SheetFacts:
    """What one worksheet's XML holds, as the reader will see it (rows and columns 1-based)."""

    name: str
    member: str
    max_row: int = 0
    max_col: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r0, c0, r1, c1), 0-based, inclusive
    formula_cells: set[str] = field(default_factory=set)  # A1 refs of formulas without a cached value
    # A1 → the error value (#DIV/0!, #REF!) of cells whose formula failed: calamine reads them as blank
    error_cells: dict[str, str] = field(default_factory=dict)
    oversized: str | None = None  # why calamine must not load it (Chinese), or None

    @property
    def largest_merge(self) -> int:
        return max(((r1 - r0 + 1) * (c1 - c0 + 1) for r0, c0, r1, c1 in self.merges), default=0)


@dataclass
class Inspection:
    kind: str  # "xlsx" | "xls"
    formula_cells: dict[str, set[str]] = field(default_factory=dict)  # sheet name → A1 refs without cached value
    error_cells: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet name → A1 → error value
    oversized_sheets: set[str] = field(default_factory=set)  # sheet names calamine must not load
    sheets: dict[str, SheetFacts] = field(default_factory=dict)  # xlsx: sheet name → facts

    def oversized_reason(self, sheet: str) -> str | None:
        facts = self.sheets.get(sheet)
        return facts.oversized if facts else None


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


@lru_cache(maxsize=65536)
def parse_ref(ref: str) -> tuple[int, int] | None:
    """'B7' / 'b7' / '$B$7' → (7, 2), 1-based; None if it is not a cell reference."""
    m = _REF.fullmatch(ref.strip())
    if not m:
        return None
    return int(m.group(2)), col_number(m.group(1))


def inspect(data: bytes, opened: zipfile.ZipFile | None = None) -> Inspection:
    """Classify the bytes and reject what must not be opened. Raises :class:`Rejected`. ``opened``: ``data`` as a
    zip already opened (by the sniffer), for its directory to be read once."""
    if not data:
        raise Rejected("文件是空的（0 字节）")
    if len(data) > MAX_FILE_BYTES:
        raise Rejected(f"文件过大（{len(data) // 1024 // 1024} MB），不像一份年度报告表")
    head = data[:8]
    if head == CFB_MAGIC:
        if ENCRYPTION_INFO in data:
            raise Rejected("文件设置了打开密码（已加密），请取消密码后另存再报送")
        _check_xls_dimensions(data)
        return Inspection("xls")
    if head[:4] == ZIP_MAGIC or head[:2] == b"PK":
        return _inspect_zip(data, opened)
    lowered = data[:2048].lower()
    if b"<html" in lowered or b"<table" in lowered:
        raise Rejected("文件是网页（HTML）而不是 Excel 工作簿，请用 Excel/WPS 打开后另存为 .xlsx")
    raise Rejected("文件不是 Excel 工作簿（.xlsx/.xls），请用 Excel/WPS 另存为 .xlsx")


_DAMAGED = "文件已损坏（内部数据无法解压或不完整），请用 Excel/WPS 重新保存后报送"
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, KeyError,
               RuntimeError)


def open_zip(data: bytes, opened: zipfile.ZipFile | None = None) -> zipfile.ZipFile:
    """The zip of an Office file (.xlsx, .docx), after its central directory says it is safe to decompress: not
    too many members, not too large declared, no member compressed like a bomb. Raises :class:`Rejected`.
    ``opened``: ``data`` already opened as a zip (its directory is not read again)."""
    try:
        zf = opened if opened is not None else zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except _ZIP_ERRORS as exc:
        raise Rejected("文件已损坏（压缩包不完整，可能下载或复制时中断），请重新保存后报送") from exc
    if len(infos) > MAX_ZIP_MEMBERS:
        raise Rejected(f"文件内部部件过多（{len(infos)} 个），不像一份年度报告，疑似恶意文件，已拒收")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED:
        raise Rejected(f"文件解压后过大（{total // 1024 // 1024} MB），疑似恶意文件，已拒收")
    for i in infos:
        if i.file_size > RATIO_MIN_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise Rejected("文件压缩比异常（疑似“压缩炸弹”），已拒收")
    if total > RATIO_MIN_BYTES and total > MAX_RATIO * packed:
        raise Rejected("文件压缩比异常（疑似“压缩炸弹”），已拒收")
    return zf


def _inspect_zip(data: bytes, opened: zipfile.ZipFile | None = None) -> Inspection:
    zf = open_zip(data, opened)
    infos = zf.infolist()
    names = {i.filename for i in infos}
    if "xl/workbook.bin" in names:
        raise Rejected("文件是 .xlsb（二进制工作簿）格式，请用 Excel/WPS 另存为 .xlsx")
    if "content.xml" in names and "mimetype" in names:
        raise Rejected("文件是 OpenDocument（.ods）格式，请用 WPS/Excel 另存为 .xlsx")
    if "xl/workbook.xml" not in names:
        raise Rejected("压缩包里没有 Excel 工作簿（可能是 Word 文档或其他文件改了扩展名）")
    result = Inspection("xlsx")
    try:
        _check_shared_strings(zf, names)
        sheets = _sheet_members(zf, names)
        scanned = set()
        for sheet_name, member in sheets:
            facts = _scan_sheet(zf, member, sheet_name)
            scanned.add(member)
            result.sheets[sheet_name] = facts
            if facts.oversized:
                result.oversized_sheets.add(sheet_name)
            else:
                if facts.formula_cells:
                    result.formula_cells[sheet_name] = facts.formula_cells
                if facts.error_cells:
                    result.error_cells[sheet_name] = facts.error_cells
        # a worksheet part the workbook does not name the way we resolve it: the reader might still find it
        for member in sorted(n for n in names - scanned if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            facts = _scan_sheet(zf, member, member)
            if facts.oversized:
                raise Rejected(f"工作表范围过大（{facts.oversized}），请删除多余内容后另存再报送")
    except _ZIP_ERRORS as exc:
        raise Rejected(_DAMAGED) from exc
    except expat.ExpatError as exc:
        raise Rejected("文件已损坏（工作表内部数据不完整或格式错误），请用 Excel/WPS 重新保存后报送") from exc
    return result


# ---------------------------------------------------------------- streaming XML


class _Stop(Exception):
    """Enough seen: the rest of the part cannot change the verdict."""


def _parser() -> expat.XMLParserType:
    p = expat.ParserCreate()
    p.buffer_text = True

    def forbid(*_args):  # a DTD can declare entities that expand without bound; no Office part has one
        raise Rejected("文件内部数据含有不允许的声明（DTD），疑似恶意文件，已拒收")

    p.StartDoctypeDeclHandler = forbid
    p.EntityDeclHandler = forbid
    p.ExternalEntityRefHandler = forbid
    return p


def _feed(zf: zipfile.ZipFile, member: str, p: expat.XMLParserType) -> None:
    """Parse a zip member in chunks: memory stays constant whatever the part's size."""
    try:
        with zf.open(member) as fh:
            while chunk := fh.read(_CHUNK):
                p.Parse(chunk, False)
        p.Parse(b"", True)
    except _Stop:
        pass


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _attr(attrs: dict[str, str], local: str, prefixed: bool = False) -> str | None:
    """An attribute by local name; ``prefixed``: only a namespaced one (r:id, whatever the prefix)."""
    if not prefixed and local in attrs:
        return attrs[local]
    for key, value in attrs.items():
        if ":" in key and key.rpartition(":")[2] == local:
            return value
    return None


_PARTS: dict[tuple[bytes, str], tuple[dict[str, str], ...]] = {}  # a small part's bytes, element → its attributes
_PART_BYTES = 8192  # workbook.xml and its relationships are ~1 KB and alike from file to file: remembered


def _small_part(zf: zipfile.ZipFile, member: str, element: str) -> list[dict[str, str]]:
    """The attributes of every ``element`` of a small part (workbook.xml, its relationships)."""
    if zf.getinfo(member).file_size <= _PART_BYTES:
        data = zf.read(member)  # all of it, as the streaming read's first chunk would be
        known = _PARTS.get((data, element))
        if known is None:
            found = _attributes_of(element, lambda p: p.Parse(data, True))
            if len(_PARTS) < 512:
                _PARTS[(data, element)] = tuple(found)
            return found
        return [dict(attrs) for attrs in known]
    return _attributes_of(element, lambda p: _feed(zf, member, p))


def _attributes_of(element: str, parse) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    p = _parser()

    def start(name, attrs):
        if _local(name) == element:
            found.append(attrs)

    p.StartElementHandler = start
    parse(p)
    return found


def _sheet_members(zf: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, zip member) from workbook.xml and its relationships, in workbook order."""
    rels: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for a in _small_part(zf, "xl/_rels/workbook.xml.rels", "Relationship"):
            target = (a.get("Target") or "").replace("\\", "/")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            rels[a.get("Id", "")] = target
    out = []
    for a in _small_part(zf, "xl/workbook.xml", "sheet"):
        member = rels.get(_attr(a, "id", prefixed=True) or "")
        if member in names:
            out.append((a.get("name", ""), member))
    return out


def _check_shared_strings(zf: zipfile.ZipFile, names: set[str]) -> None:
    """calamine reserves room for as many strings as ``uniqueCount`` declares: refuse a count the part does not
    hold. A small declaration is harmless and needs no counting (the common case: one tag read)."""
    member = next((n for n in names if n.lower() == "xl/sharedstrings.xml"), None)
    if member is None:
        return
    declared = 0
    counted = 0
    p = _parser()

    def start(name, attrs):
        nonlocal counted, declared
        local = _local(name)
        if local == "si":
            counted += 1
        elif local == "sst":
            text = _attr(attrs, "uniqueCount")
            try:
                declared = int(text.strip()) if text is not None else 0
            except ValueError:
                declared = MAX_SHARED_STRINGS + 1
            if declared <= 1000:
                raise _Stop

    p.StartElementHandler = start
    _feed(zf, member, p)
    if declared > MAX_SHARED_STRINGS or declared > 10 * counted + 1000:
        raise Rejected(f"文件内部的文字表声明了 {declared} 条文字，实际只有 {counted} 条（内部数据异常，疑似恶意文件），已拒收")


# ---------------------------------------------------------------- canonical sheets: the same facts, in C

# What Excel, WPS, openpyxl and xlsxwriter write, and nothing else: cells and rows with ``r`` first, attributes in
# double quotes with no ``<`` ``>`` ``&`` in them, ``f`` then ``v`` or a one-run ``is``, only whitespace between tags,
# a ``<v>``'s text short printable ASCII. A part in this form is checked whole by expat without a handler (its
# verdict on well-formedness is the streaming pass's) and its facts are read with regular expressions that cannot
# misread it; a part in any other form — or one the streaming pass would stop in, or refuse — gets that pass.
_FAST_MAX = _CHUNK  # a part up to one chunk: the streaming pass sees each text of it in one piece
_WS = rb"[ \t\r\n]*+"
_CREF = rb"[A-Z]{1,3}(?:0|[1-9][0-9]{0,8})"  # as _a1 writes it back
_VTEXT = rb"[\t\n \x21-\x25\x27-\x3b\x3d-\x7e]{0,1000}+"  # printable ASCII, tabs, line feeds; no & < or \r


def _canonical_rows(ws: bytes) -> re.Pattern:
    """sheetData's content in the canonical form (expat checks the rest: names, duplicate attributes, encoding);
    ``ws``: what may stand between two tags."""
    attrs = rb'(?: [\w:.-]++="[^"<>&]*+")*+' + _WS  # names as expat checks them
    f = rb"<f" + attrs + rb"(?:/>|>[^<]*+</f" + _WS + rb">)"
    v = rb"<v" + _WS + rb"(?:/>|>" + _VTEXT + rb"</v" + _WS + rb">)"
    inline = rb"<is" + _WS + rb"(?:/>|>" + ws + rb"<t" + attrs + rb"(?:/>|>[^<]*+</t" + _WS + rb">)" + ws + rb"</is" + _WS + rb">)"
    cell = (rb'<c r="' + _CREF + rb'"' + attrs + rb"(?:/>|>" + ws + rb"(?:" + f + ws + rb")?+(?:(?:" + v + rb"|" + inline
            + rb")" + ws + rb")?+</c" + _WS + rb">)")
    row = rb'<row r="[0-9]{1,9}"' + attrs + rb"(?:/>|>" + ws + rb"(?:" + cell + ws + rb")*+</row" + _WS + rb">)"
    return re.compile(ws + rb"(?:" + row + ws + rb")*+")


_CANONICAL_ROWS = _canonical_rows(_WS)
_SHEET_DATA = re.compile(rb"<sheetData[ \t\r\n]*+(/?)>")
# elements the streaming pass acts on, elsewhere than in sheetData (mergeCell apart): then it is the one to read it
_ELSEWHERE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|v|is|f|row|sheetData)[ \t\r\n/>]")
_ANY_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell[ \t\r\n/>]")
_MERGE = re.compile(rb'<mergeCell ref="(' + _CREF + rb"(?::" + _CREF + rb')?)"' + _WS + rb"/>")
_MERGES: dict[bytes, tuple[int, int, int, int]] = {}  # a merge's ref → its range (the same ranges recur)
_TEXT_BETWEEN_TAGS = re.compile(rb">[^<]*?[^<\s]")
_F_ANY = rb"<f(?:[^>]*/>|[^>]*>[^<]*</f" + _WS + rb">)"
# a cell with content: an inline string, or a value holding more than whitespace (the value text is ASCII here)
_CONTENT_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,9})"[^>]*+>' + _WS + rb"(?:" + _F_ANY + rb")?" + _WS
                           + rb"(?:<v" + _WS + rb">[ \t\n]*+[\x21-\x3b\x3d-\x7e]|<is[ \t\r\n/>])")
_FORMULA_CELL = re.compile(rb'<c r="(' + _CREF + rb')"[^>]*+>' + _WS + _F_ANY)
_FILLED_VALUE = re.compile(rb"<v" + _WS + rb">[ \t\n]*+[\x21-\x3b\x3d-\x7e]")
_ERROR_CELL = re.compile(rb'<c r="(' + _CREF + rb')"[^>]*? t="e"[^>]*+>' + _WS + rb"(?:" + _F_ANY + rb")?" + _WS
                         + rb"(?:<v" + _WS + rb">([^<]*+)</v)?")


class _NotPlain(Exception):
    """A comment, processing instruction, CDATA section or DTD: markup the regular expressions do not read."""


def _not_plain(*_args) -> None:
    raise _NotPlain


def _well_formed_plain(xml: bytes) -> bool:
    """Whether expat finds the part well-formed (as the streaming pass would) and holding only elements, attributes
    and text. Handlers for the rare markup only: the common part is parsed without a call into Python."""
    p = expat.ParserCreate()
    p.CommentHandler = p.ProcessingInstructionHandler = p.StartCdataSectionHandler = _not_plain
    p.StartDoctypeDeclHandler = p.EntityDeclHandler = p.ExternalEntityRefHandler = _not_plain
    try:
        p.Parse(xml, True)
    except (expat.ExpatError, _NotPlain):
        return False
    return True


def _scan_canonical(zf: zipfile.ZipFile, member: str, sheet_name: str) -> SheetFacts | None:
    """:func:`_scan_sheet`'s facts of a part in the canonical form, or None: then the streaming pass reads it."""
    try:
        if zf.getinfo(member).file_size > _FAST_MAX:
            return None
        xml = zf.read(member)
    except _ZIP_ERRORS:
        return None  # the streaming pass says what is wrong, where it sees it
    if len(xml) > _FAST_MAX:
        return None
    found = _SHEET_DATA.search(xml)
    if found is None:
        return None
    if found.group(1):
        body, head, tail = b"", xml[: found.start()], xml[found.end() :]
    else:
        end = xml.rfind(b"</sheetData")  # a second one would make the body not canonical, or the part malformed
        if end < found.end():
            return None
        body, head, tail = xml[found.end() : end], xml[: found.start()], xml[end:]
    if _ELSEWHERE.search(head) or _ELSEWHERE.search(tail):
        return None
    if not _CANONICAL_ROWS.fullmatch(body):
        return None
    last_cell = body.rfind(b"<c ")
    if last_cell >= 0 and b"<v" in body[last_cell:] and _TEXT_BETWEEN_TAGS.search(tail):
        return None  # text after the last value may count as that value's: the streaming pass decides
    merges = []
    for part in (head, tail):
        if _ANY_MERGE.search(part) is None:
            continue
        spelled = _MERGE.findall(part)
        if len(spelled) != len(_ANY_MERGE.findall(part)):
            return None
        for ref in spelled:
            merge = _MERGES.get(ref)
            if merge is None:
                first, _, last = ref.decode().partition(":")
                (r0, c0), (r1, c1) = parse_ref(first), parse_ref(last or first)
                merge = (min(r0, r1) - 1, min(c0, c1) - 1, max(r0, r1) - 1, max(c0, c1) - 1)
                if len(_MERGES) < 65536:
                    _MERGES[ref] = merge
            merges.append(merge)
    if len(merges) > MAX_MERGES:
        return None
    if not _well_formed_plain(xml):
        return None
    facts = SheetFacts(sheet_name, member, merges=merges)
    content = _CONTENT_CELL.findall(body)
    if content:
        letters, digits = zip(*content, strict=True)
        facts.max_row = max(map(int, set(digits)))
        facts.max_col = max(col_number(column.decode()) for column in set(letters))
        if (facts.max_row > MAX_SHEET_ROWS or facts.max_col > MAX_SHEET_COLS
                or facts.max_row * facts.max_col > MAX_SHEET_AREA):
            return None  # oversized: the streaming pass says where it stopped
    if b"<f" in body:
        # in document order, as the streaming pass adds and discards: a formula stays pending until the next <f>, or
        # the next <v> — its own, or (when it has none) the next cell's that has one — which settles it
        for found in _FORMULA_CELL.finditer(body):
            ref = found.group(1).decode()
            facts.formula_cells.add(ref)
            value, formula = body.find(b"<v", found.end()), body.find(b"<f", found.end())
            if value >= 0 and (formula < 0 or value < formula) and _FILLED_VALUE.match(body, value):
                facts.formula_cells.discard(ref)
    if b' t="e"' in body:
        for ref, text in _ERROR_CELL.findall(body):
            text = text.decode().strip()
            if text and len(facts.error_cells) < MAX_ERROR_CELLS:
                facts.error_cells[ref.decode()] = text[:16]
    return facts


def _scan_sheet(zf: zipfile.ZipFile, member: str, sheet_name: str) -> SheetFacts:
    """One pass over a worksheet part: content extent, merged ranges, formulas without a cached value, error values.

    What calamine loads (checked against it): a cell with an ``<is>`` inline string, or a ``<v>`` holding text; not
    a styled empty cell, an empty ``<v/>``, nor a formula without a cached value. Only start tags are handled (a
    report's sheet has ~1,500; this is a hot path of reading); a ``<v>``'s text is looked at only where it matters —
    a cell outside the extent seen so far, or a formula's cached value (the schema orders f, v, is).
    """
    facts = _scan_canonical(zf, member, sheet_name)
    if facts is not None:
        return facts
    facts = SheetFacts(sheet_name, member)
    p = _parser()
    row = col = 0  # the current row and cell (1-based); a cell without r follows the previous one
    ref: str | None = None  # the current cell's r, parsed only when needed (most cells are styled blanks)
    formula: str | None = None  # A1 of the current cell while it is a formula with no cached value seen yet
    outside = False  # the current cell's <v> would extend the extent if it holds text
    error = False  # the current cell is t="e": its <v> is an error value (#DIV/0!), not a number
    listening = False  # value_text is the character handler
    max_row = max_col = 0

    def locate() -> None:
        nonlocal row, col, ref
        pos = parse_ref(ref)
        if pos is None:
            raise Rejected(f"文件已损坏（工作表“{sheet_name}”中有无效的单元格地址“{ref[:20]}”），"
                           "请用 Excel/WPS 重新保存后报送")
        row, col = pos
        ref = None

    def extend() -> None:
        nonlocal max_row, max_col
        if row > max_row:
            max_row = row
        if col > max_col:
            max_col = col
        if max_row > MAX_SHEET_ROWS or max_col > MAX_SHEET_COLS or max_row * max_col > MAX_SHEET_AREA:
            facts.oversized = f"有内容的单元格延伸到第 {max_row} 行、第 {max_col} 列"
            raise _Stop

    def value_text(text: str) -> None:
        nonlocal formula, outside
        if not text.strip():  # the layout between tags (or an empty value) is not content
            return
        if error and len(facts.error_cells) < MAX_ERROR_CELLS:
            facts.error_cells[_a1(row, col)] = text.strip()[:16]
        if formula is not None:
            facts.formula_cells.discard(formula)
            formula = None
        if outside:
            outside = False
            extend()
        # (the handler is removed at the next tag: changing it here would make expat call it again)

    def end_cell() -> None:
        nonlocal formula, outside, listening, error
        p.CharacterDataHandler = None
        formula, outside, listening, error = None, False, False, False

    def listen() -> None:
        nonlocal listening
        if not listening:
            listening = True
            p.CharacterDataHandler = value_text

    def start(k, attrs):
        nonlocal row, col, ref, formula, outside, error
        if k == "c":
            if listening:
                end_cell()
            error = attrs.get("t") == "e"
            given = attrs.get("r")
            if given is None:
                given = _attr(attrs, "r")
            if given is None:
                if ref is not None:
                    locate()
                col += 1
            ref = given
        elif k == "v" or k == "is":
            if ref is not None:
                locate()
            if k == "is":
                extend()
            elif row <= max_row and col <= max_col:
                if formula is not None or error:  # inside the extent: whether it holds text changes nothing else
                    listen()
            else:
                outside = True
                listen()
        elif k == "f":
            if ref is not None:
                locate()
            if listening:  # the formula's own text is not its value
                end_cell()
            formula = _a1(row, col)
            facts.formula_cells.add(formula)
        elif k == "row":
            if listening:
                end_cell()
            ref = None
            given = attrs.get("r")
            if given is None:
                given = _attr(attrs, "r")
            if given is None:
                row += 1
            else:
                try:
                    row = int(given.strip())
                except ValueError:
                    raise Rejected(f"文件已损坏（工作表“{sheet_name}”中有无效的行号），请用 Excel/WPS 重新保存后报送") from None
            col = 0
        elif k == "mergeCell":
            mref = _attr(attrs, "ref") or ""
            first, _, last = mref.partition(":")
            a, b = parse_ref(first), parse_ref(last or first)
            if a is None or b is None:
                return  # calamine skips what it cannot parse as well
            (r0, c0), (r1, c1) = a, b
            facts.merges.append((min(r0, r1) - 1, min(c0, c1) - 1, max(r0, r1) - 1, max(c0, c1) - 1))
            if len(facts.merges) > MAX_MERGES:
                facts.oversized = f"合并单元格超过 {MAX_MERGES} 处"
                raise _Stop
        elif ":" in k:  # the same elements with a namespace prefix (x:c): legal, and calamine reads them alike
            start(_local(k), attrs)

    p.StartElementHandler = start
    try:
        _feed(zf, member, p)
    finally:
        facts.max_row, facts.max_col = max_row, max_col
    return facts


def _a1(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _check_xls_dimensions(data: bytes) -> None:
    """Best effort for BIFF8: each sheet's DIMENSIONS record states its used area; refuse absurd ones.

    (The record could straddle a sector boundary of the compound file; then it is simply not seen — the reading
    runs isolated, so a miss costs that file alone.)
    """
    start = 0
    pattern = b"\x00\x02\x0e\x00"  # record 0x0200, length 14
    while True:
        i = data.find(pattern, start)
        if i < 0 or i + 18 > len(data):
            return
        body = data[i + 4 : i + 18]
        last_row = int.from_bytes(body[4:8], "little")
        last_col = int.from_bytes(body[10:12], "little")
        if last_row > MAX_SHEET_ROWS or last_row * max(last_col, 1) > MAX_SHEET_AREA:
            raise Rejected("工作表范围过大（有内容的单元格延伸到极远处），请删除多余内容后另存再报送")
        start = i + 4
