"""Facts around the tables, each named once: unit types, statuses, severities, the title and fields around them.

Every module that needs to know which units count toward the county, may make 规章, get the township heuristics or
report by the later deadline, or which statuses are counted, asks here; SQL gets the same lists through
:func:`sql_list`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.format.model import Label


@dataclass(frozen=True)
class UnitType:
    code: str
    name_zh: str
    counts_toward_county: bool  # part of the county's figures (the county government's own report is shown apart)
    own_report: bool  # the county government's own report: one more unit, not part of the sum of the others
    expected: bool  # expected to report (completeness); comparison data is not
    may_make_rules: bool  # 立法法: only State Council departments and provincial / 设区的市 governments make 规章
    township_heuristics: bool  # T2-FEES, T3-SHIFT: plausibility checks made for townships
    late_deadline: bool  # reports by Settings.county_deadline (31 March) rather than the units' 31 January


UNIT_TYPES: dict[str, UnitType] = {
    t.code: t
    for t in (
        UnitType("township", "乡镇", True, False, True, False, True, False),
        UnitType("subdistrict", "街道", True, False, True, False, False, False),
        UnitType("department", "县直部门", True, False, True, False, False, False),
        UnitType("county_government", "县（区）人民政府", False, True, True, False, False, True),
        UnitType("city_government", "设区的市人民政府", False, False, False, True, False, False),
    )
}
UNIT_TYPE_ZH = {code: t.name_zh for code, t in UNIT_TYPES.items()}


def unit_types(**where: bool) -> tuple[str, ...]:
    """The unit type codes with the given facts, e.g. ``unit_types(counts_toward_county=True)``."""
    return tuple(code for code, t in UNIT_TYPES.items() if all(getattr(t, k) == v for k, v in where.items()))


# An area's government's own report (本级), by the area's type (config/areas.csv): shown apart from the figures of the
# units and areas under it, as the county government's is. A city's government is one only in a deployment of many
# counties, where it belongs to its city; in one county's registry it is comparison data (expected False above).
GOVERNMENT_OF_AREA: dict[str, tuple[str, ...]] = {"county": unit_types(own_report=True), "city": ("city_government",)}


@dataclass(frozen=True)
class Status:
    code: str
    name_zh: str
    counted: bool  # counted in county figures
    of_file: bool  # a status a submission can have ("missing" is a unit-year's, not a file's)
    of_unit_year: bool  # a status a unit's year can have in completeness (an unreadable file leaves it "rejected")
    compared: bool  # its figures can stand (no error): checked against last year's report, late or not


STATUSES: dict[str, Status] = {
    s.code: s
    for s in (
        Status("accepted", "通过", True, True, True, True),
        Status("accepted_with_warnings", "通过（提醒已说明）", True, True, True, True),
        Status("needs_review", "待核实", False, True, True, True),
        Status("returned", "退回", False, True, True, True),
        Status("rejected", "未通过", False, True, True, False),
        Status("unreadable", "无法读取", False, True, False, False),
        Status("missing", "未报送", False, False, True, False),
    )
}
STATUS_ZH = {code: s.name_zh for code, s in STATUSES.items()}
COUNTED = tuple(code for code, s in STATUSES.items() if s.counted)  # what the *_cells views and roll-ups count
COMPARED = tuple(code for code, s in STATUSES.items() if s.compared)  # checked across years and for lateness
OF_FILE = tuple(code for code, s in STATUSES.items() if s.of_file)  # a run's files, by status
OF_UNIT_YEAR = tuple(code for code, s in STATUSES.items() if s.of_unit_year)  # completeness, by status
# error: the figures cannot be right (never counted, only a corrected file fixes it); warning: a figure may be wrong
# (held until the unit explains it or the office accepts it); notice: recorded and shown, never holds a report
SEVERITY_ZH = {"error": "错误", "warning": "提醒", "notice": "提示"}


def sql_list(codes) -> str:
    """('a', 'b') for an SQL ``IN``: the lists above, used in queries as they are in Python."""
    return "(" + ", ".join("'" + c.replace("'", "''") + "'" for c in codes) + ")"


REPORT_TITLE = "政府信息公开工作年度报告"
# 《政府信息公开条例》 took effect on 1 May 2008: no annual report is for an earlier year
FIRST_REPORT_YEAR = 2008
# No organ reports a billion of anything in a year (nor 10 亿万元 in fees): a larger figure is a typing or a hostile
# value, and the bound keeps every county, city and province sum exact in 64-bit arithmetic.
MAX_VALUE = 10**9

# The row above the tables naming the submitting unit: 填报单位：大营镇人民政府
FILER = Label("填报单位", ("报送单位",))
# The lines under the tables of a blank template: who filled it in and how to reach them (the office's questions)
FILLED_BY = (Label("填表人"), Label("联系电话"))
# A unit's explanations of its warnings: a sheet with rows (rule id, explanation)
EXPLANATIONS_SHEET = "说明"
# What a rule's id looks like (R-BLANK, T3-BALANCE, X-JUMP): a 说明 names its rule by it, in a file or the portal
RULE_ID = re.compile(r"[A-Z][0-9]?-[A-Z]+")
# a line of a unit's 说明: a rule's id (full-width as WPS may type it), then the reason (N-TEXT：正文所写为本级受理数)
EXPLANATION_LINE = re.compile(r"^\s*(?:说明\s*[:：]?\s*)?([A-ZＡ-Ｚ][0-9０-９]?[-－][A-ZＡ-Ｚ]+)\s*[:：,，、]\s*(\S.*)$")


@dataclass(frozen=True)
class Part:
    """One of the six numbered parts every annual report has (the 2019 and 2021 templates alike): three narrative
    parts around the three tables. ``keys``: words a heading of the part contains, whatever else it says
    (五、政府信息公开工作存在的主要问题及改进措施 is part 五)."""

    code: str
    number: str  # 一 … 六
    label: Label
    keys: tuple[str, ...]
    narrative: bool  # text (一, 五, 六), not a table (二, 三, 四)
    hint: str = ""  # what the statutory Word template prints under a narrative part's heading, to be written over


OUTLINE = (
    Part("overview", "一", Label("一、总体情况"), ("总体情况", "基本情况", "概述"), True, "（文字描述）"),
    Part("proactive", "二", Label("二、主动公开政府信息情况"), ("主动公开",), False),
    Part("requests", "三", Label("三、收到和处理政府信息公开申请情况"), ("申请情况", "依申请"), False),
    Part("review_litigation", "四", Label("四、政府信息公开行政复议、行政诉讼情况"), ("复议", "诉讼"), False),
    Part("problems", "五", Label("五、存在的主要问题及改进情况", ("五、存在的主要问题和改进情况",)),
         ("问题", "改进"), True, "（文字描述）"),
    Part("other", "六", Label("六、其他需要报告的事项"), ("其他需要报告", "其他事项"), True,
         "（文字描述，收取信息处理费情况在此处报告。）"),
)
NARRATIVE = tuple(p for p in OUTLINE if p.narrative)  # narratives.section, the keys of "narrative" in check --json
# Words written for 0 (— / 无)
ZERO_WORDS = ("—", "/", "无")
