"""transforms.writing.layouts: the stacked layout is the statutory Word template cell for cell; every layout and option writes
what ``Written.cells`` / ``sources`` / ``raw`` say; the blank template is usable."""

from __future__ import annotations

from pathlib import Path

import pytest

from countystats.examples.workbooks import write_example as write_report
from transforms.format import EXPLANATIONS_SHEET, YUAN
from transforms.format.labels import normalise
from transforms.format.statutory import FORMAT_2019, FORMAT_2021
from transforms.writing.layouts import Options, plan_report, total_targets, write_template

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DOCX = ROOT.parent / "shared" / "samples" / "published" / "statutory-template-2021.docx"
SECTIONS = ("proactive", "requests", "review_litigation")


# ---------------------------------------------------------------- the Word template, read as a grid


def _docx_tables(path: Path) -> list[tuple[dict[tuple[int, int], str], set[tuple[int, int, int, int]], int, int]]:
    """Each table as (texts at the top-left cell of each merged area, merged ranges, rows, columns), from the XML:
    python-docx repeats a merged cell's text in every grid cell, so gridSpan and vMerge are read directly."""
    import docx
    from docx.oxml.ns import qn

    out = []
    for table in docx.Document(str(path)).tables:
        texts: dict[tuple[int, int], str] = {}
        spans: dict[tuple[int, int], list[int]] = {}  # top-left → [last_row, last_col]
        owner: dict[tuple[int, int], tuple[int, int]] = {}  # (row, col) of a vertically continued cell → top-left
        width = 0
        rows = table._tbl.tr_lst
        for r, tr in enumerate(rows):
            c = 0
            for tc in tr.tc_lst:
                pr = tc.tcPr
                span = int(pr.find(qn("w:gridSpan")).get(qn("w:val"))) if pr is not None and pr.find(qn("w:gridSpan")) is not None else 1
                vmerge = pr.find(qn("w:vMerge")) if pr is not None else None
                continued = vmerge is not None and vmerge.get(qn("w:val")) in (None, "continue")
                if continued:
                    top = owner[(r - 1, c)]
                    spans[top][0] = r
                    owner[(r, c)] = top
                else:
                    text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
                    texts[(r, c)] = text
                    spans[(r, c)] = [r, c + span - 1]
                    owner[(r, c)] = (r, c)
                c += span
            width = max(width, c)
        merges = {(r, c, lr, lc) for (r, c), (lr, lc) in spans.items() if (lr, lc) != (r, c)}
        out.append((texts, merges, len(rows), width))
    return out


def _sheet_region(ws, top: int, left: int, rows: int, cols: int):
    texts = {}
    for r in range(rows):
        for c in range(cols):
            v = ws.cell(top + r + 1, left + c + 1).value
            if v is not None:
                texts[(r, c)] = v
    merges = set()
    for m in ws.merged_cells.ranges:
        r1, c1, r2, c2 = m.min_row - 1 - top, m.min_col - 1 - left, m.max_row - 1 - top, m.max_col - 1 - left
        if 0 <= r1 < rows and 0 <= c1 < cols:
            merges.add((r1, c1, r2, c2))
    return texts, merges


@pytest.fixture(scope="module")
def docx_tables():
    assert TEMPLATE_DOCX.exists(), f"the statutory Word template belongs beside the project: {TEMPLATE_DOCX}"
    return _docx_tables(TEMPLATE_DOCX)


@pytest.mark.parametrize("start", [(0, 0), (3, 2)])
def test_stacked_matches_word_template(tmp_path, docx_tables, start):
    import openpyxl

    fmt = FORMAT_2021
    written = write_report(tmp_path / "t.xlsx", fmt, {}, "大营镇", 2024, "stacked", start=start)
    ws = openpyxl.load_workbook(written.path).active
    book = plan_report(fmt, {}, "大营镇", 2024, "stacked", Options(start=start))
    section_rows = [it.row for it in book.sheets[0].items if it.role == "section"]
    assert len(section_rows) == len(docx_tables) == 3
    for (texts, merges, n_rows, n_cols), title_row in zip(docx_tables, section_rows, strict=True):
        got_texts, got_merges = _sheet_region(ws, title_row + 1, start[1], n_rows, n_cols)
        want = {k: normalise(v) for k, v in texts.items() if normalise(v)}
        assert {k: normalise(v) for k, v in got_texts.items()} == want
        assert got_merges == merges
        # nothing spills to the right of the template's table
        assert all(ws.cell(title_row + 2 + r, start[1] + n_cols + 1).value is None for r in range(n_rows))


def test_stacked_title_filer_and_line_breaks(tmp_path):
    import openpyxl

    w = write_report(tmp_path / "t.xlsx", FORMAT_2021, {}, "大营镇", 2024, title="清河县大营镇2024年政府信息公开工作年度报告",
                     filer="填报单位：大营镇人民政府")
    ws = openpyxl.load_workbook(w.path).active
    assert ws["A1"].value == "清河县大营镇2024年政府信息公开工作年度报告"
    assert ws["A2"].value == "填报单位：大营镇人民政府"
    values = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "商业\n企业" in values and "二、主动公开政府信息情况" in values


def _all_cells(fmt, seed=3):
    return {k: (i * seed) % 11 for i, k in enumerate(fmt.cells(include_derived=False))}


def _read_at(path: Path, source: str):
    import python_calamine

    sheet, ref = source.split("!")
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    col = 0
    letters = "".join(ch for ch in ref if ch.isalpha())
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    r = int(ref[len(letters):]) - 1
    return rows[r][col - 1] if r < len(rows) and col - 1 < len(rows[r]) else ""


def _check_round_trip(written):
    """Every printed cell holds what Written says: the raw text, the number, or nothing."""
    for key, source in written.sources.items():
        got = _read_at(written.path, source)
        raw = written.raw.get(key)
        value = written.cells[key]
        if raw is not None and not raw.startswith("="):
            assert got == raw, (key, source, got, raw)
        elif value is None:
            assert got in ("", None), (key, source, got)
        else:
            assert float(got) == float(value), (key, source, got, value)


FORMAT_CASES = {FORMAT_2021.version: FORMAT_2021, FORMAT_2019.version: FORMAT_2019, "mixed": FORMAT_2021.undivided()}


@pytest.mark.parametrize("layout", ["stacked", "per_table", "flat"])
@pytest.mark.parametrize("version", list(FORMAT_CASES))
@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_every_layout_round_trips(tmp_path, layout, version, suffix):
    fmt = FORMAT_CASES[version]
    w = write_report(tmp_path / f"r{suffix}", fmt, _all_cells(fmt), "大营镇", 2024, layout)
    assert set(w.sources) == set(fmt.cells(include_derived=False))
    _check_round_trip(w)


def test_per_table_sheets_and_flat_has_no_merges(tmp_path):
    import openpyxl

    fmt = FORMAT_2021
    w = write_report(tmp_path / "p.xlsx", fmt, _all_cells(fmt), "大营镇", 2024, "per_table")
    wb = openpyxl.load_workbook(w.path)
    assert len(wb.sheetnames) == 3
    for name, sec in zip(wb.sheetnames, fmt.sections, strict=True):
        assert name in sec.title.text
        assert wb[name]["A1"].value.startswith("大营镇2024年")
    w = write_report(tmp_path / "f.xlsx", fmt, _all_cells(fmt), "大营镇", 2024, "flat")
    ws = openpyxl.load_workbook(w.path).active
    assert not ws.merged_cells.ranges
    labels = {normalise(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    req = fmt.section("requests")
    secret = req.row_by_code["withheld_state_secret"]
    result = req.row_by_code["granted"].group
    assert normalise(result.text + secret.group.text + secret.label.text) in labels


def test_2019_and_mixed_tables(tmp_path):
    import openpyxl

    f19 = FORMAT_2019
    w = write_report(tmp_path / "a.xlsx", f19, _all_cells(f19), "连庄镇", 2023)
    texts = {c.value for row in openpyxl.load_workbook(w.path).active.iter_rows() for c in row}
    assert f19.section("proactive").blocks[-1].article.text in texts  # 第二十条第（九）项
    assert f19.section("proactive").row_by_code["procurement"].label.text in texts
    mixed = FORMAT_2021.undivided()
    cells = _all_cells(mixed)
    w = write_report(tmp_path / "m.xlsx", mixed, cells, "县住建局", 2024)
    keys = set(w.cells)
    assert ("requests", "other_total", "total") in w.sources  # printed as its own row
    assert not any(k[1] == "other_no_correction" for k in keys)
    assert ("proactive", "normative_docs", "in_force") in keys  # 2021 table 二
    # 2021: other_total is derived from its three children, never printed
    f21 = FORMAT_2021
    w = write_report(tmp_path / "b.xlsx", f21, _all_cells(f21), "大营镇", 2024)
    assert ("requests", "other_total", "total") not in w.sources
    kids = [r.code for r in f21.section("requests").rows if r.group and r.group.text == f21.section("requests").row_by_code["other_total"].label.text and not r.derived]
    assert w.cells[("requests", "other_total", "natural_person")] == sum(w.cells[("requests", k, "natural_person")] for k in kids)


MESS = [
    dict(variants=True, half_width=True, numbering="、"),
    dict(traditional=True, numbers="fullwidth"),
    dict(numbers="mixed", zero="—", start=(2, 1), spacer=True),
    dict(numbers="thousands", zero="blank", blank_total=True),
    dict(numbers="padded", zero="无", money_suffix=True),
    dict(formulas="cached", explanations=(("X-JUMP", "专项整治"),)),
    dict(text_cells=((("proactive", "penalty", "decisions"), "见附件"),)),
]


@pytest.mark.parametrize("mess", MESS, ids=lambda m: "+".join(m))
@pytest.mark.parametrize("layout", ["stacked", "flat"])
def test_mess_round_trips(tmp_path, mess, layout):
    fmt = FORMAT_2021
    cells = _all_cells(fmt, seed=7)
    cells[("proactive", "fees", "amount_wan_yuan")] = 1234.567891
    w = write_report(tmp_path / "m.xlsx", fmt, cells, "大营镇", 2024, layout, **mess)
    _check_round_trip(w)
    if mess.get("zero") == "blank":
        assert all(w.cells[k] is None for k, v in cells.items() if v == 0)
    if mess.get("blank_total"):
        assert all(v is None for k, v in w.cells.items() if k[0] == "requests" and k[2] == "total")
    if mess.get("money_suffix"):
        assert w.raw[("proactive", "fees", "amount_wan_yuan")].endswith(YUAN)
    if "text_cells" in mess:
        assert w.cells[("proactive", "penalty", "decisions")] is None
    if "explanations" in mess:
        import openpyxl

        ws = openpyxl.load_workbook(w.path)[EXPLANATIONS_SHEET]
        assert [c.value for c in ws[1]] == ["X-JUMP", "专项整治"]


def test_label_variants_normalise_back(tmp_path):
    import openpyxl

    fmt = FORMAT_2021
    w = write_report(tmp_path / "v.xlsx", fmt, {}, "大营镇", 2024, traditional=True, half_width=True, numbering="．")
    texts = {normalise(c.value) for row in openpyxl.load_workbook(w.path).active.iter_rows() for c in row if c.value}
    for sec in fmt.sections:
        for row in sec.rows:
            if not row.derived:
                assert normalise(row.label.text) in texts, row.label.text
    w = write_report(tmp_path / "w.xlsx", fmt, {}, "大营镇", 2024, variants=True)
    texts = {normalise(c.value) for row in openpyxl.load_workbook(w.path).active.iter_rows() for c in row if c.value}
    assert normalise("2.其他法律行政止公开") in texts and normalise("现行有效件") in texts


def test_formulas_cached_and_uncached(tmp_path):
    import openpyxl

    fmt = FORMAT_2021
    cells = _all_cells(fmt)
    key = ("requests", "new_received", "total")
    w = write_report(tmp_path / "c.xlsx", fmt, cells, "大营镇", 2024, formulas="cached")
    sheet, ref = w.sources[key].split("!")
    assert openpyxl.load_workbook(w.path)[sheet][ref].value.startswith("=SUM(")
    assert openpyxl.load_workbook(w.path, data_only=True)[sheet][ref].value == cells[key]
    assert w.cells[key] == cells[key]
    w = write_report(tmp_path / "u.xlsx", fmt, cells, "大营镇", 2024, formulas="uncached")
    assert openpyxl.load_workbook(w.path)[sheet][ref].value.startswith("=SUM(")
    assert openpyxl.load_workbook(w.path, data_only=True)[sheet][ref].value is None
    assert w.cells[key] is None and w.raw[key].startswith("=SUM(")


def test_template(tmp_path):
    import openpyxl

    path = write_template("大营镇人民政府", 2024, out=tmp_path / "tpl.xlsx", units=ROOT / "config" / "units.csv")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert "大营镇" in ws["A1"].value and "2024" in ws["A1"].value
    assert ws.protection.sheet
    book = plan_report(FORMAT_2021, {}, "大营镇", 2024)
    values = [it for it in book.sheets[0].items if it.key]
    assert len(values) == len(FORMAT_2021.cells(include_derived=False))
    totals = total_targets(FORMAT_2021)  # formulas, locked (tests/test_template_workbook.py); the rest is typed in
    inputs = [it for it in values if it.key not in totals]
    for it in inputs:
        cell = ws.cell(it.row + 1, it.col + 1)
        assert cell.value is None and cell.protection.locked is False
    assert len(ws.data_validations.dataValidation) == len(inputs) == len(values) - len(totals)
    with pytest.raises(ValueError):
        write_template("不存在镇", 2024, out=tmp_path / "x.xlsx", units=ROOT / "config" / "units.csv")


def test_unknown_option_is_an_error(tmp_path):
    with pytest.raises(TypeError):
        write_report(tmp_path / "x.xlsx", FORMAT_2021, {}, "大营镇", 2024, colour="red")
    with pytest.raises(ValueError):
        write_report(tmp_path / "x.xlsx", FORMAT_2021, {}, "大营镇", 2024, layout="sideways")
