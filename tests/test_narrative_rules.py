"""The narrative rules (N-TEXT, N-PROBLEMS, N-COPY) on reports they have not seen, and on the real published ones.

The unseen reports are the county's units with narratives written by ``transforms.writing.narratives`` (its own
phrasings, Arabic, full-width and Chinese numerals, comparisons with last year, percentages, dates, subsets …) under
seeds no other test uses. Faults are planted in some: a table figure changed under a sentence that states it, part
五 emptied, said as 无, cut to a line or left out, part 五 copied from another unit (names and years its own) or from
the unit's own report of last year. Every planted fault must be found, at its cell or part, and nothing else: a clean
report gets no narrative finding. The tables' rules run in the same Great Expectations batch, as in a night.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest

from countystats.examples.reports import consistent_values, submission_from
from expectations.validation import validate_submissions
from transforms.format import for_year
from transforms.narrative.figures import BY_CODE
from transforms.reading import read_submission
from transforms.registry import DEFAULT_REGISTRY, Registry
from transforms.rules.narrative import COPIED_SECTION, NARRATIVE_RULES, NarrativeReport
from transforms.writing.narratives import narrative

pytestmark = pytest.mark.unit

YEAR = 2024
NARRATIVE_RULE_IDS = {r.id for r in NARRATIVE_RULES}
PUBLISHED = Path(__file__).resolve().parents[2] / "shared" / "samples" / "published"
UNIT_TYPES = ("township", "subdistrict", "department")
SHORT_FIVE = {"none": "无。", "short": "下一步将继续加强学习，改进工作。", "empty": ""}


def _unit_names(registry: Registry) -> list:
    return [u for u in registry.units if u.unit_type in UNIT_TYPES]


def _report(unit, year: int, seed: str):
    fmt = for_year(year)
    values = consistent_values(fmt.version, unit.unit_type, random.Random(seed))
    sub = submission_from(values, fmt.version, unit.unit_type, name=f"{year}年{unit.unit_name}.docx", year=year)
    sub.unit_code, sub.unit_name = unit.unit_code, unit.unit_name
    text = narrative(fmt, values, unit.unit_name, year, seed=seed)
    sub.narrative = {part: (text[part], f"第{n}段") for n, part in enumerate(("overview", "problems", "other"), 2)}
    return sub, text


def _swap_names_and_years(text: str, old: str, new: str, year_from: int, year_to: int) -> str:
    return text.replace(old, new).replace(str(year_from), str(year_to))


@pytest.fixture(scope="module")
def night():
    """A year's reports of every unit, faults planted in some; returns (subs, planted, copies found)."""
    registry = Registry.load(DEFAULT_REGISTRY)
    units = _unit_names(registry)
    rng = random.Random(20261207)
    subs, texts = zip(*(_report(u, YEAR, f"unseen-{u.unit_code}") for u in units), strict=True)
    subs, texts = list(subs), list(texts)
    planted: dict[int, set[tuple]] = {i: set() for i in range(len(subs))}
    order = rng.sample(range(len(subs)), len(subs))
    contradicted, emptied, copied, own_copy = order[:12], order[12:16], order[16:22], order[22:25]

    for i in contradicted:  # a table figure changed under the sentence that states it
        code = rng.choice(sorted(texts[i].stated))
        key = BY_CODE[code].cells[0]
        subs[i].cells[key].value = (subs[i].cells[key].value or 0) + rng.randint(1, 5)
        planted[i].add(("N-TEXT", key))
    for i, kind in zip(emptied, ("none", "short", "empty", "missing"), strict=True):
        if kind == "missing":
            del subs[i].narrative["problems"]
        else:
            subs[i].narrative["problems"] = (SHORT_FIVE[kind], "第3段")
        planted[i].add(("N-PROBLEMS", "problems"))
    for i, j in zip(copied[::2], copied[1::2], strict=True):  # j copies i's part 五, with its own name and year
        mine, theirs = subs[j].unit_name, subs[i].unit_name
        subs[j].narrative["problems"] = (_swap_names_and_years(subs[i].narrative["problems"][0], theirs, mine,
                                                               YEAR, YEAR), "第3段")
        planted[i].add(("N-COPY", "problems"))
        planted[j].add(("N-COPY", "problems"))
    previous = []
    for i in own_copy:  # part 五 as last year's, the year changed
        unit = registry.by_code[subs[i].unit_code]
        before, _ = _report(unit, YEAR - 1, f"unseen-last-{unit.unit_code}")
        previous.append(before)
        last = before.narrative["problems"][0]
        subs[i].narrative["problems"] = (_swap_names_and_years(last, "", "", YEAR - 1, YEAR), "第3段")
        planted[i].add(("N-COPY", "problems"))
    for i in rng.sample([k for k in range(len(subs)) if not planted[k]], 10):
        # last year's report of some units with no copy: their own texts of last year are no finding
        unit = registry.by_code[subs[i].unit_code]
        previous.append(_report(unit, YEAR - 1, f"unseen-last-{unit.unit_code}")[0])

    validate_submissions(subs, registry)
    everyone = [*subs, *previous]
    reports = [NarrativeReport(n, s.unit_code, s.unit_name, s.report_year, s.file,
                               {p: t for p, (t, _) in s.narrative.items()},
                               names=registry.by_code[s.unit_code].names) for n, s in enumerate(everyone)]
    copies = COPIED_SECTION.check(reports, {YEAR})
    for n, items in copies.items():
        subs[n].findings += [f for f, _, _ in items]
    return subs, planted


def _found(sub) -> set[tuple]:
    out = set()
    for f in sub.findings:
        if f.rule == "N-TEXT":
            out.add((f.rule, (f.section, f.row, f.column)))
        elif f.rule in NARRATIVE_RULE_IDS:
            out.add((f.rule, f.section))
    return out


def test_every_planted_fault_is_found_and_nothing_else(night):
    subs, planted = night
    assert sum(map(len, planted.values())) >= 25
    wrong = {(s.unit_name, *sorted(_found(s) ^ planted[i])) for i, s in enumerate(subs) if _found(s) != planted[i]}
    assert wrong == set()


def test_a_contradiction_quotes_the_sentence_and_names_the_cell(night):
    subs, _ = night
    assert any(f.rule == "N-TEXT" for s in subs for f in s.findings)
    for sub in subs:
        for f in (f for f in sub.findings if f.rule == "N-TEXT"):
            sentence = re.search(r"原句：“(.+)”$", f.message).group(1)
            assert sentence in sub.narrative["overview"][0] or sentence in sub.narrative["other"][0]
            assert f.cell and f.cell in f.message
            (quantity,) = [q for q in BY_CODE.values() if q.cells[0] == (f.section, f.row, f.column)]
            assert f.expected == sum(sub.cells[k].value or 0 for k in quantity.cells) != f.actual


def test_a_copy_names_the_other_report_and_its_similarity(night):
    subs, _ = night
    copies = [f for s in subs for f in s.findings if f.rule == "N-COPY"]
    assert copies and all(f.severity == "warning" and f.actual >= 0.9 for f in copies)
    assert all(("内容雷同" in f.message) != ("照抄上年" in f.message) for f in copies)
    assert all(re.match(r"20\d\d年", f.expected) and f.expected in f.message for f in copies)


def test_a_units_name_is_not_read_as_words_of_the_sentence():
    """县数据和政务服务局 holds 政务服务, which is counted in 件 too (办件): the unit's name is blanked out first."""
    from transforms.narrative.figures import stated_figures

    text = "2024年，县数据和政务服务局因政府信息公开被申请行政复议1件，被提起行政诉讼0件。"
    assert [(s.quantity, s.value) for s in stated_figures(text, 2024)] == [("litigation", 0)]
    assert [(s.quantity, s.value) for s in stated_figures(text, 2024, ("县数据和政务服务局",))] == [
        ("reconsideration", 1), ("litigation", 0)]


# ---------------------------------------------------------------- the real published reports


REAL = {  # file: (unit as its title names it, unit type, year)
    "hongze-qu-2023.pdf": ("洪泽区人民政府", "county_government", 2023),
    "hongze-qu-2024.pdf": ("洪泽区人民政府", "county_government", 2024),
    "huaian-shi-2024.pdf": ("淮安市人民政府", "city_government", 2024),
    "pingtan-2024.html": ("平潭综合实验区管委会", "county_government", 2024),
    "pingtan-2025.html": ("平潭综合实验区管委会", "county_government", 2025),
}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    path = tmp_path_factory.mktemp("units") / "units.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["unit_code", "unit_name", "unit_type", "aliases", "active_from", "active_to"])
        for n, (name, unit_type) in enumerate(dict.fromkeys((u, t) for u, t, _ in REAL.values())):
            out.writerow([f"u{n}", name, unit_type, "", "", ""])
    registry = Registry.load(path)
    subs = {name: read_submission(PUBLISHED / name, registry, year=year, unit_name=unit)
            for name, (unit, _t, year) in REAL.items()}
    validate_submissions(list(subs.values()), registry)
    return subs


def test_the_real_reports_narratives_against_their_tables(real):
    """Every real report has its three parts and a part 五 that says something; the one whose text and table
    disagree (洪泽区 2024: 17 applications in the text, 95 in 表三, as the samples' README notes) is the only N-TEXT."""
    for name, sub in real.items():
        assert set(sub.narrative) == {"overview", "problems", "other"}, name
        assert not [f for f in sub.findings if f.rule == "N-PROBLEMS"], name
    texts = {name: [(f.row, f.actual, f.expected) for f in sub.findings if f.rule == "N-TEXT"]
             for name, sub in real.items()}
    assert texts == {name: ([("new_received", 17, 95)] if name == "hongze-qu-2024.pdf" else []) for name in REAL}
    (finding,) = [f for f in real["hongze-qu-2024.pdf"].findings if f.rule == "N-TEXT"]
    assert "受理政府信息公开申请17件" in finding.message and "第3页!" in finding.message


def test_the_real_reports_are_not_copies_of_each_other_but_the_same_report_is(real):
    reports = [NarrativeReport(name, "u" + name[:6], name, sub.report_year, name,
                               {p: t for p, (t, _) in sub.narrative.items()})
               for name, sub in real.items()]
    assert COPIED_SECTION.check(reports) == {}
    # the same county's report sent again by a second unit of the year is found
    twin = NarrativeReport("twin", "other", "某县", 2024, "twin.pdf", reports[1].parts)
    found = COPIED_SECTION.check([*reports, twin], {2024})
    assert {k for k in found} == {"hongze-qu-2024.pdf", "twin"}


def test_a_document_explains_a_narrative_warning_in_a_line_of_its_own(tmp_path):
    """A Word report has no 说明 sheet: a line beginning with the rule's id is its 说明 (here in part 六), and the
    warning it explains no longer holds the report."""
    from transforms.writing.documents import write_document

    registry = Registry.load(DEFAULT_REGISTRY)
    unit = next(u for u in registry.units if u.unit_type == "township")
    fmt = for_year(YEAR)
    values = consistent_values(fmt.version, "township", random.Random(5))
    stated = int(values[("requests", "new_received", "total")] or 0) + 7
    why = "正文所写为全镇受理的咨询和申请总数，表格为依申请公开数，数据无误。"
    path = write_document(tmp_path / "report.docx", fmt, values, unit.unit_name, YEAR, "word", narrative={
        "overview": f"{YEAR}年，本机关共收到政府信息公开申请{stated}件。",
        "other": f"本年度未收取信息处理费。\n说明：N-TEXT：{why}"}).path
    sub = read_submission(path, registry)
    assert sub.explanations == {"N-TEXT": why}
    validate_submissions([sub], registry)
    (finding,) = [f for f in sub.findings if f.rule == "N-TEXT"]
    assert (finding.actual, finding.expected, finding.explanation) == (stated, stated - 7, why)
    assert sub.status == "accepted_with_warnings"


def test_check_tells_a_document_how_to_explain_and_a_workbook_its_sheet():
    from countystats.checking import summary_zh

    registry = Registry.load(DEFAULT_REGISTRY)
    unit = next(u for u in registry.units if u.unit_type == "township")
    sub, _ = _report(unit, YEAR, "advice")
    sub.narrative["overview"] = (f"{YEAR}年，本机关共收到政府信息公开申请999件。", "第2段")
    validate_submissions([sub], registry)
    assert sub.status == "needs_review"
    for kind, says, not_says in (("word", "以规则编号开头", "工作表"), ("workbook", "工作表", "以规则编号开头")):
        sub.source_kind = kind
        advice = summary_zh(sub).split("怎么办：", 1)[1]
        assert says in advice and not_says not in advice, (kind, advice)
