"""The rules checked while a file is read (R-*), before any arithmetic: what the reader says, and when.

The reader (:mod:`transforms.reading`) does the looking — the format from the labels, the year, the unit, every
label, every number — and says what it found with these rules' messages; the examples are workbooks written the way
units really get them wrong (a missing title, a typo in a label, a formula without its value …).
"""

from __future__ import annotations

from transforms.rules.base import Message, Rule, Workbook, fires, passes

READING = "reading"


class Format(Rule):
    id = "R-FORMAT"
    stage = READING
    name_zh = "表格格式识别"
    basis = "国办公开办函〔2019〕60号、〔2021〕30号规定的表格样式"
    messages = {
        "no_tables": Message("error", "没有找到政府信息公开工作年度报告的统计表（表二、表三、表四）。"
                                      "请使用统一格式的表格，保留表头和每行的栏目名称。"),
        "unreadable": Message("error", "文件“{file}”无法读取：{reason}。"),
        "sheet_too_large": Message("warning", "工作表“{sheet}”范围过大（{why}），未读取。"),
        "sheet_truncated": Message("warning", "工作表“{sheet}”很大，只读取了前面的部分。"),
        "part_skipped": Message("warning", "{part}未读取：{why}。"),
        "converted": Message("notice", "文件是旧版 .{old} 格式，已自动转换后读取；请今后“另存为” .{new} 再报送。"),
        "unknown_format": Message("warning", "无法从表格栏目判断是哪一年的格式，按报告年度使用{version}年格式读取，"
                                             "请使用统一格式的表格。"),
        # a derived row printed undivided: 2021 tables with 2019's single （六）其他处理 row (seen in real reports)
        "undivided": Message("notice", "{tables}是{version}年格式，但{short}“{label}”没有分成{n}个小项（{other}年旧格式）。"
                                        "已按实际填写读取：该行只有合计数。请使用{version}年格式的表格。"),
        # and the other way round: 2019 tables whose （六） row is divided as 2021's
        "divided": Message("notice", "{tables}是{version}年格式，但{short}的“{label}”分成了小项（{other}年格式）。"
                                      "已按{version}年格式读取，小项合计计入该行。"),
    }
    examples = (
        fires("工作簿里只有标题，没有表格", workbook=Workbook(drop_sections=("proactive", "requests",
                                                                    "review_litigation"))),
        fires("网页另存为 .xls，网页里没有统计表", workbook=Workbook(web_page=True)),
        fires("2021 年表格，表三（六）其他处理没有分成小项", workbook=Workbook(undivided=True), severity="notice"),
        fires("只有表四：看不出是哪年的格式", severity="warning",
              workbook=Workbook(drop_sections=("proactive", "requests"))),
        passes("统一格式的表格"),
    )


class Year(Rule):
    id = "R-YEAR"
    stage = READING
    name_zh = "报告年度"
    basis = "条例第四十九条：报告上一年度的政府信息公开工作"
    messages = {
        "none": Message("error", "没有找到报告年度：请在标题中写明“XXXX年{title}”，或在文件名中写明年度。"),
        "impossible": Message("error", "报告年度 {year} 年（{where}）不可能：年度报告从 {first} 年度起，最晚为 {latest} 年度。"
                                       "请核对标题和文件名中的年度。"),
        "inconsistent": Message("warning", "报告年度不一致：{where}是 {year} 年，{others}；已按 {year} 年读取，请核对。"),
        "old_format": Message("warning", "{year}年度的报告使用了{version}年的旧表格（{notice}），"
                                         "自{since}年度起应使用新格式（{new_notice}）。"),
    }
    examples = (
        fires("标题、文件名都没有年度", workbook=Workbook(options=(("title", ""),), file_name="年度报告.xlsx")),
        fires("报告年度 2099 年", year=2099),
        fires("标题是 2024 年，文件名是 2023 年", severity="warning", year=2024,
              workbook=Workbook(file_name="2023年大营镇年度报告.xlsx")),
        fires("2024 年度报告用了 2019 年的表格", severity="warning", year=2024,
              workbook=Workbook(previous_tables=True)),
        passes("标题写明年度"),
    )


class Unit(Rule):
    id = "R-UNIT"
    stage = READING
    name_zh = "报送单位"
    basis = "本县报送单位名册（config/units.csv）"
    messages = {
        "unknown": Message("error", "无法确定报送单位：表格中没有可识别的“{filer}：XXX”或标题，文件名中也没有单位名称。"
                                    "请填写单位全称（与本县单位名册一致）。"),
        "given_not_in_registry": Message("error", "{where}“{text}”不在本县单位名册中，请核对单位名称（应与名册中的名称一致）。"),
        "filer_not_in_registry": Message("warning", "{where}“{text}”不在本县单位名册中，请核对单位名称"
                                                    "（应与名册中的名称一致）。"),
        "inconsistent": Message("warning", "单位名称不一致：{where}是“{name}”，{others}；已按“{name}”读取，请核对。"),
        # many counties in one deployment: the same township name in two counties
        "ambiguous": Message("error", "无法确定报送单位属于哪个县：{where}“{text}”在{areas}都有同名单位（{units}）。"
                                      "请把文件放入本县收件箱的文件夹（inbox/区划代码/），或在标题中写明县名后重新报送。"),
        "other_area": Message("error", "文件来自{area}（{came}），但{where}“{text}”是{other}的单位，不是{area}的单位："
                                       "请核对单位名称，或放入正确的县的文件夹。"),
        # the portal: a clerk signed in as one unit sends a file that is another unit's report
        "not_yours": Message("error", "这份报告是“{other}”的，而您登录的是“{unit}”的访问码：每个单位只能报送"
                                      "本单位的报告。请核对文件，或由“{other}”用本单位的访问码报送。"),
    }
    examples = (
        fires("名册里没有的单位", workbook=Workbook(unit_name="某某有限公司", file_name="2024年度报告.xlsx")),
        fires("填报单位写的名称不在名册里（标题里的单位在）", severity="warning",
              workbook=Workbook(options=(("filer", "填报单位：某某办公室"),))),
        passes("名册里的单位"),
    )


class Labels(Rule):
    id = "R-LABELS"
    stage = READING
    name_zh = "表格栏目齐全"
    basis = "统一格式的表格栏目"
    messages = {
        "missing_table": Message("error", "没有找到{short}（{title}）。请使用统一格式的表格，保留表头和每行的栏目名称。"),
        "missing_row": Message("error", "{short}缺少“{row_title}”这一行（可能被删除或栏目名称改动过），请按统一格式补上。"),
        "missing_columns": Message("error", "{where}缺少{names}栏（表头可能被删除或改动过），请按统一格式补上。"),
        "copies": Message("warning", "文件中有不止一份{short}：已读取{place}，未读取{others}。请只保留本年度的一份。"),
        "row_label_differs": Message("warning", "{short}的栏目名称“{text}”（{src}）与统一格式“{title}”不完全一致，"
                                                "已按“{title}”读取，请核对并改正。"),
        "column_label_differs": Message("warning", "{short}的表头“{text}”与统一格式“{label}”不完全一致，"
                                                   "已按“{label}”读取，请核对。"),
        "unknown_row": Message("notice", "{short}中多出一行“{text}”（{place}），不属于统一格式，"
                                          "其中的数字未读取。"),
        "unknown_column": Message("notice", "{short}中多出一列“{text}”（{place}），"
                                             "不属于统一格式，其中的数字未读取。"),
    }
    examples = (
        fires("没有表四", workbook=Workbook(drop_sections=("review_litigation",))),
        fires("表三少了“结转下年度继续办理”一行", workbook=Workbook(drop_rows=(("requests", "carried_forward"),)),
              at=None),
        fires("表三多出一行“其中：涉及营商环境的申请”", severity="notice",
              workbook=Workbook(extra_rows=(("requests", "new_received", "其中：涉及营商环境的申请"),))),
        fires("栏目名称打错一个字", severity="warning",
              workbook=Workbook(rename_rows=((("requests", "carried_forward"), "四、结转下年度继续力理"),))),
        passes("栏目齐全"),
    )


class Number(Rule):
    id = "R-NUMBER"
    stage = READING
    name_zh = "数字格式"
    basis = "统计表只填数字：件数为非负整数，金额为万元"
    messages = {
        "not_a_number": Message("error", "{where}（{src}）：{reason}。"),
        "error_value": Message("error", "{where}（{src}）：是公式的错误值“{value}”，不是数字"
                                        "（公式引用了空白、文字或已删除的单元格）。请改正公式或直接填数字。"),
        "normalised": Message("notice", "有单元格不是纯数字，{note}：{listed}，{more}。请只填阿拉伯数字。"),
    }
    examples = (
        fires("数字格里写“见附件”", workbook=Workbook(options=(("text_cells", ((("requests", "new_received",
                                                                              "natural_person"), "见附件"),)),)),
              at=("requests", "new_received", "natural_person")),
        fires("全角数字", severity="notice", workbook=Workbook(options=(("numbers", "fullwidth"),))),
        fires("收费金额写的是元：换算为万元", severity="notice", at=("proactive", "fees", "amount_wan_yuan"),
              workbook=Workbook(options=(("money_suffix", True),))),
        passes("阿拉伯数字"),
    )


class Blank(Rule):
    id = "R-BLANK"
    stage = READING
    name_zh = "空白单元格"
    basis = "空白不等于0：应填0的请填0"
    messages = {
        "blanks": Message("notice", "有空白单元格：{listed}，{more}。空白不等于 0：没有发生的请填 0。"),
        "table_blank": Message("notice", "{short}（{title}）整张表都是空白，视为“未填报”。如果本年度确实都没有，请每格填 0。"),
    }
    examples = (
        fires("没有发生的留空", workbook=Workbook(options=(("zero", "blank"),))),
        passes("没有发生的填 0", workbook=Workbook()),
    )


class Formula(Rule):
    id = "R-FORMULA"
    stage = READING
    name_zh = "公式无计算结果"
    basis = "文件须经Excel/WPS保存，公式才有数值"
    messages = {
        "uncached": Message("error", "{where}（{src}）是公式，但文件里没有公式的计算结果"
                                     "（文件由程序生成、没有用 Excel/WPS 打开保存过）。请用 Excel/WPS 打开，确认数字后保存再报送。"),
    }
    examples = (
        fires("总计是公式，文件由程序生成", workbook=Workbook(options=(("formulas", "uncached"),))),
        passes("总计是公式，经 Excel 保存（有计算结果）", workbook=Workbook(options=(("formulas", "cached"),))),
    )


READING_RULES: tuple[Rule, ...] = (Format(), Year(), Unit(), Labels(), Number(), Blank(), Formula())
