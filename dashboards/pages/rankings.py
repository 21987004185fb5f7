"""排名: the units of the area ranked, per (year, type) variant, by

- 实质公开率 = (予以公开 + 部分公开) ÷ 办结总数 — higher is better;
- 复议纠错率 = 结果纠正 ÷ 已审结的行政复议 — lower is better: a correction is the reconsideration organ setting the
  unit's answer right, so a high rate means the unit answered wrongly;
- 争议转化率 = (行政复议 + 行政诉讼) ÷ 本年新收申请 — lower is better: fewer requests end in a dispute;
- on-time reporting: the share of the unit's years up to the selected one whose report came by the deadline
  (``completeness.on_time``; a year not yet due, or taken in by a backfill, does not count).

A unit's figures are those of its current counted report (``dashboards.data.unit_figures``: the overview's figures,
one unit's), the rates those of :class:`dashboards.data.Indicators`. A rate over fewer cases than ``wh.min_cases``
(its denominator) is shown with its two figures as such (不足5件，不排名), after the ranked units, never ranked among
them; a unit without any case (denominator 0) has no rate and is only counted in a note. Equal rates share a rank
(1, 2, 2, 4). There is no composite score: the parts have different numbers of cases (most units have no
reconsideration at all) and any weighting of them would be a policy nobody has set.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from dashboards import shell, texts
from dashboards.data import ALL, Warehouse, scope, unit_figures
from dashboards.pages.common import unit_link
from dashboards.pages.completeness import timeliness


@dataclass(frozen=True)
class Rate:
    key: str
    name: str
    help: str
    num: str  # the unit_figures columns it divides
    den: str
    higher_is_better: bool
    note: str


RATES = (
    Rate("disclosure", texts.DISCLOSURE_RATE, texts.DISCLOSURE_RATE_HELP, "granted", "concluded", True,
         texts.RANK_HIGHER),
    Rate("correction", texts.CORRECTION_RATE, texts.CORRECTION_RATE_HELP, "corrected", "reviewed", False,
         texts.CORRECTION_RANK_NOTE),
    Rate("dispute", texts.DISPUTE_RATE, texts.DISPUTE_RATE_HELP, "disputes", "new_requests", False,
         texts.DISPUTE_RANK_NOTE),
)
RATE_COLUMNS = ["unit_code", "unit_name", "unit_type", "report_year", "num", "den", "rate", "ranked", "rank_all",
                "rank_type"]


def _ranks(df: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """rank_all among the year's rows, rank_type among the year's rows of the same type: the highest key first,
    equal keys one rank (1, 2, 2, 4); a NaN key is not ranked (NaN)."""
    years, types = df["report_year"], df["unit_type"].fillna("")
    return df.assign(
        rank_all=key.groupby(years).rank(method="min", ascending=False),
        rank_type=key.groupby([years, types]).rank(method="min", ascending=False),
    )


def rate_table(figures: pd.DataFrame, rate: Rate, min_cases: int) -> pd.DataFrame:
    """Every unit-year of ``figures`` (:func:`dashboards.data.unit_figures`) with a case (denominator > 0): its
    figures, rate, whether it is ranked (at least ``min_cases`` cases) and its ranks (:data:`RATE_COLUMNS`)."""
    df = figures.assign(num=figures[rate.num], den=figures[rate.den])
    df = df[df["den"] > 0]
    df = df.assign(rate=(df["num"] / df["den"]).astype(float))  # den > 0 here: ratio()'s one case left
    df["ranked"] = df["den"] >= min_cases
    key = df["rate"].where(df["ranked"])
    return _ranks(df, key if rate.higher_is_better else -key)[RATE_COLUMNS]


def without_cases(figures: pd.DataFrame, rate: Rate) -> pd.DataFrame:
    """The unit-years of counted reports without a case (denominator 0): no rate."""
    return figures[figures[rate.den] <= 0]


def in_order(table: pd.DataFrame, year: int, unit_type: str) -> pd.DataFrame:
    """One variant's rows as the page lists them, ``rank`` the rank among the variant's units (all types, or
    one): the ranked units by rank (then more cases first, then by code), then the units not ranked (more cases
    first)."""
    part = scope(table, year, unit_type)
    rank = part["rank_all"] if unit_type == ALL else part["rank_type"]
    part = part.assign(rank=rank, _unranked=rank.isna())
    return part.sort_values(["_unranked", "rank", "den", "unit_code"], ascending=[True, True, False, True],
                            kind="stable").drop(columns="_unranked")


ON_TIME_COLUMNS = ["unit_code", "unit_name", "unit_type", "report_year", "on_time", "first_accepted_at",
                   "deadline", "backfilled", "ok", "due", "share", "rank_all", "rank_type"]


def on_time_table(completeness: pd.DataFrame) -> pd.DataFrame:
    """Every expected unit-year with, up to that year, how many of the unit's years were due (``on_time`` known:
    the deadline has passed or a counted report came; a backfilled year is not judged) and how many of them were on
    time; ranked by that share (ranks as :func:`rate_table`'s); no year due: not ranked."""
    df = completeness.sort_values(["unit_code", "report_year"], kind="stable")
    known = df["on_time"].notna()
    df = df.assign(due=known.astype(int).groupby(df["unit_code"]).cumsum(),
                   ok=(known & df["on_time"].fillna(False).astype(bool)).astype(int).groupby(df["unit_code"]).cumsum())
    df["share"] = (df["ok"] / df["due"]).where(df["due"] > 0)
    return _ranks(df, df["share"])[ON_TIME_COLUMNS]


def on_time_in_order(table: pd.DataFrame, year: int, unit_type: str) -> pd.DataFrame:
    """One variant's rows: by rank; within a rank, on time in the selected year first, then the earlier counted
    report; the units with no year due last."""
    part = scope(table, year, unit_type)
    rank = part["rank_all"] if unit_type == ALL else part["rank_type"]
    late = (~part["on_time"].fillna(False).astype(bool)).astype(int)
    part = part.assign(rank=rank, _unranked=rank.isna(), _late=late)
    return part.sort_values(["_unranked", "rank", "_late", "first_accepted_at", "unit_code"],
                            ascending=[True, True, True, True, True], na_position="last",
                            kind="stable").drop(columns=["_unranked", "_late"])


# ---------------------------------------------------------------- the page


STYLE = """<style>
.rankings td, .rankings th { min-width:2.5em; }
.rankings table.ranking { max-width:52rem; }
.rankings table.ranking td:nth-child(2) { overflow-wrap:anywhere; min-width:5em; }  /* a name, not a column of characters */
.rankings table.ranking td:nth-child(1), .rankings table.ranking td:nth-child(3) { text-align:right;
  font-variant-numeric:tabular-nums; white-space:nowrap; }
.rankings table.rates td:nth-child(4) { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.rankings tr.not-ranked td { color:var(--muted); }
.rankings tr.not-ranked td:nth-child(3) { white-space:normal; }
.rankings .when { white-space:nowrap; }
@media (max-width:720px) { .rankings .status { white-space:normal; } }
</style>"""


def build(wh: Warehouse, out_dir: Path) -> str:
    figures = unit_figures(wh)
    names = {**dict(zip(wh.completeness["unit_code"], wh.completeness["unit_name"], strict=True)),
             **dict(zip(figures["unit_code"], figures["unit_name"], strict=True))}
    links = {code: unit_link(wh, code, name) for code, name in names.items()}  # a unit is in up to 24 tables
    blocks = [STYLE, f'<p class="note" id="rankings-note">'
                     f'{escape(texts.RANKINGS_NOTE.format(n=wh.min_cases))}</p>']
    for rate in RATES:
        table = rate_table(figures, rate, wh.min_cases)
        table["_row"] = _rate_rows(rate, table, links, wh.min_cases)
        empty = without_cases(figures, rate)
        items = {(y, t): _table(in_order(table, y, t), _rate_head(rate), "rates",
                                _no_cases(rate, len(scope(empty, y, t)))) for y, t in wh.variants()}
        note = f'<p class="note">{escape(rate.name)} = {escape(rate.help)}。{escape(rate.note)}</p>'
        direction = texts.HIGHER_BETTER if rate.higher_is_better else texts.LOWER_BETTER
        blocks.append(shell.block(f"{rate.name}{texts.RANK}（{direction}）", shell.variants(items) + note,
                                  f"rank-{rate.key}"))
    table = on_time_table(wh.completeness)
    table["_row"] = _on_time_rows(table, links)
    head = (f'<th class="num" data-sort-method="num">{escape(texts.RANK)}</th><th>{escape(texts.UNIT)}</th>'
            f'<th class="num">{escape(texts.YEARS_ON_TIME)}</th><th>{escape(texts.THIS_YEAR_TIMELINESS)}</th>')
    items = {(y, t): _table(on_time_in_order(table, y, t), head, "on-time") for y, t in wh.variants()}
    blocks.append(shell.block(f"{texts.ON_TIME_RANKING}{texts.RANK}", shell.variants(items)
                              + f'<p class="note">{escape(texts.ON_TIME_NOTE)}</p>', "rank-on-time"))
    return f'<div class="rankings">{"".join(blocks)}</div>'


def _no_cases(rate: Rate, k: int) -> str:
    if not k:
        return ""
    return f'<p class="note">{escape(texts.NO_CASES.format(k=k, what=texts.RATE_CASES[rate.key]))}</p>'


def _rate_head(rate: Rate) -> str:
    return (f'<th class="num" data-sort-method="num">{escape(texts.RANK)}</th><th>{escape(texts.UNIT)}</th>'
            f'<th class="num" data-sort-method="num">{escape(rate.name)}</th>'
            f'<th class="num" data-sort-method="num">{escape(texts.RANK_FIGURES)}</th>')


def _table(rows: pd.DataFrame, head: str, kind: str, tail: str = "") -> str:
    """One variant's table: each row its rank in the variant, then its cells (the same in every variant)."""
    if rows.empty:
        return f'<p class="note">{escape(texts.NO_RANKING)}</p>{tail}'
    body = "".join(
        f"<tr><td>{int(rank)}</td>{row}</tr>" if rank == rank else
        f'<tr class="not-ranked"><td>{texts.DASH}</td>{row}</tr>'
        for rank, row in zip(rows["rank"], rows["_row"], strict=True))
    return (f'<table class="ranking {kind}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{tail}')


def _raw(v) -> str:
    return "" if v is None or v != v else f"{float(v):.6g}"


def _rate_rows(rate: Rate, table: pd.DataFrame, links: dict, min_cases: int) -> list[str]:
    """Each unit-year's cells after its rank: its name (a link to its page), its rate (raw in data-sort) — or, over
    fewer than ``min_cases`` cases, 不足5件，不排名 — and its two figures (sorted by the denominator)."""
    too_few = escape(texts.TOO_FEW.format(n=min_cases))
    return [
        f"<td>{links.get(code) or escape(str(code))}</td>"
        + (f'<td data-sort="{_raw(value)}">{shell.fmt_pct(value)}</td>' if ranked else f'<td data-sort="">{too_few}</td>')
        + f'<td data-sort="{_raw(den)}">{shell.fmt_int(num)} ÷ {shell.fmt_int(den)}</td>'
        for code, num, den, value, ranked in zip(table["unit_code"], table["num"], table["den"], table["rate"],
                                                 table["ranked"], strict=True)]


def _on_time_rows(table: pd.DataFrame, links: dict) -> list[str]:
    """Each unit-year's cells after its rank: its name, its years on time of the years due, and the year's
    timeliness with the day its counted report came (and how late)."""
    out = []
    for code, on_time, accepted, deadline, backfilled, ok, due in zip(
            table["unit_code"], table["on_time"], table["first_accepted_at"], table["deadline"], table["backfilled"],
            table["ok"], table["due"], strict=True):
        label, css = timeliness(on_time, accepted, backfilled)
        when = ""
        if not pd.isna(accepted):
            when = f"{pd.Timestamp(accepted):%Y-%m-%d}"
            late = (pd.Timestamp(accepted).normalize() - pd.Timestamp(deadline)).days if not pd.isna(deadline) else 0
            if late > 0:
                when += f"（{texts.DAYS_LATE.format(days=late)}）"
        years = texts.YEARS_ON_TIME_VALUE.format(ok=int(ok), due=int(due)) if due else texts.DASH
        out.append(f"<td>{links.get(code) or escape(str(code))}</td>"
                   f'<td data-sort="{_raw(ok / due if due else None)}">{escape(years)}</td><td><span class="{css}">{escape(label)}</span> '
                   f'<span class="when">{escape(when)}</span></td>')
    return out
