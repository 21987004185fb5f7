"""The Great Expectations suites, generated from the format definition and the rule catalog.

Source of truth: the rules (``transforms.rules.report``), each declaring its expectations as data; this module
turns them into GX objects at run time, so a change to a rule or the format changes the checks with no second place
to edit. ``expectations/suites/*.json`` is a generated snapshot of the same suites, kept in git so that a change of
the format shows up in review as a diff of expectations, and so the saved form is what the reload test exercises.
``python -m expectations.suites`` rewrites it; ``tests/test_suites.py`` fails when it is stale.

One suite per frame of ``expectations.frames``. Each expectation's ``meta`` carries the rule id, the message it
turns into (and that message's severity), formats and basis, and what the message needs (``meta_of``).

GX is imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from transforms.rules import REPORT_RULES, Expect, ReportRule

SUITE_DIR = Path(__file__).resolve().parent / "suites"
SUITE_NAMES = ("proactive", "requests_rows", "requests_columns", "review_litigation", "narrative_figures",
               "narrative_parts")


def _gx_severity(severity: str) -> str:
    # GX 1.24's own failure severity, so Data Docs shows errors, warnings and notices apart too.
    return {"error": "critical", "warning": "warning"}.get(severity, "info")


def meta_of(rule: ReportRule, expect: Expect) -> dict[str, Any]:
    """What a finding needs from the expectation that failed: rule, message (and its severity), formats, basis,
    and the expectation's own parameters."""
    return {
        "rule": rule.id,
        "message": expect.message,
        "severity": rule.messages[expect.message].severity,
        "formats": list(expect.formats),
        "basis": rule.basis,
        "rank": expect.rank,
        "per_submission": expect.per_submission,
        **{k: list(v) if isinstance(v, tuple) else v for k, v in expect.meta.items()},
    }


def build_suites(rules: tuple[ReportRule, ...] = REPORT_RULES) -> dict[str, Any]:
    """Every suite as a GX ``ExpectationSuite``, in ``SUITE_NAMES`` order: each rule's expectations, as it declares
    them (``transforms.rules.report``), turned into GX objects."""
    from expectations.gx_import import import_great_expectations

    gx = import_great_expectations()
    from great_expectations.expectations.row_conditions import Column

    from expectations.custom import ExpectMulticolumnSidesToBalance

    classes = {"ExpectMulticolumnSidesToBalance": ExpectMulticolumnSidesToBalance}

    def condition(where: tuple[tuple[str, str, Any], ...]):
        out = None
        for column, op, value in where:
            part = Column(column).is_in(list(value)) if op == "in" else Column(column) > value
            out = part if out is None else out & part
        return out

    # collected first and passed to the constructor: add_expectation() on a suite needs an active data context
    expectations: dict[str, list] = {name: [] for name in SUITE_NAMES}
    for rule in rules:
        for expect in rule.expectations():
            meta = meta_of(rule, expect)
            cls = classes.get(expect.type) or getattr(gx.expectations, expect.type)
            kwargs = dict(expect.kwargs)
            if expect.where:
                kwargs["row_condition"] = condition(expect.where)
            expectations[expect.suite].append(cls(
                **kwargs, meta=meta, severity=_gx_severity(meta["severity"]),
                description=rule.describe(expect.formats, meta["severity"]),
            ))
    return {name: gx.ExpectationSuite(name=name, expectations=exps) for name, exps in expectations.items()}


# ---------------------------------------------------------------- the JSON snapshot


def suite_to_json(suite: Any) -> dict:
    """A deterministic JSON form of a suite (no ids, no GX version), loadable by ``load_suite``."""
    data = suite.to_json_dict()
    return {
        "name": data["name"],
        "meta": {"generated_by": "expectations.suites.build_suites"},
        "expectations": [
            {k: v for k, v in e.items() if k not in ("id", "rendered_content")} for e in data["expectations"]
        ],
    }


def generated_json() -> dict[str, str]:
    """file name → text, exactly as written to ``expectations/suites/``."""
    return {
        f"{name}.json": json.dumps(suite_to_json(suite), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        for name, suite in build_suites().items()
    }


def write_suites(directory: Path = SUITE_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for file_name, text in generated_json().items():
        path = directory / file_name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def load_suite(path: Path, strict: bool = True) -> Any:
    """Load a stored suite. GX drops expectations whose class is not registered (a custom one whose module was not
    imported) with only a log line; ``strict`` turns that into an error instead of a silently weaker suite."""
    from expectations.gx_import import import_great_expectations

    gx = import_great_expectations()

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    suite = gx.ExpectationSuite(**data)
    if strict and len(suite.expectations) != len(data["expectations"]):
        kept = {e.expectation_type for e in suite.expectations}
        lost = sorted({e["type"] for e in data["expectations"]} - kept)
        raise ValueError(f"{path}: expectations dropped on load (class not imported?): {lost}")
    return suite


if __name__ == "__main__":
    for p in write_suites():
        print(p)
