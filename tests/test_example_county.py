"""The example county: registry consistency, determinism, the identities of validation-rules.md (computed here from
the format, independently of the generator), planted mistakes, scenarios, and the files on disk."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from countystats.examples.county import (
    LATE,
    MISSING,
    MISTAKES,
    ExampleReport,
    generate_county,
    write_example_inbox,
)
from transforms.format import UNIT_TYPE_ZH, YUAN
from transforms.format.statutory import FORMAT_2019, FORMAT_2021
from transforms.registry import Registry
from transforms.rules import RULES

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
UNITS_CSV = ROOT / "config" / "units.csv"
ARITHMETIC = ("T3-BALANCE", "T3-ROWSUM", "T3-OUTCOMES", "T4-TOTAL")


@pytest.fixture(scope="module")
def reports() -> list[ExampleReport]:
    return generate_county()


# ---------------------------------------------------------------- registry


def test_registry_is_consistent():
    with open(UNITS_CSV, encoding="utf-8", newline="") as fh:
        assert fh.readline().strip() == "unit_code,unit_name,unit_type,aliases,active_from,active_to"
    reg = Registry.load(UNITS_CSV)
    codes = [u.unit_code for u in reg.units]
    assert len(codes) == len(set(codes))
    assert {u.unit_type for u in reg.units} <= set(UNIT_TYPE_ZH)
    owners: dict[str, str] = {}
    for u in reg.units:
        for name in set(u.names):
            assert owners.setdefault(name, u.unit_code) == u.unit_code, f"{name} names two units"
        assert reg.match(u.unit_name) is u
        for alias in u.aliases:
            assert reg.match(alias) is u
    kinds = [u.unit_type for u in reg.units]
    assert kinds.count("county_government") == 1
    assert kinds.count("township") == 11 and kinds.count("subdistrict") == 3 and kinds.count("department") >= 30
    # one township merged away after 2023, one department new in 2024: completeness differs per year
    e23, e24 = {u.unit_code for u in reg.expected(2023)}, {u.unit_code for u in reg.expected(2024)}
    assert len(e23 - e24) == 1 and len(e24 - e23) == 1
    with open(UNITS_CSV, encoding="utf-8", newline="") as fh:
        assert all(r["unit_code"].split("_")[0] in ("gov", "twp", "sub", "dep") for r in csv.DictReader(fh))


# ---------------------------------------------------------------- determinism and names


def _fingerprint(r: ExampleReport):
    return (r.unit_code, r.year, r.file_name, r.received_at, r.layout, r.options, r.mistake,
            sorted(r.cells.items()), sorted(r.sources.items()), sorted(r.raw.items()))


def test_deterministic(reports):
    again = generate_county()
    assert [_fingerprint(r) for r in again] == [_fingerprint(r) for r in reports]
    other = generate_county(seed=7)
    assert [_fingerprint(r) for r in other] != [_fingerprint(r) for r in reports]


def test_names_identify_the_unit(reports):
    reg = Registry.load(UNITS_CSV)
    names = set()
    for r in reports:
        assert r.file_name not in names
        names.add(r.file_name)
        texts = [t for t in (r.options.title, r.options.filer) if t]
        if r.unit_in_file_name:
            texts.append(Path(r.file_name).stem)
        assert texts, r.file_name
        for text in texts:
            unit = reg.match(text)
            assert unit is not None and unit.unit_code == r.unit_code, (text, r.unit_code)
        assert str(r.year) in r.file_name or str(r.year) in (r.options.title or "")
    assert any(not r.unit_in_file_name for r in reports)


# ---------------------------------------------------------------- identities, computed from the format


def _v(cells, key):
    return cells.get(key) or 0


def violations(r: ExampleReport, cells=None) -> set[str]:
    """The arithmetic and content rules of validation-rules.md this report breaks (blank = 0; a blank total is
    'not filled in', as T3-ROWSUM and T4-TOTAL say)."""
    cells = r.cells if cells is None else cells
    fmt = r.fmt
    req = fmt.section("requests")
    parts, total = [m.code for m in req.columns[:-1]], req.columns[-1].code
    leaves = [row.code for row in req.rows if row.leaf_outcome and not row.derived]
    out = set()
    for col in [*parts, total]:
        if cells.get(("requests", "new_received", col)) is None and col == total:
            continue
        def k(row, col=col):
            return ("requests", row, col)

        if _v(cells, k("new_received")) + _v(cells, k("carried_over")) != _v(cells, k("concluded_total")) + _v(
            cells, k("carried_forward")
        ):
            out.add("T3-BALANCE")
        if cells.get(k("concluded_total")) is not None and _v(cells, k("concluded_total")) != sum(
            _v(cells, k(x)) for x in leaves
        ):
            out.add("T3-OUTCOMES")
    for row in req.rows:
        t = cells.get(("requests", row.code, total))
        if t is not None and t != sum(_v(cells, ("requests", row.code, c)) for c in parts):
            out.add("T3-ROWSUM")
    rl = fmt.section("review_litigation")
    for row in rl.rows:
        t = cells.get(("review_litigation", row.code, rl.columns[-1].code))
        if t is not None and t != sum(_v(cells, ("review_litigation", row.code, m.code)) for m in rl.columns[:-1]):
            out.add("T4-TOTAL")
    pro = fmt.section("proactive")
    if any(_v(cells, ("proactive", "rules", m.code)) for m in pro.measures_of("rules")):
        out.add("T2-RULES")
    if r.unit_type == "township" and any(_v(cells, ("requests", row.code, c)) for row in req.rows for c in ("research", "legal_services")):
        out.add("T3-SHIFT")
    # what the reader reads: an amount typed in 元 is converted to 万元 (油坊镇's 32500元 is 3.25)
    if r.unit_type == "township" and _v(cells, ("proactive", "fees", "amount_wan_yuan")) > 10000:
        out.add("T2-FEES")
    return out


def test_correct_reports_satisfy_every_identity(reports):
    correct = [r for r in reports if r.mistake is None]
    assert len(correct) > 70
    for r in correct:
        assert violations(r) == set(), (r.file_name, violations(r))


@pytest.mark.parametrize("rule", sorted(set(MISTAKES.values())))  # X-JUMP: test_only_the_planted_jump…
def test_planted_mistakes_break_their_rule_only(reports, rule, tmp_path):
    planted = [r for r in reports if r.mistake == rule]
    assert planted
    for r in planted:
        if rule in ARITHMETIC or rule.startswith("T2"):
            assert violations(r) == {rule}, (r.file_name, violations(r))
        else:  # reading rules: the figures themselves are fine
            assert violations(r, r.written) == set()
        if rule == "R-NUMBER":
            (key, text), = r.options.text_cells
            assert r.cells[key] is None and r.raw[key] == text and not any(ch.isdigit() for ch in text)
        if rule == "R-FORMULA":
            import openpyxl

            path = r.write(tmp_path)
            formulas = openpyxl.load_workbook(path)
            values = openpyxl.load_workbook(path, data_only=True)
            for key, raw in r.raw.items():
                if raw.startswith("="):
                    sheet, ref = r.sources[key].split("!")
                    assert formulas[sheet][ref].value == raw and values[sheet][ref].value is None
                    assert r.cells[key] is None


def test_t4_total_like_hongze(reports):
    (r,) = [r for r in reports if r.mistake == "T4-TOTAL"]
    assert r.cells[("review_litigation", "reconsideration", "upheld")] == 10
    assert r.cells[("review_litigation", "reconsideration", "corrected")] == 1
    assert r.cells[("review_litigation", "reconsideration", "total")] == 0


# ---------------------------------------------------------------- across years and the county


def _current(reports) -> dict[tuple[str, int], ExampleReport]:
    """The report that becomes current per unit and year: the newest one without a planted error."""
    out = {}
    for r in sorted(reports, key=lambda r: r.received_at):
        if r.mistake is None or RULES[r.mistake].severity == "warning":
            out[(r.unit_code, r.year)] = r
    return out


def test_only_the_planted_jump_and_no_copies(reports):
    cur = _current(reports)
    watched = [("requests", "new_received", "total"), *(("proactive", row, "decisions") for row in ("licensing", "penalty", "coercion"))]
    jumps = set()
    for (code, year), r in cur.items():
        prev = cur.get((code, year - 1))
        if prev is None:
            continue
        assert prev.written != r.written, code  # X-COPY
        for key in watched:
            a, b = _v(prev.written, key), _v(r.written, key)
            if a >= 10 and b >= 10 and (b > 10 * a or b < a / 10):
                jumps.add((code, year, key[1]))
    assert jumps == {(r.unit_code, r.year, "penalty") for r in reports if r.mistake == "X-JUMP"} != set()
    (jump,) = [r for r in reports if r.mistake == "X-JUMP"]
    assert [rule for rule, _ in jump.options.explanations] == ["X-JUMP"]


def test_years_continue(reports):
    cur = _current(reports)
    checked = 0
    for (code, year), r in cur.items():
        prev = cur.get((code, year - 1))
        if prev is None:
            continue
        for m in r.fmt.section("requests").columns[:-1]:
            assert _v(prev.written, ("requests", "carried_forward", m.code)) == _v(
                r.written, ("requests", "carried_over", m.code)
            ), (code, m.code)
        if prev.format_version == r.format_version == FORMAT_2021.version:
            for row in ("rules", "normative_docs"):
                w, p = r.written, prev.written
                assert w[("proactive", row, "in_force")] == p[("proactive", row, "in_force")] + w[
                    ("proactive", row, "issued")
                ] - w[("proactive", row, "repealed")]
                assert w[("proactive", row, "repealed")] <= p[("proactive", row, "in_force")] + w[("proactive", row, "issued")]
        checked += 1
    assert checked > 30


def test_completeness_late_and_resubmissions(reports):
    reg = Registry.load(UNITS_CSV)
    filed = {(r.unit_code, r.year) for r in reports}
    for year in (2023, 2024):
        expected = {(u.unit_code, year) for u in reg.expected(year)}
        assert filed & {k for k in filed if k[1] == year} <= expected
        assert expected - filed == {k for k in MISSING if k[1] == year}
    assert 1 <= len({k for k in MISSING if k[1] == 2024}) <= 2
    for r in reports:
        deadline = datetime(r.year + 1, 2, 1, tzinfo=r.received_at.tzinfo)
        assert (r.received_at >= deadline) == ((r.unit_code, r.year) in LATE), r.file_name
    resubmitted = [r for r in reports if r.supersedes]
    assert resubmitted
    by_name = {r.file_name: r for r in reports}
    for r in resubmitted:
        first = by_name[r.supersedes]
        assert (first.unit_code, first.year) == (r.unit_code, r.year) and first.received_at < r.received_at
        assert r.mistake is None and first.cells != r.cells
    assert any(by_name[r.supersedes].mistake for r in resubmitted)  # a rejected file, then a corrected one


def test_variety(reports):
    assert {r.layout for r in reports} == {"stacked", "per_table", "flat"}
    assert {Path(r.file_name).suffix for r in reports} == {".xlsx", ".xls", ".xlsm", ".docx", ".pdf", ".html", ".htm"}
    assert {r.form for r in reports} == {"workbook", "word", "pdf", "html"}
    assert any(r.document and r.document.split_table for r in reports)  # a Word table split by a page break
    assert any(r.document and r.document.encoding == "gbk" and r.document.furniture for r in reports)
    assert [(r.unit_type, r.year) for r in reports if r.format_version == FORMAT_2019.version] == [("township", 2023)]
    assert any(r.mixed for r in reports)
    mixed = next(r for r in reports if r.mixed)
    assert ("requests", "other_total", "total") in mixed.sources
    assert not any(k[1] == "other_no_correction" for k in mixed.cells)
    assert any(r.options.start != (0, 0) for r in reports) and any(r.options.spacer for r in reports)
    assert any(r.options.traditional for r in reports) and any(r.options.variants for r in reports)
    assert any(r.options.explanations for r in reports)
    assert any(r.options.zero == "blank" for r in reports) and any(r.options.blank_total for r in reports)
    assert any(r.options.formulas == "cached" for r in reports)
    assert any(YUAN in v for r in reports for v in r.raw.values())
    f21 = FORMAT_2021
    for r in reports:
        if r.format_version == FORMAT_2021.version and not r.mixed:
            assert set(r.cells) == set(f21.cells())  # incl. the derived other_total
    # townships: no applications from research institutes or law firms; departments get more requests
    by_type: dict[str, list[int]] = {}
    for r in reports:
        by_type.setdefault(r.unit_type, []).append(_v(r.written, ("requests", "new_received", "total")))
    mean = {t: sum(v) / len(v) for t, v in by_type.items()}
    assert mean["department"] > mean["township"]


def test_inbox_files(tmp_path, reports):
    import python_calamine

    from transforms.inbox.archive import read_receipts, sha256_of

    paths = write_example_inbox(tmp_path)
    assert [p.name for p in paths] == [r.file_name for r in reports]
    receipts = read_receipts(tmp_path)  # the portal's receipts: the season's times, whatever the files' mtimes
    for p, r in zip(paths, reports, strict=True):
        assert receipts.by_name[(sha256_of(p.read_bytes()), p.name)] == r.received_local.isoformat(sep=" ")
    # every cell holds what the report says, read with calamine (cached formula values included); the documents are
    # checked cell for cell by tests/test_forms.py
    for p, r in zip(paths, reports, strict=True):
        if r.form != "workbook":
            assert p.read_bytes() == r.data and all("!R" in source for source in r.sources.values())
            continue
        wb = python_calamine.CalamineWorkbook.from_path(str(p))
        sheets = {}
        for key, source in r.sources.items():
            sheet, ref = source.split("!")
            rows = sheets.setdefault(sheet, wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False))
            letters = "".join(ch for ch in ref if ch.isalpha())
            col = 0
            for ch in letters:
                col = col * 26 + ord(ch) - 64
            row = int(ref[len(letters):]) - 1
            got = rows[row][col - 1] if row < len(rows) and col - 1 < len(rows[row]) else ""
            raw, value = r.raw.get(key), r.cells[key]
            if raw is not None and not raw.startswith("="):
                assert got == raw, (p.name, key)
            elif value is None:
                assert got in ("", None), (p.name, key, got)
            else:
                assert float(got) == pytest.approx(float(value)), (p.name, key, got, value)
