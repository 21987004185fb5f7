"""The county roll-up and its arithmetic identities (validation-rules.md, "County roll-up").

The county's figures are the sum over the current accepted reports of its units, the county government's own
report excluded. The within-report rules (T3-BALANCE, T3-ROWSUM, T3-OUTCOMES, T4-TOTAL) are linear, so they must
hold for the sum whenever they held per unit: the rules' own identities are checked again here
(``transforms.rules.identities``), and a failure is a bug upstream that stops publication.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from transforms.format import FORMATS, TOTAL, sql_list, unit_types
from transforms.rules import identities

# the county government's own report is one more unit, not part of the sum; comparison data never is
EXCLUDED_FROM_SUM = unit_types(counts_toward_county=False)

# exact arithmetic: counts sum as integers, amounts as decimals (every value is bounded by MAX_VALUE when read, so
# neither can overflow); the identities are then compared with ==, never within a tolerance
Values = dict[tuple[str, str, str], int | Decimal]
DECIMAL_MEASURES = tuple(sorted({m.code for f in FORMATS.values() for s in f.sections
                                 for m in s.column_by_code.values() if m.decimal}))


class RollupError(AssertionError):
    """The county roll-up broke an arithmetic identity: a bug upstream, never published."""


# sections whose rows end in a 总计 column: a blank 总计 counts as the row's sum
_TOTALLED = tuple(dict.fromkeys(s.code for f in FORMATS.values() for s in f.sections if s.total))
# derived rows a report may print undivided (R-FORMAT mixed signals): (version, section, row, children, counted as)
_UNDIVIDED = tuple((f.version, s.code, code, s.children(code), s.row_by_code[code].undivided_into)
                   for f in FORMATS.values() for s in f.sections for code in s.derived_rows
                   if s.row_by_code[code].undivided_into)


def county_sum(con, year: int | None = None) -> dict[tuple[int, str], Values]:
    """(report_year, format_version) → summed values over current accepted reports, county government excluded.

    One query. Each unit's values count as the arithmetic rules read them: blank = 0, a blank 总计 = the row's sum,
    and a report with a derived row printed undivided (R-FORMAT mixed signals: a 2021 （六）其他处理 row whose three
    children are all blank in a column) carries that row's figure in the child the format names (``undivided_into``).
    """
    from transforms.warehouse_schema import CELL_VIEWS

    cells = " UNION ALL ".join(
        f"SELECT report_year, format_version, submission_id, '{section}' AS section, {row_col} AS row_code, "
        f"{col_col} AS column_code, value FROM {view} WHERE unit_type NOT IN {sql_list(EXCLUDED_FROM_SUM)}"
        + (" AND report_year = $year" if year is not None else "")
        for section, (view, row_col, col_col) in CELL_VIEWS.items()
    )
    # per undivided row: are its children blank in this column, and the row's own figure
    windows = "".join(
        f""",
                count(value) FILTER (WHERE section = '{s}' AND row_code IN {sql_list(kids)})
                    OVER (PARTITION BY submission_id, section, column_code) = 0 AS kids_blank_{i},
                max(v) FILTER (WHERE section = '{s}' AND row_code = '{row}')
                    OVER (PARTITION BY submission_id, section, column_code) AS undivided_{i}"""
        for i, (_v, s, row, kids, _into) in enumerate(_UNDIVIDED))
    cases = "".join(
        f" WHEN format_version = '{v}' AND section = '{s}' AND row_code = '{into}' AND kids_blank_{i}"
        f" THEN coalesce(undivided_{i}, 0)"
        for i, (v, s, _row, _kids, into) in enumerate(_UNDIVIDED))
    counted_v = f"CASE{cases} ELSE v END" if cases else "v"
    totalled, decimals = sql_list(_TOTALLED), sql_list(DECIMAL_MEASURES)
    sql = f"""
        WITH cells AS ({cells}),
        blank_as_zero AS (
            SELECT *, CASE
                WHEN value IS NOT NULL THEN value
                WHEN column_code = '{TOTAL}' AND section IN {totalled} THEN coalesce(
                    sum(value) FILTER (WHERE column_code <> '{TOTAL}')
                        OVER (PARTITION BY submission_id, section, row_code), 0)
                ELSE 0 END AS v
            FROM cells),
        undivided AS (
            SELECT *{windows}
            FROM blank_as_zero)
        , counted AS (
            SELECT report_year, format_version, section, row_code, column_code,
                   {counted_v} AS v
            FROM undivided)
        SELECT report_year, format_version, section, row_code, column_code,
               sum(CAST(v AS HUGEINT)) FILTER (WHERE column_code NOT IN {decimals}),
               sum(CAST(v AS DECIMAL(38, 6))) FILTER (WHERE column_code IN {decimals})
        FROM counted GROUP BY ALL"""
    sums: dict[tuple[int, str], Values] = defaultdict(dict)
    rows = con.execute(sql, {"year": year} if year is not None else {}).fetchall()
    for y, version, section, row, col, count, amount in rows:
        sums[(y, version)][(section, row, col)] = int(count) if amount is None else amount.normalize()
    return dict(sums)


def identity_failures(values: Values, version: str) -> list[str]:
    """The identities of the format's rules (``transforms.rules``: T3-BALANCE, T3-ROWSUM, T3-OUTCOMES, T4-TOTAL)
    that the summed values break, e.g. ``T3-BALANCE natural_person: 12 != 11``."""
    bad: list[str] = []
    for identity in identities(FORMATS[version]):
        left = sum(values.get(k, 0) for k in identity.left)
        right = sum(values.get(k, 0) for k in identity.right)
        if left != right:
            bad.append(f"{identity.rule} {identity.name}: {left} != {right}")
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
