"""首页: links to every view and, per year and unit type, the state of reporting and the data."""

from __future__ import annotations

from html import escape
from pathlib import Path

from dashboards import shell, texts
from dashboards.data import Warehouse, indicators, scope
from dashboards.pages.completeness import LATE, STATUSES
from transforms.format import SEVERITY_ZH, STATUS_ZH


def build(wh: Warehouse, out_dir: Path) -> str:
    cards = "".join(
        f'<a class="keep-filters" href="{pid}.html"><strong>{escape(name)}</strong><br>{escape(desc)}</a>'
        for pid, (name, desc) in texts.PAGES.items()
        if pid != "index"
    )
    summary = {(y, t): _summary(wh, y, t) for y, t in wh.variants()}
    return (
        f'<div class="cards">{cards}</div>'
        + shell.block(texts.SUMMARY, shell.variants(summary), "summary")
        + f'<p class="help">{escape(texts.FILTER_HELP)}</p>'
    )


def _summary(wh: Warehouse, year: int, unit_type: str) -> str:
    comp = scope(wh.completeness, year, unit_type)
    counts = comp["status"].value_counts()
    # on_time may be NULL or false for a unit that sent nothing: that unit is missing, not late
    late = int(((comp["on_time"] == False) & (comp["status"] != "missing")).sum())  # noqa: E712
    subs = scope(wh.submissions, year, unit_type)
    fnd = wh.findings[wh.findings["submission_id"].isin(subs["submission_id"])]["severity"].value_counts()
    ind = indicators(wh, year, unit_type)
    rows = [(texts.EXPECTED_UNITS, shell.fmt_int(len(comp)))]
    rows += [(STATUS_ZH[s], shell.fmt_int(int(counts.get(s, 0)))) for s in STATUSES]
    rows += [(LATE, shell.fmt_int(late))]
    rows += [(f"{texts.FINDINGS}·{name}", shell.fmt_int(int(fnd.get(code, 0)))) for code, name in SEVERITY_ZH.items()]
    rows += [(texts.NEW_REQUESTS, shell.fmt_int(None if ind is None else ind.new_requests)),
             (texts.DISCLOSURE_RATE, shell.fmt_pct(None if ind is None else ind.disclosure_rate))]
    body = "".join(f'<tr><th>{escape(k)}</th><td class="num">{escape(v)}</td></tr>' for k, v in rows)
    return f"<table>{body}</table>"
