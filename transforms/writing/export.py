"""`countystats export`: the county's consolidated report for one year, in the statutory layout.

The figures are the warehouse's one definition of them (``county_totals``, scope ``units``: the current reports that
count of the county's townships, subdistricts and departments, in the format the year is meant for; a unit's report
in another format mapped where the cells are the same). The county government's own report is shown apart. A sheet
汇总说明 says what the figures cover (``county_coverage``): units counted of those expected, by name those missing,
held (待核实), returned or rejected, units in another format and what of theirs could not be mapped, and the main
figures 不含本级 / 本级 / 含本级. Read from the published warehouse, read-only, like any analyst.
"""

from __future__ import annotations

from pathlib import Path

from transforms.format import FORMATS, REPORT_TITLE, for_year, sql_list, unit_types
from transforms.warehouse.rollup import SCOPES, county_sums, identity_failures

CONSOLIDATED = "全县汇总"


COVERAGE_SHEET = "汇总说明"
# the figures shown 不含本级 / 本级 / 含本级 on the 汇总说明 sheet: the quantities the office is asked about first
KEY_FIGURES = (("requests", "new_received", "total"), ("requests", "concluded_total", "total"),
               ("requests", "carried_forward", "total"), ("review_litigation", "reconsideration", "total"),
               ("review_litigation", "litigation_direct", "total"),
               ("review_litigation", "litigation_after_reconsideration", "total"))


def export_county(year: int, db: str | Path, out: str | Path) -> Path:
    """Write the consolidated report of ``year`` from the warehouse ``db`` to ``out`` (a file, or a folder to put
    it in under its statutory name)."""
    from transforms.warehouse import connect
    from transforms.writing.layouts import write_report

    db_path = Path(db)
    if not db_path.exists():
        raise FileNotFoundError(f"数据仓库不存在：{db_path}（请先运行 countystats run）")
    fmt = for_year(year)
    con = connect(db_path, read_only=True)
    try:
        sums = county_sums(con, year)
        scopes = {scope: sums.get(scope, {}).get((year, fmt.version), {}) for scope in SCOPES}
        county = con.execute(
            f"SELECT unit_name FROM units WHERE unit_type IN {sql_list(unit_types(own_report=True))} "
            "ORDER BY unit_code LIMIT 1"
        ).fetchone()
        coverage = con.execute("SELECT units_expected, units_counted, missing, held, returned, rejected, own_counted, "
                               "other_format FROM county_coverage WHERE report_year = ?", [year]).fetchone()
        unmapped = con.execute("SELECT unit_name, format_version, section, row_code, column_code, value "
                               "FROM county_unmapped WHERE report_year = ? ORDER BY unit_code, section, row_code, "
                               "column_code", [year]).fetchall()
    finally:
        con.close()
    values = scopes["units"]
    if not values:
        raise LookupError(f"{year}年度没有可计入的报告（通过的乡镇、街道或部门报告），无法汇总")
    problems = identity_failures(values, fmt.version)
    if problems:  # the warehouse load checks this too; never write a consolidated report that does not add up
        raise AssertionError(f"county roll-up for {year} does not add up: {problems[:5]}")
    name = f"{county[0] if county else ''}{CONSOLIDATED}"
    target = Path(out)
    if target.is_dir() or not target.suffix:
        target = target / f"{year}年度{name}{REPORT_TITLE}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    cells = {key: _number(values.get(key, 0)) for key in fmt.cells(include_derived=False)}
    write_report(target, fmt, cells, name, year)
    _coverage_sheet(target, fmt, year, coverage, unmapped, scopes, county[0] if county else "县政府")
    return target


def coverage_lines(fmt, year: int, coverage, unmapped, own_name: str, whole_county: bool = True) -> list[str]:
    """What the county's figures of ``year`` cover, in sentences (the 汇总说明 sheet; the dashboards say the same).
    ``whole_county=False``: only the sentences about the units counted (for a part of the county, e.g. one unit
    type), without those about the county's figures as a whole and the county government's own report."""
    expected, counted, missing, held, returned, rejected, own_counted, other_format = coverage or (
        0, 0, [], [], [], [], False, [])
    lines = [f"{year}年度全县汇总数为各乡镇（街道）和县直部门现行通过报告之和，不含{own_name}本级报告（本级数字另列于下）。"
             ] if whole_county else []
    lines.append(f"应报单位 {expected} 个，计入 {counted} 个。")
    for label, names in (("未报送", missing), ("待核实（有未说明的提醒，暂不计入）", held), ("被退回", returned),
                         ("未通过（有错误）", rejected)):
        if names:
            lines.append(f"{label}：{'、'.join(names)}（{len(names)} 个）。")
    if whole_county:
        lines.append(f"{own_name}本级报告：{'已计入本级数字' if own_counted else '尚无通过的报告'}。")
    if other_format:
        lines.append(f"采用其他年份格式报告的单位：{'、'.join(other_format)}，相同栏目已按{fmt.notice}格式并入。")
    for unit, version, section, row, column, value in unmapped:
        where = FORMATS[version].section(section).describe(row, column)
        lines.append(f"  未计入（{year}年度格式没有此栏目）：{unit}（{version}年格式）{where} {_number(value)}")
    return lines


def _coverage_sheet(path: Path, fmt, year: int, coverage, unmapped, scopes: dict, own_name: str) -> None:
    """Append the 汇总说明 sheet to the written workbook: coverage, then the main figures 不含本级 / 本级 / 含本级."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font

    from transforms.writing.safe_text import set_text

    wb = load_workbook(path)
    ws = wb.create_sheet(COVERAGE_SHEET)
    ws.column_dimensions["A"].width = 60
    for letter in "BCD":
        ws.column_dimensions[letter].width = 14
    set_text(ws.cell(1, 1), f"{year}年度全县汇总说明")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    r = 3
    for line in coverage_lines(fmt, year, coverage, unmapped, own_name):
        set_text(ws.cell(r, 1), line)
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        r += 1
    r += 1
    for c, text in enumerate(("主要数字", "不含本级", "本级", "含本级"), start=1):
        set_text(ws.cell(r, c), text)
        ws.cell(r, c).font = Font(bold=True)
    for key in KEY_FIGURES:
        if not fmt.has(*key):
            continue
        r += 1
        set_text(ws.cell(r, 1), fmt.section(key[0]).describe(key[1], key[2]))
        for c, scope in enumerate(("units", "own", "all"), start=2):
            ws.cell(r, c).value = _number(scopes[scope].get(key, 0))
    wb.save(path)


def _number(value) -> int | float:
    """A summed figure for the workbook: counts as integers, amounts in 万元 to four decimals (exact sums)."""
    if value == int(value):
        return int(value)
    return float(round(value, 4))
