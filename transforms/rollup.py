"""The county roll-up and its arithmetic identities (validation-rules.md, "County roll-up").

The county's figures are the sum over the current accepted reports of its units, the county government's own
report excluded. The within-report rules (T3-BALANCE, T3-ROWSUM, T3-OUTCOMES, T4-TOTAL) are linear, so they must
hold for the sum whenever they held per unit: a failure here is a bug upstream and must stop publication.
"""

from __future__ import annotations

from collections import defaultdict

from transforms.report_format import FORMATS, OTHER_CHILDREN_2021

EXCLUDED_FROM_SUM = ("county_government", "city_government")
TOLERANCE = 1e-6

Values = dict[tuple[str, str, str], float]


class RollupError(AssertionError):
    """The county roll-up broke an arithmetic identity: a bug upstream, never published."""


def effective(values: dict[tuple[str, str, str], float | None], version: str) -> Values:
    """One unit's values as the arithmetic rules read them: blank = 0, blank 总计 = the row's sum."""
    fmt = FORMATS[version]
    out: Values = {k: (0.0 if v is None else float(v)) for k, v in values.items()}
    for code in ("requests", "review_litigation"):
        section = fmt.section(code)
        for row in section.rows:
            key = (code, row.code, "total")
            if key in values and values[key] is None:
                out[key] = sum(out.get((code, row.code, m.code), 0.0) for m in section.columns if m.code != "total")
    if version == "2021":
        # a report with an undivided （六）其他处理 row (R-FORMAT mixed signals) carries its figure in other_total
        for col in fmt.section("requests").columns:
            if all(values.get(("requests", child, col.code)) is None for child in OTHER_CHILDREN_2021):
                out[("requests", "other_misc", col.code)] = out.get(("requests", "other_total", col.code), 0.0)
    return out


def county_sum(con, year: int | None = None) -> dict[tuple[int, str], Values]:
    """(report_year, format_version) → summed values over current accepted reports, county government excluded."""
    from transforms.warehouse_schema import CELL_VIEWS

    per_unit: dict[tuple[int, str, str], dict] = defaultdict(dict)
    for section, (view, row_col, col_col) in CELL_VIEWS.items():
        sql = (f"SELECT report_year, format_version, unit_code, {row_col}, {col_col}, value FROM {view} "
               f"WHERE unit_type NOT IN {EXCLUDED_FROM_SUM}")
        params: list = []
        if year is not None:
            sql += " AND report_year = ?"
            params.append(year)
        for y, version, unit, row, col, value in con.execute(sql, params).fetchall():
            per_unit[(y, version, unit)][(section, row, col)] = value
    sums: dict[tuple[int, str], Values] = defaultdict(lambda: defaultdict(float))
    for (y, version, _unit), values in per_unit.items():
        for key, value in effective(values, version).items():
            sums[(y, version)][key] += value
    return {k: dict(v) for k, v in sums.items()}


def identity_failures(values: Values, version: str) -> list[str]:
    fmt = FORMATS[version]
    requests, review = fmt.section("requests"), fmt.section("review_litigation")
    v = lambda s, r, c: values.get((s, r, c), 0.0)  # noqa: E731
    bad: list[str] = []
    for col in requests.columns:
        c = col.code
        left = v("requests", "new_received", c) + v("requests", "carried_over", c)
        right = v("requests", "concluded_total", c) + v("requests", "carried_forward", c)
        if abs(left - right) > TOLERANCE:
            bad.append(f"T3-BALANCE {c}: {left} != {right}")
        leaves = sum(v("requests", r, c) for r in fmt.leaf_outcomes)
        if abs(v("requests", "concluded_total", c) - leaves) > TOLERANCE:
            bad.append(f"T3-OUTCOMES {c}: {v('requests', 'concluded_total', c)} != {leaves}")
    for row in requests.rows:
        parts = sum(v("requests", row.code, m.code) for m in requests.columns if m.code != "total")
        if abs(v("requests", row.code, "total") - parts) > TOLERANCE:
            bad.append(f"T3-ROWSUM {row.code}: {v('requests', row.code, 'total')} != {parts}")
    for row in review.rows:
        parts = sum(v("review_litigation", row.code, m.code) for m in review.columns if m.code != "total")
        if abs(v("review_litigation", row.code, "total") - parts) > TOLERANCE:
            bad.append(f"T4-TOTAL {row.code}: {v('review_litigation', row.code, 'total')} != {parts}")
    return bad


def check_rollup(con) -> None:
    """Raise :class:`RollupError` when the county roll-up breaks an identity the unit reports satisfied."""
    problems = [
        f"{year} ({version}): {failure}"
        for (year, version), values in sorted(county_sum(con).items())
        for failure in identity_failures(values, version)
    ]
    if problems:
        raise RollupError("county roll-up breaks the format's arithmetic (a bug): " + "; ".join(problems[:20]))
