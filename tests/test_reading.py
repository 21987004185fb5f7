"""transforms.reading: every layout and label/number variant reads into the canonical cells, with the right findings."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from reading_fixtures import (
    Sheet,
    address,
    flat_sheet,
    insert_column,
    insert_row,
    row_of,
    split_per_table,
    statutory_sheet,
    with_derived,
    write_book,
)

from transforms.format import EXPLANATIONS_SHEET, FILER, REPORT_TITLE
from transforms.format.statutory import FORMAT_2019, FORMAT_2021, OTHER_CHILDREN_2021
from transforms.reading import read_submission
from transforms.reading.labels import INDEXES
from transforms.reading.numbers import parse

pytestmark = pytest.mark.unit

UNIT = "大营镇"  # config/units.csv: twp_daying
F21 = FORMAT_2021
REQ = F21.section("requests")
PRO = F21.section("proactive")


def rules_of(sub, severity=None):
    return sorted({f.rule for f in sub.findings if severity is None or f.severity == severity})


def assert_cells(sub, expected):
    wrong = {k: (v, sub.value(*k)) for k, v in expected.items() if sub.value(*k) != v}
    assert not wrong, list(wrong.items())[:5]


def read(tmp_path, sheets, registry, name="report.xlsx", **kw):
    return read_submission(write_book(tmp_path / name, sheets if isinstance(sheets, list) else [sheets]), registry, **kw)


# ---------------------------------------------------------------- the statutory layout and its counterparts


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".xlsm"])
@pytest.mark.parametrize("version", [FORMAT_2021.version, FORMAT_2019.version, "mixed"])
def test_statutory_template_reads_completely(tmp_path, registry, version, suffix):
    sheet, expected = statutory_sheet(version, unit=UNIT)
    sub = read(tmp_path, sheet, registry, name=f"report{suffix}")
    assert not sub.unreadable
    assert (sub.unit_code, sub.report_year) == ("twp_daying", 2024)
    assert sub.format_version == (FORMAT_2019.version if version == FORMAT_2019.version else FORMAT_2021.version)
    assert_cells(sub, with_derived(expected, FORMAT_2019.version if version == "mixed" else version))
    for key in expected:
        assert sub.cells[key].source == address(sheet, key)
    assert "error" not in {f.severity for f in sub.findings}, [f.message for f in sub.findings]
    if version == FORMAT_2021.version:
        assert sub.findings == []
        derived = ("requests", "other_total", "total")
        assert sub.cells[derived].source is None
        assert sub.cells[derived].value == sum(expected[("requests", c, "total")] for c in OTHER_CHILDREN_2021)
    if version == "mixed":
        assert rules_of(sub) == ["R-FORMAT"]
        for child in OTHER_CHILDREN_2021:
            assert sub.value("requests", child, "total") is None
    if version == FORMAT_2019.version:
        assert rules_of(sub) == ["R-YEAR"]  # 2019 tables for 2024
        assert set(sub.cells) == set(FORMAT_2019.cells())


def test_start_cell_title_and_spacer_columns(tmp_path, registry):
    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT, start=(7, 4))
    insert_column(sheet, 5)  # between the label columns
    insert_column(sheet, 9)  # inside the value columns of table 三
    insert_row(sheet, 8)  # an empty row under the title block
    sub = read(tmp_path, sheet, registry)
    assert_cells(sub, with_derived(expected, FORMAT_2021.version))
    assert sub.findings == []
    assert all(sub.cells[k].source == address(sheet, k) for k in expected)


@pytest.mark.parametrize("version", [FORMAT_2021.version, FORMAT_2019.version])
def test_one_sheet_per_table_in_any_order(tmp_path, registry, version):
    sheet, expected = statutory_sheet(version, unit=UNIT)
    parts = split_per_table(sheet)
    random.Random(7).shuffle(parts)
    sub = read(tmp_path, parts, registry)
    assert_cells(sub, with_derived(expected, version))
    sheets = {p.name for p in parts}
    assert {sub.cells[k].source.split("!")[0] for k in expected} <= sheets


@pytest.mark.parametrize("sep", ["", " ", "-", "—", "：", "/", "\n"])
@pytest.mark.parametrize("version", [FORMAT_2021.version, FORMAT_2019.version])
def test_flat_joined_labels(tmp_path, registry, version, sep):
    sheet, expected = flat_sheet(version, unit=UNIT, sep=sep)
    sub = read(tmp_path, sheet, registry)
    assert sub.format_version == version
    assert_cells(sub, with_derived(expected, version))
    assert "R-LABELS" not in rules_of(sub)


def test_label_variants_traditional_half_width_numbering_line_breaks(tmp_path, registry):
    import opencc

    s2t = opencc.OpenCC("s2t")
    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    for pos, v in list(sheet.cells.items()):
        if isinstance(v, str):
            text = s2t.convert(v).replace("（", "(").replace("）", ")").replace("1.", "1、").replace("2.", "2．")
            if len(text) > 4:
                text = text[:2] + "\n" + text[2:]
            sheet.cells[pos] = text
    sub = read(tmp_path, sheet, registry)
    assert_cells(sub, with_derived(expected, FORMAT_2021.version))
    assert "R-LABELS" not in rules_of(sub)


def test_known_variants_from_the_format(tmp_path, registry):
    """Variants listed in the format definition (typos and old wording seen in real reports) read without a warning."""
    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    replacements = {}
    for section in F21.sections:
        for row in section.rows:
            if row.label.variants:
                replacements[row.label.text] = row.label.variants[0]
        for m in section.column_by_code.values():
            if m.label.variants:
                replacements[m.label.text] = m.label.variants[0]
    for pos, v in list(sheet.cells.items()):
        if isinstance(v, str) and v in replacements:
            sheet.cells[pos] = replacements[v]
    sub = read(tmp_path, sheet, registry)
    assert_cells(sub, with_derived(expected, FORMAT_2021.version))
    assert "R-LABELS" not in rules_of(sub)


# ---------------------------------------------------------------- labels: context, typos, unknown rows/columns


def test_row_context_decides_the_row():
    idx = INDEXES[FORMAT_2021.version].sections["requests"]
    by = REQ.row_by_code
    secret, petition = by["withheld_state_secret"], by["rejected_petition"]
    assert idx.match_row(secret.group.text + secret.label.text) == "withheld_state_secret"
    assert idx.match_row(petition.group.text + secret.label.text) is None  # 1.属于国家秘密 under （五）
    outer = by["granted"].group.text
    assert idx.match_row(f"{outer} {secret.group.text} {secret.label.text}") == "withheld_state_secret"
    assert idx.match_row(by["other_total"].label.text) == "other_total"
    block = PRO.blocks[1].article.text  # 第二十条第（五）项
    assert INDEXES[FORMAT_2021.version].sections["proactive"].match_row(block + PRO.blocks[0].rows[0].label.text) is None


def test_typo_in_a_row_label_is_read_with_a_warning(tmp_path, registry):
    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    row = REQ.row_by_code["withheld_third_party"]
    pos = next(p for p, v in sheet.cells.items() if v == row.label.text)
    sheet.cells[pos] = row.label.text[:-1] + "义"  # 权益 → 权义
    sub = read(tmp_path, sheet, registry)
    assert_cells(sub, with_derived(expected, FORMAT_2021.version))
    warn = [f for f in sub.findings if f.rule == "R-LABELS"]
    assert len(warn) == 1 and warn[0].severity == "warning" and warn[0].row == "withheld_third_party"
    assert row.label.text in warn[0].message


def test_typo_in_a_column_header_is_read_with_a_warning(tmp_path, registry):
    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    m = REQ.column_by_code["public_interest"]
    pos = next(p for p, v in sheet.cells.items() if v == m.label.text)
    sheet.cells[pos] = m.label.text[:3] + "义" + m.label.text[4:]  # one character wrong
    sub = read(tmp_path, sheet, registry)
    assert_cells(sub, with_derived(expected, FORMAT_2021.version))
    assert [f.severity for f in sub.findings if f.rule == "R-LABELS"][:1] == ["warning"]


def test_unknown_extra_row_and_column_are_noticed_and_ignored(tmp_path, registry):
    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    r = row_of(sheet, "requests", "new_received") + 1
    cols = sorted(c for (s, rr, _), (_, c) in sheet.keys.items() if s == "requests" and rr == "new_received")
    insert_row(sheet, r, {0: "其中：网上申请", **{c: 99 for c in cols}})
    sub = read(tmp_path, sheet, registry)
    assert_cells(sub, with_derived(expected, FORMAT_2021.version))
    labels = [f for f in sub.findings if f.rule == "R-LABELS"]
    assert [f.severity for f in labels] == ["notice"] and "网上申请" in labels[0].message
    assert sub.status == "accepted"  # a notice never holds a report

    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    right = max(c for _, c in sheet.cells) + 1
    top = row_of(sheet, "requests", "new_received")
    sheet.put(top - 1, right, "备注栏")
    sheet.put(top, right, 5)
    sub = read(tmp_path, sheet, registry)
    assert_cells(sub, with_derived(expected, FORMAT_2021.version))
    assert any(f.rule == "R-LABELS" and "备注栏" in f.message for f in sub.findings)


def test_two_copies_of_the_report(tmp_path, registry):
    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    old, _ = statutory_sheet(FORMAT_2021.version, unit=UNIT, year=2023)
    old.name = "上年"
    del old.cells[old.keys[("requests", "granted", "total")]]  # the fuller copy wins; ties go to the first sheet
    sub = read(tmp_path, [sheet, old], registry)
    assert_cells(sub, with_derived(expected, FORMAT_2021.version))
    warns = [f for f in sub.findings if f.rule == "R-LABELS"]
    assert len(warns) == 3 and all("上年" in f.message for f in warns)


def test_missing_table_and_missing_row(tmp_path, registry):
    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    parts = split_per_table(sheet)
    sub = read(tmp_path, [p for p in parts if not any(k[0] == "review_litigation" for k in p.keys)], registry)
    assert sub.status == "rejected"
    missing = [f for f in sub.findings if f.rule == "R-LABELS"]
    assert [(f.severity, f.section) for f in missing] == [("error", "review_litigation")]
    assert not any(k[0] == "review_litigation" for k in sub.cells)

    sheet, _ = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    r = row_of(sheet, "requests", "rejected_duplicate")
    sheet.cells = {p: v for p, v in sheet.cells.items() if p[0] != r}
    sub = read(tmp_path, sheet, registry)
    errs = [f for f in sub.findings if f.rule == "R-LABELS" and f.severity == "error"]
    assert [f.row for f in errs] == ["rejected_duplicate"]
    assert sub.value("requests", "rejected_duplicate", "total") is None


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "text, value, kind",
    [
        (5, 5, None), (5.0, 5, None), ("5", 5, None), (" 12 ", 12, None), ("５", 5, "note"), ("１２３", 123, "note"),
        ("1,234", 1234, "note"), ("5件", 5, "note"), ("251000元", 251000, "note"), ("—", 0, "note"),
        ("/", 0, "note"), ("无", 0, "note"), ("－", 0, "note"), ("", None, None), ("\u3000", None, None),
        (None, None, None), ("见附件", None, "error"), ("3.5", None, "error"), (-1, None, "error"),
        (True, None, "error"),
    ],
)
def test_number_texts(text, value, kind):
    p = parse(text, REQ.columns[0])
    assert p.value == value
    assert (p.error is not None) == (kind == "error")
    assert (p.note is not None) == (kind == "note")


def test_signed_and_decimal_measures():
    f19 = FORMAT_2019.section("proactive")
    assert parse(-3, f19.measure("fees", "change")).value == -3
    assert parse("190.457379", PRO.measure("fees", "amount_wan_yuan")).value == pytest.approx(190.457379)
    assert parse(-1.5, PRO.measure("fees", "amount_wan_yuan")).error


def test_number_variants_in_a_sheet(tmp_path, registry):
    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    k_full, k_dash, k_bad, k_unit = (
        ("requests", "granted", "natural_person"),
        ("requests", "granted", "research"),
        ("requests", "partly_granted", "commercial"),
        ("proactive", "licensing", "decisions"),
    )
    sheet.put(*sheet.keys[k_full], "１２")
    sheet.put(*sheet.keys[k_dash], "—")
    sheet.put(*sheet.keys[k_bad], "不详")
    sheet.put(*sheet.keys[k_unit], "1,205件")
    sub = read(tmp_path, sheet, registry)
    assert sub.value(*k_full) == 12 and sub.cells[k_full].raw == "１２"
    assert sub.value(*k_dash) == 0 and sub.value(*k_unit) == 1205
    assert sub.value(*k_bad) is None
    err = [f for f in sub.findings if f.rule == "R-NUMBER" and f.severity == "error"]
    assert len(err) == 1 and err[0].cell == address(sheet, k_bad) and "不详" in err[0].message
    assert err[0].row == "partly_granted" and err[0].column == "commercial"
    assert {f.severity for f in sub.findings if f.rule == "R-NUMBER"} == {"error", "notice"}  # normalised: notice


def test_blank_cells_one_notice_and_blank_table_not_reported(tmp_path, registry):
    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    blanks = [("requests", "granted", "research"), ("proactive", "penalty", "decisions")]
    for k in blanks:
        del sheet.cells[sheet.keys[k]]
    review = [k for k in sheet.keys if k[0] == "review_litigation"]
    for k in review:
        del sheet.cells[sheet.keys[k]]
    sub = read(tmp_path, sheet, registry)
    for k in blanks + review:
        assert sub.value(*k) is None
    blank = [f for f in sub.findings if f.rule == "R-BLANK"]
    assert all(f.severity == "notice" for f in blank) and len(blank) == 2
    listing = next(f for f in blank if f.section != "review_litigation")
    assert all(address(sheet, k) in listing.message for k in blanks)
    assert any(f.section == "review_litigation" for f in blank)  # the whole table: not reported
    assert sub.status == "accepted"  # blanks are noticed, never held


# ---------------------------------------------------------------- year, unit, explanations


def test_year_sources(tmp_path, registry):
    sheet, _ = statutory_sheet(FORMAT_2021.version, unit=UNIT, year=2023)
    sub = read(tmp_path, sheet, registry, name=f"{UNIT}_2024_报告.xlsx")
    assert sub.report_year == 2023 and "R-YEAR" in rules_of(sub, "warning")
    sub = read(tmp_path, sheet, registry, name="report.xlsx", year=2023)
    assert sub.report_year == 2023 and rules_of(sub) == []

    sheet, _ = statutory_sheet(FORMAT_2021.version)  # no title, no 填报单位
    sub = read(tmp_path, sheet, registry, name=f"{UNIT}.xlsx")
    assert sub.report_year is None and "R-YEAR" in rules_of(sub, "error")
    sub = read(tmp_path, sheet, registry, name=f"{UNIT}2024年度.xlsx")
    assert (sub.report_year, sub.unit_code) == (2024, "twp_daying") and rules_of(sub) == []

    sheet, _ = statutory_sheet(FORMAT_2021.version, start=(2, 0))
    sheet.put(0, 0, "2022年度")  # a cell of its own
    sub = read(tmp_path, sheet, registry, name=f"{UNIT}.xlsx")
    assert sub.report_year == 2022 and rules_of(sub) == []


def test_unit_sources(tmp_path, registry):
    sheet, _ = statutory_sheet(FORMAT_2021.version)
    sub = read(tmp_path, sheet, registry, name="report.xlsx", year=2024)
    assert sub.unit_code is None and rules_of(sub, "error") == ["R-UNIT"]
    sub = read(tmp_path, sheet, registry, name="report.xlsx", year=2024, unit_name=UNIT)
    assert sub.unit_code == "twp_daying" and rules_of(sub) == []
    sub = read(tmp_path, sheet, registry, name="report.xlsx", year=2024, unit_name="火星镇")
    assert sub.unit_code is None and rules_of(sub, "error") == ["R-UNIT"]

    sheet, _ = statutory_sheet(FORMAT_2021.version, start=(2, 0))
    sheet.put(0, 0, f"{FILER.text}：")
    sheet.put(0, 1, f"{UNIT}人民政府")
    sub = read(tmp_path, sheet, registry, name="report.xlsx", year=2024)
    assert sub.unit_code == "twp_daying"

    sheet, _ = statutory_sheet(FORMAT_2021.version, unit="火星镇")
    sub = read(tmp_path, sheet, registry, name="report.xlsx")
    assert sub.unit_code is None and "R-UNIT" in rules_of(sub, "error")


def test_explanations_sheet(tmp_path, registry):
    sheet, _ = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    del sheet.cells[sheet.keys[("requests", "granted", "research")]]
    notes = Sheet(name=EXPLANATIONS_SHEET)
    notes.put(0, 0, "R-BLANK")
    notes.put(0, 1, "该栏确实没有发生")
    sub = read(tmp_path, [sheet, notes], registry)
    assert sub.explanations == {"R-BLANK": "该栏确实没有发生"}
    assert next(f for f in sub.findings if f.rule == "R-BLANK").explanation == "该栏确实没有发生"


def test_messages_are_chinese_and_name_the_cell(tmp_path, registry):
    sheet, _ = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    k = ("requests", "partly_granted", "commercial")
    sheet.put(*sheet.keys[k], "见附件")
    sub = read(tmp_path, sheet, registry)
    f = next(f for f in sub.findings if f.rule == "R-NUMBER")
    assert f.message.startswith(REQ.describe("partly_granted", "commercial"))
    assert address(sheet, k) in f.message and REPORT_TITLE not in f.message


# ---------------------------------------------------------------- the example county, every file


def test_round_trip_over_the_example_county(example_inbox, registry):
    from countystats.examples.county import generate_county

    reports = generate_county((2023, 2024))
    assert reports
    problems = []
    for rep in reports:
        sub = read_submission(Path(example_inbox) / rep.file_name, registry)
        if (sub.unit_code, sub.report_year, sub.format_version) != (rep.unit_code, rep.year, rep.format_version):
            problems.append((rep.file_name, "meta", sub.unit_code, sub.report_year, sub.format_version))
        for key, value in rep.cells.items():
            cell = sub.cells.get(key)
            if cell is None or cell.value != value:
                problems.append((rep.file_name, key, value, cell and cell.value))
            elif key in rep.sources and cell.source != rep.sources[key]:
                problems.append((rep.file_name, key, rep.sources[key], cell.source))
        for key, text in rep.raw.items():
            if key in sub.cells and sub.cells[key].value is not None and not str(text).startswith("="):
                if sub.cells[key].raw != text:
                    problems.append((rep.file_name, key, "raw", text, sub.cells[key].raw))
        if rep.mistake and rep.mistake.startswith("R-") and rep.mistake not in rules_of(sub, "error"):
            problems.append((rep.file_name, "mistake not found", rep.mistake))
        if not rep.mistake and rules_of(sub, "error"):
            problems.append((rep.file_name, "unexpected", [f.message for f in sub.findings if f.severity == "error"]))
    assert not problems, problems[:10]


def test_value_typed_in_the_middle_of_a_merged_header(tmp_path, registry):
    sheet, expected = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    key = ("proactive", "licensing", "decisions")
    r, c = sheet.keys[key]
    sheet.merges = [m for m in sheet.merges if (m[0], m[1]) != (r, c)]  # the value cell unmerged…
    sheet.put(r, c + 1, sheet.cells.pop((r, c)))  # …and the number typed one column to the right
    sub = read(tmp_path, sheet, registry)
    assert sub.value(*key) == expected[key]
