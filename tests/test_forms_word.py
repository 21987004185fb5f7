"""The Word reader (transforms.reading.forms.word): tables, merges and addresses as a person sees them, the text
around them, continued tables, and damaged or hostile files refused or capped — never another exception."""

from __future__ import annotations

import copy
import io
import random
import unicodedata
import zipfile

import pytest
from reading_fixtures import TEMPLATE_DOCX, docx_tables
from word_fixtures import (
    BLANKS,
    NARRATIVE,
    SPLIT_AT,
    TITLE,
    TRACKED,
    UNIT,
    WIDE,
    W,
    document_xml,
    el,
    filled_template,
    members,
    messy_report,
    package,
    para,
    rezip,
    table_xml,
    tc,
    textbox_para,
    tr,
    with_document,
)

from transforms.format.statutory import FORMAT_2019, FORMAT_2021
from transforms.reading import read_submission
from transforms.reading.forms import read_document
from transforms.reading.forms.document import (
    MAX_BLOCK_CHARS,
    MAX_BLOCKS,
    MAX_TABLE_COLS,
    MAX_TABLE_ROWS,
    MAX_TABLES,
    stack,
)
from transforms.reading.forms.word import DTD_REFUSED, MAX_NESTING, TOO_DEEP, read_word
from transforms.reading.guard import Rejected
from transforms.reading.labels import INDEXES
from transforms.reading.tables import SheetScan, locate

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def filled():
    return filled_template()


@pytest.fixture(scope="module")
def messy():
    return {
        "whole": messy_report(split=False),
        "split": messy_report(),
        "split_repeated_header": messy_report(repeat_header=True),
        "nested": messy_report(nested=True),
    }


def located(doc):
    """What the table finder makes of the document: key → (address, cell text)."""
    grid = stack(doc.tables, "word")
    found = locate([SheetScan(grid)], INDEXES[FORMAT_2021.version])
    out = {}
    for code, locs in found.items():
        if locs:
            for (row, col), (r, c) in locs[0].values.items():
                out[(code, row, col)] = (grid.address(r, c), grid.get(r, c))
    return out


def cells_of(data: bytes, index: int = 0):
    return read_word(data).tables[index]


# ---------------------------------------------------------------- the statutory template


def test_template_tables_as_python_docx_sees_them():
    doc = read_word(TEMPLATE_DOCX.read_bytes())
    assert doc.kind == "word" and len(doc.tables) == 3 and doc.skipped == {}
    for n, (table, (texts, merges, nrows, ncols)) in enumerate(zip(doc.tables, docx_tables(), strict=True), start=1):
        assert len(table.cells) == nrows and all(len(row) == ncols for row in table.cells)
        mine = {(r, c): v for r, row in enumerate(table.cells) for c, v in enumerate(row)
                if v and v.replace("\u3000", "").strip()}
        assert mine == {k: v.strip() for k, v in texts.items()}
        assert table.merges == sorted(merges)
        covered = {(r, c) for r0, c0, r1, c1 in table.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
                   if (r, c) != (r0, c0)}
        assert covered == {(r, c) for r, row in enumerate(table.cells) for c, v in enumerate(row) if v is None}
        assert table.rows == [(f"表格{n}", r + 1) for r in range(nrows)]
        assert table.continues is False
    assert doc.tables[0].col_edges == [0, 2435, 4870, 7305, 9740]
    assert len(doc.tables[1].col_edges) == 11 and doc.tables[1].col_edges[-1] == 9741
    # labels keep their line breaks; the corner note and the merged header stand at their top-left
    t3 = doc.tables[1].cells
    assert t3[2][4] == "商业\n企业" and t3[0][0].startswith("（本列数据的勾稽关系") and t3[0][3] == "申请人情况"
    assert [b.text for b in doc.blocks][:4] == ["政府信息公开工作年度报告格式模板", "一、总体情况", "（文字描述）",
                                                "二、主动公开政府信息情况"]
    assert [b.where for b in doc.blocks] == [f"第{i}段" for i in range(1, len(doc.blocks) + 1)]
    assert [b.tables_before for b in doc.blocks if b.text.startswith(("三、", "四、", "五、"))] == [1, 2, 3]
    assert doc.title is None  # the template's core properties have no title


def test_filled_template_every_value_cell(filled):
    doc = read_word(filled.data)
    for key, (t, r, c) in filled.where.items():
        assert doc.tables[t].cells[r][c] == filled.text[key], key
        assert doc.tables[t].rows[r] == (f"表格{t + 1}", r + 1)
    # one-value blocks of table 二: the value merged across three columns
    t, r, c = filled.where[("proactive", "licensing", "decisions")]
    assert (r, c, r, c + 2) in doc.tables[t].merges and doc.tables[t].cells[r][c + 1 : c + 3] == [None, None]


def test_filled_template_found_by_the_table_finder(filled):
    found = located(read_word(filled.data))
    assert len(filled.where) == 6 + 1 + 2 + 1 + 2 + 25 * 7 + 15 - 2  # every printed value cell of 2021
    for key in filled.where:
        assert found.get(key) == (filled.address(key), filled.text[key]), key
    assert filled.address(("requests", "new_received", "natural_person")) == "表格2!R4C4"


def test_read_document_takes_a_docx_by_its_content(filled):
    doc = read_document(filled.data)
    assert doc.kind == "word" and len(doc.tables) == 3


# ---------------------------------------------------------------- a report as units make it


@pytest.mark.parametrize("variant", ["whole", "split", "split_repeated_header", "nested"])
def test_messy_report_every_value_where_the_person_typed_it(messy, variant):
    report = messy[variant]
    doc = read_word(report.data)
    assert len(doc.tables) == report.tables
    found = located(doc)
    assert set(found) >= set(report.where)
    for key in report.where:
        assert found[key] == (report.address(key), report.text[key].strip()), key
    for key in BLANKS:
        assert found[key][1] == ""
    assert found[("requests", "granted", "natural_person")][1] == WIDE[("requests", "granted", "natural_person")]
    # the tracked change: the new number only, not the deleted 99
    assert found[TRACKED][1] == report.text[TRACKED] and "99" not in found[TRACKED][1]


def test_messy_report_text_blocks(messy):
    for variant, report in messy.items():
        doc = read_word(report.data)
        texts = [b.text for b in doc.blocks]
        assert doc.blocks[0].text == UNIT and doc.blocks[0].where == "页眉", variant
        assert texts.count(TITLE) == 1, variant  # the text box's Choice, not its VML Fallback as well
        assert doc.blocks[1].text == TITLE and doc.blocks[1].where == "文本框"
        for heading, body in NARRATIVE.items():
            i = texts.index(heading)
            assert doc.blocks[i].heading and texts[i + 1] == body and not doc.blocks[i + 1].heading
        assert not set(texts) & {v.strip() for v in report.text.values()}, variant  # no figure left the tables
        numbered = [b.where for b in doc.blocks if b.where.startswith("第")]
        assert numbered == [f"第{i}段" for i in range(1, len(numbered) + 1)]
        before = {b.text: b.tables_before for b in doc.blocks}
        shift = 0 if variant == "whole" else 1  # table 三 in two parts
        assert before["一、总体情况"] == 0 and before["四、政府信息公开行政复议、行政诉讼情况"] == 2 + shift
        assert before[NARRATIVE["六、其他需要报告的事项"]] == report.tables - (1 if variant == "nested" else 0)


def test_split_table_continues(messy):
    plain = read_word(messy["split"].data)
    assert [t.continues for t in plain.tables] == [False, False, True, False]
    second = plain.tables[2]
    assert second.rows[0] == ("表格3", 1) and second.cells[0][2] == "4.保护第三方合法权益"
    assert second.col_edges == plain.tables[1].col_edges
    assert len(plain.tables[1].cells) == SPLIT_AT
    repeated = read_word(messy["split_repeated_header"].data)
    assert [t.continues for t in repeated.tables] == [False, False, True, False]
    assert repeated.tables[2].cells[0][3] == "申请人情况" and repeated.tables[2].cells[3][2] == "4.保护第三方合法权益"


def test_nested_report_inside_a_layout_table(messy):
    doc = read_word(messy["nested"].data)
    frame = doc.tables[0]
    assert len(frame.cells) == 1 and len(frame.cells[0]) == 1 and frame.rows == [("表格1", 1)]
    text = frame.cells[0][0]
    assert NARRATIVE["一、总体情况"] in text and "三、收到和处理政府信息公开申请情况" in text
    assert "申请人情况" not in text and "规章" not in text  # the nested tables' text is theirs
    assert doc.tables[1].cells[2][0] == "规章" and doc.tables[1].rows[0] == ("表格2", 1)
    assert [t.continues for t in doc.tables] == [False, False, False, True, False]  # inside the frame too
    assert "一、总体情况" in [b.text for b in doc.blocks]  # the frame's paragraphs are the report's text


def test_grid_before_shifts_the_row(messy):
    doc = read_word(messy["whole"].data)
    review = doc.tables[2]
    assert review.cells[0][0] == "" and review.cells[0][1] == "行政复议"
    assert review.cells[-1][0] == "件数"
    assert (0, 1, 0, 5) in review.merges and review.col_edges[:2] == [0, 600]


# ---------------------------------------------------------------- tables: merges, grid, text


def test_merges_gridspan_vmerge_gridbefore_gridafter_hmerge():
    rows = [
        tr(tc("A", span=2, vmerge="restart"), tc("B"), tc("C")),
        tr(tc(span=2, vmerge="continue"), tc("D", span=2)),
        tr(tc("E"), tc("F", vmerge="restart"), tc("G"), pr='<w:gridAfter w:val="1"/>'),
        tr(tc(vmerge="continue"), tc("H"), tc("I"), pr='<w:gridBefore w:val="1"/>'),
        tr(tc("J", extra_pr='<w:hMerge w:val="restart"/>'), tc("x", extra_pr="<w:hMerge/>"), tc("K"), tc("L")),
    ]
    table = cells_of(package(table_xml(rows, [1000, 1000, 1000, 1000])))
    assert table.cells == [
        ["A", None, "B", "C"],
        [None, None, "D", None],
        ["E", "F", "G"],
        ["", None, "H", "I"],
        ["J", None, "K", "L"],
    ]
    assert table.merges == [(0, 0, 1, 1), (1, 2, 1, 3), (2, 1, 3, 1), (4, 0, 4, 1)]
    assert table.col_edges == [0, 1000, 2000, 3000, 4000]


def test_vmerge_continue_without_a_matching_cell_above_is_a_cell():
    rows = [tr(tc("A"), tc("B")), tr(tc("C", vmerge="continue"), tc("D", span=1)),
            tr(tc("E", span=2, vmerge="restart")), tr(tc("F", vmerge="continue"), tc("G"))]
    table = cells_of(package(table_xml(rows, [500, 500])))
    assert table.cells == [["A", "B"], ["C", "D"], ["E", None], ["F", "G"]]
    assert table.merges == [(2, 0, 2, 1)]


def test_cell_text_as_a_person_reads_it():
    runs = (
        '<w:r><w:t xml:space="preserve">一、本年新收</w:t></w:r>'
        '<w:del w:id="1" w:author="a"><w:r><w:delText>旧标签</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>政府信息</w:t></w:r></w:ins>'
        '<w:moveFrom w:id="3" w:author="a"><w:r><w:t>搬走的字</w:t></w:r></w:moveFrom>'
        "<w:sdt><w:sdtPr><w:alias w:val=\"数量\"/><w:placeholder><w:docPart w:val=\"x\"/></w:placeholder></w:sdtPr>"
        "<w:sdtContent><w:r><w:t>公开</w:t></w:r></w:sdtContent></w:sdt>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> MERGEFIELD 名称 </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>申请</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:fldSimple w:instr=" QUOTE "><w:r><w:t>数量</w:t></w:r></w:fldSimple>'
        '<w:r><w:tab/><w:t>a</w:t><w:br/><w:t>b</w:t><w:cr/><w:t>c</w:t><w:noBreakHyphen/><w:sym w:char="F0FC"/></w:r>'
        '<w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>zhu</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>注</w:t></w:r></w:rubyBase>'
        "</w:ruby></w:r>"
        '<w:hyperlink r:id="rId9"><w:r><w:t>链接</w:t></w:r></w:hyperlink>'
    )
    cell = tc(runs=runs)[:-len("</w:tc>")] + "<w:p><w:r><w:t>第二段</w:t></w:r></w:p></w:tc>"
    table = cells_of(package(table_xml([tr(cell)], [2000])))
    assert table.cells == [["一、本年新收政府信息公开申请数量\ta\nb\nc注链接\n第二段"]]


def test_content_controls_around_rows_and_cells():
    row_in_sdt = "<w:sdt><w:sdtPr/><w:sdtContent>" + tr(tc("A"), "<w:sdt><w:sdtContent>" + tc("B") +
                                                          "</w:sdtContent></w:sdt>") + "</w:sdtContent></w:sdt>"
    deleted_row = tr(tc("旧"), tc("行"), pr='<w:del w:id="5" w:author="a"/>')
    table = cells_of(package(table_xml([row_in_sdt, deleted_row, tr(tc("C"), tc("D"))], [500, 500])))
    assert table.cells == [["A", "B"], ["C", "D"]]


def test_nested_tables_numbered_in_order_of_appearance():
    inner = table_xml([tr(tc("内1"), tc("内2"))], [400, 400])
    outer_cell = f'<w:tc><w:tcPr/><w:p><w:r><w:t>外</w:t></w:r></w:p>{inner}<w:p><w:r><w:t>后</w:t></w:r></w:p></w:tc>'
    body = para("前言") + table_xml([tr(outer_cell, tc("右")), tr(tc("下"), tc("角"))], [800, 800]) + para("尾") + \
        table_xml([tr(tc("末"))], [800])
    doc = read_word(package(body))
    assert [t.rows[0][0] for t in doc.tables] == ["表格1", "表格2", "表格3"]
    assert doc.tables[0].cells == [["外\n后", "右"], ["下", "角"]]
    assert doc.tables[1].cells == [["内1", "内2"]]
    assert doc.tables[2].cells == [["末"]]
    # a table holding a table is a frame: its paragraphs are text blocks too; the 1×1 last table as well
    assert [(b.text, b.tables_before) for b in doc.blocks] == [
        ("前言", 0), ("外", 0), ("后", 1), ("右", 1), ("下", 1), ("角", 1), ("尾", 2), ("末", 2)]
    assert not any(t.continues for t in doc.tables)


# ---------------------------------------------------------------- continued tables: the rule


def _two_tables(between: str, first_grid=(1000, 2000, 1000), second_grid=(1000, 2000, 1000),
                second_first_row: str | None = None) -> list:
    first = table_xml([tr(tc("标签"), tc("甲"), tc("乙")), tr(tc("一、行"), tc("1"), tc("2"))], list(first_grid))
    head = second_first_row or tr(*[tc(str(i)) for i in range(len(second_grid))])
    second = table_xml([head, tr(*[tc("5") for _ in second_grid])], list(second_grid))
    return read_word(package(first + between + second)).tables


@pytest.mark.parametrize("between, continues", [
    ("", True),
    ('<w:p><w:r><w:br w:type="page"/></w:r></w:p>', True),
    ("<w:p/><w:p><w:pPr><w:pageBreakBefore/></w:pPr></w:p><w:p><w:r><w:t>\u3000 </w:t></w:r></w:p>", True),
    ('<w:p><w:pPr><w:sectPr/></w:pPr></w:p>', True),  # a section break (page orientation changed)
    (para("（续表）"), True),  # says so
    (para("表三（续）"), True),
    (para("续表如下，单位：件"), False),
    (para("四、政府信息公开行政复议、行政诉讼情况"), False),
    (textbox_para("表四"), False),
    ("<w:p><w:r><w:drawing/></w:r></w:p>", False),  # a picture between
])
def test_continuation_needs_nothing_visible_between(between, continues):
    assert [t.continues for t in _two_tables(between)] == [False, continues]


@pytest.mark.parametrize("second_grid, continues", [
    ((1000, 2000, 1000), True),
    ((1010, 1990, 1000), True),  # widths Word rounded
    ((3000, 1000), True),  # the continued part merged two columns: every boundary on one of the first's
    ((1000, 1000, 1000, 1000), False),  # a column split: another table
    ((1000, 2000, 1000, 800), False),  # wider
    ((2000, 2000, 2000), False),
])
def test_continuation_needs_a_compatible_grid(second_grid, continues):
    assert [t.continues for t in _two_tables("", second_grid=second_grid)] == [False, continues]


def test_continuation_not_when_the_second_opens_with_a_title_row():
    title = tr(tc("第二十条第（五）项", span=3))
    assert [t.continues for t in _two_tables("", second_first_row=title)] == [False, False]
    repeated = tr(tc("标签"), tc("甲"), tc("乙"))
    assert [t.continues for t in _two_tables("", second_first_row=repeated)] == [False, True]


def test_continuation_without_grids_compares_widths():
    first = "<w:tbl><w:tblPr/>" + tr(tc("a"), tc("b")) + "</w:tbl>"
    same = "<w:tbl><w:tblPr/>" + tr(tc("1"), tc("2")) + "</w:tbl>"
    other = "<w:tbl><w:tblPr/>" + tr(tc("1"), tc("2"), tc("3")) + "</w:tbl>"
    tables = read_word(package(first + same + other)).tables
    assert [t.col_edges for t in tables] == [None, None, None]
    assert [t.continues for t in tables] == [False, True, False]


def test_continued_table_stacks_under_its_first_part(messy):
    doc = read_word(messy["split"].data)
    grid = stack(doc.tables, "word")
    first_rows = len(doc.tables[0].cells) + 2 + len(doc.tables[1].cells)
    assert grid.cells[first_rows][2] == "4.保护第三方合法权益"  # no blank separator rows before the rest
    assert grid.address(first_rows, 3) == "表格3!R1C4"


# ---------------------------------------------------------------- text blocks


def test_headings_by_style_name_outline_level_and_inheritance():
    body = (para("标题一", style="2") + para("标题二", style="9") + para("继承", style="10") +
            para("大纲", outline=0) + para("正文", style="1") + para("未知样式", style="nope") +
            para("正文级", outline=9))
    doc = read_word(package(body))
    assert [(b.text, b.heading) for b in doc.blocks] == [
        ("标题一", True), ("标题二", True), ("继承", True), ("大纲", True), ("正文", False), ("未知样式", False),
        ("正文级", False)]


def test_heading_style_ids_without_styles_part():
    parts = members(package(para("一、总体情况", style="Heading1") + para("正文", style="BodyText")))
    del parts["word/styles.xml"]
    doc = read_word(rezip(parts))
    assert [(b.text, b.heading) for b in doc.blocks] == [("一、总体情况", True), ("正文", False)]


def test_headers_first_footers_last_each_text_once():
    hdr = ('<?xml version="1.0" encoding="UTF-8"?><w:hdr xmlns:w="http://schemas.openxmlformats.org/'
           'wordprocessingml/2006/main">{}</w:hdr>')
    ftr = hdr.replace("w:hdr", "w:ftr")
    extra = {
        "word/header1.xml": hdr.format(para("清河县大营镇人民政府")),
        "word/header2.xml": hdr.format(para("清河县大营镇人民政府") + table_xml([tr(tc("表中页眉"))], [100])),
        "word/header10.xml": hdr.format(para("第十个页眉")),
        "word/footer1.xml": ftr.format('<w:p><w:r><w:t>第 </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                                       '<w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:fldChar w:fldCharType='
                                       '"separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/>'
                                       '</w:r><w:r><w:t> 页</w:t></w:r></w:p>'),
    }
    doc = read_word(package(para("正文") + table_xml([tr(tc("1"), tc("2"))], [100, 100]), extra))
    assert [(b.text, b.where) for b in doc.blocks] == [
        ("清河县大营镇人民政府", "页眉"), ("表中页眉", "页眉"), ("第十个页眉", "页眉"), ("正文", "第1段"), ("第 1 页", "页脚")]
    assert len(doc.tables) == 1  # a header's layout table is not one of the document's tables
    assert doc.blocks[-1].tables_before == 1


def test_title_from_core_properties():
    core = ('<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
            'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            "<dc:title>{}</dc:title></cp:coreProperties>")
    assert read_word(package(para("x"), {"docProps/core.xml": core.format(f" {TITLE} ")})).title == TITLE
    assert read_word(package(para("x"), {"docProps/core.xml": core.format("  ")})).title is None
    assert read_word(package(para("x"), {"docProps/core.xml": "<broken"})).title is None
    assert read_word(package(para("x"))).title is None


def test_text_box_in_fallback_only_is_read_once():
    box = ("<w:p><w:r><mc:AlternateContent><mc:Fallback><w:pict><v:textbox><w:txbxContent>" + para("旧式文本框") +
           "</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>")
    doc = read_word(package(box + textbox_para("新式") + para("正文")))
    assert [(b.text, b.where) for b in doc.blocks] == [("旧式文本框", "文本框"), ("新式", "文本框"), ("正文", "第1段")]


def test_a_table_in_a_text_box_is_a_table():
    box = ("<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx><w:txbxContent>" +
           table_xml([tr(tc("框中表"))], [100]) + "<w:p/></w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
           "</mc:AlternateContent></w:r></w:p>")
    doc = read_word(package(box))
    assert [t.cells for t in doc.tables] == [[["框中表"]]]


def test_strict_ooxml_namespace():
    strict = document_xml(para("严格") + table_xml([tr(tc("1"), tc("2"))], [10, 10])).replace(
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main", b"http://purl.oclc.org/ooxml/wordprocessingml/main")
    doc = read_word(package("", document=strict))
    assert doc.tables[0].cells == [["1", "2"]] and doc.blocks[0].text == "严格"


def test_main_part_found_through_the_package_relationships():
    parts = members(package(para("别处的正文")))
    parts["word/main.xml"] = parts.pop("word/document.xml")
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"word/document.xml", b"word/main.xml")
    assert read_word(rezip(parts)).blocks[0].text == "别处的正文"


# ---------------------------------------------------------------- damaged and hostile


def assert_rejected(data: bytes, *words: str) -> str:
    with pytest.raises(Rejected) as info:
        read_word(data)
    for w in words:
        assert w in info.value.reason, info.value.reason
    return info.value.reason


def test_truncated_file(filled):
    assert_rejected(filled.data[: len(filled.data) // 2], "损坏")
    assert_rejected(b"", "损坏")
    assert_rejected(b"not a zip at all", "损坏")


def test_missing_document_part():
    parts = members(package(para("x")))
    del parts["word/document.xml"]
    parts["_rels/.rels"] = b"<Relationships/>"
    assert_rejected(rezip(parts), "word/document.xml", "重新保存")


@pytest.mark.parametrize("document", [
    b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'><w:body><w:p>",
    b"\x00\x01garbage",
    b"<other xmlns='urn:x'/>",
])
def test_malformed_document_xml(document):
    reason = assert_rejected(package("", document=document), "损坏", "Word/WPS")
    assert "word/document.xml" in reason or "格式错误" in reason


def test_damaged_member_data(filled):
    parts = members(filled.data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    raw = bytearray(buf.getvalue())
    start = raw.find(b"word/document.xml") + len("word/document.xml") + 200  # inside the compressed stream
    raw[start : start + 64] = bytes(64)
    assert_rejected(bytes(raw), "损坏")


def test_zip_bomb_member():
    bomb = document_xml(para("x" * 10) + "<!--" + " " * (30 * 1024 * 1024) + "-->")
    assert_rejected(package("", document=bomb), "压缩炸弹")


XXE = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
       b"<w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>")
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'.encode()
                     for i in range(1, 10))
          + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
          b"<w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "word/header1.xml", "docProps/core.xml",
                                  "_rels/.rels"])
@pytest.mark.parametrize("hostile", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtd_refused_in_any_part(part, hostile):
    extra = {part: hostile}
    data = package(para("x", style="2"), extra) if part != "word/document.xml" else package("", document=hostile)
    assert assert_rejected(data) == DTD_REFUSED


def test_dtd_refused_in_utf16():
    utf16 = XXE.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16")
    assert assert_rejected(package("", document=utf16)) == DTD_REFUSED


def test_ten_thousand_nested_tables_refused():
    depth = 10_000
    deep = "<w:tbl><w:tr><w:tc>" * depth + "<w:p/>" + "</w:tc></w:tr></w:tbl><w:p/>" * depth
    assert assert_rejected(package(deep)) == TOO_DEEP


def test_nesting_deeper_than_the_cap_is_left_out():
    depth = 40  # within the parser's depth limit, beyond the reader's
    deep = ("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>层</w:t></w:r></w:p>" * depth + "<w:p/>" +
            "</w:tc></w:tr></w:tbl><w:p/>" * depth)
    doc = read_word(package(deep))
    assert len(doc.tables) == MAX_NESTING and doc.skipped == {f"嵌套超过 {MAX_NESTING} 层的表格": "表格套表格的层数过多"}
    assert all(t.cells[0][0].startswith("层") for t in doc.tables)


def test_huge_number_of_rows_capped():
    rows = "".join(tr(tc("标签"), tc(str(i))) for i in range(MAX_TABLE_ROWS + 500))
    doc = read_word(package(table_xml([rows], [100, 100]) + para("之后")))
    table = doc.tables[0]
    assert len(table.cells) == MAX_TABLE_ROWS and table.cells[-1] == ["标签", str(MAX_TABLE_ROWS - 1)]
    assert len(table.rows) == MAX_TABLE_ROWS
    assert doc.skipped == {f"表格1第 {MAX_TABLE_ROWS + 1} 行起": f"表格超过 {MAX_TABLE_ROWS} 行"}
    assert doc.blocks[-1].text == "之后"


def test_too_many_tables_and_columns_and_spans_capped():
    many = "".join(table_xml([tr(tc(str(i)), tc(""))], [100, 100]) + para(f"段{i}") for i in range(MAX_TABLES + 20))
    doc = read_word(package(many))
    assert len(doc.tables) == MAX_TABLES and doc.skipped == {f"第 {MAX_TABLES + 1} 个表格起": f"文档中的表格超过 {MAX_TABLES} 个"}
    assert len(doc.blocks) == MAX_TABLES + 20  # the text after the last table read is still read
    wide = table_xml([tr(*[tc(str(i)) for i in range(MAX_TABLE_COLS + 30)]),
                      tr(tc("跨", span=10**9), tc("后")), tr(tc("前", extra_pr=""), pr='<w:gridBefore w:val="999999"/>')],
                     [10] * (MAX_TABLE_COLS + 30))
    doc = read_word(package(wide))
    table = doc.tables[0]
    assert max(map(len, table.cells)) == MAX_TABLE_COLS
    assert doc.skipped == {f"表格1第 {MAX_TABLE_COLS + 1} 列起": f"表格超过 {MAX_TABLE_COLS} 列"}
    assert table.cells[1][0] == "跨" and table.cells[1][1:] == [None] * (MAX_TABLE_COLS - 1)
    assert table.merges == [(1, 0, 1, MAX_TABLE_COLS - 1)]
    assert table.cells[2] == [""] * MAX_TABLE_COLS
    assert len(table.col_edges) == MAX_TABLE_COLS + 1


def test_text_capped():
    long = "字" * (MAX_BLOCK_CHARS + 5000)
    half = "格" * (MAX_BLOCK_CHARS * 3 // 4)
    two_paragraphs = tc(half)[: -len("</w:tc>")] + para(half) + "</w:tc>"
    doc = read_word(package(para(long) + table_xml([tr(tc(long), two_paragraphs)], [100, 100])))
    assert len(doc.blocks[0].text) == MAX_BLOCK_CHARS and len(doc.tables[0].cells[0][0]) == MAX_BLOCK_CHARS
    assert len(doc.tables[0].cells[0][1]) == MAX_BLOCK_CHARS and doc.tables[0].cells[0][1].count("\n") == 1
    assert doc.skipped == {"过长段落的超出部分": f"段落超过 {MAX_BLOCK_CHARS} 字",
                           "表格1!R1C2的超出部分": f"单元格超过 {MAX_BLOCK_CHARS} 字"}
    doc = read_word(package(para("段") * (MAX_BLOCKS + 10)))
    assert len(doc.blocks) == MAX_BLOCKS and doc.skipped == {f"第 {MAX_BLOCKS + 1} 段起的文字": f"文档的段落超过 {MAX_BLOCKS} 段"}


def test_damaged_bytes_never_raise_anything_but_rejected(filled):
    rng = random.Random(20240131)
    data = filled.data
    outcomes = {"read": 0, "rejected": 0}
    for _ in range(60):
        raw = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(raw))
            raw[i] = rng.randrange(256)
        for candidate in (bytes(raw), data[: rng.randrange(len(data))]):
            try:
                doc = read_word(candidate)
            except Rejected as rej:
                assert rej.reason
                outcomes["rejected"] += 1
            else:
                assert doc.kind == "word"
                outcomes["read"] += 1
    assert outcomes["rejected"] > 0


def test_edited_xml_never_raises_anything_but_rejected(filled):
    """Markup a program could write: elements cut out, attributes with nonsense, tags in the wrong place."""
    xml = members(filled.data)["word/document.xml"]
    rng = random.Random(7)
    variants = [
        xml.replace(b'w:val="restart"', b'w:val="nonsense"'),
        xml.replace(b"<w:gridSpan w:val=\"3\"/>", b"<w:gridSpan w:val=\"-4\"/>"),
        xml.replace(b"<w:gridSpan w:val=\"3\"/>", b"<w:gridSpan w:val=\"x\"/>"),
        xml.replace(b'w:w="2435"', b'w:w="NaN"'),
        xml.replace(b"<w:tr ", b"<w:tc><w:tr ", 1).replace(b"</w:tr>", b"</w:tr></w:tc>", 1),
        xml.replace(b"<w:vMerge/>", b"<w:vMerge/><w:hMerge/>"),
    ]
    for _ in range(20):
        i = rng.randrange(len(xml) - 200)
        variants.append(xml[:i] + xml[i + rng.randrange(1, 200):])
    parts = members(filled.data)
    for variant in variants:
        parts["word/document.xml"] = variant
        try:
            doc = read_word(rezip(parts))
        except Rejected as rej:
            assert "损坏" in rej.reason or "疑似" in rej.reason
        else:
            assert all(t.rows for t in doc.tables)


def test_python_docx_merges_read_as_python_docx_sees_them():
    """A table python-docx itself merges (cell.merge writes gridSpan and vMerge) reads as python-docx sees it."""
    import docx

    d = docx.Document()
    table = d.add_table(rows=4, cols=4)
    table.cell(0, 0).merge(table.cell(1, 1)).text = "左上"
    table.cell(2, 1).merge(table.cell(2, 2)).text = "横"
    table.cell(1, 3).merge(table.cell(3, 3))
    table.cell(3, 0).text = "底"
    buf = io.BytesIO()
    d.save(buf)
    got = read_word(buf.getvalue()).tables[0]
    assert got.cells[0][0] == "左上" and got.cells[3][0] == "底"
    # python-docx gives the same cell object for every position a merged cell covers
    boxes: dict = {}
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            box = boxes.setdefault(cell._tc, [r, c, r, c])
            box[2], box[3] = max(box[2], r), max(box[3], c)
    expected = sorted(tuple(b) for b in boxes.values() if b[:2] != b[2:])
    assert got.merges == expected


def test_alternate_content_takes_the_first_choice_only():
    two = ("<w:p><w:r><mc:AlternateContent>"
           "<mc:Choice Requires=\"wps\"><w:drawing><wps:txbx><w:txbxContent>" + para("第一") +
           "</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
           "<mc:Choice Requires=\"w14\"><w:drawing><wps:txbx><w:txbxContent>" + para("第二") +
           "</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
           "<mc:Fallback><w:pict><v:textbox><w:txbxContent>" + para("后备") +
           "</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>")
    assert [b.text for b in read_word(package(two)).blocks] == ["第一"]


# ---------------------------------------------------------------- end to end: read_submission


def expected_value(text: str):
    text = unicodedata.normalize("NFKC", text).replace(" ", "")
    if not text:
        return None
    return float(text) if "." in text else int(text)


def test_read_submission_filled_template(tmp_path, registry, filled):
    path = tmp_path / "模板.docx"
    path.write_bytes(filled.data)
    sub = read_submission(path, registry, year=2024, unit_name="大营镇")
    assert not sub.unreadable and sub.source_kind == "word" and sub.format_version == FORMAT_2021.version
    for key in filled.where:
        assert sub.cells[key].source == filled.address(key), key
        assert sub.cells[key].value == expected_value(filled.text[key]), key
    assert sub.cells[("requests", "carried_over", "natural_person")].source == "表格2!R5C4"
    assert sub.cells[("review_litigation", "litigation_after_reconsideration", "total")].source == "表格3!R4C15"
    assert not [f for f in sub.findings if f.severity == "error"]


@pytest.mark.parametrize("variant", ["whole", "split", "split_repeated_header", "nested"])
def test_read_submission_messy_report(tmp_path, registry, messy, variant):
    report = messy[variant]
    path = tmp_path / "年度报告.docx"
    path.write_bytes(report.data)
    sub = read_submission(path, registry)
    assert (sub.unit_name, sub.report_year, sub.format_version, sub.source_kind) == (
        "大营镇", 2024, FORMAT_2021.version, "word")
    for key in report.where:
        assert sub.cells[key].source == report.address(key), key
        assert sub.cells[key].value == expected_value(report.text[key]), key
    assert sub.cells[("requests", "granted", "natural_person")].raw == "１２３"
    assert sub.cells[TRACKED].value == int(report.text[TRACKED])
    assert not [f for f in sub.findings if f.severity == "error"]
    blank = next(f for f in sub.findings if f.rule == "R-BLANK")
    assert all(report.address(k) in blank.message for k in BLANKS)
    assert {code: text for code, (text, _where) in sub.narrative.items()} == {
        "overview": NARRATIVE["一、总体情况"], "problems": NARRATIVE["五、存在的主要问题及改进情况"],
        "other": NARRATIVE["六、其他需要报告的事项"]}


WRITER_OPTIONS = [
    {},
    {"split_table": 8},
    {"split_table": 12, "repeat_header": True},
    {"nested": True, "title_in_textbox": True, "unit_in_header": True, "tracked_change": True},
    {"layout": "flat"},
    {"layout": "flat", "split_table": 10, "nested": True},
]


@pytest.mark.parametrize("version", [FORMAT_2021.version, FORMAT_2019.version])
@pytest.mark.parametrize("options", WRITER_OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_read_submission_agrees_with_the_document_writer(tmp_path, registry, version, options):
    """transforms.writing.documents writes Word reports and says where each value is: read back, the same."""
    from countystats.examples.reports import consistent_values
    from transforms.format import FORMATS
    from transforms.writing.documents import write_document

    fmt = FORMATS[version]
    values = consistent_values(version, rng=random.Random(11))
    year = 2024 if version == FORMAT_2021.version else 2020
    written = write_document(tmp_path / "报告.docx", fmt, values, "大营镇", year, "word", **options)
    sub = read_submission(written.path, registry)
    assert (sub.unit_name, sub.report_year, sub.format_version) == ("大营镇", year, version)
    assert {k: sub.cells[k].source for k in written.sources} == written.sources
    assert {k: sub.cells[k].value or 0 for k in written.sources} == {k: values[k] or 0 for k in written.sources}


@pytest.mark.parametrize("make, words", [
    (lambda filled: filled.data[: len(filled.data) // 3], ["损坏"]),
    (lambda filled: package("", document=XXE), ["DTD"]),
    (lambda filled: package("<w:tbl><w:tr><w:tc>" * 5000 + "<w:p/>" + "</w:tc></w:tr></w:tbl><w:p/>" * 5000),
     ["嵌套过深"]),
])
def test_read_submission_hostile_word_files(tmp_path, registry, filled, make, words):
    path = tmp_path / "大营镇2024年报告.docx"
    path.write_bytes(make(filled))
    sub = read_submission(path, registry)
    assert sub.unreadable and sub.source_kind in (None, "word") and sub.cells == {}
    assert len(sub.findings) == 1 and sub.findings[0].rule == "R-FORMAT"
    assert all(w in sub.findings[0].message for w in words), sub.findings[0].message


def test_read_submission_names_the_rows_cut(tmp_path, registry, filled):
    """A capped table is read up to the cap and the finding says what was left out."""
    rng = random.Random(5)

    def many_rows(body):  # rows of different figures (copies of one row would compress like a zip bomb)
        table = body.findall(W + "tbl")[2]
        for _ in range(MAX_TABLE_ROWS):
            table.append(el(tr(*[tc(str(rng.randrange(10**9))) for _ in range(15)])))

    path = tmp_path / "大营镇2024年报告.docx"
    path.write_bytes(with_document(filled.data, many_rows))
    sub = read_submission(path, registry)
    assert not sub.unreadable
    cut = [f for f in sub.findings if f.rule == "R-FORMAT"]
    assert len(cut) == 1 and f"表格3第 {MAX_TABLE_ROWS + 1} 行起未读取：表格超过 {MAX_TABLE_ROWS} 行" in cut[0].message
    assert sub.cells[("requests", "new_received", "natural_person")].source == "表格2!R4C4"


@pytest.mark.parametrize("hostile", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtd_refused_behind_a_comment_that_looks_like_an_element(hostile):
    """The byte scan looks before the root element; a comment holding "<a" ends that early — the parse still says."""
    sneaky = hostile.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0"?><!-- <a -->')
    assert assert_rejected(package("", document=sneaky)) == DTD_REFUSED


def test_rearranged_structure_never_raises_anything_but_rejected(messy):
    """Well-formed XML in the wrong shape: elements moved into others (a row in a cell, a cell in a paragraph, a
    table in a run), removed or doubled — a program can write any of it. Read or refused, nothing else."""
    from lxml import etree

    parts = members(messy["split"].data)
    original = etree.fromstring(parts["word/document.xml"])
    rng = random.Random(2024)
    read = 0
    for _ in range(40):
        root = copy.deepcopy(original)
        elements = list(root.iter())[2:]  # not the document nor the body
        for _ in range(rng.randint(1, 6)):
            moved, target = rng.choice(elements), rng.choice(elements)
            if moved in target.iterancestors() or moved is target or moved.getparent() is None:
                continue
            action = rng.choice(("move", "remove", "double"))
            if action == "move":
                target.insert(rng.randint(0, len(target)), moved)
            elif action == "remove":
                moved.getparent().remove(moved)
            else:
                target.append(copy.deepcopy(moved))
            elements = list(root.iter())[2:]
        parts["word/document.xml"] = etree.tostring(root)
        try:
            doc = read_word(rezip(parts))
        except Rejected as rej:
            assert "损坏" in rej.reason or "疑似" in rej.reason
        else:
            read += 1
            assert all(len(t.rows) == len(t.cells) for t in doc.tables)
            stack(doc.tables, "word")  # and the finder's grid can be made of it
    assert read > 30


def test_rows_and_cells_inside_a_cell_are_the_cells_text():
    """A row or a cell written inside a cell without a table around it (malformed, but well-formed XML)."""
    inner_row = "<w:tr><w:tc><w:p><w:r><w:t>内行</w:t></w:r></w:p></w:tc></w:tr>"
    inner_cell = "<w:tc><w:p><w:r><w:t>内格</w:t></w:r></w:p></w:tc>"
    cell = f"<w:tc><w:p><w:r><w:t>外</w:t></w:r></w:p>{inner_row}{inner_cell}</w:tc>"
    table = cells_of(package(table_xml([tr(cell, tc("右")), tr(tc("下"), tc("角"))], [100, 100])))
    assert table.cells == [["外\n内行\n内格", "右"], ["下", "角"]]


def test_content_control_placeholder_prompt_is_not_a_value():
    """A template's value cells as content controls: what was typed is read; an empty control's grey prompt is not."""
    def control(text: str, prompt: bool) -> str:
        pr = '<w:sdtPr><w:showingPlcHdr/></w:sdtPr>' if prompt else "<w:sdtPr/>"
        return f'<w:sdt>{pr}<w:sdtContent><w:r><w:t>{text}</w:t></w:r></w:sdtContent></w:sdt>'

    row_prompt = f"<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>{tc('单击输入')}</w:sdtContent></w:sdt>"
    rows = [tr(tc("行政许可"), tc(runs=control("12", False)), tc(runs=control("单击或点击此处输入文字。", True))),
            tr(tc("行政处罚"), row_prompt, tc("3"))]
    table = cells_of(package(table_xml(rows, [100, 100, 100])))
    assert table.cells == [["行政许可", "12", ""], ["行政处罚", "", "3"]]
