"""The statutory formats, as data: 国办公开办函〔2019〕60号 and 〔2021〕30号.

Codes are the stable identifiers of ``shared/spec/annual-report-format.md``; labels are verbatim from the notices.
Label *variants* listed here are those that normalisation (``transforms.format.labels.normalise``) cannot undo by
itself: real typos and older wording. Bracket width, numbering punctuation, spaces, line breaks and traditional
characters are handled by normalisation for every label alike.

Adding a format is one more definition here (or in a module named by ``COUNTYSTATS_FORMAT_MODULES``, see
:mod:`transforms.format.versions`) and regenerated suites (``python -m expectations.suites``).
"""

from __future__ import annotations

from transforms.format.model import WAN_YUAN, Block, Label, Measure, ReportFormat, Row, Section, define

# ---------------------------------------------------------------- shared pieces

L = Label

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
                    (Measure("amount_wan_yuan", L("本年收费金额（单位：万元）", ("本年收费金额",)), unit=WAN_YUAN, decimal=True),),
                    (Row("fees", L("行政事业性收费")),),
                ),
            ),
        ),
        _requests((*_OTHER_2021, Row("other_total", OTHER, RESULT, derived=True, undivided_into="other_misc"))),
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


OTHER_CHILDREN_2021 = tuple(r.code for r in _OTHER_2021)  # 2021's （六）其他处理 is derived from these three
FORMAT_2021 = define(FORMAT_2021)
FORMAT_2019 = define(FORMAT_2019)
STATUTORY = (FORMAT_2019, FORMAT_2021)  # oldest first
