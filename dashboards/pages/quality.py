"""数据质量: findings by rule and by unit (charts), findings opened and resolved over runs, 正文核查 (the narrative
findings — N-TEXT, N-PROBLEMS, N-COPY — by unit, and each N-COPY pair's two texts side by side, the copied passages
marked), then every finding, grouped per unit and year (anchors).

Only the findings of the file that stands for its unit-year count: the unit-year's newest file, arg_max by
(received_at, submission_id) (``Warehouse.standing_findings``); an older file of the same unit and year is superseded
and its findings no longer count, here or on the completeness and index pages. A file of no known unit or year
stands alone.

Opened and resolved, per run (run_summary's order): a finding is keyed (unit, year, rule, section, row, column); in a
run that brings a unit-year a newer file, the keys of that newest file its previous newest file lacked (or all, when
there was none) are opened, and the keys the previous file had and the newest lacks are resolved. Summed over every
run, opened − resolved is the number of keys the standing files hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import groupby
from pathlib import Path

import pandas as pd

from dashboards import charts, shell, texts
from dashboards.data import Warehouse, scope
from dashboards.pages.common import unit_href, unit_link
from dashboards.shell import SEVERITY_COLORS
from transforms.format import FORMATS, NARRATIVE, SEVERITY_ZH, UNIT_TYPE_ZH
from transforms.rules import NARRATIVE_RULES, RULES
from transforms.rules.narrative import part_name

TOP_N = 40
KEY = ("rule", "section", "row_code", "column_code")  # a finding, within a unit-year
NARRATIVE_RULE_IDS = tuple(r.id for r in NARRATIVE_RULES)  # N-TEXT, N-PROBLEMS, N-COPY: the 正文核查 block
NARRATIVE_PARTS = frozenset(p.code for p in NARRATIVE)  # a finding's section that is a part of the text


def _findings(wh: Warehouse) -> pd.DataFrame:
    subs = wh.submissions[["submission_id", "unit_code", "unit_name", "unit_type", "report_year", "format_version",
                           "source_file", "status", "is_current", "received_at"]]
    df = wh.standing_findings.merge(subs, on="submission_id", how="left")
    df["unit_label"] = df["unit_name"].where(df["unit_name"].notna(), texts.UNKNOWN_UNIT)
    return df


def _rule_label(rule: str) -> str:
    r = RULES.get(rule)
    return f"{rule} {r.name_zh}" if r else str(rule)


def _s(v) -> str:
    """Text of a possibly missing value (None / NaN from DuckDB NULLs) for a table cell."""
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def _location(r: dict) -> str:
    """Where a finding is: a table cell as the format describes it, or a part of the text (第五部分“…”)."""
    if r.get("section") in NARRATIVE_PARTS:
        return part_name(r["section"])
    try:
        return FORMATS[str(r["format_version"])].section(r["section"]).describe(r["row_code"], r["column_code"] or None)
    except (KeyError, TypeError):
        return " ".join(str(r[k]) for k in ("section", "row_code", "column_code") if isinstance(r[k], str))


def opened_resolved(wh: Warehouse) -> pd.DataFrame:
    """One row per (run, unit-year) whose newest file the run changed: run_id, report_year, unit_type, opened,
    resolved (numbers of finding keys), in run order."""
    cols = ["run_id", "report_year", "unit_type", "opened", "resolved"]
    subs = wh.submissions
    if subs.empty:
        return pd.DataFrame(columns=cols)
    rank = {run: i for i, run in enumerate(wh.runs)}
    keys: dict = {}
    for sid, *key in wh.findings[["submission_id", *KEY]].fillna("").itertuples(index=False):
        keys.setdefault(sid, set()).add(tuple(key))
    files = []  # (unit-year, run rank, (received_at, submission_id), run_id, year, type): plain tuples, one pass
    for sid, unit, year, unit_type, received, run in zip(
            subs["submission_id"], subs["unit_code"], subs["report_year"], subs["unit_type"], subs["received_at"],
            subs["run_id"], strict=True):
        known = not pd.isna(unit) and not pd.isna(year)
        # a unit-year; a file of no known unit or year stands alone
        files.append(((unit, int(year)) if known else ("", sid), rank.get(run, len(rank)), (received, sid), run,
                      year, unit_type))
    files.sort(key=lambda f: (str(f[0][0]), f[0][1], f[1], f[2]))
    out = []
    for _, unit_year in groupby(files, key=lambda f: f[0]):
        newest = None  # (received_at, submission_id) of the unit-year's newest file so far
        for run_rank, in_run in groupby(unit_year, key=lambda f: f[1]):
            in_run = list(in_run)
            best = max(f[2] for f in in_run)
            if newest is not None and best <= newest:
                continue  # the run brought only older files: the newest is unchanged
            before = keys.get(newest[1], set()) if newest else set()
            after = keys.get(best[1], set())
            newest = best
            _, _, _, run, year, unit_type = in_run[0]
            out.append((run, year, unit_type, len(after - before), len(before - after), run_rank))
    df = pd.DataFrame(out, columns=[*cols, "_run"]).sort_values("_run", kind="stable")
    return df[cols].reset_index(drop=True)


def build(wh: Warehouse, out_dir: Path) -> str:
    df = _findings(wh)
    changes = opened_resolved(wh)
    run_order = {run: i for i, run in enumerate(wh.runs)}

    def over_runs(year: int, unit_type: str) -> pd.DataFrame:
        d = scope(changes, year, unit_type)
        if d.empty:
            return pd.DataFrame(columns=["series", "category", "value"])
        sums = d.groupby("run_id", sort=False)[["opened", "resolved"]].sum()
        sums = sums.sort_index(key=lambda i: i.map(lambda r: run_order.get(r, len(run_order))))
        return pd.DataFrame(
            [(name, run, int(v)) for run, r in sums.iterrows()
             for name, v in ((texts.OPENED, r["opened"]), (texts.RESOLVED, r["resolved"]))],
            columns=["series", "category", "value"])

    def by_rule(year: int, unit_type: str) -> pd.DataFrame:
        d = scope(df, year, unit_type)
        out = d.groupby(["severity", "rule"], as_index=False).size()
        return pd.DataFrame({"series": out["severity"].map(lambda s: SEVERITY_ZH.get(s, s)),
                             "category": out["rule"].map(_rule_label), "value": out["size"]})

    def by_unit(year: int, unit_type: str) -> pd.DataFrame:
        d = scope(df, year, unit_type)
        out = d.groupby(["severity", "unit_label"], as_index=False).size()
        out = pd.DataFrame({"series": out["severity"].map(lambda s: SEVERITY_ZH.get(s, s)),
                            "category": out["unit_label"], "value": out["size"]})
        order = out.groupby("category")["value"].sum().sort_values(ascending=False, kind="stable")
        return out.set_index("category").loc[order.index].reset_index()[["series", "category", "value"]]

    severities = list(SEVERITY_ZH.values())
    colors = shell.severity_colors()  # errors red, warnings amber, notices blue: as in the list below
    count = {"axis_title": texts.FINDINGS_AXIS, "unit": texts.FINDINGS_UNIT}
    known = df.dropna(subset=["unit_code"]).drop_duplicates("unit_label")
    links = {str(label): unit_href(wh, code) for label, code in zip(known["unit_label"], known["unit_code"], strict=True)}
    return (
        f'<p class="note" id="standing-note">{escape(texts.STANDING_NOTE)}</p>'
        + charts.render(charts.Chart(id="by-rule", title=texts.CHART_FINDINGS_BY_RULE, rows=by_rule,
                                     series_order=severities, colors=colors, category_title=texts.RULE, **count),
                        "quality", wh.variants(), out_dir)
        + charts.render(charts.Chart(id="by-unit", title=texts.CHART_FINDINGS_BY_UNIT, rows=by_unit, orientation="h",
                                     series_order=severities, colors=colors, top_n=TOP_N, category_title=texts.UNIT,
                                     links=links, **count),
                        "quality", wh.variants(), out_dir)
        # opened and resolved are one measure (finding keys) compared run by run: one axis
        + charts.render(charts.Chart(id="over-runs", title=texts.CHART_FINDINGS_OVER_RUNS, rows=over_runs,
                                     barmode="group", series_order=[texts.OPENED, texts.RESOLVED],
                                     colors={texts.OPENED: SEVERITY_COLORS["error"], texts.RESOLVED: "#12b76a"},
                                     note=texts.OVER_RUNS_NOTE, facet="none", category_title=texts.RUNS_AXIS, **count),
                        "quality", wh.variants(), out_dir)
        + _narrative(df, wh)
        + _sections(df, wh)
    )


SEVERITY_RANK = {code: i for i, code in enumerate(SEVERITY_ZH)}  # error, warning, notice: the real problems first
CELLS_SHOWN = 3  # a row's cells listed in the line; more are folded


def _sections(df: pd.DataFrame, wh: Warehouse) -> str:
    """Every finding of the files that stand, one folded group per unit-year (anchor ``f-<unit>-<year>``, opened by a
    link to it) — the years newest first, in each the unit-years with errors first, then warnings, then notices —
    and in a group one row per (severity, rule, table row): its cells listed compactly, a long list folded, so a
    report with 200 blank cells is one line, not 200 (nor one paragraph of 200 cells)."""
    type_rank = {t: i for i, t in enumerate(UNIT_TYPE_ZH)}
    # plain records and one pass: per-group pandas indexing costs seconds for a thousand units
    records = [{k: (None if _missing(v) else v) for k, v in r.items()} for r in df.to_dict("records")]
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault((r["unit_code"], r["report_year"]), []).append(r)

    def order(item):
        (unit_code, year), rows = item
        worst = min(SEVERITY_RANK.get(r["severity"], len(SEVERITY_RANK)) for r in rows)
        return (-(year or 0), year is None, worst, type_rank.get(rows[0]["unit_type"], len(type_rank)), _s(unit_code))

    head = "".join(f"<th{a}>{escape(h)}</th>" for h, a in (
        (texts.SEVERITY, ' data-sort-method="num"'), (texts.RULE, ""), (texts.LOCATION, ""), (texts.CELL, ""),
        (texts.MESSAGE, "")))
    out = []
    for (unit_code, year), group in sorted(groups.items(), key=order):
        first = group[0]
        year = None if year is None else int(year)
        # a file of an unknown unit has no type: data-type="" shows it under 全部 only, as in the charts
        attrs = ("" if year is None else f' data-year="{year}"') + f' data-type="{escape(first["unit_type"] or "")}"'
        kind = UNIT_TYPE_ZH.get(first["unit_type"], first["unit_type"] or "")
        title = f"　{kind}　{'' if year is None else year}"
        per = {}
        for r in group:
            per[r["severity"]] = per.get(r["severity"], 0) + 1
        counts = texts.FINDINGS_COUNTS.format(n=len(group), parts=" · ".join(
            f"{SEVERITY_ZH.get(code, code)}{n}" for code, n in sorted(per.items(), key=lambda i: SEVERITY_RANK.get(
                i[0], len(SEVERITY_RANK)))))
        current = f"（{texts.CURRENT}）" if first["is_current"] else ""
        files = list(dict.fromkeys(_s(r["source_file"]) for r in group))
        file_line = f'<div class="file-line">{escape(texts.FILE_LINE.format(file="、".join(files)))}{escape(current)}</div>'
        rows = "".join(_group_row(rows) for _, rows in sorted(_by_row(group).items(), key=lambda i: i[0]))
        out.append(
            f'<section class="block filtered finding-group" id="{shell.findings_anchor(unit_code, "" if year is None else year)}"{attrs}>'
            f"<details><summary><h2>{unit_link(wh, unit_code, first['unit_label'])}{escape(title)}"
            f'<span class="counts">{escape(counts)}</span></h2> {shell.status_html(first["status"])}</summary>{file_line}'
            f'<table class="no-search"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></details></section>'
        )
    if not out:
        return ""
    toggle = (f'<button type="button" class="toggle-all" data-open="{escape(texts.FINDINGS_OPEN_ALL)}" '
              f'data-close="{escape(texts.FINDINGS_CLOSE_ALL)}">{escape(texts.FINDINGS_OPEN_ALL)}</button>')
    return (f'<h2 id="findings-list">{escape(texts.FINDINGS_LIST)}</h2><p class="note">{escape(texts.FINDINGS_LIST_NOTE)}'
            f' {toggle}</p><div class="search-list" data-items="section.finding-group" '
            f'data-label="{escape(texts.FINDINGS_SEARCH)}"></div>{"".join(out)}')


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def _by_row(group: list[dict]) -> dict[tuple, list[dict]]:
    """The findings of a unit-year by (severity, rule, section, row): one line each, the severest first."""
    rows: dict[tuple, list[dict]] = {}
    for r in group:
        key = (SEVERITY_RANK.get(r["severity"], len(SEVERITY_RANK)), _s(r["rule"]), _s(r["section"]), _s(r["row_code"]))
        rows.setdefault(key, []).append(r)
    return rows


def _column(r: dict) -> str:
    """A finding's column as the format names it (自然人, 本年制发件数), or its cell's address alone."""
    try:
        if r["column_code"] and r["section"] not in NARRATIVE_PARTS:
            return FORMATS[str(r["format_version"])].section(r["section"]).measure(r["row_code"], r["column_code"]).label.text
    except (KeyError, TypeError, AttributeError):
        pass
    return ""


def _cell(r: dict, with_message: bool) -> str:
    """One cell of a row's findings: 自然人 Sheet1!B20：应为 59，实际 61 (and its message where it differs)."""
    where = " ".join(p for p in (_column(r), _s(r["cell"])) if p)
    values = ""
    if r["expected"] is not None or r["actual"] is not None:
        values = texts.CELL_VALUES.format(expected=shell.fmt_num(r["expected"]), actual=shell.fmt_num(r["actual"]))
    text = "：".join(p for p in (where, values) if p)
    if with_message and r["message"]:
        text = f"{text} — {_s(r['message'])}" if text else _s(r["message"])
    return escape(text)


def _group_row(rows: list[dict]) -> str:
    first = rows[0]
    severity = _s(first["severity"])
    if first["section"] in NARRATIVE_PARTS or not first["row_code"]:
        where = _location(first)
    else:
        where = _location({**first, "column_code": None})
    messages = {_s(r["message"]) for r in rows}
    if len(rows) == 1:
        cells = _cell(first, False)
    else:
        items = "".join(f"<li>{_cell(r, len(messages) > 1)}</li>" for r in rows)
        names = "、".join(dict.fromkeys(p for r in rows[:CELLS_SHOWN] if (p := _column(r) or _s(r["cell"]))))
        if len(rows) <= CELLS_SHOWN:
            cells = f'<ul class="cells">{items}</ul>'
        else:
            summary = texts.CELLS_MORE.format(n=len(rows), first=names)
            cells = f'<details class="more"><summary>{escape(summary)}</summary><ul class="cells">{items}</ul></details>'
    return (
        f'<tr><td class="nowrap" data-sort="{SEVERITY_RANK.get(severity, len(SEVERITY_RANK))}">'
        f'<span class="severity severity-{escape(severity)}">{escape(SEVERITY_ZH.get(severity, severity))}</span></td>'
        f'<td class="rule">{escape(_rule_label(first["rule"]))}</td><td class="loc">{escape(where)}</td>'
        f'<td class="cells-col">{cells}</td><td class="text">{escape(_s(first["message"]))}</td></tr>'
    )


# ---------------------------------------------------------------- 正文核查: the narrative findings, N-COPY's pairs


@dataclass(frozen=True)
class _Report:
    """One side of an N-COPY pair."""

    submission_id: int
    unit_code: str | None
    unit_name: str
    unit_type: str
    names: tuple[str, ...]  # the unit's name and aliases, as N-COPY removed them before comparing
    year: int | None
    file: str
    text: str


@dataclass(frozen=True)
class _Pair:
    anchor: str
    section: str
    similarity: float
    left: _Report
    right: _Report

    @property
    def year(self) -> int | None:  # the later report's: a copy of the unit's own previous report is this year's
        years = [y for y in (self.left.year, self.right.year) if y is not None]
        return max(years) if years else None

    @property
    def types(self) -> list[str]:
        return sorted({t for t in (self.left.unit_type, self.right.unit_type) if t})


def _names(name, aliases) -> tuple[str, ...]:
    return tuple(n for n in (_s(name), *_s(aliases).split("|")) if n)


def copy_pairs(wh: Warehouse) -> tuple[list[_Pair], dict[tuple[int, str], str]]:
    """N-COPY's pairs of the standing findings, each once (a pair found on both reports is A|B and B|A in
    ``narrative_copies``), the earlier report on the left; and the pair's anchor of each (submission, part)."""
    type_rank = {t: i for i, t in enumerate(UNIT_TYPE_ZH)}
    pairs: dict[tuple[frozenset, str], _Pair] = {}
    anchor_of: dict[tuple[int, str], str] = {}
    for r in wh.standing_copies.to_dict("records"):
        r = {k: (None if _missing(v) else v) for k, v in r.items()}
        sides = [
            _Report(int(r["submission_id"]), r["unit_code"], _s(r["unit_name"]) or texts.UNKNOWN_UNIT,
                    _s(r["unit_type"]), _names(r["unit_name"], r["aliases"]),
                    None if r["report_year"] is None else int(r["report_year"]), _s(r["source_file"]), _s(r["text"])),
            _Report(int(r["other_submission_id"]), r["other_unit_code"],
                    _s(r["other_unit_name"]) or texts.UNKNOWN_UNIT, _s(r["other_unit_type"]),
                    _names(r["other_unit_name"], r["other_aliases"]),
                    None if r["other_report_year"] is None else int(r["other_report_year"]),
                    _s(r["other_source_file"]), _s(r["other_text"])),
        ]
        sides.sort(key=lambda s: (s.year or 0, type_rank.get(s.unit_type, len(type_rank)), _s(s.unit_code),
                                  s.submission_id))
        key = (frozenset(s.submission_id for s in sides), r["section"])
        similarity = float(r["similarity"] or 0.0)
        known = pairs.get(key)
        if known is None or similarity > known.similarity:
            anchor = f"copy-{sides[0].submission_id}-{sides[1].submission_id}-{r['section']}"
            pairs[key] = _Pair(anchor, r["section"], similarity, *sides)
        anchor_of[(int(r["submission_id"]), r["section"])] = pairs[key].anchor
    part_rank = {p.code: i for i, p in enumerate(NARRATIVE)}
    ordered = sorted(pairs.values(), key=lambda p: (
        -(p.year or 0), type_rank.get(p.right.unit_type, len(type_rank)), _s(p.right.unit_code),
        part_rank.get(p.section, len(part_rank)), p.left.submission_id))
    return ordered, anchor_of


def marked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text as HTML, the spans (of the original text; overlapping or touching ones as one) in ``<mark>``: every
    piece escaped on its own, so a mark never cuts an entity and nothing of the text is ever markup."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        start, end = max(start, 0), min(end, len(text))
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(f"{escape(text[at:start])}<mark>{escape(text[start:end])}</mark>")
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def _pair_html(pair: _Pair) -> str:
    from transforms.narrative.copies import copied_passages

    spans = copied_passages(pair.left.text, pair.right.text, pair.left.names, pair.right.names)
    sides = "".join(
        f'<div class="side"><h4>{escape(side.unit_name)}　{"" if side.year is None else f"{side.year}年　"}'
        f'<span class="file">{escape(side.file)}</span></h4>'
        f'<div class="narrative-text">{marked(side.text, side_spans)}</div></div>'
        for side, side_spans in zip((pair.left, pair.right), spans, strict=True))
    year = "" if pair.year is None else f' data-year="{pair.year}"'
    similarity = texts.SIMILARITY.format(pct=f"{pair.similarity:.0%}")
    return (f'<div class="copy-pair filtered" id="{escape(pair.anchor)}"{year} data-type="{escape(" ".join(pair.types))}">'
            f"<h3>{escape(part_name(pair.section))}　<span class=\"similarity\">{escape(similarity)}</span></h3>"
            f'<div class="pair">{sides}</div></div>')


def _narrative(df: pd.DataFrame, wh: Warehouse) -> str:
    """正文核查: the standing narrative findings by unit (each linking to the unit's findings), then N-COPY's pairs,
    the two texts side by side with the copied passages marked."""
    pairs, anchor_of = copy_pairs(wh)
    found = df[df["rule"].isin(NARRATIVE_RULE_IDS)]
    type_rank = {t: i for i, t in enumerate(UNIT_TYPE_ZH)}
    rule_rank = {rule: i for i, rule in enumerate(NARRATIVE_RULE_IDS)}
    part_rank = {p.code: i for i, p in enumerate(NARRATIVE)}
    records = [{k: (None if _missing(v) else v) for k, v in r.items()} for r in found.to_dict("records")]
    records.sort(key=lambda r: (-(r["report_year"] or 0), type_rank.get(r["unit_type"], len(type_rank)),
                                _s(r["unit_code"]), rule_rank[r["rule"]], part_rank.get(r["section"], -1),
                                _s(r["row_code"]), _s(r["column_code"])))
    rows = []
    for r in records:
        year = None if r["report_year"] is None else int(r["report_year"])
        attrs = ("" if year is None else f' data-year="{year}"') + f' data-type="{escape(r["unit_type"] or "")}"'
        anchor = shell.findings_anchor(r["unit_code"], "" if year is None else year)
        pair = anchor_of.get((int(r["submission_id"]), _s(r["section"]))) if r["rule"] == "N-COPY" else None
        link = f' <a class="pair-link" href="#{escape(pair)}">{escape(texts.COPY_PAIR_LINK)}</a>' if pair else ""
        rows.append(
            f'<tr class="filtered"{attrs}><td class="name"><a href="#{escape(anchor)}">{escape(r["unit_label"])}</a></td>'
            f'<td class="num">{"" if year is None else year}</td><td class="rule">{escape(_rule_label(r["rule"]))}</td>'
            f'<td class="loc">{escape(_location(r))}</td><td class="text">{escape(_s(r["message"]))}{link}</td></tr>')
    head = "".join(f"<th>{escape(h)}</th>" for h in (texts.UNIT, texts.YEAR, texts.RULE, texts.LOCATION, texts.MESSAGE))
    inner = f'<p class="note">{escape(texts.NARRATIVE_NOTE)}</p>'
    if rows:
        inner += f'<table id="narrative-findings"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    else:
        inner += f'<p class="note">{escape(texts.NARRATIVE_NONE)}</p>'
    if pairs:
        inner += (f'<h3>{escape(texts.COPY_PAIRS)}</h3><p class="note">{escape(texts.COPY_NOTE)}</p>'
                  + "".join(_pair_html(p) for p in pairs))
    return shell.block(texts.NARRATIVE_CHECKS, inner, "narrative")
