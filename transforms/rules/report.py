"""The rules over one report's own figures (表二 – 表四), checked by Great Expectations in one batch per run.

Each rule declares its expectations as data (:class:`~transforms.rules.base.Expect`) over the frames of
:mod:`expectations.frames` — one template per rule, instantiated once per distinct variant of the formats it applies
to (the 规章 measures, the leaf outcome rows), never once per column — and turns a failing frame row into a finding
in plain Chinese. The linear ones also declare their identities, which the county roll-up is re-checked against.

Frame columns (see :mod:`expectations.frames`): the wide 表二 frame names a cell ``<row>__<measure>`` and the text
the unit typed ``<row>__<measure>__raw``; grid frames have one column per measure, ``total_raw`` (the 总计 as typed,
None when blank), ``parts_sum`` and ``neg_<column>`` (negated, for sum-to-zero cross-foots); the column frame of 表三
has ``leaf_layout`` (which of the format's layouts of the outcome rows the unit filled in).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from transforms.format import FORMATS, TOTAL, UNIT_TYPE_ZH, WAN_YUAN, ReportFormat, unit_types
from transforms.model import Finding, Submission
from transforms.rules.base import ANY, Expect, Identity, Message, ReportRule, add, fires, passes, set_
from transforms.rules.wording import at, col, num, plain, row, source

NEG = "neg_"  # prefix of a negated frame column
RAW = "__raw"  # suffix of the text a cell was typed as (wide frame)
FORMAT, UNIT_TYPE, LEAF_LAYOUT = "format_version", "unit_type", "leaf_layout"


def wide(row_code: str, column: str) -> str:
    """The wide 表二 frame's column for one cell."""
    return f"{row_code}__{column}"


def _grouped(rule: ReportRule, key: Callable[[ReportFormat], Hashable]) -> list[tuple[Any, tuple[str, ...]]]:
    """The formats a rule applies to, grouped by what the rule looks at in each: one expectation per variant."""
    groups: dict[Hashable, list[str]] = {}
    for version in rule.formats:
        groups.setdefault(key(FORMATS[version]), []).append(version)
    return [(k, tuple(v)) for k, v in groups.items()]


def _formats_are(versions: tuple[str, ...]) -> tuple[str, str, Any]:
    return (FORMAT, "in", versions)


def _finding(rule: ReportRule, kind: str, sub: Submission, section: str, row_code: str | None,
             column: str | None, expected=None, actual=None, **params) -> Finding:
    return rule.finding(kind, section=section, row=row_code, column=column,
                        cell=source(sub, section, row_code, column), expected=plain(expected),
                        actual=plain(actual), **params)


def _who(unit_type: str | None) -> str:
    return UNIT_TYPE_ZH.get(unit_type or "", unit_type or "")


# ---------------------------------------------------------------- 勾稽关系: the format's own identities


class CrossFoot(ReportRule):
    """A row's 总计 is the sum of the row's other columns (T3-ROWSUM in 表三, T4-TOTAL in 表四)."""

    section: str
    suite: str
    messages = {
        "mismatch": Message("error", "{where}：{terms} = {sum}，但{total}填的是 {typed}，相差 {diff}。"
                                     "请核对这一行各栏的数字和{total}{at}。"),
        # a blank 总计 in a row with numbers is "not filled in": taken as the row's sum, with a notice
        "blank_total": Message("notice", "{where} 是空白，但这一行各栏之和是 {sum}。已按 {sum} 计算；"
                                          "请在该单元格填上总计{at}。"),
    }

    def applies(self, fmt: ReportFormat) -> bool:
        return fmt.section(self.section).total is not None

    def expectations(self) -> list[Expect]:
        out = []
        for parts, versions in _grouped(self, lambda fmt: fmt.section(self.section).parts):
            meta = {"section": self.section, "parts": list(parts)}
            out.append(Expect(self.suite, "ExpectMulticolumnSumToEqual",
                              {"column_list": [*parts, f"{NEG}{TOTAL}"], "sum_total": 0}, "mismatch", versions,
                              (_formats_are(versions),), meta))
            out.append(Expect(self.suite, "ExpectColumnValuesToNotBeNull", {"column": "total_raw"}, "blank_total",
                              versions, (_formats_are(versions), ("parts_sum", ">", 0)), meta))
        return out

    def explain(self, kind: str, meta: Mapping, sub: Submission, rows: list[Mapping]) -> Finding:
        section = FORMATS[sub.format_version].section(meta["section"])
        rec = rows[0]
        row_code = rec["row"]
        where = at(source(sub, section.code, row_code, TOTAL))
        if kind == "blank_total":
            return _finding(self, kind, sub, section.code, row_code, TOTAL, rec["parts_sum"], None,
                            where=section.describe(row_code, TOTAL), sum=num(rec["parts_sum"]), at=where)
        total, expected = rec["total_raw"], rec["parts_sum"]
        terms = " + ".join(f"{section.column_by_code[c].label.text} {num(rec[c])}" for c in meta["parts"])
        return _finding(self, kind, sub, section.code, row_code, TOTAL, expected, total,
                        where=section.describe(row_code), terms=terms, sum=num(expected), typed=num(total),
                        diff=num(abs(expected - total)), total=col(section, TOTAL), at=where)

    def identities(self, fmt: ReportFormat) -> list[Identity]:
        section = fmt.section(self.section)
        if section.total is None:
            return []
        return [Identity(self.id, r.code, tuple((section.code, r.code, p) for p in section.parts),
                         ((section.code, r.code, TOTAL),)) for r in section.rows]


class RowSum(CrossFoot):
    id = "T3-ROWSUM"
    name_zh = "表三横向合计"
    basis = "总计＝自然人＋法人或其他组织各类之和"
    section, suite = "requests", "requests_rows"
    examples = (
        fires("总计比各类申请人之和多 1", add(("requests", "partly_granted", TOTAL)),
              at=("requests", "partly_granted", TOTAL), unit_type="department"),
        fires("（六）其他处理的总计少 1", add(("requests", "other_total", TOTAL), -1),
              at=("requests", "other_total", TOTAL), unit_type="department"),
        fires("非零行的总计空白：按各栏之和计算，提示", set_(("requests", "granted", TOTAL), None),
              set_(("requests", "granted", "natural_person"), 3), set_(("requests", "granted", "commercial"), 0),
              at=("requests", "granted", TOTAL), severity="notice"),
        passes("总计等于各类申请人之和"),
        passes("全为 0 的行总计空白", set_(("requests", "withheld_state_secret", ANY), 0),
               set_(("requests", "withheld_state_secret", TOTAL), None)),
    )


class ReviewTotal(CrossFoot):
    id = "T4-TOTAL"
    name_zh = "表四合计"
    basis = "总计＝结果维持＋结果纠正＋其他结果＋尚未审结"
    section, suite = "review_litigation", "review_litigation"
    examples = (
        fires("维持 4 件，总计填 0（见于实际报告）", set_(("review_litigation", "litigation_direct", "upheld"), 4),
              set_(("review_litigation", "litigation_direct", TOTAL), 0),
              at=("review_litigation", "litigation_direct", TOTAL), unit_type="department"),
        fires("维持 2 件，总计空白：按四项之和计算，提示", set_(("review_litigation", "reconsideration", "upheld"), 2),
              set_(("review_litigation", "reconsideration", TOTAL), None),
              at=("review_litigation", "reconsideration", TOTAL), severity="notice"),
        passes("总计等于四项结果之和"),
    )


class Balance(ReportRule):
    """Table 三's printed identity, per applicant column: 第一项 + 第二项 = 第三项（其总计）+ 第四项."""

    id = "T3-BALANCE"
    name_zh = "表三收支平衡"
    basis = "表三注：第一项加第二项之和，等于第三项加第四项之和"
    left = ("new_received", "carried_over")
    right = ("concluded_total", "carried_forward")
    messages = {
        "unbalanced": Message("error", "{short} {col_label}列：{left_terms} = {left}，但{right_terms} = {right}，"
                                       "相差 {diff}。表中注明{note}。请核对这一列的数字{at}。"),
    }
    examples = (
        fires("上年结转多填 1（总计一并多 1）", add(("requests", "carried_over", "natural_person")),
              add(("requests", "carried_over", TOTAL)), at=("requests", "new_received", "natural_person")),
        passes("收支平衡"),
    )

    def applies(self, fmt: ReportFormat) -> bool:
        return all(fmt.has("requests", r) for r in (*self.left, *self.right))

    def expectations(self) -> list[Expect]:
        meta = {"section": "requests", "left": list(self.left), "right": list(self.right)}
        return [Expect("requests_columns", "ExpectMulticolumnSidesToBalance",
                       {"column_list": [*self.left, *self.right], "right_columns": list(self.right)}, "unbalanced",
                       self.formats, (_formats_are(self.formats),), meta)]

    def explain(self, kind: str, meta: Mapping, sub: Submission, rows: list[Mapping]) -> Finding:
        section = FORMATS[sub.format_version].section("requests")
        rec = rows[0]
        column = rec["column"]
        left = sum(rec[r] for r in self.left)
        right = sum(rec[r] for r in self.right)
        first = self.left[0]
        return _finding(
            self, kind, sub, "requests", first, column, right, left, short=section.short,
            col_label=col(section, column),
            left_terms=" + ".join(f"{row(section, r)} {num(rec[r])}" for r in self.left), left=num(left),
            right_terms=" + ".join(f"{row(section, r)} {num(rec[r])}" for r in self.right), right=num(right),
            diff=num(abs(left - right)), note=section.corner_note.text if section.corner_note else "",
            at=at(source(sub, "requests", first, column)))

    def identities(self, fmt: ReportFormat) -> list[Identity]:
        requests = fmt.section("requests")
        return [Identity(self.id, m.code, tuple(("requests", r, m.code) for r in self.left),
                         tuple(("requests", r, m.code) for r in self.right)) for m in requests.columns]


class Outcomes(ReportRule):
    """（七）总计 is the sum of the mutually exclusive outcome rows, in the layout the unit filled in."""

    id = "T3-OUTCOMES"
    name_zh = "表三办理结果合计"
    basis = "（七）总计＝（一）至（六）各项办理结果之和"
    total = "concluded_total"
    messages = {
        "mismatch": Message("error", "{where}：各项办理结果（{first}至{last}）之和是 {sum}，但总计填的是 {typed}，"
                                     "相差 {diff}。每件申请只计入一种办理结果，请核对{at}。"),
    }
    examples = (
        fires("办结总计比各项办理结果之和多 3", add(("requests", "concluded_total", "commercial"), 3),
              at=("requests", "concluded_total", "commercial")),
        fires("办结总计多 1", add(("requests", "concluded_total", "other_org")),
              at=("requests", "concluded_total", "other_org"), unit_type="subdistrict"),
        passes("各项办理结果之和等于总计"),
    )

    def applies(self, fmt: ReportFormat) -> bool:
        return bool(fmt.leaf_outcomes) and fmt.has("requests", self.total)

    def expectations(self) -> list[Expect]:
        layouts: dict[tuple[str, ...], list[str]] = {}
        for version in self.formats:
            for layout, leaves in FORMATS[version].leaf_layouts().items():
                layouts.setdefault(leaves, []).append(layout)
        out = []
        for leaves, names in layouts.items():
            versions = tuple(dict.fromkeys(n.partition("/")[0] for n in names))
            out.append(Expect("requests_columns", "ExpectMulticolumnSumToEqual",
                              {"column_list": [*leaves, f"{NEG}{self.total}"], "sum_total": 0}, "mismatch", versions,
                              ((LEAF_LAYOUT, "in", tuple(names)),), {"section": "requests", "leaves": list(leaves)}))
        return out

    def explain(self, kind: str, meta: Mapping, sub: Submission, rows: list[Mapping]) -> Finding:
        section = FORMATS[sub.format_version].section("requests")
        rec = rows[0]
        column, leaves = rec["column"], meta["leaves"]
        expected, actual = sum(rec[r] for r in leaves), rec[self.total]
        return _finding(self, kind, sub, "requests", self.total, column, expected, actual,
                        where=section.describe(self.total, column), first=row(section, leaves[0]),
                        last=row(section, _heading(section, leaves[-1])), sum=num(expected),
                        typed=num(actual), diff=num(abs(expected - actual)),
                        at=at(source(sub, "requests", self.total, column)))

    def identities(self, fmt: ReportFormat) -> list[Identity]:
        requests = fmt.section("requests")
        return [Identity(self.id, m.code, tuple(("requests", r, m.code) for r in fmt.leaf_outcomes),
                         (("requests", self.total, m.code),)) for m in requests.columns]


def _heading(section, code: str) -> str:
    """The row a numbered leaf is printed under when that group is a row of its own (2021 3.其他 → （六）其他处理)."""
    group = section.row_by_code[code].group
    return next((r.code for r in section.rows if group is not None and r.label == group), code)


# ---------------------------------------------------------------- definitions and the law


class RulesAreZero(ReportRule):
    """立法法: only State Council departments and provincial / 设区的市 governments make 规章; the unit types' facts
    say which may (transforms.format.facts); every other unit reports 0."""

    id = "T2-RULES"
    name_zh = "规章制发主体"
    basis = "《立法法》：规章仅由国务院部门和省、设区的市人民政府制定"
    messages = {
        "not_a_rule_maker": Message("error", "{where} 填了 {value}，但{who}不能制定规章（{basis}）。"
                                             "单位内部的规章制度不算规章，这里应填 0{at}。"),
    }
    examples = (
        fires("乡镇填了 12 件现行有效规章", set_(("proactive", "rules", "in_force"), 12),
              at=("proactive", "rules", "in_force")),
        fires("县政府填了 1 件新制作规章", set_(("proactive", "rules", "new_made"), 1),
              at=("proactive", "rules", "new_made"), unit_type="county_government"),
        passes("设区的市可以制定规章（比较数据）", set_(("proactive", "rules", "in_force"), 3),
               unit_type="city_government"),
        passes("乡镇规章为 0"),
    )

    def applies(self, fmt: ReportFormat) -> bool:
        return fmt.has("proactive", "rules")

    def expectations(self) -> list[Expect]:
        measures = lambda fmt: tuple(m.code for m in fmt.section("proactive").measures_of("rules"))  # noqa: E731
        return [
            Expect("proactive", "ExpectColumnValuesToBeBetween",
                   {"column": wide("rules", code), "min_value": 0, "max_value": 0}, "not_a_rule_maker", versions,
                   (_formats_are(versions), (UNIT_TYPE, "in", unit_types(may_make_rules=False))),
                   {"section": "proactive", "row": "rules", "column": code})
            for codes, versions in _grouped(self, measures) for code in codes
        ]

    def explain(self, kind: str, meta: Mapping, sub: Submission, rows: list[Mapping]) -> Finding:
        section = FORMATS[sub.format_version].section("proactive")
        rec = rows[0]
        row_code, column = meta["row"], meta["column"]
        value = rec[wide(row_code, column)]
        return _finding(self, kind, sub, "proactive", row_code, column, 0, value,
                        where=section.describe(row_code, column), value=num(value), who=_who(rec[UNIT_TYPE]),
                        basis=self.basis, at=at(source(sub, "proactive", row_code, column)))


class FeesInYuan(ReportRule):
    """A township collecting more than 1 亿元 (10,000 万元) of fees in a year is implausible: probably typed in 元.
    (A cell that says 元 itself is converted by the reader, with a notice: R-NUMBER.)"""

    id = "T2-FEES"
    name_zh = "收费金额单位"
    basis = "表二收费金额以万元为单位"
    max_wan_yuan = 10_000
    messages = {
        "too_large": Message("warning", "{where} 填了 {value}（单位：{unit}），即 {yi} 亿元，对{who}来说过大，"
                                        "可能是按“元”填的。若是元，应填 {yi}（{unit}）。请核对{at}。"),
    }
    examples = (
        fires("乡镇收费 25000 万元", set_(("proactive", "fees", "amount_wan_yuan"), 25000),
              at=("proactive", "fees", "amount_wan_yuan")),
        passes("部门收费金额不设上限", set_(("proactive", "fees", "amount_wan_yuan"), 25000),
               unit_type="department"),
        passes("写的是 32500元：读取时已换算为 3.25 万元", set_(("proactive", "fees", "amount_wan_yuan"), 3.25,
                                                         raw="32500元")),
    )

    @staticmethod
    def _amounts(fmt: ReportFormat) -> tuple[str, ...]:
        if not fmt.has("proactive", "fees"):
            return ()
        return tuple(m.code for m in fmt.section("proactive").measures_of("fees") if m.unit == WAN_YUAN)

    def applies(self, fmt: ReportFormat) -> bool:
        return bool(self._amounts(fmt))

    def expectations(self) -> list[Expect]:
        out = []
        for codes, versions in _grouped(self, self._amounts):
            for code in codes:
                meta = {"section": "proactive", "row": "fees", "column": code}
                out.append(Expect("proactive", "ExpectColumnValuesToBeBetween",
                                  {"column": wide("fees", code), "max_value": self.max_wan_yuan}, "too_large",
                                  versions, (_formats_are(versions),
                                             (UNIT_TYPE, "in", unit_types(township_heuristics=True))), meta))
        return out

    def explain(self, kind: str, meta: Mapping, sub: Submission, rows: list[Mapping]) -> Finding:
        section = FORMATS[sub.format_version].section("proactive")
        rec = rows[0]
        row_code, column = meta["row"], meta["column"]
        value = rec[wide(row_code, column)]
        unit = section.measure(row_code, column).unit
        return _finding(self, kind, sub, "proactive", row_code, column, round(value / 10000, 6), value,
                        where=section.describe(row_code, column), value=num(value), unit=unit,
                        yi=num(value / 10000), who=_who(rec[UNIT_TYPE]), at=at(source(sub, "proactive", row_code, column)))


class ColumnShift(ReportRule):
    """Townships almost never receive applications from research institutes or law firms: a non-zero there usually
    means the numbers slid one column over. One finding per report and column."""

    id = "T3-SHIFT"
    name_zh = "表三列错位"
    basis = "乡镇很少收到科研机构、法律服务机构的申请"
    columns = ("research", "legal_services")
    messages = {
        "shifted": Message("warning", "{short} {col_label}列有非零数：{shown}{more}。{who}很少收到{label}的申请，"
                                      "可能是数字错位到了相邻的列。请核对各列是否对齐{at}。"),
    }
    examples = (
        fires("乡镇收到科研机构申请 2 件（各项合计仍正确）",
              *(add(("requests", r, c), 2) for r in ("new_received", "granted", "concluded_total")
                for c in ("research", TOTAL)),
              at=("requests", "new_received", "research")),
        passes("部门收到科研机构申请", *(add(("requests", r, c), 2) for r in ("new_received", "granted", "concluded_total")
                                   for c in ("research", TOTAL)), unit_type="department"),
        passes("乡镇只收到自然人和企业的申请"),
    )

    def applies(self, fmt: ReportFormat) -> bool:
        return all(c in fmt.section("requests").parts for c in self.columns)

    def expectations(self) -> list[Expect]:
        return [
            Expect("requests_rows", "ExpectColumnValuesToBeBetween", {"column": code, "min_value": 0, "max_value": 0},
                   "shifted", self.formats,
                   (_formats_are(self.formats), (UNIT_TYPE, "in", unit_types(township_heuristics=True))),
                   {"section": "requests", "column": code}, per_submission=True)
            for code in self.columns
        ]

    def explain(self, kind: str, meta: Mapping, sub: Submission, rows: list[Mapping]) -> Finding:
        section = FORMATS[sub.format_version].section("requests")
        column = meta["column"]
        first = rows[0]["row"]
        return _finding(
            self, kind, sub, "requests", first, column, 0, rows[0][column], short=section.short,
            col_label=col(section, column), shown="、".join(f"{row(section, r['row'])} {num(r[column])}" for r in rows[:3]),
            more=f"等 {len(rows)} 行" if len(rows) > 3 else "", who=_who(rows[0][UNIT_TYPE]),
            label=section.column_by_code[column].label.text, at=at(source(sub, "requests", first, column)))


REPORT_RULES: tuple[ReportRule, ...] = (Balance(), RowSum(), Outcomes(), ReviewTotal(), RulesAreZero(),
                                        FeesInYuan(), ColumnShift())
