"""The warehouse's read models: one ``.sql`` file each in ``sql/``, rendered with the lists the format declares.

    cells.sql           the *_cells views (one per table) of the current accepted reports
    completeness.sql    one row per expected unit and report year: status and timeliness
    county_totals.sql   the county's consolidated figures, exact
    run_summary.sql     what each run loaded

Each file says at its top which placeholders it takes; the values are code lists from ``transforms.format`` (unit
types, statuses, the undivided rows of each format), so the SQL never spells a version or a unit type.
:func:`statements` is what ``ensure_schema`` runs; the columns are documented in :mod:`.schema`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from transforms.format import COUNTED, FORMATS, OF_FILE, OF_UNIT_YEAR, TOTAL, sql_list, unit_types

SQL_DIR = Path(__file__).resolve().parent / "sql"


def _sql(name: str, **params: str) -> str:
    """The file's statement with its placeholders filled (its comments, which name the placeholders, left out)."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--")).format(**params)


def _undivided() -> tuple[str, str]:
    """(window columns, value expression) for county_totals: a derived row printed undivided (its children all
    blank in a column) carries its figure into the child the format names."""
    rows = [(f.version, s.code, code, s.children(code), s.row_by_code[code].undivided_into)
            for f in FORMATS.values() for s in f.sections for code in s.derived_rows
            if s.row_by_code[code].undivided_into]
    windows = "".join(
        f""",
        count(value) FILTER (WHERE section = '{s}' AND row_code IN {sql_list(kids)})
            OVER (PARTITION BY submission_id, section, column_code) = 0 AS kids_blank_{i},
        max(v) FILTER (WHERE section = '{s}' AND row_code = '{row}')
            OVER (PARTITION BY submission_id, section, column_code) AS undivided_{i}"""
        for i, (_v, s, row, kids, _into) in enumerate(rows))
    cases = "".join(f" WHEN format_version = '{v}' AND section = '{s}' AND row_code = '{into}' AND kids_blank_{i}"
                    f" THEN coalesce(undivided_{i}, 0)" for i, (v, s, _row, _kids, into) in enumerate(rows))
    return windows, (f"CASE{cases} ELSE v END" if cases else "v")


@lru_cache(maxsize=1)
def statements() -> tuple[str, ...]:
    """Every read model's CREATE OR REPLACE VIEW, in dependency order."""
    from transforms.warehouse.schema import CELL_VIEWS

    counted = sql_list(COUNTED)
    cells = tuple(_sql("cells", view=view, section=section, row_col=row_col, col_col=col_col, counted=counted)
                  for section, (view, row_col, col_col) in CELL_VIEWS.items())
    windows, value = _undivided()
    totalled = tuple(dict.fromkeys(s.code for f in FORMATS.values() for s in f.sections if s.total))
    by_status = ", ".join(f"count(*) FILTER (WHERE status = '{code}') AS {code}" for code in OF_FILE)
    return (
        *cells,
        _sql("completeness", expected=sql_list(unit_types(expected=True)), late=sql_list(unit_types(late_deadline=True)),
             counted=counted, of_unit_year=sql_list(OF_UNIT_YEAR)),
        _sql("county_totals", counted=counted, excluded=sql_list(unit_types(counts_toward_county=False)),
             totalled=sql_list(totalled), total=TOTAL, undivided_windows=windows, undivided_value=value),
        _sql("run_summary", by_status=by_status),
    )
