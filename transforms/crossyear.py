"""Checks against the unit's previous-year report (X-CARRY, X-INFORCE, X-COPY, X-JUMP) and lateness (P-LATE).

Plain functions over values, so the warehouse can run them against whatever it holds as the previous year's
current report. Rule metadata (severity, Chinese name) comes from :mod:`transforms.rules`; cell descriptions from
the format (``Section.describe``): no label text here.
"""

from __future__ import annotations

from datetime import date, datetime

from transforms.model import Finding, Submission
from transforms.report_format import FORMATS, REPORT_TITLE
from transforms.rules import rule

Values = dict[tuple[str, str, str], float | None]
JUMP_FACTOR = 10
JUMP_FLOOR = 10  # both years at least this many, else a jump from 1 to 12 would be noise
JUMP_CELLS = (("requests", "new_received", "total"), ("proactive", "licensing", "decisions"),
              ("proactive", "penalty", "decisions"), ("proactive", "coercion", "decisions"))


def _n(value: float | None) -> float:
    return 0.0 if value is None else float(value)


def _fmt(value: float | None) -> str:
    if value is None:
        return "空白"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _finding(rule_id: str, sub: Submission, key: tuple[str, str, str] | None, text: str,
             expected=None, actual=None) -> Finding:
    r = rule(rule_id)
    cell = sub.cells.get(key) if key else None
    where = ""
    if key:
        section = FORMATS[sub.format_version].section(key[0])
        where = section.describe(key[1], key[2]) + (f"（{cell.source}）" if cell and cell.source else "") + "："
    return Finding(
        rule=r.id, severity=r.severity, message=f"{r.name_zh}：{where}{text}",
        section=key[0] if key else None, row=key[1] if key else None, column=key[2] if key else None,
        cell=cell.source if cell else None, expected=expected, actual=actual,
    )


def cross_year_findings(sub: Submission, previous: Values, previous_format: str | None) -> list[Finding]:
    """Warnings for ``sub`` given the values of the same unit's current report for the previous year."""
    if sub.format_version not in FORMATS or not previous:
        return []
    fmt = FORMATS[sub.format_version]
    now: Values = {k: c.value for k, c in sub.cells.items()}
    out: list[Finding] = []
    requests = fmt.section("requests")
    last_label = requests.row_by_code["carried_forward"].title

    # X-CARRY: what was carried forward last year is what is carried over this year
    for col in requests.columns:
        key, prev_key = ("requests", "carried_over", col.code), ("requests", "carried_forward", col.code)
        if key not in now or prev_key not in previous or (now[key] is None and previous[prev_key] is None):
            continue
        if _n(now[key]) != _n(previous[prev_key]):
            out.append(_finding("X-CARRY", sub, key,
                                f"本年为 {_fmt(now[key])}，上年报告“{last_label}”为 {_fmt(previous[prev_key])}，两者应相等。",
                                expected=_n(previous[prev_key]), actual=_n(now[key])))

    # X-INFORCE: in force = last year's in force + issued − repealed (2021 format both years)
    if sub.format_version == "2021" and previous_format == "2021":
        for row in ("rules", "normative_docs"):
            k = {m: ("proactive", row, m) for m in ("issued", "repealed", "in_force")}
            if any(key not in now for key in k.values()) or k["in_force"] not in previous:
                continue
            before = _n(previous[k["in_force"]])
            want = before + _n(now[k["issued"]]) - _n(now[k["repealed"]])
            if _n(now[k["repealed"]]) > before + _n(now[k["issued"]]):
                out.append(_finding("X-INFORCE", sub, k["repealed"],
                                    f"本年废止 {_fmt(now[k['repealed']])} 件，多于上年现行有效 {_fmt(before)} 件"
                                    f"与本年制发 {_fmt(now[k['issued']])} 件之和。",
                                    expected=before + _n(now[k["issued"]]), actual=_n(now[k["repealed"]])))
            elif _n(now[k["in_force"]]) != want:
                out.append(_finding("X-INFORCE", sub, k["in_force"],
                                    f"为 {_fmt(now[k['in_force']])}，按上年现行有效 {_fmt(before)} ＋ 本年制发 "
                                    f"{_fmt(now[k['issued']])} － 本年废止 {_fmt(now[k['repealed']])} 应为 {_fmt(want)}。",
                                    expected=want, actual=_n(now[k["in_force"]])))

    # X-COPY: every cell identical to last year's and not all zero (内容雷同)
    if sub.format_version == previous_format:
        keys = [k for k, c in sub.cells.items() if c.source is not None]
        if keys and all(k in previous and now[k] == previous[k] for k in keys) and any(_n(now[k]) for k in keys):
            out.append(_finding("X-COPY", sub, None,
                                f"本{REPORT_TITLE}的全部数据与上年报告完全相同，请核实是否照搬了上年报告。"))

    # X-JUMP: headline figures more than 10× up or down (both years ≥ 10)
    for key in JUMP_CELLS:
        if key not in now or key not in previous:
            continue
        cur, prev = _jump_value(now, key), _jump_value(previous, key)
        if cur >= JUMP_FLOOR and prev >= JUMP_FLOOR and (cur > JUMP_FACTOR * prev or cur * JUMP_FACTOR < prev):
            out.append(_finding("X-JUMP", sub, key,
                                f"本年 {_fmt(cur)}，上年 {_fmt(prev)}，变化超过 {JUMP_FACTOR} 倍，请核实。",
                                expected=prev, actual=cur))
    return out


def _jump_value(values: Values, key: tuple[str, str, str]) -> float:
    # a blank 总计 means "not filled in" (T3-ROWSUM): use the row's sum then
    if values.get(key) is None and key[2] == "total":
        return sum(_n(v) for (s, r, c), v in values.items() if s == key[0] and r == key[1] and c != "total")
    return _n(values.get(key))


def late_finding(report_year: int, got: datetime, deadline: date) -> Finding:
    r = rule("P-LATE")
    return Finding(
        rule=r.id, severity=r.severity,
        message=f"{r.name_zh}：{report_year}年度报告首次通过的报送于 {got:%Y-%m-%d %H:%M} 收到，"
                f"晚于截止日期 {deadline:%Y-%m-%d}。",
        expected=deadline.isoformat(), actual=got.isoformat(sep=" "),
    )
