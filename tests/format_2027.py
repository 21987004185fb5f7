"""A fictional third format version, for tests only: what a notice of 2027 might change.

Loaded by naming this module in ``COUNTYSTATS_FORMAT_MODULES`` (``transforms.format.versions``), exactly as a
deployment would add a real new format: one definition here, and no other code changes. It differs from the 2021
format where a new notice plausibly would: 表三 gets one more applicant column (基层群众性自治组织, under 法人或其他
组织) and one row is reworded (四、结转下年度继续办理 → 四、结转至下一年度继续办理).
"""

from __future__ import annotations

from dataclasses import replace

from transforms.format.model import Label, Measure, define
from transforms.format.statutory import FORMAT_2021

GRASSROOTS = "grassroots"
GRASSROOTS_LABEL = "基层群众性自治组织"
CARRIED_FORWARD_2027 = "四、结转至下一年度继续办理"


def _requests(section):
    columns = list(section.columns)
    org = next(m.parent for m in columns if m.parent is not None)
    at = [m.code for m in columns].index("other_org")  # before 其他, as the notices list the kinds of organisation
    columns.insert(at, Measure(GRASSROOTS, Label(GRASSROOTS_LABEL), org))
    rows = tuple(replace(r, label=Label(CARRIED_FORWARD_2027)) if r.code == "carried_forward" else r
                 for r in section.rows)
    return replace(section, columns=tuple(columns), rows=rows)


FORMAT_2027 = define(replace(
    FORMAT_2021,
    version="2027",
    notice="国办公开办函〔2027〕1号（测试用的虚构格式）",
    meant_for_years=(2027, None),
    sections=tuple(_requests(s) if s.code == "requests" else s for s in FORMAT_2021.sections),
))
FORMATS = (FORMAT_2027,)
