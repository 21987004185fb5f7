"""报送情况: every expected unit with its status and timeliness, linking to its findings.

Statuses are the unit-year's own states (OF_UNIT_YEAR order, shell.STATUS_COLORS): 待核实 and 退回 are neither 通过
nor 未通过. Timeliness follows ``completeness.on_time``: NULL is 未到期 (the deadline has not passed and no report
counts yet: neither late nor on time); false is late — 逾期报送 when a counted report came after the deadline, 逾期未报
when none has come.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from dashboards import charts, shell, texts
from dashboards.data import Warehouse, scope
from dashboards.pages.common import unit_link
from transforms.format import OF_UNIT_YEAR, STATUS_ZH, UNIT_TYPE_ZH
from transforms.rules import RULES

STATUSES = OF_UNIT_YEAR
LATE = RULES["P-LATE"].name_zh
TYPE_RANK = {t: i for i, t in enumerate(UNIT_TYPE_ZH)}
STATUS_COLORS = {s: shell.STATUS_COLORS[s] for s in STATUSES}  # the one palette of shell, in status order
COLORS = tuple(STATUS_COLORS.values())


def timeliness(on_time, first_accepted_at, backfilled=False) -> tuple[str, str]:
    """(label, CSS class) of a unit-year's timeliness: on_time NULL → 未到期, or 往年补录 for a year taken in by a
    backfill run (its receipt says nothing about when the unit reported); true → 按时; false → 逾期报送 (a counted
    report came after the deadline) or 逾期未报 (the deadline passed and none has come)."""
    if on_time is None or pd.isna(on_time):
        if backfilled is not None and not pd.isna(backfilled) and bool(backfilled):
            return texts.BACKFILLED, "backfilled"
        return texts.NOT_DUE, "pending"
    if bool(on_time):
        return texts.ON_TIME, ""
    return (LATE, "late") if not pd.isna(first_accepted_at) else (texts.OVERDUE, "overdue")


def findings_per_unit_year(wh: Warehouse) -> dict[tuple[str, int], int]:
    """Findings of the file that stands for each unit-year (a superseded file's do not count)."""
    merged = wh.standing_findings.merge(wh.submissions[["submission_id", "unit_code", "report_year"]],
                                        on="submission_id")
    merged = merged.dropna(subset=["unit_code", "report_year"])
    return {(c, int(y)): int(n) for (c, y), n in merged.groupby(["unit_code", "report_year"]).size().items()}


def deadline_rule(wh: Warehouse) -> str:
    """截止日期：报告年度次年 1月31日；县政府本级 3月31日。统计截至 … — from the warehouse's meta (the settings of the
    run that loaded it)."""
    return texts.DEADLINE_RULE.format(units=_month_day(wh.meta.get("deadline")),
                                      county=_month_day(wh.meta.get("county_deadline")),
                                      as_of=wh.meta.get("as_of") or texts.DASH)


def _month_day(value: str | None) -> str:
    try:
        month, day = (int(p) for p in str(value).split("-"))
    except ValueError:
        return texts.DASH
    return texts.MONTH_DAY.format(month=month, day=day)


def build(wh: Warehouse, out_dir: Path) -> str:
    def by_type(year: int, unit_type: str) -> pd.DataFrame:
        df = scope(wh.completeness, year, unit_type)
        out = df.groupby(["status", "unit_type"], as_index=False).size()
        out = out.sort_values("unit_type", key=lambda s: s.map(TYPE_RANK), kind="stable")
        return pd.DataFrame({"series": out["status"].map(lambda s: STATUS_ZH.get(s, s)),
                             "category": out["unit_type"].map(lambda t: UNIT_TYPE_ZH.get(t, t)),
                             "value": out["size"]})

    chart = charts.Chart(id="status", title=texts.CHART_COMPLETENESS, rows=by_type, axis_title=texts.UNITS_AXIS,
                         unit=texts.UNITS_UNIT, category_title=texts.UNIT_TYPE,
                         series_order=[STATUS_ZH[s] for s in STATUSES],
                         colors={STATUS_ZH[s]: c for s, c in STATUS_COLORS.items()})
    rule = (f'<p class="note" id="deadline-rule">{escape(deadline_rule(wh))}</p>'
            f'<p class="note">{escape(texts.TIMELINESS_HELP)}</p>')
    return charts.render(chart, "completeness", wh.variants(), out_dir) + shell.block(
        texts.PAGES["completeness"][0], rule + _table(wh), "status-table"
    )


def _table(wh: Warehouse) -> str:
    counts = findings_per_unit_year(wh)
    # numeric columns sort by their raw figures (data-sort), the status by its place in OF_UNIT_YEAR
    head = "".join(f"<th{a}>{escape(h)}</th>" for h, a in (
        (texts.UNIT, ""), (texts.UNIT_TYPE, ""), (texts.YEAR, ' class="num" data-sort-method="num"'), (texts.STATUS, ""),
        (texts.FIRST_RECEIVED, ""), (texts.TIMELINESS, ""), (texts.FINDINGS, ' class="num" data-sort-method="num"')))
    status_rank = {s: i for i, s in enumerate(STATUSES)}
    df = wh.completeness.assign(_t=wh.completeness["unit_type"].map(TYPE_RANK)).sort_values(
        ["report_year", "_t", "unit_code"], ascending=[False, True, True])
    body = []
    for r in df.itertuples(index=False):
        year = int(r.report_year)
        received = "" if pd.isna(r.first_received_at) else pd.Timestamp(r.first_received_at).strftime("%Y-%m-%d %H:%M")
        timely, css = timeliness(r.on_time, r.first_accepted_at, r.backfilled)
        n = counts.get((r.unit_code, year), 0)
        link = texts.NONE if not n else (
            f'<a href="quality.html?year={year}&amp;type=all#{shell.findings_anchor(r.unit_code, year)}">'
            f"{escape(texts.FINDINGS_LINK.format(n=n))}</a>"
        )
        body.append(
            f'<tr class="filtered" data-year="{year}" data-type="{escape(str(r.unit_type))}" '
            f'data-status="{escape(str(r.status))}">'
            f'<td class="name">{unit_link(wh, r.unit_code, r.unit_name)}</td>'
            f'<td class="nowrap">{escape(UNIT_TYPE_ZH.get(r.unit_type, str(r.unit_type)))}</td>'
            f'<td class="num">{year}</td><td data-sort="{status_rank.get(r.status, len(status_rank))}">'
            f"{shell.status_html(r.status)}</td>"
            f'<td class="nowrap">{escape(received)}</td><td class="{css} nowrap">{escape(timely)}</td>'
            f'<td class="num" data-sort="{n}">{link}</td></tr>'
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
