"""Word documents for the Word reader's tests, built here (python-docx for the filling, lxml for the surgery).

``filled_template()`` is the statutory template (/work/shared/samples/published) with every value cell filled with
a distinct number, written by python-docx at the grid positions python-docx itself reports (merges included), so
the reader is checked against an independent reading. ``messy_report()`` takes it where units take it: narrative
written in, the title in a text box, the unit in the header, blanks and 全角 digits, a tracked change, table 三 cut
in two by a page break, the report inside a 1×1 layout table, gridBefore. ``package()`` zips hand-written XML.
Every builder returns where each value is (table index, row, column — 0-based, after merged cells are expanded).
"""

from __future__ import annotations

import copy
import io
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree
from reading_fixtures import TEMPLATE_DOCX, docx_tables

from transforms.format.statutory import FORMAT_2021

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NSDECL = (f'xmlns:w="{W_NS}" xmlns:mc="{MC_NS}" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:v="urn:schemas-microsoft-com:vml" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')

Key = tuple[str, str, str]
UNIT = "大营镇人民政府"
TITLE = "大营镇2024年政府信息公开工作年度报告"
NARRATIVE = {
    "一、总体情况": "2024年，大营镇认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息120条。",
    "五、存在的主要问题及改进情况": "一是公开内容不够全面；二是解读形式单一。下一步将加强培训。",
    "六、其他需要报告的事项": "本年度未收取信息处理费。",
}


@dataclass
class Filled:
    data: bytes
    text: dict[Key, str]  # what each value cell holds
    where: dict[Key, tuple[int, int, int]]  # key → (table index, row, column)
    tables: int = 3
    notes: dict[str, object] = field(default_factory=dict)

    def address(self, key: Key) -> str:
        t, r, c = self.where[key]
        return f"表格{t + 1}!R{r + 1}C{c + 1}"


@lru_cache(maxsize=1)
def value_cells() -> dict[Key, tuple[int, int, int]]:
    """Every printed value cell of the 2021 template: key → (table index, row, column), from python-docx's grid."""
    t2, t3, t4 = docx_tables()
    out: dict[Key, tuple[int, int, int]] = {}
    proactive = FORMAT_2021.section("proactive")
    labels = {row.label.text: row for row in proactive.rows}
    for tr in range(t2[2]):
        row = labels.get(t2[0].get((tr, 0), ""))
        if row is not None:
            for j, m in enumerate(proactive.measures_of(row.code)):
                out[("proactive", row.code, m.code)] = (0, tr, 1 + j)
    requests = FORMAT_2021.section("requests")
    printed = [row for row in requests.rows if not row.derived]
    assert len(printed) == t3[2] - 3
    for i, row in enumerate(printed):
        for j, m in enumerate(requests.columns):
            out[("requests", row.code, m.code)] = (1, 3 + i, 3 + j)
    review = FORMAT_2021.section("review_litigation")
    j = 0
    for row in review.rows:
        for m in review.columns:
            out[("review_litigation", row.code, m.code)] = (2, t4[2] - 1, j)
            j += 1
    return out


def number_text(key: Key, serial: int) -> str:
    section = FORMAT_2021.section(key[0])
    if section.measure(key[1], key[2]).decimal:
        return f"{serial}.123456"
    return str(serial)


def filled_template(write=None) -> Filled:
    """The template with every value cell filled: ``write(key, serial) -> text`` (default the distinct number)."""
    import docx

    doc = docx.Document(str(TEMPLATE_DOCX))
    text: dict[Key, str] = {}
    where = value_cells()
    for serial, (key, (t, r, c)) in enumerate(sorted(where.items(), key=lambda kv: kv[1]), start=1):
        value = write(key, serial) if write is not None else number_text(key, serial)
        doc.tables[t].cell(r, c).text = value
        text[key] = value
    buf = io.BytesIO()
    doc.save(buf)
    return Filled(buf.getvalue(), text, dict(where))


# ---------------------------------------------------------------- XML surgery


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rezip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def with_document(data: bytes, change) -> bytes:
    """``change(body)`` edits word/document.xml's body in place."""
    parts = members(data)
    root = etree.fromstring(parts["word/document.xml"])
    change(root.find(W + "body"))
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return rezip(parts)


def el(xml: str):
    """One element from markup using the w:/mc:/wps: prefixes."""
    return etree.fromstring(f"<root {NSDECL}>{xml}</root>")[0]


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: str = "", outline: int | None = None, style: str | None = None) -> str:
    ppr = ""
    if outline is not None or style is not None:
        ppr = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "") + (
            f'<w:outlineLvl w:val="{outline}"/>' if outline is not None else "") + "</w:pPr>"
    run = f'<w:r><w:t xml:space="preserve">{esc(text)}</w:t></w:r>' if text else ""
    return f"<w:p>{ppr}{run}</w:p>"


PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def textbox_para(text: str) -> str:
    """A paragraph anchoring a floating text box, as Word writes it: the DrawingML box and its VML fallback."""
    inner = f"<w:txbxContent>{para(text)}</w:txbxContent>"
    return (
        "<w:p><w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
        f"<wps:wsp><wps:txbx>{inner}</wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{inner}</v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )


def set_cell(tc, xml_runs: str) -> None:
    """Replace a cell's runs with ``xml_runs`` (its first paragraph's properties kept)."""
    p = tc.find(W + "p")
    for child in list(p):
        if child.tag != W + "pPr":
            p.remove(child)
    for run in etree.fromstring(f"<root {NSDECL}>{xml_runs}</root>"):
        p.append(run)


def grid_cells(tbl) -> dict[tuple[int, int], object]:
    """(row, grid column) → the w:tc starting there (gridBefore and gridSpan counted), for the surgery."""
    out = {}
    for r, tr in enumerate(tbl.findall(W + "tr")):
        before = tr.find(f"{W}trPr/{W}gridBefore")
        c = int(before.get(W + "val")) if before is not None else 0
        for tc in tr.findall(W + "tc"):
            out[(r, c)] = tc
            span = tc.find(f"{W}tcPr/{W}gridSpan")
            c += int(span.get(W + "val")) if span is not None else 1
    return out


def split_table(body, index: int, at: int, repeat: int = 0, between: str = PAGE_BREAK) -> None:
    """Cut the ``index``-th table before row ``at`` into two ``w:tbl`` (the second with the first ``repeat`` rows
    copied as its header), ``between`` them: what Word leaves after "split table" and a page break."""
    tbl = body.findall(W + "tbl")[index]
    second = etree.Element(W + "tbl")
    for child in tbl:
        if child.tag in (W + "tblPr", W + "tblGrid"):
            second.append(copy.deepcopy(child))
    rows = tbl.findall(W + "tr")
    for row in rows[:repeat]:
        second.append(copy.deepcopy(row))
    for row in rows[at:]:
        second.append(row)  # moves it
    for merge in rows[at].iterfind(f"{W}tc/{W}tcPr/{W}vMerge"):  # Word starts the new part's merges afresh
        merge.set(W + "val", "restart")
    position = list(body).index(tbl) + 1
    for p in [el(x) for x in _split_paras(between)]:
        body.insert(position, p)
        position += 1
    body.insert(position, second)


def _split_paras(xml: str) -> list[str]:
    if not xml:
        return []
    root = etree.fromstring(f"<root {NSDECL}>{xml}</root>")
    return [etree.tostring(p, encoding="unicode") for p in root]


def nest_in_frame(body) -> None:
    """The whole body inside one 1×1 layout table (the section properties stay in the body)."""
    frame = el('<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="9740"/>'
               "</w:tblGrid><w:tr><w:tc><w:tcPr><w:tcW w:w=\"9740\" w:type=\"dxa\"/></w:tcPr></w:tc></w:tr></w:tbl>")
    tc = frame.find(f"{W}tr/{W}tc")
    for child in list(body):
        if child.tag != W + "sectPr":
            tc.append(child)
    if tc[-1].tag != W + "p":  # a cell ends with a paragraph
        tc.append(el("<w:p/>"))
    body.insert(0, frame)


# ---------------------------------------------------------------- the messy report

BLANKS = {  # zeros left blank
    ("requests", "withheld_state_secret", "natural_person"),
    ("requests", "carried_over", "total"),
    ("review_litigation", "reconsideration", "pending"),
}
WIDE = {("requests", "granted", "natural_person"): "１２３", ("proactive", "licensing", "decisions"): " 4 5 "}
TRACKED = ("requests", "new_received", "total")  # 99 deleted, the right number inserted
SPLIT_AT = 10  # table 三 cut inside （三）不予公开's merged rows


def messy_report(split: bool = True, repeat_header: bool = False, nested: bool = False,
                 grid_before: bool = True) -> Filled:
    """A unit's whole report in Word, as units make it (see the module docstring)."""
    import docx

    def write(key, serial):
        if key in BLANKS:
            return ""
        return WIDE.get(key, number_text(key, serial))

    filled = filled_template(write)
    doc = docx.Document(io.BytesIO(filled.data))
    header = doc.sections[0].header
    header.is_linked_to_previous = False
    header.paragraphs[0].text = UNIT
    t3 = doc.tables[1]
    t3.cell(6, 1).text = "(二)部分公开(区分处理的，只计这一情形，不计其他情形)"  # half-width brackets
    buf = io.BytesIO()
    doc.save(buf)
    text, where = dict(filled.text), dict(filled.where)

    def change(body):
        paras = body.findall(W + "p")
        for i, p in enumerate(paras):
            content = "".join(p.itertext())
            if content in NARRATIVE or content == "二、主动公开政府信息情况" or content.startswith(("三、", "四、")):
                ppr = p.find(W + "pPr")
                ppr.append(el('<w:outlineLvl w:val="0"/>'))
            if content == "（文字描述）" or content.startswith("（文字描述，"):
                heading = next(("".join(q.itertext()) for q in reversed(paras[:i]) if "".join(q.itertext())), "")
                for child in [c for c in p if c.tag != W + "pPr"]:
                    p.remove(child)
                p.append(el(f'<w:r><w:t>{esc(NARRATIVE[heading])}</w:t></w:r>'))
            if content == "政府信息公开工作年度报告格式模板":
                body.replace(p, el(textbox_para(TITLE)))
        tables = body.findall(W + "tbl")
        r, c = filled.where[TRACKED][1:]
        set_cell(grid_cells(tables[1])[(r, c)],
                 f'<w:del w:id="1" w:author="a"><w:r><w:delText>99</w:delText></w:r></w:del>'
                 f'<w:ins w:id="2" w:author="a"><w:r><w:t>{text[TRACKED]}</w:t></w:r></w:ins>')
        if grid_before:
            _grid_before(tables[2])
        if split:
            split_table(body, 1, SPLIT_AT, repeat=3 if repeat_header else 0)
        if nested:
            nest_in_frame(body)

    data = with_document(buf.getvalue(), change)
    shift = 1 if nested else 0
    for key, (t, r, c) in list(where.items()):
        if t == 2 and grid_before:
            c += 1
        if t == 1 and split and r >= SPLIT_AT:
            t, r = 2, r - SPLIT_AT + (3 if repeat_header else 0)
        elif t == 2 and split:
            t = 3
        where[key] = (t + shift, r, c)
    return Filled(data, text, where, tables=3 + split + shift)


def _grid_before(tbl) -> None:
    """Table 四 with a narrow first column: the header rows skip it (gridBefore), the data row labels it."""
    grid = tbl.find(W + "tblGrid")
    grid.insert(0, el('<w:gridCol w:w="600"/>'))
    rows = tbl.findall(W + "tr")
    for row in rows[:-1]:
        trpr = row.find(W + "trPr")
        if trpr is None:
            trpr = el("<w:trPr/>")
            row.insert(1 if len(row) and row[0].tag == W + "tblPrEx" else 0, trpr)
        trpr.insert(0, el('<w:gridBefore w:val="1"/>'))
    last = rows[-1]
    first_tc = last.find(W + "tc")
    last.insert(list(last).index(first_tc), el('<w:tc><w:tcPr><w:tcW w:w="600" w:type="dxa"/></w:tcPr>'
                                              "<w:p><w:r><w:t>件数</w:t></w:r></w:p></w:tc>"))


# ---------------------------------------------------------------- a package from hand-written XML

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {NSDECL}>'
    '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="Normal"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 1"/><w:basedOn w:val="1"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="9"><w:name w:val="我的标题"/><w:basedOn w:val="1"/>'
    '<w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="10"><w:name w:val="正文缩进"/><w:basedOn w:val="9"/></w:style>'
    "</w:styles>"
)


def document_xml(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NSDECL}><w:body>{body}'
            '<w:sectPr/></w:body></w:document>').encode()


def package(body: str, extra: dict[str, bytes | str] | None = None, document: bytes | None = None) -> bytes:
    """A minimal .docx: the body's markup (w:, mc:, wps: prefixes), styles, and any ``extra`` parts."""
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": RELS,
        "word/document.xml": document if document is not None else document_xml(body),
        "word/styles.xml": STYLES,
    }
    parts.update(extra or {})
    return rezip({k: v.encode() if isinstance(v, str) else v for k, v in parts.items()})


def table_xml(rows: list[str], grid: list[int] | None = None) -> str:
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in (grid or []))
    return f"<w:tbl><w:tblPr/><w:tblGrid>{cols}</w:tblGrid>{''.join(rows)}</w:tbl>"


def tc(text: str = "", span: int = 1, vmerge: str | None = None, extra_pr: str = "", runs: str | None = None) -> str:
    pr = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        '<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>" if vmerge == "continue" else "")
    content = runs if runs is not None else (f"<w:r><w:t>{esc(text)}</w:t></w:r>" if text else "")
    return f"<w:tc><w:tcPr>{pr}{extra_pr}</w:tcPr><w:p>{content}</w:p></w:tc>"


def tr(*cells: str, pr: str = "") -> str:
    return f"<w:tr>{f'<w:trPr>{pr}</w:trPr>' if pr else ''}{''.join(cells)}</w:tr>"
