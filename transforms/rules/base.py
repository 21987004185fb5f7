"""What a rule is: everything about one rule of ``shared/spec/validation-rules.md`` in one object.

A :class:`Rule` carries its id, stage, the formats it applies to, its basis and Chinese name, its messages (each with
the severity it is given at), how it is checked, and :class:`Example` reports that make it fire and that pass it.
Modelled on Great Expectations' expectation classes, which keep description, arguments, renderer and examples
together: the checks, the clerk's messages, the Data Docs description and the tests all read the same object.

How each stage checks:

- ``reading``: the reader (:mod:`transforms.reading`) looks; the rule gives it the message to say
  (:meth:`Rule.finding`).
- ``report``: Great Expectations, over the frames of :mod:`expectations.frames`. The rule declares its expectations
  as data (:class:`Expect`: GX class name, arguments, row condition), so this module never imports GX; the message
  for a failing frame row is the rule's own (:meth:`ReportRule.explain`). Linear identities (:class:`Identity`) are
  re-checked on the county's sums by :mod:`transforms.warehouse.rollup` from the same declaration.
- ``across_years``: a function of this year's and last year's values (:meth:`AcrossYearsRule.check`).
- ``county``: computed when reports are loaded (lateness).
- ``across_reports``: over every report of a year when reports are loaded (N-COPY, :mod:`.narrative`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from transforms.format import FORMATS, SEVERITY_ZH, ReportFormat
from transforms.model import Finding, Submission

Key = tuple[str, str, str]  # (section, row, column)
STAGES = ("reading", "report", "across_years", "county", "across_reports")


@dataclass(frozen=True)
class Message:
    """One thing a rule can say, at one severity. ``text`` is a ``str.format`` template in plain Chinese."""

    severity: str
    text: str

    def format(self, **params: Any) -> str:
        return self.text.format(**params)


# ---------------------------------------------------------------- examples


ANY = "*"  # a Change's column: every column of the row, whatever the format has


@dataclass(frozen=True)
class Change:
    """A change to a consistent example report: ``set`` a cell to a value (None: blank), or ``add`` to its value;
    ``raw`` is the text as typed in the cell (for a reader that had to convert it, e.g. ``251000元``)."""

    key: Key
    set: float | int | None = None
    add: float | int | None = None
    raw: str | None = None
    blank: bool = False

    def keys(self, fmt: ReportFormat) -> list[Key]:
        """The cells it changes in ``fmt`` (a row's every measure for ``ANY``; [] where ``fmt`` lacks the cell)."""
        section, row_code, column = self.key
        if column == ANY:
            if not fmt.has(section, row_code):
                return []
            return [(section, row_code, m.code) for m in fmt.section(section).measures_of(row_code)]
        return [self.key] if fmt.has(section, row_code, column) else []

    def value(self, old: Any) -> Any:
        if self.blank:
            return None
        if self.add is not None:
            return (old or 0) + self.add
        return self.set


def add(key: Key, by: float | int = 1) -> Change:
    return Change(key, add=by)


def set_(key: Key, value: float | int | None, raw: str | None = None) -> Change:
    return Change(key, set=value, raw=raw, blank=value is None)


@dataclass(frozen=True)
class Workbook:
    """How a reading example is written as a workbook: what the writer does differently from a clean report.

    ``options``: fields of ``transforms.writing.layouts.Options`` (``title=""``, ``formulas="uncached"``,
    ``text_cells`` …); ``previous_tables``: the tables of the format before the one the year is meant for;
    ``undivided``: derived rows printed undivided; ``drop_sections`` / ``drop_rows``: tables or rows left out;
    ``rename_rows``: a row's label as the unit typed it; ``extra_rows``: (table, after which row, label) of a row no
    format has, with figures in it; ``unit_name``: the unit the file names (title and 填报单位); ``file_name``: the
    file's name (default: with the unit and the year); ``web_page``: a web page saved under a workbook's name."""

    options: tuple[tuple[str, Any], ...] = ()
    previous_tables: bool = False
    undivided: bool = False
    drop_sections: tuple[str, ...] = ()
    drop_rows: tuple[tuple[str, str], ...] = ()
    rename_rows: tuple[tuple[tuple[str, str], str], ...] = ()
    extra_rows: tuple[tuple[str, str, str], ...] = ()
    unit_name: str | None = None
    file_name: str | None = None
    web_page: bool = False


@dataclass(frozen=True)
class Example:
    """A report that makes the rule fire (``fires``) or passes it, as changes to a consistent report.

    ``at``: the cell the finding names, when it names one. ``severity``: the severity expected (default: the rule's
    main one). It is tried in every format the rule applies to that prints every cell it changes (a derived row is
    not printed). ``previous``: across years, changes to last year's report, which continues into this year's
    (None: no previous report; ``same_as_previous``: this year's is last year's, cell for cell). ``received``:
    county stage, the day the file arrived (ISO date) for a report of ``year``. ``narrative``: the report's
    narrative, (part, text) pairs, the text a template filled with the report's figures before its changes
    (``{new_received}``, ``{litigation_zh}`` in Chinese numerals …); ``other_narrative`` / ``previous_narrative``:
    another unit's report of the same year, the unit's own of the year before (N-COPY).
    """

    title: str
    fires: bool = True
    changes: tuple[Change, ...] = ()
    at: Key | None = None
    severity: str | None = None
    unit_type: str = "township"
    previous: tuple[Change, ...] | None = None
    same_as_previous: bool = False
    workbook: Workbook | None = None
    year: int | None = None
    received: str | None = None
    narrative: tuple[tuple[str, str], ...] | None = None
    other_narrative: tuple[tuple[str, str], ...] | None = None
    previous_narrative: tuple[tuple[str, str], ...] | None = None


def fires(title: str, *changes: Change, **kw: Any) -> Example:
    return Example(title, True, changes, **kw)


def passes(title: str, *changes: Change, **kw: Any) -> Example:
    return Example(title, False, changes, **kw)


# ---------------------------------------------------------------- rules


class Rule:
    """A rule of validation-rules.md: subclasses set the class attributes and, by stage, the methods below.

    ``messages``: what it can say, by kind, each at its severity (the first is the rule's main one, as the spec's
    table lists it). ``applies(fmt)``: which formats it applies to, as a question about the format, so a new format
    gets the rule exactly when it has what the rule looks at. ``examples``: reports that fire and that pass it
    (tests run every one of them: a rule without both cannot be added).
    """

    id: str
    stage: str
    name_zh: str
    basis: str
    messages: Mapping[str, Message]
    examples: tuple[Example, ...] = ()

    def applies(self, fmt: ReportFormat) -> bool:
        return True

    @property
    def formats(self) -> tuple[str, ...]:
        """The versions of :data:`transforms.format.FORMATS` this rule applies to, oldest first."""
        return tuple(v for v, f in FORMATS.items() if self.applies(f))

    @property
    def severity(self) -> str:
        return next(iter(self.messages.values())).severity

    @property
    def severities(self) -> frozenset[str]:
        return frozenset(m.severity for m in self.messages.values())

    def finding(self, kind: str, *, section: str | None = None, row: str | None = None, column: str | None = None,
                cell: str | None = None, expected: Any = None, actual: Any = None, **params: Any) -> Finding:
        """The finding of one of this rule's messages, its text filled in with ``params``."""
        m = self.messages[kind]
        return Finding(self.id, m.severity, m.format(**params), section=section, row=row, column=column, cell=cell,
                       expected=expected, actual=actual)

    def describe(self, versions: tuple[str, ...] | None = None, severity: str | None = None) -> str:
        """What Data Docs and the docs say of the rule: id, name, severity, formats, basis."""
        versions = versions or self.formats
        return (f"{self.id} {self.name_zh}（{SEVERITY_ZH[severity or self.severity]}，{'/'.join(versions)} 格式）："
                f"{self.basis}")

    def __repr__(self) -> str:
        return f"<rule {self.id}>"


# ---------------------------------------------------------------- report rules (Great Expectations)


@dataclass(frozen=True)
class Expect:
    """One Great Expectations expectation, as data. ``type``: the GX class name (or the project's custom one);
    ``where``: the row condition, (frame column, "in" | ">", value) triples that must all hold; ``message``: the
    rule's message a failure turns into; ``meta``: what the message needs (section, parts, leaves …);
    ``per_submission``: one finding per submission and column for all its failing rows (T3-SHIFT); ``rank``: when
    two expectations of a rule flag one cell, the lower rank is said (the more specific)."""

    suite: str
    type: str
    kwargs: Mapping[str, Any]
    message: str
    formats: tuple[str, ...]
    where: tuple[tuple[str, str, Any], ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    per_submission: bool = False
    rank: int = 0


@dataclass(frozen=True)
class Identity:
    """A linear identity of one report's figures: ``sum(left) == sum(right)`` over cells. Linear, so it holds for
    any sum of reports that satisfy it: the county roll-up is checked against it too (a failure there is a bug)."""

    rule: str
    name: str  # the row or column it is about
    left: tuple[Key, ...]
    right: tuple[Key, ...]


class ReportRule(Rule):
    """A rule over one report's figures, run by Great Expectations in one batch for every report of a run."""

    stage = "report"

    def expectations(self) -> list[Expect]:
        """The GX expectations that check this rule in every format it applies to."""
        raise NotImplementedError

    def explain(self, kind: str, meta: Mapping[str, Any], sub: Submission, rows: list[Mapping[str, Any]]) -> Finding:
        """The finding for a failing frame row: ``kind`` names the message, ``meta`` is the expectation's (with its
        ``Expect.meta``), ``rows`` the frame row (several for ``per_submission``)."""
        raise NotImplementedError

    def identities(self, fmt: ReportFormat) -> list[Identity]:
        """The rule's linear identities in ``fmt`` (none for plausibility rules)."""
        return []


class AcrossYearsRule(Rule):
    """A rule comparing a unit's report with its own current report of the year before."""

    stage = "across_years"

    def check(self, sub: Submission, now: Mapping[Key, Any], previous: Mapping[Key, Any],
              previous_format: str | None) -> list[Finding]:
        """Findings for ``sub``; ``now`` and ``previous`` map cell keys to values (None = blank)."""
        raise NotImplementedError
