"""报送情况: every expected unit with its status and timeliness, linking to its findings."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from dashboards import charts, shell, texts
from dashboards.data import Warehouse, scope
from transforms.format import OF_UNIT_YEAR, STATUS_ZH, UNIT_TYPE_ZH
from transforms.rules import RULES

STATUSES = OF_UNIT_YEAR
LATE = RULES["P-LATE"].name_zh
TYPE_RANK = {t: i for i, t in enumerate(UNIT_TYPE_ZH)}
# counted (greens), held or sent back (ambers), refused, nothing received
STATUS_COLORS = {"accepted": "#12b76a", "accepted_with_warnings": "#6ce9a6", "needs_review": "#f79009",
                 "returned": "#dc6803", "rejected": "#d92d20", "missing": "#98a2b3"}
COLORS = tuple(STATUS_COLORS[s] for s in STATUSES)


def findings_per_unit_year(wh: Warehouse) -> dict[tuple[str, int], int]:
    merged = wh.findings.merge(wh.submissions[["submission_id", "unit_code", "report_year"]], on="submission_id")
    merged = merged.dropna(subset=["unit_code", "report_year"])
    return {(c, int(y)): int(n) for (c, y), n in merged.groupby(["unit_code", "report_year"]).size().items()}


def build(wh: Warehouse, out_dir: Path) -> str:
    def by_type(year: int, unit_type: str) -> pd.DataFrame:
        df = scope(wh.completeness, year, unit_type)
        out = df.groupby(["status", "unit_type"], as_index=False).size()
        out = out.sort_values("unit_type", key=lambda s: s.map(TYPE_RANK), kind="stable")
        return pd.DataFrame({"series": out["status"].map(lambda s: STATUS_ZH.get(s, s)),
                             "category": out["unit_type"].map(lambda t: UNIT_TYPE_ZH.get(t, t)),
                             "value": out["size"]})

    chart = charts.Chart(id="status", title=texts.CHART_COMPLETENESS, rows=by_type, axis_title=texts.UNITS_AXIS,
                         series_order=[STATUS_ZH[s] for s in STATUSES],
                         colors=dict(zip((STATUS_ZH[s] for s in STATUSES), COLORS, strict=True)))
    return charts.render(chart, "completeness", wh.variants(), out_dir) + shell.block(
        texts.PAGES["completeness"][0], _table(wh), "status-table"
    )


def _table(wh: Warehouse) -> str:
    counts = findings_per_unit_year(wh)
    head = "".join(f"<th>{escape(h)}</th>" for h in (texts.UNIT, texts.UNIT_TYPE, texts.YEAR, texts.STATUS,
                                                        texts.FIRST_RECEIVED, texts.TIMELINESS, texts.FINDINGS))
    df = wh.completeness.assign(_t=wh.completeness["unit_type"].map(TYPE_RANK)).sort_values(
        ["report_year", "_t", "unit_code"], ascending=[False, True, True])
    body = []
    for r in df.itertuples(index=False):
        year = int(r.report_year)
        received = "" if pd.isna(r.first_received_at) else pd.Timestamp(r.first_received_at).strftime("%Y-%m-%d %H:%M")
        # nothing received = no timeliness to speak of (the warehouse may store on_time false for missing units)
        timely = "" if pd.isna(r.on_time) or r.status == "missing" else texts.ON_TIME if bool(r.on_time) else LATE
        n = counts.get((r.unit_code, year), 0)
        link = texts.NONE if not n else (
            f'<a href="quality.html?year={year}&amp;type=all#{shell.findings_anchor(r.unit_code, year)}">'
            f"{escape(texts.FINDINGS_LINK.format(n=n))}</a>"
        )
        body.append(
            f'<tr class="filtered" data-year="{year}" data-type="{escape(str(r.unit_type))}">'
            f"<td>{escape(str(r.unit_name))}</td><td>{escape(UNIT_TYPE_ZH.get(r.unit_type, str(r.unit_type)))}</td>"
            f'<td class="num">{year}</td><td class="status-{escape(str(r.status))}">{escape(STATUS_ZH.get(r.status, str(r.status)))}</td>'
            f'<td>{escape(received)}</td><td class="{"late" if timely == LATE else ""}">{escape(timely)}</td>'
            f"<td>{link}</td></tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
