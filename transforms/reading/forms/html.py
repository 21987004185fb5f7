"""A portal page (``.html``/``.htm``, a page saved "as a single file" ``.mht``, a WPS/Excel sheet saved as a web page
``.xls``) as a :class:`~transforms.reading.forms.document.Document`: the article's tables and its paragraphs.

Steps: the bytes as text (:func:`decode`: a BOM; else UTF-8 if the bytes are valid UTF-8, whatever the page
declares; else the declared charset if it decodes cleanly; else GB18030 — GBK and GB2312 pages are decoded as
GB18030, their superset; bytes nothing decodes are replaced and noted) → lxml's HTML parser (no network, no DTD, entities
never expanded) → what a browser would not show is dropped (scripts, styles, ``display:none``) → the article is found
among the portal's furniture (:func:`_container`) → its tables, ``rowspan``/``colspan`` expanded as a browser lays
them out, each addressed ``表格N!R…C…`` (N counts the article's tables in document order, a nested table after the
table holding it), and its paragraphs outside the tables in reading order.

The article: the page's data tables anchor it — the deepest element holding (nearly) all their text, widened while
its parent holds more of the report's numbered headings (一、总体情况 … 六、其他需要报告的事项 kept beside the tables).
A page without tables: the deepest element holding most (60 %) of the page's readable text (not one paragraph of
it), else a container named as portals name theirs (``zoom``, ``TRS_Editor``, ``article`` …), else the whole page.
Readable text is text outside links and outside the portal's navigation, header, footer, share and related-links
boxes (known by tag, id and class); inside the article, paragraphs that are lists of links or the portal's
print/close/来源 lines are dropped too. Layout tables (a one-cell box, a table wrapping other tables around prose, a
few cells holding pages of prose) are looked through, not read as tables.

Nothing here recurses over the page: every walk keeps its own stack (libxml2 stops a page nested deeper than 255
elements; that is noted, or refused when no table was read before it).
"""

from __future__ import annotations

import codecs
import email
import email.policy
import re
from dataclasses import dataclass

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

MAX_CELLS = 200_000  # grid positions over all tables (a report has ~1,500; stack() keeps each one's address)
SHARE = 0.6  # the article holds at least this share of the page's readable text (> 0.5: one chain of candidates)
HINT_SHARE = 0.25  # a container named like a portal's article container needs this much
FURNITURE_SHARE = 0.4  # on a page without tables, a furniture-like box holding more text is the article
TABLE_SHARE = 0.9  # the article holds (nearly) all the text of the page's data tables
EXTRA_PROSE = 200  # a cell with more text than this around a table nested in it is a layout cell
HEADING_CHARS = 60  # a bold or centred paragraph longer than this is prose, not a title
HEAD_BYTES = 16_384  # where a charset declaration is looked for

_IGNORED = frozenset(
    "script style noscript template head title meta link iframe frame frameset object embed applet svg math canvas "
    "select option optgroup button input textarea map area audio video source track datalist".split()
)
_BLOCK = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre section article header footer main aside nav address "
    "center figure figcaption hr table tr td th caption tbody thead tfoot form fieldset legend details summary body "
    "html".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_PARAGRAPH_BREAKS = tuple(sorted(_BLOCK - {"body", "html"})) + ("br",)
_FURNITURE_TAGS = frozenset("nav header footer aside".split())
# parts of an id or class (split on spaces, '-' and '_') that name a portal's furniture
_FURNITURE_WORDS = frozenset(
    "nav navbar navigation menu submenu breadcrumb breadcrumbs crumb crumbs bread footer foot header topbar "
    "share sharebox bdshare bshare jiathis fenxiang sidebar aside related xglj relevant copyright banner search "
    "login toolbar qrcode ewm erweima print dayin guanbi position location dqwz pagination pager comment comments "
    "friendlink links_con".split()
)
# ids and classes portals give their article container (the fallback when no element holds most of the text)
_HINT_WORDS = frozenset(
    "zoom article content contents trs_editor custom_unionstyle view text detail details main_content pages_content "
    "wzy con_text article_content maincontent bt_content news_content".split()
)
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CENTRE_STYLE = re.compile(r"text-align\s*:\s*center", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|bolder|[6-9]00)|font-family\s*:[^;]*(黑体|simhei|方正小标宋|小标宋)",
                         re.I)
_MSO_IGNORE_COLSPAN = re.compile(r"mso-ignore\s*:\s*colspan", re.I)
_SPAN = re.compile(r"\s*\+?(\d{1,9})")
_WS = re.compile(r"[\s\u200b\ufeff]+")  # \s covers &nbsp; and the ideographic space U+3000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBERED = re.compile(r"^[一二三四五六七八九十]{1,3}、")
# what a portal prints in the article's box that is not the article (short paragraphs only)
_FURNITURE_TEXT = re.compile(
    r"^(当前位置|您当前的位置|您的位置|您现在的位置|所在位置|来源|信息来源|发布时间|发布日期|浏览次数|点击数|访问次数|阅读次数|字号|【字体)[:：]"
    r"|打印本页|关闭窗口|【\s*(打印|关闭|大|中|小)\s*】|分享到|扫一扫在手机|^(上一篇|下一篇)[:：]"
)

# charsets: what a declaration says → the codec that reads it
_GB = "gb18030"
_CHARSET_ALIASES = {
    "gb2312": _GB, "gbk": _GB, "gb_2312-80": _GB, "gb_2312": _GB, "x-gbk": _GB, "cp936": _GB, "ms936": _GB,
    "windows-936": _GB, "euc-cn": _GB, "x-euc-cn": _GB, "csgb2312": _GB, "gb18030": _GB, "chinese": _GB,
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
}
_WESTERN = frozenset(("latin-1", "iso8859-1", "cp1252", "ascii"))  # pages wrongly declaring these are GBK or UTF-8
_META_CHARSET = re.compile(rb"<meta[^>]{0,500}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]{1,40})", re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9_.:\-]{1,40})", re.I)
_MHT = re.compile(rb"\A\s*(?:[A-Za-z][A-Za-z0-9-]{0,60}:[^\r\n]*\r?\n){0,40}?\s*"
                  rb"(?:MIME-Version:|Content-Type:\s*multipart/)", re.I)
_TABLE_TAG = re.compile(rb"<table[\s>]", re.I)
_PROLOG = re.compile(r"\A\s*(?:<\?xml[^>]{0,500}>\s*)?(?:<!DOCTYPE[^\[>]{0,2000}(?:\[.*?\]\s*)?>)?", re.I | re.S)

_DATA, _LAYOUT, _EMPTY = 1, 2, 3  # what a <table> is
# Document.skipped: part → why; the reader says "{part}未读取：{why}。"
_UNDECODED = "网页中无法解码的字节"


# ---------------------------------------------------------------- public


def read_html(data: bytes) -> Document:
    """The page's article: its tables (merged cells expanded) and its paragraphs. Raises :class:`Rejected` for a
    page that cannot be read at all (no HTML in a single-file page, nothing parsable, nesting too deep)."""
    skipped: dict[str, str] = {}
    limits: list[str] = []
    if _MHT.match(data[:8192]):
        pages = [_parse(decode(part, charset, skipped), limits) for part, charset in _mht_html(data)]
    else:
        pages = [_parse(decode(data, None, skipped), limits)]
    root = pages[0]
    if len(pages) > 1:  # a workbook's sheets: one page, sheet after sheet (libxml2 reads one document per parse)
        import lxml.html

        body = _body(root)
        for page in pages[1:]:
            sheet = lxml.html.Element("div")
            other = _body(page)
            sheet.text = other.text
            sheet.extend(list(other))
            body.append(sheet)
    doc = _Page(root).read()
    doc.skipped = {**skipped, **doc.skipped}
    if limits:
        deep = any("depth" in m for m in limits)
        why = "网页的标签嵌套层级过深（超过 255 层）" if deep else "网页中有超长的文字或属性（超过 10 MB）"
        if not doc.tables:
            raise Rejected(f"{why}，无法读取，疑似恶意文件，已拒收")
        part = "网页中嵌套过深之处及其后的内容" if deep else "网页中超长的文字或属性及其后的内容"
        doc.skipped[part] = f"{why}，疑似恶意文件"
    return doc


def _parse(text: str, limits: list[str]):
    """The page's tree, parsed by libxml2 with no network, no DTD and no entity expansion. libxml2 stops (and keeps
    what it had) at an element nested deeper than 255 or a text/attribute over 10 MB: ``limits`` says so."""
    import lxml.etree as etree
    import lxml.html

    text = _PROLOG.sub("", text, count=1)  # an XML declaration, a DOCTYPE with entity definitions: never read
    text = _CONTROL.sub("", text)
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True,
                                  default_doctype=False, collect_ids=False)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise Rejected("网页内容为空或无法解析，请重新保存网页后报送") from exc
    limits.extend(e.message for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT")
    return root


def _body(root):
    body = root.find("body")
    return root if body is None else body


def decode(data: bytes, declared: str | None = None, skipped: dict[str, str] | None = None) -> str:
    """The page's text. A byte-order mark decides; else bytes that are valid UTF-8 are UTF-8 (GBK text never is);
    else the declared charset (``declared``, then the page's ``<meta charset>`` / ``<?xml encoding?>``) if it
    decodes cleanly; else GB18030. Bytes nothing decodes are replaced, and ``skipped`` says so."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data[3:], "utf-8", skipped)
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _decode_as(data, "utf-32", skipped)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(data, "utf-16", skipped)
    wide = _utf16_without_bom(data)
    if wide:
        return _decode_as(data, wide, skipped)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    charset = _codec(declared) or _declared(data[:HEAD_BYTES])
    tried = [charset] if charset and charset != "utf-8" else []
    tried = [_GB, *tried] if charset in _WESTERN else [*tried, _GB]
    for enc in dict.fromkeys(tried):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
        except LookupError:
            continue
    # the encoding that reads furthest before its first error: a page in one encoding with junk after it decodes
    # cleanly up to the junk, while UTF-8 read as GB18030 (or the reverse) fails within the first lines
    best = max(dict.fromkeys(["utf-8", *tried]), key=lambda enc: _clean_prefix(data, enc))
    if skipped is not None:
        skipped[_UNDECODED] = ("网页的文字编码无法确定（按 UTF-8、GBK 及网页声明的编码都不能完整解码），"
                               "这些字节已显示为“\ufffd”，个别文字可能读错")
    return data.decode(best, "replace")


# ---------------------------------------------------------------- bytes → text


def _decode_as(data: bytes, encoding: str, skipped: dict[str, str] | None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        if skipped is not None:
            skipped[_UNDECODED] = f"网页按 {encoding.upper()} 编码有无法解码的字节，已显示为“\ufffd”，个别文字可能读错"
        return data.decode(encoding, "replace")


def _clean_prefix(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as err:
        return err.start
    except LookupError:
        return -1
    return len(data)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: the markup's ASCII bytes interleaved with zeros."""
    head = data[:512]
    if len(head) < 8:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    half = len(head) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "replace")
    name = name.strip().lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec.startswith("utf-16") or codec.startswith("utf-32"):
        return None  # declared wide but no BOM and no zeros: the declaration is wrong
    if codec in ("gb2312", "gbk"):
        return _GB
    return codec


def _declared(head: bytes) -> str | None:
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return _codec(m.group(1)) if m else None


def _mht_html(data: bytes) -> list[tuple[bytes, str | None]]:
    """A "single file web page" (MIME multipart/related): its page, decoded from quoted-printable/base64, with its
    charset. A workbook of several sheets saved so (Excel, WPS) has a frameset first and a part per sheet: then
    every part holding a table, in order."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    pages = []
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                pages.append((payload, part.get_content_charset()))
    if not pages:
        raise Rejected("单个文件网页（.mht）里没有网页正文，请用浏览器打开后另存为 .html 或用 Word/WPS 另存为 .docx 后报送")
    with_tables = [page for page in pages if _TABLE_TAG.search(page[0])]
    if with_tables and with_tables[0] is not pages[0]:
        return with_tables
    return pages[:1]


# ---------------------------------------------------------------- the page


def _tokens(el) -> set[str]:
    """The words of an element's id and class: ``article_content news-box`` → {article, content, news, box, …}."""
    raw = f"{el.get('id') or ''} {el.get('class') or ''}"[:512].lower()
    if not raw.strip():
        return set()
    words = set(raw.split())
    for w in list(words):
        words.update(p for p in _TOKEN_SPLIT.split(w) if p)
    return words


def _hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style[:4096]) is not None


def _numbered(text: str | None) -> bool:
    """Text opening with a part's number: 一、总体情况, 五、存在的主要问题及改进情况."""
    return bool(text) and _NUMBERED.match(text.lstrip(" \t\r\n\u3000\xa0")) is not None


def _paragraph(el) -> bool:
    """An element holding one paragraph: nothing block-level inside it."""
    return el.tag in _HEADINGS or el.tag == "p" or next(el.iterdescendants(*_PARAGRAPH_BREAKS), None) is None


def _count(text: str | None) -> int:
    """Characters a reader sees (whitespace not counted)."""
    if not text or text.isspace():
        return 0
    return len(_WS.sub("", text))


def _span(value: str | None) -> int | None:
    """A rowspan/colspan attribute as a number (None when absent or not a number)."""
    if value is None:
        return None
    m = _SPAN.match(value[:32])
    return int(m.group(1)) if m else None


@dataclass
class _Measured:
    order: list  # readable elements, document order; order[0] is the body
    parent: list[int]
    content: list[int]  # readable characters under each element
    tabular: list[int]  # of which inside data tables
    headings: list[int]  # numbered headings (一、 … 十、) under each element


class _Page:
    def __init__(self, root):
        self.root = root
        self.body = _body(root)
        self.kinds: dict = {}  # <table> element → _DATA / _LAYOUT / _EMPTY
        # elements not read, with everything inside: hidden ones (found once: the walks ask about every element),
        # then the portal's furniture. lxml hands out the same proxy for an element while one is referenced.
        candidates = root.xpath("//*[@hidden or contains(@style, 'none') or contains(@style, 'hidden') "
                                "or contains(@style, 'NONE') or contains(@style, 'HIDDEN') or contains(@style, 'None')"
                                " or contains(@style, 'Hidden')]")
        self.skip: set = {el for el in candidates if _hidden(el)}
        self.skipped: dict[str, str] = {}

    # ------------------------------------------------------------ the whole reading
    def read(self) -> Document:
        for table in self.body.iter("table"):
            self.kinds[table] = self._kind(table)
        container = self._container()
        title = self._title(container)
        tables, blocks = _Flow(self, container).run()
        return Document("html", tables=tables, blocks=blocks, title=title, skipped=self.skipped)

    # ------------------------------------------------------------ tables: data or layout
    def _own_rows(self, table) -> list:
        """The table's own visible rows, in the order written (thead/tbody/tfoot as they come)."""
        rows = []
        skip = self.skip
        for child in table:
            tag = child.tag
            if not isinstance(tag, str) or child in skip:
                continue
            if tag == "tr":
                rows.append(child)
            elif tag in ("thead", "tbody", "tfoot", "form"):
                rows.extend(r for r in child if r.tag == "tr" and r not in skip)
        return rows

    def _kind(self, table) -> int:
        """A data table, or a layout table the article flows through (a one-cell box; a table around other tables
        with prose or few cells; a few cells holding pages of prose)."""
        cells = 0
        longest = 0
        for row in self._own_rows(table)[:50]:
            for cell in row:
                if cell.tag in ("td", "th"):
                    cells += 1
                    if cells <= 8:
                        longest = max(longest, _count(cell.text_content()[:5000]))
            if cells > 8:
                break
        if cells == 0:
            return _EMPTY
        if cells == 1:
            return _LAYOUT
        nested = next(table.iterdescendants("table"), None)
        if nested is not None:
            if cells <= 4:
                return _LAYOUT
            for row in self._own_rows(table)[:50]:
                for cell in row:
                    # the tables directly in this cell (not those nested deeper in them)
                    inner = [t for t in cell.iterdescendants("table") if next(t.iterancestors("table")) is table]
                    if inner and _count(cell.text_content()) - sum(_count(t.text_content()) for t in inner) \
                            > EXTRA_PROSE:
                        return _LAYOUT
        if longest > 500 and cells <= 6:
            return _LAYOUT
        return _DATA

    # ------------------------------------------------------------ the article
    def _container(self):
        """The element holding the article (see the module's docstring)."""
        m = self._measure()
        order, parent, content, tabular, headings = m.order, m.parent, m.content, m.tabular, m.headings
        if not order or content[0] == 0:
            return self.body
        children: list[list[int]] = [[] for _ in order]
        for i in range(1, len(order)):
            children[parent[i]].append(i)
        if tabular[0]:
            # the report's tables anchor the article: the deepest element holding (nearly) all their text, widened
            # while its parent holds more of the report's numbered headings (the narrative beside the tables)
            at = self._chain(order, children, tabular, TABLE_SHARE * tabular[0])
            while at and (headings[parent[at]] > headings[at] or not headings[0] and content[at] < SHARE * content[0]):
                at = parent[at]
            return order[at]
        # no tables: the deepest element holding most of the text, not one paragraph of it; else a named container
        at = self._chain(order, children, content, SHARE * content[0], paragraphs=True)
        if at == 0:
            hinted = [i for i, el in enumerate(order) if i and content[i] >= HINT_SHARE * content[0]
                      and _tokens(el) & _HINT_WORDS]
            if hinted:  # the smallest named container with (nearly) the most text
                most = max(content[i] for i in hinted)
                at = min((i for i in hinted if content[i] >= most * 0.9), key=lambda i: content[i])
        return order[at]

    def _chain(self, order, children, amount, threshold, paragraphs=False) -> int:
        """Down from the page's body through the child holding ``threshold`` of ``amount`` (at most one can: the
        threshold is more than half), never into a data table, nor (``paragraphs``) into a single paragraph."""
        at = 0
        while True:
            nxt = next((k for k in children[at] if amount[k] >= threshold), None)
            if nxt is None or self.kinds.get(order[nxt]) == _DATA:
                return at
            if paragraphs and len(children[at]) > 1 and _paragraph(order[nxt]):
                return at
            at = nxt

    def _measure(self) -> _Measured:
        """Every readable element in document order with its parent, and under it: the readable characters
        (outside links; furniture taken out), those inside data tables, the numbered headings (一、 … 十、)."""
        order: list = []
        parent: list[int] = []
        own: list[int] = []
        own_tab: list[int] = []
        own_head: list[int] = []
        end: list[int] = []
        skip = self.skip
        stack: list = [(self.body, -1, False)]
        while stack:
            item = stack.pop()
            if isinstance(item, int):  # the end of element item's subtree
                end[item] = len(order) - 1
                continue
            el, p, link = item
            i = len(order)
            order.append(el)
            parent.append(p)
            end.append(i)
            link = link or el.tag == "a"
            stack.append(i)
            if self.kinds.get(el) == _DATA:  # a data table's text in one call: its cells are not candidates
                n = _count(el.text_content())
                own.append(n)
                own_tab.append(n)
                own_head.append(0)
                continue
            n = 0 if link else _count(el.text)
            head = not link and _numbered(el.text)
            kids = []
            for child in el:
                if not link and child.tail:
                    n += _count(child.tail)
                    head = head or _numbered(child.tail)
                tag = child.tag
                if not isinstance(tag, str) or tag in _IGNORED or child in skip:
                    continue
                kids.append((child, i, link))
            stack.extend(reversed(kids))
            own.append(n)
            own_tab.append(0)
            own_head.append(1 if head else 0)
        content, tabular, headings = own, own_tab, own_head  # summed up the tree in place
        for i in range(len(order) - 1, 0, -1):
            p = parent[i]
            content[p] += content[i]
            tabular[p] += tabular[i]
            headings[p] += headings[i]
        # furniture: navigation, header, footer, share and related-links boxes, unless they hold the article
        total, total_tab = content[0], tabular[0]
        i = 1
        while i < len(order):
            el = order[i]
            # a box named like furniture is furniture unless it holds the page's tables (then it is the article,
            # whatever its name) or, on a page without tables, most of its text
            if (el.tag in _FURNITURE_TAGS or _tokens(el) & _FURNITURE_WORDS) and (
                    tabular[i] <= 0.3 * total_tab if total_tab else content[i] <= FURNITURE_SHARE * total):
                self.skip.add(el)
                c, t, h = content[i], tabular[i], headings[i]
                p = parent[i]
                while p >= 0:
                    content[p] -= c
                    tabular[p] -= t
                    headings[p] -= h
                    p = parent[p]
                content[i] = tabular[i] = headings[i] = 0
                i = end[i] + 1  # nothing inside it is looked at again
                continue
            i += 1
        return _Measured(order, parent, content, tabular, headings)

    # ------------------------------------------------------------ the title
    def _title(self, container) -> str | None:
        for meta in self.root.iter("meta"):
            if (meta.get("name") or "").strip().lower() == "articletitle":
                title = _WS.sub(" ", meta.get("content") or "").strip()
                if title:
                    return title[:500]
        for scope in (container, self.body):
            for h1 in scope.iter("h1"):
                title = _WS.sub(" ", h1.text_content()).strip()
                if title:
                    return title[:500]
        el = self.root.find(".//title")
        if el is None:
            return None
        title = _WS.sub(" ", el.text_content()).strip()
        parts = [p.strip() for p in re.split(r"\s*(?:_|\||｜|--|—+|\s-\s)\s*", title) if p.strip()]
        if not parts:
            return None
        # the article first, the column and the site after it; prefer a part naming a report
        return next((p for p in parts if "报告" in p), parts[0])[:500]


class _Flow:
    """The container read in document order: paragraphs outside tables become blocks; data tables become
    Tables (a nested table right after the table holding it); layout tables are looked through."""

    def __init__(self, page: _Page, container):
        self.page = page
        self.container = container
        self.tables: list[Table] = []
        self.blocks: list[TextBlock] = []
        self.cells_used = 0
        self.pieces: list[str] = []
        self.chars = 0
        self.bold_chars = 0
        self.link_chars = 0
        self.heading = False  # the paragraph is inside h1–h6
        self.centred = False
        self.bold = 0  # depth of bold/黑体 elements around the current text
        self.link = 0
        self.hn = 0
        self.centre = 0

    def run(self) -> tuple[list[Table], list[TextBlock]]:
        page = self.page
        skip, kinds = page.skip, page.kinds
        # popped from the end: the container's own text, then its children in document order (not its tail)
        stack: list = [("S", c) for c in reversed(list(self.container))] + [("T", self.container.text)]
        while stack:
            kind, item, *flags = stack.pop()
            if kind == "T":
                if item:
                    self._text(item)
                continue
            if kind == "E":
                self._end(item, flags[0])
                continue
            el = item
            tag = el.tag
            if el.tail:
                stack.append(("T", el.tail))
            if not isinstance(tag, str) or tag in _IGNORED or el in skip:
                continue
            if tag == "br":
                self._flush()
                continue
            if tag == "table":
                table_kind = kinds.get(el)
                if table_kind == _DATA:
                    self._flush()
                    self._table(el)
                    continue
                if table_kind == _EMPTY:
                    continue
            f = self._start(el, tag)
            stack.append(("E", el, f))
            stack.extend(("S", c) for c in reversed(list(el)))
            if el.text:
                stack.append(("T", el.text))
        self._flush()
        return self.tables, self.blocks

    # ------------------------------------------------------------ paragraphs
    def _start(self, el, tag: str) -> int:
        """Enter an element: a block starts a paragraph; remember what styles the text inside."""
        flags = 0
        if tag in _BLOCK:
            self._flush()
            flags |= 1
        if tag in _HEADINGS:
            self.hn += 1
            flags |= 2
        if tag in ("b", "strong") or _BOLD_STYLE.search((el.get("style") or "")[:2048]):
            self.bold += 1
            flags |= 4
        if tag == "center" or (el.get("align") or "").lower() == "center" \
                or _CENTRE_STYLE.search((el.get("style") or "")[:2048]):
            self.centre += 1
            flags |= 8
        if tag == "a":
            self.link += 1
            flags |= 16
        return flags

    def _end(self, el, flags: int) -> None:
        if flags & 1:
            self._flush()
        if flags & 2:
            self.hn -= 1
        if flags & 4:
            self.bold -= 1
        if flags & 8:
            self.centre -= 1
        if flags & 16:
            self.link -= 1

    def _text(self, text: str) -> None:
        n = _count(text)
        if not self.pieces or not n and not self.chars:
            self.heading = self.hn > 0
            self.centred = self.centre > 0
        if self.chars >= MAX_BLOCK_CHARS:
            if n:
                self.chars += n  # counted, not kept: _flush names the paragraph that was cut
            return
        self.pieces.append(text)
        self.chars += n
        if self.bold:
            self.bold_chars += n
        if self.link:
            self.link_chars += n

    def _flush(self) -> None:
        if not self.pieces:
            return
        text = _WS.sub(" ", "".join(self.pieces)).strip()
        if len(text) > MAX_BLOCK_CHARS:
            self.page.skipped[f"第{len(self.blocks) + 1}段第 {MAX_BLOCK_CHARS + 1} 字起"] = f"段落超过 {MAX_BLOCK_CHARS} 字"
            text = text[:MAX_BLOCK_CHARS]
        chars, bold, link = self.chars, self.bold_chars, self.link_chars
        heading, centred = self.heading, self.centred
        self.pieces, self.chars, self.bold_chars, self.link_chars = [], 0, 0, 0
        if not text or chars == 0:
            return
        if link > 0.8 * chars or len(text) <= 80 and _FURNITURE_TEXT.search(text):
            return  # a list of links, a print/close/share line, 来源/时间: the portal's, not the report's
        if len(self.blocks) >= MAX_BLOCKS:
            self.page.skipped[f"第 {MAX_BLOCKS + 1} 段起"] = f"网页正文超过 {MAX_BLOCKS} 段"
            return
        short = len(text) <= HEADING_CHARS and not text.endswith(("。", "；", ";"))
        heading = heading or short and (bold == chars or centred) or (
            len(text) <= 30 and not text.endswith("。") and _NUMBERED.match(text) is not None)
        self.blocks.append(TextBlock(text, f"第{len(self.blocks) + 1}段", tables_before=len(self.tables),
                                     heading=bool(heading)))

    # ------------------------------------------------------------ tables
    def _table(self, table) -> None:
        """This data table, then the data tables nested in it, in document order; a caption is a heading before."""
        caption = next((c for c in table if c.tag == "caption"), None)
        if caption is not None:
            text = _cell_text(caption, self.page)
            if text:
                self.pieces = [text]
                self.chars = _count(text)
                self.heading = True
                self.bold_chars = self.link_chars = 0
                self._flush()
        self._add(table)
        for inner in table.iterdescendants("table"):
            if self.page.kinds.get(inner) == _DATA and self._visible_within(inner, table):
                self._add(inner)

    def _visible_within(self, el, top) -> bool:
        skip = self.page.skip
        while el is not None and el is not top:
            if el in skip or el.tag in _IGNORED:
                return False
            el = el.getparent()
        return True

    def _add(self, table) -> None:
        page = self.page
        if len(self.tables) >= MAX_TABLES:
            page.skipped[f"第 {MAX_TABLES + 1} 个表格起"] = f"网页中的表格超过 {MAX_TABLES} 个"
            return
        if self.cells_used >= MAX_CELLS:
            page.skipped[f"第 {len(self.tables) + 1} 个表格起"] = f"网页中表格的单元格总数超过 {MAX_CELLS} 个"
            return
        name = f"表格{len(self.tables) + 1}"
        grid = _grid(table, page, name, MAX_CELLS - self.cells_used)
        if grid is None:
            return
        cells, merges, used = grid
        self.cells_used += used
        self.tables.append(Table(cells=cells, merges=merges, rows=[(name, r + 1) for r in range(len(cells))]))


_FREE = object()  # a grid position no cell has reached (yet)
_BREAK = "\x00"  # a line break from the markup (<br>, <p>, <div>); control characters were removed from the page


def _grid(table, page: _Page, name: str, budget: int):
    """The table laid out as a browser does: each cell at the first free position of its row, spanning
    ``colspan`` × ``rowspan`` positions (clamped to the table and the caps; ``rowspan=0`` to the end of its row
    group); a span running into a position an earlier cell holds stops there. (cells, merges, positions)."""
    rows: list = []
    group_end: list[int] = []
    for child in table:
        tag = child.tag
        if not isinstance(tag, str) or child in page.skip:
            continue
        if tag == "tr":
            rows.append(child)
            group_end.append(-1)  # rows directly in <table>: one implicit group
        elif tag in ("thead", "tbody", "tfoot", "form"):
            first = len(rows)
            rows.extend(r for r in child if r.tag == "tr" and r not in page.skip)
            for _ in range(first, len(rows)):
                group_end.append(len(rows) - 1)
    if not rows:
        return None
    if len(rows) > MAX_TABLE_ROWS:
        page.skipped[f"{name}第 {MAX_TABLE_ROWS + 1} 行起"] = f"表格超过 {MAX_TABLE_ROWS} 行"
        rows = rows[:MAX_TABLE_ROWS]
    n = len(rows)
    last = n - 1
    group_end = [last if g < 0 or g > last else g for g in group_end[:n]]
    grid: list[list] = [[] for _ in range(n)]
    merges: list[tuple[int, int, int, int]] = []
    used = 0
    for r, row in enumerate(rows):
        line = grid[r]
        c = 0
        for cell in row:
            if cell.tag not in ("td", "th") or cell in page.skip:
                continue
            while c < len(line) and line[c] is not _FREE:
                c += 1
            if c >= MAX_TABLE_COLS:
                page.skipped[f"{name}第 {MAX_TABLE_COLS + 1} 列起"] = f"表格超过 {MAX_TABLE_COLS} 列"
                break
            colspan = _span(cell.get("colspan"))
            colspan = 1 if not colspan else min(colspan, MAX_TABLE_COLS - c)
            rowspan = _span(cell.get("rowspan"))
            rowspan = group_end[r] - r + 1 if rowspan == 0 else min(rowspan or 1, group_end[r] - r + 1)
            text = _cell_text(cell, page, name)
            if _MSO_IGNORE_COLSPAN.search((cell.get("style") or "")[:2048]):
                # Excel's text overflowing into empty cells: separate cells, not a merge
                for k in range(colspan):
                    if c + k < len(line) and line[c + k] is not _FREE:
                        break
                    _put(line, c + k, text if k == 0 else "")
                    used += 1
                c += colspan
                continue
            width = 0
            while width < colspan and (c + width >= len(line) or line[c + width] is _FREE):
                width += 1
            height = 1
            while height < rowspan and all(c + k >= len(grid[r + height]) or grid[r + height][c + k] is _FREE
                                           for k in range(width)):
                height += 1
            if used + width * height > budget:
                page.skipped[f"{name}第 {r + 1} 行起"] = f"网页中表格的单元格总数超过 {MAX_CELLS} 个"
                height = max(1, min(height, (budget - used) // max(width, 1)))
                if used + width * height > budget:
                    break
            for rr in range(r, r + height):
                for k in range(width):
                    _put(grid[rr], c + k, text if rr == r and k == 0 else None)
            used += width * height
            if width > 1 or height > 1:
                merges.append((r, c, r + height - 1, c + width - 1))
            c += width
        if used >= budget:
            break
    cells = [["" if v is _FREE else v for v in line] for line in grid]
    return cells, merges, used


def _put(line: list, c: int, value) -> None:
    while len(line) <= c:
        line.append(_FREE)
    line[c] = value


def _cell_text(cell, page: _Page, name: str = "表格") -> str:
    """A cell's text: every descendant's, a line per <br>, <p> or <div>; whitespace (&nbsp;, U+3000) runs one space,
    each line stripped; scripts, styles, hidden elements and nested data tables left out."""
    if not len(cell):  # most cells: text only
        return _WS.sub(" ", cell.text or "").strip()[:MAX_BLOCK_CHARS]
    from lxml import etree

    kinds, skip = page.kinds, page.skip
    parts: list[str] = [cell.text or ""]
    size = len(parts[0])
    walk = etree.iterwalk(cell, events=("start", "end"))
    for event, el in walk:
        if el is cell:
            continue
        tag = el.tag
        if event == "start":
            if not isinstance(tag, str) or tag in _IGNORED or el in skip:
                walk.skip_subtree()
            elif tag == "table" and kinds.get(el) == _DATA:
                parts.append(_BREAK)  # a table of its own: the text around it are lines apart
                walk.skip_subtree()
            elif tag == "br":
                parts.append(_BREAK)
            else:
                if tag in _BLOCK:
                    parts.append(_BREAK)
                if el.text and size < MAX_BLOCK_CHARS:
                    parts.append(el.text)
                    size += len(el.text)
            continue
        # end (also of a skipped element, whose tail is the cell's text)
        if isinstance(tag, str) and tag in _BLOCK and tag != "table" and el not in skip:
            parts.append(_BREAK)
        if el.tail and size < MAX_BLOCK_CHARS:
            parts.append(el.tail)
            size += len(el.tail)
    if size >= MAX_BLOCK_CHARS:
        page.skipped[f"{name}中单元格第 {MAX_BLOCK_CHARS + 1} 字起"] = f"单元格文字超过 {MAX_BLOCK_CHARS} 字"
    return _lines("".join(parts))


def _lines(text: str) -> str:
    """Lines at the structural breaks; a newline in the markup's text is only whitespace, as a browser shows it."""
    lines = (_WS.sub(" ", line).strip() for line in text.split(_BREAK))
    return "\n".join(line for line in lines if line)[:MAX_BLOCK_CHARS]
