"""`countystats export [--area CODE]`: an area's consolidated report for one year, in the statutory layout.

The figures are the warehouse's one definition of them (``area_totals``, scope ``units``, in the format the year is
meant for; a unit's report in another format mapped where the cells are the same): a county's are the current reports
that count of its townships, subdistricts and departments (``county_totals``), a city's the sum of its counties' (each
with its county government's own report), a province's of its cities'. The area government's own report (本级: the
county's, the city's) is shown apart. A sheet 汇总说明 says what the figures cover (``area_coverage``): units counted
of those expected, by name those missing, held (待核实), returned or rejected, units in another format and what of
theirs could not be mapped, and the main figures 不含本级 / 本级 / 含本级. Without ``area``: the deployment's one top
area (a one-county registry's county, exactly as before areas existed). Read from the published warehouse, read-only,
like any analyst.

Two forms, by the suffix of ``out``: a workbook (``.xlsx``, or a folder: the workbook under its statutory name) with
the 汇总说明 sheet; or the report as a Word document (``.docx``) for the office to finish and publish — the same tables
in the statutory layout (:func:`transforms.writing.documents.write_document`, the writer of units' Word reports), 一、
总体情况 drafted from the figures (:func:`transforms.writing.narratives.facts_overview`), 五 and 六 left with the
template's hints, and the 汇总说明 before 一. In both, amounts in 万元 show two decimals.
"""

from __future__ import annotations

from pathlib import Path

from transforms.format import FORMATS, NARRATIVE, REPORT_TITLE, WAN_YUAN, for_year, sql_list
from transforms.format.facts import GOVERNMENT_OF_AREA
from transforms.warehouse.rollup import SCOPES, area_sums, identity_failures

CONSOLIDATED = "全县汇总"
# by area type: the whole area's word (全县汇总, 全市汇总, 全省汇总) and what its 'units' figures are the sum of
LEVEL_ZH = {"county": ("全县", "各乡镇（街道）和县直部门现行通过报告之和"),
            "city": ("全市", "所辖各县（市、区）汇总数之和（含各县级人民政府本级报告）"),
            "province": ("全省", "所辖各市汇总数之和（含各市、县人民政府本级报告）")}


class AreaError(LookupError):
    """The area asked for is not in the warehouse, or none was given where there are several: said in Chinese."""


COVERAGE_SHEET = "汇总说明"
EXPORT_SUFFIXES = (".xlsx", ".docx")
# the figures shown 不含本级 / 本级 / 含本级 on the 汇总说明 sheet: the quantities the office is asked about first
KEY_FIGURES = (("requests", "new_received", "total"), ("requests", "concluded_total", "total"),
               ("requests", "carried_forward", "total"), ("review_litigation", "reconsideration", "total"),
               ("review_litigation", "litigation_direct", "total"),
               ("review_litigation", "litigation_after_reconsideration", "total"))


def export_county(year: int, db: str | Path, out: str | Path, area: str | None = None) -> Path:
    """Write the consolidated report of ``year`` from the warehouse ``db`` to ``out`` (an ``.xlsx`` or ``.docx``
    file, or a folder to put the workbook in under its statutory name): of ``area`` (a county, city or province
    code; None: the deployment's one top area). Raises :class:`AreaError` for an area the warehouse does not know,
    :class:`~transforms.writing.layouts.UnsupportedSuffix` (a ValueError) for a file of another kind."""
    from transforms.warehouse import connect
    from transforms.writing.layouts import UnsupportedSuffix, write_report

    target = Path(out)
    if not target.is_dir() and target.suffix and target.suffix.lower() not in EXPORT_SUFFIXES:
        raise UnsupportedSuffix(f"不支持的导出格式“{target.suffix}”：请用 .xlsx（Excel 工作簿）或 .docx（Word 文档）")
    db_path = Path(db)
    if not db_path.exists():
        raise FileNotFoundError(f"数据仓库不存在：{db_path}（请先运行 countystats run）")
    fmt = for_year(year)
    con = connect(db_path, read_only=True)
    try:
        area, area_name, area_type = _area(con, area)
        sums = area_sums(con, area, year).get(area, {})
        scopes = {scope: sums.get(scope, {}).get((year, fmt.version), {}) for scope in SCOPES}
        government = GOVERNMENT_OF_AREA.get(area_type, ())
        county = con.execute(  # the area's government, whose own report is shown apart (a province has none)
            f"SELECT unit_name FROM units WHERE unit_type IN {sql_list(government)} AND area_code = ? "
            "ORDER BY unit_code LIMIT 1", [area]).fetchone() if government else None
        coverage = con.execute("SELECT units_expected, units_counted, missing, held, returned, rejected, own_counted, "
                               "other_format FROM area_coverage WHERE area_code = ? AND report_year = ?",
                               [area, year]).fetchone()
        unmapped = con.execute(
            "SELECT CASE WHEN m.area_code = ? OR a.area_name = '' THEN m.unit_name ELSE a.area_name || '·' || m.unit_name "
            "END, m.format_version, m.section, m.row_code, m.column_code, m.value "
            "FROM county_unmapped m JOIN areas a USING (area_code) WHERE m.report_year = ? AND list_contains(a.path, ?) "
            "ORDER BY m.area_code, m.unit_code, m.section, m.row_code, m.column_code", [area, year, area]
        ).fetchall()
    finally:
        con.close()
    values = scopes["units"]
    if not values:
        raise LookupError(f"{year}年度没有可计入的报告（通过的乡镇、街道或部门报告），无法汇总")
    problems = identity_failures(values, fmt.version)
    if problems:  # the warehouse load checks this too; never write a consolidated report that does not add up
        raise AssertionError(f"roll-up of {area_name or area or 'the county'} for {year} does not add up: {problems[:5]}")
    whole = LEVEL_ZH[area_type][0]
    name = f"{county[0] if county else ''}{CONSOLIDATED}" if area == "" else f"{area_name}{whole}汇总"
    if target.is_dir() or not target.suffix:
        target = target / f"{year}年度{name}{REPORT_TITLE}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    cells = {key: _number(values.get(key, 0)) for key in fmt.cells(include_derived=False)}
    own_name = county[0] if county else ("县政府" if area_type == "county" else None)
    if target.suffix.lower() == ".docx":
        lines = coverage_lines(fmt, year, coverage, unmapped, own_name, area_type=area_type)
        _word_report(target, fmt, cells, name, year, lines + _key_figure_lines(fmt, scopes, own_name), whole)
        return target
    write_report(target, fmt, cells, name, year)
    _coverage_sheet(target, fmt, year, coverage, unmapped, scopes, own_name, area_type)
    return target


def _key_figure_lines(fmt, scopes: dict, own_name: str | None) -> list[str]:
    """The main figures 不含本级 / 本级 / 含本级, as sentences (the 汇总说明 sheet has them as a table); none for an
    area without a government's own report (a province)."""
    if own_name is None:
        return []
    return [f"{fmt.section(key[0]).describe(key[1], key[2])}：不含本级 {_number(scopes['units'].get(key, 0))}，"
            f"本级 {_number(scopes['own'].get(key, 0))}，含本级 {_number(scopes['all'].get(key, 0))}。"
            for key in KEY_FIGURES if fmt.has(*key)]


def _word_report(path: Path, fmt, cells: dict, name: str, year: int, coverage: list[str], whole: str) -> None:
    """The consolidated report as a Word document in the statutory layout, for the office to finish: the 汇总说明
    first (what the figures cover, to be removed before publishing), 一 drafted from the figures, the three tables,
    五 and 六 with the template's hints. No 填报单位 line: nobody filed a sum."""
    from transforms.writing.documents import write_document
    from transforms.writing.narratives import facts_overview, figure_text

    hints = {part.code: part.hint for part in NARRATIVE}
    money = tuple((key, figure_text(v, measure)) for key, v in cells.items()
                  if (measure := fmt.section(key[0]).measure(key[1], key[2])).unit == WAN_YUAN)
    narrative = {"preamble": "\n".join([f"{COVERAGE_SHEET}（供核对，发布前请删除）：", *coverage]),
                 "overview": facts_overview(fmt, cells, whole), "problems": hints["problems"], "other": hints["other"]}
    write_document(path, fmt, cells, name, year, "word", narrative=narrative, filer="", text_cells=money)


def _area(con, area: str | None) -> tuple[str, str, str]:
    """(code, name, type) of the area to export: ``area``, or the deployment's one top area (a one-county registry:
    its county, code ''); :class:`AreaError` when it is not in the warehouse."""
    areas = {code: (name, kind, parent) for code, name, kind, parent in con.execute(
        "SELECT area_code, area_name, area_type, parent_code FROM areas ORDER BY depth, area_code").fetchall()}
    if area is None:
        roots = [code for code, (_n, _k, parent) in areas.items() if parent is None]
        if len(roots) > 1:
            raise AreaError("本部署有多个最上级区划（" + "、".join(f"{areas[c][0]} {c}" for c in roots) +
                            "），请用 --area 指定要导出的区划代码")
        area = roots[0] if roots else ""
        if not roots:  # nothing loaded yet: the county of a one-county registry, whose year has no reports
            return area, "", "county"
    if area not in areas:
        known = "、".join(f"{name or '（本县）'} {code}" for code, (name, _k, _p) in list(areas.items())[:20])
        raise AreaError(f"区划代码“{area}”不在数据仓库的区划表中" + (f"（现有：{known}）" if known else "（数据仓库还没有区划）"))
    name, kind, _parent = areas[area]
    return area, name, kind


def coverage_lines(fmt, year: int, coverage, unmapped, own_name: str | None, whole_county: bool = True,
                   area_type: str = "county") -> list[str]:
    """What an area's figures of ``year`` cover, in sentences (the 汇总说明 sheet; the dashboards say the same): a
    county's (``area_type``), a city's or a province's; ``own_name``: the area government whose own report is apart
    (None: the area has none, a province). ``whole_county=False``: only the sentences about the units counted (for a
    part of the area, e.g. one unit type), without those about the figures as a whole and the own report."""
    expected, counted, missing, held, returned, rejected, own_counted, other_format = coverage or (
        0, 0, [], [], [], [], False, [])
    whole, parts = LEVEL_ZH[area_type]
    apart = f"，不含{own_name}本级报告（本级数字另列于下）" if own_name else ""
    lines = [f"{year}年度{whole}汇总数为{parts}{apart}。"] if whole_county else []
    lines.append(f"应报单位 {expected} 个，计入 {counted} 个。")
    for label, names in (("未报送", missing), ("待核实（有未说明的提醒，暂不计入）", held), ("被退回", returned),
                         ("未通过（有错误）", rejected)):
        if names:
            lines.append(f"{label}：{'、'.join(names)}（{len(names)} 个）。")
    if whole_county and own_name:
        lines.append(f"{own_name}本级报告：{'已计入本级数字' if own_counted else '尚无通过的报告'}。")
    if other_format:
        lines.append(f"采用其他年份格式报告的单位：{'、'.join(other_format)}，相同栏目已按{fmt.notice}格式并入。")
    for unit, version, section, row, column, value in unmapped:
        where = FORMATS[version].section(section).describe(row, column)
        lines.append(f"  未计入（{year}年度格式没有此栏目）：{unit}（{version}年格式）{where} {_number(value)}")
    return lines


def _coverage_sheet(path: Path, fmt, year: int, coverage, unmapped, scopes: dict, own_name: str | None,
                    area_type: str = "county") -> None:
    """Append the 汇总说明 sheet to the written workbook: coverage, then the main figures 不含本级 / 本级 / 含本级."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font

    from transforms.writing.safe_text import set_text

    wb = load_workbook(path)
    ws = wb.create_sheet(COVERAGE_SHEET)
    ws.column_dimensions["A"].width = 60
    for letter in "BCD":
        ws.column_dimensions[letter].width = 14
    set_text(ws.cell(1, 1), f"{year}年度{LEVEL_ZH[area_type][0]}汇总说明")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    r = 3
    for line in coverage_lines(fmt, year, coverage, unmapped, own_name, area_type=area_type):
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
