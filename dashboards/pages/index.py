"""首页: links to every view and, per year and unit type, the state of reporting and the data.

The statuses and timeliness are the completeness page's (its labels, colours and order), the findings those of the
files that stand for their unit-year, the figures the overview's (全部: the county's, 不含本级)."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from dashboards import shell, texts
from dashboards.data import Warehouse, indicators, scope
from dashboards.pages.completeness import LATE, STATUSES, timeliness
from transforms.format import SEVERITY_ZH, unit_types


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
    timely = pd.Series([timeliness(o, a, b)[0] for o, a, b in zip(comp["on_time"], comp["first_accepted_at"],
                                                                  comp["backfilled"], strict=True)],
                       dtype=object).value_counts()
    subs = scope(wh.submissions, year, unit_type)
    standing = wh.standing_findings
    fnd = standing[standing["submission_id"].isin(subs["submission_id"])]["severity"].value_counts()
    ind = indicators(wh, year, unit_type)
    with_own = comp["unit_type"].isin(unit_types(own_report=True)).any()
    rows = [(escape(texts.EXPECTED_WITH_OWN if with_own else texts.EXPECTED_UNITS), shell.fmt_int(len(comp)))]
    rows += [(shell.status_html(s), shell.fmt_int(int(counts.get(s, 0)))) for s in STATUSES]
    rows += [(escape(label), shell.fmt_int(int(timely.get(label, 0))))
             for label in (LATE, texts.OVERDUE, texts.NOT_DUE, texts.BACKFILLED)]
    rows += [(escape(f"{texts.FINDINGS}·{name}"), shell.fmt_int(int(fnd.get(code, 0))))
             for code, name in SEVERITY_ZH.items()]
    rows += [(escape(texts.NEW_REQUESTS), shell.fmt_int(None if ind is None else ind.new_requests)),
             # as the overview shows it: —（无办结件）, or the two figures below the minimum of cases, never 100.0% alone
             (escape(texts.DISCLOSURE_RATE), shell.fmt_rate(None if ind is None else ind.granted,
                                                            None if ind is None else ind.concluded, wh.min_cases,
                                                            texts.RATE_NONE["disclosure"])[0])]
    body = "".join(f'<tr><th>{k}</th><td class="num">{escape(v)}</td></tr>' for k, v in rows)
    return f"<table>{body}</table>"
