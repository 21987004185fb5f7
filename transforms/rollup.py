"""The county roll-up and its arithmetic identities (validation-rules.md, "County roll-up").

The county's figures are the sum over the current accepted reports of its units, the county government's own
report excluded. The within-report rules (T3-BALANCE, T3-ROWSUM, T3-OUTCOMES, T4-TOTAL) are linear, so they must
hold for the sum whenever they held per unit: a failure here is a bug upstream and must stop publication.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from transforms.report_format import FORMATS, OTHER_CHILDREN_2021

EXCLUDED_FROM_SUM = ("county_government", "city_government")

# exact arithmetic: counts sum as integers, amounts as decimals (every value is bounded by MAX_VALUE when read, so
# neither can overflow); the identities are then compared with ==, never within a tolerance
Values = dict[tuple[str, str, str], int | Decimal]
DECIMAL_MEASURES = tuple(sorted({m.code for f in FORMATS.values() for s in f.sections
                                 for m in s.column_by_code.values() if m.decimal}))


class RollupError(AssertionError):
    """The county roll-up broke an arithmetic identity: a bug upstream, never published."""


# sections whose rows end in a 总计 column: a blank 总计 counts as the row's sum
_TOTALLED = tuple(s.code for s in FORMATS["2021"].sections if any(m.code == "total" for m in s.columns))


def county_sum(con, year: int | None = None) -> dict[tuple[int, str], Values]:
    """(report_year, format_version) → summed values over current accepted reports, county government excluded.

    One query. Each unit's values count as the arithmetic rules read them: blank = 0, a blank 总计 = the row's sum,
    and a 2021 report with an undivided （六）其他处理 row (R-FORMAT mixed signals: the three children all blank in a
    column) carries that row's figure in ``other_misc``.
    """
    from transforms.warehouse_schema import CELL_VIEWS

    cells = " UNION ALL ".join(
        f"SELECT report_year, format_version, submission_id, '{section}' AS section, {row_col} AS row_code, "
        f"{col_col} AS column_code, value FROM {view} WHERE unit_type NOT IN {EXCLUDED_FROM_SUM}"
        + (" AND report_year = $year" if year is not None else "")
        for section, (view, row_col, col_col) in CELL_VIEWS.items()
    )
    children = ", ".join(f"'{c}'" for c in OTHER_CHILDREN_2021)
    totalled = ", ".join(f"'{c}'" for c in _TOTALLED)
    decimals = ", ".join(f"'{c}'" for c in DECIMAL_MEASURES)
    sql = f"""
        WITH cells AS ({cells}),
        blank_as_zero AS (
            SELECT *, CASE
                WHEN value IS NOT NULL THEN value
                WHEN column_code = 'total' AND section IN ({totalled}) THEN coalesce(
                    sum(value) FILTER (WHERE column_code <> 'total')
                        OVER (PARTITION BY submission_id, section, row_code), 0)
                ELSE 0 END AS v
            FROM cells),
        undivided AS (
            SELECT *,
                count(value) FILTER (WHERE row_code IN ({children}))
                    OVER (PARTITION BY submission_id, section, column_code) = 0 AS children_blank,
                max(v) FILTER (WHERE row_code = 'other_total')
                    OVER (PARTITION BY submission_id, section, column_code) AS other_total
            FROM blank_as_zero)
        , counted AS (
            SELECT report_year, format_version, section, row_code, column_code,
                   CASE WHEN format_version = '2021' AND section = 'requests' AND row_code = 'other_misc'
                             AND children_blank THEN coalesce(other_total, 0) ELSE v END AS v
            FROM undivided)
        SELECT report_year, format_version, section, row_code, column_code,
               sum(CAST(v AS HUGEINT)) FILTER (WHERE column_code NOT IN ({decimals})),
               sum(CAST(v AS DECIMAL(38, 6))) FILTER (WHERE column_code IN ({decimals}))
        FROM counted GROUP BY ALL"""
    sums: dict[tuple[int, str], Values] = defaultdict(dict)
    rows = con.execute(sql, {"year": year} if year is not None else {}).fetchall()
    for y, version, section, row, col, count, amount in rows:
        sums[(y, version)][(section, row, col)] = int(count) if amount is None else amount.normalize()
    return dict(sums)


def identity_failures(values: Values, version: str) -> list[str]:
    fmt = FORMATS[version]
    requests, review = fmt.section("requests"), fmt.section("review_litigation")
    v = lambda s, r, c: values.get((s, r, c), 0)  # noqa: E731
    bad: list[str] = []
    for col in requests.columns:
        c = col.code
        left = v("requests", "new_received", c) + v("requests", "carried_over", c)
        right = v("requests", "concluded_total", c) + v("requests", "carried_forward", c)
        if left != right:
            bad.append(f"T3-BALANCE {c}: {left} != {right}")
        leaves = sum(v("requests", r, c) for r in fmt.leaf_outcomes)
        if v("requests", "concluded_total", c) != leaves:
            bad.append(f"T3-OUTCOMES {c}: {v('requests', 'concluded_total', c)} != {leaves}")
    for row in requests.rows:
        parts = sum(v("requests", row.code, m.code) for m in requests.columns if m.code != "total")
        if v("requests", row.code, "total") != parts:
            bad.append(f"T3-ROWSUM {row.code}: {v('requests', row.code, 'total')} != {parts}")
    for row in review.rows:
        parts = sum(v("review_litigation", row.code, m.code) for m in review.columns if m.code != "total")
        if v("review_litigation", row.code, "total") != parts:
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
