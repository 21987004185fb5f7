"""The roll-up of every area and its arithmetic identities (validation-rules.md, "County roll-up").

A county's figures are the sum over the current accepted reports of its units, the county government's own report
apart; a city's the sum of its counties' (each with its government's own report), a province's of its cities'
(``area_totals``). The within-report rules (T3-BALANCE, T3-ROWSUM, T3-OUTCOMES, T4-TOTAL) are linear, so they must
hold for every sum whenever they held per unit: the rules' own identities are checked again here
(``transforms.rules.identities``) for every area, level and scope, and so is the consolidation itself (an area's
'units' figures are the sum of its children's 'all', and 'all' is 'units' + 'own', cell by cell). A failure is a bug
upstream that stops publication.
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


SCOPES = ("units", "own", "all")  # 不含本级, 本级, 含本级 (area_totals.scope, county_totals.scope)
# area → scope → (report_year, the year's format) → summed values
AreaSums = dict[str, dict[str, dict[tuple[int, str], Values]]]


class RollupError(AssertionError):
    """An area's roll-up broke an arithmetic identity: a bug upstream, never published."""


def county_sum(con, year: int | None = None, scope: str = "units", area: str = "") -> dict[tuple[int, str], Values]:
    """(report_year, the year's format) → the county's summed values in ``scope`` (``county_totals``: units 不含本级,
    own 本级, all 含本级), counts as ``int``; ``area``: the county (default: a one-county registry's, '')."""
    return county_sums(con, year, area).get(scope, {})


def county_sums(con, year: int | None = None, area: str = "") -> dict[str, dict[tuple[int, str], Values]]:
    """scope → (report_year, the year's format) → summed values of the county ``area`` (default: a one-county
    registry's, '')."""
    return area_sums(con, area, year).get(area, {})


def area_sums(con, area: str | None = None, year: int | None = None) -> AreaSums:
    """area → scope → (report_year, the year's format) → summed values (``area_totals``), of one area or all; every
    scope in one query of the view."""
    rows = con.execute(
        "SELECT area_code, scope, report_year, format_version, section, row_code, column_code, value FROM area_totals "
        "WHERE (? IS NULL OR area_code = ?) AND (? IS NULL OR report_year = ?)", [area, area, year, year]).fetchall()
    sums: AreaSums = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for code, scope, y, version, section, row, col, value in rows:
        sums[code][scope][(y, version)][(section, row, col)] = value.normalize() if col in DECIMAL_MEASURES else int(
            value)
    return {code: {scope: dict(by) for scope, by in scopes.items()} for code, scopes in sums.items()}


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


def _added(*parts: Values) -> Values:
    out: Values = {}
    for values in parts:
        for key, value in values.items():
            out[key] = out.get(key, 0) + value
    return out


def _differences(got: Values, want: Values) -> list[str]:
    return [f"{'.'.join(key)}: {got.get(key, 0)} != {want.get(key, 0)}" for key in sorted(set(got) | set(want))
            if got.get(key, 0) != want.get(key, 0)]


def consolidation_failures(sums: AreaSums, children: dict[str, list[str]]) -> list[str]:
    """Where an area's figures are not its parts': 'all' ≠ 'units' + 'own', or (an area with areas under it) 'units'
    ≠ the sum of its children's 'all' — cell by cell, every year."""
    bad: list[str] = []
    for area in sorted(set(sums) | set(children)):
        scopes = sums.get(area, {})
        years = sorted({y for by in scopes.values() for y in by} |
                       {y for child in children.get(area, []) for by in sums.get(child, {}).values() for y in by})
        for key in years:
            units, own, every = (scopes.get(s, {}).get(key, {}) for s in SCOPES)
            bad += [f"{area} {key[0]} all != units + own: {d}" for d in _differences(every, _added(units, own))]
            if children.get(area):
                parts = _added(*(sums.get(c, {}).get("all", {}).get(key, {}) for c in children[area]))
                bad += [f"{area} {key[0]} units != its areas' all: {d}" for d in _differences(units, parts)]
    return bad


def check_rollup(con) -> None:
    """Raise :class:`RollupError` when the roll-up of any area (county, city, province) breaks an identity the unit
    reports satisfied, or is not the sum of its parts."""
    sums = area_sums(con)
    children: dict[str, list[str]] = defaultdict(list)
    for code, parent in con.execute("SELECT area_code, parent_code FROM areas WHERE parent_code IS NOT NULL "
                                    "ORDER BY area_code").fetchall():
        children[parent].append(code)
    problems = [
        f"{area or '县'} {year} ({version}, {scope}): {failure}"
        for area, scopes in sorted(sums.items())
        for scope, by_year in sorted(scopes.items())
        for (year, version), values in sorted(by_year.items())
        for failure in identity_failures(values, version)
    ]
    problems += consolidation_failures(sums, children)
    if problems:
        raise RollupError("roll-up breaks the format's arithmetic (a bug): " + "; ".join(problems[:20]))
