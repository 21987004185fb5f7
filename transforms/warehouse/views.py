"""The warehouse's read models: one ``.sql`` file each in ``sql/``, rendered with the lists the format declares.

    cells.sql             the *_cells views (one per table) of the current accepted reports
    completeness.sql      one row per expected unit and report year: status and timeliness
    counted_values.sql    what each counted report adds to its areas' figures, cell by cell, in its year's format
    area_totals.sql       every area's consolidated figures (county, city, province), exact (不含本级/本级/含本级)
    county_totals.sql     the counties' rows of area_totals
    county_unmapped.sql   what a report in another format holds that its year's format lacks (never silently dropped)
    area_units.sql        every area with every expected unit under it: the drill-down, what coverage counts
    area_coverage.sql     what each area's figures cover: units counted, missing, held, returned, rejected
    county_coverage.sql   the counties' rows of area_coverage
    area_completeness.sql completeness and timeliness per area, rolled up
    run_summary.sql       what each run loaded

Each file says at its top which placeholders it takes; the values are code lists from ``transforms.format`` (unit
types, statuses, the undivided rows of each format), so the SQL never spells a version or a unit type.
:func:`statements` is what ``ensure_schema`` runs; the columns are documented in :mod:`.schema`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from transforms.format import COUNTED, FORMATS, OF_FILE, OF_UNIT_YEAR, TOTAL, ordered, sql_list, unit_types
from transforms.format.facts import GOVERNMENT_OF_AREA

SQL_DIR = Path(__file__).resolve().parent / "sql"


def _sql(name: str, **params: str) -> str:
    """The file's statement with its placeholders filled (its comments, which name the placeholders, left out)."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--")).format(**params)


def _target(year: str = "report_year") -> str:
    """The format a row's ``report_year`` (or the column ``year``) is meant for (``transforms.format.for_year``), as
    SQL."""
    *newer, oldest = ordered(newest_first=True)
    cases = "".join(f" WHEN {year} >= {f.meant_for_years[0]} THEN '{f.version}'" for f in newer)
    return f"(CASE{cases} ELSE '{oldest.version}' END)" if newer else f"'{oldest.version}'"


def _undivided() -> tuple[str, str]:
    """(window columns, extra rows) for counted_values: where the year's format derives a row from children and a
    report printed that row undivided (its children all blank in a column, or absent: an older format), the figure
    also counts under the child the year's format names, so the year's identities hold for the sum."""
    rows = [(f.version, s.code, code, s.children(code), s.row_by_code[code].undivided_into)
            for f in FORMATS.values() for s in f.sections for code in s.derived_rows
            if s.row_by_code[code].undivided_into]
    windows = "".join(
        f""",
        count(v.value) FILTER (WHERE v.section = '{s}' AND v.row_code IN {sql_list(kids)})
            OVER (PARTITION BY v.submission_id, v.section, v.column_code) = 0 AS kids_blank_{i}"""
        for i, (_v, s, _row, kids, _into) in enumerate(rows))
    extra = "".join(
        f"""
    UNION ALL SELECT submission_id, report_year, target, section, '{into}', column_code, v FROM valued
    WHERE target = '{version}' AND section = '{s}' AND row_code = '{row}' AND kids_blank_{i}"""
        for i, (version, s, row, _kids, into) in enumerate(rows))
    return windows, extra


def _government(area: str, unit: str) -> str:
    """Whether the unit (alias ``unit``) is the government of its area (alias ``area``, a row of ``areas``), whose
    report is the area's own (本级): ``GOVERNMENT_OF_AREA``, as SQL."""
    cases = "".join(f" WHEN '{kind}' THEN {unit}.unit_type IN {sql_list(types)}"
                    for kind, types in GOVERNMENT_OF_AREA.items())
    return f"coalesce(CASE {area}.area_type{cases} ELSE false END, false)"


def unit_label(unit: str, area: str) -> str:
    """SQL of a unit's name as lists show it: with its county before it (清河县·大营镇) where the deployment has
    several counties (every county has its 大营镇), plain otherwise and for a government (its name says its area),
    as area_units.sql labels them. ``unit``: the alias of a relation with ``unit_name`` and ``unit_type``; ``area``:
    of ``areas`` joined on the unit's area_code."""
    return (f"CASE WHEN (SELECT count(*) FROM areas WHERE area_type = 'county') > 1 AND {area}.area_type = 'county' "
            f"AND NOT {_government(area, unit)} THEN {area}.area_name || '·' || {unit}.unit_name "
            f"ELSE {unit}.unit_name END")


def format_cells() -> list[tuple]:
    """The rows of ``format_cells``: every cell of every format, with its labels as printed."""
    return [(f.version, s.code, r, c, s.row_by_code[r].title, s.measure(r, c).title, s.measure(r, c).unit,
             s.row_by_code[r].derived) for f in FORMATS.values() for s in f.sections for r, c in s.cells()]


@lru_cache(maxsize=1)
def statements() -> tuple[str, ...]:
    """Every read model's CREATE OR REPLACE VIEW, in dependency order."""
    from transforms.warehouse.schema import CELL_VIEWS

    counted = sql_list(COUNTED)
    cells = tuple(_sql("cells", view=view, section=section, row_col=row_col, col_col=col_col, counted=counted)
                  for section, (view, row_col, col_col) in CELL_VIEWS.items())
    windows, extra = _undivided()
    target = _target()
    expected = sql_list(unit_types(expected=True))
    totalled = tuple(dict.fromkeys(s.code for f in FORMATS.values() for s in f.sections if s.total))
    by_status = ", ".join(f"count(*) FILTER (WHERE status = '{code}') AS {code}" for code in OF_FILE)
    return (
        *cells,
        _sql("completeness", expected=expected, late=sql_list(unit_types(late_deadline=True)), counted=counted,
             of_unit_year=sql_list(OF_UNIT_YEAR), government=_government("a", "u")),
        _sql("counted_values", counted=counted, expected=expected, government=_government("a", "s"), target=target,
             totalled=sql_list(totalled), total=TOTAL, undivided_windows=windows, undivided_rows=extra),
        _sql("area_totals"),
        _sql("county_totals"),
        _sql("county_unmapped", counted=counted, expected=expected, target=target, government=_government("a", "s")),
        _sql("area_units", government=_government("a", "c")),
        _sql("area_coverage", counted=counted, target=_target("s.report_year")),
        _sql("county_coverage"),
        _sql("area_completeness", counted=counted),
        _sql("run_summary", by_status=by_status),
    )
