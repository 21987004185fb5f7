"""The canonical, in-memory shape of one submission: cells with their source, and findings.

Reading produces a :class:`Submission`; validation adds findings; loading writes it to DuckDB. Nothing here knows
about workbooks or Great Expectations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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
    severity: str  # "error" | "warning"
    message: str
    section: str | None = None
    row: str | None = None
    column: str | None = None
    cell: str | None = None
    expected: Number | str | None = None
    actual: Number | str | None = None
    explanation: str | None = None  # from the unit's 说明 sheet (explained warnings only)

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

    @property
    def status(self) -> str:
        if self.unreadable:
            return "unreadable"
        severities = {f.severity for f in self.findings}
        if "error" in severities:
            return "rejected"
        return "accepted_with_warnings" if "warning" in severities else "accepted"

    def value(self, section: str, row: str, column: str) -> Number | None:
        cell = self.cells.get((section, row, column))
        return None if cell is None else cell.value

    def add(self, finding: Finding) -> None:
        if finding.severity == "warning" and finding.rule in self.explanations:
            finding.explanation = self.explanations[finding.rule]
        self.findings.append(finding)

    def cells_json(self) -> dict[str, dict[str, dict[str, Number | None]]]:
        out: dict[str, dict[str, dict[str, Number | None]]] = {}
        for (section, row, column), cell in self.cells.items():
            out.setdefault(section, {}).setdefault(row, {})[column] = cell.value
        return out

    def to_json(self) -> dict[str, Any]:
        """The object `countystats check --json` prints (shared/spec/interfaces.md)."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "unit_type": self.unit_type,
            "report_year": self.report_year,
            "format_version": self.format_version,
            "status": self.status,
            "cells": self.cells_json(),
            "findings": [f.to_json() for f in self.findings],
        }
