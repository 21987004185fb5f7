"""Pandas frames of ALL submissions of a run, one per suite, so Great Expectations runs once per suite per run.

GX's cost is per validation run, not per row (shared/notes/stack-facts.md): 1,000 submissions are four frames, not
4,000 runs. Every frame carries ``sub`` (the submission's index in the list), ``unit_type`` and ``format_version``,
plus a key column naming the row or column of the table, so a failing frame row maps back to one submission and cell.

Blanks: cells are recorded as blank, but count as 0 in arithmetic. The one exception is a blank ``total`` in a
non-zero row: it is taken as the row sum (kept in ``total_raw`` as blank, so a warning can say so).
"""

from __future__ import annotations

from collections.abc import Sequence

from transforms.format import FORMATS, TOTAL, UNDIVIDED
from transforms.model import Submission
from transforms.rules.report import NEG, RAW, wide

KEYS = {
    "proactive": ("sub",),
    "requests_rows": ("sub", "row"),
    "requests_columns": ("sub", "column"),
    "review_litigation": ("sub", "row"),
    "narrative_figures": ("sub", "claim"),
    "narrative_parts": ("sub",),
}

# Every row / column code of a section across both formats (a 2019 frame row simply has 0 in 2021-only columns).
_REQUEST_ROWS = tuple(dict.fromkeys(r.code for f in FORMATS.values() for r in f.section("requests").rows))
_PROACTIVE_CELLS = tuple(dict.fromkeys(rc for f in FORMATS.values() for rc in f.section("proactive").cells()))


def reported(sub: Submission, section: str) -> bool:
    """A table is reported unless every cell of it is blank or absent ("not reported" is not "all zeros")."""
    return any(c.value is not None for (s, _, _), c in sub.cells.items() if s == section)


def _unit_type(sub: Submission, registry) -> str | None:
    if sub.unit_type or registry is None or not sub.unit_code:
        return sub.unit_type
    unit = registry.by_code.get(sub.unit_code)
    return unit.unit_type if unit else None


# Reading errors that leave a cell's number unknown (formula without cached value, text that is no number): the cell
# is None like a blank, but it must not count as 0 — "compute nothing from it" (R-FORMULA). Checks that would use it
# are left out; the reading error already rejects the submission and names the cell.
UNKNOWN_VALUE_RULES = ("R-FORMULA", "R-NUMBER")


def unknown_cells(sub: Submission) -> set[tuple[str, str, str]]:
    return {
        (f.section, f.row, f.column)
        for f in sub.findings
        if f.severity == "error" and f.rule in UNKNOWN_VALUE_RULES and f.section and f.row and f.column
    }


def _num(v) -> float:
    return 0 if v is None else v


def leaf_layout(sub: Submission) -> str:
    """Which of its format's ``leaf_layouts`` the unit filled in. Real reports print a derived row undivided (a 2021
    table 三 with one （六）其他处理 row, read into ``other_total`` with a source, its three children blank): then the
    leaf outcome rows are those of the undivided layout."""
    fmt = FORMATS[sub.format_version]
    section = fmt.section("requests")
    for derived in section.derived_rows:
        children_blank = all(sub.value("requests", child, m.code) is None
                             for child in section.children(derived) for m in section.columns)
        cells = [sub.cells.get(("requests", derived, m.code)) for m in section.columns]
        if children_blank and any(c is not None and c.source is not None and c.value is not None for c in cells):
            return f"{fmt.version}/{UNDIVIDED}"
    return fmt.version


def _requests(
    i: int, sub: Submission, unit_type: str | None, unknown: set, rows: list[dict], columns: list[dict]
) -> None:
    fmt = FORMATS[sub.format_version]
    section = fmt.section("requests")
    unknown_columns = {c for (s, _, c) in unknown if s == "requests"}
    parts = section.parts
    base = {"sub": i, "unit_type": unit_type, "format_version": sub.format_version}
    effective: dict[str, dict[str, float]] = {}  # row → column → value used in arithmetic
    for row in section.rows:
        cells = [sub.cells.get(("requests", row.code, m.code)) for m in section.columns]
        if row.derived and all(c is None or c.source is None for c in cells):
            # a derived row (2021 （六）其他处理): its cross-foot follows from its children's; checking it again would
            # only repeat their findings. Still needed, as the children's sum, by the column frame below.
            values = {
                m.code: sum(_num(sub.value("requests", ch, m.code)) for ch in section.children(row.code))
                for m in section.columns
            }
            effective[row.code] = values
            continue
        values = {code: _num(sub.value("requests", row.code, code)) for code in parts}
        parts_sum = sum(values.values())
        total_raw = sub.value("requests", row.code, TOTAL)
        total = parts_sum if total_raw is None else total_raw
        effective[row.code] = {**values, TOTAL: total}
        if any(("requests", row.code, m.code) in unknown for m in section.columns):
            if total_raw is None:
                unknown_columns.add(TOTAL)  # the total stands for a sum with an unknown term
            continue
        rows.append(
            {**base, "row": row.code, **values, "total_raw": total_raw, "parts_sum": parts_sum, f"{NEG}{TOTAL}": -total}
        )
    layout = leaf_layout(sub)
    for m in section.columns:
        if m.code in unknown_columns:
            continue
        record = {**base, "column": m.code, "leaf_layout": layout}
        for code in _REQUEST_ROWS:
            record[code] = effective.get(code, {}).get(m.code, 0)
        record[f"{NEG}concluded_total"] = -record["concluded_total"]
        columns.append(record)


def _review(i: int, sub: Submission, unit_type: str | None, unknown: set, rows: list[dict]) -> None:
    section = FORMATS[sub.format_version].section("review_litigation")
    parts = section.parts
    for row in section.rows:
        if any(("review_litigation", row.code, m.code) in unknown for m in section.columns):
            continue
        values = {code: _num(sub.value("review_litigation", row.code, code)) for code in parts}
        parts_sum = sum(values.values())
        total_raw = sub.value("review_litigation", row.code, TOTAL)
        total = parts_sum if total_raw is None else total_raw
        rows.append(
            {
                "sub": i, "unit_type": unit_type, "format_version": sub.format_version, "row": row.code, **values,
                "total_raw": total_raw, "parts_sum": parts_sum, f"{NEG}{TOTAL}": -total,
            }
        )


def _proactive(i: int, sub: Submission, unit_type: str | None, unknown: set, rows: list[dict]) -> None:
    record: dict = {"sub": i, "unit_type": unit_type, "format_version": sub.format_version}
    for row, col in _PROACTIVE_CELLS:
        cell = sub.cells.get(("proactive", row, col))
        if ("proactive", row, col) in unknown:
            cell = None  # NaN: column checks skip it
        record[wide(row, col)] = _num(cell.value) if cell else None
        # the cell as typed, when the reader had to normalise it (e.g. "251000元"): T2-FEES looks at the unit
        record[wide(row, col) + RAW] = None if cell is None or cell.raw is None else str(cell.raw)
    rows.append(record)


def _narrative(i: int, sub: Submission, unit_type: str | None, unknown: set, figures: list[dict],
               parts: list[dict], registry=None) -> None:
    """N-TEXT: one row per figure a sentence of the narrative states, beside the table's figure (the sum of the
    quantity's cells, blanks as 0); left out where a cell is unknown, its table is not reported or the format lacks
    it. N-PROBLEMS: one row for the report, with how many characters its part 五 has."""
    from transforms.narrative.figures import stated_figures
    from transforms.rules.narrative import problems_state, quantity_cells

    base = {"sub": i, "unit_type": unit_type, "format_version": sub.format_version}
    fmt = FORMATS[sub.format_version]
    unit = registry.by_code.get(sub.unit_code) if registry is not None and sub.unit_code else None
    names = unit.names if unit else (sub.unit_name,) if sub.unit_name else ()
    n = 0
    for part, (text, _where) in sub.narrative.items():
        for stated in stated_figures(text, sub.report_year, names):
            cells = quantity_cells(fmt, stated.quantity)
            if cells is None or any(k in unknown for k in cells) or not all(reported(sub, s) for s, _, _ in cells):
                continue
            n += 1
            figures.append({**base, "claim": f"{n:04d}", "part": part, "quantity": stated.quantity,
                            "stated": float(stated.value), "table": float(sum(_num(sub.value(*k)) for k in cells)),
                            "phrase": stated.phrase, "sentence": stated.sentence})
    state, chars = problems_state(sub.narrative)
    parts.append({**base, "problems_state": state, "problems_chars": chars})


def build_frames(subs: Sequence[Submission], registry=None) -> dict:
    """suite name → DataFrame (only suites with at least one row). Unreadable submissions, submissions without a
    recognised format, and tables not reported are left out."""
    import pandas as pd

    collected: dict[str, list[dict]] = {name: [] for name in KEYS}
    for i, sub in enumerate(subs):
        if sub.unreadable or sub.format_version not in FORMATS:
            continue
        unit_type = _unit_type(sub, registry)
        unknown = unknown_cells(sub)
        if reported(sub, "proactive"):
            _proactive(i, sub, unit_type, unknown, collected["proactive"])
        if reported(sub, "requests"):
            _requests(i, sub, unit_type, unknown, collected["requests_rows"], collected["requests_columns"])
        if reported(sub, "review_litigation"):
            _review(i, sub, unit_type, unknown, collected["review_litigation"])
        if sub.narrative:  # a file with no narrative (a bare workbook) has nothing for the narrative rules
            _narrative(i, sub, unit_type, unknown, collected["narrative_figures"], collected["narrative_parts"],
                       registry)
    frames = {}
    for name, records in collected.items():
        if records:
            frame = pd.DataFrame.from_records(records)
            # raw-text columns stay object (GX regexes need strings); the key columns are strings
            frames[name] = frame
    return frames
