"""`countystats check`: read one submission and validate it, touching no database — what a clerk runs before sending.

``check_file`` returns the Submission (its ``status`` gives the exit code); ``summary_zh`` renders it for the clerk.
"""

from __future__ import annotations

from pathlib import Path

from transforms.format import EXPLANATIONS_SHEET, FORMATS, NARRATIVE, SEVERITY_ZH, STATUS_ZH, UNIT_TYPE_ZH
from transforms.model import Finding, Submission
from transforms.reading.forms import FORM_ZH
from transforms.registry import DEFAULT_REGISTRY, Registry, RegistryError
from transforms.rules import RULES


def check_file(
    path: str | Path,
    units: str | Path | None = None,
    year: int | None = None,
    unit_name: str | None = None,
    feedback: str | Path | None = None,
    settings=None,
    area: str | None = None,
    registry: Registry | None = None,
) -> Submission:
    """Read ``path`` against the registry (``units`` or config/units.csv), validate it, optionally write feedback.

    The file is read (and the feedback written) in a worker process with the settings' memory cap and time limit:
    a hostile file gives an unreadable verdict, never a dead ``check``. Raises RegistryError for a bad registry.
    ``registry``: the one at ``units``, when the caller has loaded it already.
    """
    from countystats.settings import Settings
    from transforms.inbox.intake import display_name
    from transforms.isolation import Limits
    from transforms.reading import ReadTask, read_isolated

    settings = settings or Settings.from_env()
    units = Path(units or DEFAULT_REGISTRY)
    registry = registry or Registry.load(units)
    limits = Limits(memory_mb=settings.read_memory_mb, seconds=settings.read_timeout_s)
    shown = display_name(str(path))  # a GBK name unpacked from a Windows zip is shown, and matched, as its Chinese
    if registry.unknown_area(area):
        raise RegistryError(units, [registry.unknown_area(area)])
    task = ReadTask(str(path), shown, year=year, unit_name=unit_name, today=settings.today_date(), area=area,
                    area_came=f"指定的区划“{area}”" if area else None)
    (sub,) = read_isolated([task], units, limits=limits)
    if not sub.unreadable:
        # imported here: Great Expectations costs seconds to import and is not needed for unreadable files
        from expectations.validation import validate_submissions

        validate_submissions([sub], registry)
    if feedback is not None and not sub.unreadable:
        from expectations.feedback import write_feedback_isolated

        write_feedback_isolated(sub, Path(path), Path(feedback), limits=limits)
    return sub


_EXPLAIN = (f"数据确实如此的，可在工作簿中加一张名为“{EXPLANATIONS_SHEET}”的工作表，每行写“规则编号、原因”"
            "（例如 X-JUMP、本年开展专项整治，处罚数量大幅增加）。")
# a Word, PDF or web report has no sheets: its 说明 is a line of text that begins with the rule's id
_EXPLAIN_DOCUMENT = ("数据或文字确实如此的，可在报告末尾（如“六、其他需要报告的事项”中）加一段“说明”，每条另起一行，"
                     "以规则编号开头（例如 N-TEXT：正文所写为全镇受理的咨询和申请总数）。")
_ADVICE = {
    "accepted": "校验通过，可以报送。",
    "accepted_with_warnings": "可以报送：每条提醒都已说明。",
    "needs_review": "可以报送，但有提醒尚未说明：请逐条核对上面的提醒，有错的改正；" + _EXPLAIN
    + "未说明的提醒须经县政府办公室核实后才计入全县数字。",
    "rejected": "不能报送：请按上面列出的错误逐条改正（括号里是单元格位置），保存后重新检查。",
    "unreadable": "文件无法读取：请用 Excel 或 WPS 打开文件，另存为 .xlsx 格式后重新检查；如设置了密码，请先取消密码。",
}


def _line(i: int, f: Finding) -> str:
    rule = RULES.get(f.rule)
    name = f"{rule.name_zh} {f.rule}" if rule else f.rule
    text = f"  {i}. 【{name}】{f.message}"
    if f.explanation:
        text += f"\n     单位说明：{f.explanation}"
    return text


SAME_RULE_SHOWN = 8  # beyond this many findings of one rule, the rest are counted (one fix usually mends them all)


def _block(title: str, findings: list[Finding]) -> list[str]:
    lines = ["", title]
    shown_per_rule: dict[str, int] = {}
    hidden: dict[str, int] = {}
    i = 0
    for f in findings:
        n = shown_per_rule.get(f.rule, 0)
        if n >= SAME_RULE_SHOWN:
            hidden[f.rule] = hidden.get(f.rule, 0) + 1
            continue
        shown_per_rule[f.rule] = n + 1
        i += 1
        lines.append(_line(i, f))
    for rule_id, count in hidden.items():
        name = RULES[rule_id].name_zh if rule_id in RULES else rule_id
        lines.append(f"  …… 另有 {count} 处同类问题（{name} {rule_id}），完整清单见 --json 输出或 --feedback 反馈工作簿。")
    return lines


def summary_zh(sub: Submission, area_name: str = "") -> str:
    """A readable Chinese summary: who, which year, which format, the verdict, then every finding, errors first.
    ``area_name``: the unit's county, where the registry has many (every county has its 大营镇)."""
    lines = [f"文件：{Path(sub.file).name}"]
    if sub.unit_name:
        kind = UNIT_TYPE_ZH.get(sub.unit_type or "", "")
        lines.append(f"报送单位：{area_name}{sub.unit_name}" + (f"（{kind}）" if kind else ""))
    else:
        lines.append("报送单位：未能识别")
    lines.append(f"报告年度：{sub.report_year} 年" if sub.report_year else "报告年度：未能识别")
    if sub.source_kind in FORM_ZH:
        found = [p.label.text for p in NARRATIVE if p.code in (sub.narrative or {})]
        text = f"；正文读到 {'、'.join(found)}" if found else ("；没有读到正文各部分" if sub.narrative is not None else "")
        lines.append(f"文件形式：{FORM_ZH[sub.source_kind]}{text}")
    if sub.format_version in FORMATS:
        lines.append(f"表格格式：{sub.format_version} 年格式（{FORMATS[sub.format_version].notice}）")
    by = {severity: [f for f in sub.findings if f.severity == severity] for severity in SEVERITY_ZH}
    counts = [f"{len(found)} 个{SEVERITY_ZH[severity]}" for severity, found in by.items() if found]
    verdict = STATUS_ZH.get(sub.status, sub.status)
    lines.append(f"校验结果：{verdict}" + (f"（{'、'.join(counts)}）" if counts else ""))
    for severity, title in (("error", "必须改正"), ("warning", "请核对，有错的改正，没错的写明原因"),
                            ("notice", "已按说明的方式读取，请今后照统一格式填写")):
        if by[severity]:
            lines.extend(_block(f"{SEVERITY_ZH[severity]}（{title}）：", by[severity]))
    lines.append("")
    advice = _ADVICE.get(sub.status, "")
    if sub.source_kind not in (None, "workbook"):
        advice = advice.replace(_EXPLAIN, _EXPLAIN_DOCUMENT)
    lines.append(f"怎么办：{advice}")
    return "\n".join(lines)
