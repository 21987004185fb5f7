"""The warehouse's read models: one ``.sql`` file each in ``sql/``, rendered with the lists the format declares.

    cells.sql           the *_cells views (one per table) of the current accepted reports
    completeness.sql    one row per expected unit and report year: status and timeliness
    county_totals.sql   the county's consolidated figures, exact, in the format of their year (不含本级/本级/含本级)
    county_unmapped.sql what a report in another format holds that its year's format lacks (never silently dropped)
    county_coverage.sql what each year's figures cover: units counted, missing, held, returned, rejected
    run_summary.sql     what each run loaded

Each file says at its top which placeholders it takes; the values are code lists from ``transforms.format`` (unit
types, statuses, the undivided rows of each format), so the SQL never spells a version or a unit type.
:func:`statements` is what ``ensure_schema`` runs; the columns are documented in :mod:`.schema`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from transforms.format import COUNTED, FORMATS, OF_FILE, OF_UNIT_YEAR, TOTAL, ordered, sql_list, unit_types

SQL_DIR = Path(__file__).resolve().parent / "sql"


def _sql(name: str, **params: str) -> str:
    """The file's statement with its placeholders filled (its comments, which name the placeholders, left out)."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--")).format(**params)


def _target() -> str:
    """The format a row's ``report_year`` is meant for (``transforms.format.for_year``), as SQL."""
    *newer, oldest = ordered(newest_first=True)
    cases = "".join(f" WHEN report_year >= {f.meant_for_years[0]} THEN '{f.version}'" for f in newer)
    return f"(CASE{cases} ELSE '{oldest.version}' END)" if newer else f"'{oldest.version}'"


def _undivided() -> tuple[str, str]:
    """(window columns, extra rows) for county_totals: where the year's format derives a row from children and a
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
    UNION ALL SELECT submission_id, report_year, target, part, section, '{into}', column_code, v FROM valued
    WHERE target = '{version}' AND section = '{s}' AND row_code = '{row}' AND kids_blank_{i}"""
        for i, (version, s, row, _kids, into) in enumerate(rows))
    return windows, extra


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
    target, own = _target(), sql_list(unit_types(own_report=True))
    expected = sql_list(unit_types(expected=True))
    totalled = tuple(dict.fromkeys(s.code for f in FORMATS.values() for s in f.sections if s.total))
    by_status = ", ".join(f"count(*) FILTER (WHERE status = '{code}') AS {code}" for code in OF_FILE)
    return (
        *cells,
        _sql("completeness", expected=sql_list(unit_types(expected=True)), late=sql_list(unit_types(late_deadline=True)),
             counted=counted, of_unit_year=sql_list(OF_UNIT_YEAR)),
        _sql("county_totals", counted=counted, expected=expected, own=own, target=target, totalled=sql_list(totalled),
             total=TOTAL, undivided_windows=windows, undivided_rows=extra),
        _sql("county_unmapped", counted=counted, expected=expected, target=target),
        _sql("county_coverage", counted=counted, own=own, target=target),
        _sql("run_summary", by_status=by_status),
    )
