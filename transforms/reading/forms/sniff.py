"""Which form a file is, from its bytes (interfaces.md: "the format is recognised from the file's content, never from
its extension alone"): a ``.xlsx`` that is really a Word document, a PDF named ``.doc`` and a portal page saved as
``.xls`` (WPS does this) are read as what they are.

Only the first bytes and, for a zip, its central directory are looked at; nothing is decompressed here.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from transforms.reading.guard import CFB_MAGIC, ENCRYPTION_INFO, MAX_FILE_BYTES, ZIP_MAGIC, Rejected

WORKBOOK, WORD, PDF, HTML, LEGACY_WORD, LEGACY_WORKBOOK = "xlsx", "docx", "pdf", "html", "doc", "xls"

_HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|table|title|div"
                         rb"|p\b|span|style|link|script)", re.IGNORECASE | re.DOTALL)
_HTML_ANYWHERE = re.compile(rb"<(html|table|body)[\s>]", re.IGNORECASE)
_MHT = re.compile(rb"^\s*(MIME-Version:|Content-Type:\s*multipart/related|From:)", re.IGNORECASE)
_SPREADSHEET_XML = b"urn:schemas-microsoft-com:office:spreadsheet"
_SPREADSHEET_ROOT = re.compile(rb"<(\w+:)?Workbook[\s>]")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))


def sniff(data: bytes) -> str:
    """The form of ``data``: ``xlsx`` · ``xls`` · ``docx`` · ``doc`` (legacy Word/WPS) · ``pdf`` · ``html``.

    Raises :class:`Rejected` with the reason in Chinese for what no reader takes (empty, encrypted, another office
    format, not a document at all).
    """
    return sniff_opened(data)[0]


def sniff_opened(data: bytes) -> tuple[str, zipfile.ZipFile | None]:
    """:func:`sniff`'s form, and for a zip the archive as opened to look at it (its directory is read once)."""
    if not data:
        raise Rejected("文件是空的（0 字节）")
    if len(data) > MAX_FILE_BYTES:
        raise Rejected(f"文件过大（{len(data) // 1024 // 1024} MB），不像一份年度报告")
    head = data[:1024]
    if head[:8] == CFB_MAGIC:
        return _compound(data), None
    if head[:4] == ZIP_MAGIC or head[:2] == b"PK":
        return _zip(data)
    if b"%PDF-" in head:  # the header may follow a few bytes of junk; readers accept it within the first 1 KB
        return PDF, None
    text = head
    for bom in _BOMS:
        if text.startswith(bom):
            text = text[len(bom):]
            break
    if _utf16(text):  # UTF-16 without a BOM: the markup's ASCII bytes interleaved with zeros
        text = text.replace(b"\x00", b"")
    if _SPREADSHEET_XML in data[:4096] and _SPREADSHEET_ROOT.search(data[:4096]):
        raise Rejected("文件是“XML 电子表格 2003”格式，请用 Excel/WPS 打开后另存为 .xlsx")
    if _HTML_START.match(text) or _HTML_ANYWHERE.search(data[:8192]) or (
            _MHT.match(text) and b"text/html" in data[:65536].lower()):
        return HTML, None
    if data[:5] == b"{\\rtf":
        raise Rejected("文件是 RTF 格式，请用 Word/WPS 打开后另存为 .docx")
    raise Rejected("文件不是可以读取的年度报告（支持 Excel 工作簿 .xlsx/.xls、Word 文档 .docx、PDF、网页 .html），"
                   "请用 Excel/WPS/Word 另存后报送")


def _utf16(head: bytes) -> bool:
    """Text in UTF-16 without a BOM: nearly every other byte zero (markup and whitespace are ASCII)."""
    sample = head[:512]
    if len(sample) < 16:
        return False
    even, odd = sample[0::2], sample[1::2]
    return max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.6


def _compound(data: bytes) -> str:
    """An OLE compound file: legacy .xls/.et (a Workbook stream), .doc/.wps (WordDocument), or an encrypted
    .xlsx/.docx (EncryptionInfo: Office wraps the encrypted package in one)."""
    if ENCRYPTION_INFO in data:
        raise Rejected("文件设置了打开密码（已加密），请取消密码后另存再报送")
    # the directory names streams in UTF-16; a Word stream and a workbook stream are never in one file
    if _WORD_STREAM in data:
        return LEGACY_WORD
    if any(s in data for s in _WORKBOOK_STREAMS):
        return LEGACY_WORKBOOK
    return LEGACY_WORKBOOK  # unknown streams: the workbook reader gives its own reason


def _zip(data: bytes) -> tuple[str, zipfile.ZipFile]:
    try:
        opened = zipfile.ZipFile(io.BytesIO(data))
        names = {i.filename for i in opened.infolist()}
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, KeyError,
            RuntimeError) as exc:
        raise Rejected("文件已损坏（压缩包不完整，可能下载或复制时中断），请重新保存后报送") from exc
    if "word/document.xml" in names:
        return WORD, opened
    if "xl/workbook.xml" in names:
        return WORKBOOK, opened
    if "xl/workbook.bin" in names:
        raise Rejected("文件是 .xlsb（二进制工作簿）格式，请用 Excel/WPS 另存为 .xlsx")
    if "content.xml" in names and "mimetype" in names:
        kind = "文字文稿 .odt" if any(n == "mimetype" for n in names) and _odf_text(data) else "表格 .ods"
        raise Rejected(f"文件是 OpenDocument（{kind}）格式，请用 WPS/Word/Excel 另存为 .docx 或 .xlsx")
    if any(n.lower().endswith(("document.xml", "workbook.xml")) for n in names):
        return (WORD if any(n.lower().endswith("document.xml") for n in names) else WORKBOOK), opened
    raise Rejected("压缩包里既没有 Excel 工作簿也没有 Word 文档（可能是其他文件改了扩展名），请另存为 .xlsx 或 .docx 后报送")


def _odf_text(data: bytes) -> bool:
    try:
        return b"opendocument.text" in zipfile.ZipFile(io.BytesIO(data)).read("mimetype")[:100]
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, KeyError,
            RuntimeError):
        return False
