"""The GX suites: derived from the format, carrying the rule catalog, stored as JSON that reloads without loss."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from expectations.suites import SUITE_DIR, SUITE_NAMES, generated_json, load_suite, suite_to_json
from transforms.format import FORMATS
from transforms.format.statutory import FORMAT_2021
from transforms.rules import RULES

REPORT_RULES = {r.id for r in RULES.values() if r.stage == "report"}


@pytest.fixture(scope="module")
def suites():
    from expectations.suites import build_suites

    return build_suites()


@pytest.mark.unit
def test_stored_json_equals_the_generator():
    """expectations/suites/*.json is a snapshot: regenerate with `python -m expectations.suites`."""
    generated = generated_json()
    stored = {p.name: p.read_text(encoding="utf-8") for p in SUITE_DIR.glob("*.json")}
    assert stored == generated


@pytest.mark.unit
def test_every_expectation_carries_its_rule(suites):
    covered = set()
    for suite in suites.values():
        for e in suite.expectations:
            meta = e.meta
            rule = RULES[meta["rule"]]
            assert meta["basis"] == rule.basis
            assert set(meta["formats"]) <= set(rule.formats) and meta["formats"]
            # the severity of the message the failure turns into (T3-ROWSUM's blank total is a notice)
            assert meta["severity"] == rule.messages[meta["message"]].severity
            assert e.severity == {"error": "critical", "warning": "warning", "notice": "info"}[meta["severity"]]
            assert e.description.startswith(f"{rule.id} {rule.name_zh}")
            covered.add(rule.id)
    assert covered == REPORT_RULES


@pytest.mark.unit
def test_rules_over_every_column_are_one_template(suites):
    """T3-BALANCE is one expectation over the frame's applicant-column rows, not one per column; T3-OUTCOMES one per
    distinct set of leaf outcome rows (2019 and 2021 differ)."""
    by_rule: dict[str, list] = {}
    for suite in suites.values():
        for e in suite.expectations:
            by_rule.setdefault(e.meta["rule"], []).append(e)
    assert len(by_rule["T3-BALANCE"]) == 1
    outcomes = by_rule["T3-OUTCOMES"]
    assert sorted(tuple(e.meta["leaves"]) for e in outcomes) == sorted(
        {f.leaf_outcomes for f in FORMATS.values()}
    )
    for e in outcomes:
        assert e.column_list == [*e.meta["leaves"], "neg_concluded_total"]
    rowsum = [e for e in by_rule["T3-ROWSUM"] if e.meta["message"] == "mismatch"]
    applicants = [m.code for m in FORMAT_2021.section("requests").columns if m.code != "total"]
    assert [e.column_list for e in rowsum] == [[*applicants, "neg_total"]]
    rules_cols = {e.column for e in by_rule["T2-RULES"]}
    assert rules_cols == {f"rules__{m.code}" for f in FORMATS.values() for m in f.section("proactive").measures_of("rules")}


@pytest.mark.unit
def test_custom_expectation_survives_save_and_reload(suites, tmp_path):
    from expectations.custom import CUSTOM_TYPES

    for name in SUITE_NAMES:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(suite_to_json(suites[name]), ensure_ascii=False), encoding="utf-8")
        reloaded = load_suite(path)
        assert suite_to_json(reloaded) == suite_to_json(suites[name])
    stored = [load_suite(SUITE_DIR / f"{n}.json") for n in SUITE_NAMES]
    types = {e.expectation_type for s in stored for e in s.expectations}
    assert set(CUSTOM_TYPES) <= types


@pytest.mark.integration
def test_reload_without_importing_the_custom_class_drops_it():
    """What GX does when the class is not imported: the expectation silently vanishes (only a log line), so the
    suite would pass data it should fail. load_suite(strict=True) refuses instead."""
    code = textwrap.dedent(
        f"""
        import json, logging
        logging.disable(logging.CRITICAL)
        import great_expectations as gx
        from expectations.suites import load_suite
        path = {str(SUITE_DIR / "requests_columns.json")!r}
        data = json.load(open(path, encoding="utf-8"))
        suite = gx.ExpectationSuite(**data)
        print(len(data["expectations"]), len(suite.expectations))
        try:
            load_suite(path)
        except ValueError as exc:
            print("refused", "expect_multicolumn_sides_to_balance" in str(exc))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300,
        cwd=SUITE_DIR.parent.parent,
    )
    counts, refused = out.stdout.splitlines()[:2]
    n_stored, n_kept = map(int, counts.split())
    assert n_kept == n_stored - 1  # the custom balance expectation is gone
    assert refused == "refused True"
