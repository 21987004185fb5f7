"""Turning one failing frame row of one expectation into a Finding a township clerk can act on.

Each ``check`` named in an expectation's meta (see ``expectations.suites``) has one function here. It gets the
submission, the expectation's meta and the frame row (a dict), and says in plain Chinese which table, row and column,
what the numbers are, what they should be, and where the cell is. All labels come from the format objects.
"""

from __future__ import annotations

from collections.abc import Callable

from transforms.model import Finding, Submission
from transforms.report_format import FORMATS, UNIT_TYPE_ZH, Section
from transforms.rules import RULES


def num(v) -> str:
    """12 → '12'; 12.0 → '12'; 190.457379 → '190.457379' (never scientific notation, never '12.0')."""
    if v is None:
        return "空白"
    f = float(v)
    if f == int(f):
        return str(int(f))
    return f"{f:.6f}".rstrip("0").rstrip(".")


def plain(v):
    """A number for Finding.expected/actual: int when integral (JSON shows 12, not 12.0)."""
    if v is None:
        return None
    f = float(v)
    return int(f) if f == int(f) else round(f, 6)


def _at(source: str | None) -> str:
    return f"（{source}）" if source else ""


def _col(section: Section, code: str) -> str:
    return f"“{section.column_by_code[code].label.text}”"


def _row(section: Section, code: str) -> str:
    return f"“{section.row_by_code[code].title}”"


def _source(sub: Submission, section: str, row: str, column: str) -> str | None:
    cell = sub.cells.get((section, row, column))
    return cell.source if cell else None


def _finding(meta: dict, sub: Submission, section: str, row: str | None, column: str | None, message: str,
             expected=None, actual=None) -> Finding:
    return Finding(
        rule=meta["rule"], severity=meta["severity"], message=message, section=section, row=row, column=column,
        cell=_source(sub, section, row, column) if row and column else None,
        expected=plain(expected) if not isinstance(expected, str) else expected,
        actual=plain(actual) if not isinstance(actual, str) else actual,
    )


def cross_foot(sub: Submission, meta: dict, rec: dict) -> Finding:
    """T3-ROWSUM / T4-TOTAL: a total that is a number and disagrees with its row."""
    section = FORMATS[sub.format_version].section(meta["section"])
    row, parts = rec["row"], meta["parts"]
    total, expected = rec["total_raw"], rec["parts_sum"]
    terms = " + ".join(f"{section.column_by_code[c].label.text} {num(rec[c])}" for c in parts)
    source = _source(sub, section.code, row, "total")
    text = (
        f"{section.describe(row)}：{terms} = {num(expected)}，但{_col(section, 'total')}填的是 {num(total)}，"
        f"相差 {num(abs(expected - total))}。请核对这一行各栏的数字和{_col(section, 'total')}{_at(source)}。"
    )
    return _finding(meta, sub, section.code, row, "total", text, expected, total)


def blank_total(sub: Submission, meta: dict, rec: dict) -> Finding:
    """T3-ROWSUM / T4-TOTAL warning: total left blank in a row with numbers; taken as the row sum."""
    section = FORMATS[sub.format_version].section(meta["section"])
    row = rec["row"]
    source = _source(sub, section.code, row, "total")
    text = (
        f"{section.describe(row, 'total')} 是空白，但这一行各栏之和是 {num(rec['parts_sum'])}。"
        f"已按 {num(rec['parts_sum'])} 计算；请在该单元格填上总计{_at(source)}。"
    )
    return _finding(meta, sub, section.code, row, "total", text, rec["parts_sum"], None)


def balance(sub: Submission, meta: dict, rec: dict) -> Finding:
    """T3-BALANCE: 第一项加第二项之和 ≠ 第三项加第四项之和 in one applicant column."""
    section = FORMATS[sub.format_version].section("requests")
    column = rec["column"]
    left = sum(rec[r] for r in meta["left"])
    right = sum(rec[r] for r in meta["right"])
    first = meta["left"][0]
    source = _source(sub, "requests", first, column)
    note = section.corner_note.text if section.corner_note else ""
    text = (
        f"{section.short} {_col(section, column)}列："
        + " + ".join(f"{_row(section, r)} {num(rec[r])}" for r in meta["left"])
        + f" = {num(left)}，但"
        + " + ".join(f"{_row(section, r)} {num(rec[r])}" for r in meta["right"])
        + f" = {num(right)}，相差 {num(abs(left - right))}。表中注明{note}。"
        f"请核对这一列的数字{_at(source)}。"
    )
    return _finding(meta, sub, "requests", first, column, text, right, left)


def outcomes(sub: Submission, meta: dict, rec: dict) -> Finding:
    """T3-OUTCOMES: （七）总计 ≠ the sum of the leaf outcome rows in one applicant column."""
    section = FORMATS[sub.format_version].section("requests")
    column, leaves = rec["column"], meta["leaves"]
    expected = sum(rec[r] for r in leaves)
    actual = rec["concluded_total"]
    source = _source(sub, "requests", "concluded_total", column)
    text = (
        f"{section.describe('concluded_total', column)}：各项办理结果（{_row(section, leaves[0])}至"
        f"{_row(section, 'other_total')}）之和是 {num(expected)}，但总计填的是 {num(actual)}，相差 {num(abs(expected - actual))}。"
        f"每件申请只计入一种办理结果，请核对{_at(source)}。"
    )
    return _finding(meta, sub, "requests", "concluded_total", column, text, expected, actual)


def rules_zero(sub: Submission, meta: dict, rec: dict) -> Finding:
    """T2-RULES: a township (etc.) reporting 规章."""
    section = FORMATS[sub.format_version].section("proactive")
    row, column = meta["row"], meta["column"]
    value = rec[f"{row}__{column}"]
    who = UNIT_TYPE_ZH.get(rec["unit_type"], rec["unit_type"])
    source = _source(sub, "proactive", row, column)
    text = (
        f"{section.describe(row, column)} 填了 {num(value)}，但{who}不能制定规章"
        f"（{RULES['T2-RULES'].basis}）。单位内部的规章制度不算规章，这里应填 0{_at(source)}。"
    )
    return _finding(meta, sub, "proactive", row, column, text, 0, value)


def _fee_cell(sub: Submission, meta: dict, rec: dict):
    """What both T2-FEES messages name: the fees cell, its value, its unit (万元) and its source cell."""
    section = FORMATS[sub.format_version].section("proactive")
    row, column = meta["row"], meta["column"]
    return (section, row, column, rec[f"{row}__{column}"], section.measure(row, column).unit,
            _source(sub, "proactive", row, column))


def fees_max(sub: Submission, meta: dict, rec: dict) -> Finding:
    """T2-FEES: a 万元 amount too large for the unit: probably typed in 元."""
    section, row, column, value, unit, source = _fee_cell(sub, meta, rec)
    who = UNIT_TYPE_ZH.get(rec["unit_type"], rec["unit_type"])
    text = (
        f"{section.describe(row, column)} 填了 {num(value)}（单位：{unit}），即 {num(value / 10000)} 亿元，"
        f"对{who}来说过大，可能是按“元”填的。若是元，应填 {num(value / 10000)}（{unit}）。请核对{_at(source)}。"
    )
    return _finding(meta, sub, "proactive", row, column, text, round(value / 10000, 6), value)


def fees_yuan(sub: Submission, meta: dict, rec: dict) -> Finding:
    """T2-FEES: the cell was typed with 元 while the column is in 万元."""
    section, row, column, value, unit, source = _fee_cell(sub, meta, rec)
    raw = rec[f"{row}__{column}__raw"]
    text = (
        f"{section.describe(row, column)} 写的是“{raw}”，单位是元，而本栏以{unit}为单位："
        f"{num(value)} 元 = {num(value / 10000)} {unit}。请改填{unit}数（只填数字）{_at(source)}。"
    )
    return _finding(meta, sub, "proactive", row, column, text, round(value / 10000, 6), value)


def shift(sub: Submission, meta: dict, recs: list[dict]) -> Finding:
    """T3-SHIFT: non-zero numbers in a column a township almost never uses; one finding per submission × column."""
    section = FORMATS[sub.format_version].section("requests")
    column = meta["column"]
    who = UNIT_TYPE_ZH.get(recs[0]["unit_type"], recs[0]["unit_type"])
    first = recs[0]["row"]
    source = _source(sub, "requests", first, column)
    shown = "、".join(f"{_row(section, r['row'])} {num(r[column])}" for r in recs[:3])
    more = f"等 {len(recs)} 行" if len(recs) > 3 else ""
    label = section.column_by_code[column].label.text
    text = (
        f"{section.short} {_col(section, column)}列有非零数：{shown}{more}。{who}很少收到{label}的申请，"
        f"可能是数字错位到了相邻的列。请核对各列是否对齐{_at(source)}。"
    )
    return _finding(meta, sub, "requests", first, column, text, 0, recs[0][column])


# checks whose failures are reported one per frame row; SHIFT groups its rows per submission × column
PER_ROW: dict[str, Callable[[Submission, dict, dict], Finding]] = {
    "cross_foot": cross_foot,
    "blank_total": blank_total,
    "balance": balance,
    "outcomes": outcomes,
    "rules_zero": rules_zero,
    "fees_max": fees_max,
    "fees_yuan": fees_yuan,
}
GROUPED: dict[str, Callable[[Submission, dict, list[dict]], Finding]] = {"shift": shift}
# When two checks of one rule flag the same cell, the clerk gets the more specific one ("typed 元" says more than
# "too large").
PRIORITY = ("fees_yuan", "fees_max")
