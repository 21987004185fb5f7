"""The examples every rule declares (``Rule.examples``), made into what the rule's stage checks.

Each :class:`~transforms.rules.base.Example` is a consistent report with a few changes. Here it becomes, for each
format the rule applies to and the example can be written in:

- ``report``: a :class:`~transforms.model.Submission` (cells with sources, no reader needed) for one GX batch;
- ``reading``: a workbook written by the product's writer, with the example's departures (tables or rows dropped, a
  label mistyped, formulas without values …), to be read by the real reader;
- ``across_years``: this year's submission and last year's values, last year continuing into this one (carry-over,
  documents in force) before the example's changes;
- ``county``: the report year, when the file arrived, and the deadline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from countystats.examples.reports import consistent_values, continued, submission_from
from transforms.format import FILER, FORMATS, REPORT_TITLE, ReportFormat, for_year, previous
from transforms.format.model import Label, Row
from transforms.model import Submission
from transforms.registry import DEFAULT_REGISTRY, Registry
from transforms.rules.base import Example, Key, Rule, Workbook

EXTRA_ROW = "extra"  # the code of a row an example's workbook has and no format does

Values = dict[Key, int | float | None]


@dataclass
class Case:
    """One example of one rule in one format, ready for its stage's check."""

    rule: Rule
    example: Example
    fmt: ReportFormat
    sub: Submission | None = None  # report, reading (after reading), across_years
    previous: Values | None = None  # across_years
    previous_format: str | None = None
    path: Path | None = None  # reading: the workbook written
    year: int | None = None
    today: date | None = None

    @property
    def name(self) -> str:
        return f"{self.rule.id} {self.fmt.version} {'fires' if self.example.fires else 'passes'}: {self.example.title}"

    def findings(self):
        """This case's findings of its own rule."""
        return [f for f in (self.sub.findings if self.sub else []) if f.rule == self.rule.id]


def default_year(fmt: ReportFormat) -> int:
    """A report year the format is meant for: its last, or its third for the newest."""
    first, last = fmt.meant_for_years
    return last if last is not None else first + 3


def printed(fmt: ReportFormat, example: Example) -> bool:
    """Whether every cell the example changes is printed in ``fmt`` (a derived row is not)."""
    for change in (*example.changes, *(example.previous or ())):
        keys = change.keys(fmt)
        if not keys or any(fmt.section(s).row_by_code[r].derived for s, r, _ in keys):
            return False
    return example.at is None or fmt.has(*example.at)


def formats_for(rule: Rule, example: Example) -> list[ReportFormat]:
    """The formats the example is tried in: those the rule applies to that print what it changes (and, for a
    workbook with another format's tables or a derived row undivided, those where that exists)."""
    out = []
    for version in rule.formats:
        fmt = FORMATS[version]
        book = example.workbook
        if not printed(fmt, example):
            continue
        if book and book.undivided and not fmt.derived_rows:
            continue
        if book and book.previous_tables and (fmt is not for_year(_year(example, fmt)) or previous(fmt) is None):
            continue
        out.append(fmt)
    return out


def _year(example: Example, fmt: ReportFormat) -> int:
    return example.year or default_year(fmt)


def values_for(fmt: ReportFormat, example: Example, seed: int, changes=None) -> tuple[Values, dict[Key, str]]:
    """A consistent report of ``fmt`` for the example's unit type, with its changes; and the raw texts they give."""
    values = consistent_values(fmt.version, example.unit_type, random.Random(seed))
    raw: dict[Key, str] = {}
    for change in example.changes if changes is None else changes:
        for key in change.keys(fmt):
            values[key] = change.value(values.get(key))
            if change.raw is not None:
                raw[key] = change.raw
    return values, raw


def report_case(rule: Rule, example: Example, fmt: ReportFormat, seed: int) -> Case:
    values, raw = values_for(fmt, example, seed)
    name = f"{rule.id}-{fmt.version}-{seed}"
    year = _year(example, fmt)
    sub = submission_from(values, fmt.version, example.unit_type, name=name, year=year)
    for key, text in raw.items():
        sub.cells[key].raw = text
    if example.narrative is not None:  # the unit wrote its text, then changed its table
        base, _ = values_for(fmt, example, seed, changes=())
        sub.narrative = narrative_of(example.narrative, fmt, base, year, example_unit(example.unit_type))
    return Case(rule, example, fmt, sub=sub)


# ---------------------------------------------------------------- narratives


# the texts an example's narrative names by {key}: in the style of the real reports (shared/samples/published)
EXAMPLE_TEXTS = {
    "overview": "（二）依申请公开情况。{year}年，本机关共收到政府信息公开申请{new_received}件，上年结转{carried_over}件，"
                "办结{concluded}件，结转下年度继续办理{carried_forward}件，均在法定期限内予以答复。",
    "oversight": "（三）监督保障情况。本年度因政府信息公开被申请行政复议{reconsideration_zh}件，被提起行政诉讼"
                 "{litigation}件。",
    "problems": "{year}年，{unit}政府信息公开工作取得了一定成效，但仍存在一些不足：一是政策解读的形式还不够丰富，图解、"
                "视频等解读方式运用较少；二是基层政务公开标准化规范化建设有待加强，公开内容更新不够及时。下一步，{unit}"
                "将加强业务培训，完善信息发布审核机制，持续提升政府信息公开工作质量。",
    "other_problems": "对照年度工作要点，我单位仍有差距：部分栏目信息发布的时效性不强，个别科室对依申请公开的办理流程"
                      "掌握不够熟练，答复文书的规范性需要提高。{year}年将从三个方面改进：定期开展网站栏目自查，建立"
                      "专人负责的更新台账；组织依申请公开业务学习，编印办理指引；邀请法律顾问审核答复文书。",
}


def narrative_figures(fmt: ReportFormat, values: Values) -> dict[str, str]:
    """The figures an example's narrative may state: each quantity of N-TEXT in Arabic (``{code}``) and Chinese
    (``{code}_zh``) numerals, from the report's cells (blanks as 0)."""
    from transforms.writing.narratives import figures, zh_number

    return {k: v for code, n in figures(fmt, values).items() for k, v in ((code, str(n)), (f"{code}_zh", zh_number(n)))}


def narrative_of(parts, fmt: ReportFormat, values: Values, year: int, unit: str) -> dict[str, tuple[str, str]]:
    """An example's narrative parts as a reader gives them: (text, where), the templates filled in."""
    fields = {**narrative_figures(fmt, values), "year": str(year), "last_year": str(year - 1), "unit": unit}
    out = {}
    for n, (part, template) in enumerate(parts, 1):
        text = template.format(**{**EXAMPLE_TEXTS, **fields})
        out[part] = (text.format(**fields), f"第{n}段")
    return out


def across_years_case(rule: Rule, example: Example, fmt: ReportFormat, seed: int) -> Case:
    """Last year's report (the example's ``previous`` changes), continued into this year's, then its changes."""
    base, _ = values_for(fmt, example, seed, changes=())
    before: Values | None = None
    if example.previous is not None or example.same_as_previous:
        before, _ = values_for(fmt, example, seed, changes=example.previous or ())
    now = dict(before) if example.same_as_previous else continued(fmt, base, before)
    if not example.same_as_previous:
        for change in example.changes:
            for key in change.keys(fmt):
                now[key] = change.value(now.get(key))
    year = _year(example, fmt)
    sub = submission_from(now, fmt.version, example.unit_type, name=f"{rule.id}-{seed}", year=year)
    previous_values = None
    if before is not None:  # as the warehouse holds it: every cell, the derived ones summed
        previous_values = {k: c.value for k, c in submission_from(before, fmt.version, example.unit_type).cells.items()}
    return Case(rule, example, fmt, sub=sub, previous=previous_values,
                previous_format=fmt.version if before is not None else None, year=year)


# ---------------------------------------------------------------- reading: workbooks


def example_unit(unit_type: str, registry: Registry | None = None) -> str:
    """A unit of the example county's registry of that type (the name written in the workbook)."""
    registry = registry or Registry.load(DEFAULT_REGISTRY)
    return next(u.unit_name for u in registry.units if u.unit_type == unit_type)


def reading_case(rule: Rule, example: Example, fmt: ReportFormat, seed: int, folder: Path) -> Case:
    """The example written as a workbook (to be read by the real reader with ``today`` as the county's date)."""
    from transforms.writing.layouts import Options, plan_report, render

    book = example.workbook or _NO_CHANGE
    year = _year(example, fmt)
    written = fmt
    if book.previous_tables:
        written = previous(fmt)
    if book.undivided:
        written = written.undivided()
    written = _departures(written, book)
    values, raw = values_for(written, example, seed)
    for section, _after, _text in book.extra_rows:  # the row the format does not have carries figures
        values.update({(section, EXTRA_ROW, m.code): 1 for m in written.section(section).measures_of(EXTRA_ROW)})
    unit = book.unit_name or example_unit(example.unit_type)
    options = dict(book.options)
    options.setdefault("title", f"{unit}{year}年{REPORT_TITLE}")
    options.setdefault("filer", f"{FILER.text}：{unit}")
    options["text_cells"] = tuple(options.get("text_cells", ())) + tuple(raw.items())
    name = book.file_name or f"{year}年{unit}{REPORT_TITLE}.xlsx"
    path = Path(folder) / f"{seed}" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if book.web_page:  # what web systems export as "Excel": a page of HTML under a workbook's name
        path.write_text(f"<html><body><table><tr><td>{unit}{year}年{REPORT_TITLE}</td></tr></table></body></html>",
                        encoding="gbk")
    else:
        render(plan_report(written, values, unit, year, "stacked", Options(**options)), path)
    # the county's date: in the season after the newest format's example year (a year after it is impossible)
    today = date(max(default_year(f) for f in FORMATS.values()) + 1, 3, 1)
    return Case(rule, example, fmt, path=path, year=year, today=today)


_NO_CHANGE = Workbook()


def _departures(fmt: ReportFormat, book) -> ReportFormat:
    """The format as the unit's workbook prints it: tables or rows left out, rows labelled otherwise."""
    if not (book.drop_sections or book.drop_rows or book.rename_rows or book.extra_rows):
        return fmt
    drop = set(book.drop_rows)
    renamed = dict(book.rename_rows)
    extra = {(s, after): Row(EXTRA_ROW, Label(text)) for s, after, text in book.extra_rows}

    def row(section, r):
        text = renamed.get((section.code, r.code))
        return replace(r, label=replace(r.label, text=text, variants=())) if text else r

    def rows_of(section, rows):
        for r in rows:
            if (section.code, r.code) not in drop:
                yield row(section, r)
            if (section.code, r.code) in extra:
                yield extra[(section.code, r.code)]

    sections = []
    for s in fmt.sections:
        if s.code in book.drop_sections:
            continue
        rows = tuple(rows_of(s, s.rows))
        blocks = tuple(replace(b, rows=tuple(rows_of(s, b.rows))) for b in s.blocks)
        sections.append(replace(s, rows=rows, blocks=blocks))
    return replace(fmt, sections=tuple(sections))


def read_case(case: Case, registry: Registry) -> Case:
    """Read the case's workbook with the real reader, in this process."""
    from transforms.reading import read_submission

    case.sub = read_submission(case.path, registry, today=case.today)
    return case


# ---------------------------------------------------------------- county: lateness


def late_case(rule: Rule, example: Example, deadline_for) -> tuple[int, datetime, date]:
    """(report year, when the file arrived, the deadline) for a P-LATE example; ``deadline_for(year, unit_type)``
    is the settings' (``countystats.settings.Settings.deadline_for``)."""
    year = example.year or default_year(for_year(None))
    return year, datetime.fromisoformat(example.received), deadline_for(year, example.unit_type)



# ---------------------------------------------------------------- across reports: 内容雷同


def copies_case(rule: Rule, example: Example, fmt: ReportFormat, seed: int) -> Case:
    """This year's report of one unit, another unit's of the same year and the unit's own of the year before (as
    the example gives them), checked together; the case's submission carries this report's findings."""
    from transforms.rules.narrative import NarrativeReport

    registry = Registry.load(DEFAULT_REGISTRY)
    mine, other = [u for u in registry.units if u.unit_type == example.unit_type][:2]
    year = _year(example, fmt)
    values, _ = values_for(fmt, example, seed, changes=())
    sub = submission_from(values, fmt.version, example.unit_type, name=f"{rule.id}-{seed}", year=year)
    sub.narrative = narrative_of(example.narrative or (), fmt, values, year, mine.unit_name)

    def report(key: str, unit, parts, report_year: int) -> NarrativeReport:
        texts = {p: t for p, (t, _) in narrative_of(parts, fmt, values, report_year, unit.unit_name).items()}
        return NarrativeReport(key, unit.unit_code, unit.unit_name, report_year, f"{report_year}年{unit.unit_name}.docx",
                               texts, names=unit.names)

    reports = [report("this", mine, example.narrative or (), year)]
    if example.other_narrative is not None:
        reports.append(report("other", other, example.other_narrative, year))
    if example.previous_narrative is not None:
        reports.append(report("previous", mine, example.previous_narrative, year - 1))
    found = rule.check(reports, {year})
    sub.findings = [f for f, _, _ in found.get("this", [])]
    return Case(rule, example, fmt, sub=sub, year=year)
