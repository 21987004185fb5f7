"""A small county (甲镇, 乙镇, 丙镇, 县教育局, 示例县人民政府) and reports with the figures a test names.

``report(new=5, carried_over=1, …)`` is a consistent report in which the 自然人 column carries the named figures and
every other cell is 0, so a test of loading, history, cross-year checks or the roll-up can reason about its
numbers; built from the format objects, it needs neither the reader nor the validator.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from transforms.format import FORMATS, TOTAL, for_year
from transforms.model import Cell, Finding, Submission

UNITS_CSV = """unit_code,unit_name,unit_type,aliases,active_from,active_to
T01,甲镇,township,甲镇人民政府,,
T02,乙镇,township,,,
T03,丙镇,township,,2024,
D01,县教育局,department,,,
G00,示例县人民政府,county_government,,,
"""


def write_units(path: Path) -> Path:
    path.write_text(UNITS_CSV, encoding="utf-8")
    return path


def report(
    unit_code: str = "T01", unit_name: str = "甲镇", unit_type: str = "township", year: int = 2024,
    version: str | None = None, new: int = 5, carried_over: int = 1, carried_forward: int = 2, licensing: int = 3,
    in_force: tuple[int, int, int] = (2, 1, 10), salt: str = "", errors: bool = False, warning: bool = False,
    explained: str | None = None, figures: dict[str, float] | None = None,
) -> Submission:
    """A consistent report: applicant ``natural_person`` carries the numbers, everything else is 0. ``version``:
    the format (default: the one meant for ``year``); ``in_force``: (issued, repealed, in force) of 行政规范性文件
    where the format counts them; ``errors``: carry an error finding (a rejected report); ``warning``: carry a
    warning (held for review), ``explained`` by the unit's 说明 if given; ``figures``: more cells, keyed
    ``"section.row.column"`` (JSON-friendly, for the fake reader's files)."""
    fmt = FORMATS[version] if version else for_year(year)
    values: dict[tuple[str, str, str], float] = dict.fromkeys(fmt.cells(), 0)
    req = {"new_received": new, "carried_over": carried_over, "granted": new + carried_over - carried_forward,
           "concluded_total": new + carried_over - carried_forward, "carried_forward": carried_forward}
    for row, v in req.items():
        values[("requests", row, "natural_person")] = v
        values[("requests", row, TOTAL)] = v
    values[("review_litigation", "reconsideration", "upheld")] = 1
    values[("review_litigation", "reconsideration", TOTAL)] = 1
    values[("proactive", "licensing", "decisions")] = licensing
    if fmt.has("proactive", "normative_docs", "in_force"):
        for measure, v in zip(("issued", "repealed", "in_force"), in_force, strict=True):
            values[("proactive", "normative_docs", measure)] = v
    for key, v in (figures or {}).items():
        values[tuple(key.split("."))] = v
    derived = dict(fmt.derived_rows)
    cells = {key: Cell(*key, value=v, source=None if derived.get(key[0]) == key[1] else f"Sheet1!A{n + 1}")
             for n, (key, v) in enumerate(values.items())}
    for section_code, row_code in fmt.derived_rows:  # the sum of its children, as the reader derives it
        section = fmt.section(section_code)
        for m in section.measures_of(row_code):
            cells[(section_code, row_code, m.code)].value = sum(
                cells[(section_code, c, m.code)].value for c in section.children(row_code))
    digest = hashlib.sha256(f"{unit_code}{year}{fmt.version}{new}{carried_over}{salt}".encode()).hexdigest()
    sub = Submission(file=f"{unit_name}{year}.xlsx", sha256=digest, unit_code=unit_code, unit_name=unit_name,
                     unit_type=unit_type, report_year=year, format_version=fmt.version, cells=cells)
    if errors:
        sub.add(Finding("T3-BALANCE", "error", "表三 测试错误", "requests", "new_received", TOTAL))
    if explained:
        sub.explanations["T3-SHIFT"] = explained
    if warning:
        sub.add(Finding("T3-SHIFT", "warning", "表三 测试提醒", "requests", "new_received", "research"))
    return sub
