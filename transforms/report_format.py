"""The statutory annual report format, defined once, as data.

Everything else — the reader, the validation rules, blank templates, DuckDB labels, dashboards — derives from the
objects below. Codes are the stable identifiers of ``shared/spec/annual-report-format.md``; labels are verbatim from
the State Council General Office notices (国办公开办函〔2019〕60号 and 〔2021〕30号).

Label *variants* listed here are those that normalisation (``transforms.labels.normalise``) cannot undo by itself:
real typos and older wording. Bracket width, numbering punctuation, spaces, line breaks and traditional characters
are handled by normalisation for every label alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

SECTIONS = ("proactive", "requests", "review_litigation")


@dataclass(frozen=True)
class Label:
    """A label as printed, plus the variants seen in real reports."""

    text: str
    variants: tuple[str, ...] = ()

    @property
    def all_texts(self) -> tuple[str, ...]:
        return (self.text, *self.variants)


@dataclass(frozen=True)
class Measure:
    """A column of a table (proactive measure, applicant type, or review/litigation result)."""

    code: str
    label: Label
    parent: Label | None = None  # merged header above, e.g. 法人或其他组织
    unit: str = "件"
    decimal: bool = False  # amounts in 万元 may carry decimals
    signed: bool = False  # 2019 本年增/减 may be negative

    @property
    def title(self) -> str:
        return f"{self.parent.text}·{self.label.text}" if self.parent else self.label.text


@dataclass(frozen=True)
class Row:
    """A row of a table. ``group`` is the vertically merged parent label (e.g. （三）不予公开)."""

    code: str
    label: Label
    group: Label | None = None
    derived: bool = False  # not printed as its own row in this format (2021 other_total)
    leaf_outcome: bool = False  # one of the mutually exclusive 办理结果 rows summed by （七）总计

    @property
    def title(self) -> str:
        # numbered sub-rows (1.属于国家秘密) only make sense with their group: （三）不予公开 1.属于国家秘密
        if self.group and self.label.text[:1].isdigit():
            return f"{self.group.text}{self.label.text}"
        return self.label.text


@dataclass(frozen=True)
class Block:
    """A block of table 二: header 第二十条第（X）项, then 信息内容 + measures, then rows."""

    article: Label
    measures: tuple[Measure, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Section:
    code: str
    number: str  # 二 / 三 / 四
    title: Label
    anchor: Label  # a label that marks where the table starts (first header cell)
    rows: tuple[Row, ...]
    columns: tuple[Measure, ...] = ()  # the grid columns (requests, review_litigation)
    blocks: tuple[Block, ...] = ()  # proactive only: each row has its block's own measures
    column_header: Label | None = None  # the label spanning the columns (申请人情况)
    corner_note: Label | None = None

    @property
    def short(self) -> str:
        return f"表{self.number}"

    def measures_of(self, row_code: str) -> tuple[Measure, ...]:
        if self.blocks:
            for block in self.blocks:
                if any(r.code == row_code for r in block.rows):
                    return block.measures
            raise KeyError(row_code)
        return self.columns

    def cells(self, include_derived: bool = True) -> list[tuple[str, str]]:
        """Every (row_code, column_code) of this section, in reading order."""
        return [
            (row.code, m.code)
            for row in self.rows
            if include_derived or not row.derived
            for m in self.measures_of(row.code)
        ]

    @cached_property
    def row_by_code(self) -> dict[str, Row]:
        return {r.code: r for r in self.rows}

    @cached_property
    def column_by_code(self) -> dict[str, Measure]:
        cols = {m.code: m for b in self.blocks for m in b.measures} if self.blocks else {}
        cols.update({m.code: m for m in self.columns})
        return cols

    def measure(self, row_code: str, column_code: str) -> Measure:
        for m in self.measures_of(row_code):
            if m.code == column_code:
                return m
        raise KeyError((row_code, column_code))

    def describe(self, row_code: str, column_code: str | None = None) -> str:
        """Chinese description of a cell for messages: 表三 “（二）部分公开” × “商业企业”."""
        text = f"{self.short} “{self.row_by_code[row_code].title}”"
        if column_code:
            text += f" × “{self.measure(row_code, column_code).label.text}”"
        return text


@dataclass(frozen=True)
class ReportFormat:
    version: str
    notice: str
    sections: tuple[Section, ...]
    meant_for_years: tuple[int, int | None]
    leaf_outcomes: tuple[str, ...] = field(default=())

    def section(self, code: str) -> Section:
        for s in self.sections:
            if s.code == code:
                return s
        raise KeyError(code)

    def cells(self, include_derived: bool = True) -> list[tuple[str, str, str]]:
        return [(s.code, r, c) for s in self.sections for r, c in s.cells(include_derived)]


# ---------------------------------------------------------------- shared pieces

L = Label
JIAN = "件"

ARTICLE_1 = L("第二十条第（一）项")
ARTICLE_5 = L("第二十条第（五）项")
ARTICLE_6 = L("第二十条第（六）项")
ARTICLE_8 = L("第二十条第（八）项")
ARTICLE_9 = L("第二十条第（九）项")

ORG = L("法人或其他组织")
APPLICANTS = (
    Measure("natural_person", L("自然人")),
    Measure("commercial", L("商业企业"), ORG),
    Measure("research", L("科研机构"), ORG),
    Measure("public_interest", L("社会公益组织"), ORG),
    Measure("legal_services", L("法律服务机构"), ORG),
    Measure("other_org", L("其他"), ORG),
    Measure("total", L("总计")),
)
APPLICANT_CODES = tuple(m.code for m in APPLICANTS if m.code != "total")

RESULT = L("三、本年度办理结果", ("三、本年度办理结果情况",))
WITHHELD = L("（三）不予公开")
UNAVAILABLE = L("（四）无法提供")
NOT_PROCESSED = L("（五）不予处理")
OTHER = L("（六）其他处理")


def _outcome(code: str, text: str, group: Label | None, *variants: str) -> Row:
    return Row(code, L(text, variants), group, leaf_outcome=True)


_COMMON_OUTCOMES = (
    _outcome("granted", "（一）予以公开", RESULT),
    _outcome("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", RESULT, "（二）部分公开"),
    _outcome("withheld_state_secret", "1.属于国家秘密", WITHHELD),
    _outcome("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开", WITHHELD, "2.其他法律行政止公开"),
    _outcome("withheld_security_stability", "3.危及“三安全一稳定”", WITHHELD, "3.危及\"三安全一稳定\"", "3.危及三安全一稳定"),
    _outcome("withheld_third_party", "4.保护第三方合法权益", WITHHELD),
    _outcome("withheld_internal_affairs", "5.属于三类内部事务信息", WITHHELD),
    _outcome("withheld_process_info", "6.属于四类过程性信息", WITHHELD),
    _outcome("withheld_enforcement_file", "7.属于行政执法案卷", WITHHELD),
    _outcome("withheld_admin_inquiry", "8.属于行政查询事项", WITHHELD),
    _outcome("unavailable_not_held", "1.本机关不掌握相关政府信息", UNAVAILABLE),
    _outcome("unavailable_needs_creation", "2.没有现成信息需要另行制作", UNAVAILABLE),
    _outcome("unavailable_unclear", "3.补正后申请内容仍不明确", UNAVAILABLE),
    _outcome("rejected_petition", "1.信访举报投诉类申请", NOT_PROCESSED),
    _outcome("rejected_duplicate", "2.重复申请", NOT_PROCESSED),
    _outcome("rejected_publication", "3.要求提供公开出版物", NOT_PROCESSED),
    _outcome("rejected_excessive", "4.无正当理由大量反复申请", NOT_PROCESSED),
    _outcome("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息", NOT_PROCESSED),
)

_OTHER_2021 = (
    _outcome(
        "other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", OTHER
    ),
    _outcome(
        "other_fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", OTHER
    ),
    _outcome("other_misc", "3.其他", OTHER),
)

NEW_RECEIVED = Row("new_received", L("一、本年新收政府信息公开申请数量"))
CARRIED_OVER = Row("carried_over", L("二、上年结转政府信息公开申请数量"))
CONCLUDED_TOTAL = Row("concluded_total", L("（七）总计"), RESULT)
CARRIED_FORWARD = Row("carried_forward", L("四、结转下年度继续办理"))

CORNER_NOTE = L(
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    ("（本列数据的钩稽关系为：第一项加第二项之和，等于第三项加第四项之和）",),
)


def _requests(other_rows: tuple[Row, ...]) -> Section:
    return Section(
        code="requests",
        number="三",
        title=L("三、收到和处理政府信息公开申请情况"),
        anchor=L("申请人情况"),
        rows=(NEW_RECEIVED, CARRIED_OVER, *_COMMON_OUTCOMES, *other_rows, CONCLUDED_TOTAL, CARRIED_FORWARD),
        columns=APPLICANTS,
        column_header=L("申请人情况"),
        corner_note=CORNER_NOTE,
    )


RESULTS = (
    Measure("upheld", L("结果维持")),
    Measure("corrected", L("结果纠正")),
    Measure("other", L("其他结果")),
    Measure("pending", L("尚未审结")),
    Measure("total", L("总计")),
)
LITIGATION = L("行政诉讼")
REVIEW_LITIGATION = Section(
    code="review_litigation",
    number="四",
    title=L("四、政府信息公开行政复议、行政诉讼情况"),
    anchor=L("行政复议"),
    rows=(
        Row("reconsideration", L("行政复议")),
        Row("litigation_direct", L("未经复议直接起诉"), LITIGATION),
        Row("litigation_after_reconsideration", L("复议后起诉"), LITIGATION),
    ),
    columns=RESULTS,
)

CONTENT = L("信息内容")
PROACTIVE_TITLE = L("二、主动公开政府信息情况")

# ---------------------------------------------------------------- 2021

DECISIONS_2021 = Measure("decisions", L("本年处理决定数量", ("处理决定数量",)))
FORMAT_2021 = ReportFormat(
    version="2021",
    notice="国办公开办函〔2021〕30号",
    meant_for_years=(2021, None),
    sections=(
        Section(
            code="proactive",
            number="二",
            title=PROACTIVE_TITLE,
            anchor=CONTENT,
            rows=(),  # filled below from the blocks
            blocks=(
                Block(
                    ARTICLE_1,
                    (
                        Measure("issued", L("本年制发件数")),
                        Measure("repealed", L("本年废止件数")),
                        Measure("in_force", L("现行有效件数", ("现行有效件",))),
                    ),
                    (Row("rules", L("规章")), Row("normative_docs", L("行政规范性文件", ("规范性文件",)))),
                ),
                Block(ARTICLE_5, (DECISIONS_2021,), (Row("licensing", L("行政许可")),)),
                Block(ARTICLE_6, (DECISIONS_2021,), (Row("penalty", L("行政处罚")), Row("coercion", L("行政强制")))),
                Block(
                    ARTICLE_8,
                    (Measure("amount_wan_yuan", L("本年收费金额（单位：万元）", ("本年收费金额",)), unit="万元", decimal=True),),
                    (Row("fees", L("行政事业性收费")),),
                ),
            ),
        ),
        _requests((*_OTHER_2021, Row("other_total", OTHER, RESULT, derived=True))),
        REVIEW_LITIGATION,
    ),
)

# ---------------------------------------------------------------- 2019

_ITEMS_2019 = (
    Measure("prev_year_items", L("上一年项目数量"), unit="项"),
    Measure("change", L("本年增/减", ("本年增减",)), unit="项", signed=True),
    Measure("decisions", L("处理决定数量", ("本年处理决定数量",))),
)
FORMAT_2019 = ReportFormat(
    version="2019",
    notice="国办公开办函〔2019〕60号",
    meant_for_years=(2019, 2020),
    sections=(
        Section(
            code="proactive",
            number="二",
            title=PROACTIVE_TITLE,
            anchor=CONTENT,
            rows=(),
            blocks=(
                Block(
                    ARTICLE_1,
                    (
                        Measure("new_made", L("本年新制作数量")),
                        Measure("new_published", L("本年新公开数量")),
                        Measure("total_published", L("对外公开总数量")),
                    ),
                    (Row("rules", L("规章")), Row("normative_docs", L("规范性文件"))),
                ),
                Block(
                    ARTICLE_5,
                    _ITEMS_2019,
                    (Row("licensing", L("行政许可")), Row("other_services", L("其他对外管理服务事项"))),
                ),
                Block(ARTICLE_6, _ITEMS_2019, (Row("penalty", L("行政处罚")), Row("coercion", L("行政强制")))),
                Block(ARTICLE_8, _ITEMS_2019[:2], (Row("fees", L("行政事业性收费")),)),
                Block(
                    ARTICLE_9,
                    (
                        Measure("projects", L("采购项目数量"), unit="项"),
                        Measure("amount", L("采购总金额"), unit="", decimal=True),
                    ),
                    (Row("procurement", L("政府集中采购")),),
                ),
            ),
        ),
        _requests((Row("other_total", OTHER, RESULT, leaf_outcome=True),)),
        REVIEW_LITIGATION,
    ),
)


def _with_block_rows(fmt: ReportFormat) -> ReportFormat:
    """Table 二's rows are those of its blocks, in order (kept in one place: the blocks)."""
    sections = tuple(
        Section(**{**s.__dict__, "rows": tuple(r for b in s.blocks for r in b.rows)}) if s.blocks else s
        for s in fmt.sections
    )
    leaves = tuple(r.code for r in fmt.sections[1].rows if r.leaf_outcome)
    return ReportFormat(fmt.version, fmt.notice, sections, fmt.meant_for_years, leaves)


FORMAT_2021 = _with_block_rows(FORMAT_2021)
FORMAT_2019 = _with_block_rows(FORMAT_2019)
FORMATS: dict[str, ReportFormat] = {"2019": FORMAT_2019, "2021": FORMAT_2021}

# 2021's （六）其他处理 is the sum of its three children; 2019 reports it as one row.
OTHER_CHILDREN_2021 = tuple(r.code for r in _OTHER_2021)

SEVERITY_ZH = {"error": "错误", "warning": "提醒"}
STATUS_ZH = {
    "accepted": "通过",
    "accepted_with_warnings": "通过（有提醒）",
    "rejected": "退回",
    "unreadable": "无法读取",
    "missing": "未报送",
}
UNIT_TYPE_ZH = {
    "township": "乡镇",
    "subdistrict": "街道",
    "department": "县直部门",
    "county_government": "县（区）人民政府",
    "city_government": "设区的市人民政府",
}
REPORT_TITLE = "政府信息公开工作年度报告"
# 《政府信息公开条例》 took effect on 1 May 2008: no annual report is for an earlier year
FIRST_REPORT_YEAR = 2008
# No organ reports a billion of anything in a year (nor 10 亿万元 in fees): a larger figure is a typing or a hostile
# value, and the bound keeps every county, city and province sum exact in 64-bit arithmetic.
MAX_VALUE = 10**9

# ---------------------------------------------------------------- around the tables (title block, explanations)

# The row above the tables naming the submitting unit: 填报单位：大营镇人民政府
FILER = Label("填报单位", ("报送单位",))
# A unit's explanations of its warnings: a sheet with rows (rule id, explanation)
EXPLANATIONS_SHEET = "说明"
# Money written with its unit inside the cell (seen: 251000元) and words written for 0 (— / 无)
YUAN = "元"
ZERO_WORDS = ("—", "/", "无")
