"""Every rule of the registry, run on the examples it declares: each fires where it says and passes where it says.

A rule is one object (``transforms.rules``); these tests loop over the registry, so a rule added without examples
that fire and pass, or whose examples no longer fire, fails here. The stages run as they do in a night: report rules
in ONE Great Expectations batch for every example (among clean reports), reading rules on workbooks written by the
product's writer and read by the real reader, cross-year rules against a previous year's report.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from countystats.examples import rules as ex
from countystats.examples.reports import consistent_values, make_submission
from countystats.settings import Settings
from expectations.validation import validate_submissions
from transforms.format import FORMATS, ordered
from transforms.rules import RULES, identities
from transforms.warehouse.rollup import identity_failures

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "spec" / "validation-rules.md"
UNITS = ROOT / "config" / "units.csv"
# rules of the spec that are not findings: behaviours and reports, each tested where it happens
NOT_FINDINGS = {"X-DUP": "tests/test_warehouse.py", "P-MISSING": "tests/test_warehouse.py (completeness)"}
NOT_YET: set[str] = set()  # rules of the spec not yet built


def _cases(stage: str):
    return [(rule, example, fmt) for rule in RULES.values() if rule.stage == stage
            for example in rule.examples for fmt in ex.formats_for(rule, example)]


def _ids(cases) -> list[str]:
    return [f"{r.id}-{f.version}-{'fires' if e.fires else 'passes'}-{e.title}" for r, e, f in cases]


def _check(case: ex.Case) -> None:
    """The case's own rule fires as its example says (severity, cell) or says nothing."""
    mine = case.findings()
    example = case.example
    if not example.fires:
        assert mine == [], (case.name, [f.message for f in mine])
        return
    severity = example.severity or case.rule.severity
    hits = [f for f in mine if f.severity == severity]
    assert hits, (case.name, [(f.severity, f.message) for f in case.sub.findings])
    assert all(f.message and f.message == f.message.strip() for f in hits)
    if example.at is not None:
        at = [f for f in hits if (f.section, f.row, f.column) == example.at]
        assert at, (case.name, [(f.section, f.row, f.column) for f in hits])
        cell = case.sub.cells[example.at].source
        assert at[0].cell == cell and (cell is None or cell in at[0].message), (case.name, at[0])


# ---------------------------------------------------------------- every rule declares what it needs


@pytest.mark.parametrize("rule", list(RULES.values()), ids=list(RULES))
def test_every_rule_has_examples_that_fire_and_pass_in_some_format(rule):
    assert any(e.fires for e in rule.examples), f"{rule.id}: no example that fires"
    assert any(not e.fires for e in rule.examples), f"{rule.id}: no example that passes"
    assert rule.formats, f"{rule.id} applies to no format"
    assert rule.name_zh and rule.basis and rule.messages
    assert {e.severity or rule.severity for e in rule.examples if e.fires} == set(rule.severities), (
        f"{rule.id}: every severity it can say has an example")
    if rule.stage != "county":
        for example in rule.examples:
            assert ex.formats_for(rule, example), f"{rule.id}: {example.title} fits no format"


def test_the_rules_are_those_of_the_spec():
    """Ids and severities as shared/spec/validation-rules.md gives them: the tables' severity, as settled by the list
    of warnings and notices above them (a rule the tables call a warning and the list names whole takes the list's
    severity; every rule or case the list names says it, e.g. "R-NUMBER (normalised values)" is a notice)."""
    text = SPEC.read_text(encoding="utf-8")
    spec = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*([A-Z][0-9]?-[A-Z]+)\s*\|.*\|\s*([^|]+?)\s*\|\s*$", line)
        if m:
            spec[m.group(1)] = m.group(2).split(" ")[0]
    settled: dict[str, list[tuple[str, bool]]] = {}  # severity → (rule id, whole rule)
    for severity in ("warning", "notice"):
        items = re.search(rf"^{severity} — (.+?)[;.]\n", text, re.M | re.S).group(1)
        for item in re.split(r",\s*(?![^()]*\))", items):
            for rule_id in re.findall(r"[A-Z][0-9]?-[A-Z]+", item):
                settled.setdefault(severity, []).append((rule_id, "(" not in item))
    assert set(spec) == set(RULES) | set(NOT_FINDINGS) | NOT_YET, set(spec) ^ (set(RULES) | set(NOT_FINDINGS))
    for severity, items in settled.items():
        for rule_id, whole in items:
            if rule_id in NOT_YET:
                continue
            rule = RULES[rule_id]
            assert severity in rule.severities, (rule_id, severity, rule.severities)
            if whole and spec[rule_id] == "warning":  # the list settles what the tables call a warning
                spec[rule_id] = severity
    for rule_id, rule in RULES.items():
        assert spec[rule_id] == rule.severity, (rule_id, spec[rule_id], rule.severity)


# ---------------------------------------------------------------- report rules: one GX batch


REPORT = _cases("report")


@pytest.fixture(scope="module")
def report_batch():
    rng = random.Random(7)
    unit_types = ("township", "subdistrict", "department", "county_government", "city_government")
    clean = [make_submission(ordered()[i % len(FORMATS)].version, unit_types[i % 5], random.Random(i))
             for i in range(30)]
    cases = [ex.report_case(rule, example, fmt, 1000 + n) for n, (rule, example, fmt) in enumerate(REPORT)]
    subs = list(clean)
    for case in cases:  # spread among the clean reports, as in a night
        subs.insert(rng.randrange(len(subs) + 1), case.sub)
    validate_submissions(subs, None)
    return clean, cases


def test_clean_reports_among_the_examples_have_no_findings(report_batch):
    clean, _ = report_batch
    assert [f.message for s in clean for f in s.findings] == []


@pytest.mark.parametrize("n", range(len(REPORT)), ids=_ids(REPORT))
def test_report_rule_examples(report_batch, n):
    _check(report_batch[1][n])


# ---------------------------------------------------------------- reading rules: real workbooks, the real reader


READING = _cases("reading")


@pytest.fixture(scope="module")
def registry():
    from transforms.registry import Registry

    return Registry.load(UNITS)


@pytest.mark.parametrize("n", range(len(READING)), ids=_ids(READING))
def test_reading_rule_examples(tmp_path, registry, n):
    rule, example, fmt = READING[n]
    case = ex.read_case(ex.reading_case(rule, example, fmt, 2000 + n, tmp_path), registry)
    _check(case)


# ---------------------------------------------------------------- across years, and lateness


ACROSS = _cases("across_years")


@pytest.mark.parametrize("n", range(len(ACROSS)), ids=_ids(ACROSS))
def test_across_years_rule_examples(n):
    rule, example, fmt = ACROSS[n]
    case = ex.across_years_case(rule, example, fmt, 3000 + n)
    now = {k: c.value for k, c in case.sub.cells.items()}
    case.sub.findings = rule.check(case.sub, now, case.previous, case.previous_format) if case.previous else []
    _check(case)


COPIES = _cases("across_reports")


@pytest.mark.parametrize("n", range(len(COPIES)), ids=_ids(COPIES))
def test_across_reports_rule_examples(n):
    rule, example, fmt = COPIES[n]
    _check(ex.copies_case(rule, example, fmt, 4000 + n))


@pytest.mark.parametrize("example", RULES["P-LATE"].examples, ids=[e.title for e in RULES["P-LATE"].examples])
def test_lateness_examples(example):
    rule = RULES["P-LATE"]
    year, got, deadline = ex.late_case(rule, example, Settings().deadline_for)
    found = rule.check(year, got, deadline)
    assert (found is not None) == example.fires
    if found is not None:
        assert found.rule == rule.id and f"{deadline:%Y-%m-%d}" in found.message


# ---------------------------------------------------------------- the roll-up checks the rules' own identities


@pytest.mark.parametrize("version", list(FORMATS))
def test_the_rollup_checks_the_identities_the_rules_declare(version):
    fmt = FORMATS[version]
    declared = identities(fmt)
    assert {i.rule for i in declared} == {r.id for r in RULES.values() if r.stage == "report"
                                          and r.applies(fmt) and r.identities(fmt)}
    assert {"T3-BALANCE", "T3-ROWSUM", "T3-OUTCOMES", "T4-TOTAL"} <= {i.rule for i in declared}
    # two consistent reports summed satisfy them; one cell off breaks exactly the identities through it
    a = make_submission(version, "township", random.Random(1))
    b = make_submission(version, "department", random.Random(2))
    summed = {k: (c.value or 0) + (b.cells[k].value or 0) for k, c in a.cells.items()}
    assert identity_failures(summed, version) == []
    summed[("requests", "new_received", "natural_person")] += 1
    broken = identity_failures(summed, version)
    assert {b.split(" ")[0] for b in broken} == {"T3-BALANCE", "T3-ROWSUM"}, broken
    assert consistent_values(version)  # the examples' generator knows every format
