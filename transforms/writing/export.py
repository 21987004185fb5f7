"""`countystats export`: the county's consolidated report for one year, in the statutory layout.

The figures are the sum over the current accepted reports of the county's units (:mod:`transforms.warehouse.rollup`); the
county government's own report is one more unit and is not part of the sum. Read from the published warehouse,
read-only, like any analyst.
"""

from __future__ import annotations

import logging
from pathlib import Path

from transforms.format import FORMATS, REPORT_TITLE, for_year, sql_list, unit_types
from transforms.warehouse.rollup import county_sum, identity_failures

log = logging.getLogger(__name__)
CONSOLIDATED = "全县汇总"


def export_county(year: int, db: str | Path, out: str | Path) -> Path:
    """Write the consolidated report of ``year`` from the warehouse ``db`` to ``out`` (a file, or a folder to put
    it in under its statutory name)."""
    from transforms.warehouse import connect
    from transforms.writing.layouts import write_report

    db_path = Path(db)
    if not db_path.exists():
        raise FileNotFoundError(f"数据仓库不存在：{db_path}（请先运行 countystats run）")
    con = connect(db_path, read_only=True)
    try:
        sums = county_sum(con, year)
        county = con.execute(
            f"SELECT unit_name FROM units WHERE unit_type IN {sql_list(unit_types(own_report=True))} "
            "ORDER BY unit_code LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    version = for_year(year).version
    values = sums.get((year, version))
    if values is None:
        raise LookupError(f"{year}年度没有采用{FORMATS[version].notice}格式的通过报告，无法汇总")
    for (y, other), _ in sums.items():
        if y == year and other != version:
            log.warning("%s: reports in the %s format are not part of the %s-format export", year, other, version)
    problems = identity_failures(values, version)
    if problems:  # the warehouse load checks this too; never write a consolidated report that does not add up
        raise AssertionError(f"county roll-up for {year} does not add up: {problems[:5]}")
    name = f"{county[0] if county else ''}{CONSOLIDATED}"
    target = Path(out)
    if target.is_dir() or not target.suffix:
        target = target / f"{year}年度{name}{REPORT_TITLE}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    fmt = FORMATS[version]
    cells = {key: _number(values.get(key, 0.0)) for key in fmt.cells(include_derived=False)}
    write_report(target, fmt, cells, name, year)
    return target


def _number(value) -> int | float:
    """A summed figure for the workbook: counts as integers, amounts in 万元 to four decimals (exact sums)."""
    if value == int(value):
        return int(value)
    return float(round(value, 4))
