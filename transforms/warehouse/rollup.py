"""The county roll-up and its arithmetic identities (validation-rules.md, "County roll-up").

The county's figures are the sum over the current accepted reports of its units, the county government's own
report excluded. The within-report rules (T3-BALANCE, T3-ROWSUM, T3-OUTCOMES, T4-TOTAL) are linear, so they must
hold for the sum whenever they held per unit: the rules' own identities are checked again here
(``transforms.rules.identities``), and a failure is a bug upstream that stops publication.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from transforms.format import FORMATS
from transforms.rules import identities

# exact arithmetic: counts sum as integers, amounts as decimals (every value is bounded by MAX_VALUE when read, so
# neither can overflow); the identities are then compared with ==, never within a tolerance
Values = dict[tuple[str, str, str], int | Decimal]
DECIMAL_MEASURES = frozenset(m.code for f in FORMATS.values() for s in f.sections
                             for m in s.column_by_code.values() if m.decimal)


SCOPES = ("units", "own", "all")  # 不含本级, 本级, 含本级 (county_totals.scope)


class RollupError(AssertionError):
    """The county roll-up broke an arithmetic identity: a bug upstream, never published."""


def county_sum(con, year: int | None = None, scope: str = "units") -> dict[tuple[int, str], Values]:
    """(report_year, the year's format) → the county's summed values in ``scope`` (``county_totals``: units 不含本级,
    own 本级, all 含本级), counts as ``int``."""
    return county_sums(con, year).get(scope, {})


def county_sums(con, year: int | None = None) -> dict[str, dict[tuple[int, str], Values]]:
    """scope → (report_year, the year's format) → summed values: every scope in one query of the view."""
    rows = con.execute(
        "SELECT scope, report_year, format_version, section, row_code, column_code, value FROM county_totals "
        "WHERE ? IS NULL OR report_year = ?", [year, year]).fetchall()
    sums: dict[str, dict[tuple[int, str], Values]] = defaultdict(lambda: defaultdict(dict))
    for scope, y, version, section, row, col, value in rows:
        sums[scope][(y, version)][(section, row, col)] = value.normalize() if col in DECIMAL_MEASURES else int(value)
    return {scope: dict(by) for scope, by in sums.items()}


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
        f"{year} ({version}, {scope}): {failure}"
        for scope, by_year in sorted(county_sums(con).items())
        for (year, version), values in sorted(by_year.items())
        for failure in identity_failures(values, version)
    ]
    if problems:
        raise RollupError("county roll-up breaks the format's arithmetic (a bug): " + "; ".join(problems[:20]))
