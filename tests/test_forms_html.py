"""The HTML reader (transforms/reading/forms/html.py): portal pages, single-file pages and sheets saved as web pages.

The two real pages (shared/samples/published/pingtan-2024.html, pingtan-2025.html) are read cell for cell against
tests/published/pingtan-*.json, transcribed by hand from the pages' text (pingtan-*.txt), and against the text
itself. Generated pages carry the statutory tables of the Word template (tests/reading_fixtures.docx_tables, not the
product's writers) in every encoding and markup a portal or an office program produces; hostile pages must be read
within the caps or refused with a reason, never crash.
"""

from __future__ import annotations

import base64
import codecs
import json
import quopri
import re
from pathlib import Path

import pytest
from reading_fixtures import docx_tables

from transforms.format.statutory import FORMAT_2021
from transforms.reading.forms import read_document, sniff
from transforms.reading.forms.document import MAX_TABLE_COLS, MAX_TABLE_ROWS, MAX_TABLES, Document, stack
from transforms.reading.forms.html import MAX_CELLS, decode, read_html
from transforms.reading.guard import Rejected
from transforms.reading.labels import INDEXES
from transforms.reading.numbers import parse
from transforms.reading.tables import SheetScan, locate

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT.parent / "shared" / "samples" / "published"
EXPECTED = Path(__file__).resolve().parent / "published"
YEARS = (2024, 2025)
Key = tuple[str, str, str]
ADDRESS = re.compile(r"^表格[1-9]\d*!R[1-9]\d*C[1-9]\d*$")


# ---------------------------------------------------------------- helpers


def located(doc: Document, version: str = FORMAT_2021.version) -> dict[Key, tuple[str, str]]:
    """Every statutory cell the table finder locates in the document's tables: key → (text, address)."""
    assert doc.tables, "no tables read"
    grid = stack(doc.tables, "html")
    found = locate([SheetScan(grid)], INDEXES[version])
    out = {}
    for section, locs in found.items():
        if locs:
            for (row, col), (r, c) in locs[0].values.items():
                out[(section, row, col)] = (grid.get(r, c), grid.address(r, c))
    return out


def expected_cells(year: int) -> dict[Key, int | float]:
    data = json.loads((EXPECTED / f"pingtan-{year}.json").read_text(encoding="utf-8"))
    return {(s, r, c): v for s, rows in data.items() for r, cols in rows.items() for c, v in cols.items()}


def real(year: int) -> bytes:
    return (PUBLISHED / f"pingtan-{year}.html").read_bytes()


def flow_text(doc: Document) -> str:
    """The document's text in reading order: paragraphs and, where they stand, the tables' cells row by row."""
    parts: list[str] = []
    shown = 0
    for block in doc.blocks:
        while shown < block.tables_before:
            parts += [v for row in doc.tables[shown].cells for v in row if v]
            shown += 1
        parts.append(block.text)
    for table in doc.tables[shown:]:
        parts += [v for row in table.cells for v in row if v]
    return re.sub(r"\s+", "", "".join(parts))


PRINTED = FORMAT_2021.cells(include_derived=False)


def statutory_tables(*, split: bool = False, blanks: bool = False, first_table: int = 1,
                     markup=None) -> tuple[str, dict[Key, tuple[str, str]]]:
    """The template's three tables as HTML (merges as rowspan/colspan), every value cell a distinct number.

    Returns (html, expected): key → (value text, address). ``split``: labels split across <p>s and padded with
    &nbsp; runs, as portals' editors leave them; ``blanks``: zero values typed as empty cells (and &nbsp;);
    ``markup(text)``: how a cell's text is written (default: as is, line breaks as <br>).
    """
    t2, t3, t4 = docx_tables()
    fmt = FORMAT_2021
    values: list[dict[tuple[int, int], Key]] = [{}, {}, {}]
    proactive = fmt.section("proactive")
    rows = iter(proactive.rows)
    for tr in range(t2[2]):
        label = t2[0].get((tr, 0), "")
        if label and any(label == row.label.text for row in proactive.rows):
            row = next(rows)
            for j, m in enumerate(proactive.measures_of(row.code)):
                values[0][(tr, 1 + j)] = ("proactive", row.code, m.code)
    requests = fmt.section("requests")
    printed = [row for row in requests.rows if not row.derived]
    for tr, row in zip(range(3, t3[2]), printed, strict=True):
        for j, m in enumerate(requests.columns):
            values[1][(tr, 3 + j)] = ("requests", row.code, m.code)
    review = fmt.section("review_litigation")
    j = 0
    for row in review.rows:
        for m in review.columns:
            values[2][(t4[2] - 1, j)] = ("review_litigation", row.code, m.code)
            j += 1
    expected: dict[Key, tuple[str, str]] = {}
    serial = 0
    html = []
    for n, ((texts, merges, nrows, ncols), keyed) in enumerate(zip((t2, t3, t4), values, strict=True)):
        name = f"表格{first_table + n}"
        covered = {(r, c): (r0, c0) for r0, c0, r1, c1 in merges
                   for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges}
        out = [f"<p>{fmt.sections[n].title.text}</p>", '<table border="1" cellspacing="0">']
        for r in range(nrows):
            out.append("<tr>")
            for c in range(ncols):
                if covered.get((r, c), (r, c)) != (r, c):
                    continue
                rs, cs = spans.get((r, c), (1, 1))
                attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
                if (r, c) in keyed:
                    serial += 1
                    key = keyed[(r, c)]
                    decimal = fmt.section(key[0]).measure(key[1], key[2]).decimal
                    text = f"{serial}.25" if decimal else str(serial)
                    if blanks and serial % 3 == 0:
                        text = ""
                    expected[key] = (text, f"{name}!R{r + 1}C{c + 1}")
                    body = text if text or serial % 2 else "&nbsp;"
                else:
                    text = texts.get((r, c), "")
                    body = _split(text) if split and len(text) >= 4 else text.replace("\n", "<br>")
                if markup is not None and (r, c) in keyed:
                    body = markup(body)
                out.append(f"<td{attrs}>{body}</td>")
            out.append("</tr>")
        out.append("</table>")
        html.append("".join(out))
    return "\n".join(html), expected


def _split(label: str) -> str:
    """一、本年新收政府信息公开申请数量 → <p>&nbsp;一、本年新收</p><p>政府信息&nbsp;&nbsp;&nbsp;公开申请数量&nbsp;</p>"""
    label = label.replace("\n", "")
    a, b = label[: len(label) // 2], label[len(label) // 2:]
    mid = len(b) // 2
    return (f"<p>&nbsp;<span>{a}</span></p><p style=\"text-indent:0\">{b[:mid]}&nbsp;&nbsp;&nbsp;"
            f"{b[mid:]}&nbsp;\u3000</p>")


def page(body: str, *, head: str = "", title: str = "某县2024年度政府信息公开工作年度报告_某县人民政府") -> str:
    return (f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body>"
            f"<div class=\"article\"><h1>某县2024年度政府信息公开工作年度报告</h1>"
            f"<p>一、总体情况</p><p>2024年，某县认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息1200条。</p>"
            f"{body}<p>五、存在的主要问题及改进情况</p><p>公开的及时性有待提高，下一步将加强培训。</p>"
            f"<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p></div></body></html>")


def assert_reads(doc: Document, expected: dict[Key, tuple[str, str]]) -> None:
    got = located(doc)
    assert set(expected) == set(PRINTED)
    missing = sorted(set(expected) - set(got))
    assert not missing, f"not located: {missing[:5]}"
    wrong = {k: (got[k], v) for k, v in expected.items() if got[k] != v}
    assert not wrong, f"{len(wrong)} cells differ, e.g. {list(wrong.items())[:3]}"


# ---------------------------------------------------------------- the real pages


@pytest.fixture(scope="module", params=YEARS)
def real_page(request) -> tuple[int, Document]:
    return request.param, read_html(real(request.param))


def test_fixtures_are_the_statutory_cells_and_their_arithmetic_holds():
    """The hand-transcribed figures cover every printed cell of the 2021 format, and the identities the README
    states hold in them: table 三's totals, the carry-over between the years, and the X-INFORCE break."""
    for year in YEARS:
        cells = expected_cells(year)
        assert set(cells) == set(PRINTED)
        req = FORMAT_2021.section("requests")
        parts = [m.code for m in req.columns if m.code != "total"]
        for row in (r.code for r in req.rows if not r.derived):
            assert sum(cells[("requests", row, p)] for p in parts) == cells[("requests", row, "total")], (year, row)
        outcomes = [r.code for r in req.rows if r.leaf_outcome]
        for m in req.columns:
            concluded = cells[("requests", "concluded_total", m.code)]
            assert sum(cells[("requests", r, m.code)] for r in outcomes) == concluded, (year, m.code)
            assert (cells[("requests", "new_received", m.code)] + cells[("requests", "carried_over", m.code)]
                    == concluded + cells[("requests", "carried_forward", m.code)]), (year, m.code)
        for row in FORMAT_2021.section("review_litigation").rows:
            got = [cells[("review_litigation", row.code, m)] for m in ("upheld", "corrected", "other", "pending")]
            assert sum(got) == cells[("review_litigation", row.code, "total")], (year, row.code)
    y24, y25 = expected_cells(2024), expected_cells(2025)
    for m in FORMAT_2021.section("requests").columns:
        assert y25[("requests", "carried_over", m.code)] == y24[("requests", "carried_forward", m.code)]
    docs = ("proactive", "normative_docs")
    carried = y24[(*docs, "in_force")] + y25[(*docs, "issued")] - y25[(*docs, "repealed")]
    assert (carried, y25[(*docs, "in_force")]) == (453, 546)  # the real X-INFORCE case


def test_real_page_every_statutory_cell(real_page):
    year, doc = real_page
    want = expected_cells(year)
    got = located(doc)
    assert set(want) <= set(got), sorted(set(want) - set(got))[:5]
    for key, value in want.items():
        text, address = got[key]
        measure = FORMAT_2021.section(key[0]).measure(key[1], key[2])
        assert parse(text, measure).value == value, (key, text, value)
        assert ADDRESS.match(address), address
    # where a person finds them: 表二 is the page's 1st table, 表三 the 2nd, 表四 the 3rd
    assert got[("proactive", "rules", "issued")][1] == "表格1!R3C2"
    assert got[("proactive", "fees", "amount_wan_yuan")][1] == "表格1!R14C2"
    assert got[("requests", "new_received", "natural_person")][1] == "表格2!R4C4"
    assert got[("requests", "other_misc", "total")][1] == "表格2!R26C10"
    assert got[("requests", "carried_forward", "total")][1] == "表格2!R28C10"
    assert got[("review_litigation", "reconsideration", "upheld")][1] == "表格3!R4C1"
    assert got[("review_litigation", "litigation_after_reconsideration", "total")][1] == "表格3!R4C15"


def test_real_page_tables_as_laid_out(real_page):
    _year, doc = real_page
    assert doc.kind == "html" and doc.skipped == {}
    assert [(len(t.cells), max(len(r) for r in t.cells)) for t in doc.tables] == [(14, 4), (28, 10), (4, 15)]
    t2, t3, t4 = doc.tables
    assert t2.rows[0] == ("表格1", 1) and t3.rows[27] == ("表格2", 28) and t4.rows[3] == ("表格3", 4)
    # 三、本年度办理结果 spans 22 rows in column 1; its text came in three <p>s
    assert (5, 0, 26, 0) in t3.merges
    assert t3.cells[5][0] == "三、本\n年度办\n理结果"
    assert all(t3.cells[r][0] is None for r in range(6, 27))
    assert t3.cells[2][6] == "社会\n公益\n组织"
    assert (0, 0, 2, 2) in t3.merges and t3.cells[0][1] is None and t3.cells[2][2] is None
    assert t4.cells[1][1] == "结果\n纠正" and t4.cells[2][0] is None
    assert t2.cells[6][1] in ("4529", "2418") and t2.cells[6][2] is None  # 本年处理决定数量 over three columns


def test_real_page_text_is_the_pages_text(real_page):
    """Paragraphs and cells in reading order are exactly the page's text (pingtan-*.txt), nothing of the portal."""
    year, doc = real_page
    txt = (PUBLISHED / f"pingtan-{year}.txt").read_text(encoding="utf-8")
    body = txt.split("==================== 正文 ====================", 1)[1]
    assert flow_text(doc) == re.sub(r"\s+", "", body)


def test_real_page_title_and_narrative(real_page):
    year, doc = real_page
    assert doc.title == f"平潭综合实验区{year}年度政府信息公开工作年度报告"
    assert [b.where for b in doc.blocks] == [f"第{i}段" for i in range(1, len(doc.blocks) + 1)]
    headings = {b.text: b for b in doc.blocks if b.heading}
    for title, tables_before in (("一、总体情况", 0), ("二、主动公开政府信息情况", 0), ("三、收到和处理政府信息公开申请情况", 1),
                                 ("四、政府信息公开行政复议、行政诉讼情况", 2), ("五、存在的主要问题及改进情况", 3),
                                 ("六、其他需要报告的事项", 3)):
        assert headings[title].tables_before == tables_before
    texts = [b.text for b in doc.blocks]
    five = texts.index("五、存在的主要问题及改进情况")
    six = texts.index("六、其他需要报告的事项")
    assert texts[five + 1].startswith(f"{year}年，") and not doc.blocks[five + 1].heading
    assert texts[six + 1] == f"{year}年，无收取信息处理费情况。"
    assert texts[2].startswith(f"{year}年，平潭综合实验区坚持以习近平新时代中国特色社会主义思想为指导")
    furniture = ("当前位置", "首页", "版权所有", "网站标识码", "扫一扫", "微信", "文件下载", "来源：", "相关链接", "关闭",
                 "闽ICP备", "长者模式", "无障碍")
    assert not [t for t in texts for f in furniture if f in t]


def test_read_document_takes_the_real_page_as_html():
    data = real(2024)
    assert sniff(data) == "html"
    doc = read_document(data)
    assert doc.kind == "html" and len(doc.tables) == 3


# ---------------------------------------------------------------- generated pages: encodings and containers


def test_utf8_page_with_every_value():
    tables, expected = statutory_tables()
    doc = read_html(page(tables, head='<meta charset="utf-8">').encode("utf-8"))
    assert_reads(doc, expected)
    assert doc.title == "某县2024年度政府信息公开工作年度报告"
    assert [b.text for b in doc.blocks if b.heading][:2] == ["某县2024年度政府信息公开工作年度报告", "一、总体情况"]


@pytest.mark.parametrize("head", ['<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
                                  "<meta charset=GBK>", ""], ids=["gb2312", "gbk", "undeclared"])
def test_gbk_page(head):
    tables, expected = statutory_tables()
    html = page(tables, head=head)
    data = html.encode("gb18030")
    assert data != html.encode("utf-8")
    doc = read_html(data)
    assert_reads(doc, expected)
    assert doc.title == "某县2024年度政府信息公开工作年度报告" and doc.skipped == {}
    assert any(b.text == "本年度未收取信息处理费。" for b in doc.blocks)


@pytest.mark.parametrize("bom,codec", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
                                       (b"", "utf-16-le")], ids=["le", "be", "le-without-bom"])
def test_utf16_page(bom, codec):
    tables, expected = statutory_tables()
    data = bom + page(tables, head='<meta charset="utf-16">').encode(codec)
    assert sniff(data) == "html"
    doc = read_html(data)
    assert_reads(doc, expected)
    assert doc.title == "某县2024年度政府信息公开工作年度报告"


def test_utf8_bom_page():
    tables, expected = statutory_tables()
    assert_reads(read_html(codecs.BOM_UTF8 + page(tables).encode("utf-8")), expected)


def test_declared_charset_that_is_wrong():
    """Portal templates declare gb2312 over UTF-8 content, and the other way round: the bytes decide."""
    tables, expected = statutory_tables()
    head = '<meta charset="gb2312">'
    assert_reads(read_html(page(tables, head=head).encode("utf-8")), expected)
    head = '<meta charset="utf-8">'
    assert_reads(read_html(page(tables, head=head).encode("gb18030")), expected)
    head = '<meta charset="iso-8859-1">'
    doc = read_html(page(tables, head=head).encode("gb18030"))
    assert_reads(doc, expected)


def test_decode_order():
    text = "<p>三、收到和处理政府信息公开申请情况</p>"
    assert decode(text.encode("gb18030"), "gb2312") == text
    assert decode(text.encode("utf-8"), "gb2312") == text  # valid UTF-8 is UTF-8 whatever the page says
    traditional = "<p>三、收到和處理政府資訊公開申請情況</p>"
    assert decode(traditional.encode("big5"), "big5") == traditional
    assert decode(b'<meta charset="big5">' + traditional.encode("big5")).endswith(traditional)
    skipped: dict[str, str] = {}
    garbage = text.encode("utf-8") + bytes(range(128, 256)) * 4
    out = decode(garbage, None, skipped)
    assert out.startswith(text) and "\ufffd" in out and "网页中无法解码的字节" in skipped


def _mht(html: str, charset: str, transfer: str) -> bytes:
    body = html.encode(charset if charset != "gb2312" else "gb18030")
    if transfer == "quoted-printable":
        encoded = quopri.encodestring(body)
    else:
        encoded = base64.encodebytes(body)
    boundary = "----=_NextPart_01DA0000.5E6F7A80"
    return (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"" + boundary.encode() + b"\"\r\n\r\n"
            b"This document is a Single File Web Page, also known as a Web Archive file.\r\n\r\n"
            b"--" + boundary.encode() + b"\r\nContent-Location: file:///C:/report.htm\r\n"
            b"Content-Transfer-Encoding: " + transfer.encode() + b"\r\n"
            b"Content-Type: text/html; charset=\"" + charset.encode() + b"\"\r\n\r\n" + encoded + b"\r\n"
            b"--" + boundary.encode() + b"\r\nContent-Location: file:///C:/report.files/image001.png\r\n"
            b"Content-Transfer-Encoding: base64\r\nContent-Type: image/png\r\n\r\niVBORw0KGgo=\r\n"
            b"--" + boundary.encode() + b"--\r\n")


@pytest.mark.parametrize("charset,transfer", [("gb2312", "quoted-printable"), ("utf-8", "base64")])
def test_mht_single_file_page(charset, transfer):
    tables, expected = statutory_tables()
    word_head = ('<meta http-equiv=Content-Type content="text/html; charset=' + charset + '">'
                 '<meta name=ProgId content=Word.Document><meta name=Generator content="Microsoft Word 15">')
    data = _mht(page(tables, head=word_head), charset, transfer)
    assert sniff(data) == "html"
    doc = read_document(data)
    assert doc.kind == "html"
    assert_reads(doc, expected)
    assert doc.title == "某县2024年度政府信息公开工作年度报告"


def test_mht_without_a_page_is_refused():
    data = (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\n"
            b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n")
    with pytest.raises(Rejected) as err:
        read_html(data)
    assert "mht" in err.value.reason


def test_sheet_saved_as_web_page_xls():
    """WPS/Excel "save as web page" with an .xls name: one table holding the whole sheet, x:num cells, mso- styles,
    a title overflowing empty cells (mso-ignore:colspan: not a merge), Excel's hidden sizing row."""
    t2, t3, t4 = docx_tables()
    stacked, expected_tables = statutory_tables()
    # take the generated tables apart again and stack them in one Excel table, two blank rows apart
    rows_html = re.findall(r"<tr>.*?</tr>", stacked, flags=re.S)
    out = ["<tr style='display:none' height=0><td width=72 style='width:54pt'></td></tr>",  # not a row anyone sees
           "<tr height=24><td colspan=4 height=24 class=xl65 style='height:18.0pt;mso-ignore:colspan'>"
           "某县2024年度政府信息公开工作年度报告</td><td class=xl66 x:num>7</td></tr>",
           "<tr height=18></tr>"]
    start = 0
    for n, (_texts, _merges, nrows, _ncols) in enumerate((t2, t3, t4)):
        for tr in rows_html[start:start + nrows]:
            tr = re.sub(r"<td([^>]*)>(\d+(?:\.\d+)?)</td>", r'<td\1 class=xl67 x:num="\2">\2</td>', tr)
            out.append(tr.replace("<td", "<td class=xl68 style='border:.5pt solid windowtext;mso-number-format:\"0\"'",
                                  1))
        start += nrows
        if n < 2:
            out.append("<tr height=18></tr><tr height=18></tr>")
    html = ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">'
            '<head><meta http-equiv=Content-Type content="text/html; charset=gb2312">'
            '<meta name=ProgId content=Excel.Sheet><meta name=Generator content="Microsoft Excel 15">'
            '<style>.xl65{mso-style-parent:style0;font-weight:700;}.xl67{mso-number-format:"0";}</style>'
            '<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets><x:ExcelWorksheet><x:Name>Sheet1</x:Name>'
            '</x:ExcelWorksheet></x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]--></head>'
            '<body link=blue vlink=purple><table border=0 cellpadding=0 cellspacing=0 width=1080 '
            "style='border-collapse:collapse;table-layout:fixed;width:810pt'><col width=72 span=15>"
            + "".join(out)
            + "<![if supportMisalignedColumns]><tr height=0 style='display:none'><td width=72></td></tr>"
              "<![endif]></table></body></html>")
    data = html.encode("gb18030")
    assert sniff(data) == "html"
    doc = read_document(data)
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.cells[0][:5] == ["某县2024年度政府信息公开工作年度报告", "", "", "", "7"]
    assert not any(m[0] == 0 for m in table.merges)  # the overflowing title is not a merge
    # every value where the stacked sheet has it: the generated table's rows shifted by the rows above it
    shift = {"表格1": 2, "表格2": 2 + t2[2] + 2, "表格3": 2 + t2[2] + 2 + t3[2] + 2}
    expected = {}
    for key, (text, address) in expected_tables.items():
        name, _, rc = address.partition("!")
        r, c = (int(x) for x in re.match(r"R(\d+)C(\d+)", rc).groups())
        expected[key] = (text, f"表格1!R{r + shift[name]}C{c}")
    assert_reads(doc, expected)


def test_labels_split_across_paragraphs_and_padded():
    tables, expected = statutory_tables(split=True)
    assert "<p>&nbsp;<span>一、本年新收政府" in tables
    doc = read_html(page(tables).encode("utf-8"))
    assert_reads(doc, expected)
    label = doc.tables[1].cells[3][0]
    assert label.startswith("一、本年新收政府") and "\n" in label and "\xa0" not in label and label == label.strip()


def test_zeros_typed_as_empty_cells():
    tables, expected = statutory_tables(blanks=True)
    doc = read_html(page(tables).encode("utf-8"))
    blanks = [k for k, (text, _a) in expected.items() if text == ""]
    assert len(blanks) > 50
    assert_reads(doc, expected)  # located all the same, read as blank (not as the label next to them)


def test_cells_in_inline_markup():
    """Values wrapped the way editors wrap them: spans, fonts, <p> with styles, <b>, trailing &nbsp;."""
    def markup(body: str) -> str:
        return f'<p style="text-align:center"><span style="font-family:宋体"><font size=2>{body}</font></span>&nbsp;</p>'

    tables, expected = statutory_tables(markup=markup)
    assert_reads(read_html(page(tables).encode("utf-8")), expected)


def test_portal_furniture_is_not_the_article():
    """A county portal page: navigation, breadcrumb, the 政府信息公开 index table, share and print bars, related
    links, footer. The report's tables are 表格1–3 and the blocks are the article's paragraphs only."""
    tables, expected = statutory_tables()
    nav = "".join(f'<li><a href="/c{i}/">栏目{i}</a></li>' for i in range(30))
    related = "".join(f'<li><a href="/r{i}.html">某县{2015 + i}年度政府信息公开工作年度报告</a></li>' for i in range(8))
    html = (
        '<html><head><meta charset="utf-8"><title>某县2024年度政府信息公开工作年度报告-某县人民政府门户网站</title></head>'
        '<body><div class="top"><div class="logo"><a href="/"><img alt="某县人民政府"></a></div>'
        f'<ul class="menu">{nav}</ul></div>'
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 年度报告</div>'
        '<div class="main"><table class="xxgk_table"><tr><td>索引号：</td><td>11331100MB1234567X/2025-00012</td>'
        '<td>发布机构：</td><td>某县人民政府办公室</td></tr><tr><td>生成日期：</td><td>2025-01-20</td>'
        '<td>主题分类：</td><td>政务公开</td></tr></table>'
        '<div class="title"><h1>某县2024年度政府信息公开工作年度报告</h1></div>'
        '<div class="info">发布时间：2025-01-20 来源：县政府办 浏览次数：1024</div>'
        '<div id="zoom"><div class="TRS_Editor">'
        '<p style="text-indent:2em">本报告由某县人民政府办公室根据《中华人民共和国政府信息公开条例》要求编制。</p>'
        '<p style="text-indent:2em"><strong>一、总体情况</strong></p>'
        '<p style="text-indent:2em">2024年，某县坚持以公开为常态、不公开为例外，全年主动公开政府信息1200条，'
        '办理依申请公开86件，政府信息公开工作取得新成效。各部门按照要求及时更新政府信息公开目录。</p>'
        f'{tables}'
        '<p><b>五、存在的主要问题及改进情况</b></p><p>部分部门公开的及时性有待提高，下一步将加强培训和督查。</p>'
        '<p><b>六、其他需要报告的事项</b></p><p>本年度未收取信息处理费。</p>'
        '<p style="text-align:right">某县人民政府办公室</p></div></div>'
        '<div class="bdsharebuttonbox">分享到：<a class="bds_weixin">微信</a><a class="bds_tsina">微博</a></div>'
        '<div class="print_close"><a href="javascript:window.print()">【打印本页】</a>'
        '<a href="javascript:window.close()">【关闭窗口】</a></div>'
        f'<div class="xglj"><h3>相关链接</h3><ul>{related}</ul></div></div>'
        '<div class="footer"><p>主办单位：某县人民政府办公室　承办单位：某县大数据中心</p>'
        '<p>网站标识码：3311000001　浙ICP备12345678号　浙公网安备 33110002000123号</p>'
        '<p>版权所有：某县人民政府　地址：某县人民路1号　联系电话：0578-1234567</p></div>'
        '<script>var _hmt = _hmt || []; document.write("统计代码");</script></body></html>'
    )
    doc = read_html(html.encode("utf-8"))
    assert len(doc.tables) == 3  # not the 索引号 table
    assert_reads(doc, expected)
    assert doc.title == "某县2024年度政府信息公开工作年度报告"
    texts = [b.text for b in doc.blocks]
    assert texts[0].startswith("本报告由某县人民政府办公室") and texts[-1] == "某县人民政府办公室"
    assert "一、总体情况" in texts and "六、其他需要报告的事项" in texts
    for furniture in ("当前位置", "栏目", "索引号", "分享到", "打印", "相关链接", "主办单位", "版权所有", "统计代码",
                      "浏览次数", "2016年度"):
        assert not any(furniture in t for t in texts), furniture
    assert {b.text for b in doc.blocks if b.heading} >= {"一、总体情况", "五、存在的主要问题及改进情况"}


def test_layout_table_around_the_article():
    """An older portal: the whole page in a layout table, the article in one of its cells with the report tables
    nested in it. The layout table is looked through, not read as a table; the report tables keep 表格1–3."""
    tables, expected = statutory_tables()
    nav = "".join(f'<tr><td><a href="/n{i}">导航{i}</a></td></tr>' for i in range(12))
    html = (
        '<html><head><meta charset="gb2312"><title>年度报告</title></head><body>'
        '<table width="980" align="center"><tr><td colspan="2"><img src="banner.jpg"></td></tr>'
        f'<tr><td width="200" valign="top"><table>{nav}</table></td>'
        '<td valign="top"><table width="100%"><tr><td class="bt_content">'
        '<p align="center"><font size="4"><b>某县2024年度政府信息公开工作年度报告</b></font></p>'
        '<p>　　一、总体情况</p><p>　　2024年，某县认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息1200条，'
        '依申请公开办理及时规范，政府信息管理和平台建设稳步推进，监督保障有力。</p>'
        f'{tables}<p>　　五、存在的主要问题及改进情况</p><p>　　公开的及时性有待提高，下一步将加强培训。</p>'
        '</td></tr></table></td></tr>'
        '<tr><td colspan="2" align="center">版权所有：某县人民政府 技术支持：某公司</td></tr></table>'
        '</body></html>'
    )
    doc = read_html(html.encode("gb18030"))
    assert len(doc.tables) == 3
    assert_reads(doc, expected)
    texts = [b.text for b in doc.blocks]
    assert texts[0] == "某县2024年度政府信息公开工作年度报告" and doc.blocks[0].heading
    assert "一、总体情况" in texts and not any("导航" in t or "版权所有" in t for t in texts)


def test_box_table_and_nested_tables_are_numbered_in_order():
    """A one-cell table framing the article is looked through; a data table inside a data table's cell is a table
    of its own, numbered after the one holding it; the outer cell's text leaves it out."""
    nested = ("<table><tr><td>子表</td><td>甲</td></tr><tr><td>行</td><td>5</td></tr></table>")
    html = ("<html><body><table><tr><td><p>报告正文第一段。</p>"
            "<table><tr><td>外表</td><td>甲</td><td>乙</td></tr>"
            f"<tr><td>前{nested}后</td><td>1</td><td>2</td></tr><tr><td>行二</td><td>3</td><td>4</td></tr></table>"
            "<p>报告正文第二段。</p><table><tr><td>第三张</td><td>9</td></tr><tr><td>x</td><td>8</td></tr></table>"
            "</td></tr></table></body></html>")
    doc = read_html(html.encode())
    assert [t.rows[0][0] for t in doc.tables] == ["表格1", "表格2", "表格3"]
    outer, inner, third = doc.tables
    assert outer.cells[1][0] == "前\n后"
    assert inner.cells == [["子表", "甲"], ["行", "5"]]
    assert third.cells[0] == ["第三张", "9"]
    assert [(b.text, b.tables_before) for b in doc.blocks] == [("报告正文第一段。", 0), ("报告正文第二段。", 2)]


# ---------------------------------------------------------------- the table model


def table_of(html: str):
    doc = read_html(f"<html><body>{html}</body></html>".encode())
    assert len(doc.tables) == 1
    return doc.tables[0]


def test_spans_expanded_with_none_at_covered_positions():
    t = table_of("<table><tr><th rowspan=2 colspan=2>角</th><th colspan=2>申请人</th></tr>"
                 "<tr><th>自然人</th><th>总计</th></tr><tr><td>一</td><td>二</td><td>3</td><td>4</td></tr></table>")
    assert t.cells == [["角", None, "申请人", None], [None, None, "自然人", "总计"], ["一", "二", "3", "4"]]
    assert sorted(t.merges) == [(0, 0, 1, 1), (0, 2, 0, 3)]
    assert t.rows == [("表格1", 1), ("表格1", 2), ("表格1", 3)]


def test_overlapping_spans_do_not_overlap():
    """A colspan running into a cell held by a rowspan from above stops there (the HTML table model calls it an
    error; browsers draw the two over each other): no position has two cells."""
    t = table_of("<table><tr><td>B</td><td rowspan=3>A</td><td>x</td></tr>"
                 "<tr><td colspan=3 rowspan=2>C</td><td>D</td></tr><tr><td>E</td></tr></table>")
    assert t.cells == [["B", "A", "x"], ["C", None, "D"], [None, None, "E"]]
    assert sorted(t.merges) == [(0, 1, 2, 1), (1, 0, 2, 0)]
    covered = [(r, c) for r0, c0, r1, c1 in t.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
    assert len(covered) == len(set(covered))


def test_rowspan_zero_and_absurd_spans_are_clamped():
    t = table_of("<table><tbody><tr><td rowspan=0>x</td><td>1</td></tr><tr><td>2</td></tr></tbody>"
                 "<tbody><tr><td rowspan=65534>y</td><td colspan=0>3</td></tr><tr><td>4</td></tr></tbody></table>")
    assert t.cells == [["x", "1"], [None, "2"], ["y", "3"], [None, "4"]]
    assert sorted(t.merges) == [(0, 0, 1, 0), (2, 0, 3, 0)]
    wide = table_of("<table><tr><td colspan='100000'>a</td></tr><tr><td>b</td><td>1</td></tr></table>")
    assert len(wide.cells[0]) == MAX_TABLE_COLS and wide.merges[0] == (0, 0, 0, MAX_TABLE_COLS - 1)
    assert wide.cells[1] == ["b", "1"]


def test_row_groups_in_the_order_written_and_th_like_td():
    t = table_of("<table><tfoot><tr><td>合计</td><td>9</td></tr></tfoot><thead><tr><th>项目</th><th>数量</th></tr>"
                 "</thead><tbody><tr><td>行政许可</td><td>9</td></tr></tbody><caption>表一</caption></table>")
    assert t.cells == [["合计", "9"], ["项目", "数量"], ["行政许可", "9"]]


def test_cell_text():
    t = table_of("<table><tr><td>a<br>b<p>c</p><div>d</div>&nbsp;&nbsp;e\u3000\u3000f&nbsp;<script>x=1</script>"
                 "<style>td{}</style><span style='display: none'>藏</span><!-- 注释 --></td><td> 2 </td></tr>"
                 "<tr><td>&nbsp;</td><td>\u3000</td></tr></table>")
    assert t.cells == [["a\nb\nc\nd\ne f", "2"], ["", ""]]
    # a newline in the markup's text is whitespace (a browser shows a space); <br>/<p> are the line breaks
    t = table_of("<table><tr><td>结果\n        纠正</td><td>\n  <span>其他</span>\n  结果\n</td></tr>"
                 "<tr><td><p>结果</p>\n<p>维持\n</p></td><td>尚未<br/>\n审结</td></tr></table>")
    assert t.cells == [["结果 纠正", "其他 结果"], ["结果\n维持", "尚未\n审结"]]


def test_hidden_things_are_not_read():
    html = ("<html><body><div id='zoom'><p>正文第一段，说明本年度的总体情况。</p>"
            "<table style='display:none'><tr><td>行政许可</td><td>999</td></tr><tr><td>x</td><td>1</td></tr></table>"
            "<table><tr><td>行政许可</td><td>12</td></tr><tr style='visibility:hidden'><td>行政处罚</td><td>777</td>"
            "</tr><tr><td hidden>藏</td><td>行政强制</td><td>3</td></tr></table>"
            "<p style='display:none'>隐藏的段落</p><script>document.write('脚本')</script>"
            "<noscript>请启用脚本</noscript></div></body></html>")
    doc = read_html(html.encode())
    assert len(doc.tables) == 1
    assert doc.tables[0].cells == [["行政许可", "12"], ["行政强制", "3"]]
    assert [b.text for b in doc.blocks] == ["正文第一段，说明本年度的总体情况。"]


def test_title_from_the_title_element_without_the_site():
    doc = read_html("<html><head><title>某县2024年度政府信息公开工作年度报告_年度报告_某县人民政府</title></head>"
                    "<body><p>正文</p></body></html>".encode())
    assert doc.title == "某县2024年度政府信息公开工作年度报告"
    doc = read_html("<html><head><title>某县人民政府 | 某县2023年度政府信息公开工作年度报告</title></head>"
                    "<body><p>正文</p></body></html>".encode())
    assert doc.title == "某县2023年度政府信息公开工作年度报告"
    doc = read_html("<html><head><meta name='ArticleTitle' content=' 某乡 2024年度报告 '><title>x_y</title></head>"
                    "<body><h1>别的</h1></body></html>".encode())
    assert doc.title == "某乡 2024年度报告"


# ---------------------------------------------------------------- damaged and hostile pages


def test_page_without_tables():
    doc = read_html(page("<p>表格见附件。</p>").encode())
    assert doc.tables == [] and doc.as_grids() == []
    assert any(b.text == "表格见附件。" for b in doc.blocks)


def test_binary_garbage_after_the_page():
    tables, expected = statutory_tables()
    data = page(tables).encode("utf-8") + bytes(range(256)) * 400 + b"\x00\xff\xfe" * 1000
    doc = read_html(data)
    assert_reads(doc, expected)
    assert "网页中无法解码的字节" in doc.skipped


def test_billion_laughs_and_external_entities_are_never_expanded():
    entities = '<!ENTITY a "' + "哈" * 10 + '">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8))
    xhtml = ('<?xml version="1.0" encoding="utf-8"?>'
             f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://127.0.0.1:9/xhtml1.dtd" [{entities}'
             '<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "http://127.0.0.1:9/x">]>'
             '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>报告</title></head><body>'
             '<p>&i;</p><table><tr><td>&xxe;</td><td>&net;</td></tr><tr><td>行政许可</td><td>5</td></tr></table>'
             '</body></html>')
    doc = read_html(xhtml.encode("utf-8"))
    text = "".join(b.text for b in doc.blocks) + "".join(v or "" for t in doc.tables for r in t.cells for v in r)
    assert "哈哈" not in text and "root:" not in text and len(text) < 200
    assert doc.tables[0].cells[1] == ["行政许可", "5"]
    assert "ENTITY" not in text


def test_enormous_attribute_values():
    huge = "x" * 1_000_000
    html = (f"<html><body><div class='{huge}' id='{huge}'><p title='{huge}'>正文一段。</p>"
            f"<table style='{huge}'><tr><td colspan='{'9' * 100_000}' style='{huge}'>行政许可</td><td rowspan='"
            f"{'1' * 100_000}'>5</td></tr><tr><td>行政处罚</td><td>6</td></tr></table></div></body></html>")
    doc = read_html(html.encode())
    assert len(doc.tables) == 1
    t = doc.tables[0]
    # the span is clamped to the column cap; what it pushes beyond the cap is left out, and said so
    assert t.cells[0][0] == "行政许可" and len(t.cells[0]) == MAX_TABLE_COLS
    assert t.merges == [(0, 0, 0, MAX_TABLE_COLS - 1)] and t.cells[1] == ["行政处罚", "6"]
    assert doc.skipped == {"表格1第 101 列起": "表格超过 100 列"}
    assert [b.text for b in doc.blocks] == ["正文一段。"]
    # past libxml2's 10 MB buffer limit: what came before is read and the rest is said to be missing
    first = "<table><tr><td>行政处罚</td><td>7</td></tr><tr><td>行政强制</td><td>8</td></tr></table>"
    over = "x" * 11_000_000
    doc = read_html(f"<html><body>{first}<div class='{over}'>后</div></body></html>".encode())
    assert doc.tables[0].cells == [["行政处罚", "7"], ["行政强制", "8"]]
    assert "10 MB" in doc.skipped["网页中超长的文字或属性及其后的内容"]
    with pytest.raises(Rejected) as err:
        read_html(f"<html><body><p title='{over}'>x</p>{first}</body></html>".encode())
    assert "超长" in err.value.reason


def test_a_hundred_thousand_cells():
    row = "<tr>" + "<td>1</td>" * 100_000 + "</tr>"
    doc = read_html(f"<html><body><table>{row}<tr><td>行政许可</td><td>5</td></tr></table></body></html>".encode())
    t = doc.tables[0]
    assert len(t.cells[0]) == MAX_TABLE_COLS and t.cells[1] == ["行政许可", "5"]
    assert doc.skipped == {"表格1第 101 列起": "表格超过 100 列"}
    rows = "".join(f"<tr><td>{i}</td><td>x</td></tr>" for i in range(100_000))
    doc = read_html(f"<html><body><table>{rows}</table></body></html>".encode())
    t = doc.tables[0]
    assert len(t.cells) == MAX_TABLE_ROWS and t.cells[-1] == [str(MAX_TABLE_ROWS - 1), "x"]
    assert doc.skipped == {"表格1第 2001 行起": "表格超过 2000 行"}


def test_a_hundred_thousand_deep():
    deep = "<div>" * 100_000 + "<table><tr><td>行政许可</td><td>5</td></tr></table>" + "</div>" * 100_000
    with pytest.raises(Rejected) as err:
        read_html(f"<html><body>{deep}</body></html>".encode())
    assert "嵌套" in err.value.reason
    # with the report's table before the deep part: what came before is read, and the rest is said to be missing
    first = "<table><tr><td>行政处罚</td><td>7</td></tr><tr><td>行政强制</td><td>8</td></tr></table>"
    doc = read_html(f"<html><body><p>正文。</p>{first}{deep}</body></html>".encode())
    assert doc.tables[0].cells == [["行政处罚", "7"], ["行政强制", "8"]]
    assert "嵌套" in doc.skipped["网页中嵌套过深之处及其后的内容"]
    deep_tables = "<table><tr><td>" * 5000 + "x" + "</td></tr></table>" * 5000
    doc = read_html(f"<html><body>{first}{deep_tables}</body></html>".encode())  # nested tables, iterated
    assert doc.tables[0].cells[0] == ["行政处罚", "7"]


def test_too_many_tables_and_spans_that_multiply():
    many = "".join(f"<table><tr><td>t{i}</td><td>1</td></tr><tr><td>a</td><td>b</td></tr></table>"
                   for i in range(MAX_TABLES + 50))
    doc = read_html(f"<html><body>{many}</body></html>".encode())
    assert len(doc.tables) == MAX_TABLES and doc.tables[-1].cells[0][0] == f"t{MAX_TABLES - 1}"
    assert doc.skipped == {f"第 {MAX_TABLES + 1} 个表格起": f"网页中的表格超过 {MAX_TABLES} 个"}
    rows = "<tr><td>x</td></tr>" * (MAX_TABLE_ROWS - 1)
    bomb = (f"<table><tr><td rowspan={MAX_TABLE_ROWS} colspan={MAX_TABLE_COLS}>大</td><td>1</td></tr>{rows}</table>"
            * 60)
    doc = read_html(f"<html><body>{bomb}</body></html>".encode())
    positions = sum(len(row) for t in doc.tables for row in t.cells)
    assert positions <= MAX_CELLS + MAX_TABLE_COLS * MAX_TABLE_ROWS
    assert len(doc.tables) < 60 and doc.skipped
    grid = stack(doc.tables, "html")  # the finder's grid stays as bounded as the tables
    assert grid.height <= len(doc.tables) * (MAX_TABLE_ROWS + 2)


def test_empty_and_tagless_pages():
    doc = read_html(b"<html></html>")
    assert doc.tables == [] and doc.blocks == []
    doc = read_html("<table><tr><td>行政许可</td><td>5</td></tr><tr><td>a</td><td>b</td></tr></table>".encode())
    assert doc.tables[0].cells[0] == ["行政许可", "5"]
    with pytest.raises(Rejected):
        read_html(b"   ")


def test_furniture_inside_the_article_box_and_br_paragraphs():
    """Portals that put the print/close line, the article's meta line and related links inside the article's own
    box, without telling class names; an article written as one <div> with <br> between paragraphs."""
    tables, expected = statutory_tables()
    links = "".join(f'<li><a href="/a{i}.html">某县{2010 + i}年度政府信息公开工作年度报告</a></li>' for i in range(6))
    html = ('<html><body><div><a href="/">首页</a></div><div id="a1">'
            '<p>发布时间：2025-01-20　来源：县政府办</p>'
            '<div>一、总体情况<br>2024年，某县全年主动公开政府信息1200条。<br><br>（一）主动公开方面。公开及时。</div>'
            f'{tables}<div>五、存在的主要问题及改进情况<br>公开的及时性有待提高。</div>'
            '<p>【打印本页】 【关闭窗口】</p><p>上一篇：<a href="/p.html">某县2023年度报告</a></p>'
            f'<ul>{links}</ul></div></body></html>')
    doc = read_html(html.encode())
    assert_reads(doc, expected)
    assert [(b.text, b.tables_before) for b in doc.blocks if b.tables_before == 0] == [
        ("一、总体情况", 0), ("2024年，某县全年主动公开政府信息1200条。", 0), ("（一）主动公开方面。公开及时。", 0),
        ("二、主动公开政府信息情况", 0)]
    texts = [b.text for b in doc.blocks]
    assert texts[-2:] == ["五、存在的主要问题及改进情况", "公开的及时性有待提高。"]
    assert not any(word in t for t in texts for word in ("发布时间", "打印", "上一篇", "2012年度", "首页"))


def test_prose_heavy_furniture_next_to_a_short_article():
    """A short article (the tables and two lines) beside a sidebar and a footer full of plain text: the article is
    still found, because navigation, sidebar and footer boxes are not counted as the page's text."""
    tables, expected = statutory_tables()
    bio = "某某，男，汉族，1970年生，大学学历，现任某县县长，主持县政府全面工作，分管审计、财政、编制等工作。" * 25
    html = ('<html><body><header><p>某县人民政府欢迎您！今天是2025年1月20日，星期一，天气晴。</p></header>'
            f'<div class="wrap"><div class="left_sidebar"><h3>领导之窗</h3><p>{bio}</p></div>'
            f'<div class="wz_box"><p>某县2024年度政府信息公开工作年度报告如下。</p>{tables}'
            '<p>六、其他需要报告的事项</p><p>无。</p></div></div>'
            '<footer><p>' + "主办：某县人民政府办公室　地址：某县人民路1号　邮编：123456　电话：0578-1234567　" * 8
            + '</p></footer></body></html>')
    doc = read_html(html.encode())
    assert_reads(doc, expected)
    texts = [b.text for b in doc.blocks]
    assert texts[0] == "某县2024年度政府信息公开工作年度报告如下。" and texts[-1] == "无。"
    assert not any(word in t for t in texts for word in ("领导之窗", "某某", "主办", "欢迎您"))


# ---------------------------------------------------------------- end to end: read_submission


@pytest.fixture(scope="module")
def pingtan_registry(tmp_path_factory):
    from transforms.registry import Registry

    folder = tmp_path_factory.mktemp("pingtan-registry")
    (folder / "units.csv").write_text(
        "unit_code,unit_name,unit_type,aliases,active_from,active_to\n"
        "gov_pingtan,平潭综合实验区,county_government,平潭综合实验区管委会|平潭综合实验区管理委员会,,\n"
        "twp_other,某镇,township,某镇人民政府,,\n", encoding="utf-8")
    return Registry.load(folder / "units.csv")


def _as_gbk(data: bytes) -> bytes:
    text = data.decode("utf-8").replace('<meta charset="utf-8"', '<meta charset="gb2312"', 1)
    return text.encode("gb18030")


def _as_mht(data: bytes) -> bytes:
    return _mht(data.decode("utf-8").replace('<meta charset="utf-8"', '<meta charset="gb2312"', 1), "gb2312",
                "quoted-printable")


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("form", ["as posted", "gbk", "mht"])
def test_read_submission_of_the_real_page(year, form, pingtan_registry, tmp_path):
    from datetime import date

    from transforms.reading import read_submission

    data = real(year)
    data = {"as posted": data, "gbk": _as_gbk(data), "mht": _as_mht(data)}[form]
    path = tmp_path / f"report.{'mht' if form == 'mht' else 'htm'}"  # the year and unit come from the page
    path.write_bytes(data)
    sub = read_submission(path, pingtan_registry, today=date(2026, 6, 30))
    assert not sub.unreadable, sub.findings
    assert sub.findings == [], [f.message for f in sub.findings]
    assert (sub.source_kind, sub.report_year, sub.unit_code, sub.format_version) == ("html", year, "gov_pingtan",
                                                                                      FORMAT_2021.version)
    want = expected_cells(year)
    for key, value in want.items():
        assert sub.cells[key].value == value, key
        assert ADDRESS.match(sub.cells[key].source), (key, sub.cells[key].source)
    assert sub.cells[("requests", "new_received", "natural_person")].source == "表格2!R4C4"
    assert sub.cells[("review_litigation", "reconsideration", "total")].source == "表格3!R4C5"
    assert sub.cells[("proactive", "fees", "amount_wan_yuan")].source == "表格1!R14C2"
    # 2021's （六）其他处理 is the sum of its three rows
    for m in FORMAT_2021.section("requests").columns:
        children = ("other_no_correction", "other_fee_unpaid", "other_misc")
        assert sub.cells[("requests", "other_total", m.code)].value == sum(want[("requests", c, m.code)]
                                                                           for c in children)
    assert set(sub.narrative) == {"overview", "problems", "other"}
    assert sub.narrative["other"][0] == f"{year}年，无收取信息处理费情况。"
    assert sub.narrative["overview"][0].startswith(f"{year}年，平潭综合实验区坚持")


def test_long_paragraphs_cells_and_too_many_paragraphs_are_capped():
    from transforms.reading.forms.document import MAX_BLOCK_CHARS, MAX_BLOCKS

    long = "政" * (MAX_BLOCK_CHARS + 5000)
    paragraphs = "".join(f"<p>第{i}段的正文。</p>" for i in range(MAX_BLOCKS + 10))
    html = (f"<html><body><div id='zoom'><p>{long}</p><table><tr><td>{long}</td><td>1</td><td>a</td><td>b</td></tr>"
            f"<tr><td><p>{long}</p></td><td>2</td><td>c</td><td>d</td></tr></table>{paragraphs}</div></body></html>")
    doc = read_html(html.encode())
    assert len(doc.blocks) == MAX_BLOCKS
    assert len(doc.blocks[0].text) == MAX_BLOCK_CHARS and doc.blocks[-1].text == f"第{MAX_BLOCKS - 2}段的正文。"
    assert [len(row[0]) for row in doc.tables[0].cells] == [MAX_BLOCK_CHARS, MAX_BLOCK_CHARS]
    assert doc.blocks[1].tables_before == 1
    assert doc.skipped == {f"第1段第 {MAX_BLOCK_CHARS + 1} 字起": f"段落超过 {MAX_BLOCK_CHARS} 字",
                           f"表格1中单元格第 {MAX_BLOCK_CHARS + 1} 字起": f"单元格文字超过 {MAX_BLOCK_CHARS} 字",
                           f"第 {MAX_BLOCKS + 1} 段起": f"网页正文超过 {MAX_BLOCKS} 段"}


def test_what_is_not_read_is_a_finding(pingtan_registry, tmp_path):
    """A capped part of a page reaches the clerk as the reader's R-FORMAT warning, in a sentence that reads."""
    from datetime import date

    from transforms.reading import read_submission

    tables, _expected = statutory_tables()
    extra = "<table>" + "<tr><td>附表</td><td>1</td></tr>" * (MAX_TABLE_ROWS + 5) + "</table>"
    path = tmp_path / "平潭综合实验区2024年度报告.html"
    path.write_text(page(tables + extra), encoding="utf-8")
    sub = read_submission(path, pingtan_registry, today=date(2026, 6, 30))
    assert not sub.unreadable and sub.source_kind == "html"
    messages = [f.message for f in sub.findings if f.rule == "R-FORMAT"]
    assert f"表格4第 {MAX_TABLE_ROWS + 1} 行起未读取：表格超过 {MAX_TABLE_ROWS} 行。" in messages, messages
    assert sub.cells[("requests", "new_received", "natural_person")].source == "表格2!R4C4"


def test_one_huge_paragraph_is_not_the_whole_article():
    """A paragraph holding most of the page's text (a pasted regulation) is part of the article: the article is
    the element around it, with the report's tables and the other paragraphs."""
    tables, expected = statutory_tables()
    more = "".join(f"<p>（{n}）本年度第{n}项工作按计划完成，群众满意度进一步提高。</p>" for n in "一二三四五六七八")
    html = (f"<html><body><div class='nav'><a href='/'>首页</a></div><div class='box'><p>一、总体情况</p>"
            f"<p>{'依据《中华人民共和国政府信息公开条例》的规定。' * 400}</p>{more}{tables}"
            "<p>六、其他需要报告的事项</p><p>无。</p></div><div>版权所有：某县人民政府</div></body></html>")
    doc = read_html(html.encode())
    assert_reads(doc, expected)
    texts = [b.text for b in doc.blocks]
    assert texts[0] == "一、总体情况" and len(texts[1]) == 400 * len("依据《中华人民共和国政府信息公开条例》的规定。") and texts[2].startswith("（一）本年度第一项")
    assert doc.blocks[-1].text == "无。" and doc.blocks[-1].tables_before == 3
    # the same page with its tables as pictures: the article is still the box, not its longest paragraph
    doc = read_html(html.replace(tables, "<p><img src='t.png'></p>").encode())
    assert doc.tables == [] and [b.text for b in doc.blocks][-2:] == ["六、其他需要报告的事项", "无。"]
    assert doc.blocks[0].text == "一、总体情况" and not any("版权所有" in b.text for b in doc.blocks)


def test_a_table_beside_the_article():
    """表四 posted in a box of its own after the article's: the article is taken with it."""
    tables, expected = statutory_tables()
    first, _, last = tables.rpartition("<p>四、")
    narrative = "".join(f"<p>（{n}）本年度第{n}项工作按计划完成，政府信息公开工作规范有序，群众满意度进一步提高。</p>"
                        for n in "一二三四五六七八九十")
    html = (f"<html><body><div class='wrap'><div class='article'><p>一、总体情况</p>{narrative}{first}"
            f"</div><div class='attach'><p>四、{last}</div></div><div>技术支持：某公司</div></body></html>")
    doc = read_html(html.encode())
    assert_reads(doc, expected)
    assert [t.rows[0][0] for t in doc.tables] == ["表格1", "表格2", "表格3"]
    assert not any("技术支持" in b.text for b in doc.blocks)


def test_a_container_named_as_portals_name_it():
    """Where no element holds most of the page's text (a portal with much unmarked prose around a short
    report), the box named like an article container (id="zoom") is the article."""
    tables, expected = statutory_tables()
    notices = "".join(f"<p>关于开展第{i}批次政务服务事项集中办理工作的通知，请各单位认真组织实施，确保按时完成各项任务。</p>"
                      for i in range(60))
    html = (f"<html><body><div class='l'>{notices}</div><div class='r'><div id='zoom'><p>一、总体情况</p>"
            f"<p>本年度工作情况良好。</p>{tables}</div></div></body></html>")
    doc = read_html(html.encode())
    assert_reads(doc, expected)
    assert [b.text for b in doc.blocks][:2] == ["一、总体情况", "本年度工作情况良好。"]
    assert not any("批次" in b.text for b in doc.blocks)


def test_narrative_beside_the_tables_box():
    """The narrative in one box and the tables in another, side by side in the article: both are the article."""
    tables, expected = statutory_tables()
    html = ("<html><body><div class='main'><div class='text'><p>一、总体情况</p><p>本年度工作情况良好。</p></div>"
            f"<div class='tables'>{tables}</div><div class='text'><p>五、存在的主要问题及改进情况</p>"
            "<p>公开的及时性有待提高。</p><p>六、其他需要报告的事项</p><p>无。</p></div></div>"
            "<div><p>地址：某县人民路1号</p></div></body></html>")
    doc = read_html(html.encode())
    assert_reads(doc, expected)
    texts = [b.text for b in doc.blocks]
    assert texts[:2] == ["一、总体情况", "本年度工作情况良好。"] and texts[-1] == "无。"
    assert "地址：某县人民路1号" not in texts


def test_unnumbered_narrative_beside_the_tables_box():
    """No numbered headings anywhere: the tables' box widens to hold most of the page's text."""
    tables, expected = statutory_tables()
    prose = "".join(f"<p>本年度第{i}项政府信息公开工作按计划完成，公开内容准确、及时、规范，社会反响良好。</p>"
                    for i in range(40))
    plain = re.sub(r"<p>[一二三四]、[^<]*</p>", "", tables)
    html = (f"<html><body><div class='main'><div class='text'>{prose}</div><div class='tables'>{plain}</div></div>"
            "<div><p>地址：某县人民路1号</p></div></body></html>")
    doc = read_html(html.encode())
    assert_reads(doc, expected)
    assert len(doc.blocks) == 40 and doc.blocks[0].text.startswith("本年度第0项")


def test_page_without_tables_named_container_and_furniture():
    """A report posted with its tables as pictures: the article is found by its share of the text once the
    portal's header and footer are left out, or by its container's name when unmarked text elsewhere outweighs it."""
    article = "".join(f"<p>本年度第{i}项政府信息公开工作按计划完成，公开内容准确、及时、规范，社会反响良好。</p>"
                      for i in range(12))
    header = "<header><p>" + "今天是2025年1月20日，星期一，天气晴，欢迎访问某县人民政府门户网站。" * 8 + "</p></header>"
    footer = "<div class='footer'><p>" + "主办：某县人民政府办公室　地址：某县人民路1号　电话：0578-1234567。" * 8 + "</p></div>"
    doc = read_html(f"<html><body>{header}<div class='x'>{article}</div>{footer}</body></html>".encode())
    assert len(doc.blocks) == 12 and doc.blocks[0].text.startswith("本年度第0项")
    notices = "".join(f"<p>关于开展第{i}批次政务服务事项集中办理工作的通知，请各单位认真组织实施。</p>" for i in range(12))
    doc = read_html(f"<html><body><div class='l'>{notices}</div><div id='zoom'>{article}</div>"
                    "<div class='r'><p>某县人民政府办公室 版权所有</p></div></body></html>".encode())
    assert len(doc.blocks) == 12 and not any("批次" in b.text for b in doc.blocks)


def test_mht_of_a_workbook_with_several_sheets():
    """Excel/WPS save a workbook of several sheets as a frameset page and one page per sheet: the sheets' tables are
    read in order (表二 on one sheet, 表三 and 表四 on another), not the empty frameset."""
    tables, expected = statutory_tables()
    t2, rest = tables.split("<p>三、", 1)
    frameset = ('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta name=ProgId content=Excel.Sheet>'
                '</head><frameset rows="*,39"><frame src="report.files/sheet001.htm" name="frSheet">'
                '<frame src="report.files/tabstrip.htm" name="frTabs"></frameset></html>')
    sheet1 = f"<html><head><meta charset=gb2312></head><body>{t2}</body></html>"
    sheet2 = f"<html><head><meta charset=gb2312></head><body><p>三、{rest}</body></html>"
    tabstrip = "<html><body><a href='sheet001.htm'>表二</a> <a href='sheet002.htm'>表三 表四</a></body></html>"
    boundary = b"----=_NextPart_01DA0000.5E6F7A81"
    parts = b""
    for name, html in (("report.htm", frameset), ("report.files/sheet001.htm", sheet1),
                       ("report.files/sheet002.htm", sheet2), ("report.files/tabstrip.htm", tabstrip)):
        parts += (b"--" + boundary + b"\r\nContent-Location: file:///C:/" + name.encode() + b"\r\n"
                  b"Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset=\"gb2312\"\r\n\r\n"
                  + quopri.encodestring(html.encode("gb18030")) + b"\r\n")
    data = (b"MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\nContent-Type: multipart/related; boundary=\""
            + boundary + b"\"\r\n\r\n" + parts + b"--" + boundary + b"--\r\n")
    assert sniff(data) == "html"
    doc = read_document(data)
    assert_reads(doc, expected)
    assert not any("表三 表四" in b.text for b in doc.blocks)
