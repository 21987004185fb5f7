"""The quality page's 正文核查: the narrative findings (N-TEXT, N-PROBLEMS, N-COPY) by unit, and each N-COPY pair's two
texts side by side with the copied passages marked.

The warehouse is made by the real pipeline (discover, archive, Great Expectations, loader, publish) from the fake
reader's reports (``tests/fake_reading.py``: the small county's tables, a narrative as a Word report has one), so
N-TEXT and N-PROBLEMS come from the validation batch and N-COPY from the loader, as at night:

- 甲镇 (a township) and 县教育局 (a department) wrote the same part 五 but for their names and the year (and 县教育局
  one sentence of its own); the text carries a ``<script>`` that must stay text: N-COPY on both reports, one pair,
  shown under either unit type;
- 乙镇's part 五 says only “无。”: N-PROBLEMS;
- 丙镇's part 一 says it received 9 applications, its 表三 says 5: N-TEXT.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from dashboards import texts
from dashboards.data import load
from dashboards.pages import quality
from dashboards.shell import findings_anchor
from transforms.format import for_year
from transforms.rules.narrative import part_name

YEAR = 2024
SCRIPT = "<script>window.planted=1</script>"
COPIED = ("{year}年，{unit}政务公开工作虽取得一定成效，但与上级要求和群众期盼相比仍有差距：一是政策解读形式较为单一，图解、"
          "音视频等解读方式运用不多；二是政府信息公开平台栏目更新不够及时，个别栏目内容不够全面" + SCRIPT + "；三是工作人员"
          "业务能力有待提升。下一步，{unit}将加强政策解读，丰富解读形式；落实栏目专人负责制，及时更新；组织业务培训，提高"
          "工作水平。{own}")
OWN_SENTENCE = "此外，档案室年内搬迁，部分纸质档案暂停查阅。"
UNIQUE = ("对照年度工作要点，我单位仍有差距：部分栏目信息发布的时效性不强，个别科室对依申请公开的办理流程掌握不够熟练，"
          "答复文书的规范性需要提高。明年将定期开展网站栏目自查，组织依申请公开业务学习，邀请法律顾问审核答复文书。")


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """One night of the real pipeline over the fake reader's reports: (warehouse, site folder)."""
    from fake_reading import drop, fake_read

    from countystats import pipeline
    from countystats.examples.small import write_units
    from countystats.settings import Settings

    root = tmp_path_factory.mktemp("narrative-dash")
    settings = Settings(inbox=root / "inbox", db=root / "w.duckdb", out=root / "out", archive=root / "archive",
                        units=write_units(root / "units.csv"), today="2025-01-20")
    drop(settings.inbox, "甲镇2024.docx", "2025-01-05 09:00:00",
         narrative={"problems": COPIED.format(year=YEAR, unit="甲镇", own="")})
    drop(settings.inbox, "乙镇2024.docx", "2025-01-06 09:00:00", unit_code="T02", unit_name="乙镇",
         narrative={"overview": f"{YEAR}年，本机关共收到政府信息公开申请5件。", "problems": "无。"})
    drop(settings.inbox, "丙镇2024.docx", "2025-01-07 09:00:00", unit_code="T03", unit_name="丙镇",
         narrative={"overview": f"（二）依申请公开情况。{YEAR}年，本机关共收到政府信息公开申请9件，上年结转1件，办结4件，"
                                "结转下年度继续办理2件，均在法定期限内予以答复。",
                    "problems": UNIQUE})
    drop(settings.inbox, "县教育局2024.docx", "2025-01-08 09:00:00", unit_code="D01", unit_name="县教育局",
         unit_type="department", narrative={"problems": COPIED.format(year=YEAR, unit="县教育局", own=OWN_SENTENCE)})
    result = pipeline.run(settings, run_id="n1", reader=fake_read)  # the real Great Expectations validation
    assert result.dashboards_error is None
    return settings.db, Path(result.dashboards[0]).parent


def _texts(db: Path) -> dict[str, str]:
    wh = load(db)
    pair = wh.copies.iloc[0]
    return {pair["unit_name"]: pair["text"], pair["other_unit_name"]: pair["other_text"]}


def _passages(db: Path) -> dict[str, list[str]]:
    """unit → the passages copied_passages says are the same, as they are written in the unit's text (spans that
    touch are one passage, as the page marks them)."""
    from transforms.narrative.copies import copied_passages

    t = _texts(db)
    spans = copied_passages(t["甲镇"], t["县教育局"], ("甲镇", "甲镇人民政府"), ("县教育局",))
    out = {}
    for unit, side in zip(("甲镇", "县教育局"), spans, strict=True):
        merged: list[list[int]] = []
        for start, end in sorted(side):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out[unit] = [t[unit][s:e] for s, e in merged]
    return out


@pytest.mark.unit
def test_the_quality_page_lists_the_narrative_findings_and_shows_each_copied_pair_once(night):
    db, site = night
    html = (site / "quality.html").read_text(encoding="utf-8")
    doc = lxml.html.fromstring(html)
    block, = doc.xpath('//section[@id="narrative"]')
    assert block.xpath("string(h2)") == texts.NARRATIVE_CHECKS
    # after the charts, before the per-unit sections
    ids = [s.get("id") for s in doc.xpath("//main/section")]
    assert ids.index("narrative") > max(i for i, x in enumerate(ids) if x and x.startswith("chart-"))
    assert ids.index("narrative") < min(i for i, x in enumerate(ids) if x and x.startswith("f-"))

    rows = block.xpath('.//table[@id="narrative-findings"]/tbody/tr')
    got = [(r.xpath("string(td[1])"), r.xpath("string(td[2])"), r.xpath("string(td[3])").split()[0],
            r.xpath("string(td[4])")) for r in rows]
    cell = for_year(YEAR).section("requests").describe("new_received", "total")
    problems = part_name("problems")
    assert problems == "第五部分“存在的主要问题及改进情况”"
    assert got == [("甲镇", "2024", "N-COPY", problems), ("乙镇", "2024", "N-PROBLEMS", problems),
                   ("丙镇", "2024", "N-TEXT", cell), ("县教育局", "2024", "N-COPY", problems)]
    codes = {"甲镇": "T01", "乙镇": "T02", "丙镇": "T03", "县教育局": "D01"}
    for r in rows:  # each row links to the unit's findings, and is filtered by year and unit type like them
        unit = r.xpath("string(td[1])")
        anchor = findings_anchor(codes[unit], YEAR)
        assert r.xpath("td[1]/a/@href") == [f"#{anchor}"] and doc.xpath(f'//section[@id="{anchor}"]')
        assert "filtered" in r.get("class") and r.get("data-year") == "2024"
        assert r.get("data-type") == ("department" if unit == "县教育局" else "township")
    assert "收到政府信息公开申请9件" in rows[2].xpath("string(td[5])")  # quotes the sentence
    assert "“无。”" in rows[1].xpath("string(td[5])")
    assert "县教育局" in rows[0].xpath("string(td[5])") and "甲镇" in rows[3].xpath("string(td[5])")

    # the per-unit tables name the part, not its code
    unit_rows = doc.xpath(f'//section[@id="{findings_anchor("T02", YEAR)}"]//tbody/tr')
    assert [r.xpath("string(td[3])") for r in unit_rows] == [problems]

    # the pair: once (its two findings, A|B and B|A, link to the same one), side by side
    pairs = block.xpath('.//div[contains(@class, "copy-pair")]')
    assert len(pairs) == 1
    pair = pairs[0]
    assert rows[0].xpath("td[5]/a/@href") == rows[3].xpath("td[5]/a/@href") == [f"#{pair.get('id')}"]
    assert not rows[1].xpath("td[5]/a") and not rows[2].xpath("td[5]/a")
    assert pair.get("data-year") == "2024" and pair.get("data-type") == "department township"
    assert problems in pair.xpath("string(h3)") and re.search(r"相似度 \d+%", pair.xpath("string(h3)"))
    sides = pair.xpath('./div[@class="pair"]/div[@class="side"]')
    heads = [s.xpath("string(h4)") for s in sides]
    assert [h.split("　")[:2] for h in heads] == [["甲镇", "2024年"], ["县教育局", "2024年"]]
    assert heads[0].endswith("甲镇2024.docx") and heads[1].endswith("县教育局2024.docx")

    # every text as written, the planted script text (never an element), the copied passages and nothing else marked
    t = _texts(db)
    passages = _passages(db)
    for side, unit in zip(sides, ("甲镇", "县教育局"), strict=True):
        text, = side.xpath('.//div[@class="narrative-text"]')
        assert text.text_content() == t[unit] and SCRIPT in text.text_content()
        assert not text.xpath(".//script") and not doc.xpath('//section[@id="narrative"]//script')
        marks = [m.text_content() for m in text.xpath(".//mark")]
        assert marks == passages[unit] and marks
        joined = "".join(marks)
        assert "政策解读形式较为单一" in joined and "组织业务培训" in joined
        # what differs at the edges stays unmarked: the year and the name before the copy (a name inside a copied
        # passage is inside its mark: copied_passages marks passages, not the characters compared)
        assert text.text == f"{YEAR}年，{unit}" and "2024" not in joined and marks[0].startswith("政务公开")
    assert "档案室年内搬迁" not in "".join(passages["县教育局"])  # its own sentence stays unmarked
    assert SCRIPT not in html  # as markup nowhere: escaped piece by piece (a mark may split its text)


@pytest.mark.unit
def test_marks_are_applied_on_the_text_and_each_piece_escaped():
    text = "a<b>c&d</b>e"
    assert quality.marked(text, [(1, 4), (7, 11)]) == "a<mark>&lt;b&gt;</mark>c&amp;d<mark>&lt;/b&gt;</mark>e"
    # in any order, overlapping and touching spans as one mark
    assert quality.marked(text, [(3, 5), (0, 1), (4, 6), (6, 7)]) == "<mark>a</mark>&lt;b<mark>&gt;c&amp;d</mark>&lt;/b&gt;e"
    assert quality.marked(text, [(0, len(text))]) == "<mark>a&lt;b&gt;c&amp;d&lt;/b&gt;e</mark>"
    assert quality.marked(text, []) == "a&lt;b&gt;c&amp;d&lt;/b&gt;e"


@pytest.mark.unit
def test_a_warehouse_without_narratives_gets_the_block(tmp_path):
    from countystats.examples.warehouses import build_warehouse

    db = build_warehouse(tmp_path / "empty.duckdb", units=[])  # the schema alone: every relation empty
    wh = load(db)
    assert wh.copies.empty and wh.standing_copies.empty
    html = quality.build(wh, tmp_path)
    block, = lxml.html.fromstring(f"<main>{html}</main>").xpath('//section[@id="narrative"]')
    assert texts.NARRATIVE_NONE in block.text_content() and not block.xpath('.//div[contains(@class, "copy-pair")]')


# ---------------------------------------------------------------- in Chromium


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height", "side_by_side"), [(1366, 768, True), (390, 844, False)])
def test_the_copied_texts_are_side_by_side_on_a_screen_and_stacked_on_a_phone(night, browser, width, height,
                                                                                side_by_side):
    _, site = night
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto((site / "quality.html").as_uri())
        page.wait_for_load_state("load")
        sides = page.locator("#narrative .copy-pair .side")
        assert sides.count() == 2 and sides.nth(0).is_visible() and sides.nth(1).is_visible()
        a, b = (sides.nth(i).bounding_box() for i in range(2))
        if side_by_side:
            assert a["y"] == b["y"] and a["x"] < b["x"] and a["x"] + a["width"] <= b["x"]
        else:
            assert a["y"] + a["height"] <= b["y"] and a["x"] == b["x"]
        assert a["x"] >= 0 and b["x"] + b["width"] <= width  # no side runs off the screen
        # the planted script is text: never an element, never run
        assert page.evaluate("() => document.querySelectorAll('#narrative script').length") == 0
        assert page.evaluate("() => window.planted === undefined")
        assert SCRIPT in sides.nth(0).locator(".narrative-text").inner_text()
        assert page.locator("#narrative mark").count() > 0
        # the filters: each unit's rows under its type, the pair of a township and a department under either
        for unit_type, rows, pair in (("township", 3, True), ("department", 1, True), ("county_government", 0, False),
                                      ("all", 4, True)):
            page.select_option("#f-type", unit_type)
            assert page.locator("#narrative-findings tbody tr:visible").count() == rows, unit_type
            assert page.locator("#narrative .copy-pair").is_visible() == pair, unit_type
        assert errors == []
    finally:
        page.close()
