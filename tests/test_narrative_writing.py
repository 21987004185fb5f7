"""transforms.writing.narratives: narratives in the style of real reports, varied from unit to unit, consistent with
the tables, and recording what they state (for the tests that plant N-TEXT, N-PROBLEMS and N-COPY faults).

Checked independently of the module: the figures against the cells (this file's own map of the quantities), Chinese
numerals with this file's own parser, similarity with rapidfuzz after this file's own normalisation.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata

import pytest
from rapidfuzz import fuzz, process

from transforms.format import TOTAL, for_year
from transforms.writing.documents import NARRATIVE_KEYS, default_narrative, write_document
from transforms.writing.narratives import (
    MEASURES,
    PROBLEMS,
    QUANTITIES,
    NarrativeText,
    narrative,
    restate,
    stated_in,
    zh_number,
)

pytestmark = pytest.mark.unit

YEAR = 2024
NEW, OLD = for_year(2024), for_year(2020)
# the cells of each quantity, as validation-rules.md "The narrative" (N-TEXT) names them
CELLS = {
    "new_received": [("requests", "new_received", TOTAL)],
    "carried_over": [("requests", "carried_over", TOTAL)],
    "concluded": [("requests", "concluded_total", TOTAL)],
    "carried_forward": [("requests", "carried_forward", TOTAL)],
    "reconsideration": [("review_litigation", "reconsideration", TOTAL)],
    "litigation": [("review_litigation", "litigation_direct", TOTAL),
                   ("review_litigation", "litigation_after_reconsideration", TOTAL)],
    "normative_docs_issued": [("proactive", "normative_docs", "issued")],
}
ZERO_WORDS = ("未收到", "未发生", "未制发")
TOWNS = "大营 小营 东关 西关 南关 北关 城关 王庄 李庄 张庄 赵庄 刘庄 陈庄 杨庄 黄庄 周庄 吴庄 徐庄 孙庄 马庄".split()


def unit_names(n: int) -> list[str]:
    kinds = ("{}镇人民政府", "县{}局", "{}街道办事处", "{}乡人民政府", "县{}委员会")
    return [kinds[i % len(kinds)].format(TOWNS[i % len(TOWNS)] + (str(i // len(TOWNS)) if i >= len(TOWNS) else ""))
            for i in range(n)]


def random_cells(fmt, seed: int) -> dict:
    """Counts as units report them: many zeros, some small, some large; now and then a blank."""
    r = random.Random(seed)
    out = {}
    for key in fmt.cells(include_derived=False):
        roll = r.random()
        out[key] = None if roll < 0.05 else 0 if roll < 0.35 else r.randint(1, 9) if roll < 0.7 else r.randint(10, 1500)
    return out


def expected(fmt, cells) -> dict[str, int]:
    out = {}
    for q, keys in CELLS.items():
        if all(fmt.has(*k) for k in keys):
            out[q] = sum(int(cells.get(k) or 0) for k in keys)
    return out


_ZH = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}


def parse_zh(text: str) -> int:
    """Chinese numerals (up to 9999) → int, written here independently: 十二, 两, 二十一, 一百零五."""
    total, digit = 0, None
    for ch in text:
        if ch in _ZH:
            digit = _ZH[ch]
        elif ch in _ZH_UNITS:
            total += (1 if digit is None else digit) * _ZH_UNITS[ch]
            digit = None
        else:
            raise ValueError(text)
    return total + (digit or 0)


def value_of(written: str) -> int:
    if written in ZERO_WORDS:
        return 0
    plain = unicodedata.normalize("NFKC", written)
    return int(plain) if plain.isdigit() else parse_zh(written)


def style(written: str) -> str:
    if written in ZERO_WORDS:
        return "words"
    return "arabic" if written.isascii() else "fullwidth" if re.fullmatch(r"[０-９]+", written) else "chinese"


def normalise(text: str, name: str) -> str:
    """As N-COPY compares: without the unit's name, years, numbers (Arabic or Chinese), punctuation, spaces."""
    text = unicodedata.normalize("NFKC", text).replace(name, "")
    text = re.sub(r"\d+(?:\.\d+)?", "", text)
    text = re.sub(r"[零一二三四五六七八九十百千万两]+", "", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")


@pytest.fixture(scope="module")
def cohort():
    """200 units of one year, each with its own figures."""
    names = unit_names(200)
    cells = [random_cells(NEW, i) for i in range(len(names))]
    return names, cells, [narrative(NEW, c, n, YEAR) for n, c in zip(names, cells, strict=True)]


# ---------------------------------------------------------------- the interface


def test_deterministic_and_a_dict():
    cells = random_cells(NEW, 1)
    a = narrative(NEW, cells, "大营镇人民政府", YEAR)
    b = narrative(NEW, dict(cells), "大营镇人民政府", YEAR, seed="大营镇人民政府")  # the seed is the unit's name
    assert isinstance(a, NarrativeText) and isinstance(a, dict)
    assert a == b and (a.stated, a.sentences, a.written, a.spans) == (b.stated, b.sentences, b.written, b.spans)
    assert tuple(a) == NARRATIVE_KEYS and all(isinstance(v, str) and v for v in a.values())
    assert json.loads(json.dumps(a)) == dict(a)
    assert stated_in(a) == a.stated
    with pytest.raises(TypeError):
        stated_in(dict(a))
    assert narrative(NEW, cells, "大营镇人民政府", YEAR, seed=7) != a
    assert narrative(NEW, cells, "小营镇人民政府", YEAR) != a
    assert default_narrative(NEW, cells, "大营镇人民政府", YEAR) == a


def test_preamble_as_before():
    n = narrative(NEW, {}, "大营镇人民政府", YEAR)
    assert n["preamble"].startswith("本报告由大营镇人民政府根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。")
    assert f"报告中所列数据统计期限自{YEAR}年1月1日起至{YEAR}年12月31日止。" in n["preamble"]
    phones = [narrative(NEW, {}, name, YEAR)["preamble"] for name in unit_names(20)]
    assert any(re.search(r"联系电话：0\d{3}-\d{7}", p) for p in phones)


# ---------------------------------------------------------------- the figures


def test_stated_values_are_the_cells(cohort):
    names, cells, texts = cohort
    for name, c, n in zip(names, cells, texts, strict=True):
        want = expected(NEW, c)
        assert set(n.stated) <= set(want) and "new_received" in n.stated, name
        assert all(n.stated[q] == want[q] for q in n.stated), name
        assert set(n.stated) == set(n.sentences) == set(n.written) == set(n.spans) and set(n.stated) <= set(QUANTITIES)
    # not always all of them: each quantity but new_received is left out by some unit, stated by most
    for q in QUANTITIES:
        count = sum(q in n.stated for n in texts)
        assert (count == len(texts)) if q == "new_received" else (len(texts) // 3 < count < len(texts)), q


def test_every_stated_sentence_is_in_the_overview(cohort):
    for n in cohort[2]:
        overview = n["overview"]
        for q, sentence in n.sentences.items():
            start, end = n.spans[q]
            assert overview[start:end] == n.written[q]
            assert sentence in overview and sentence.endswith("。") and "\n" not in sentence
            assert overview.index(sentence) <= start < end <= overview.index(sentence) + len(sentence)
            assert value_of(n.written[q]) == n.stated[q], (q, sentence)


def test_numerals_in_every_style(cohort):
    written = [w for n in cohort[2] for w in n.written.values()]
    assert any(w.isascii() for w in written)
    assert any(re.fullmatch(r"[０-９]+", w) for w in written)
    assert any(re.fullmatch(r"[零一二三四五六七八九十百千两]+", w) for w in written)
    assert any(w in ZERO_WORDS for w in written)
    assert [zh_number(n) for n in (2, 10, 12, 20, 21, 105, 110, 999, 1050, 1005)] == [
        "两", "十", "十二", "二十", "二十一", "一百零五", "一百一十", "九百九十九", "一千零五十", "一千零五"]
    assert all(parse_zh(zh_number(n)) == n for n in range(0, 10000))


def test_quantities_the_format_lacks_are_not_stated():
    for seed in range(40):
        cells = random_cells(OLD, seed)
        n = narrative(OLD, cells, f"单位{seed}", 2020)
        assert "normative_docs_issued" not in n.stated  # 2019's table 二 has no 本年制发件数
        assert n.stated == {q: v for q, v in expected(OLD, cells).items() if q in n.stated}
    blank = narrative(NEW, {}, "大营镇人民政府", YEAR)  # nothing filled in: every figure 0
    assert set(blank.stated.values()) == {0}


def test_varied_wording(cohort):
    texts = cohort[2]

    def wording(q: str) -> set[str]:  # the sentence without its figures
        return {re.sub(r"[\d０-９零一二三四五六七八九十百千两]+", "#", n.sentences[q]) for n in texts if q in n.sentences}

    assert all(len(wording(q)) >= 8 for q in QUANTITIES), {q: len(wording(q)) for q in QUANTITIES}
    overviews = "\n".join(n["overview"] for n in texts)
    for words in (("收到", "受理", "新收"), ("办结", "答复"), ("被申请行政复议", "行政复议案件"),
                  ("被提起行政诉讼", "行政诉讼案件"), ("制发", "出台", "印发")):
        assert all(w in overviews for w in words), words
    # numbers that are no table quantity, as real reports have them
    for pattern in (r"较上年(增加|减少)", rf"比{YEAR - 1}年的", rf"{YEAR}年\d+月\d+日", r"第[二三]十[一二三六]?条",
                    r"其中，自然人申请", r"予以公开", r"主动公开[^。]*政府信息[\d０-９零一二三四五六七八九十百千两]+条",
                    r"新闻发布会", r"同比增长\d+\.\d%"):
        assert re.search(pattern, overviews), pattern
    assert len({n["overview"].split("\n")[0][:20] for n in texts}) > 10


def test_no_paragraph_reads_as_a_section_heading(cohort):
    heading = re.compile(r"^[一二三四五六七八九十]{1,2}\s*[、.．，,]")
    for n in cohort[2]:
        for part in ("overview", "problems", "other"):
            assert not any(heading.match(p) for p in n[part].split("\n")), (part, n[part])


# ---------------------------------------------------------------- 五 and 六


def test_the_banks():
    assert len(set(PROBLEMS)) >= 30 and len(set(MEASURES)) >= 30


def test_problems_say_something(cohort):
    for n in cohort[2]:
        assert len(n["problems"]) >= 30 and n["problems"].strip() != "无"
    connectors = "\n".join(n["problems"] for n in cohort[2])
    assert all(c in connectors for c in ("一是", "二是", "1.", "（一）", "第一，", "首先，"))


@pytest.mark.parametrize("part, longer_than", [("problems", 0), ("other", 50)])
def test_no_two_units_alike(cohort, part, longer_than):
    names, _cells, texts = cohort
    kept = [(normalise(n[part], name)) for name, n in zip(names, texts, strict=True) if len(n[part]) > longer_than]
    assert len(kept) >= 100
    scores = process.cdist(kept, kept, scorer=fuzz.ratio, workers=1)
    worst = max(scores[i][j] for i in range(len(kept)) for j in range(i + 1, len(kept)))
    assert worst < 80, worst


def test_a_unit_rewrites_its_problems_each_year():
    for name in unit_names(40):
        texts = [narrative(NEW, {}, name, year) for year in (2022, 2023, 2024)]
        for a, b in zip(texts, texts[1:], strict=False):
            assert fuzz.ratio(normalise(a["problems"], name), normalise(b["problems"], name)) < 90
            assert a["problems"] != b["problems"]


def test_other_mentions_the_fee(cohort):
    texts = cohort[2]
    assert all("费" in n["other"] for n in texts)
    other = "\n".join(n["other"] for n in texts)
    assert "人大代表建议" in other and "无其他需要报告的事项" in other


# ---------------------------------------------------------------- planting a wrong figure


def test_restate(cohort):
    planted = 0
    for n in cohort[2]:
        for q, w in n.written.items():
            if w in ZERO_WORDS:
                with pytest.raises(ValueError):
                    restate(n, q, 5)
                continue
            wrong = n.stated[q] + 17
            m = restate(n, q, wrong)
            assert m.stated == {**n.stated, q: wrong} and value_of(m.written[q]) == wrong
            assert m["overview"] != n["overview"] and m.sentences[q] in m["overview"]
            assert {k: v for k, v in m.items() if k != "overview"} == {k: v for k, v in n.items() if k != "overview"}
            for other, (s, e) in m.spans.items():
                assert m["overview"][s:e] == m.written[other]
            # in the numerals the figure was written in (Chinese ones up to 999, as the writer uses them)
            assert style(m.written[q]) == style(w) or (style(w), style(m.written[q]), wrong > 999) == (
                "chinese", "arabic", True), (w, m.written[q])
            planted += 1
    assert planted > 500
    with pytest.raises(ValueError):
        restate(narrative(OLD, {}, "甲", 2020), "normative_docs_issued", 3)


# ---------------------------------------------------------------- in the documents


@pytest.mark.parametrize("seed", range(4))
def test_the_documents_read_back_as_written(tmp_path, registry, seed):
    """Word and HTML give back the narrative exactly; a PDF too, paragraph breaks aside (reportlab leaves a gap
    where a run of digits would not fit, which a reader may take for a paragraph's end)."""
    from transforms.reading import read_submission

    name = unit_names(30)[seed * 7]
    cells = random_cells(NEW, 1000 + seed)
    n = narrative(NEW, cells, name, YEAR)
    for form, suffix in (("word", ".docx"), ("html", ".html"), ("pdf", ".pdf")):
        sub = read_submission(write_document(tmp_path / f"r{suffix}", NEW, cells, name, YEAR, form).path, registry)
        got = {code: text for code, (text, _where) in sub.narrative.items()}
        want = {code: n[code] for code in ("overview", "problems", "other")}
        if form == "pdf":
            got = {k: v.replace("\n", "") for k, v in got.items()}
            want = {k: v.replace("\n", "") for k, v in want.items()}
        assert got == want, form
