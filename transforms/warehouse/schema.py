"""The warehouse's relations, defined once as data: columns, types and their Chinese/English comments.

DDL and every ``COMMENT ON`` statement are generated from :data:`RELATIONS`, so a column cannot exist without its
documentation (``SELECT * FROM duckdb_columns()`` documents the warehouse). The views' SQL (the read models) lives in
``transforms/warehouse/sql/`` (:mod:`.views`); their columns are described here like tables'.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from transforms.format import NARRATIVE, OF_FILE, SEVERITY_ZH, STATUS_ZH, STATUSES, UNIT_TYPE_ZH, current

# 2: arrivals; received_at is when countystats first saw the file. 3: completeness, county_totals and run_summary
# are views (transforms/warehouse/sql/). 4: needs_review and returned; notices; the office's reviews. 5: every form
# (submissions.source_kind, narratives); backfill runs (submissions.backfill, completeness.backfilled). 6: the
# narrative rules: explanations (a unit's 说明, kept for findings that come later), narrative_copies (N-COPY's pairs).
# 7: many counties in one deployment: areas (the tree county → city → province), area_code on units, submissions and
# every relation about a unit's file (AREA_FROM_SUBMISSION); counted_values, area_units, area_totals, area_coverage,
# area_completeness; county_totals, county_coverage and county_unmapped per county. 8: the units' 说明 written on the
# portal (the archive's explanations.jsonl): explanations.source (file | portal)
SCHEMA_VERSION = 8


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str  # "中文 / English"


@dataclass(frozen=True)
class Relation:
    name: str
    comment: str
    columns: tuple[Column, ...]
    kind: str = "table"  # table | view

    def ddl(self) -> str:
        cols = ",\n  ".join(f"{c.name} {c.type}" for c in self.columns)
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  {cols}\n)"

    def comment_statements(self) -> list[str]:
        kind = "VIEW" if self.kind == "view" else "TABLE"
        stmts = [f"COMMENT ON {kind} {self.name} IS {_quote(self.comment)}"]
        stmts += [f"COMMENT ON COLUMN {self.name}.{c.name} IS {_quote(c.comment)}" for c in self.columns]
        return stmts


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _zh(mapping: dict[str, str], exclude: str | None = None) -> str:
    """code 中文 pairs from the format's own label tables, so comments never restate a label."""
    return "，".join(f"{code} {text}" for code, text in mapping.items() if code != exclude)


_SECTIONS_ZH = "，".join(f"{s.code} {s.short}" for s in current().sections)
C = Column
_UNIT = (
    C("unit_code", "VARCHAR", "单位代码（名册） / unit code from config/units.csv"),
    C("unit_name", "VARCHAR", "单位名称 / unit name"),
    C("unit_type", "VARCHAR", f"单位类型：{_zh(UNIT_TYPE_ZH)} / unit type"),
)
_AREA = C("area_code", "VARCHAR", "区划代码：单位所属的县（市、区），设区的市人民政府为其市（areas）；只有一个县的名册"
                               "（没有 areas.csv）为空字符串 '' / area code: the unit's county (a city's government: its "
                               "city), see areas; '' in a one-county registry (no areas.csv)")
_AREA_TYPE = C("area_type", "VARCHAR", "区划类型：county 县（市、区），city 设区的市，province 省 / area type")
_REPORT = (
    C("report_year", "INTEGER", "报告年度 / report year"),
    C("format_version", "VARCHAR", "表格格式版本（2019 或 2021） / statutory table format"),
)
_LINEAGE = (
    C("submission_id", "BIGINT", "来源报送文件编号（submissions） / the submission the value comes from"),
    C("source_file", "VARCHAR", "来源文件（收件箱中的路径） / source file as found in the inbox"),
    C("source_cell", "VARCHAR", "来源单元格（工作表!A1） / source cell, Sheet!A1; NULL for derived values"),
)
# what an area's figures cover: how many units count, and by name those that do not, and why
_COVERED = (
    C("units_counted", "BIGINT", "计入的单位数 / units whose report counts"),
    C("missing", "VARCHAR[]", "未报送的单位 / units that sent nothing"),
    C("held", "VARCHAR[]", "待核实的单位（有未说明的提醒） / units held for review (warnings unexplained)"),
    C("returned", "VARCHAR[]", "被退回的单位 / units whose report the office returned"),
    C("rejected", "VARCHAR[]", "未通过的单位（有错误） / units whose report has errors"),
)
# a figure of the consolidated tables: its year in the format that year is meant for, and its cell
_YEAR_IN_FORMAT = (
    C("report_year", "INTEGER", "报告年度 / report year"),
    C("format_version", "VARCHAR", "该年度应采用的表格格式 / the format the year is meant for"),
)
_TOTALLED_CELL = (
    C("section", "VARCHAR", f"表格代码：{_SECTIONS_ZH} / table code"),
    C("row_code", "VARCHAR", "行代码 / row code"),
    C("column_code", "VARCHAR", "列代码 / column code"),
)
_VALUE = C("value", "DOUBLE", "数值；空白单元格为 NULL（不是 0） / value; NULL = left blank (not 0)")


# the *_cells views, one per table: section code → (row column, column column, the table's name in English)
_CELL_VIEW_AXES = {
    "proactive": (C("row_code", "VARCHAR", "行代码（见 annual-report-format.md） / row code"),
                  C("measure_code", "VARCHAR", "指标代码 / measure code"), "table 2, proactive disclosure"),
    "requests": (C("row_code", "VARCHAR", "行代码 / row code"),
                 C("applicant_code", "VARCHAR", "申请人类型代码 / applicant code"), "table 3, requests"),
    "review_litigation": (C("proceeding_code", "VARCHAR", "程序代码 / proceeding code"),
                          C("result_code", "VARCHAR", "结果代码 / result code"), "table 4, review and litigation"),
}


def _cells_view(code: str, row: Column, col: Column, english: str) -> Relation:
    section = current().section(code)
    title = section.title.text.partition("、")[2]  # the printed title without its 二、 numbering
    comment = f"{section.short} {title}：现行通过的报告 / {english}: current accepted reports"
    return Relation(f"{code}_cells", comment, (*_UNIT, _AREA, *_REPORT, row, col, _VALUE, *_LINEAGE), kind="view")


RELATIONS: tuple[Relation, ...] = (
    Relation(
        "meta",
        "数据仓库元数据（模式版本、最近一次运行） / warehouse metadata: schema version, last run",
        (C("key", "VARCHAR PRIMARY KEY", "键 / key"), C("value", "VARCHAR", "值 / value")),
    ),
    Relation(
        "format_cells",
        "每种表格格式的每个单元格及其栏目名称（来自格式定义） / every cell of every format, with its labels as printed",
        (
            C("format_version", "VARCHAR", "表格格式 / format"),
            C("section", "VARCHAR", "表格代码 / table code"),
            C("row_code", "VARCHAR", "行代码 / row code"),
            C("column_code", "VARCHAR", "列代码 / column code"),
            C("row_label", "VARCHAR", "行的栏目名称 / the row's label"),
            C("column_label", "VARCHAR", "列的栏目名称 / the column's label"),
            C("unit", "VARCHAR", "单位（件、项、万元） / unit"),
            C("derived", "BOOLEAN", "由下级各项相加得出，不单独填写 / the sum of its children, not filled in"),
        ),
    ),
    Relation(
        "units",
        "单位名册：每个报送单位一行 / unit registry, one row per unit",
        (
            *_UNIT,
            _AREA,
            C("aliases", "VARCHAR", "别名，以 | 分隔 / other names, separated by |"),
            C("active_from", "INTEGER", "起始报告年度（空 = 不限） / first report year expected (NULL = open)"),
            C("active_to", "INTEGER", "截止报告年度（空 = 不限） / last report year expected (NULL = open)"),
        ),
    ),
    Relation(
        "areas",
        "区划：县（市、区）→ 设区的市 → 省，每个区划一行（config/areas.csv）；只有一个县的名册（没有 areas.csv）有一行隐含的"
        "县：区划代码和名称都为空字符串 / the area tree, one row per area of config/areas.csv; a one-county registry "
        "(no areas.csv) has one implicit county with code and name ''",
        (
            C("area_code", "VARCHAR PRIMARY KEY", "区划代码 / area code"),
            C("area_name", "VARCHAR", "区划名称 / area name"),
            _AREA_TYPE,
            C("parent_code", "VARCHAR", "上级区划代码（最上级为 NULL） / the area above it (NULL: a root)"),
            C("depth", "INTEGER", "层级：最上级为 0，往下每级加 1 / 0 for a root, one more each level down"),
            C("path", "VARCHAR[]", "从最上级到本区划的区划代码（含本区划），用于逐级汇总 / the codes from the root down to "
                                   "the area itself: every area it rolls up into"),
        ),
    ),
    Relation(
        "submissions",
        "收到的报送文件：每个文件（按 sha256 去重）一行，含历史版本 / one row per received file (by sha256), history kept",
        (
            C("submission_id", "BIGINT PRIMARY KEY", "报送文件编号 / submission id"),
            C("unit_code", "VARCHAR", "单位代码（未识别为 NULL） / unit code (NULL if not identified)"),
            C("unit_name", "VARCHAR", "单位名称 / unit name"),
            C("unit_type", "VARCHAR", "单位类型 / unit type"),
            C("area_code", "VARCHAR", "区划代码：单位所属区划（随名册更新）；未识别单位时为文件所在收件箱文件夹的区划"
                                      "（inbox/<区划代码>/…），再不知道为 NULL；只有一个县的名册为 '' / the unit's area "
                                      "(kept up to date with the registry); for a file whose unit is not identified, "
                                      "the area of the inbox folder it came in, else NULL; '' in a one-county registry. "
                                      "findings, cell_values, narratives, explanations and reviews reach it through "
                                      "submission_id, arrivals through sha256"),
            *_REPORT,
            C("source_file", "VARCHAR", "收件箱中的原始路径 / path of the file in the inbox"),
            C("source_kind", "VARCHAR", "文件形式：workbook 工作簿，word Word 文档，pdf PDF，html 网页（无法识别为 NULL） / "
                                        "the form the report came in (NULL: not recognised)"),
            C("archive_path", "VARCHAR", "归档副本路径（按 sha256 命名，逐字节相同） / byte-identical archived copy"),
            C("sha256", "VARCHAR UNIQUE", "文件内容的 SHA-256 / SHA-256 of the file's bytes"),
            C("received_at", "TIMESTAMP", "收到时间：countystats 首次见到该文件（门户回执或收件箱扫描），北京时间 / "
                                           "received: when countystats first saw the file (portal receipt or inbox "
                                           "scan), local time; never the file's mtime"),
            C("loaded_at", "TIMESTAMP", "入库时间（北京时间） / loaded into the warehouse, local time"),
            C("run_id", "VARCHAR", "入库的运行编号 / run that loaded it"),
            C("status", "VARCHAR", f"状态：{_zh(STATUS_ZH, exclude='missing')} / status"),
            C("is_current", "BOOLEAN", "是否为该单位该年度的现行报告（最新通过的一份） / the unit-year's current accepted report"),
            C("is_late", "BOOLEAN", "是否逾期（P-LATE） / first accepted submission after the deadline"),
            C("error_count", "INTEGER", "错误数 / number of errors"),
            C("warning_count", "INTEGER", "提醒数 / number of warnings"),
            C("notice_count", "INTEGER", "提示数 / number of notices"),
            C("backfill", "BOOLEAN", "往年补录：由补录运行收入的已发布报告，收到时间不说明是否逾期 / taken in by a "
                                     "backfill run: a published report of a past year, its receipt says nothing about "
                                     "lateness"),
        ),
    ),
    Relation(
        "narratives",
        "报告正文：总体情况、存在的主要问题及改进情况、其他需要报告的事项，每份文件每部分一行（Word、PDF、网页） / the "
        "narrative of a report, one row per part found (Word, PDF, HTML)",
        (
            C("submission_id", "BIGINT", "报送文件编号 / submission id"),
            C("section", "VARCHAR", "部分：" + "，".join(f"{p.code} {p.label.text}" for p in NARRATIVE) + " / part"),
            C("text", "VARCHAR", "原文 / the text as written"),
            C("source", "VARCHAR", "在文件中的位置（第2页–第3页、第5段–第12段） / where it is in the file"),
        ),
    ),
    Relation(
        "narrative_copies",
        "内容雷同（N-COPY）：报告的一部分与另一份报告相应部分几乎相同，每条发现一行 / N-COPY: a part of a report "
        "nearly the same as the same part of another report, one row per finding",
        (
            C("submission_id", "BIGINT", "报送文件编号 / submission id"),
            C("section", "VARCHAR", "部分：problems 存在的主要问题及改进情况，other 其他需要报告的事项 / part"),
            C("other_submission_id", "BIGINT", "相似的另一份报告 / the other report"),
            C("similarity", "DOUBLE", "去掉单位名称、年份、数字和标点后的文字相似度（0–1） / similarity of the texts "
                                      "after removing names, years, numbers and punctuation, 0–1"),
        ),
    ),
    Relation(
        "explanations",
        "单位对提醒的说明（文件中的“说明”表或段落，或在门户上填写的，每个规则每种来源一行），后来才出现的提醒（如内容雷同）"
        "也据此说明 / the unit's 说明 of warnings, one row per rule and source (its file, or the portal), also for "
        "findings that arise later (N-COPY when the other report comes in)",
        (
            C("submission_id", "BIGINT", "报送文件编号 / submission id"),
            C("rule", "VARCHAR", "规则编号 / rule id"),
            C("text", "VARCHAR", "说明 / the explanation"),
            C("source", "VARCHAR", "来源：file 报送文件中的“说明”表或段落，portal 单位在门户上填写（来自归档中的说明记录，"
                                   "重建后仍在）；同一规则两者都有时，以门户填写的为准（findings.explanation） / where it "
                                   "came from: file (a 说明 sheet or lines in the file), portal (written on the portal, "
                                   "from the archive's journal: it survives a rebuild); where both explain a rule, the "
                                   "portal's holds (findings.explanation)"),
        ),
    ),
    Relation(
        "reviews",
        "县政府办公室的审核决定（来自归档中的审核记录，重建后仍在） / the county office's review decisions, from the "
        "archive's journal (they survive a rebuild)",
        (
            C("submission_id", "BIGINT", "报送文件编号 / submission id"),
            C("sha256", "VARCHAR", "文件内容的 SHA-256 / SHA-256 of the file"),
            C("action", "VARCHAR", "决定：accept 接受提醒，return 退回，reopen 撤销决定 / accept, return or reopen"),
            C("reason", "VARCHAR", "理由 / why"),
            C("decided_by", "VARCHAR", "决定人 / who decided"),
            C("decided_at", "TIMESTAMP", "决定时间（北京时间） / when, local time"),
        ),
    ),
    Relation(
        "arrivals",
        "每次到达：同一文件以不同文件名再次收到也记录（来自归档清单） / every arrival of a file under a name, "
        "also byte-identical files sent again (from the archive's manifest)",
        (
            C("sha256", "VARCHAR", "文件内容的 SHA-256（对应 submissions.sha256） / SHA-256, joins submissions"),
            C("source_file", "VARCHAR", "到达时的文件名（可读形式） / the name it arrived under, readable"),
            C("source_file_b64", "VARCHAR", "文件名的原始字节（base64；与可读形式不同时才有，如 GBK 文件名） / "
                                            "the name's exact bytes, base64, where they differ from the readable form"),
            C("received_at", "TIMESTAMP", "以该文件名首次收到的时间 / when it first arrived under this name"),
            C("archive_path", "VARCHAR", "归档副本路径 / the archived copy"),
        ),
    ),
    Relation(
        "findings",
        "校验发现：每条问题一行 / validation findings, one row per finding",
        (
            C("submission_id", "BIGINT", "报送文件编号 / submission id"),
            C("finding_no", "INTEGER", "该文件内的序号 / number within the submission"),
            C("rule", "VARCHAR", "规则编号（见 validation-rules.md） / rule id"),
            C("severity", "VARCHAR", f"严重程度：{_zh(SEVERITY_ZH)} / severity"),
            C("section", "VARCHAR", f"表格代码：{_SECTIONS_ZH}；正文的部分：problems、other（N-PROBLEMS、N-COPY） / "
                                    "table code, or the narrative's part"),
            C("row_code", "VARCHAR", "行代码 / row code"),
            C("column_code", "VARCHAR", "列代码 / column code"),
            C("cell", "VARCHAR", "单元格：工作表!A1，Word/网页 表格2!R5C3，PDF 第3页!R5C3 / cell: Sheet!A1, "
                                 "表格2!R5C3 (Word, HTML: table, row, column), 第3页!R5C3 (PDF: page, row, column)"),
            C("message", "VARCHAR", "中文说明 / message in Chinese"),
            C("expected", "VARCHAR", "应有值（文本） / expected value, as text"),
            C("actual", "VARCHAR", "实际值（文本） / actual value, as text"),
            C("explanation", "VARCHAR", "单位的说明（文件中的“说明”或门户填写的，两者都有时以门户为准；错误不能说明） / the "
                                        "unit's 说明 (from its file or the portal, the portal's where both; never of "
                                        "an error)"),
        ),
    ),
    Relation(
        "cell_values",
        "全部报送文件的全部数值（含历史与退回文件），数据血缘 / every value of every submission: lineage",
        (
            C("submission_id", "BIGINT", "报送文件编号 / submission id"),
            C("section", "VARCHAR", "表格代码 / table code"),
            C("row_code", "VARCHAR", "行代码 / row code"),
            C("column_code", "VARCHAR", "列代码 / column code"),
            _VALUE,
            C("is_blank", "BOOLEAN", "单元格是否空白 / the cell was blank"),
            C("source_cell", "VARCHAR", "来源单元格（工作表!A1、表格2!R5C3、第3页!R5C3；派生值为 NULL） / source cell "
                                        "(as findings.cell); NULL for derived"),
            C("raw", "VARCHAR", "规范化之前的原始内容（与数值不同时） / raw content before normalisation, if different"),
        ),
    ),
    *(_cells_view(code, *axes) for code, axes in _CELL_VIEW_AXES.items()),
    Relation(
        "completeness",
        "报送完整性：每个应报单位每年度一行（多县部署中，设区的市人民政府作为市本级也应报） / completeness: one row per "
        "expected unit and report year (in a deployment of many counties, a city's government too: the city's own)",
        (
            C("unit_code", "VARCHAR", "单位代码 / unit code"),
            C("unit_name", "VARCHAR", "单位名称 / unit name"),
            C("unit_type", "VARCHAR", "单位类型 / unit type"),
            _AREA,
            C("report_year", "INTEGER", "报告年度 / report year"),
            C("status", "VARCHAR", f"状态：{_zh(STATUS_ZH, exclude='unreadable')} / status"),
            C("submission_id", "BIGINT", "现行报告的文件编号 / current report's submission id"),
            C("first_received_at", "TIMESTAMP", "首次收到该年度文件的时间 / first file received for the year"),
            C("first_accepted_at", "TIMESTAMP", "首份通过报告的收到时间 / first accepted report received"),
            C("deadline", "DATE", "报送截止日期 / deadline"),
            C("on_time", "BOOLEAN", "截止日期前收到可计入的报告；尚未到截止日期又还没有时、往年补录时为空 / a report "
                                    "that counts was received by the deadline; NULL while the deadline has not passed, "
                                    "and for a backfilled year"),
            C("backfilled", "BOOLEAN", "往年补录：该年度的报告是补录的，或该年度只有补录的报告 / the year's report "
                                       "was backfilled, or the year is known only from a backfill"),
        ),
        kind="view",
    ),
    Relation(
        "counted_values",
        "计入汇总的数字：每份现行可计入报告按其年度格式计的每个单元格（空白按 0，空白的总计按该行之和，其他格式相同栏目并入），"
        "各级汇总数（area_totals）都由此相加 / what each current counted report adds to the figures of its areas, cell "
        "by cell, in the format its year is meant for (a blank counts as 0, a blank 总计 as its row's sum, a report in "
        "another format mapped where the cells are the same): every area_totals figure is a sum of these",
        (
            C("submission_id", "BIGINT", "报送文件编号 / submission id"),
            *_UNIT,
            _AREA,
            C("own_report", "BOOLEAN", "是否为所属区划政府本级的报告（县政府、多县部署中的市政府） / the report of its "
                                       "area's own government (本级: a county's, or a city's in a deployment of many "
                                       "counties)"),
            *_YEAR_IN_FORMAT,
            *_TOTALLED_CELL,
            C("value", "DECIMAL(38,6)", "计入的数：空白按 0，空白的总计按该行之和 / the figure as counted"),
        ),
        kind="view",
    ),
    Relation(
        "area_totals",
        "各级区划的汇总数：县由所辖单位、市由所辖县、省由所辖市逐级汇总，各年度按该年度格式，分不含本级、本级、含本级，精确求和 / "
        "each area's consolidated figures of each year, in the format the year is meant for: a county from its units, a "
        "city from its counties, a province from its cities; without and with the area government's own report, exact",
        (
            C("area_code", "VARCHAR", "区划代码 / area code"),
            _AREA_TYPE,
            *_YEAR_IN_FORMAT,
            C("scope", "VARCHAR", "口径：units 不含本级（县：乡镇、街道、部门；市：所辖各县含县政府本级之和；省：所辖各市含本级之"
                                  "和），own 本级（县政府、市政府自己的报告），all 含本级 / units: without the area "
                                  "government's own report (a county: its townships, subdistricts and departments; a "
                                  "city: its counties' figures with their governments' own reports; a province: its "
                                  "cities' likewise); own: that report; all: both"),
            *_TOTALLED_CELL,
            C("value", "DECIMAL(38,6)", "合计数：空白按 0，空白的总计按该行之和 / the sum; a blank counts as 0, a blank "
                                         "总计 as its row's sum"),
            C("reports", "BIGINT", "计入的报告份数 / how many reports the figure sums"),
        ),
        kind="view",
    ),
    Relation(
        "county_totals",
        "全县汇总数（area_totals 的县一级）：各年度按该年度格式，现行可计入报告之和，分不含本级、本级、含本级，精确求和 / "
        "each county's consolidated figures of each year (area_totals of the counties), in the format that year is "
        "meant for: the sum of the current counted reports, without and with the county government's own report, exact",
        (
            C("area_code", "VARCHAR", "县的区划代码（只有一个县的名册为 ''） / the county's code ('' in a one-county "
                                      "registry)"),
            *_YEAR_IN_FORMAT,
            C("scope", "VARCHAR", "口径：units 不含本级（乡镇、街道、部门），own 县政府本级，all 含本级 / units: "
                                  "without the county government's own report; own: that report; all: both"),
            *_TOTALLED_CELL,
            C("value", "DECIMAL(38,6)", "合计数：空白按 0，空白的总计按该行之和 / the sum; a blank counts as 0, a blank "
                                         "总计 as its row's sum"),
            C("reports", "BIGINT", "计入的报告份数 / how many reports the figure sums"),
        ),
        kind="view",
    ),
    Relation(
        "county_unmapped",
        "采用其他格式的报告中，该年度格式没有的数字（未计入汇总，逐项列出） / what a counted report in another "
        "format holds that its year's format lacks: left out of the totals, listed",
        (
            C("report_year", "INTEGER", "报告年度 / report year"),
            *_UNIT[:2],
            _AREA,
            C("format_version", "VARCHAR", "报告采用的格式 / the report's format"),
            C("year_format", "VARCHAR", "该年度应采用的格式 / the format the year is meant for"),
            C("section", "VARCHAR", "表格代码 / table code"),
            C("row_code", "VARCHAR", "行代码 / row code"),
            C("column_code", "VARCHAR", "列代码 / column code"),
            _VALUE,
        ),
        kind="view",
    ),
    Relation(
        "area_units",
        "各级区划与其下每个应报单位：每个区划（县、市、省）、其下（含本区划）每个应报单位、每年度一行，用于逐级统计与下钻 / "
        "every area with every expected unit under it (itself included), per report year: the drill-down from a "
        "province to its units, and what area_coverage and area_completeness count",
        (
            C("area_code", "VARCHAR", "区划代码（县、市或省） / the area (a county, city or province)"),
            _AREA_TYPE,
            C("report_year", "INTEGER", "报告年度 / report year"),
            *_UNIT,
            C("unit_area_code", "VARCHAR", "单位所属的区划（县；市政府为市） / the unit's own area"),
            C("unit_label", "VARCHAR", "在本区划的名单中显示的名称：上级区划的名单中加县名（清河县·城关镇；政府名称本身已含区划） / the "
                                       "unit's name as an area's lists show it: with its county in the lists of the "
                                       "areas above (a government's name already says its area)"),
            C("own_report", "BOOLEAN", "是否为本区划政府本级 / whether it is this area's own government (本级)"),
            C("status", "VARCHAR", f"状态（同 completeness）：{_zh(STATUS_ZH, exclude='unreadable')} / status, as in "
                                   "completeness"),
            C("on_time", "BOOLEAN", "按时（同 completeness） / on time, as in completeness"),
            C("backfilled", "BOOLEAN", "往年补录（同 completeness） / backfilled, as in completeness"),
        ),
        kind="view",
    ),
    Relation(
        "area_coverage",
        "各级区划各年度汇总数的覆盖范围：应报、计入，以及未报送、待核实、退回、未通过的单位（县以上加县名） / what each "
        "area's figures of each year cover: units expected and counted, and those missing, held, returned or rejected "
        "(named with their county above the county level)",
        (
            C("area_code", "VARCHAR", "区划代码 / area code"),
            _AREA_TYPE,
            C("report_year", "INTEGER", "报告年度 / report year"),
            C("units_expected", "BIGINT", "应报单位数（不含本级；市、省含所辖县的县政府） / units expected, the area's own "
                                          "government apart (a city's include its counties' governments)"),
            *_COVERED,
            C("own_counted", "BOOLEAN", "本级报告是否计入 / whether the area government's own report counts"),
            C("other_format", "VARCHAR[]", "采用其他格式报告的单位 / units whose report is in another format"),
        ),
        kind="view",
    ),
    Relation(
        "county_coverage",
        "各年度全县数字的覆盖范围（area_coverage 的县一级）：应报、计入，以及未报送、待核实、退回、未通过的单位 / what "
        "each year's county figures cover (area_coverage of the counties): units expected and counted, and those "
        "missing, held, returned or rejected",
        (
            C("area_code", "VARCHAR", "县的区划代码（只有一个县的名册为 ''） / the county's code ('' in a one-county "
                                      "registry)"),
            C("report_year", "INTEGER", "报告年度 / report year"),
            C("units_expected", "BIGINT", "应报单位数（不含县政府本级） / units expected, the county government apart"),
            *_COVERED,
            C("own_counted", "BOOLEAN", "县政府本级报告是否计入 / whether the county government's own report counts"),
            C("other_format", "VARCHAR[]", "采用其他格式报告的单位 / units whose report is in another format"),
        ),
        kind="view",
    ),
    Relation(
        "area_completeness",
        "各级区划的报送完整性与及时性：每个区划每年度一行，逐级汇总（市的数为所辖各县之和，另列本级） / completeness and "
        "timeliness per area and report year, rolled up (a city's counts are its counties' together; its own "
        "government apart)",
        (
            C("area_code", "VARCHAR", "区划代码 / area code"),
            _AREA_TYPE,
            C("parent_code", "VARCHAR", "上级区划代码（按上级筛选即得所辖各区划的对比） / the area above it: filter on it "
                                        "to compare the areas under one"),
            C("report_year", "INTEGER", "报告年度 / report year"),
            C("units_expected", "BIGINT", "应报单位数（不含本级） / units expected, the area's own government apart"),
            C("units_reported", "BIGINT", "已报送的单位数（收到过文件） / units that sent a file"),
            C("units_counted", "BIGINT", "计入的单位数（通过） / units whose report counts"),
            C("on_time", "BIGINT", "按时报送且计入的单位数 / counted units whose report came by the deadline"),
            C("late", "BIGINT", "逾期报送但已计入的单位数 / counted units whose first counted report came late"),
            C("held", "BIGINT", "待核实的单位数 / units held for review"),
            C("returned", "BIGINT", "被退回的单位数 / units whose report was returned"),
            C("rejected", "BIGINT", "未通过的单位数 / units whose report has errors"),
            C("missing", "BIGINT", "未报送的单位数 / units that sent nothing"),
            C("own_status", "VARCHAR", "本级报告的状态（没有本级单位的区划为 NULL） / the status of the area government's "
                                       "own report (NULL: no such unit registered)"),
        ),
        kind="view",
    ),
    Relation(
        "run_summary",
        "每次运行入库的文件：按状态计数 / what each run loaded: files by status",
        (
            C("run_id", "VARCHAR", "运行编号 / run id"),
            C("loaded_at", "TIMESTAMP", "入库时间（北京时间） / loaded, local time"),
            C("files", "BIGINT", "文件数 / files"),
            *(C(code, "BIGINT", f"{STATUSES[code].name_zh} / {code}") for code in OF_FILE),
            C("errors", "HUGEINT", "错误数 / errors"),
            C("warnings", "HUGEINT", "提醒数 / warnings"),
        ),
        kind="view",
    ),
)

# every relation about a unit's file carries its area too (interfaces.md, "Many counties": every relation carries
# area_code), copied from its submission at each load (transforms.warehouse.loading: spread_areas), so an analyst
# filters any of them by county without a join. relation → the column it reaches its submission by.
AREA_FROM_SUBMISSION = {"findings": "submission_id", "cell_values": "submission_id", "narratives": "submission_id",
                        "narrative_copies": "submission_id", "explanations": "submission_id",
                        "reviews": "submission_id", "arrivals": "sha256"}
_AREA_OF_FILE = C("area_code", "VARCHAR", "区划代码：同其报送文件的 submissions.area_code（每次入库时更新） / area "
                                          "code, its submission's (kept up to date at each load)")
RELATIONS = tuple(replace(r, columns=(*r.columns, _AREA_OF_FILE)) if r.name in AREA_FROM_SUBMISSION else r
                  for r in RELATIONS)
BY_NAME = {r.name: r for r in RELATIONS}
# the tables ensure_schema fills from the format definition (not loaded from files)
FORMAT_TABLES = ("format_cells",)
CELL_VIEWS = {  # section code → (view, row column name, column column name)
    code: (f"{code}_cells", row.name, col.name) for code, (row, col, _english) in _CELL_VIEW_AXES.items()
}
