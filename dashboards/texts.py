"""The dashboards' own Chinese vocabulary: page names, indicator names, table headers, help text.

Labels of the statutory format (rows, measures, applicants, proceedings, results, outcome groups, statuses, unit
types, rule names) are never written here: they come from ``transforms.format`` and ``transforms.rules``.
What stays here is the wording of the dashboards themselves, kept in one module so it can be reviewed (or moved
next to the format) in one place.
"""

from __future__ import annotations

SITE_TITLE = "政府信息公开工作年度报告 · 统计看板"

# page id -> (menu name, one-line description shown on the index page)
PAGES = {
    "index": ("首页", "各报告年度报送与数据概况"),
    "overview": ("总览", "汇总数（不含本级，与汇总报表一致）和本级政府：本年与上年对比"),
    "proactive": ("主动公开", "各单位主动公开政府信息情况"),
    "requests": ("依申请公开", "各单位收到和处理政府信息公开申请情况"),
    "review": ("复议诉讼", "政府信息公开行政复议、行政诉讼情况"),
    "trends": ("趋势", "历年变化（含2019→2021格式变更标记）"),
    "completeness": ("报送情况", "应报单位的报送状态与及时性"),
    "quality": ("数据质量", "审核发现的问题：按规则、按单位"),
}

YEAR = "报告年度"
UNIT_TYPE = "单位类型"
ALL_TYPES = "全部"
UNIT = "单位"
UNIT_CODE = "单位编码"
SERIES = "系列"
CATEGORY = "类别"
VALUE = "数值"
DOWNLOAD_CSV = "下载本图数据（CSV）"
NO_DATA = "（本筛选条件下无数据）"
DASH = "—"
TOP_N_NOTE = "仅显示数值最大的前{n}个单位（共{total}个），完整数据请下载CSV。"
FILTER_HELP = (
    "页面顶部的“报告年度”和“单位类型”筛选在浏览器内切换已生成的图表和表格，无需联网；"
    "所选条件会带到其他页面。趋势页的“报告年度”表示显示到该年度为止。"
)
PRINT = "打印"
NEEDS_JS = "图表和筛选需要浏览器启用JavaScript（无需联网）。"
# the county and the data's as-of time on every page (header, foot, print): the last run's load, not a file name
FOOTER = "{name} · 数据截至 {loaded}（第{n}次运行） · 生成时间 {at}"
FOOTER_NO_DATA = "{name} · 尚无入库的数据 · 生成时间 {at}"
UNNAMED_AREA = "本县"  # a registry that names neither the area nor its government
PRINT_HEAD = "报告年度：{year} · 单位类型：{type}"
UPTO_YEAR = "截至{year}年"
# tables
SEARCH = "在表中查找（单位、名称、说明…）"
SEARCH_COUNT = "显示 {shown} / {total} 行"
SORT_HELP = "点击按此列排序，再点一次反向"
# chart titles follow the filters: 2024年 · 乡镇：规范性文件（按单位）
CHART_SCOPE = "{year}年 · {scope}：{title}"
CHART_SCOPE_UPTO = "截至{year}年 · {scope}：{title}"
ALL_UNITS = "全部单位"
WHOLE_SCOPE = "{whole}汇总（不含本级）"
TYPE_SUM = "{kind}合计"
ONE_YEAR = "仅一个年度（{year}年）的数据，暂无趋势；各项数字见下图。"
AXIS = "{title}（{unit}）"
FACET_NOTE = "数量级相差较大的指标分图显示，各图纵横轴刻度不同。"
CLICK_UNIT = "点击单位的条形打开该单位的页面。"
UNITS_UNIT = "个"
FINDINGS_UNIT = "条"
AMOUNT_AXIS = "金额"
APPLICANT_AXIS = "申请人类型"
PROCEEDING_AXIS = "程序"
# a rate without cases, or over too few to mean much: never a bare 100.0%
# what each rate counts as its cases (its denominator), for the tiles and the rankings alike
RATE_CASES = {"disclosure": "办结件", "correction": "已审结的行政复议", "dispute": "新收申请"}
RATE_NONE = {key: f"—（无{cases}）" for key, cases in RATE_CASES.items()}
RATE_FEW = "案件不足{n}件，不计比率"
# the quality page's findings: per unit-year folded, one row per table row
FINDINGS_AXIS = "问题数"
FINDINGS_SEARCH = "在问题中查找（单位、规则、说明…）"
FINDINGS_OPEN_ALL = "全部展开"
FINDINGS_CLOSE_ALL = "全部收起"
FINDINGS_LIST = "问题清单（按单位和年度）"
FINDINGS_LIST_NOTE = ("每个单位每个年度一组，有错误的在前，其次是提醒、提示；点击单位一行展开。同一规则在表格同一行的多个单元格"
                      "合为一行，单元格逐个列出。")
FINDINGS_COUNTS = "{n}条：{parts}"
FILE_LINE = "文件：{file}"
CELLS_MORE = "共{n}个单元格：{first}…"
CELL_VALUES = "应为 {expected}，实际 {actual}"

# overview indicators
KPIS = "主要指标：本年与上年对比"
SCOPE_COUNTY = "{whole}汇总数（不含{own}本级）：与{whole}汇总报表的数字一致"  # whole: 全县, 全市, 全省
SCOPE_TYPE = "{kind}合计：仅{kind}的现行通过报告，不是{whole}汇总数"
OWN_LINE = "{own}本级（另列，不计入上列数字）："
OWN_NONE = "尚无通过的报告"
PARTS = "{num} ÷ {den}"
NEW_REQUESTS = "本年新收申请"
DISCLOSURE_RATE = "实质公开率"
DISCLOSURE_RATE_HELP = "（予以公开＋部分公开）÷办结总数"
CORRECTION_RATE = "复议纠错率"
CORRECTION_RATE_HELP = "复议结果纠正÷复议已审结（总计－尚未审结）"
DISPUTE_RATE = "争议转化率"
DISPUTE_RATE_HELP = "（行政复议＋行政诉讼）÷本年新收申请"
THIS_YEAR = "{year}年"
PREVIOUS_YEAR = "上年（{year}年）"
CHANGE = "变化"
INDICATOR = "指标"
MIXED_FORMATS = "注：本年度有{n}个单位使用{notice}格式填报，其特有指标单独列示，不与另一格式的指标合并。"
COUNTS_NOTE = "只列件数类指标；收费金额见“主动公开”页。"
COUNTY_NOTE = "“全部”为{whole}汇总数（不含本级），与总览、汇总报表一致；选定单位类型时为该类单位之和。"

# chart titles
CHART_PROACTIVE_COUNTS = "主动公开件数（本年与上年）"
CHART_NORMATIVE = "规范性文件（按单位）"
CHART_DECISIONS = "行政许可、处罚、强制处理决定数量（按单位）"
CHART_FEES = "行政事业性收费（按单位）"
CHART_OUTCOMES = "办理结果（按单位，按结果类别堆叠）"
CHART_APPLICANTS = "本年新收申请（按单位，按申请人类型堆叠）"
CHART_OUTCOMES_BY_APPLICANT = "办理结果（按申请人类型，按结果类别堆叠）"
CHART_REVIEW_BY_RESULT = "复议、诉讼案件（按程序和结果）"
CHART_REVIEW_BY_UNIT = "复议、诉讼案件（按单位）"
CHART_TREND_REQUESTS = "依申请公开历年情况"
CHART_TREND_DECISIONS = "处理决定数量历年情况（跨格式连续的唯一指标）"
CHART_TREND_NORMATIVE = "规范性文件历年情况（两种格式的指标分列）"
CHART_COMPLETENESS = "报送状态（按单位类型）"
CHART_FINDINGS_BY_RULE = "问题数（按规则）"
CHART_FINDINGS_BY_UNIT = "问题数（按单位）"
CHART_FINDINGS_OVER_RUNS = "问题的新增与解决（按入库运行）"
OPENED = "新增"
RESOLVED = "已解决"
RUNS_AXIS = "运行编号"
OVER_RUNS_NOTE = ("每次运行中，某单位某年度的最新文件有、而其上一份文件没有的问题（同一规则、同一栏目）为新增；"
                  "上一份文件有、最新文件没有的为已解决。")
STANDING_NOTE = "只统计代表各单位各年度的文件（最新收到的一份）的问题；已被更新文件取代的旧文件的问题不再计入。"
FORMAT_BREAK = "{notice}格式起"
COUNT_AXIS = "件数"
UNITS_AXIS = "单位数"

# tables
STATUS = "状态"
FIRST_RECEIVED = "首次报送时间"
TIMELINESS = "及时性"
ON_TIME = "按时"
NOT_DUE = "未到期"
OVERDUE = "逾期未报"
BACKFILLED = "往年补录"
DEADLINE_RULE = "截止日期：报告年度次年 {units}；县政府本级 {county}。统计截至 {as_of}。"
TIMELINESS_HELP = ("按时：截止日期前收到可计入的报告；逾期报送：可计入的报告在截止日期后收到；"
                   "逾期未报：截止日期已过，仍无可计入的报告；未到期：截止日期未到，尚无可计入的报告；"
                   "往年补录：事后补录的已发布报告，不判断及时性。")
MONTH_DAY = "{month}月{day}日"
FINDINGS = "问题"
FINDINGS_LINK = "{n}条问题"
NONE = "无"
RULE = "规则"
SEVERITY = "级别"
LOCATION = "位置"
CELL = "单元格"
MESSAGE = "说明"
EXPECTED = "应为"
ACTUAL = "实际"
FILE = "文件"
CURRENT = "当前有效"
UNKNOWN_UNIT = "未识别的单位"
EXPECTED_UNITS = "应报单位"
EXPECTED_WITH_OWN = "应报单位（含县政府本级）"  # the overview's coverage counts the units without it
SUMMARY = "报送与数据概况"
PERCENT_POINTS = "{diff:+.1f}个百分点"

# the narrative (正文) findings on the quality page
NARRATIVE_CHECKS = "正文核查"
NARRATIVE_NOTE = ("报告正文（第一部分“总体情况”、第五部分“存在的主要问题及改进情况”、第六部分“其他需要报告的事项”）的问题："
                  "正文数字与表格不符、未写存在的主要问题、与其他单位或本单位上年报告内容雷同。点击单位名称查看该单位全部问题。")
NARRATIVE_NONE = "尚无正文问题。"
COPY_PAIRS = "内容雷同的正文对照"
COPY_NOTE = "左右两栏为内容雷同的两份报告的相应部分；标记的文字在去掉单位名称、年份、数字和标点后两者相同。"
COPY_PAIR_LINK = "对照"
SIMILARITY = "相似度 {pct}"

# many counties in one deployment (dashboards.areas): the area bar on every page, the children compared
AREA = "区划"
AREA_CHILDREN = "下级"
AREA_SELECT = "选择区划"
COMPARISON = "下级区划比较"
COMPARISON_UNITS = "各单位比较"
COMPARISON_NOTE = ("按“结转下年度继续办理”（未办结）从多到少、实质公开率从低到高排列；区划的数字为其所辖全部报告之和（含本级），"
                   "单位的数字为其本单位现行可计入的报告；点击名称进入下一级。实质公开率 = （予以公开 + 部分公开）÷ 办结总数。")
COMPARISON_COLUMNS = ("名称", "新收申请（件）", "实质公开率", "未办结（结转下年度，件）", "复议纠错率", "已报送/应报单位",
                      "计入汇总（个）", "逾期报送（个）")

# rankings and unit pages
PAGES["rankings"] = ("排名", "各单位实质公开率、复议纠错率、争议转化率和按时报送的排名")
RANK = "排名"
RANK_FIGURES = "件数"
HIGHER_BETTER = "越高越好"
LOWER_BETTER = "越低越好"
RANKINGS_NOTE = ("三项比率只比较本年度报告可计入汇总（通过、通过（提醒已说明））的单位，数字为该单位本年度的现行报告；"
                 "分母不足{n}件的比率波动大，只列出（不足{n}件，不排名），排在已排名的单位之后；比率相同的单位名次相同；"
                 "分母为0的单位没有比率，不列出。点击单位名称查看该单位的详情页。")
RANK_HIGHER = "比率越高越好，从高到低排列。"
CORRECTION_RANK_NOTE = "复议纠错率高说明行政复议机关纠正本单位答复的比例高，比率越低越好，从低到高排列。"
DISPUTE_RANK_NOTE = "争议转化率高说明引发行政复议、诉讼的申请多，比率越低越好，从低到高排列。"
TOO_FEW = "不足{n}件，不排名"
NO_CASES = "另有{k}个单位本年度无{what}，无比率，未列出。"  # what: RATE_CASES
ON_TIME_RANKING = "按时报送"
ON_TIME_NOTE = ("按截至所选年度的历年按时报送比例（按时年数 ÷ 截止日期已过的年数）从高到低排列，比例相同的名次相同；"
                "同一名次内所选年度按时的在前，再按可计入的报告收到时间先后。截止日期未到、尚无可计入报告的年度（未到期）"
                "和往年补录的年度不计入。")
YEARS_ON_TIME = "历年按时"
YEARS_ON_TIME_VALUE = "{ok}/{due}年"
THIS_YEAR_TIMELINESS = "本年度"
DAYS_LATE = "晚{days}天"
NO_RANKING = "（本筛选条件下没有可排名的单位）"

UNIT_META = "单位类型：{kind}　单位编码：{code}"
UNIT_AREA = "所属区划：{area}"
UNIT_PAGE_NOTE = "本页为单个单位的情况：“报告年度”筛选选择下方显示哪一年度的比率、文件和问题，“单位类型”筛选对本页无影响。"
UNIT_HISTORY = "历年报送情况"
UNIT_YEAR = "{year}年度"
UNIT_YEAR_NONE = "本单位本年度不在应报范围，也未收到本单位的报告。"
UNIT_RATES = "比率：本单位与{whole}"
UNIT_RATES_NOTE = ("本单位的数字为其本年度现行可计入的报告；{whole}为{whole}汇总数（不含本级），与总览、汇总报表一致。"
                   "分母较小时比率波动大。")
THIS_UNIT = "本单位"
COUNTY_SCOPE = "{whole}（不含本级）"
NOT_COUNTED = "本年度没有可计入汇总的报告，无本单位的数字。"
UNIT_FILES = "收到的文件"
UNIT_FILES_NONE = "本年度未收到本单位的文件。"
RECEIVED_AT = "收到时间"
STANDS = "代表本年度"
SUPERSEDED = "已被取代"
FINDINGS_COUNT = "问题数"
UNIT_FINDINGS = "代表本年度的文件（{file}）的问题：{n}条"
UNIT_FINDINGS_NONE = "代表本年度的文件没有问题。"
TOO_FEW_CASES = "不足{n}件"
DEADLINE_OF = "（截止日期 {deadline}）"
UNIT_FINDINGS_QUALITY = "在“数据质量”页查看"
FINDING_AT = "（{where}）"
FINDING_VALUES = "应为 {expected}，实际 {actual}"
OTHER_PLACES = "其他"
UNIT_FIGURES = "历年主要数字"
UNIT_FIGURES_NOTE = "各年度现行可计入的报告的数字（空白按0计）；“—”表示该年度没有可计入的报告或该年度格式没有该项。"
FIGURE = "项目"
GROUP_REQUESTS = "依申请公开（件）"
GROUP_OUTCOMES = "办理结果（件）"
GROUP_PROACTIVE = "主动公开（件）"
GROUP_REVIEW = "行政复议、行政诉讼（件）"
GROUP_RATES = "比率"
CONCLUDED = "办结总数"
CARRIED_FORWARD = "结转下年度继续办理"
RECON_CORRECTED = "行政复议·结果纠正"
CHART_UNIT_REQUESTS = "依申请公开：历年情况（件）"
CHART_UNIT_RATES = "实质公开率：本单位与{whole}"
RATE_AXIS = "比率"
UNIT_CSV_NOTE = "（各单位的数据在同一文件中，按“类别”筛选本单位即为本图数据）"
