"""Complete, consistent submissions built straight from the format definition (tests and benchmarks).

A reader is not needed to exercise validation: every cell of a format gets a value that satisfies the format's own
arithmetic, and a source address in a simple fixed grid, so findings can be traced back to a cell. Tests then break
one number at a time. Nothing here knows a label: rows, columns and outcomes come from ``transforms.format``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from openpyxl.utils import get_column_letter

from transforms.format import FORMATS, TOTAL, ReportFormat, current
from transforms.model import Cell, Submission

Values = dict[tuple[str, str, str], float | int | None]
SHEET = "Sheet1"
# First worksheet row of each table in the synthetic grid (one table below the other, column B onwards).
FIRST_ROW = {"proactive": 4, "requests": 20, "review_litigation": 50}


def address(fmt_version: str, section: str, row: str, column: str) -> str:
    """Where a cell lives in the synthetic grid: proactive one row per row code, requests one row per row code,
    review_litigation one row with the 15 cells side by side (as in the statutory layout)."""
    sec = FORMATS[fmt_version].section(section)
    if section == "review_litigation":
        r_index = [r.code for r in sec.rows].index(row)
        c_index = r_index * len(sec.columns) + [m.code for m in sec.columns].index(column)
        return f"{SHEET}!{get_column_letter(2 + c_index)}{FIRST_ROW[section]}"
    r_index = [r.code for r in sec.rows].index(row)
    c_index = [m.code for m in sec.measures_of(row)].index(column)
    return f"{SHEET}!{get_column_letter(2 + c_index)}{FIRST_ROW[section] + r_index}"


def _small(rng: random.Random, scale: float) -> int:
    """A skewed small count: most units receive few applications, some many."""
    return int(rng.expovariate(1 / scale)) if scale > 0 else 0


def consistent_values(
    fmt_version: str, unit_type: str = "township", rng: random.Random | None = None
) -> dict[tuple[str, str, str], float | int | None]:
    """Values for every printed cell of a format that satisfy T3-*, T4-* and T2-* for the unit type."""
    rng = rng or random.Random(0)
    fmt = FORMATS[fmt_version]
    requests = fmt.section("requests")
    values: dict[tuple[str, str, str], float | int | None] = {}

    # 表二: counts; 规章 only where the unit type may make them (never in the synthetic county); fees in 万元.
    for row, col in fmt.section("proactive").cells():
        measure = fmt.section("proactive").measure(row, col)
        if row == "rules":
            v: float | int = 0
        elif measure.decimal:
            v = round(rng.uniform(0, 50), 2)
        elif measure.signed:
            v = rng.randint(-3, 3)
        else:
            v = _small(rng, 30)
        values[("proactive", row, col)] = v

    # 表三, column by column: leaves → （七）总计; carried over ≤ what was handled; new = the balance.
    shift_free = unit_type == "township"
    leaf_rows = fmt.leaf_outcomes
    for m in requests.columns:
        if m.code == "total":
            continue
        scale = 6 if m.code == "natural_person" else 1
        if shift_free and m.code in ("research", "legal_services"):
            scale = 0
        leaves = {r: (_small(rng, scale) if rng.random() < 0.5 else 0) for r in leaf_rows}
        concluded = sum(leaves.values())
        forward = _small(rng, scale / 3) if scale else 0
        carried = min(_small(rng, scale / 3) if scale else 0, concluded + forward)
        col_values = {
            **leaves,
            "concluded_total": concluded,
            "carried_forward": forward,
            "carried_over": carried,
            "new_received": concluded + forward - carried,
        }
        for r, v in col_values.items():
            values[("requests", r, m.code)] = v
    for row in requests.rows:
        if row.derived:
            continue
        values[("requests", row.code, "total")] = sum(
            values[("requests", row.code, m.code)] for m in requests.columns if m.code != "total"
        )

    # 表四: total = the four results.
    review = fmt.section("review_litigation")
    for row in review.rows:
        parts = {m.code: (_small(rng, 1) if rng.random() < 0.3 else 0) for m in review.columns if m.code != "total"}
        for code, v in parts.items():
            values[("review_litigation", row.code, code)] = v
        values[("review_litigation", row.code, "total")] = sum(parts.values())
    return values


def make_submission(
    fmt_version: str | None = None,
    unit_type: str = "township",
    rng: random.Random | None = None,
    overrides: dict[tuple[str, str, str], float | int | None] | None = None,
    *,
    name: str = "synthetic",
    year: int | None = None,
    undivided_other: bool = False,
) -> Submission:
    """A complete submission; ``overrides`` sets cells (None = blank) after the consistent values are built.

    ``undivided_other`` builds the mixed layout seen in real reports: 2021 tables with one undivided （六）其他处理
    row, read into ``other_total`` with a source while its three 2021 children are absent.
    """
    fmt_version = fmt_version or current().version
    values = consistent_values(fmt_version, unit_type, rng)
    section = FORMATS[fmt_version].section("requests")
    for derived in section.derived_rows if undivided_other else ():
        for col in section.columns:
            values[("requests", derived, col.code)] = sum(
                values.pop(("requests", child, col.code)) or 0 for child in section.children(derived)
            )
    values.update(overrides or {})
    return submission_from(
        values, fmt_version, unit_type, name=name, year=year, derive_other=not undivided_other
    )


def submission_from(
    values: dict[tuple[str, str, str], float | int | None],
    fmt_version: str | None = None,
    unit_type: str = "township",
    *,
    name: str = "synthetic",
    year: int | None = None,
    derive_other: bool = True,
) -> Submission:
    """A submission holding exactly ``values`` (addresses from the synthetic grid), 2021's other_total derived
    unless the unit filled in the undivided row itself (``derive_other=False``)."""
    fmt = FORMATS[fmt_version or current().version]
    sub = Submission(
        file=f"{name}.xlsx",
        sha256="0" * 64,
        unit_code=name,
        unit_name=name,
        unit_type=unit_type,
        report_year=year or fmt.meant_for_years[1] or fmt.meant_for_years[0] + 3,
        format_version=fmt.version,
    )
    for (section, row, col), v in values.items():
        sub.cells[(section, row, col)] = Cell(section, row, col, v, address(fmt.version, section, row, col))
    if derive_other:
        _derive_other_total(sub)
    return sub


def _derive_other_total(sub: Submission) -> None:
    """A derived row (2021 （六）其他处理) is the sum of its children, derived (no source), as the reader does."""
    fmt = FORMATS[sub.format_version]
    for section_code, derived in fmt.derived_rows:
        section = fmt.section(section_code)
        for col in section.columns:
            children = [sub.value(section_code, child, col.code) for child in section.children(derived)]
            value = None if all(v is None for v in children) else sum(v or 0 for v in children)
            sub.cells[(section_code, derived, col.code)] = Cell(section_code, derived, col.code, value, None)


def set_values(sub: Submission, values: Iterable[tuple[tuple[str, str, str], float | int | None]]) -> Submission:
    """Change cells of an existing submission (keeping their source), re-deriving 2021's other_total."""
    for key, v in values:
        cell = sub.cells[key]
        cell.value = v
    derived = FORMATS[sub.format_version].derived_rows
    if derived and all(sub.cells.get((s, r, TOTAL)) is not None and sub.cells[(s, r, TOTAL)].source is None
                       for s, r in derived):
        _derive_other_total(sub)
    return sub


def continued(fmt: ReportFormat, values: Values, before: Values | None) -> Values:
    """This year's figures continuing last year's: carried over = last year's carried forward, documents in force =
    last year's + issued − repealed."""
    now = dict(values)
    if before is None:
        return now
    for m in fmt.section("requests").columns if fmt.has("requests") else ():
        carried = before.get(("requests", "carried_forward", m.code)) or 0
        key = ("requests", "carried_over", m.code)
        now[("requests", "new_received", m.code)] = (now.get(("requests", "new_received", m.code)) or 0) + (
            (now.get(key) or 0) - carried)  # keeps 表三 balanced
        now[key] = carried
    for row in ("rules", "normative_docs"):
        if all(fmt.has("proactive", row, m) for m in ("issued", "repealed", "in_force")):
            was = before.get(("proactive", row, "in_force")) or 0
            issued = now.get(("proactive", row, "issued")) or 0
            repealed = min(now.get(("proactive", row, "repealed")) or 0, was + issued)
            now[("proactive", row, "repealed")] = repealed
            now[("proactive", row, "in_force")] = was + issued - repealed
    return now
