"""The canonical, in-memory shape of one submission: cells with their source, and findings.

Reading produces a :class:`Submission`; validation adds findings; loading writes it to DuckDB. Nothing here knows
about workbooks or Great Expectations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from transforms.format import NARRATIVE

Number = int | float


@dataclass
class Cell:
    """One value of a table, with where it came from (lineage: value ← cell ← file)."""

    section: str
    row: str
    column: str
    value: Number | None  # None = blank in the workbook (never silently 0)
    source: str | None = None  # "Sheet1!D9"; None for derived values (2021 other_total)
    raw: Any = None  # the cell's content before normalisation, when it differed

    def __reduce__(self):
        # pickled as its fields in order, not as a state dict: the read step sends ~200 cells per report from its
        # worker processes, and the DAG's tasks pickle whole batches; this halves both time and size
        return (Cell, (self.section, self.row, self.column, self.value, self.source, self.raw))


@dataclass
class Finding:
    rule: str
    severity: str  # "error" | "warning" | "notice"
    message: str
    section: str | None = None
    row: str | None = None
    column: str | None = None
    cell: str | None = None
    expected: Number | str | None = None
    actual: Number | str | None = None
    explanation: str | None = None  # the unit's 说明 of a warning (or the office's reason for accepting it)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if data["explanation"] is None:
            del data["explanation"]
        return data


@dataclass
class Submission:
    file: str
    sha256: str
    unit_code: str | None = None
    unit_name: str | None = None
    unit_type: str | None = None
    report_year: int | None = None
    format_version: str | None = None
    cells: dict[tuple[str, str, str], Cell] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    explanations: dict[str, str] = field(default_factory=dict)  # rule id → the unit's 说明
    unreadable: bool = False
    source_kind: str | None = None  # workbook | word | pdf | html (None: never opened)
    # part (overview, problems, other) → (its text as written, where it is): what a Word/PDF/HTML report says
    # around its tables; None for a form with no text around the tables (a bare workbook)
    narrative: dict[str, tuple[str, str]] | None = None
    area_code: str | None = None  # the unit's area (its county); "" in a one-county registry

    @property
    def status(self) -> str:
        """What the file itself says (the office's review decisions come on top: :func:`status_of`)."""
        return status_of(self.findings, self.unreadable)

    def value(self, section: str, row: str, column: str) -> Number | None:
        cell = self.cells.get((section, row, column))
        return None if cell is None else cell.value

    def add(self, finding: Finding) -> None:
        # the unit's 说明 goes with every warning (and notice) of its rule; an error cannot be explained away
        if finding.severity != "error" and finding.rule in self.explanations:
            finding.explanation = self.explanations[finding.rule]
        self.findings.append(finding)

    def explain(self, explanations: dict[str, str]) -> None:
        """More 说明 (rule id → text: the portal's, which come after the file's and win over them), attached to the
        warnings and notices of their rules found so far, and by :meth:`add` to those found later."""
        self.explanations.update(explanations)
        for finding in self.findings:
            if finding.severity != "error" and finding.rule in explanations:
                finding.explanation = explanations[finding.rule]

    def cells_json(self) -> dict[str, dict[str, dict[str, Number | None]]]:
        out: dict[str, dict[str, dict[str, Number | None]]] = {}
        for (section, row, column), cell in self.cells.items():
            out.setdefault(section, {}).setdefault(row, {})[column] = cell.value
        return out

    def narrative_json(self) -> dict[str, str | None] | None:
        """{"overview": …, "problems": …, "other": …}: each part's text, null where the file has no such part."""
        if self.narrative is None:
            return None
        return {p.code: (self.narrative[p.code][0] if p.code in self.narrative else None) for p in NARRATIVE}

    def to_json(self) -> dict[str, Any]:
        """The object `countystats check --json` prints (shared/spec/interfaces.md)."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "unit_type": self.unit_type,
            "area_code": self.area_code,
            "report_year": self.report_year,
            "format_version": self.format_version,
            "status": self.status,
            "source_kind": self.source_kind,
            "narrative": self.narrative_json(),
            "cells": self.cells_json(),
            "findings": [f.to_json() for f in self.findings],
        }


REVIEW_ACTIONS = ("accept", "return", "reopen")  # the county office's decisions (countystats review)


def status_of(findings, unreadable: bool = False, review: str | None = None) -> str:
    """A submission's status (interfaces.md, "Statuses"): from its findings, then the office's latest decision.

    An error can never be explained away (rejected); a warning nobody has explained holds the report until the
    office accepts it (needs_review → accepted_with_warnings); the office may return any readable report; reopening
    undoes its decision. Notices never hold a report.
    """
    if unreadable:
        return "unreadable"
    if review == "return":
        return "returned"
    severities = [(f.severity, f.explanation) for f in findings]
    if any(s == "error" for s, _ in severities):
        return "rejected"
    if any(s == "warning" and not explanation for s, explanation in severities) and review != "accept":
        return "needs_review"
    return "accepted_with_warnings" if any(s == "warning" for s, _ in severities) else "accepted"

