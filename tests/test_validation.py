"""Great Expectations validation of the report's own arithmetic and definitions (T* rules).

Submissions are built straight from the format definition (countystats.examples.reports): consistent by construction, then
broken one number at a time. All broken cases are validated together in ONE batch (as a nightly run does), which
also shows that failures map back to the right submission among many.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from countystats.examples.reports import make_submission, set_values, submission_from
from expectations.validation import build_data_docs, validate_submissions
from transforms.format.statutory import FORMAT_2019, FORMAT_2021, OTHER_CHILDREN_2021
from transforms.model import Finding, Submission
from transforms.rules import REPORT_RULES

ROOT = Path(__file__).resolve().parent.parent

def _bump(sub: Submission, key: tuple[str, str, str], by: float = 1) -> Submission:
    return set_values(sub, [(key, (sub.value(*key) or 0) + by)])


def _new_research(sub: Submission) -> Submission:
    # a column shift that keeps every sum right: only T3-SHIFT can see it
    for row in ("new_received", "granted", "concluded_total"):
        _bump(sub, ("requests", row, "research"), 2)
        _bump(sub, ("requests", row, "total"), 2)
    return sub


# Every rule fires and passes on the examples it declares (tests/test_rules.py). Here: what the clerk reads.
BROKEN = {
    "balance": (FORMAT_2021.version, "township", lambda s: _bump(_bump(s, ("requests", "carried_over", "natural_person")),
                                                    ("requests", "carried_over", "total"))),
    "rowsum": (FORMAT_2021.version, "department", lambda s: _bump(s, ("requests", "partly_granted", "total"))),
    "t4": (FORMAT_2021.version, "department", lambda s: set_values(s, [
        (("review_litigation", "litigation_direct", c), v)
        for c, v in (("upheld", 4), ("corrected", 0), ("other", 0), ("pending", 0), ("total", 0))])),
}


@pytest.fixture(scope="module")
def batch():
    """Consistent submissions of both formats with the broken ones among them, validated in ONE batch."""
    subs: list[Submission] = [make_submission((FORMAT_2021.version, FORMAT_2019.version)[i % 2], "township", random.Random(i)) for i in range(10)]
    broken: dict[str, int] = {}
    for n, (case, (fmt, unit_type, breaker)) in enumerate(BROKEN.items()):
        broken[case] = 3 * n + 1
        subs.insert(broken[case], breaker(make_submission(fmt, unit_type, random.Random(1000 + n), name=case)))
    validate_submissions(subs, None)
    return subs, broken


@pytest.mark.unit
def test_balance_message_names_table_column_numbers(batch):
    subs, broken = batch
    sub = subs[broken["balance"]]
    f = next(f for f in sub.findings if f.rule == "T3-BALANCE" and f.column == "natural_person")
    requests = FORMAT_2021.section("requests")
    left = sub.value("requests", "new_received", "natural_person") + sub.value("requests", "carried_over", "natural_person")
    right = sub.value("requests", "concluded_total", "natural_person") + sub.value("requests", "carried_forward", "natural_person")
    assert f.message.startswith(f"{requests.short} “{requests.column_by_code['natural_person'].label.text}”列")
    assert requests.row_by_code["new_received"].title in f.message
    assert f"= {left}" in f.message and f"= {right}" in f.message and "相差 1" in f.message
    assert (f.expected, f.actual) == (right, left)


@pytest.mark.unit
def test_rowsum_message_and_numbers(batch):
    subs, broken = batch
    sub = subs[broken["rowsum"]]
    f = next(f for f in sub.findings if f.rule == "T3-ROWSUM")
    assert f.actual == f.expected + 1
    assert FORMAT_2021.section("requests").describe("partly_granted") in f.message
    # the changed total also unbalances the total column: that is reported too, as its own finding
    assert {x.rule for x in sub.findings} <= {"T3-ROWSUM", "T3-BALANCE", "T3-OUTCOMES"}


@pytest.mark.unit
def test_findings_serialise_as_the_interface_says(batch):
    subs, broken = batch
    data = subs[broken["t4"]].to_json()["findings"][0]
    assert set(data) == {"rule", "severity", "section", "row", "column", "cell", "message", "expected", "actual"}
    assert (data["expected"], data["actual"]) == (4, 0)


# ---------------------------------------------------------------- real reports: 淮安市洪泽区人民政府

REQ_COLS = [m.code for m in FORMAT_2021.section("requests").columns]
REVIEW = FORMAT_2021.section("review_litigation")


def _hongze(proactive: dict, natural_person: dict, review: list[int]) -> Submission:
    """A 洪泽区 report: 2021 tables with the undivided （六）其他处理 row; only 自然人 applied (other columns 0)."""
    fmt = FORMAT_2021
    values: dict = {}
    for (row, col), v in proactive.items():
        values[("proactive", row, col)] = v
    for row in fmt.section("requests").rows:
        if row.code in OTHER_CHILDREN_2021:
            continue  # the mixed layout has no divided rows
        v = natural_person[row.code]
        for col in REQ_COLS:
            values[("requests", row.code, col)] = v if col in ("natural_person", "total") else 0
    cells = [(r.code, m.code) for r in REVIEW.rows for m in REVIEW.columns]
    assert len(review) == len(cells) == 15
    for (row, col), v in zip(cells, review, strict=True):
        values[("review_litigation", row, col)] = v
    return submission_from(values, FORMAT_2021.version, "county_government", name="洪泽区", derive_other=False)


LEAF_ZEROS = {code: 0 for code in FORMAT_2019.leaf_outcomes}

# hongze-qu-2023.pdf (pdftotext -layout), tables 二, 三 (自然人 = 总计), 四
HONGZE_2023 = _hongze(
    {("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
     ("normative_docs", "issued"): 0, ("normative_docs", "repealed"): 5, ("normative_docs", "in_force"): 5,
     ("licensing", "decisions"): 550, ("penalty", "decisions"): 4119, ("coercion", "decisions"): 195,
     ("fees", "amount_wan_yuan"): 7730.28},
    {**LEAF_ZEROS, "new_received": 21, "carried_over": 0, "partly_granted": 4, "withheld_state_secret": 1,
     "withheld_process_info": 1, "withheld_enforcement_file": 1, "unavailable_not_held": 10,
     "unavailable_needs_creation": 3, "rejected_petition": 1, "concluded_total": 21, "carried_forward": 0},
    [10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0],
)
# hongze-qu-2024.pdf: arithmetic holds
HONGZE_2024 = _hongze(
    {("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
     ("normative_docs", "issued"): 3, ("normative_docs", "repealed"): 0, ("normative_docs", "in_force"): 8,
     ("licensing", "decisions"): 9487, ("penalty", "decisions"): 2776, ("coercion", "decisions"): 84,
     ("fees", "amount_wan_yuan"): 7545},
    {**LEAF_ZEROS, "new_received": 95, "carried_over": 0, "granted": 50, "partly_granted": 9,
     "withheld_security_stability": 1, "withheld_process_info": 1, "withheld_enforcement_file": 1,
     "unavailable_not_held": 31, "unavailable_needs_creation": 1, "rejected_petition": 1,
     "concluded_total": 95, "carried_forward": 0},
    [1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3],
)


@pytest.mark.unit
def test_hongze_2023_rejected_under_t4_total():
    sub = HONGZE_2023
    validate_submissions([sub], None)
    assert sub.status == "rejected"
    assert [(f.rule, f.severity, f.row, f.expected, f.actual) for f in sub.findings] == [
        ("T4-TOTAL", "error", "reconsideration", 11, 0),
        ("T4-TOTAL", "error", "litigation_after_reconsideration", 5, 0),
    ]
    assert "结果维持 10 + 结果纠正 1" in sub.findings[0].message


@pytest.mark.unit
def test_hongze_2024_mixed_layout_accepted():
    sub = HONGZE_2024
    validate_submissions([sub], None)
    assert sub.findings == []
    assert sub.status == "accepted"


@pytest.mark.unit
def test_mixed_layout_outcomes_still_checked():
    sub = make_submission(FORMAT_2021.version, "township", random.Random(5), undivided_other=True)
    _bump(sub, ("requests", "other_total", "natural_person"))
    _bump(sub, ("requests", "other_total", "total"))
    validate_submissions([sub], None)
    assert {(f.rule, f.column) for f in sub.findings} == {
        ("T3-OUTCOMES", "natural_person"), ("T3-OUTCOMES", "total")
    }


# ---------------------------------------------------------------- blanks, not reported, unreadable


@pytest.mark.unit
def test_blank_total_in_nonzero_row_is_a_notice_and_counts_as_the_row_sum():
    sub = make_submission(FORMAT_2021.version, "department", random.Random(7))
    rows = [r for r in ("new_received", "concluded_total", "granted") if sub.value("requests", r, "total")]
    set_values(sub, [(("requests", r, "total"), None) for r in rows])
    set_values(sub, [(("review_litigation", "reconsideration", "upheld"), 2),
                     (("review_litigation", "reconsideration", "total"), None)])
    validate_submissions([sub], None)
    # the blank totals stand for the row sums: the total column still balances (no T3-BALANCE/T3-OUTCOMES)
    assert sorted((f.rule, f.severity, f.row) for f in sub.findings) == sorted(
        [("T3-ROWSUM", "notice", r) for r in rows] + [("T4-TOTAL", "notice", "reconsideration")]
    )
    assert sub.status == "accepted"  # the reader took the blank as the sum: nothing to hold the report for
    f = next(f for f in sub.findings if f.rule == "T4-TOTAL")
    assert f.actual is None and f.expected == sub.value("review_litigation", "reconsideration", "upheld") + sum(
        sub.value("review_litigation", "reconsideration", c) for c in ("corrected", "other", "pending"))


@pytest.mark.unit
def test_blank_total_in_zero_row_and_blank_parts_are_fine():
    sub = make_submission(FORMAT_2021.version, "township", random.Random(8))
    zero_rows = [r.code for r in FORMAT_2021.section("requests").rows
                 if not r.derived and sub.value("requests", r.code, "total") == 0]
    assert zero_rows
    # blank = 0 in arithmetic: a row of blanks, or blank parts with a 0 total, is consistent
    set_values(sub, [(("requests", zero_rows[0], c), None) for c in REQ_COLS])
    set_values(sub, [(("requests", zero_rows[-1], c), None) for c in REQ_COLS if c != "total"])
    validate_submissions([sub], None)
    assert sub.findings == []


@pytest.mark.unit
def test_tables_not_reported_and_unreadable_submissions_are_skipped():
    blank_t4 = make_submission(FORMAT_2021.version, "department", random.Random(9), name="blank-t4")
    set_values(blank_t4, [(("review_litigation", r.code, m.code), None) for r in REVIEW.rows for m in REVIEW.columns])
    blank_t4.cells[("proactive", "rules", "issued")].value = 3  # still checked: only table 四 is not reported
    unreadable = Submission(file="x.xlsx", sha256="1" * 64, unreadable=True)
    no_format = Submission(file="y.xlsx", sha256="2" * 64, format_version=None)
    validate_submissions([unreadable, blank_t4, no_format], None)
    assert [f.rule for f in blank_t4.findings] == ["T2-RULES"]
    assert unreadable.findings == [] and no_format.findings == []


@pytest.mark.unit
def test_city_government_may_make_rules_and_department_fees_are_not_capped():
    city = make_submission(FORMAT_2021.version, "city_government", random.Random(10))
    set_values(city, [(("proactive", "rules", "issued"), 4), (("proactive", "rules", "in_force"), 30)])
    dept = make_submission(FORMAT_2021.version, "department", random.Random(11))
    set_values(dept, [(("proactive", "fees", "amount_wan_yuan"), 190.457379 * 1000)])
    validate_submissions([city, dept], None)
    assert city.findings == [] and dept.findings == []


@pytest.mark.unit
def test_unit_type_from_registry_when_missing(registry):
    township = next(u for u in registry.units if u.unit_type == "township")
    sub = make_submission(FORMAT_2021.version, "township", random.Random(12), name=township.unit_code)
    sub.unit_type = None
    set_values(sub, [(("proactive", "rules", "issued"), 1)])
    validate_submissions([sub], registry)
    assert [f.rule for f in sub.findings] == ["T2-RULES"]


# ---------------------------------------------------------------- explain-and-accept


@pytest.mark.unit
def test_explained_warning_keeps_explanation_error_cannot_be_explained():
    sub = _new_research(make_submission(FORMAT_2021.version, "township", random.Random(13)))
    _bump(sub, ("requests", "carried_over", "natural_person"))
    _bump(sub, ("requests", "carried_over", "total"))
    sub.explanations = {"T3-SHIFT": "本年确有两所高校科研机构申请", "T3-BALANCE": "上年结转数以本表为准"}
    validate_submissions([sub], None)
    shift = [f for f in sub.findings if f.rule == "T3-SHIFT"]
    balance = [f for f in sub.findings if f.rule == "T3-BALANCE"]
    assert shift and shift[0].explanation == "本年确有两所高校科研机构申请"
    assert shift[0].to_json()["explanation"] == "本年确有两所高校科研机构申请"
    assert balance and all(f.explanation is None for f in balance)
    assert sub.status == "rejected"  # the explanation does not take the error away


@pytest.mark.unit
def test_validating_again_replaces_findings():
    sub = make_submission(FORMAT_2021.version, "township", random.Random(17))
    set_values(sub, [(("proactive", "rules", "issued"), 1)])
    sub.add(Finding("R-BLANK", "warning", "空白单元格"))
    validate_submissions([sub], None)
    validate_submissions([sub], None)
    assert [f.rule for f in sub.findings] == ["R-BLANK", "T2-RULES"]
    set_values(sub, [(("proactive", "rules", "issued"), 0)])
    validate_submissions([sub], None)
    assert [f.rule for f in sub.findings] == ["R-BLANK"]


@pytest.mark.unit
def test_explained_warnings_only_are_accepted():
    sub = _new_research(make_submission(FORMAT_2021.version, "township", random.Random(14)))
    sub.explanations = {"T3-SHIFT": "确有法律服务机构申请"}
    validate_submissions([sub], None)
    assert sub.status == "accepted_with_warnings"
    assert all(f.explanation for f in sub.findings)


# ---------------------------------------------------------------- cost and output


@pytest.mark.integration
def test_module_import_does_not_import_great_expectations():
    code = "import sys, expectations.validation, expectations.feedback; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.integration
def test_great_expectations_defers_what_the_suites_never_use(tmp_path):
    """A fresh process validates a real report and writes Data Docs with scipy.stats and altair still unexecuted
    (the import-time saving), and both work normally when something does touch them."""
    code = f"""
import random, sys
from expectations.gx_import import DEFERRED
from countystats.examples.reports import make_submission, set_values
from expectations.validation import validate_submissions
from transforms.format.statutory import FORMAT_2021
sub = set_values(make_submission(FORMAT_2021.version, "department", random.Random(3)),
                 [(("review_litigation", "litigation_direct", "upheld"), 4),
                  (("review_litigation", "litigation_direct", "total"), 0)])
validate_submissions([sub], None, data_docs=__import__("pathlib").Path({str(tmp_path)!r}))
print(sorted(type(sys.modules[m]).__name__ for m in DEFERRED))
print(sub.status, sorted({{f.rule for f in sub.findings}}))
import scipy.stats, altair
print(round(float(scipy.stats.norm.cdf(0.0)), 3), altair.Chart.__name__, type(sys.modules["altair"]).__name__)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    deferred, result, touched = out.stdout.strip().splitlines()
    assert deferred == "['_LazyModule', '_LazyModule']"
    assert result.startswith("rejected") and "'T4-TOTAL'" in result
    assert touched == "0.5 Chart module"


@pytest.mark.unit
def test_validation_prints_no_progress_bars(capfd):
    validate_submissions([make_submission(FORMAT_2021.version, "township", random.Random(15))], None)
    captured = capfd.readouterr()
    assert "%|" not in captured.err and "Calculating Metrics" not in captured.err


@pytest.mark.unit
def test_data_docs_site(tmp_path):
    validate_submissions([HONGZE_2023], None, data_docs=tmp_path)
    index = tmp_path / "data-docs" / "index.html"
    assert index.is_file()
    assert any((tmp_path / "data-docs" / "validations").rglob("*.html"))
    assert any((tmp_path / "data-docs" / "expectations").rglob("*.html"))
    assert build_data_docs(tmp_path) == index


# ---------------------------------------------------------------- end to end through real workbooks


@pytest.mark.unit
def test_cells_a_reader_could_not_read_are_not_counted_as_zero():
    """R-FORMULA / R-NUMBER leave a cell's number unknown: no arithmetic uses it (no spurious T* errors)."""
    sub = make_submission(FORMAT_2021.version, "township", random.Random(16))
    for key in (("requests", "concluded_total", "natural_person"), ("review_litigation", "reconsideration", "total")):
        set_values(sub, [(key, None)])
        sub.add(Finding("R-FORMULA", "error", "公式没有计算结果", *key, cell=sub.cells[key].source))
    _bump(sub, ("requests", "granted", "commercial"))  # a real mistake elsewhere is still found
    validate_submissions([sub], None)
    assert sorted((f.rule, f.row, f.column) for f in sub.findings if f.rule.startswith("T")) == [
        ("T3-OUTCOMES", "concluded_total", "commercial"),
        ("T3-ROWSUM", "granted", "total"),
    ]


@pytest.mark.unit
def test_example_county_workbooks_end_to_end(example_inbox, registry):
    """Real workbooks of every layout and file type, through the reader: each planted T* mistake is found in its
    file and nowhere else; every finding points at the cell it came from."""
    from countystats.examples.county import generate_county
    from transforms.reading import read_submission

    reports = {r.file_name: r for r in generate_county()}
    paths = sorted(p for p in example_inbox.iterdir() if p.name in reports)
    assert len(paths) == len(reports)
    subs = [read_submission(p, registry) for p in paths]
    before = [len(s.findings) for s in subs]
    validate_submissions(subs, registry)
    seen = set()
    for path, sub, n in zip(paths, subs, before, strict=True):
        report, added = reports[path.name], sub.findings[n:]
        errors = {f.rule for f in added if f.severity == "error"}
        warnings = {f.rule for f in added if f.severity == "warning"}
        planted = {report.mistake} & {r.id for r in REPORT_RULES}
        assert errors | (warnings & planted) == planted, (path.name, [f.message for f in added])
        # the only unplanted T* warning: totals left blank on purpose (R-BLANK's 总计 column case)
        assert warnings - planted <= ({"T3-ROWSUM"} if report.options.blank_total else set()), path.name
        for f in added:
            assert f.cell == sub.cells[(f.section, f.row, f.column)].source, f
        seen |= planted
    assert seen == {"T4-TOTAL", "T2-RULES", "T2-FEES", "T3-BALANCE"}


@pytest.mark.unit
def test_asking_first_whether_a_report_passes_finds_the_same():
    """One report at a time (the portal): pass/fail first, every failing row only where a table fails — the same
    findings, in the same order, as the full validation, for clean and for broken reports of both formats."""
    reports = [make_submission((FORMAT_2021.version, FORMAT_2019.version)[i % 2], "township", random.Random(i))
               for i in range(4)]
    reports += [breaker(make_submission(fmt, unit_type, random.Random(1000 + n), name=case))
                for n, (case, (fmt, unit_type, breaker)) in enumerate(BROKEN.items())]
    for sub in reports:
        validate_submissions([sub], None)
        full = [f.to_json() for f in sub.findings]
        validate_submissions([sub], None, failing_only=True)
        assert [f.to_json() for f in sub.findings] == full
    assert sum(bool(s.findings) for s in reports) >= len(BROKEN)  # the broken ones did fail
