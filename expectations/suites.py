"""The Great Expectations suites, generated from the format definition and the rule catalog.

Source of truth: this generator (built in code at run time, so a change to ``transforms.report_format`` changes the
checks with no second place to edit). ``expectations/suites/*.json`` is a generated snapshot of the same suites,
kept in git so that a change of the format shows up in review as a diff of expectations, and so the saved form is
what the reload test exercises. ``python -m expectations.suites`` rewrites it; ``tests/test_suites.py`` fails when
it is stale.

One suite per frame of ``expectations.frames``. Every rule is one template instantiated from the format: a rule over
every applicant column is one expectation over the frame's ``column`` rows, not seven copies. Where two formats differ
(the 规章 measures, the leaf outcome rows) one expectation is made per distinct variant, restricted to those formats
by a row condition. Each expectation's ``meta`` carries rule id, severity, formats and basis from ``transforms.rules``
plus ``check``, the name of the Chinese message template in ``expectations.messages``.

GX is imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from transforms.report_format import FORMATS, SEVERITY_ZH, UNIT_TYPE_ZH
from transforms.rules import RULES

SUITE_DIR = Path(__file__).resolve().parent / "suites"
SUITE_NAMES = ("proactive", "requests_rows", "requests_columns", "review_litigation")

# ---------------------------------------------------------------- rule parameters (codes, not labels)

# 立法法: only State Council departments and provincial / 设区的市 governments make 规章. Of the registry's unit types
# only the city government (comparison data) may; everyone else must report 0.
RULE_MAKERS = ("city_government",)
NO_RULE_MAKING = tuple(t for t in UNIT_TYPE_ZH if t not in RULE_MAKERS)
# A township collecting more than 1 亿元 (10,000 万元) of fees in a year is implausible: probably typed in 元.
FEES_MAX_WAN_YUAN = 10_000
FEES_UNIT_TYPES = ("township",)
# "251000元": a unit written into a 万元 cell, without 万.
YUAN_NOT_WAN = r"^(?!.*万).*元"
# Townships almost never receive applications from research institutes or law firms: a non-zero there usually
# means the numbers slid one column over.
SHIFT_COLUMNS = ("research", "legal_services")
SHIFT_UNIT_TYPES = ("township",)
# Table 三's printed identity: 第一项 + 第二项 = 第三项（其总计）+ 第四项.
BALANCE_LEFT = ("new_received", "carried_over")
BALANCE_RIGHT = ("concluded_total", "carried_forward")

# Frame columns that are not cell values (see expectations.frames).
NEG = "neg_"  # prefix of a negated column, for sum-to-zero cross-foots


def _meta(rule_id: str, check: str, versions: tuple[str, ...], severity: str | None = None, **extra: Any) -> dict:
    rule = RULES[rule_id]
    return {
        "rule": rule_id,
        "severity": severity or rule.severity,
        "formats": [v for v in rule.formats if v in versions],
        "basis": rule.basis,
        "check": check,
        **extra,
    }


def _gx_severity(meta: dict) -> str:
    # GX 1.24's own failure severity, so Data Docs shows errors and warnings apart too.
    return "critical" if meta["severity"] == "error" else "warning"


def _description(meta: dict) -> str:
    """What Data Docs shows for the expectation: rule id, Chinese name, severity, formats, basis."""
    rule = RULES[meta["rule"]]
    return (
        f"{rule.id} {rule.name_zh}（{SEVERITY_ZH[meta['severity']]}，{'/'.join(meta['formats'])} 格式）：{rule.basis}"
    )


def _variants(rule_id: str, key: Callable[[Any], Hashable]) -> list[tuple[Any, tuple[str, ...]]]:
    """Group the formats a rule applies to by what the rule looks at in each: one expectation per distinct variant."""
    groups: dict[Hashable, list[str]] = {}
    for version in RULES[rule_id].formats:
        groups.setdefault(key(FORMATS[version]), []).append(version)
    return [(k, tuple(v)) for k, v in groups.items()]


def _parts(section_code: str) -> Callable[[Any], tuple[str, ...]]:
    return lambda fmt: tuple(m.code for m in fmt.section(section_code).columns if m.code != "total")


def build_suites() -> dict[str, Any]:
    """Every suite as a GX ``ExpectationSuite``, in ``SUITE_NAMES`` order."""
    from expectations.gx_import import import_great_expectations

    gx = import_great_expectations()
    from great_expectations.expectations.row_conditions import Column

    from expectations.custom import ExpectMulticolumnSidesToBalance

    E = gx.expectations
    # collected first and passed to the constructor: add_expectation() on a suite needs an active data context
    expectations: dict[str, list] = {name: [] for name in SUITE_NAMES}

    def add(suite: str, expectation_cls, meta: dict, **kwargs) -> None:
        expectations[suite].append(
            expectation_cls(**kwargs, meta=meta, severity=_gx_severity(meta), description=_description(meta))
        )

    def formats_are(versions: tuple[str, ...]):
        return Column("format_version").is_in(list(versions))

    # -- cross-foots of a total column (T3-ROWSUM per row of 表三, T4-TOTAL per proceeding of 表四): one template
    for suite, section, rule_id in (("requests_rows", "requests", "T3-ROWSUM"), ("review_litigation", "review_litigation", "T4-TOTAL")):
        for parts, versions in _variants(rule_id, _parts(section)):
            add(
                suite, E.ExpectMulticolumnSumToEqual,
                _meta(rule_id, "cross_foot", versions, section=section, parts=list(parts)),
                column_list=[*parts, f"{NEG}total"], sum_total=0, row_condition=formats_are(versions),
            )
            # a blank total in a non-zero row: not filled in; the frame already uses the row sum in its place
            add(
                suite, E.ExpectColumnValuesToNotBeNull,
                _meta(rule_id, "blank_total", versions, severity="warning", section=section, parts=list(parts)),
                column="total_raw", row_condition=formats_are(versions) & (Column("parts_sum") > 0),
            )

    # -- T3-SHIFT: per cell of the unlikely applicant columns at a township
    versions = RULES["T3-SHIFT"].formats
    for code in SHIFT_COLUMNS:
        add(
            "requests_rows", E.ExpectColumnValuesToBeBetween,
            _meta("T3-SHIFT", "shift", versions, section="requests", column=code),
            column=code, min_value=0, max_value=0,
            row_condition=formats_are(versions) & Column("unit_type").is_in(list(SHIFT_UNIT_TYPES)),
        )

    # -- T3-BALANCE: per applicant column (the frame has one row per submission × column)
    versions = RULES["T3-BALANCE"].formats
    add(
        "requests_columns", ExpectMulticolumnSidesToBalance,
        _meta("T3-BALANCE", "balance", versions, section="requests", left=list(BALANCE_LEFT), right=list(BALANCE_RIGHT)),
        column_list=[*BALANCE_LEFT, *BALANCE_RIGHT], right_columns=list(BALANCE_RIGHT),
        row_condition=formats_are(versions),
    )

    # -- T3-OUTCOMES: （七）总计 = the leaf outcome rows of the layout the unit actually filled in
    for leaves, versions in _variants("T3-OUTCOMES", lambda fmt: fmt.leaf_outcomes):
        add(
            "requests_columns", E.ExpectMulticolumnSumToEqual,
            _meta("T3-OUTCOMES", "outcomes", versions, section="requests", leaves=list(leaves)),
            column_list=[*leaves, f"{NEG}concluded_total"], sum_total=0,
            row_condition=Column("leaf_layout").is_in(list(versions)),
        )

    # -- T2-RULES: every measure of the 规章 row is 0 below the rule-making level
    for measures, versions in _variants(
        "T2-RULES", lambda fmt: tuple(m.code for m in fmt.section("proactive").measures_of("rules"))
    ):
        for code in measures:
            add(
                "proactive", E.ExpectColumnValuesToBeBetween,
                _meta("T2-RULES", "rules_zero", versions, section="proactive", row="rules", column=code),
                column=f"rules__{code}", min_value=0, max_value=0,
                row_condition=formats_are(versions) & Column("unit_type").is_in(list(NO_RULE_MAKING)),
            )

    # -- T2-FEES: the 万元 amount of 行政事业性收费, too large for a township, or typed with 元
    for measures, versions in _variants(
        "T2-FEES",
        lambda fmt: tuple(m.code for m in fmt.section("proactive").measures_of("fees") if m.unit == "万元"),
    ):
        for code in measures:
            add(
                "proactive", E.ExpectColumnValuesToBeBetween,
                _meta("T2-FEES", "fees_max", versions, section="proactive", row="fees", column=code),
                column=f"fees__{code}", max_value=FEES_MAX_WAN_YUAN,
                row_condition=formats_are(versions) & Column("unit_type").is_in(list(FEES_UNIT_TYPES)),
            )
            add(
                "proactive", E.ExpectColumnValuesToNotMatchRegex,
                _meta("T2-FEES", "fees_yuan", versions, section="proactive", row="fees", column=code),
                column=f"fees__{code}__raw", regex=YUAN_NOT_WAN, row_condition=formats_are(versions),
            )
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
