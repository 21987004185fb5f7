"""数据质量: findings by rule and by unit (charts), then every finding, grouped per unit and year (anchors)."""

from __future__ import annotations

from html import escape
from itertools import groupby
from pathlib import Path

import pandas as pd

from dashboards import charts, shell, texts
from dashboards.data import Warehouse, scope
from transforms.format import FORMATS, SEVERITY_ZH, STATUS_ZH, UNIT_TYPE_ZH
from transforms.rules import RULES

TOP_N = 40


def _findings(wh: Warehouse) -> pd.DataFrame:
    subs = wh.submissions[["submission_id", "unit_code", "unit_name", "unit_type", "report_year", "format_version",
                           "source_file", "status", "is_current", "received_at"]]
    df = wh.findings.merge(subs, on="submission_id", how="left")
    df["unit_label"] = df["unit_name"].where(df["unit_name"].notna(), texts.UNKNOWN_UNIT)
    return df


def _rule_label(rule: str) -> str:
    r = RULES.get(rule)
    return f"{rule} {r.name_zh}" if r else str(rule)


def _s(v) -> str:
    """Text of a possibly missing value (None / NaN from DuckDB NULLs) for a table cell."""
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def _location(r: dict) -> str:
    try:
        return FORMATS[str(r["format_version"])].section(r["section"]).describe(r["row_code"], r["column_code"] or None)
    except (KeyError, TypeError):
        return " ".join(str(r[k]) for k in ("section", "row_code", "column_code") if isinstance(r[k], str))


def build(wh: Warehouse, out_dir: Path) -> str:
    df = _findings(wh)

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
    colors = {SEVERITY_ZH["error"]: "#d92d20", SEVERITY_ZH["warning"]: "#f79009"}
    return (
        charts.render(charts.Chart(id="by-rule", title=texts.CHART_FINDINGS_BY_RULE, rows=by_rule,
                                   series_order=severities, colors=colors, axis_title=texts.FINDINGS), "quality", wh.variants(), out_dir)
        + charts.render(charts.Chart(id="by-unit", title=texts.CHART_FINDINGS_BY_UNIT, rows=by_unit, orientation="h",
                                     series_order=severities, colors=colors, axis_title=texts.FINDINGS, top_n=TOP_N),
                        "quality", wh.variants(), out_dir)
        + _sections(df)
    )


def _sections(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in (texts.RULE, texts.SEVERITY, texts.LOCATION, texts.CELL,
                                                        texts.MESSAGE, texts.EXPECTED, texts.ACTUAL, texts.FILE))
    type_rank = {t: i for i, t in enumerate(UNIT_TYPE_ZH)}
    ordered = df.assign(_t=df["unit_type"].map(type_rank)).sort_values(
        ["report_year", "_t", "unit_code"], ascending=[False, True, True], na_position="last", kind="stable")
    # plain records and one pass: per-group pandas indexing costs seconds for a thousand units
    records = [{k: (None if _missing(v) else v) for k, v in r.items()} for r in ordered.to_dict("records")]
    out = []
    for (unit_code, year), group in groupby(records, key=lambda r: (r["unit_code"], r["report_year"])):
        group = list(group)
        first = group[0]
        rows = "".join(_row(r) for r in group)
        year = None if year is None else int(year)
        # a file of an unknown unit has no type: data-type="" shows it under 全部 only, as in the charts
        attrs = ("" if year is None else f' data-year="{year}"') + f' data-type="{escape(first["unit_type"] or "")}"'
        kind = UNIT_TYPE_ZH.get(first["unit_type"], first["unit_type"] or "")
        title = f"{first['unit_label']}　{kind}　{'' if year is None else year}"
        out.append(
            f'<section class="block filtered" id="{shell.findings_anchor(unit_code, "" if year is None else year)}"{attrs}>'
            f"<h2>{escape(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
        )
    return "".join(out)


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def _row(r: dict) -> str:
    status = STATUS_ZH.get(r["status"], _s(r["status"]))
    current = f"（{texts.CURRENT}）" if r["is_current"] else ""
    return (
        f"<tr><td>{escape(_rule_label(r['rule']))}</td><td>{escape(SEVERITY_ZH.get(r['severity'], _s(r['severity'])))}</td>"
        f"<td>{escape(_location(r))}</td><td>{escape(_s(r['cell']))}</td><td>{escape(_s(r['message']))}</td>"
        f'<td class="num">{escape(shell.fmt_num(r["expected"]))}</td><td class="num">{escape(shell.fmt_num(r["actual"]))}</td>'
        f"<td>{escape(_s(r['source_file']))}<br>{escape(status)}{escape(current)}</td></tr>"
    )
