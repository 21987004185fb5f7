"""A Word document (.docx) as a :class:`~.document.Document`: its tables and its text, read from the XML itself.

The parts are parsed with lxml (python-docx is slow and hides what matters here: merged cells, tracked changes,
content controls, text boxes) after the zip's directory is checked (:func:`~transforms.reading.guard.open_zip`);
a part that declares a DTD is refused (entities are how XML bombs and XXE work, and no Office part has one: looked
for in the bytes before the root element, and asked of the parse), the parser never loads a DTD, resolves an entity
or reaches the network, and libxml2's default depth limit (256 levels) stays on: deeper nesting is refused as
hostile, and tables nested more than ``MAX_NESTING`` deep are left out. The tree is walked once with ``lxml.etree.iterwalk`` — no recursion over nesting a file
controls — and everything kept is capped (the ``MAX_*`` of :mod:`.document`; what is cut is named in
``Document.skipped``, worded for the reader's finding "{part}未读取：{why}": 表格3第 2001 行起 · 表格超过 2000 行).

What a person sees is what is read:

* **Tables**, every ``w:tbl`` in document order, nested ones included (a table's number, 表格N, is its order of
  appearance: an outer table comes before the tables inside it). ``w:gridSpan`` and ``w:hMerge`` (old Word) merge
  horizontally, ``w:vMerge`` restart/continue vertically: the text sits at the merged area's top-left, ``None`` at
  the positions it covers, and ``merges`` lists the areas. ``w:gridBefore`` leaves grid columns empty at a row's
  start (``""``); ``w:gridAfter`` at its end (the row is shorter). A row deleted as a tracked change is not read.
  A cell's text is its paragraphs joined with a line break; a nested table's text belongs to that table, not to
  the cell around it. Tables in headers and footers are read as their text (a letterhead's layout).
* **Text**: runs' ``w:t``, ``w:tab`` (tab), ``w:br``/``w:cr`` (line break); tracked changes as they now stand
  (inserted text in, ``w:del``/``w:moveFrom`` out); content controls (``w:sdt``: what was typed in them, not the
  placeholder prompt a control shows while empty), hyperlinks, simple fields and complex fields' results (not
  their ``w:instrText``); ``w:noBreakHyphen``, ``w:sym`` and ruby guides are left out.
* **Blocks**: every paragraph with text outside the tables, in reading order, numbered 第N段 over those paragraphs;
  the text of text boxes (``w:txbxContent``; of ``mc:AlternateContent`` only the ``mc:Choice``, else the text would
  come twice) as 文本框, just before the paragraph that anchors it; headers (页眉) first and footers (页脚) last,
  each distinct text once. A *frame* — a table that holds other tables, or a table of a single cell (a report laid
  out inside a 1×1 table) — is a table like any other, and its paragraphs are blocks as well: to the reader they
  are the report's text, not a table's figures.

**Continued tables.** Word keeps a table split by a page break (or a "split table") as two ``w:tbl``. A table
*continues* the previous one (``Table.continues``), so the table finder reads its rows under the first part's
headers, when all of these hold:

1. both sit in the same place (the body, or the same cell of a frame), with nothing between them but paragraphs
   without text or picture (empty ones, page or section breaks) or a line that only says so (续表, （续上表）);
2. their column grids agree: each column boundary of the second (from ``w:tblGrid``, in twips) lies on one of the
   first's, within 2 % of the table's width or 60 twips (the second may merge columns, never split one: the
   stacked grid aligns it on the first part's columns); without a grid on either side, the rows are as wide;
3. the second does not open with a title row of its own: a single non-empty cell across the whole width
   (第二十条第（五）项 above a block of table 二) starts a table, not the rest of one. A header row repeated from the
   first part is fine: the part continues, under the same header. A frame neither continues nor is continued.

``Document.title`` is ``docProps/core.xml``'s ``dc:title`` when it is set. A damaged file (truncated zip, missing
or malformed part) raises :class:`~transforms.reading.guard.Rejected` with what is wrong and what the clerk can do.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
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
from transforms.reading.guard import MAX_FILE_BYTES, Rejected, open_zip

W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"  # ISO strict OOXML: same names, other namespace
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
OFFICE_DOCUMENT = "/officeDocument"  # the relationship type's tail, transitional and strict alike

MAX_NESTING = 12  # tables inside tables; deeper ones are not read (a real report nests one or two)
MAX_PARTS = 16  # headers (and footers) read; a document has up to 3 per section
MAX_PART_BYTES = 20 * 1024 * 1024  # one XML part, uncompressed (open_zip bounds the total already)
GRID_TOLERANCE = 0.02  # of the table's width: column boundaries this close are the same boundary
MIN_TOLERANCE = 60.0  # twips (~1 mm): rounding of widths Word rewrites

DTD_REFUSED = "文件内部数据含有不允许的声明（DTD），疑似恶意文件，已拒收"
DAMAGED_ZIP = "文件已损坏（Word 文档内部数据无法解压或不完整），请用 Word/WPS 重新保存后报送"
DAMAGED_XML = "文件已损坏（Word 文档内部数据不完整或格式错误：{part}），请用 Word/WPS 重新保存后报送"
NO_BODY = "文件已损坏（Word 文档缺少正文部分 {part}），请用 Word/WPS 重新保存为 .docx 后报送"
TOO_DEEP = "文件内部结构嵌套过深（表格或文字层层套叠数百层），疑似恶意文件，已拒收"

_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, KeyError,
               RuntimeError)
_DOCTYPE_MARKS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be"))
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_HEADING_NAME = re.compile(r"^(heading|标题|title)\s*\d?$", re.IGNORECASE)
_INVISIBLE = "\u200b\u200c\u200d\ufeff"
# a line that only says the table goes on (续表, （续上表）, 表三（续）): it joins the parts, it does not part them
_CONTINUED = re.compile(r"^[（(]?\s*(续表|续上表|接上表|表[一二三四五六七八九十\d]{1,2}\s*[（(]续[）)])\s*[）)]?[:：。]?$")


# ---------------------------------------------------------------- public API


def read_word(data: bytes) -> Document:
    """The document's tables and text. Raises :class:`Rejected` (reason in Chinese) for a damaged or hostile file."""
    if len(data) > MAX_FILE_BYTES:
        raise Rejected(f"文件过大（{len(data) // 1024 // 1024} MB），不像一份年度报告")
    zf = open_zip(data)
    try:
        names = {i.filename for i in zf.infolist()}
    except _ZIP_ERRORS as exc:  # pragma: no cover - open_zip read the directory already
        raise Rejected(DAMAGED_ZIP) from exc
    main = _main_part(zf, names)
    body = _parse(zf, main)
    ns = body.tag[1:].partition("}")[0] if body.tag.startswith("{") else W_MAIN
    if ns not in (W_MAIN, W_STRICT):
        raise Rejected(DAMAGED_XML.format(part=main))
    folder = posixpath.dirname(main)
    styles = _Styles(zf, names, folder, ns)
    walker = _Walker(ns, styles)
    for member in _parts(names, folder, "header"):
        walker.walk(_parse(zf, member), "页眉")
    walker.walk(body, None)
    for member in _parts(names, folder, "footer"):
        walker.walk(_parse(zf, member), "页脚")
    return Document("word", tables=walker.finish(), blocks=walker.ordered_blocks(), title=_title(zf, names),
                    skipped=walker.skipped)


# ---------------------------------------------------------------- parts


def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True, collect_ids=False)


def _read(zf: zipfile.ZipFile, member: str) -> bytes:
    try:
        info = zf.getinfo(member)
        if info.file_size > MAX_PART_BYTES:
            raise Rejected(f"文件内部部件“{member}”过大（{info.file_size // 1024 // 1024} MB），不像一份年度报告，已拒收")
        return zf.read(member)
    except _ZIP_ERRORS as exc:
        raise Rejected(DAMAGED_ZIP) from exc


def _parse(zf: zipfile.ZipFile, member: str):
    """One XML part as an element tree. A DTD is refused: looked for in the bytes before the root element (the
    encodings Office uses), and asked of the parsed tree (what the look missed; the parser never loads nor expands
    it)."""
    from lxml import etree

    data = _read(zf, member)
    root_start = _ROOT_START.search(data)  # a DTD can only stand before the root element (ASCII-compatible text)
    prolog = data[: root_start.start()] if root_start else data  # UTF-16: no match, look at it all
    if any(mark in prolog for mark in _DOCTYPE_MARKS):
        raise Rejected(DTD_REFUSED)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if "depth" in message.lower():
            raise Rejected(TOO_DEEP) from exc
        if "entity" in message.lower() and "amplification" in message.lower():
            raise Rejected(DTD_REFUSED) from exc
        raise Rejected(DAMAGED_XML.format(part=member)) from exc
    except (ValueError, MemoryError) as exc:  # lxml refuses some inputs with ValueError (e.g. an encoding clash)
        raise Rejected(DAMAGED_XML.format(part=member)) from exc
    if root is None:
        raise Rejected(DAMAGED_XML.format(part=member))
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.doctype:  # a declaration spelled in an encoding the scan missed
        raise Rejected(DTD_REFUSED)
    return root


def _main_part(zf: zipfile.ZipFile, names: set[str]) -> str:
    """The document part: where the package's relationships say (``word/document.xml`` nearly always)."""
    rels = []
    if "_rels/.rels" in names:
        try:
            rels = list(_parse(zf, "_rels/.rels"))
        except Rejected as rej:
            if rej.reason == DTD_REFUSED:
                raise
            # damaged relationships: Word finds the body where it always is
    for rel in rels:
        if str(rel.get("Type", "")).endswith(OFFICE_DOCUMENT):
            target = str(rel.get("Target", "")).replace("\\", "/").lstrip("/")
            target = posixpath.normpath(target) if target else ""
            if target in names:
                return target
    if "word/document.xml" in names:
        return "word/document.xml"
    found = sorted(n for n in names if n.lower().endswith("document.xml") and not n.startswith("_rels"))
    if found:
        return found[0]
    raise Rejected(NO_BODY.format(part="word/document.xml"))


def _parts(names: set[str], folder: str, kind: str) -> list[str]:
    """word/header1.xml, header2.xml … in number order (a section's first-page, even and default headers)."""
    pattern = re.compile(re.escape(f"{folder}/{kind}" if folder else kind) + r"(\d{0,9})\.xml")
    found = sorted((int(m.group(1) or 0), n) for n in names if (m := pattern.fullmatch(n)))
    return [n for _, n in found[:MAX_PARTS]]


def _title(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    if "docProps/core.xml" not in names:
        return None
    try:
        el = _parse(zf, "docProps/core.xml").find(DC_TITLE)
    except Rejected as rej:
        if rej.reason == DTD_REFUSED:
            raise
        return None  # document properties damaged: the document itself may be fine
    text = _clean(el.text) if el is not None and el.text else ""
    return text[:MAX_BLOCK_CHARS] or None


class _Styles:
    """Which paragraph styles are headings: a heading/标题 name, or an outline level (inherited through basedOn).

    styles.xml is parsed only when a paragraph names a style."""

    def __init__(self, zf: zipfile.ZipFile, names: set[str], folder: str, ns: str):
        self._zf, self._names, self._ns = zf, names, ns
        self._member = f"{folder}/styles.xml" if folder else "styles.xml"
        self._styles: dict[str, tuple[str, bool, str | None]] | None = None  # id → (name, outline, basedOn)
        self._memo: dict[str, bool] = {}

    def _load(self) -> dict[str, tuple[str, bool, str | None]]:
        out: dict[str, tuple[str, bool, str | None]] = {}
        if self._member in self._names:
            w = f"{{{self._ns}}}"
            try:
                root = _parse(self._zf, self._member)
            except Rejected as rej:
                if rej.reason == DTD_REFUSED:
                    raise
                return out  # damaged styles: every paragraph is body text
            for st in root.iterchildren(w + "style"):
                sid = st.get(w + "styleId")
                if sid is None:
                    continue
                name = st.find(w + "name")
                based = st.find(w + "basedOn")
                outline = st.find(f"{w}pPr/{w}outlineLvl")
                out[sid] = (name.get(w + "val", "") if name is not None else "", _outline(outline, w),
                            based.get(w + "val") if based is not None else None)
        return out

    def heading(self, sid: str) -> bool:
        if sid in self._memo:
            return self._memo[sid]
        if self._styles is None:
            self._styles = self._load()
        result, seen, cur = False, set(), sid
        while cur is not None and cur not in seen and len(seen) < 20:  # basedOn chains may loop in bad files
            seen.add(cur)
            name, outline, based = self._styles.get(cur, (cur if cur == sid else "", False, None))
            if outline or _HEADING_NAME.match(name.strip()) or _HEADING_NAME.match(cur):
                result = True
                break
            cur = based
        self._memo[sid] = result
        return result


def _outline(el, w: str) -> bool:
    """An outline level 0–8 makes a heading (9 is body text)."""
    if el is None:
        return False
    try:
        return 0 <= int(el.get(w + "val", "9")) < 9
    except ValueError:
        return False


def _clean(text: str) -> str:
    return text.strip().strip(_INVISIBLE).strip()


# ---------------------------------------------------------------- the walk


@dataclass
class _Place:
    """Where paragraphs go: the body, a table cell, a text box, a header/footer. Tables that follow each other
    directly in one place may continue each other."""

    kind: str  # "body" | "cell" | "box" | "part"
    cell: _Cell | None = None
    table: _Table | None = None  # the cell's table
    last: _Table | None = None  # the table that ended here most recently
    gap: bool = False  # text or a picture since it ended
    boxed: bool = False  # text came out of a text box inside (for the paragraph around it)


@dataclass
class _Cell:
    el: object
    col: int
    span: int
    vmerge: str | None  # "restart" | "continue" | None
    hmerge: str | None
    paras: list[str] = field(default_factory=list)
    chars: int = 0


@dataclass
class _Para:
    el: object
    place: _Place
    heading: bool
    parts: list[str] = field(default_factory=list)
    chars: int = 0
    picture: bool = False


@dataclass
class _Table:
    el: object
    number: int
    place: _Place
    depth: int
    frame: bool
    edges: list[float] | None
    previous: _Table | None  # the table it may continue
    cells: list[list[str | None]] = field(default_factory=list)
    merges: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # top-left → [r0, c0, r1, c1]
    vertical: dict[int, list[int]] = field(default_factory=dict)  # start column → its vertical merge, still open
    row_el: object = None
    row: list[str | None] | None = None
    col: int = 0
    continued: set[int] = field(default_factory=set)
    hrec: list[int] | None = None  # the horizontal merge (hMerge) open in this row
    result: Table | None = None

    @property
    def prefix(self) -> str:
        return f"表格{self.number}"


class _Walker:
    def __init__(self, ns: str, styles: _Styles):
        w = f"{{{ns}}}"
        self.w = w
        self.styles = styles
        self.tables: list[_Table] = []  # kept tables, by number
        self.open: list[_Table] = []  # tables being read, innermost last
        self.places: list[_Place] = []
        self.paras: list[_Para] = []
        self.blocks: list[TextBlock] = []
        self.head_blocks: list[TextBlock] = []
        self.foot_blocks: list[TextBlock] = []
        self.skipped: dict[str, str] = {}
        self.paragraphs = 0  # numbered paragraphs (第N段)
        self.ended = 0  # tables read to their end (TextBlock.tables_before)
        self.part: str | None = None  # 页眉 / 页脚 while walking a header or footer part
        t = {name: w + name for name in (
            "p", "tbl", "tr", "tc", "t", "tab", "ptab", "br", "cr", "txbxContent", "drawing", "pict", "object",
            "pPr", "rPr", "tblPr", "tblGrid", "trPr", "tcPr", "sectPr", "sdtPr", "sdtEndPr", "del", "moveFrom",
            "rt", "tblPrEx", "pStyle", "outlineLvl", "gridCol", "gridSpan", "vMerge", "hMerge", "gridBefore",
            "cellDel", "tblInd", "delText", "instrText", "fldData", "sdt", "showingPlcHdr", "val", "w", "type")}
        self.t = t
        self._skip = {t[k] for k in ("pPr", "rPr", "tblPr", "tblGrid", "trPr", "tcPr", "sectPr", "sdtPr",
                                     "sdtEndPr", "del", "moveFrom", "rt", "tblPrEx", "delText", "instrText",
                                     "fldData")}
        self._choice, self._fallback = f"{{{MC}}}Choice", f"{{{MC}}}Fallback"

    # ------------------------------------------------------------ driving
    def walk(self, root, part: str | None) -> None:
        """One part's tree: the document body, or a header/footer (``part``: 页眉/页脚; its tables are read as
        text: they lay out a letterhead, they hold no figures)."""
        from lxml import etree

        self.part = part
        self.places = [_Place("part" if part else "body")]
        self.paras = []
        t, skip = self.t, self._skip
        P, TBL, TR, TC, T, SDT = t["p"], t["tbl"], t["tr"], t["tc"], t["t"], t["sdt"]
        prompts: list = []  # content controls showing their placeholder prompt (单击此处输入文字): not typed text
        TAB, PTAB, BR, CR, BOX = t["tab"], t["ptab"], t["br"], t["cr"], t["txbxContent"]
        PICTURES = {t["drawing"], t["pict"], t["object"]}
        choice, fallback = self._choice, self._fallback
        tables = part is None
        walker = etree.iterwalk(root, events=("start", "end"))
        for event, el in walker:
            tag = el.tag
            if event == "start":
                if tag == T:
                    if self.paras and el.text and not prompts:
                        self._text(el.text)
                elif tag in skip:
                    walker.skip_subtree()
                elif tag == P:
                    self._start_para(el)
                elif tag == TC:
                    if tables and not self._start_cell(el):
                        walker.skip_subtree()
                elif tag == TR:
                    if tables and not self._start_row(el):
                        walker.skip_subtree()
                elif tag == TBL:
                    if tables and not self._start_table(el):
                        walker.skip_subtree()
                elif tag == TAB or tag == PTAB:
                    if self.paras:
                        self._text("\t")
                elif tag == BR or tag == CR:
                    if self.paras:
                        self._text("\n")
                elif tag == BOX:
                    self.places.append(_Place("box"))
                elif tag == SDT:
                    if el.find(f"{t['sdtPr']}/{t['showingPlcHdr']}") is not None:
                        prompts.append(el)  # its structure (rows, cells) still counts; its words do not
                elif tag in PICTURES:
                    if self.paras:
                        self.paras[-1].picture = True
                elif tag == choice:
                    if any(s.tag == choice for s in el.itersiblings(preceding=True)):
                        walker.skip_subtree()  # one branch only: the first Choice
                elif tag == fallback:
                    if el.getparent() is not None and el.getparent().find(choice) is not None:
                        walker.skip_subtree()
            elif tag == P:
                if self.paras and self.paras[-1].el is el:
                    self._end_para()
            elif tag == TC:
                if tables and self.open and self.places[-1].cell is not None and self.places[-1].cell.el is el:
                    self._end_cell()
            elif tag == TR:
                if tables and self.open and self.open[-1].row_el is el:
                    self._end_row()
            elif tag == TBL:
                if tables and self.open and self.open[-1].el is el:
                    self._end_table()
            elif tag == SDT:
                if prompts and prompts[-1] is el:
                    prompts.pop()
            elif tag == BOX:
                if len(self.places) > 1 and self.places[-1].kind == "box":
                    box = self.places.pop()
                    if box.boxed and self.paras:
                        self.paras[-1].picture = True  # text in a box is visible between two tables
        self.part = None

    def finish(self) -> list[Table]:
        for table in self.open:  # unterminated tables cannot survive lxml's parse; kept safe anyway
            self._close(table)
        self.open = []
        return [t.result for t in self.tables if t.result is not None]

    def ordered_blocks(self) -> list[TextBlock]:
        return self.head_blocks + self.blocks + self.foot_blocks

    # ------------------------------------------------------------ paragraphs and text
    def _start_para(self, el) -> None:
        heading = False
        if self.part is None and len(el):
            ppr = el[0]  # pPr comes first when there is one
            if ppr.tag == self.t["pPr"]:
                style = ppr.find(self.t["pStyle"])
                outline = ppr.find(self.t["outlineLvl"])
                heading = _outline(outline, self.w) or (
                    style is not None and self.styles.heading(style.get(self.t["val"], "")))
        self.paras.append(_Para(el, self.places[-1], heading))

    def _text(self, text: str) -> None:
        para = self.paras[-1]
        if para.chars <= MAX_BLOCK_CHARS:
            para.parts.append(text)
            para.chars += len(text)

    def _end_para(self) -> None:
        para = self.paras.pop()
        place = para.place
        text = "".join(para.parts)
        if para.chars > MAX_BLOCK_CHARS:
            text = text[:MAX_BLOCK_CHARS]
            self.skipped.setdefault("过长段落的超出部分", f"段落超过 {MAX_BLOCK_CHARS} 字")
        visible = bool(_clean(text))
        # text between two tables parts them, unless it only says the table goes on (looked at only where it matters)
        if para.picture or (visible and (place.last is None or place.gap or not _CONTINUED.match(_clean(text)))):
            place.gap = True
            if place.kind == "box" and self.places and self.places[-1] is place:
                place.boxed = True
        if place.kind == "cell":
            cell = place.cell
            if cell.chars <= MAX_BLOCK_CHARS:
                cell.paras.append(text)
                cell.chars += len(text) + 1
            if not (visible and place.table.frame):
                return
        if visible:
            self._block(_clean(text), para.heading, place.kind == "box")

    def _block(self, text: str, heading: bool, boxed: bool) -> None:
        if self.part is not None:
            target = self.head_blocks if self.part == "页眉" else self.foot_blocks
            if len(target) < MAX_PARTS * 4 and all(b.text != text for b in target):
                target.append(TextBlock(text, self.part, tables_before=self.ended if self.part == "页脚" else 0))
            return
        if len(self.blocks) >= MAX_BLOCKS:
            self.skipped.setdefault(f"第 {MAX_BLOCKS + 1} 段起的文字", f"文档的段落超过 {MAX_BLOCKS} 段")
            return
        if boxed:
            where = "文本框"
        else:
            self.paragraphs += 1
            where = f"第{self.paragraphs}段"
        self.blocks.append(TextBlock(text, where, tables_before=self.ended, heading=heading))

    # ------------------------------------------------------------ tables
    def _start_table(self, el) -> bool:
        """A table to read (True), or one to pass over with its contents (too many, too deep)."""
        if len(self.tables) >= MAX_TABLES:
            self.skipped[f"第 {MAX_TABLES + 1} 个表格起"] = f"文档中的表格超过 {MAX_TABLES} 个"
            return False
        depth = len(self.open)
        if depth >= MAX_NESTING:
            self.skipped[f"嵌套超过 {MAX_NESTING} 层的表格"] = "表格套表格的层数过多"
            return False
        place = self.places[-1]
        t = self.t
        rows = el.findall(t["tr"])
        frame = el.find(f".//{t['tbl']}") is not None or (
            len(rows) == 1 and len(rows[0].findall(t["tc"])) == 1)
        previous = place.last if place.last is not None and not place.gap else None
        table = _Table(el, len(self.tables) + 1, place, depth, frame, self._edges(el), previous)
        self.tables.append(table)
        self.open.append(table)
        return True

    def _edges(self, el) -> list[float] | None:
        """Column boundaries in twips from the table's grid (``w:tblGrid``), shifted by its indent."""
        t = self.t
        grid = el.find(t["tblGrid"])
        if grid is None:
            return None
        x = 0.0
        ind = el.find(f"{t['tblPr']}/{t['tblInd']}")
        if ind is not None and ind.get(t["type"], "dxa") == "dxa":
            x = _number(ind.get(t["w"]), 0.0)
        edges = [x]
        for col in grid.iterchildren(t["gridCol"]):
            width = _number(col.get(t["w"]), None)
            if width is None or width < 0:
                return None
            x += width
            edges.append(x)
            if len(edges) > MAX_TABLE_COLS:
                break
        return edges if len(edges) > 1 else None

    def _start_row(self, el) -> bool:
        if not self.open:
            return True  # a row outside a table: its paragraphs are text where they are
        table = self.open[-1]
        if table.row is not None:
            return True  # a row inside a row (malformed): its cells are the row's
        t = self.t
        trpr = el.find(t["trPr"])
        before = 0
        if trpr is not None:
            if trpr.find(t["del"]) is not None:
                return False  # a row deleted as a tracked change: gone from what the person sees
            before = _grid_count(trpr.find(t["gridBefore"]), t["val"], 0)
        if len(table.cells) >= MAX_TABLE_ROWS:
            self.skipped[f"{table.prefix}第 {MAX_TABLE_ROWS + 1} 行起"] = f"表格超过 {MAX_TABLE_ROWS} 行"
            return False
        table.row_el = el
        table.row = [""] * min(before, MAX_TABLE_COLS)
        table.col = before
        table.continued = set()
        table.hrec = None
        return True

    def _start_cell(self, el) -> bool:
        if not self.open or self.open[-1].row is None:
            return True
        place = self.places[-1]
        if place.kind == "cell" and place.table is self.open[-1]:
            return True  # a cell inside a cell of the same table (malformed): its text is the cell's
        t = self.t
        span, vmerge, hmerge = 1, None, None
        tcpr = el[0] if len(el) else None  # the schema puts tcPr first: one look instead of a search
        if tcpr is not None and tcpr.tag != t["tcPr"]:
            tcpr = el.find(t["tcPr"])
        if tcpr is not None:
            val = t["val"]
            for prop in tcpr:  # one pass over the properties (a cell has ~5)
                tag = prop.tag
                if tag == t["gridSpan"]:
                    span = max(1, _grid_count(prop, val, 1))
                elif tag == t["vMerge"]:
                    vmerge = "restart" if prop.get(val) == "restart" else "continue"
                elif tag == t["hMerge"]:
                    hmerge = "restart" if prop.get(val) == "restart" else "continue"
                elif tag == t["cellDel"]:
                    return False
        table = self.open[-1]
        self.places.append(_Place("cell", _Cell(el, table.col, span, vmerge, hmerge), table))
        return True

    def _end_cell(self) -> None:
        place = self.places.pop()
        cell, table = place.cell, place.table
        if table.row is None:
            return  # its row was closed under it (malformed nesting): nothing to place it in
        r, c, span = len(table.cells), cell.col, cell.span
        table.col = c + span
        if c >= MAX_TABLE_COLS:
            self.skipped[f"{table.prefix}第 {MAX_TABLE_COLS + 1} 列起"] = f"表格超过 {MAX_TABLE_COLS} 列"
            return
        span = min(span, MAX_TABLE_COLS - c)
        row = table.row
        while len(row) < c + span:
            row.append("")
        text = "\n".join(cell.paras).strip().strip(_INVISIBLE)
        if len(text) > MAX_BLOCK_CHARS:
            text = text[:MAX_BLOCK_CHARS]
            self.skipped.setdefault(f"{table.prefix}!R{r + 1}C{c + 1}的超出部分", f"单元格超过 {MAX_BLOCK_CHARS} 字")
        rec = table.vertical.get(c) if cell.vmerge == "continue" else None
        if rec is not None and rec[3] == c + span - 1:  # the merged area above (the same columns) goes on down
            rec[2] = r
            table.continued.add(c)
            for x in range(c, c + span):
                row[x] = None
            return
        hrec = table.hrec
        if cell.hmerge == "continue" and hrec is not None and hrec[3] == c - 1 and hrec[0] == r:
            hrec[3] = c + span - 1
            table.merges.setdefault((hrec[0], hrec[1]), hrec)
            for x in range(c, c + span):
                row[x] = None
            return
        row[c] = text
        for x in range(c + 1, c + span):
            row[x] = None
        rec = [r, c, r, c + span - 1]
        if span > 1:
            table.merges[(r, c)] = rec
        if cell.vmerge == "restart":
            table.vertical[c] = rec
            table.merges[(r, c)] = rec
            table.continued.add(c)
        table.hrec = rec if cell.hmerge == "restart" else None

    def _end_row(self) -> None:
        table = self.open[-1]
        table.cells.append(table.row)
        # a vertical merge not continued in this row has ended (a new restart replaced it, or a plain cell)
        table.vertical = {c: rec for c, rec in table.vertical.items() if c in table.continued}
        table.row_el, table.row = None, None

    def _end_table(self) -> None:
        table = self.open.pop()
        self._close(table)
        self.ended += 1
        place = table.place
        place.last, place.gap = table, False

    def _close(self, table: _Table) -> None:
        if table.row is not None:
            self._end_row()
        cells = table.cells or [[]]
        merges = sorted(tuple(rec) for rec in table.merges.values() if (rec[0], rec[1]) != (rec[2], rec[3]))
        result = Table(cells, merges, [(table.prefix, r + 1) for r in range(len(cells))], table.edges)
        result.continues = table.previous is not None and _continues(table.previous, table, result)
        table.result = result
        # what a finished table no longer needs (a document may hold 200 of them)
        table.vertical, table.merges, table.continued = {}, {}, set()


def _continues(previous: _Table, table: _Table, result: Table) -> bool:
    """The module's rule 2 and 3 (rule 1 — nothing visible between, the same place — chose ``previous``)."""
    before = previous.result
    if before is None or previous.frame or table.frame or not result.cells or not result.cells[0]:
        return False
    if before.col_edges and result.col_edges:
        if not _grid_within(result.col_edges, before.col_edges):
            return False
    elif max(map(len, before.cells)) != max(map(len, result.cells)):
        return False
    return not _title_row(result)


def _grid_within(new: list[float], old: list[float]) -> bool:
    """Every boundary of ``new`` on a boundary of ``old``, both outer ones on the outer ones."""
    width = max(old[-1] - old[0], new[-1] - new[0], 1.0)
    tol = max(MIN_TOLERANCE, GRID_TOLERANCE * width)
    if abs(new[0] - old[0]) > tol or abs(new[-1] - old[-1]) > tol:
        return False
    return all(min(abs(x - y) for y in old) <= tol for x in new)


def _title_row(table: Table) -> bool:
    """The first row is one non-empty cell across the table's width: a title, the start of a table of its own."""
    first = table.cells[0]
    texts = [v for v in first if v]
    width = max(map(len, table.cells))
    return len(texts) == 1 and first[0] == texts[0] and all(v is None for v in first[1:]) and len(first) == width


def _number(text: str | None, default):
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        return default
    return value if value == value and abs(value) < 1e9 else default  # NaN and absurd widths: no geometry


def _grid_count(el, val: str, default: int) -> int:
    """A gridSpan/gridBefore count, clamped: a file may say 10^9."""
    if el is None:
        return default
    try:
        n = int(el.get(val, str(default)))
    except ValueError:
        return default
    return max(0, min(n, MAX_TABLE_COLS + 1))
