"""Hand-built, arithmetically consistent Submissions and a small registry for the warehouse/pipeline tests.

Built directly from the format objects, so these tests do not depend on the reader or the validator.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from transforms.format import FORMATS
from transforms.format.statutory import OTHER_CHILDREN_2021
from transforms.model import Cell, Submission

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


def make_submission(
    unit_code: str = "T01", unit_name: str = "甲镇", unit_type: str = "township", year: int = 2024,
    version: str = "2021", new: int = 5, carried_over: int = 1, carried_forward: int = 2, licensing: int = 3,
    in_force: tuple[int, int, int] = (2, 1, 10), salt: str = "", errors: bool = False,
) -> Submission:
    """A consistent report: applicant ``natural_person`` carries the numbers, everything else is 0."""
    fmt = FORMATS[version]
    cells: dict[tuple[str, str, str], Cell] = {}
    values: dict[tuple[str, str, str], float] = {}
    for section, row, col in fmt.cells():
        values[(section, row, col)] = 0
    req = {"new_received": new, "carried_over": carried_over, "granted": new + carried_over - carried_forward,
           "concluded_total": new + carried_over - carried_forward, "carried_forward": carried_forward}
    for row, v in req.items():
        values[("requests", row, "natural_person")] = v
        values[("requests", row, "total")] = v
    values[("review_litigation", "reconsideration", "upheld")] = 1
    values[("review_litigation", "reconsideration", "total")] = 1
    if version == "2021":
        issued, repealed, force = in_force
        values.update({("proactive", "normative_docs", "issued"): issued,
                       ("proactive", "normative_docs", "repealed"): repealed,
                       ("proactive", "normative_docs", "in_force"): force,
                       ("proactive", "licensing", "decisions"): licensing})
    else:
        values[("proactive", "licensing", "decisions")] = licensing
    for n, (key, v) in enumerate(values.items()):
        derived = version == "2021" and key[1] == "other_total"
        cells[key] = Cell(*key, value=v, source=None if derived else f"Sheet1!A{n + 1}")
    if version == "2021":
        for col in {k[2] for k in values if k[0] == "requests"}:
            cells[("requests", "other_total", col)].value = sum(
                cells[("requests", c, col)].value for c in OTHER_CHILDREN_2021)
    digest = hashlib.sha256(f"{unit_code}{year}{version}{new}{carried_over}{salt}".encode()).hexdigest()
    sub = Submission(file=f"{unit_name}{year}.xlsx", sha256=digest, unit_code=unit_code, unit_name=unit_name,
                     unit_type=unit_type, report_year=year, format_version=version, cells=cells)
    if errors:
        from transforms.model import Finding

        sub.add(Finding("T3-BALANCE", "error", "表三 测试错误", "requests", "new_received", "total"))
    return sub
