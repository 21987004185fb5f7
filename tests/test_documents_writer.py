"""transforms.writing.documents: the Word, PDF and HTML reports hold every value where ``Written.sources`` says, with
the statutory template's merged cells, the narrative around the tables and the options real documents show.

Checked with the libraries themselves, never with the product's readers: the .docx's XML (every ``w:tbl``, grid
expanded from ``gridSpan``/``vMerge``), the PDF's text layer and ruling lines (pypdfium2: a row is a band between
two horizontal rulings that a vertical ruling crosses), the page's tables (lxml, ``rowspan``/``colspan`` expanded).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from transforms.format import REPORT_TITLE, TOTAL, for_year
from transforms.format.labels import normalise
from transforms.writing.documents import NARRATIVE_SECTIONS, DocumentOptions, write_document
from transforms.writing.narratives import narrative

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DOCX = ROOT.parent / "shared" / "samples" / "published" / "statutory-template-2021.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
UNIT = "大营镇人民政府"
YEAR = 2024
OLD, NEW = for_year(2020), for_year(2024)
FORMATS = {OLD.version: OLD, NEW.version: NEW, f"{NEW.version}-undivided": NEW.undivided()}
SUFFIX = {"word": ".docx", "pdf": ".pdf", "html": ".html"}
HEADINGS = dict(NARRATIVE_SECTIONS)
# long enough to push the tables down the pages, so that table 三 runs over a page
LONG = "\n".join(f"（{n}）主动公开情况。" + "全面推进政务公开工作，持续完善政府信息公开制度，" * 7 for n in "一二三四五")


def figures(fmt) -> dict:
    """Every printed cell a different figure of three digits (none is a piece of 2024 or of another figure):
    decimals as 8xxx.5, 2019's signed 本年增/减 negative."""
    out = {}
    for i, key in enumerate(fmt.cells(include_derived=False)):
        m = fmt.section(key[0]).measure(key[1], key[2])
        out[key] = 8001 + i + 0.5 if m.decimal else -(501 + i) if m.signed else 501 + i
    return out


def shown(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def write(tmp_path, form, fmt=NEW, cells=None, name="r", **kw):
    cells = figures(fmt) if cells is None else cells
    return write_document(tmp_path / f"{name}{SUFFIX[form]}", fmt, cells, UNIT, YEAR, form, **kw)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", (text or "").replace("\xa0", " "))


# ---------------------------------------------------------------- Word, from its XML


@dataclass
class Tbl:
    texts: dict[tuple[int, int], str]  # top-left of every cell (merged or not) → its paragraphs joined by "\n"
    merges: set[tuple[int, int, int, int]]
    n_rows: int
    n_cols: int


def _xml(path: Path, part: str = "word/document.xml"):
    from lxml import etree

    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(part))


def _cell_text(tc) -> str:
    # w:t only: inserted text (w:ins) is in, deleted text (w:delText) is not
    return "\n".join("".join(t.text or "" for t in p.iter(W + "t")) for p in tc.findall(W + "p"))


def word_tables(root) -> list[Tbl]:
    """Every w:tbl in document order (an outer table before those inside it), merged cells expanded."""
    out = []
    for tbl in root.iter(W + "tbl"):
        texts, spans, owner = {}, {}, {}
        rows = tbl.findall(W + "tr")
        width = 0
        for r, tr in enumerate(rows):
            c = 0
            for tc in tr.findall(W + "tc"):
                pr = tc.find(W + "tcPr")
                grid_span = pr.find(W + "gridSpan") if pr is not None else None
                span = int(grid_span.get(W + "val")) if grid_span is not None else 1
                vmerge = pr.find(W + "vMerge") if pr is not None else None
                if vmerge is not None and vmerge.get(W + "val") in (None, "continue"):
                    top = owner[(r - 1, c)]
                    spans[top][0] = r
                else:
                    top = (r, c)
                    texts[top] = _cell_text(tc)
                    spans[top] = [r, c + span - 1]
                for j in range(span):
                    owner[(r, c + j)] = top
                c += span
            width = max(width, c)
        merges = {(r, c, lr, lc) for (r, c), (lr, lc) in spans.items() if (lr, lc) != (r, c)}
        out.append(Tbl(texts, merges, len(rows), width))
    return out


def at(tables: list[Tbl], source: str) -> str | None:
    m = re.fullmatch(r"表格(\d+)!R(\d+)C(\d+)", source)
    assert m, source
    n, r, c = map(int, m.groups())
    return tables[n - 1].texts.get((r - 1, c - 1))


def body_paragraphs(root) -> list[str]:
    """The text of the body's own paragraphs (not those inside tables), in order."""
    body = root.find(W + "body")
    return ["".join(t.text or "" for t in p.iter(W + "t")) for p in body.findall(W + "p")]


def test_word_tables_are_the_statutory_template(tmp_path):
    """Blank 2021 tables: cell for cell and merge for merge those of the real Word template."""
    assert TEMPLATE_DOCX.exists(), f"the statutory Word template belongs beside the project: {TEMPLATE_DOCX}"
    template = word_tables(_xml(TEMPLATE_DOCX))
    w = write(tmp_path, "word", cells={})
    mine = word_tables(_xml(w.path))
    assert len(mine) == len(template) == 3
    for got, want in zip(mine, template, strict=True):
        assert (got.n_rows, got.n_cols) == (want.n_rows, want.n_cols)
        assert got.merges == want.merges
        assert {k: normalise(v) for k, v in got.texts.items() if normalise(v)} == {
            k: normalise(v) for k, v in want.texts.items() if normalise(v)}
    # header labels broken over two lines as the template breaks them: two paragraphs in one cell
    assert any(t.split("\n") == ["商业", "企业"] for t in mine[1].texts.values())


@pytest.mark.parametrize("version", list(FORMATS))
def test_word_values_at_their_addresses(tmp_path, version):
    fmt = FORMATS[version]
    cells = figures(fmt)
    w = write(tmp_path, "word", fmt, cells)
    root = _xml(w.path)
    tables = word_tables(root)
    assert len(tables) == 3 and len(root.find(W + "body").findall(W + "tbl")) == 3
    assert len(list(root.iter(W + "gridSpan"))) > 10 and len(list(root.iter(W + "vMerge"))) > 10
    assert set(w.sources) == set(fmt.cells(include_derived=False))
    for key, source in w.sources.items():
        assert source.startswith(f"表格{[s.code for s in fmt.sections].index(key[0]) + 1}!")
        assert at(tables, source) == shown(cells[key]), (key, source)
    # every table drawn with borders (the Table Grid style)
    styles = [t.find(W + "tblPr").find(W + "tblStyle").get(W + "val") for t in root.iter(W + "tbl")]
    assert styles == ["TableGrid"] * 3


def test_word_document_order_title_narrative_and_headings(tmp_path):
    narrative = {"overview": "第一段概况。\n第二段概况。", "problems": "问题一。\n改进一。", "other": "无其他事项。"}
    w = write(tmp_path, "word", narrative=narrative)
    root = _xml(w.path)
    body = root.find(W + "body")
    sequence = []  # paragraphs' text and tables, in body order
    for child in body:
        if child.tag == W + "p":
            text = "".join(t.text or "" for t in child.iter(W + "t"))
            if text:
                sequence.append(text)
        elif child.tag == W + "tbl":
            sequence.append("<table>")
    expected = [
        f"{UNIT}{YEAR}年{REPORT_TITLE}", f"填报单位：{UNIT}",
        HEADINGS["overview"], "第一段概况。", "第二段概况。",
        *[x for s in NEW.sections for x in (s.title.text, "<table>")],
        HEADINGS["problems"], "问题一。", "改进一。", HEADINGS["other"], "无其他事项。",
    ]
    assert [s for s in sequence if not s.startswith("本报告由")] == expected
    assert sequence[2].startswith("本报告由")  # the preamble, before 一、总体情况
    props = _xml(w.path, "docProps/core.xml")
    assert any(el.text == f"{UNIT}{YEAR}年{REPORT_TITLE}" for el in props.iter())


def test_word_split_table_with_repeated_header(tmp_path):
    fmt = NEW
    cells = figures(fmt)
    w = write(tmp_path, "word", fmt, cells, split_table=14, repeat_header=True)
    root = _xml(w.path)
    body = root.find(W + "body")
    tables = word_tables(root)
    assert len(body.findall(W + "tbl")) == 4
    # the two parts of table 三 are two w:tbl with a page break between them
    children = list(body)
    first, second = [i for i, el in enumerate(children) if el.tag == W + "tbl"][1:3]
    between = children[first + 1:second]
    assert between and all(el.tag == W + "p" for el in between)
    assert any(br.get(W + "type") == "page" for el in between for br in el.iter(W + "br"))
    one, two = tables[1], tables[2]
    head = 3  # table 三's header rows: corner note and 申请人情况; 自然人, 法人或其他组织; the organisations
    n = word_tables(_xml(write(tmp_path, "word", fmt, cells, name="whole").path))[1].n_rows
    assert one.n_rows == 14 and two.n_rows == head + n - 14
    assert {k: v for k, v in two.texts.items() if k[0] < head} == {k: v for k, v in one.texts.items() if k[0] < head}
    assert {m for m in two.merges if m[0] < head} == {m for m in one.merges if m[0] < head}
    for key, source in w.sources.items():
        assert at(tables, source) == shown(cells[key]), (key, source)
    requests = {k: s for k, s in w.sources.items() if k[0] == "requests"}
    assert {s.split("!")[0] for s in requests.values()} == {"表格2", "表格3"}
    assert w.sources[("requests", "carried_forward", TOTAL)] == f"表格3!R{head + n - 14}C10"
    assert w.sources[("review_litigation", "reconsideration", TOTAL)].startswith("表格4!")
    # without the repeated header the second part starts with the rows after the break
    w = write(tmp_path, "word", fmt, cells, name="plain", split_table=14)
    tables = word_tables(_xml(w.path))
    assert tables[2].n_rows == n - 14
    # 三、本年度办理结果 is cut by the break: its text stays above it, the rest of its merged area is empty (as Word
    # leaves a vertically merged cell split by a table split)
    result = fmt.section("requests").row_by_code["granted"].group.text
    assert sum(normalise(t) == normalise(result) for tbl in tables for t in tbl.texts.values()) == 1
    assert tables[2].texts[(0, 0)] == "" and any(m[:2] == (0, 0) and m[2] > 0 for m in tables[2].merges)
    assert w.sources[("requests", "carried_forward", TOTAL)] == f"表格3!R{n - 14}C10"
    for key, source in w.sources.items():
        assert at(tables, source) == shown(cells[key])
    with pytest.raises(ValueError):
        write(tmp_path, "word", fmt, cells, name="bad", split_table=40)


def test_word_nested_textbox_header_and_tracked_change(tmp_path):
    fmt = NEW
    cells = figures(fmt)
    key = ("requests", "granted", "natural_person")
    w = write(tmp_path, "word", fmt, cells, nested=True, title_in_textbox=True, unit_in_header=True,
              tracked_change=key, split_title=True)
    root = _xml(w.path)
    body = root.find(W + "body")
    # the whole report in one 1×1 layout table: it is 表格1, the report's tables 表格2–4 inside it
    outer = body.findall(W + "tbl")
    assert len(outer) == 1 and len(outer[0].findall(W + "tr")) == 1
    tables = word_tables(root)
    assert len(tables) == 4 and (tables[0].n_rows, tables[0].n_cols) == (1, 1)
    assert {s.split("!")[0] for s in w.sources.values()} == {"表格2", "表格3", "表格4"}
    for k, source in w.sources.items():
        assert at(tables, source) == shown(cells[k]), (k, source)
    # the title in a text box (DrawingML, with its VML fallback), over two lines, not in a paragraph of its own
    boxes = list(root.iter(W + "txbxContent"))
    assert len(boxes) == 2
    for box in boxes:
        assert ["".join(t.text for t in p.iter(W + "t")) for p in box.findall(W + "p")] == [UNIT, f"{YEAR}年{REPORT_TITLE}"]
    cell_paragraphs = outer[0].find(W + "tr").find(W + "tc").findall(W + "p")
    own = ["".join(t.text or "" for t in p.iter(W + "t") if not any(a.tag == W + "txbxContent" for a in t.iterancestors()))
           for p in cell_paragraphs]
    assert not any(REPORT_TITLE in t for t in own)
    assert HEADINGS["overview"] in own
    # the unit's name in the page header, page numbers in the footer
    with zipfile.ZipFile(w.path) as z:
        headers = [n for n in z.namelist() if re.fullmatch(r"word/header\d*\.xml", n)]
        footers = [n for n in z.namelist() if re.fullmatch(r"word/footer\d*\.xml", n)]
    assert any(UNIT in "".join(t.text or "" for t in _xml(w.path, h).iter(W + "t")) for h in headers)
    assert any(el.get(W + "instr", "").strip() == "PAGE" for f in footers for el in _xml(w.path, f).iter(W + "fldSimple"))
    # the tracked change: a wrong figure deleted, the right one inserted, in the value's cell
    deleted = [t.text for t in root.iter(W + "delText")]
    inserted = ["".join(t.text for t in ins.iter(W + "t")) for ins in root.iter(W + "ins")]
    assert inserted == [shown(cells[key])] and len(deleted) == 1 and deleted[0] != shown(cells[key])
    assert at(tables, w.sources[key]) == shown(cells[key])
    dele = next(root.iter(W + "del"))
    assert dele.get(W + "author") == UNIT and dele.getparent().tag == W + "p"


def test_word_flat_layout_has_no_merged_cells(tmp_path):
    cells = figures(NEW)
    w = write(tmp_path, "word", cells=cells, layout="flat")
    root = _xml(w.path)
    assert not list(root.iter(W + "gridSpan")) and not list(root.iter(W + "vMerge"))
    tables = word_tables(root)
    for key, source in w.sources.items():
        assert at(tables, source) == shown(cells[key])


# ---------------------------------------------------------------- PDF, from its text layer and rulings


@dataclass
class Token:
    text: str
    x: float  # centre
    y: float


def pdf_pages(path: Path):
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(str(path))


def pdf_tokens(page) -> list[Token]:
    """The page's words: runs of non-space characters on one line, with their centre."""
    tp = page.get_textpage()
    tokens, run, boxes = [], "", []

    def flush():
        nonlocal run, boxes
        if run:
            bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
            tokens.append(Token(run, (boxes[0][0] + boxes[-1][2]) / 2, (bottom + top) / 2))
        run, boxes = "", []

    for i in range(tp.count_chars()):
        ch = tp.get_text_range(i, 1)
        box = tp.get_charbox(i)
        if not ch or ch.isspace():
            flush()
            continue
        previous = boxes[-1] if boxes else None
        if previous and (box[1] > previous[3] or box[3] < previous[1] or box[0] - previous[2] > 3):
            flush()  # not on the same line (a comma sits lower than its digits, but on their line), or apart
        run += ch
        boxes.append(box)
    flush()
    return tokens


def pdf_bands(page):
    """The table rows of a page, top to bottom: bands between consecutive horizontal rulings that a vertical ruling
    crosses, each as [top, bottom, x of the vertical rulings crossing it, x of those of its whole table]."""
    import pypdfium2.raw as pdfium_c

    horizontal, vertical = set(), []
    for obj in page.get_objects():
        if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        left, bottom, right, top = obj.get_bounds()
        if top - bottom < 2 < right - left:
            horizontal.add(round((top + bottom) / 2, 1))
        elif right - left < 2 < top - bottom:
            vertical.append((round((left + right) / 2, 1), bottom, top))
    ys = sorted(horizontal, reverse=True)
    bands = []
    for top, bottom in zip(ys, ys[1:], strict=False):
        mid = (top + bottom) / 2
        xs = {x for x, b, t in vertical if b <= mid <= t}
        if xs:
            bands.append([top, bottom, xs, set(xs)])
    for i in range(1, len(bands)):  # a table's bands touch: their rulings are the table's
        if bands[i][0] == bands[i - 1][1]:
            bands[i][3] |= bands[i - 1][3]
    for i in range(len(bands) - 2, -1, -1):
        if bands[i][1] == bands[i + 1][0]:
            bands[i][3] |= bands[i + 1][3]
    return bands


def parse_pdf_source(source: str) -> tuple[int, int, int]:
    m = re.fullmatch(r"第(\d+)页!R(\d+)C(\d+)", source)
    assert m, source
    return tuple(map(int, m.groups()))


def check_pdf_addresses(path: Path, sources: dict, texts: dict) -> dict[int, int]:
    """Every value is on its page, in the row and column its address names (rows counted over the page's ruled table
    rows, columns over its table's rulings). Returns how many values each page holds."""
    doc = pdf_pages(path)
    tokens = [pdf_tokens(doc[i]) for i in range(len(doc))]
    bands = [pdf_bands(doc[i]) for i in range(len(doc))]
    widths = {}  # section → columns (its last value column)
    for key, source in sources.items():
        widths[key[0]] = max(widths.get(key[0], 0), parse_pdf_source(source)[2])
    per_page: dict[int, int] = {}
    for key, source in sources.items():
        page, r, c = parse_pdf_source(source)
        found = [t for t in tokens[page - 1] if t.text == texts[key]]
        in_table = [(t, i) for t in found for i, b in enumerate(bands[page - 1]) if b[1] < t.y < b[0]]
        assert len(in_table) == 1, (key, source, texts[key], found)
        token, band = in_table[0]
        assert band + 1 == r, (key, source, band + 1)
        _, _, own, table = bands[page - 1][band]
        if len(table) == widths[key[0]] + 1:  # every column's ruling is on this page
            left = max(x for x in own if x < token.x)  # the cell's left ruling (a merged cell has none inside)
            assert sorted(table).index(left) + 1 == c, (key, source, sorted(table), left)
        per_page[page] = per_page.get(page, 0) + 1
    return per_page


@pytest.mark.parametrize("version", list(FORMATS))
def test_pdf_text_layer_and_addresses(tmp_path, version):
    fmt = FORMATS[version]
    cells = figures(fmt)
    w = write(tmp_path, "pdf", fmt, cells, narrative={"overview": LONG}, repeat_header=True)
    doc = pdf_pages(w.path)
    pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    text = squeeze("".join(pages))
    for heading in (f"{UNIT}{YEAR}年{REPORT_TITLE}", *HEADINGS.values(), *(s.title.text for s in fmt.sections)):
        assert squeeze(heading) in text, heading
    for i, page in enumerate(pages, start=1):
        assert f"- {i} -" in page
    assert set(w.sources) == set(fmt.cells(include_derived=False))
    per_page = check_pdf_addresses(w.path, w.sources, {k: shown(v) for k, v in cells.items()})
    # table 三 runs over a page, its header rows drawn again at the top of the next
    pages_of_requests = {parse_pdf_source(s)[0] for k, s in w.sources.items() if k[0] == "requests"}
    assert len(pages_of_requests) == 2 and len(per_page) >= 2
    later = max(pages_of_requests)
    first_row = min(parse_pdf_source(s)[1] for k, s in w.sources.items()
                    if k[0] == "requests" and parse_pdf_source(s)[0] == later)
    assert first_row == 4  # three header rows above it
    column_header = fmt.section("requests").column_header.text
    assert all(column_header in pages[p - 1] for p in pages_of_requests)


def test_pdf_without_repeated_header_and_split_title(tmp_path):
    cells = figures(NEW)
    w = write(tmp_path, "pdf", cells=cells, narrative={"overview": LONG}, split_title=True, unit_in_header=True)
    doc = pdf_pages(w.path)
    pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    lines = pages[0].splitlines()
    assert [UNIT, f"{YEAR}年{REPORT_TITLE}"] in [lines[i:i + 2] for i in range(len(lines))]  # the title over two lines
    assert all(UNIT in p for p in pages)
    check_pdf_addresses(w.path, w.sources, {k: shown(v) for k, v in cells.items()})
    later = max(parse_pdf_source(s)[0] for k, s in w.sources.items() if k[0] == "requests")
    rows = [parse_pdf_source(s)[1] for k, s in w.sources.items() if k[0] == "requests" and parse_pdf_source(s)[0] == later]
    assert min(rows) == 1  # the continued table starts with a row of figures
    assert NEW.section("requests").column_header.text not in pages[later - 1]


def test_pdf_without_rulings(tmp_path):
    import pypdfium2.raw as pdfium_c

    cells = figures(OLD)
    w = write(tmp_path, "pdf", OLD, cells, narrative={"overview": LONG}, rulings=False)
    doc = pdf_pages(w.path)
    assert not any(o.type == pdfium_c.FPDF_PAGEOBJ_PATH for i in range(len(doc)) for o in doc[i].get_objects())
    tokens = [pdf_tokens(doc[i]) for i in range(len(doc))]
    placed = {}
    for key, source in w.sources.items():
        page, r, c = parse_pdf_source(source)
        found = [t for t in tokens[page - 1] if t.text == shown(cells[key])]
        assert len(found) == 1, (key, source)
        placed[key] = (page, r, c, found[0])
    # rows top to bottom and columns left to right as the addresses number them
    for a, (pa, ra, ca, ta) in placed.items():
        for b, (pb, rb, cb, tb) in placed.items():
            if pa == pb and ra < rb:
                assert ta.y > tb.y, (a, b)
            if pa == pb and ra == rb:
                assert abs(ta.y - tb.y) < 1, (a, b)
                if a[0] == b[0] and ca < cb:
                    assert ta.x < tb.x, (a, b)


# ---------------------------------------------------------------- HTML, with lxml


def html_tables(text: str) -> list[Tbl]:
    import lxml.html

    root = lxml.html.document_fromstring(text)
    out = []
    for table in root.iter("table"):
        texts, merges, filled = {}, set(), set()
        n_rows = n_cols = 0
        for r, tr in enumerate(table.iter("tr")):
            c = 0
            for td in tr.findall("td"):
                while (r, c) in filled:
                    c += 1
                rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
                texts[(r, c)] = "".join(td.itertext())
                if rs > 1 or cs > 1:
                    merges.add((r, c, r + rs - 1, c + cs - 1))
                filled.update((r + i, c + j) for i in range(rs) for j in range(cs))
                c += cs
            n_rows = r + 1
            n_cols = max(n_cols, c)
        out.append(Tbl(texts, merges, n_rows, n_cols))
    return out


def declared(data: bytes) -> str | None:
    m = re.search(rb"<meta[^>]*charset=\"?([\w-]+)", data[:1024], re.I)
    return m.group(1).decode().lower() if m else None


WHATWG = {"gb2312": "gb18030", "gbk": "gb18030"}  # what browsers decode a page declared gb2312/gbk with


@pytest.mark.parametrize("version", list(FORMATS))
@pytest.mark.parametrize("encoding", ["utf-8", "gbk", None])
def test_html_values_spans_and_encoding(tmp_path, version, encoding):
    fmt = FORMATS[version]
    cells = figures(fmt)
    w = write(tmp_path, "html", fmt, cells, encoding=encoding)
    data = w.path.read_bytes()
    label = declared(data)
    assert label == {"utf-8": "utf-8", "gbk": "gb2312", None: None}[encoding]
    text = data.decode(WHATWG.get(label, label) if label else "utf-8")
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    assert f"{UNIT}{YEAR}年{REPORT_TITLE}" in text
    tables = html_tables(text)
    assert len(tables) == 3
    assert 'rowspan="' in text and 'colspan="' in text
    assert tables[1].merges and all(t.merges for t in tables)
    for key, source in w.sources.items():
        assert squeeze(at(tables, source)) == shown(cells[key]), (key, source)
    # blank cells hold &nbsp; as portals write them
    w = write(tmp_path, "html", fmt, {}, name="blank", encoding=encoding)
    assert "<td valign=\"center\">&nbsp;</td>" in w.path.read_bytes().decode(WHATWG.get(label, label) if label else "utf-8")


def test_html_portal_furniture_and_split_labels(tmp_path):
    import lxml.html

    cells = figures(NEW)
    w = write(tmp_path, "html", cells=cells, furniture=True, split_labels=True, traditional=True, encoding="gbk")
    text = w.path.read_bytes().decode("gb18030")
    root = lxml.html.document_fromstring(text)
    assert root.xpath("//ul[@class='nav']") and root.xpath("//div[@class='breadcrumb']")
    assert root.xpath("//div[@class='footer']") and root.xpath("//script")
    related = root.xpath("//div[@class='related']//a/text()")
    assert any(str(YEAR - 1) in t for t in related)
    article = root.xpath("//div[@class='article']")[0]
    assert len(article.xpath(".//table")) == len(root.xpath("//table")) == 3
    # traditional characters everywhere, the GBK page still decoding
    assert "政府信息公開工作年度報告" in article.xpath(".//h1")[0].text_content()
    tables = html_tables(text)
    for key, source in w.sources.items():
        assert squeeze(at(tables, source)) == shown(cells[key])
    # labels typed over several <p>s of a cell, padded with &nbsp; runs
    cells_p = [td for td in root.xpath("//table//td") if len(td.findall("p")) > 1]
    assert cells_p and "&nbsp; &nbsp;" in text
    joined = {squeeze(td.text_content()) for td in cells_p}
    assert "商業企業" in joined


def test_html_flat_and_split_title(tmp_path):
    cells = figures(OLD)
    w = write(tmp_path, "html", OLD, cells, layout="flat", split_title=True)
    text = w.path.read_text(encoding="utf-8")
    assert "rowspan" not in text and "colspan" not in text
    assert f"<h1 class=\"article-title\">{UNIT}<br>{YEAR}年{REPORT_TITLE}</h1>" in text
    tables = html_tables(text)
    for key, source in w.sources.items():
        assert squeeze(at(tables, source)) == shown(cells[key])


# ---------------------------------------------------------------- what every form shares


@pytest.mark.parametrize("form", list(SUFFIX))
def test_number_styles_zero_words_and_texts(tmp_path, form):
    """What the plan's options write is what is in the document: ``raw`` at the address, blanks left blank."""
    fmt = NEW
    cells = {k: (0 if i % 5 == 0 else 1200 + i) for i, k in enumerate(fmt.cells(include_derived=False))}
    fee = ("proactive", "fees", "amount_wan_yuan")
    cells[fee] = 3.25
    note = ("review_litigation", "reconsideration", "pending")
    w = write(tmp_path, form, fmt, cells, zero="blank", numbers="thousands", money_suffix=True,
              text_cells=((note, "见附件"),))
    assert w.raw[note] == "见附件" and w.raw[fee] == "3.25元"
    assert w.raw[("requests", "new_received", "commercial")] == f"{cells[('requests', 'new_received', 'commercial')]:,}"
    zeros = [k for k, v in cells.items() if v == 0 and k != note]
    assert zeros and not any(k in w.raw for k in zeros)
    if form == "pdf":
        doc = pdf_pages(w.path)
        for key, source in w.sources.items():
            if key in w.raw:
                page = parse_pdf_source(source)[0]
                assert squeeze(w.raw[key]) in squeeze(doc[page - 1].get_textpage().get_text_range()), (key, source)
        # (见附件 wraps in its narrow cell: one word per line is what the addresses are checked on)
        check_pdf_addresses(w.path, {k: s for k, s in w.sources.items() if k in w.raw and k != note}, w.raw)
        return
    tables = word_tables(_xml(w.path)) if form == "word" else html_tables(w.path.read_text(encoding="utf-8"))
    for key, source in w.sources.items():
        assert squeeze(at(tables, source)) == squeeze(w.raw.get(key, "")), (key, source)


@pytest.mark.parametrize("form", list(SUFFIX))
def test_default_narrative_is_made_from_the_figures(tmp_path, form):
    fmt = OLD
    cells = figures(fmt)
    w = write(tmp_path, form, fmt, cells)
    if form == "word":
        text = "".join(body_paragraphs(_xml(w.path)))
    elif form == "pdf":
        doc = pdf_pages(w.path)
        text = squeeze("".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))))
    else:
        text = w.path.read_text(encoding="utf-8")
    said = narrative(fmt, cells, UNIT, YEAR)  # the default narrative: what it states, in which sentence
    assert said.stated["new_received"] == cells[("requests", "new_received", TOTAL)]
    assert squeeze(said.sentences["new_received"]) in squeeze(text)
    assert all(squeeze(said.sentences[q]) in squeeze(text) for q in said.sentences)
    assert f"统计期限自{YEAR}年1月1日起至{YEAR}年12月31日止" in text
    assert all(squeeze(h) in squeeze(text) for h in HEADINGS.values())
    # the same figures, the same words; other figures, other words
    again = write(tmp_path, form, fmt, cells, name="again")
    assert again.path.read_bytes() == w.path.read_bytes()
    other = write(tmp_path, form, fmt, {**cells, ("requests", "new_received", TOTAL): 999}, name="other")
    assert other.path.read_bytes() != w.path.read_bytes()


def test_narrative_parts_left_out(tmp_path):
    w = write(tmp_path, "word", narrative={"preamble": None, "problems": None, "other": "只有一段。"})
    paragraphs = [p for p in body_paragraphs(_xml(w.path)) if p]
    assert HEADINGS["problems"] not in paragraphs and HEADINGS["overview"] in paragraphs
    assert not any(p.startswith("本报告由") for p in paragraphs)
    assert paragraphs[-2:] == [HEADINGS["other"], "只有一段。"]
    w = write(tmp_path, "html", name="nofiler", filer="", narrative={"overview": None})
    text = w.path.read_text(encoding="utf-8")
    assert "填报单位" not in text and HEADINGS["overview"] not in text and HEADINGS["other"] in text
    with pytest.raises(ValueError):
        write(tmp_path, "html", name="bad", narrative={"summary": "?"})


@pytest.mark.parametrize("form", list(SUFFIX))
def test_same_inputs_same_bytes(tmp_path, form):
    kw = {"word": {"split_table": 10, "tracked_change": True, "title_in_textbox": True},
          "pdf": {"repeat_header": True}, "html": {"furniture": True, "encoding": "gbk"}}[form]
    a = write(tmp_path, form, name="a", **kw)
    b = write(tmp_path, form, name="b", **kw)
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.sources == b.sources


def test_options_are_checked(tmp_path):
    with pytest.raises(TypeError):
        write(tmp_path, "word", colour="red")
    with pytest.raises(ValueError):
        write(tmp_path, "pdf", split_table=5)  # a Word option
    with pytest.raises(ValueError):
        write(tmp_path, "word", encoding="gbk")  # an HTML option
    with pytest.raises(ValueError):
        write(tmp_path, "word", repeat_header=True)  # nothing to repeat in an unsplit Word table
    with pytest.raises(ValueError):
        write(tmp_path, "html", formulas="cached")
    with pytest.raises(ValueError):
        write_document(tmp_path / "r.odt", NEW, {}, UNIT, YEAR, "odt")
    with pytest.raises(ValueError):
        DocumentOptions(encoding="latin-1")
    with pytest.raises(ValueError):
        write(tmp_path, "word", cells={}, tracked_change=True)  # no figure to change
