"""The narrative rules (validation-rules.md, "The narrative"): the text of parts 一, 五 and 六 read against the tables
and against other reports.

- N-TEXT and N-PROBLEMS look at one report: they are report rules, run by Great Expectations in the same batch as the
  tables' rules, over two frames of :mod:`expectations.frames` — ``narrative_figures`` (one row per figure a sentence
  states, with the table's figure beside it) and ``narrative_parts`` (one row per report that has a narrative).
- N-COPY needs every other report of the year and the unit's own report of the year before: it is checked when the
  reports are loaded (:func:`CopiedSection.check`), over the warehouse's narratives, so both reports of a copied pair
  get the finding once both are in.

A report with no narrative (a bare workbook, a Word file of the tables alone) is not checked by any of them: the rules
apply "wherever the file has them".
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from transforms.format import FORMATS, NARRATIVE, ReportFormat
from transforms.model import Finding, Submission
from transforms.narrative.figures import BY_CODE
from transforms.rules.base import Expect, Message, ReportRule, Rule, add, fires, passes
from transforms.rules.wording import at, num, plain, source

PARTS = {p.code: p for p in NARRATIVE}


def part_name(code: str) -> str:
    """第五部分“存在的主要问题及改进情况”: how a clerk finds a part of the report."""
    part = PARTS[code]
    return f"第{part.number}部分“{part.label.text.split('、', 1)[-1]}”"


def quantity_cells(fmt: ReportFormat, quantity: str) -> tuple[tuple[str, str, str], ...] | None:
    """The table cells a stated quantity is the sum of, in ``fmt``; None where the format lacks one of them."""
    cells = BY_CODE[quantity].cells
    return cells if all(fmt.has(*key) for key in cells) else None


# ---------------------------------------------------------------- N-TEXT


class StatedFigure(ReportRule):
    id = "N-TEXT"
    name_zh = "正文数字与表格不符"
    basis = ("年度报告的正文与表格说的是同一件事：正文写明的收到、结转、办结申请数，行政复议、行政诉讼数，制发规范性文件"
             "数，应与表格一致；不一致时至少有一处错了（《条例》第五十条，2021年通知要求数据准确）。")
    messages = {
        "differs": Message(
            "warning",
            "{part}写明“{phrase}”{stated}，而{target}{where}为 {table}：请核对正文与表格，改正有误的一处。原句：“{sentence}”",
        ),
    }

    def expectations(self) -> list[Expect]:
        return [Expect("narrative_figures", "ExpectColumnPairValuesToBeEqual",
                       {"column_A": "stated", "column_B": "table"}, "differs", self.formats)]

    def explain(self, kind: str, meta: Mapping[str, Any], sub: Submission, rows: list[Mapping[str, Any]]) -> Finding:
        row = rows[0]
        fmt = FORMATS[sub.format_version]
        cells = quantity_cells(fmt, row["quantity"]) or ()
        described = "与".join(fmt.section(s).describe(r, c) for s, r, c in cells)
        if len(cells) > 1:
            described = f"{described}之和"
        sources = [source(sub, *key) for key in cells]
        where = "".join(at(s) for s in sources if s)
        section, row_code, column = cells[0]
        return self.finding(
            kind, section=section, row=row_code, column=column, cell=next((s for s in sources if s), None),
            expected=plain(row["table"]), actual=plain(row["stated"]), part=part_name(row["part"]),
            phrase=row["phrase"], target=described,
            # a figure written in words is said in digits too: “…二十一件”（即 21 件）
            stated="" if num(row["stated"]) in row["phrase"] else f"（即 {num(row['stated'])} 件）", where=where,
            table=num(row["table"]),
            sentence=row["sentence"])

    examples = (
        passes("the text states the table's figures, in Arabic and Chinese numerals",
               narrative=(("overview", "{overview}{oversight}"),)),
        passes("figures of last year, comparisons, percentages, dates, article and phone numbers are no statements",
               narrative=(("overview", "{year}年，本机关共收到政府信息公开申请{new_received}件，较上年增加5件，同比增长"
                                       "12.5%。{last_year}年共收到申请999件。按照《条例》第二十条，于{year}年3月15日前"
                                       "公开。咨询电话：0517-83601234。"),)),
        fires("the text states one application fewer than the table",
              add(("requests", "new_received", "total")), at=("requests", "new_received", "total"),
              narrative=(("overview", "{overview}"),)),
        fires("a Chinese numeral differs from the table", add(("review_litigation", "reconsideration", "total")),
              at=("review_litigation", "reconsideration", "total"), narrative=(("overview", "{oversight}"),)),
        fires("litigation is the sum of the two rows of 表四", add(("review_litigation", "litigation_direct", "total")),
              at=("review_litigation", "litigation_direct", "total"), narrative=(("overview", "{oversight}"),)),
        fires("normative documents issued, stated in part 六", add(("proactive", "normative_docs", "issued"), 2),
              at=("proactive", "normative_docs", "issued"),
              narrative=(("other", "本年度制发行政规范性文件{normative_docs_issued}件，均按规定公开。"),)),
    )


# ---------------------------------------------------------------- N-PROBLEMS


PROBLEMS_MIN_CHARS = 30  # fewer characters cannot say what the problems were and how they are being fixed
NONE_WORDS = ("无", "没有", "暂无", "略")  # all a part 五 says when it says nothing


def problems_state(narrative: Mapping[str, tuple[str, str]] | None) -> tuple[str, int]:
    """(missing | empty | none | short | ok, the characters it has, whitespace not counted)."""
    if "problems" not in (narrative or {}):
        return "missing", 0
    text = "".join(narrative["problems"][0].split())
    if not text:
        return "empty", 0
    if text.rstrip("。.") in NONE_WORDS:
        return "none", len(text)
    return ("short" if len(text) < PROBLEMS_MIN_CHARS else "ok"), len(text)


class ProblemsSection(ReportRule):
    id = "N-PROBLEMS"
    name_zh = "未写存在的主要问题"
    basis = ("国务院办公厅政府信息与政务公开办公室关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知要求"
             "年度报告写明“存在的主要问题及改进情况”；一句话或“无”说不清发现了什么问题、如何改进。")
    messages = {
        "missing": Message("notice", "报告有正文，但没有第五部分“存在的主要问题及改进情况”：请写明本年度工作中存在的主要问题"
                                     "和改进措施。"),
        "empty": Message("notice", "第五部分“存在的主要问题及改进情况”只有标题、没有内容：请写明存在的主要问题和改进措施。"),
        "none": Message("notice", "第五部分“存在的主要问题及改进情况”只写了“{text}”：年度报告须写明存在的主要问题和改进"
                                  "措施。"),
        "short": Message("notice", "第五部分“存在的主要问题及改进情况”只有 {chars} 个字（“{text}”），说不清存在什么问题、"
                                   "如何改进：请写具体（至少 {minimum} 个字）。"),
    }

    def expectations(self) -> list[Expect]:
        return [Expect("narrative_parts", "ExpectColumnValuesToBeBetween",
                       {"column": "problems_chars", "min_value": PROBLEMS_MIN_CHARS}, "short", self.formats)]

    def explain(self, kind: str, meta: Mapping[str, Any], sub: Submission, rows: list[Mapping[str, Any]]) -> Finding:
        state, chars = rows[0]["problems_state"], int(rows[0]["problems_chars"])  # as the frame measured them
        text = sub.narrative["problems"][0].strip() if sub.narrative and "problems" in sub.narrative else ""
        where = sub.narrative["problems"][1] if text else None
        return self.finding(state if state in self.messages else "short", section="problems", cell=where or None,
                            actual=chars, text=text, chars=chars, minimum=PROBLEMS_MIN_CHARS)

    examples = (
        passes("part 五 says what the problems were and what is being done", narrative=(("problems", "{problems}"),)),
        fires("part 五 says only 无", narrative=(("overview", "{overview}"), ("problems", "无。"))),
        fires("a narrative without part 五", narrative=(("overview", "{overview}"), ("other", "无。"))),
        fires("part 五 is one short sentence", narrative=(("problems", "下一步将进一步加强学习。"),)),
    )


# ---------------------------------------------------------------- N-COPY


@dataclass(frozen=True)
class NarrativeReport:
    """What N-COPY knows of one report: whose it is, which year, whether it is the unit's latest of that year, and
    the texts of its parts 五 and 六."""

    key: Hashable  # the submission id in the warehouse
    unit_code: str
    unit_name: str
    year: int
    file: str
    parts: Mapping[str, str]
    latest: bool = True
    names: tuple[str, ...] = ()  # the unit's name and aliases, removed before comparing


COMPARED_PARTS = ("problems", "other")


class CopiedSection(Rule):
    """N-COPY, across the reports of a year: every report of the year (current or superseded) is compared with the
    latest report of every other unit of that year and with its unit's latest report of the year before."""

    id = "N-COPY"
    stage = "across_reports"
    name_zh = "内容雷同"
    basis = ("2021年通知把年度报告“内容雷同、敷衍塞责”列为追责情形；正文应写本单位本年度的实际情况，而非照抄其他单位"
             "或上年的报告。比较前去掉单位名称、年份、数字和标点，相似度达 90% 即视为雷同。")
    messages = {
        "other_unit": Message(
            "warning",
            "{part}与{other}的{year}年报告（{file}）相应部分的文字 {similarity} 相同（去掉单位名称、年份、数字和标点后"
            "比较）：内容雷同。请按本单位本年度的实际情况撰写；确属本单位情况的，请在“说明”中写明。"),
        "own_previous": Message(
            "warning",
            "{part}与本单位{year}年报告（{file}）相应部分的文字 {similarity} 相同（去掉单位名称、年份、数字和标点后"
            "比较）：照抄上年。请写本年度的实际情况；确实没有变化的，请在“说明”中写明。"),
    }

    examples = (
        fires("another unit's part 五, its name and years changed", narrative=(("problems", "{problems}"),),
              other_narrative=(("problems", "{problems}"),)),
        fires("the unit's own part 五 of last year, its figures changed",
              narrative=(("problems", "{problems}本年度办理申请{new_received}件。"),),
              previous_narrative=(("problems", "{problems}本年度办理申请99件。"),)),
        passes("another unit writes of the same topics in its own words", narrative=(("problems", "{problems}"),),
               other_narrative=(("problems", "{other_problems}"),)),
        passes("the same short sentence in part 六 is no copy",
               narrative=(("problems", "{problems}"), ("other", "本年度无其他需要报告的事项。")),
               other_narrative=(("problems", "{other_problems}"), ("other", "本年度无其他需要报告的事项。"))),
    )

    def check(self, reports: Sequence[NarrativeReport], years: set[int] | None = None
              ) -> dict[Hashable, list[tuple[Finding, Hashable, float]]]:
        """Findings of every report of ``years`` (all years when None), each with the report it names and the
        similarity: key → [(finding, other key, similarity)]. ``reports`` must hold the reports of those years and
        of the years before them."""
        from transforms.narrative.copies import NearDuplicates, comparable

        by_key = {r.key: r for r in reports}
        indexed = [r for r in reports if r.latest]
        out: dict[Hashable, list[tuple[Finding, Hashable, float]]] = {}
        for part in COMPARED_PARTS:
            index = NearDuplicates()
            index.add_many((r.key, comparable(r.parts[part], r.names)) for r in indexed if r.parts.get(part))
            for report in reports:
                if (years is not None and report.year not in years) or not report.parts.get(part):
                    continue

                def excluded(key, report=report) -> bool:
                    other = by_key[key]
                    same_year_other_unit = other.year == report.year and other.unit_code != report.unit_code
                    own_previous = other.unit_code == report.unit_code and other.year == report.year - 1
                    return not (same_year_other_unit or own_previous)

                found = index.matches(comparable(report.parts[part], report.names), exclude=excluded)
                if not found:
                    continue
                best = found[0]
                other = by_key[best.key]
                kind = "own_previous" if other.unit_code == report.unit_code else "other_unit"
                finding = self.finding(
                    kind, section=part, expected=other.file, actual=round(best.similarity, 4),
                    part=part_name(part), other=other.unit_name, year=other.year, file=other.file,
                    similarity=f"{best.similarity:.0%}")
                out.setdefault(report.key, []).append((finding, best.key, best.similarity))
        return out


STATED_FIGURE, PROBLEMS_SECTION, COPIED_SECTION = StatedFigure(), ProblemsSection(), CopiedSection()
NARRATIVE_REPORT_RULES = (STATED_FIGURE, PROBLEMS_SECTION)
NARRATIVE_RULES = (STATED_FIGURE, PROBLEMS_SECTION, COPIED_SECTION)

__all__ = ["COPIED_SECTION", "NARRATIVE_REPORT_RULES", "NARRATIVE_RULES", "NarrativeReport"]
