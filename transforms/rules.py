"""The validation rules of shared/spec/validation-rules.md, as data kept next to the format definition.

Checks (reading, Great Expectations suites, cross-year checks) look their rule up here for id, severity, the
formats it applies to, its basis and its Chinese name; no check invents its own id or severity.
"""

from __future__ import annotations

from dataclasses import dataclass

BOTH = ("2019", "2021")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # default severity; some reading rules also emit the other one, as the spec says
    formats: tuple[str, ...]
    stage: str  # reading | report | across_years | county
    name_zh: str
    basis: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("R-FORMAT", "error", BOTH, "reading", "表格格式识别", "国办公开办函〔2019〕60号、〔2021〕30号规定的表格样式"),
        Rule("R-YEAR", "error", BOTH, "reading", "报告年度", "条例第四十九条：报告上一年度的政府信息公开工作"),
        Rule("R-UNIT", "error", BOTH, "reading", "报送单位", "本县报送单位名册（config/units.csv）"),
        Rule("R-LABELS", "error", BOTH, "reading", "表格栏目齐全", "统一格式的表格栏目"),
        Rule("R-NUMBER", "error", BOTH, "reading", "数字格式", "统计表只填数字：件数为非负整数，金额为万元"),
        Rule("R-BLANK", "warning", BOTH, "reading", "空白单元格", "空白不等于0：应填0的请填0"),
        Rule("R-FORMULA", "error", BOTH, "reading", "公式无计算结果", "文件须经Excel/WPS保存，公式才有数值"),
        Rule(
            "T3-BALANCE", "error", BOTH, "report", "表三收支平衡",
            "表三注：第一项加第二项之和，等于第三项加第四项之和",
        ),
        Rule("T3-ROWSUM", "error", BOTH, "report", "表三横向合计", "总计＝自然人＋法人或其他组织各类之和"),
        Rule("T3-OUTCOMES", "error", BOTH, "report", "表三办理结果合计", "（七）总计＝（一）至（六）各项办理结果之和"),
        Rule("T4-TOTAL", "error", BOTH, "report", "表四合计", "总计＝结果维持＋结果纠正＋其他结果＋尚未审结"),
        Rule("T2-RULES", "error", BOTH, "report", "规章制发主体", "《立法法》：规章仅由国务院部门和省、设区的市人民政府制定"),
        Rule("T2-FEES", "warning", ("2021",), "report", "收费金额单位", "表二收费金额以万元为单位"),
        Rule("T3-SHIFT", "warning", BOTH, "report", "表三列错位", "乡镇很少收到科研机构、法律服务机构的申请"),
        Rule("X-CARRY", "warning", BOTH, "across_years", "上年结转衔接", "本年“上年结转”＝上年“结转下年度继续办理”"),
        Rule(
            "X-INFORCE", "warning", ("2021",), "across_years", "现行有效件数衔接",
            "现行有效＝上年现行有效＋本年制发－本年废止",
        ),
        Rule("X-COPY", "warning", BOTH, "across_years", "照搬上年报告", "国办公开办函〔2021〕30号：内容雷同、敷衍塞责"),
        Rule("X-JUMP", "warning", BOTH, "across_years", "数据大幅变化", "与上年相比变化超过10倍，请核实"),
        Rule("P-LATE", "warning", BOTH, "county", "逾期报送", "条例第四十九条：每年1月31日前报送并公布"),
    )
}


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]
