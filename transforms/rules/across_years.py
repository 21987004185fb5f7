"""Rules that compare a unit's report with its own current report of the year before (X-*), and lateness (P-LATE).

Plain functions over values, so the warehouse can run them against whatever it holds as the previous year's current
report. Cell descriptions come from the format (``Section.describe``): no label text here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from transforms.format import FORMATS, REPORT_TITLE, TOTAL, ReportFormat
from transforms.model import Finding, Submission
from transforms.rules.base import AcrossYearsRule, Example, Key, Message, Rule, add, fires, passes, set_


def _n(value: float | None) -> float:
    return 0.0 if value is None else float(value)


def _fmt(value: float | None) -> str:
    if value is None:
        return "空白"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _at(rule: Rule, kind: str, sub: Submission, key: Key | None, expected=None, actual=None, **params) -> Finding:
    """A finding naming the cell ``key`` of this year's report (its table, row and column, and where it is)."""
    cell = sub.cells.get(key) if key else None
    where = ""
    if key:
        section = FORMATS[sub.format_version].section(key[0])
        where = section.describe(key[1], key[2]) + (f"（{cell.source}）" if cell and cell.source else "") + "："
    return rule.finding(kind, section=key[0] if key else None, row=key[1] if key else None,
                        column=key[2] if key else None, cell=cell.source if cell else None, expected=expected,
                        actual=actual, name=rule.name_zh, where=where, **params)


class CarryOver(AcrossYearsRule):
    id = "X-CARRY"
    name_zh = "上年结转衔接"
    basis = "本年“上年结转”＝上年“结转下年度继续办理”"
    messages = {"differs": Message("warning", "{name}：{where}本年为 {now}，上年报告“{label}”为 {before}，两者应相等。")}
    examples = (
        fires("本年上年结转比上年结转下年度多 1", add(("requests", "carried_over", "natural_person")),
              add(("requests", "new_received", "natural_person"), -1), previous=(),
              at=("requests", "carried_over", "natural_person")),
        passes("与上年衔接", previous=()),
        passes("没有上年报告"),
    )

    def check(self, sub, now, previous, previous_format):
        requests = FORMATS[sub.format_version].section("requests")
        label = requests.row_by_code["carried_forward"].title
        out = []
        for m in requests.columns:
            key, prev_key = ("requests", "carried_over", m.code), ("requests", "carried_forward", m.code)
            if key not in now or prev_key not in previous or (now[key] is None and previous[prev_key] is None):
                continue
            if _n(now[key]) != _n(previous[prev_key]):
                out.append(_at(self, "differs", sub, key, expected=_n(previous[prev_key]), actual=_n(now[key]),
                               now=_fmt(now[key]), before=_fmt(previous[prev_key]), label=label))
        return out


class InForce(AcrossYearsRule):
    id = "X-INFORCE"
    name_zh = "现行有效件数衔接"
    basis = "现行有效＝上年现行有效＋本年制发－本年废止"
    rows = ("rules", "normative_docs")
    measures = ("issued", "repealed", "in_force")
    messages = {
        "differs": Message("warning", "{name}：{where}为 {now}，按上年现行有效 {before} ＋ 本年制发 {issued} － "
                                      "本年废止 {repealed} 应为 {want}。"),
        "too_many_repealed": Message("warning", "{name}：{where}本年废止 {repealed} 件，多于上年现行有效 {before} 件"
                                                "与本年制发 {issued} 件之和。"),
    }
    examples = (
        fires("现行有效比应有的多 1", add(("proactive", "normative_docs", "in_force")), previous=(),
              at=("proactive", "normative_docs", "in_force")),
        fires("废止多于上年现行有效与本年制发之和", set_(("proactive", "normative_docs", "repealed"), 99999),
              previous=(), at=("proactive", "normative_docs", "repealed")),
        passes("现行有效＝上年＋制发－废止", previous=()),
    )

    def applies(self, fmt: ReportFormat) -> bool:
        """A format whose 表二 counts documents issued, repealed and in force (the 2021 format does)."""
        return all(fmt.has("proactive", r, m) for r in self.rows for m in self.measures)

    def check(self, sub, now, previous, previous_format):
        if previous_format not in FORMATS or not self.applies(FORMATS[previous_format]):
            return []
        out = []
        for row_code in self.rows:
            k = {m: ("proactive", row_code, m) for m in self.measures}
            if any(key not in now for key in k.values()) or k["in_force"] not in previous:
                continue
            before = _n(previous[k["in_force"]])
            issued, repealed, in_force = (_n(now[k[m]]) for m in self.measures)
            want = before + issued - repealed
            words = {"before": _fmt(before), "issued": _fmt(now[k["issued"]]), "repealed": _fmt(now[k["repealed"]])}
            if repealed > before + issued:
                out.append(_at(self, "too_many_repealed", sub, k["repealed"], expected=before + issued,
                               actual=repealed, **words))
            elif in_force != want:
                out.append(_at(self, "differs", sub, k["in_force"], expected=want, actual=in_force,
                               now=_fmt(now[k["in_force"]]), want=_fmt(want), **words))
        return out


class Copied(AcrossYearsRule):
    id = "X-COPY"
    name_zh = "照搬上年报告"
    basis = "国办公开办函〔2021〕30号：内容雷同、敷衍塞责"
    messages = {"copied": Message("warning", "{name}：本{title}的全部数据与上年报告完全相同，请核实是否照搬了上年报告。")}
    examples = (
        fires("全部数据与上年相同", same_as_previous=True),
        passes("有一个数与上年不同", previous=(add(("proactive", "licensing", "decisions")),)),
    )

    def check(self, sub, now, previous, previous_format):
        if sub.format_version != previous_format:
            return []
        keys = [k for k, c in sub.cells.items() if c.source is not None]
        if keys and all(k in previous and now[k] == previous[k] for k in keys) and any(_n(now[k]) for k in keys):
            return [_at(self, "copied", sub, None, title=REPORT_TITLE)]
        return []


class Jump(AcrossYearsRule):
    id = "X-JUMP"
    name_zh = "数据大幅变化"
    basis = "与上年相比变化超过10倍，请核实"
    factor = 10
    floor = 10  # both years at least this many, else a jump from 1 to 12 would be noise
    cells = (("requests", "new_received", TOTAL), ("proactive", "licensing", "decisions"),
             ("proactive", "penalty", "decisions"), ("proactive", "coercion", "decisions"))
    messages = {"jump": Message("warning", "{name}：{where}本年 {now}，上年 {before}，变化超过 {factor} 倍，请核实。")}
    examples = (
        fires("行政处罚从 12 件增至 156 件", set_(("proactive", "penalty", "decisions"), 156),
              previous=(set_(("proactive", "penalty", "decisions"), 12),), at=("proactive", "penalty", "decisions")),
        passes("从 1 件增至 12 件（基数太小）", set_(("proactive", "licensing", "decisions"), 12),
               previous=(set_(("proactive", "licensing", "decisions"), 1),)),
        passes("变化不到 10 倍", set_(("proactive", "penalty", "decisions"), 90),
               previous=(set_(("proactive", "penalty", "decisions"), 12),)),
    )

    def check(self, sub, now, previous, previous_format):
        out = []
        for key in self.cells:
            if key not in now or key not in previous:
                continue
            cur, prev = _jump_value(now, key), _jump_value(previous, key)
            if cur >= self.floor and prev >= self.floor and (cur > self.factor * prev or cur * self.factor < prev):
                out.append(_at(self, "jump", sub, key, expected=prev, actual=cur, now=_fmt(cur), before=_fmt(prev),
                               factor=self.factor))
        return out


def _jump_value(values: Mapping[Key, Any], key: Key) -> float:
    # a blank 总计 means "not filled in" (T3-ROWSUM): use the row's sum then
    if values.get(key) is None and key[2] == TOTAL:
        return sum(_n(v) for (s, r, c), v in values.items() if s == key[0] and r == key[1] and c != TOTAL)
    return _n(values.get(key))


class Late(Rule):
    """The first accepted report of a unit-year received after the deadline. Checked where reports are loaded,
    against the settings' deadlines (the county government's own is later)."""

    id = "P-LATE"
    stage = "county"
    name_zh = "逾期报送"
    basis = "条例第四十九条：每年1月31日前报送并公布"
    messages = {"late": Message("notice", "{name}：{year}年度报告首次通过的报送于 {got:%Y-%m-%d %H:%M} 收到，"
                                           "晚于截止日期 {deadline:%Y-%m-%d}。")}
    examples = (
        fires("2024 年度报告 2025 年 2 月 3 日收到", year=2024, received="2025-02-03T10:00"),
        passes("截止日当天收到", year=2024, received="2025-01-31T17:30"),
    )

    def check(self, report_year: int, got: datetime, deadline: date) -> Finding | None:
        if got.date() <= deadline:
            return None
        return self.finding("late", expected=deadline.isoformat(), actual=got.isoformat(sep=" "), name=self.name_zh,
                            year=report_year, got=got, deadline=deadline)


ACROSS_YEARS_RULES: tuple[AcrossYearsRule, ...] = (CarryOver(), InForce(), Copied(), Jump())
LATE = Late()


def cross_year_findings(sub: Submission, previous: Mapping[Key, Any], previous_format: str | None) -> list[Finding]:
    """The X-* warnings of ``sub`` given the values of the same unit's current report for the previous year."""
    if sub.format_version not in FORMATS or not previous:
        return []
    fmt = FORMATS[sub.format_version]
    now = {k: c.value for k, c in sub.cells.items()}
    return [f for rule in ACROSS_YEARS_RULES if rule.applies(fmt)
            for f in rule.check(sub, now, previous, previous_format)]


__all__ = ["ACROSS_YEARS_RULES", "LATE", "Example", "cross_year_findings"]
