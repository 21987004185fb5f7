"""The validation rules of shared/spec/validation-rules.md: each declared once, in one place, as one object.

    RULES["T3-BALANCE"]           # the rule: id, stage, formats, basis, messages, how it is checked, examples
    rule("X-JUMP").finding(…)     # a finding in the rule's own words

By stage: :mod:`.reading` (R-*, said by the reader), :mod:`.report` (T*, Great Expectations), :mod:`.across_years`
(X-*, against last year's report; P-LATE), :mod:`.narrative` (N-*: the text against the tables, and against the
other reports of the year). :mod:`.base` says what a rule is.
"""

from __future__ import annotations

from transforms.rules.across_years import ACROSS_YEARS_RULES, LATE, cross_year_findings
from transforms.rules.base import AcrossYearsRule, Example, Expect, Identity, Message, ReportRule, Rule
from transforms.rules.narrative import COPIED_SECTION, NARRATIVE_REPORT_RULES, NARRATIVE_RULES
from transforms.rules.reading import READING_RULES
from transforms.rules.report import REPORT_RULES as TABLE_RULES

# every rule Great Expectations runs over one report: the tables' own, then the narrative's against the tables
REPORT_RULES = (*TABLE_RULES, *NARRATIVE_REPORT_RULES)

RULES: dict[str, Rule] = {r.id: r for r in (*READING_RULES, *REPORT_RULES, *ACROSS_YEARS_RULES, LATE, COPIED_SECTION)}


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]


def identities(fmt) -> list[Identity]:
    """Every linear identity of a report in ``fmt``: what the county roll-up must satisfy too."""
    return [i for r in REPORT_RULES if r.applies(fmt) for i in r.identities(fmt)]


__all__ = [
    "ACROSS_YEARS_RULES", "COPIED_SECTION", "LATE", "NARRATIVE_RULES", "READING_RULES", "REPORT_RULES", "RULES", "AcrossYearsRule", "Example", "Expect",
    "Identity", "Message", "ReportRule", "Rule", "cross_year_findings", "identities", "rule",
]
