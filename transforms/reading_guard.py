"""Checks on a workbook's bytes *before* any reader touches them.

No spreadsheet library guards against hostile files: a zip bomb costs gigabytes of memory, and a single cell far
away (``XFD1048576``) makes python-calamine allocate a dense range of 17 billion cells and abort the whole process
(a Rust allocation failure, not a Python exception). Everything here works on the raw bytes or the zip's central
directory and costs well under a millisecond for a normal report.

It also finds formula cells without a cached value in ``.xlsx``/``.xlsm`` (calamine silently drops them): files
written by a program and never opened in Excel/WPS carry ``<f>`` without ``<v>``.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

MAX_FILE_BYTES = 20 * 1024 * 1024  # a report is ~20 KB; anything this large is not one
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # declared total of all zip members
MAX_RATIO = 100  # declared uncompressed / compressed (normal xlsx: 5–20)
RATIO_MIN_BYTES = 1024 * 1024  # tiny members may compress extremely well; only judge large ones
# calamine allocates max_row × max_col cells per sheet; cap the area we let it load
MAX_SHEET_ROWS = 100_000
MAX_SHEET_COLS = 1_000
MAX_SHEET_AREA = 5_000_000

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")

_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_HAS_F = re.compile(rb"<(?:\w+:)?f\b")
_HAS_V = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>")
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?>')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*?>")


class Rejected(Exception):
    """The file cannot be read safely; ``reason`` is Chinese, for the clerk."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Inspection:
    kind: str  # "xlsx" | "xls"
    formula_cells: dict[str, set[str]] = field(default_factory=dict)  # sheet name → A1 refs without cached value
    oversized_sheets: set[str] = field(default_factory=set)  # sheet names calamine must not load


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def inspect(data: bytes) -> Inspection:
    """Classify the bytes and reject what must not be opened. Raises :class:`Rejected`."""
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
        return _inspect_zip(data)
    lowered = data[:2048].lower()
    if b"<html" in lowered or b"<table" in lowered:
        raise Rejected("文件是网页（HTML）而不是 Excel 工作簿，请用 Excel/WPS 打开后另存为 .xlsx")
    raise Rejected("文件不是 Excel 工作簿（.xlsx/.xls），请用 Excel/WPS 另存为 .xlsx")


def _inspect_zip(data: bytes) -> Inspection:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise Rejected("文件已损坏（压缩包不完整，可能下载或复制时中断），请重新保存后报送") from exc
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED:
        raise Rejected(f"文件解压后过大（{total // 1024 // 1024} MB），疑似恶意文件，已拒收")
    for i in infos:
        if i.file_size > RATIO_MIN_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise Rejected("文件压缩比异常（疑似“压缩炸弹”），已拒收")
    if total > RATIO_MIN_BYTES and total > MAX_RATIO * packed:
        raise Rejected("文件压缩比异常（疑似“压缩炸弹”），已拒收")
    names = {i.filename for i in infos}
    if "xl/workbook.bin" in names:
        raise Rejected("文件是 .xlsb（二进制工作簿）格式，请用 Excel/WPS 另存为 .xlsx")
    if "content.xml" in names and "mimetype" in names:
        raise Rejected("文件是 OpenDocument（.ods）格式，请用 WPS/Excel 另存为 .xlsx")
    if "xl/workbook.xml" not in names:
        raise Rejected("压缩包里没有 Excel 工作簿（可能是 Word 文档或其他文件改了扩展名）")
    result = Inspection("xlsx")
    try:
        for sheet_name, member in _sheet_members(zf, names):
            xml = zf.read(member)
            if _too_large(xml):
                result.oversized_sheets.add(sheet_name)
                continue
            missing = _formulas_without_value(xml)
            if missing:
                result.formula_cells[sheet_name] = missing
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, KeyError) as exc:
        raise Rejected("文件已损坏（内部数据无法解压），请重新保存后报送") from exc
    return result


def _attrs(tag: bytes) -> dict[str, str]:
    out = {}
    for key, value in _ATTR.findall(tag):
        out[key.decode().split(":")[-1] if not key.endswith(b":id") else "rid"] = value.decode("utf-8", "replace")
    return out


def _sheet_members(zf: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, zip member) from workbook.xml and its relationships, in workbook order."""
    import html

    rels: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for tag in _REL.findall(zf.read("xl/_rels/workbook.xml.rels")):
            a = _attrs(tag)
            target = a.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            rels[a.get("Id", "")] = target
    out = []
    for tag in _SHEET.findall(zf.read("xl/workbook.xml")):
        a = _attrs(tag)
        member = rels.get(a.get("rid", ""))
        if member in names:
            out.append((html.unescape(a.get("name", "")), member))
    return out


def _too_large(xml: bytes) -> bool:
    refs = _CELL_REF.findall(xml)
    if not refs:
        return False
    # a sheet repeats the same few column letters and row numbers: convert each distinct one once
    max_col = max(col_number(x.decode()) for x in {letters for letters, _ in refs})
    max_row = max(int(x) for x in {digits for _, digits in refs})
    return max_row > MAX_SHEET_ROWS or max_col > MAX_SHEET_COLS or max_row * max_col > MAX_SHEET_AREA


def _formulas_without_value(xml: bytes) -> set[str]:
    if not _HAS_F.search(xml):  # the common case: no formulas at all, one cheap scan
        return set()
    missing = set()
    for attrs, _end, inner in _CELL.findall(xml):
        if inner and _HAS_F.search(inner) and not _HAS_V.search(inner):
            ref = _REF.search(attrs)
            if ref:
                missing.add(ref.group(1).decode())
    return missing


def _check_xls_dimensions(data: bytes) -> None:
    """Best effort for BIFF8: each sheet's DIMENSIONS record states its used area; refuse absurd ones.

    (The record could straddle a sector boundary of the compound file; then it is simply not seen.)
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
