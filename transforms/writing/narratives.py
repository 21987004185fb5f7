"""Narratives in the style of real reports, made from the figures and varied from unit to unit.

The narrative of an annual report is the text around its tables: a preamble, 一、总体情况 ("overview"), 五、存在的主要
问题及改进情况 ("problems") and 六、其他需要报告的事项 ("other"). Real reports (shared/samples/published) write 一 in
sub-sections — （一）主动公开 （二）依申请公开 （三）政府信息管理 （四）平台建设 （五）监督保障 — and state some of the
table's figures there in their own words and numerals (收到申请十二件, 办结15件, 被申请行政复议２件), next to many
numbers that are not table quantities (较上年增加3件, 2023年的9件, 第三十三条, 主动公开政府信息1200条, a date, a
phone number). 五 lists a few problems and the measures that answer them; 六 says whether 信息处理费 were charged and
whatever else the unit had to report.

:func:`narrative` writes one such narrative, deterministic for its arguments: the phrasing is drawn by
``random.Random`` seeded with a string made of the seed (the unit's name unless given) and the year, one stream per
part, so 五 and 六 do not depend on the figures and a unit writes a different 五 each year. The figures come from
``cells`` alone (a blank or missing cell is 0); a quantity whose cells the format has not is never stated.

What the overview states is recorded, not read back: the result is a :class:`NarrativeText` (a ``dict`` of the four
parts, usable wherever ``dict[str, str]`` is) whose ``stated`` maps each quantity it states to the value, ``sentences``
to the exact sentence of the overview that states it, ``written`` to the numeral as written (``12``, ``１２``,
``十二``, ``两``; or the words that state a 0, ``未收到``/``未发生``/``未制发``) and ``spans`` to where that numeral is
in the overview. :func:`restate` plants a wrong figure (N-TEXT) in the same numeral style.

Quantities (``QUANTITIES``, the cells of each in ``QUANTITY_CELLS``; validation-rules.md "The narrative", N-TEXT)::

    new_received            requests/new_received/total              本年新收 … 申请 N 件
    carried_over            requests/carried_over/total              上年结转 N 件
    concluded               requests/concluded_total/total           办结 / 答复 N 件
    carried_forward         requests/carried_forward/total           结转下年度 N 件
    reconsideration         review_litigation/reconsideration/total  行政复议 N 件
    litigation              litigation_direct/total + litigation_after_reconsideration/total   行政诉讼 N 件
    normative_docs_issued   proactive/normative_docs/issued          制发 / 出台 / 印发 行政规范性文件 N 件

Variety: 一 has 8 openings, 3–4 wordings of each sub-heading, at the head of their paragraph, on a line of their
own or left out; each quantity several wordings and places (the requests in one sentence or two, 行政复议/诉讼 in the
opening, （二） or （五）, 规范性文件 in （一） or （三）); numerals Arabic, full-width, Chinese (up to 999) or mixed
per document; 0 sometimes in words (未收到, 未发生…行政复议和行政诉讼, 未制发). 五: 2–5 of 16 topics (48 problems,
48 measures, with optional tails), 10 openings, 10 leads to the measures, 6 layouts (一是…；二是…, 1.…, paired,
（一）上年度问题整改情况 …). 六: a fee sentence (12) alone, or with two or three of nine kinds of item, each of
several independent slots. Units of one year, and one unit's successive years, write 五 and 六 far below N-COPY's
90 % (tests/test_narrative_writing.py).

Printable: no paragraph begins like a section heading (一、…); sub-headings within a paragraph are （1）, never
（一）, which a PDF reader may take for a heading at the start of a line; and no paragraph prints as one line
running to the margin (:data:`PDF_LINE_EMS`), so that the readers of Word, PDF and HTML give the same paragraphs.

API
    narrative(fmt, cells, unit_name, year, *, seed=None) -> NarrativeText
    stated_in(narrative) -> dict[str, int]
    restate(narrative, quantity, value) -> NarrativeText
    figures(fmt, cells) -> dict[str, int]   (the quantities' values in ``cells``, for those the format has)
    zh_number(n) -> str          (Chinese numerals as reports write counts: 两, 十二, 二十一, 一百零五)
    facts_overview(fmt, cells, subject) -> str   (no variety: the plain facts, 一 of the county's exported report)
    figure_text(value, measure) -> str           (a figure as printed: counts whole, 万元 to two decimals)
    QUANTITIES, QUANTITY_CELLS, PROBLEMS, MEASURES
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Mapping

from transforms.format import TOTAL, WAN_YUAN, ReportFormat
from transforms.narrative.figures import QUANTITIES as STATED_QUANTITIES

Key = tuple[str, str, str]

# the quantities N-TEXT reads, as the rule declares them (transforms.narrative.figures): code → the cells summed
QUANTITIES = tuple(q.code for q in STATED_QUANTITIES)
QUANTITY_CELLS: dict[str, tuple[Key, ...]] = {q.code: q.cells for q in STATED_QUANTITIES}
ZERO_PHRASES = ("未收到", "未发生", "未制发")  # the words ``written`` holds where the text states a 0 without a numeral


class NarrativeText(dict):
    """The four parts (a plain ``dict[str, str]`` to everything that reads it) and what the overview states.

    ``stated``: quantity → value the overview states; ``sentences``: quantity → the sentence (verbatim in
    ``self["overview"]``) that states it; ``written``: quantity → the numeral (or zero phrase) as written;
    ``spans``: quantity → (start, end) of ``written`` in ``self["overview"]``.
    """

    def __init__(self, parts: Mapping[str, str], stated: Mapping[str, int] | None = None,
                 sentences: Mapping[str, str] | None = None, written: Mapping[str, str] | None = None,
                 spans: Mapping[str, tuple[int, int]] | None = None):
        super().__init__(parts)
        self.stated = dict(stated or {})
        self.sentences = dict(sentences or {})
        self.written = dict(written or {})
        self.spans = dict(spans or {})


def stated_in(narrative: Mapping[str, str]) -> dict[str, int]:
    """What the generator stated in ``narrative``'s overview (recorded when it was written, never read back)."""
    if not isinstance(narrative, NarrativeText):
        raise TypeError("stated_in needs the NarrativeText that narrative() returned")
    return dict(narrative.stated)


# ---------------------------------------------------------------- numerals

_ZH_DIGITS = "零一二三四五六七八九"
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def zh_number(n: int) -> str:
    """``n`` (0–9999) in Chinese numerals as a count is written: 两 (2), 十二, 二十一, 一百零五, 一千零五十."""
    if not 0 <= n <= 9999:
        raise ValueError(f"{n} out of 0–9999")
    if n == 2:
        return "两"
    if n < 10:
        return _ZH_DIGITS[n]
    if n < 20:
        return "十" + (_ZH_DIGITS[n % 10] if n % 10 else "")
    out, gap = "", False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            out += ("零" if gap else "") + _ZH_DIGITS[d] + name
            gap = False
        elif out:
            gap = True
    return out


def _write(n: int, style: str, rng: random.Random) -> str:
    """``n`` as the document writes its numbers: arabic | fullwidth | chinese (up to 999) | mixed."""
    if style == "mixed":
        style = rng.choice(("arabic", "arabic", "chinese", "fullwidth"))
    if style == "chinese" and 0 < n <= 999:
        return zh_number(n)
    if style == "fullwidth":
        return str(n).translate(_FULLWIDTH)
    return str(n)


def _style_of(written: str) -> str:
    if written in ZERO_PHRASES:
        return "zero"
    if all("０" <= ch <= "９" for ch in written):
        return "fullwidth"
    if written.isascii():
        return "arabic"
    return "chinese"


# ---------------------------------------------------------------- figures


def _count(v) -> int | None:
    """A cell's value as a count (None/blank → 0); None when it is no whole non-negative number."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return 0
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() and f >= 0 else None


def figures(fmt: ReportFormat, cells: Mapping[Key, object]) -> dict[str, int]:
    """Quantity → its value in ``cells``, for the quantities whose cells ``fmt`` has (and that are counts)."""
    out = {}
    for q, keys in QUANTITY_CELLS.items():
        if not all(fmt.has(*k) for k in keys):
            continue
        values = [_count(cells.get(k)) for k in keys]
        if all(v is not None for v in values):
            out[q] = sum(values)
    return out


def _cell(fmt: ReportFormat, cells: Mapping[Key, object], section: str, row: str, col: str = TOTAL) -> int | None:
    return _count(cells.get((section, row, col))) if fmt.has(section, row, col) else None


# ---------------------------------------------------------------- the writer's context

_MARK = re.compile(r"\x00(\w+(?:,\w+)*)\|([^\x00]*)\x00")


class _Ctx:
    """The draws of one part: the unit's words for itself, random figures in the document's numeral style, and the
    quantities, each written as a marker (resolved into the text and recorded by :func:`_resolve`)."""

    def __init__(self, rng: random.Random, unit: str, year: int, style: str = "arabic",
                 values: Mapping[str, int] | None = None):
        self.rng, self.unit, self.year, self.style = rng, unit, year, style
        self.prev, self.next = year - 1, year + 1
        self.we = _we(unit, rng)
        self.values = dict(values or {})
        self.used: set[str] = set()

    def pick(self, seq):
        return self.rng.choice(seq)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def num(self, n: int) -> str:
        return _write(n, self.style, self.rng)

    def rnd(self, lo: int, hi: int) -> str:
        return self.num(self.rng.randint(lo, hi))

    def q(self, code: str) -> str:
        """The marker of quantity ``code``'s figure."""
        if code in self.used:
            raise ValueError(f"{code} stated twice")
        self.used.add(code)
        return f"\x00{code}|{self.num(self.values[code])}\x00"

    def zero(self, phrase: str, *codes: str) -> str:
        """The marker of quantities ``codes`` stated as 0 in words (``phrase`` one of ZERO_PHRASES)."""
        assert phrase in ZERO_PHRASES and all(self.values[code] == 0 for code in codes)
        self.used.update(codes)
        return f"\x00{','.join(codes)}|{phrase}\x00"

    def date(self) -> str:
        month = self.rng.randint(1, 12)
        return f"{self.year}年{month}月{self.rng.randint(1, 28)}日"

    def pct(self, lo: float = 1, hi: float = 60) -> str:
        return f"{self.rng.uniform(lo, hi):.1f}%"


def _we(unit: str, rng: random.Random) -> str:
    """How the unit calls itself: 我局, 我镇, 本机关 …"""
    for ends, words in (("局", ("我局", "本局")), ("镇人民政府", ("我镇", "本镇")), ("镇", ("我镇", "本镇")),
                        ("乡人民政府", ("我乡", "本乡")), ("乡", ("我乡",)), ("街道办事处", ("我街道", "本街道")),
                        ("街道", ("我街道", "本街道")), ("县人民政府", ("我县", "县政府")),
                        ("区人民政府", ("我区", "区政府")), ("委员会", ("我委", "本委")), ("办公室", ("我办", "本办"))):
        if unit.endswith(ends):
            return rng.choice((*words, "本机关"))
    return rng.choice(("本机关", "本单位"))


def _resolve(paragraphs: list[str], values: Mapping[str, int]) -> tuple[str, dict, dict, dict, dict]:
    """The overview's text with the markers replaced by the figures, and what each quantity's marker became."""
    text = "\n".join(p for p in paragraphs if p)
    out, spans, written, stated = [], {}, {}, {}
    pos, length = 0, 0
    for m in _MARK.finditer(text):
        out.append(text[pos:m.start()])
        length += m.start() - pos
        shown = m.group(2)
        for code in m.group(1).split(","):
            spans[code] = (length, length + len(shown))
            written[code] = shown
            stated[code] = 0 if shown in ZERO_PHRASES else values[code]
        out.append(shown)
        length += len(shown)
        pos = m.end()
    out.append(text[pos:])
    overview = "".join(out)
    sentences = {code: _sentence(overview, span) for code, span in spans.items()}
    return overview, stated, sentences, written, spans


def _sentence(text: str, span: tuple[int, int]) -> str:
    """The sentence of ``text`` around ``span``: from after the previous 。/newline to the next 。 (inclusive)."""
    start = max(text.rfind("。", 0, span[0]), text.rfind("\n", 0, span[0])) + 1
    ends = [i for i in (text.find("。", span[1]), text.find("\n", span[1])) if i >= 0]
    end = min(ends) if ends else len(text)
    return text[start:end + 1 if end < len(text) and text[end] == "。" else end]


# A paragraph printed on one line that runs (nearly) to the right margin reads, in a PDF, as wrapped into the next
# paragraph, both lines beginning at the same indent (nothing else tells them apart; a heading-like next line aside).
# The documents print the body at 12 pt on a 155 mm frame, the first line indented 2 em: about 33.5 em of text. A
# paragraph that would print so is lengthened by a clause (or sentence) of its kind.
PDF_LINE_EMS = (30.5, 35.5)


def _ems(text: str) -> float:
    """Printed width in ems: CJK and full-width characters 1, others about half."""
    text = _MARK.sub(lambda m: m.group(2), text)
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.8 if ch == "%" else 0.5 for ch in text)


def _fit(c: _Ctx, paragraph: str, tails, *, sentence: bool = False) -> str:
    """``paragraph``, lengthened with ``tails`` (clauses before its final 。, or whole sentences after it) until it
    is no line that runs to the margin."""
    while PDF_LINE_EMS[0] <= _ems(paragraph) <= PDF_LINE_EMS[1] and paragraph.endswith("。"):
        tail = c.pick(tails)
        tail = tail(c) if callable(tail) else tail
        paragraph = paragraph + tail if sentence else paragraph[:-1] + tail + "。"
    return paragraph


# ---------------------------------------------------------------- preamble


def _preamble(c: _Ctx) -> str:
    # the text of the former default, a phone number now and then
    phone = ""
    if c.chance(0.5):
        phone = f"（联系电话：0{c.rng.randint(310, 999)}-{c.rng.randint(2000000, 8999999)}）"
    return (f"本报告由{c.unit}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。"
            f"报告中所列数据统计期限自{c.year}年1月1日起至{c.year}年12月31日止。"
            f"如对本报告有疑问，请与{c.unit}联系{phone}。")


# ---------------------------------------------------------------- 一、总体情况

Sent = Callable[[_Ctx], str]

_OPENINGS: tuple[Sent, ...] = (
    lambda c: (f"{c.year}年，{c.unit}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》，坚持以公开为常态、"
               "不公开为例外，持续推进政府信息公开工作。"),
    lambda c: (f"{c.year}年，在上级党委、政府的正确领导下，{c.unit}深入贯彻《条例》和政务公开工作部署要求，围绕中心工作，"
               "扎实推进决策、执行、管理、服务、结果公开，政府信息公开工作取得新进展。"),
    lambda c: (f"{c.year}年，{c.we}以提升政务公开质量为抓手，不断完善工作机制，拓宽公开渠道，深化政策解读，积极回应社会关切，"
               "政务公开工作规范化、标准化水平进一步提升。"),
    lambda c: (f"{c.year}年，{c.unit}全面贯彻党的{'二十大' if c.year >= 2023 else '十九大'}精神，严格落实《条例》各项规定，"
               "聚焦群众关切，持续加大政府信息公开力度，以公开促落实、促规范、促服务，推动政务公开工作提质增效。"),
    lambda c: (f"{c.year}年，{c.we}以群众需求为导向，坚持依法公开、真实公开、注重实效，进一步健全政务公开制度体系，"
               "强化公开平台建设，各项工作有序推进。"),
    lambda c: (f"{c.year}年以来，{c.unit}高度重视政府信息公开工作，将其纳入年度重点工作统筹推进，主要负责同志"
               f"{c.rnd(2, 6)}次听取政务公开工作汇报，研究部署重点任务。"),
    lambda c: (f"{c.year}年，{c.unit}认真贯彻落实上级关于全面推进政务公开工作的决策部署，紧扣经济社会发展大局，"
               "着力提升政务公开的针对性和实效性，政府信息公开工作稳步推进。"),
    lambda c: (f"{c.year}年，{c.we}坚持把政务公开作为建设法治政府、服务型政府的重要抓手，严格执行《条例》，"
               "不断提高政府工作透明度，切实保障人民群众的知情权、参与权、表达权和监督权。"),
)
_OPENING_TAILS: tuple[Sent, ...] = (
    lambda c: f"全年召开政务公开工作专题会议{c.rnd(1, 5)}次。",
    lambda c: f"现将{c.year}年度政府信息公开工作情况报告如下。",
    lambda c: f"{c.date()}，{c.we}印发年度政务公开工作要点，明确重点任务{c.rnd(10, 40)}项。",
)

_HEADS = (
    ("主动公开方面", "主动公开情况", "主动公开政府信息情况", "主动公开工作"),
    ("依申请公开方面", "依申请公开情况", "依申请公开工作", "政府信息公开申请办理情况"),
    ("政府信息管理方面", "政府信息管理情况", "政府信息管理"),
    ("信息公开平台建设方面", "平台建设方面", "平台建设情况", "政府信息公开平台建设"),
    ("监督保障方面", "监督保障情况", "监督保障", "工作保障方面"),
)

_OVERVIEW_FILLERS = ("相关工作均按计划推进。", "有关情况已在门户网站公开。", "工作成效进一步显现。", "各项工作有序开展。",
                     "群众反映良好。")
_PROACTIVE: tuple[Sent, ...] = (
    lambda c: f"通过政府门户网站主动公开各类政府信息{c.rnd(150, 4000)}条，较上年增长{c.pct(2, 35)}。",
    lambda c: f"全年发布政策解读{c.rnd(5, 90)}篇，其中图解、视频等多样化解读{c.rnd(2, 30)}篇。",
    lambda c: f"召开新闻发布会{c.rnd(1, 12)}次，及时发布权威信息。",
    lambda c: (f"依据《条例》第二十条、第二十一条规定，重点公开财政预决算、重大建设项目、公共资源配置等领域信息"
               f"{c.rnd(30, 600)}条。"),
    lambda c: f"开展网上调查{c.rnd(2, 40)}期、在线访谈{c.rnd(1, 12)}期，主动回应社会关切。",
    lambda c: f"{c.date()}，在门户网站公开了{c.prev}年度部门决算和{c.year}年度部门预算。",
    lambda c: f"通过政务微信公众号发布信息{c.rnd(80, 1500)}条，累计阅读量{c.rnd(2, 90)}万人次。",
    lambda c: "聚焦营商环境、乡村振兴、社会保障等重点领域，及时发布权威信息，不断提高政府信息公开的深度和广度。",
    lambda c: f"全年主动公开政府信息{c.rnd(100, 3000)}条，{c.prev}年同期为{c.rnd(100, 3000)}条。",
)
_REQUESTS_MORE: tuple[Sent, ...] = (
    lambda c: "规范做好申请登记、审查、办理、答复、归档等工作，强化服务理念，提高答复质量。",
    lambda c: "严格按照《条例》第三十三条规定的期限答复，未出现逾期答复情况。",
    lambda c: "主动加强与申请人沟通，了解实质诉求，耐心细致释疑并合理引导。",
    lambda c: "对涉及第三方权益的申请，依照《条例》第三十二条书面征求第三方意见。",
    lambda c: f"{c.date()}修订完善依申请公开办理工作规程，进一步规范受理、答复等环节。",
)
_MANAGEMENT: tuple[Sent, ...] = (
    lambda c: f"严格落实“先审查、后公开”和“一事一审”制度，全年审查拟公开信息{c.rnd(50, 900)}条。",
    lambda c: f"{c.date()}，修订发布政府信息公开指南，进一步明确申请渠道和办理流程。",
    lambda c: f"开展历史信息清理，对{c.rnd(3, 60)}条过时信息进行了更新或撤除。",
    lambda c: f"落实公文公开属性源头认定机制，全年认定公文公开属性{c.rnd(20, 400)}件。",
    lambda c: "规范政府信息发布流程，认真做好信息公开保密审查，确保信息准确、安全。",
)
_PLATFORM: tuple[Sent, ...] = (
    lambda c: f"持续优化门户网站政府信息公开专栏，全年调整完善栏目{c.rnd(2, 20)}个。",
    lambda c: f"加强政务新媒体管理，对{c.rnd(1, 8)}个更新不及时的账号予以整改或关停。",
    lambda c: f"在政务服务中心设置政府信息公开查阅点{c.rnd(1, 6)}个，方便群众就近查阅。",
    lambda c: f"政府网站全年访问量达{c.rnd(3, 300)}万人次，同比增长{c.pct(1, 40)}。",
    lambda c: "发挥政府网站政务公开第一平台作用，完善信息发布、解读回应、互动交流、办事服务功能。",
)
_OVERSIGHT: tuple[Sent, ...] = (
    lambda c: "成立政务公开工作领导小组，由主要负责同志任组长，明确专人负责具体工作。",
    lambda c: f"组织政务公开业务培训{c.rnd(1, 8)}次，参训{c.rnd(20, 400)}人次。",
    lambda c: f"将政务公开工作纳入年度绩效考核，分值占比{c.rng.randint(2, 8)}%。",
    lambda c: "全年未发生因政务公开工作不到位被通报批评的情况。",
    lambda c: f"{c.date()}召开政务公开工作推进会，部署年度重点任务。",
    lambda c: "坚持把政务公开工作与业务工作同研究、同部署、同落实，压紧压实工作责任。",
)


def _lead(c: _Ctx) -> str:
    return c.pick((f"{c.year}年，{c.we}", "全年", f"本年度，{c.we}", f"报告期内，{c.we}", f"{c.year}年，{c.unit}",
                   f"{c.year}年度，{c.we}"))


def _requests(c: _Ctx, say: set[str], fmt: ReportFormat, cells: Mapping[Key, object]) -> list[str]:
    """The sentences of （二） that state the requests' figures (those in ``say``), and some that state others."""
    v = c.values
    out: list[str] = []
    received = v["new_received"]
    if "new_received" in say and received == 0 and c.chance(0.5):
        out.append(f"{_lead(c)}{c.zero('未收到', 'new_received')}政府信息公开申请。")
        say = say - {"new_received"}
    clauses = []
    if "new_received" in say:
        clauses.append(c.pick(("共收到政府信息公开申请{}件", "新收政府信息公开申请{}件", "受理政府信息公开申请{}件",
                               "共接收各类政府信息公开申请{}件", "收到公民、法人和其他组织提出的政府信息公开申请{}件",
                               "本年新收依申请公开申请{}件", "共受理政府信息公开申请{}件"))
                       .format(c.q("new_received")))
        if c.chance(0.35):
            change = c.rng.randint(1, 9)
            before = received + change if c.chance(0.5) or received <= change else received - change
            if c.chance(0.5):
                word = "增加" if before < received else "减少"
                clauses.append(f"较上年{word}{c.num(abs(received - before))}件")
            else:
                word = "增长" if before < received else "下降"
                clauses.append(f"比{c.prev}年的{c.num(before)}件{word}{abs(received - before) / before * 100:.1f}%")
    if "carried_over" in say:
        clauses.append(c.pick(("上年结转{q}件", "另有上年结转申请{q}件", f"{c.prev}年结转{{q}}件", "上年度结转的申请{q}件")
                              ).format(q=c.q("carried_over")))
    if "concluded" in say:
        clauses.append(c.pick(("办结{q}件", "共办结{q}件", "共答复{q}件", "按期答复{q}件", "办理完毕{q}件",
                               "已全部办结{q}件")).format(q=c.q("concluded")))
    if "carried_forward" in say:
        clauses.append(c.pick(("结转下年度继续办理{q}件", f"结转至{c.next}年办理{{q}}件", "{q}件结转下年度办理",
                               "结转下年度{q}件", "尚在办理期限内、结转下年度的{q}件")).format(q=c.q("carried_forward")))
    if clauses:
        tail = c.pick(("", "，均在法定期限内予以答复", "，办结率100%", "，未发生逾期答复情况", "，按时答复率100%"))
        if "carried_forward" in say and v["carried_forward"] > 0 and tail.startswith("，办结率"):
            tail = ""
        lead = _lead(c)
        if len(clauses) >= 3 and c.chance(0.4):
            cut = c.rng.randint(1, len(clauses) - 1)
            out.append(f"{lead}{'，'.join(clauses[:cut])}。")
            out.append(f"{c.pick(('此外，', '同时，', ''))}{'，'.join(clauses[cut:])}{tail}。")
        else:
            out.append(f"{lead}{'，'.join(clauses)}{tail}。")
    # the figures of the table that are no N-TEXT quantity: who asked, how it was answered
    natural = _cell(fmt, cells, "requests", "new_received", "natural_person")
    told_who = natural is not None and 0 < received and natural <= received and c.chance(0.45)
    if told_who:
        if natural == received:
            out.append("申请人均为自然人。")
        else:
            out.append(f"其中，自然人申请{c.num(natural)}件，法人或其他组织申请{c.num(received - natural)}件。")
    shown = [(word, n) for word, row in (("予以公开", "granted"), ("部分公开", "partly_granted"),
                                         ("因本机关不掌握相关政府信息无法提供", "unavailable_not_held"))
             if (n := _cell(fmt, cells, "requests", row)) is not None]
    if shown and c.chance(0.45):
        out.append(f"{c.pick(('从办理结果看，', '办理结果中，') if told_who else ('从办理结果看，', '办理结果中，', '其中，'))}"
                   f"{'，'.join(f'{w}{c.num(n)}件' for w, n in shown)}。")
    return out


def _review(c: _Ctx, say: set[str], fmt: ReportFormat, cells: Mapping[Key, object]) -> list[str]:
    """The sentences that state 行政复议 and 行政诉讼 (those in ``say``)."""
    v = c.values
    rec, lit = "reconsideration" in say, "litigation" in say
    if not (rec or lit):
        return []
    corrected = _cell(fmt, cells, "review_litigation", "reconsideration", "corrected")
    if corrected is not None and corrected > v.get("reconsideration", 0):
        corrected = None  # figures that do not add up: say nothing of them
    if rec and lit and v["reconsideration"] == 0 and v["litigation"] == 0 and c.chance(0.5):
        z = c.zero("未发生", "reconsideration", "litigation")  # one phrase states both
        return [c.pick((f"全年{z}因政府信息公开引起的行政复议、行政诉讼案件。",
                        f"{c.year}年，{c.we}{z}政府信息公开行政复议和行政诉讼案件。"))]
    if rec and lit:
        r, li = c.q("reconsideration"), c.q("litigation")
        lead = _lead(c)
        form = c.rng.randint(0, 5)
        if form == 0:
            out = [f"{lead}因政府信息公开被申请行政复议{r}件，被提起行政诉讼{li}件。"]
        elif form == 1:
            out = [f"{c.pick(('全年', '本年度'))}发生政府信息公开行政复议案件{r}件、行政诉讼案件{li}件。"]
        elif form == 2:
            out = [f"全年办理因政府信息公开申请引发的行政复议{r}起，行政诉讼{li}起。"]
        elif form == 3:
            out = [f"{c.year}年{c.we}有{r}件涉及政府信息公开工作的行政复议"
                   + ("" if not v["reconsideration"] or corrected is None else
                      f"，其中被复议机关纠错{c.num(corrected)}件" if corrected else "，未被复议机关纠错") + "。",
                   f"涉及的行政诉讼数为{li}件。"]
        elif form == 4:
            out = [f"{lead}涉及政府信息公开的行政复议{r}件、行政诉讼{li}件。"]
        else:
            out = [f"因政府信息公开工作，{c.we}被申请行政复议{r}件，被提起行政诉讼{li}件。"]
        if c.chance(0.2):
            out.append(f"与上年相比，行政复议案件{c.pick(('减少', '增加'))}{c.rnd(1, 5)}件。")
        return out
    if rec:
        return [c.pick((f"{_lead(c)}被申请政府信息公开行政复议{{}}件。", "全年发生政府信息公开行政复议案件{}件。",
                        f"{c.year}年，因政府信息公开被申请行政复议{{}}件。")).format(c.q("reconsideration"))]
    return [c.pick((f"{_lead(c)}被提起政府信息公开行政诉讼{{}}件。", "全年发生政府信息公开行政诉讼案件{}件。",
                    "涉及政府信息公开的行政诉讼案件{}件。")).format(c.q("litigation"))]


def _normative(c: _Ctx, fmt: ReportFormat, cells: Mapping[Key, object]) -> str:
    n = c.values["normative_docs_issued"]
    if n == 0 and c.chance(0.5):
        return f"本年度{c.we}{c.zero('未制发', 'normative_docs_issued')}行政规范性文件。"
    q = c.q("normative_docs_issued")
    repealed = _cell(fmt, cells, "proactive", "normative_docs", "repealed")
    in_force = _cell(fmt, cells, "proactive", "normative_docs", "in_force")
    form = c.rng.randint(0, 4)
    if form == 0:
        more = ""
        if repealed is not None and in_force is not None:
            more = f"，废止{c.num(repealed)}件，现行有效{c.num(in_force)}件"
        return f"{_lead(c)}制发行政规范性文件{q}件{more}。"
    if form == 1:
        return f"全年出台规范性文件{q}件，均按要求在政府网站行政规范性文件库集中公开。"
    if form == 2:
        return f"{_lead(c)}印发行政规范性文件{q}件，并同步做好政策解读工作。"
    if form == 3:
        return f"动态更新发布本年度制发行政规范性文件{q}件，确保行政规范性文件库数据准确、规范统一。"
    return f"{c.year}年共制发规范性文件{q}件，已全部按规定报备并向社会公开。"


def _overview(c: _Ctx, fmt: ReportFormat, cells: Mapping[Key, object]) -> list[str]:
    values = c.values
    say = {"new_received"} & set(values)
    for q, p in (("carried_over", 0.7), ("concluded", 0.75), ("carried_forward", 0.6), ("reconsideration", 0.8),
                 ("litigation", 0.75), ("normative_docs_issued", 0.6)):
        if q in values and c.chance(p):
            say.add(q)
    opening = [c.pick(_OPENINGS)(c)]
    if c.chance(0.4):
        opening.append(c.pick(_OPENING_TAILS)(c))
    requests = _requests(c, say & {"new_received", "carried_over", "concluded", "carried_forward"}, fmt, cells)
    review = _review(c, say & {"reconsideration", "litigation"}, fmt, cells)
    normative = [_normative(c, fmt, cells)] if "normative_docs_issued" in say else []

    def some(bank: tuple[Sent, ...], lo: int, hi: int) -> list[str]:
        return [s(c) for s in c.rng.sample(bank, c.rng.randint(lo, hi))]

    parts = [some(_PROACTIVE, 1, 3), some(_REQUESTS_MORE, 0, 2), some(_MANAGEMENT, 1, 2), some(_PLATFORM, 1, 2),
             some(_OVERSIGHT, 1, 2)]
    parts[1] = requests + parts[1] if c.chance(0.7) else parts[1][:1] + requests + parts[1][1:]
    where_review = c.rng.choice((0, 1, 1, 5))  # 0: the opening, 1: （二）, 5: （五）
    if where_review == 0:
        opening += review
    elif where_review == 1:
        parts[1] += review
    else:
        parts[4] += review
    if normative:
        parts[c.pick((0, 2))].insert(c.rng.randint(0, 1), normative[0])
    # sub-headings at the head of their paragraph (（一）主动公开方面。…) or on a line of their own; or none
    layout = c.rng.choices(("inline", "apart", "plain"), weights=(6, 4, 1))[0]
    paragraphs = ["".join(opening)]
    if layout == "plain":  # no sub-headings: two or three paragraphs, as some bureaus write
        paragraphs.append("".join(parts[0] + parts[2]))
        paragraphs.append("".join(parts[1]))
        paragraphs.append("".join(parts[3] + parts[4]))
    else:
        for n, (heads, body) in enumerate(zip(_HEADS, parts, strict=True)):
            head = f"（{'一二三四五'[n]}）{c.pick(heads)}"
            if layout == "apart":
                paragraphs += [head, "".join(body)]
            else:
                paragraphs.append(f"{head}。{''.join(body)}")
    return [_fit(c, p, _OVERVIEW_FILLERS, sentence=True) for p in paragraphs]


# ---------------------------------------------------------------- 五、存在的主要问题及改进情况

# topic: (short name, problems, measures); a problem reads after 如/一是/1., a measure after 将/一是/1.
_TOPICS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("政策解读形式单一", (
        "政策解读的形式还不够丰富，图解、音视频等解读方式运用较少",
        "政策解读质量有待提升，部分解读材料照搬文件原文，通俗性、针对性不强",
        "政策解读与文件发布的同步性不够，个别文件解读滞后",
    ), (
        "丰富政策解读形式，综合运用图文、短视频、在线访谈等方式开展多元化解读，增强解读的可读性和传播力",
        "严格落实政策文件与解读材料同步组织、同步审签、同步发布制度，提高解读的及时性和准确性",
        "坚持“谁起草、谁解读”原则，邀请文件起草部门负责人、专家学者开展权威解读，着力把政策讲透说明白",
    )),
    ("依申请公开办理不够规范", (
        "依申请公开办理的规范化水平有待提高，答复文书格式和引用条款不够统一",
        "面对申请数量增长和申请内容日趋复杂，依申请公开答复的精准性还需加强",
        "个别承办科室对依申请公开工作重视不够，协同办理效率不高",
    ), (
        "规范依申请公开办理流程，统一答复文书模板，严格落实法制审核，确保答复合法合规",
        "加强与申请人的沟通，准确把握申请人的实际需求，提高答复的针对性，从源头上减少行政争议",
        "健全依申请公开会商机制，明确各承办科室职责和办理时限，提升协同办理效率",
    )),
    ("主动公开深度广度不够", (
        "主动公开的深度和广度还不够，部分重点领域信息公开不够全面",
        "部分栏目信息更新不及时，存在内容单一、更新滞后等现象",
        "公开内容以工作动态为主，涉及财政资金、重大项目等群众关心的实质性信息偏少",
    ), (
        "聚焦重点领域和群众关切，加大财政资金、重大建设项目、公共服务等信息的公开力度，拓展公开的深度和广度",
        "建立栏目内容定期巡查制度，明确每个栏目的责任人，确保信息更新及时、内容准确",
        "对照主动公开基本目录逐项梳理公开事项，做到应公开尽公开、应公开早公开",
    )),
    ("网站平台功能不完善", (
        "政府网站功能有待完善，站内检索、智能问答等服务的便捷性不够",
        "政务公开专区建设不够完善，线下查阅点利用率不高",
        "门户网站栏目设置不够合理，部分信息分类不够清晰，群众查找不便",
    ), (
        "优化政府网站栏目设置，升级站内搜索功能，提升信息查找的便捷度",
        "加强政务公开专区建设，完善查阅、咨询、办事等功能，为群众提供一站式服务",
        "推进网站集约化建设，整合优化信息资源，增强平台的服务能力",
    )),
    ("工作队伍能力不足", (
        "政务公开工作人员多为兼职，人员流动较大，业务能力有待进一步提升",
        "工作人员对《条例》的理解和把握还不够深入，业务培训的系统性不强",
        "政务公开工作力量相对薄弱，专职人员不足，难以适应日益繁重的工作任务",
    ), (
        "加强政务公开队伍建设，定期组织业务培训和经验交流，提升工作人员的业务水平和履职能力",
        "将《条例》纳入干部日常学习内容，通过以案说法、跟班学习等方式，增强工作人员依法公开意识",
        "保持政务公开工作人员相对稳定，做好岗位交接和传帮带，确保工作连续性",
    )),
    ("基层政务公开不够规范", (
        "基层政务公开标准化、规范化建设推进不够平衡，村（社区）公开内容不够规范",
        "基层政务公开事项标准目录的动态调整不够及时",
        "部分村（社区）公开栏内容陈旧，公开形式较为单一，群众关注度不高",
    ), (
        "深入推进基层政务公开标准化规范化建设，及时更新完善公开事项标准目录",
        "加强对村（社区）公开工作的指导，推动村务公开栏规范设置、内容定期更新",
        "创新村（社区）公开方式，综合运用公开栏、微信群、“村村响”广播等载体，让群众看得到、听得懂",
    )),
    ("规范性文件库更新不及时", (
        "行政规范性文件库的动态更新不够及时，文件有效性标注不够规范",
        "历史文件清理工作进展较慢，部分失效文件未及时标注",
        "规范性文件合法性审核与公开发布衔接不够顺畅，个别文件未按时入库",
    ), (
        "加强行政规范性文件统一公开，及时标注文件有效性，确保文件库准确完整",
        "开展历史文件集中清理，对失效、废止文件进行标注并动态调整",
        "严格落实行政规范性文件统一登记、统一编号、统一公开制度，确保文件发布后及时入库",
    )),
    ("回应社会关切不够及时", (
        "政民互动的深度不够，对社会关切的回应还不够及时主动",
        "网上留言办理质量参差不齐，部分答复内容较为简单",
        "对涉及群众切身利益的热点问题，主动发声、解疑释惑的意识还不够强",
    ), (
        "健全舆情收集、研判和回应机制，对涉及群众切身利益的热点问题及时发声、主动回应",
        "规范网上留言办理，做到件件有回音、事事有着落，提高群众满意度",
        "建立热点问题主动回应工作机制，对群众关心的问题第一时间发布权威信息、解疑释惑",
    )),
    ("政务新媒体管理薄弱", (
        "政务新媒体运营能力不足，发布内容同质化，互动性不强",
        "个别政务新媒体账号更新频率偏低，日常监管存在薄弱环节",
        "政务新媒体与门户网站的联动不够，信息发布未能形成合力",
    ), (
        "加强政务新媒体规范管理，严格落实信息发布审核制度，对长期不更新的账号及时整改或关停",
        "提升政务新媒体内容质量，创新传播方式，增强信息发布的吸引力和影响力",
        "加强政务新媒体与门户网站的联动发布，形成政务信息传播合力",
    )),
    ("信息发布审核不严", (
        "信息发布审核把关还不够严格，偶有错别字、链接失效等情况",
        "公文公开属性源头认定工作不够细致，个别文件公开属性标注不准确",
        "信息发布前的保密审查流程不够健全，存在审核环节走过场的风险",
    ), (
        "严格落实“先审后发”和“三审三校”制度，加强信息发布前的保密审查和内容审核",
        "在公文起草环节同步明确公开属性，对不予公开的说明理由，从源头上规范公开属性认定",
        "健全信息发布保密审查工作流程，明确审核责任人，坚决防止泄密和不当公开",
    )),
    ("公开指南目录更新滞后", (
        "政府信息公开指南和目录的更新维护不够及时",
        "主动公开目录编制不够细化，与业务工作的对应关系不够清晰",
        "政府信息公开指南中的受理渠道和联系方式未能随机构调整及时更新",
    ), (
        "及时修订政府信息公开指南，动态更新主动公开目录，方便公众查询获取",
        "开展主动公开事项目录编制，进一步明确公开的范围、内容和时限",
        "结合机构职能调整，同步更新政府信息公开指南中的受理渠道和联系方式",
    )),
    ("数字化手段运用不足", (
        "信息化、智能化手段运用不够充分，数据开放利用程度不高",
        "政务数据资源整合共享不足，公开信息以文字为主，可视化程度不高",
        "运用新技术提升公开效能的办法不多，线上服务的智能化水平偏低",
    ), (
        "加快数字化转型，运用大数据、人工智能等技术提升政务公开的效率和质量",
        "推进公共数据有序开放，以图表、地图等可视化方式展示数据，提升信息的可读性",
        "探索智能问答、个性化推送等服务，提升线上服务的智能化水平",
    )),
    ("考核监督力度不够", (
        "政务公开考核评估和监督检查的力度还需加大，督促整改的闭环机制尚不健全",
        "政务公开社会评议机制不够完善，群众参与监督的渠道有限",
        "对下属单位政务公开工作的业务指导和督促检查还不够经常",
    ), (
        "完善政务公开考核评价体系，加强日常监测和季度检查，对发现的问题督促限期整改",
        "畅通社会评议渠道，主动接受人大、政协和社会公众监督，推动问题整改落到实处",
        "加强对下属单位的业务指导，定期开展督促检查，及时通报存在的问题",
    )),
    ("公众参与不够充分", (
        "重大行政决策预公开和公众参与的覆盖面还不够广，意见征集反馈不够充分",
        "决策草案意见征集的采纳情况反馈不够及时",
        "公众参与重大决策的渠道还不够多，参与的积极性有待调动",
    ), (
        "扩大重大行政决策公众参与，通过听证座谈、网络征集等方式广泛听取意见，并及时公开采纳情况",
        "落实决策预公开制度，对涉及群众切身利益的决策事项，提前向社会公开征求意见",
        "拓宽公众参与渠道，邀请利益相关方、专家和群众代表列席有关会议，增强决策的透明度",
    )),
    ("公开与服务融合不够", (
        "政务公开与政务服务融合不够，办事指南要素不够完整准确",
        "政策文件与办事服务的衔接不够紧密，“阅办联动”覆盖面不广",
        "办事服务类信息更新滞后于业务调整，部分事项的办理材料和时限公开不够准确",
    ), (
        "推进政务公开与政务服务深度融合，动态更新办事指南，确保办事要素准确完整",
        "推进政策文件与办事入口精准对接，扩大“阅办联动”覆盖范围，让企业群众看得懂、办得成",
        "建立办事指南动态调整机制，业务调整后及时更新办理材料、时限等信息",
    )),
    ("政策推送不够精准", (
        "惠企利民政策的集中公开和精准推送不够，政策知晓度有待提高",
        "政策文件分散在不同栏目，企业群众查找、理解政策仍不够便利",
        "对企业群众的政策需求了解不够深入，推送的政策信息针对性不强",
    ), (
        "建设惠企政策专栏，分类汇集各类政策文件，主动向企业群众精准推送",
        "开展政策进企业、进社区宣讲活动，扩大政策知晓面和覆盖面",
        "深入了解企业群众的政策需求，分类梳理政策清单，提升推送的针对性",
    )),
)
PROBLEMS = tuple(p for _, ps, _ in _TOPICS for p in ps)
MEASURES = tuple(m for _, _, ms in _TOPICS for m in ms)

_INTROS: tuple[Sent, ...] = (
    lambda c: f"{c.year}年，{c.we}政府信息公开工作取得了一定成效，但仍存在一些不足",
    lambda c: f"对照《条例》要求和群众期待，{c.we}政府信息公开工作仍存在一些问题和不足",
    lambda c: f"{c.year}年，{c.we}政务公开工作虽然取得了新进展，但与新时代政务公开的要求相比还有差距",
    lambda c: f"总体来看，{c.we}政务公开工作基础不断巩固，但仍有薄弱环节",
    lambda c: "在肯定成绩的同时，我们也清醒地认识到工作中存在的不足",
    lambda c: f"回顾全年工作，{c.we}政府信息公开工作还存在以下问题",
    lambda c: "本年度政务公开工作仍有一些短板需要补齐",
    lambda c: f"虽然{c.we}在政府信息公开方面做了大量工作，但距离上级要求仍有一定差距",
    lambda c: f"经认真自查，{c.we}政府信息公开工作主要存在以下问题",
    lambda c: "与上级要求和人民群众的期盼相比，我们的工作仍有提升空间",
)
_MEASURE_LEADS: tuple[Sent, ...] = (
    lambda c: f"下一步，{c.we}将重点做好以下工作",
    lambda c: f"{c.next}年，将重点从以下方面加以改进",
    lambda c: f"针对上述问题，{c.we}将采取以下措施",
    lambda c: "下一步整改措施",
    lambda c: "对此，我们将从以下几个方面着力改进",
    lambda c: f"为此，{c.next}年将着重抓好以下工作",
    lambda c: "针对存在的问题，提出如下改进措施",
    lambda c: f"下阶段，{c.we}将坚持问题导向，重点抓好以下几项工作",
    lambda c: "接下来，将围绕以下方面持续改进",
    lambda c: "具体改进措施如下",
)
_CLOSERS: tuple[Sent, ...] = (
    lambda c: "通过以上措施，持续提升政府信息公开工作质效，更好地服务经济社会发展。",
    lambda c: "推动政务公开工作再上新台阶。",
    lambda c: f"{c.we}将以更高标准、更实举措推进政务公开，不断增强政府公信力和执行力。",
    lambda c: "切实以高质量政务公开助力高质量发展。",
    lambda c: "努力让政务公开工作更加贴近群众需求。",
    lambda c: f"确保{c.next}年政府信息公开工作取得新成效。",
)
_INTRO_TAILS = ("，需要认真加以解决", "，必须高度重视", "，有待进一步改进")
_PROBLEM_TAILS = (
    "，与群众的期待还有差距", "，影响了公开实效", "，在一定程度上影响了群众获取信息的便利性", "，需要在今后工作中着力解决",
    "，存在重形式、轻实效的倾向", "，工作的主动性和系统性有待加强", "，距离上级要求仍有差距", "，亟待改进",
    "，这一问题在基层尤为突出", "，个别科室对此认识不足",
)
_MEASURE_TAILS: tuple[Sent, ...] = (
    lambda c: "，确保取得实效", lambda c: "，切实提升群众满意度", lambda c: f"，力争{c.next}年底前取得明显成效",
    lambda c: "，逐步形成长效机制", lambda c: "，不断提高工作的规范化水平", lambda c: "，推动工作提质增效",
    lambda c: "，并纳入年度考核内容", lambda c: "，做到问题不解决不放过", lambda c: "，以实际成效取信于民",
    lambda c: "，定期通报工作进展",
)
_ORDINALS = (
    ("一是", "二是", "三是", "四是", "五是"),
    ("第一，", "第二，", "第三，", "第四，", "第五，"),
    ("首先，", "其次，", "再次，", "此外，", "最后，"),
)


def _enum(c: _Ctx, items: list[str], sep: str) -> str:
    """Items in a run: 一是…；二是…; 第一，…; 首先…。 (``sep`` between them)."""
    words = c.pick(_ORDINALS)
    if words[0] == "首先，" and len(items) > 2:
        words = (*words[:len(items) - 1], "最后，")
    return sep.join(f"{w}{t}" for w, t in zip(words, items, strict=False)) + "。"


def _problems(c: _Ctx) -> str:
    topics = c.rng.sample(_TOPICS, c.rng.randint(2, 5))
    ps = [c.pick(p) + (c.pick(_PROBLEM_TAILS) if c.chance(0.4) else "") for _, p, _ in topics]
    paired = [c.pick(m) + (c.pick(_MEASURE_TAILS)(c) if c.chance(0.4) else "")
              for _, _, m in topics]  # each problem's own measure
    ms = list(paired)
    if c.chance(0.3):
        c.rng.shuffle(ms)
    intro = c.pick(_INTROS)(c)
    lead = c.pick(_MEASURE_LEADS)(c)
    closer = c.pick(_CLOSERS)(c) if c.chance(0.5) else ""
    form = c.rng.randint(0, 5)
    if form == 0:  # 如…；…等。下一步：一是…。二是…。
        return (f"{intro}，如{'；'.join(ps)}等。{lead}：{_enum(c, ms, '。')}{closer}")
    if form == 1:  # 一是…；二是…。\n 下一步：一是…；二是…。
        return f"{intro}：{_enum(c, ps, '；')}\n{lead}：{_enum(c, ms, '；')}{closer}"
    if form == 2:  # （一）存在的主要问题 1.… （二）改进措施 1.…
        heads = c.pick((("（一）存在的主要问题", "（二）改进措施"), ("（一）主要问题", "（二）改进情况"),
                        ("（一）存在问题", "（二）下一步工作打算"), ("（一）问题分析", "（二）整改措施")))
        lines = [heads[0], _fit(c, f"{intro}。", _INTRO_TAILS)]
        lines += [_fit(c, f"{n}.{p}。", _PROBLEM_TAILS) for n, p in enumerate(ps, 1)]
        lines += [heads[1]] + [_fit(c, f"{n}.{m}。", _MEASURE_TAILS) for n, m in enumerate(ms, 1)]
        return "\n".join(lines) + (f"\n{closer}" if closer else "")
    if form == 3:  # problem and its measure together
        link = c.pick(("对此，将", "下一步将", "针对这一问题，", "改进措施：", f"{c.next}年，{c.we}将"))
        words = c.pick(_ORDINALS)
        lines = [_fit(c, f"{intro}，主要表现在以下方面。", _INTRO_TAILS)]
        lines += [f"{w}{p}。{link}{m}。" for w, p, m in zip(words, ps, paired, strict=False)]
        return "\n".join(lines) + (f"\n{closer}" if closer else "")
    if form == 4:  # shanghai: 上年度问题整改情况 first
        done = c.pick(_TOPICS)
        lines = [f"（一）{c.prev}年度问题整改情况",
                 f"针对上年度报告中提出的{done[0]}等问题，{c.we}{c.pick(('认真', '及时', '扎实'))}开展整改，"
                 f"{c.pick(done[2])}，相关问题已基本解决。",
                 "（二）存在的主要问题", f"{intro}：{_enum(c, ps, '；')}",
                 "（三）改进措施", f"{lead}：{_enum(c, ms, '。')}"]
        return "\n".join(lines) + (closer if closer else "")
    # 主要表现在：…；…。改进：（1）…（2）…
    numbered = "".join(f"（{n}）{m}。" for n, m in enumerate(ms, 1))  # （1）: a line may begin with it in a PDF
    return f"{intro}，主要表现在：{'；'.join(ps)}。\n{lead}：{numbered}{closer}"


# ---------------------------------------------------------------- 六、其他需要报告的事项

_FEES: tuple[Sent, ...] = (
    lambda c: f"{c.year}年，{c.we}未收取信息处理费。",
    lambda c: f"{c.year}年，无收取信息处理费情况。",
    lambda c: f"本年度{c.we}未收取政府信息公开信息处理费。",
    lambda c: f"{c.year}年度，{c.we}未发生政府信息公开收费事项。",
    lambda c: f"依据《政府信息公开信息处理费管理办法》，{c.year}年{c.we}未向申请人收取信息处理费。",
    lambda c: f"{c.year}年，{c.we}发出收费通知的件数为0件，收取信息处理费总金额为0元。",
    lambda c: f"本年度，{c.we}无依据《政府信息公开信息处理费管理办法》收取信息处理费的情况。",
    lambda c: f"报告期内，{c.we}在办理政府信息公开申请过程中未收取任何费用。",
    lambda c: f"{c.year}年，{c.we}严格执行国家有关信息处理费的规定，全年未收取信息处理费。",
    lambda c: f"{c.year}年，{c.we}共发出收费通知{c.rnd(1, 3)}件，收取信息处理费{c.rng.randint(1, 20) * 50}元。",
    lambda c: "本年度无信息处理费收取情况。",
    lambda c: f"{c.year}年{c.we}信息处理费收费金额为0。",
)
_FEE_TAILS = ("，特此说明", "，亦无减免收费情况", "，未发生因收费引起的争议")
_FIELDS = ("教育医疗", "交通出行", "生态环境", "乡村振兴", "营商环境", "养老服务", "城市管理", "社会保障", "农业农村",
           "文化旅游", "就业创业", "安全生产", "住房保障", "食品药品安全", "征地拆迁", "公共资源交易")


def _fields(c: _Ctx, k: int = 2) -> str:
    return "、".join(c.rng.sample(_FIELDS, k))


def _proposals(c: _Ctx) -> str:
    a, b = c.rng.randint(1, 40), c.rng.randint(1, 40)
    kind = c.pick((f"人大代表建议{c.num(a)}件、政协委员提案{c.num(b)}件", f"人大建议{c.num(a)}件和政协提案{c.num(b)}件",
                   f"各级人大代表建议和政协委员提案共{c.num(a + b)}件，其中建议{c.num(a)}件、提案{c.num(b)}件",
                   f"政协提案{c.num(b)}件、人大代表建议{c.num(a)}件"))
    verb = c.pick(("共承办", "承办", "共办理", "牵头办理", "主办和协办"))
    about = c.pick((f"，内容涉及{_fields(c)}等方面", f"，主要集中在{_fields(c)}领域", "",
                    f"，涵盖{_fields(c, 3)}等群众关心的问题"))
    status = c.pick(("均已在规定时限内办结", "办结率、答复率均为100%", "已全部按期办结并书面答复代表委员",
                     "目前均已办理完毕，代表委员对办理结果表示满意", "按时办复率100%，满意和基本满意率100%",
                     "办理过程中坚持与代表委员当面沟通，推动解决了一批群众关心的实际问题",
                     "坚持办前联系、办中沟通、办后回访，所有建议提案均按时办结"))
    extra = c.pick(("", "，办理复文已按要求在门户网站公开", "，并对办理结果予以公开",
                    "，相关答复内容已在政府网站“建议提案办理”栏目公开", "，办理情况纳入年度督查重点",
                    "，对承诺解决的事项建立台账跟踪落实"))
    lead = c.pick((f"{c.year}年，", "本年度，", "报告期内，", "全年"))
    return f"{lead}{c.we}{verb}{kind}{about}，{status}{extra}。"


def _key_points(c: _Ctx) -> str:
    what = c.pick(("年度政务公开工作要点", "上级政务公开工作要点", f"《{c.year}年政务公开工作要点》",
                   "本年度政务公开重点任务清单", "全县政务公开重点工作安排"))
    act = c.pick(("逐项细化分解任务，明确责任科室和完成时限", "制定工作任务分工方案，建立工作台账",
                  "逐条梳理重点任务，实行清单化管理、销号式推进", "召开专题会议研究部署，压实各科室责任",
                  "结合本单位职能制定落实方案", "将任务分解到人、责任落实到岗", "按季度调度任务进展"))
    focus = c.pick((f"重点做好{_fields(c)}等领域信息公开", f"围绕{_fields(c)}加大公开力度", "",
                    f"细化{_fields(c, 3)}等方面的公开要求"))
    result = c.pick(("各项任务均已按期完成", "确保各项任务落到实处", "年度目标任务全部完成",
                     "重点任务完成情况已在门户网站公开", "工作要点落实情况已向上级报送", "未完成事项已列入下年度计划",
                     "落实情况接受了上级专项督查"))
    return f"{c.we}对照{what}要求，{act}{'，' + focus if focus else ''}，{result}。"


def _open_day(c: _Ctx) -> str:
    who = c.pick(("群众代表", "企业代表和居民", "人大代表、政协委员和群众代表", "社区居民和在校学生", "新闻媒体记者和市民代表"))
    act = c.pick(("走进机关，面对面交流", "参观政务服务中心，了解政务服务流程", "实地体验办事流程，听取意见建议",
                  "座谈交流，收集意见建议", "现场观摩项目建设情况"))
    theme = c.pick((f"，活动主题聚焦{_fields(c)}", "", f"，围绕{_fields(c, 1)}等议题开展交流"))
    lead = c.pick(("全年", f"{c.year}年，", "", "本年度"))
    return (f"{lead}{c.we}组织开展“政府开放日”活动{c.rnd(1, 6)}次，邀请{c.rnd(10, 120)}名{who}{act}{theme}，"
            f"{c.pick(('收集意见建议', '收到意见建议', '现场解答问题'))}{c.rnd(3, 40)}条。")


def _training(c: _Ctx) -> str:
    effect = c.pick(("工作人员业务能力明显提升", "有效提升了依法公开意识", "进一步统一了工作标准",
                     "为做好政务公开工作打下了良好基础", "干部职工运用《条例》解决实际问题的能力进一步增强"))
    content = c.pick(("培训内容涵盖《条例》解读、依申请公开答复、信息发布审核等", "重点讲解依申请公开办理流程和答复文书规范",
                      "邀请上级业务部门同志现场授课", "采取以会代训、案例剖析等方式进行",
                      f"结合{_fields(c)}等领域的公开要求开展专题辅导", f"围绕{_fields(c, 1)}领域典型案例进行剖析讲解"))
    lead = c.pick(("全年", f"{c.year}年，", "本年度"))
    return f"{lead}{c.we}举办政务公开业务培训{c.rnd(1, 6)}期，培训{c.rnd(20, 300)}人次，{content}，{effect}。"


def _download(c: _Ctx) -> str:
    where = c.pick(("门户网站“政府信息公开年报”栏目", "政府信息公开专栏", "政府网站政务公开专区", "政府信息公开平台“年度报告”栏目"))
    more = c.pick(("", "，也可到政务服务中心政府信息公开查阅点查阅纸质版", "，纸质版可到本机关档案室查阅",
                   f"，如有疑问请拨打咨询电话0{c.rng.randint(310, 999)}-{c.rng.randint(2000000, 8999999)}",
                   f"，历年报告可在同一栏目查询，最早可追溯至{c.rng.randint(2008, 2015)}年度",
                   "，欢迎社会各界对我们的工作提出意见建议"))
    lead, tail = c.pick((("本年度报告电子版可在", c.pick(("查阅", "查阅、下载", "查阅和下载"))),
                         ("本报告可在", c.pick(("查阅", "查阅、下载", "获取"))),
                         ("公众可通过", c.pick(("查阅本报告", "下载本报告全文"))), ("本报告全文已同步发布于", "")))
    return f"{lead}{c.unit}{where}{tail}{more}。"


def _guide(c: _Ctx) -> str:
    what = c.pick(("进一步明确了申请渠道和办理流程", "更新了受理机构的地址和联系电话", "补充了在线申请的操作说明",
                   "调整了依申请公开的受理时间", "增加了信函申请的邮寄地址", "删除了已失效的申请方式",
                   "明确了申请补正和延期答复的处理规则"))
    how = c.pick(("并在门户网站显著位置公开", "同步在政务服务中心查阅点放置纸质版", "", "修订后的指南已报上级备案",
                  f"并对{_fields(c, 1)}等领域公开目录作了相应调整"))
    return f"{c.date()}，{c.we}对政府信息公开指南进行了修订，{what}{'，' + how if how else ''}。"


def _grassroots(c: _Ctx) -> str:
    detail = c.pick((f"完成{c.rnd(3, 30)}个村（社区）公开栏规范化改造", "督促各村（社区）按月更新公开内容",
                     f"编制基层政务公开事项标准目录{c.rnd(10, 26)}个领域", "在各村（社区）推行“阳光村务”公开",
                     "指导各村（社区）建立公开内容审核登记制度", f"在{c.rnd(2, 9)}个村（社区）开展公开示范点建设"))
    focus = c.pick((f"重点对{_fields(c)}等领域公开事项进行了梳理", f"围绕{_fields(c)}细化公开内容",
                    f"将{_fields(c, 1)}相关事项纳入公开重点", ""))
    effect = c.pick(("", "，群众对基层公开工作的满意度有所提高", "，基层公开内容的规范性明显提升",
                     "，相关经验做法被上级部门转发推广", "，基层群众获取信息更加便捷"))
    lead = c.pick(("持续推进", "扎实推进", "稳步推进", f"{c.year}年，{c.we}继续推进", "按照上级部署，深入推进"))
    return f"{lead}基层政务公开标准化规范化工作，{detail}{'，' + focus if focus else ''}{effect}。"


def _evaluation(c: _Ctx) -> str:
    where = c.pick((f"在{c.prev}年度{c.pick(('全县', '全市', '本系统'))}政务公开工作考核评估中",
                    f"在上级组织的{c.prev}年度政务公开第三方评估中", f"{c.prev}年度政务公开绩效考核结果显示"))
    grade = c.pick(("获评优秀等次", "位列同类单位前列", "获评良好等次", f"排名第{c.rnd(1, 9)}位", "得分较上年有所提高",
                    "被评为政务公开工作先进单位"))
    praised = c.pick(("", f"，{_fields(c)}等领域的公开工作得到肯定", "，依申请公开办理规范性得到评估组认可"))
    follow = c.pick(("", "，对评估中指出的问题已逐项整改", f"，针对发现的{c.rnd(2, 12)}个问题建立了整改清单",
                     "，相关整改情况已报送上级政务公开主管部门", "，扣分事项已全部整改到位", "，并据此调整了本年度工作重点"))
    return f"{where}，{c.we}{grade}{praised}{follow}。"


def _inquiries(c: _Ctx) -> str:
    via = c.pick(("政务服务热线、网上留言等渠道", "“领导信箱”和网上咨询平台", "电话、信函和现场咨询", "政务新媒体留言和12345热线"))
    result = c.pick(("按期答复率100%", "群众满意率达98%以上", "均在规定时限内予以回复", "对共性问题及时编制了问答口径"))
    topic = c.pick((f"，咨询内容主要涉及{_fields(c)}", "", f"，其中涉及{_fields(c, 1)}的咨询占比较大"))
    return f"{c.pick(('全年', f'{c.year}年，', '本年度'))}{c.we}通过{via}答复群众咨询{c.rnd(20, 900)}件{topic}，{result}。"


_ITEMS: tuple[Sent, ...] = (_proposals, _key_points, _open_day, _training, _download, _guide, _grassroots,
                            _evaluation, _inquiries)
_ITEM_TAILS = ("，相关情况已在门户网站公开", "，得到群众普遍好评", "，有关材料已整理归档备查", "，取得了较好的社会效果",
               "，工作情况已向上级主管部门报告", "，相关做法将在下一年度继续坚持", "，有效推动了政务公开工作落实",
               "，群众知晓率和参与度进一步提高", "，各项工作均按计划完成", "，做到了有部署、有落实、有反馈",
               "，进一步拉近了政府与群众的距离", "，相关工作机制日趋完善")
SHORT_OTHER = 50  # a 六 of fee boilerplate alone stays within this many characters
_NOTHING_ELSE = ("无其他需要报告的事项。", "除上述情况外，无其他需要报告的事项。", "其他需要报告的事项：无。",
                 "本年度无其他需要报告的事项。")


def _other(c: _Ctx) -> str:
    fee = c.pick(_FEES)(c)
    items = [s(c) for s in c.rng.sample(_ITEMS, c.rng.choice((0, 2, 2, 3)))]
    items = [t[:-1] + c.pick(_ITEM_TAILS) + "。" if c.chance(0.5) else t for t in items]
    if not items:  # the usual short 六: boilerplate, alike from unit to unit (N-COPY looks at longer ones)
        nothing = c.pick(_NOTHING_ELSE)
        return fee + nothing if c.chance(0.5) and len(fee + nothing) <= SHORT_OTHER else fee
    paras = [_fit(c, fee, _FEE_TAILS), *(_fit(c, t, _ITEM_TAILS) for t in items)]
    if c.chance(0.2):
        paras = paras[1:] + paras[:1]
    if c.chance(0.2):
        paras.append(c.pick(_NOTHING_ELSE[:2]))
    return "\n".join(paras) if c.chance(0.5) else "".join(paras)


# ---------------------------------------------------------------- the narrative


def _rng(seed, year: int, part: str) -> random.Random:
    return random.Random(f"countystats-narrative|{seed}|{year}|{part}")


def narrative(fmt: ReportFormat, cells: Mapping[Key, object], unit_name: str, year: int, *,
              seed: int | str | None = None) -> NarrativeText:
    """{"preamble", "overview", "problems", "other"}: deterministic for the same arguments (seed defaults to the
    unit's name; with the year, it chooses the phrasing; ``cells`` give the figures)."""
    seed = unit_name if seed is None else seed
    values = figures(fmt, cells)
    rng = _rng(seed, year, "style")
    style = rng.choices(("arabic", "fullwidth", "chinese", "mixed"), weights=(55, 10, 20, 15))[0]
    c = _Ctx(_rng(seed, year, "overview"), unit_name, year, style, values)
    overview, stated, sentences, written, spans = _resolve(_overview(c, fmt, cells), values)
    parts = {
        "preamble": _preamble(_Ctx(_rng(seed, year, "preamble"), unit_name, year)),
        "overview": overview,
        "problems": _problems(_Ctx(_rng(seed, year, "problems"), unit_name, year)),
        "other": _other(_Ctx(_rng(seed, year, "other"), unit_name, year, style)),
    }
    return NarrativeText(parts, stated, sentences, written, spans)


def restate(text: NarrativeText, quantity: str, value: int) -> NarrativeText:
    """``text`` with the overview stating ``value`` for ``quantity`` where it stated the table's figure, written in
    the same numeral style (an N-TEXT fault); ValueError when it does not state it, or states it in words."""
    if quantity not in text.spans:
        raise ValueError(f"{quantity} is not stated")
    old = text.written[quantity]
    style = _style_of(old)
    if style == "zero":
        raise ValueError(f"{quantity} is stated in words ({old})")
    new = _write(value, style, random.Random(0)) if value >= 0 else str(value)
    start, end = text.spans[quantity]
    overview = text["overview"][:start] + new + text["overview"][end:]
    shift = len(new) - len(old)
    spans = {q: (s + shift, e + shift) if s >= end else (s, e) for q, (s, e) in text.spans.items()}
    spans[quantity] = (start, start + len(new))
    written = {**text.written, quantity: new}
    stated = {**text.stated, quantity: value}
    sentences = {q: _sentence(overview, span) for q, span in spans.items()}
    return NarrativeText({**text, "overview": overview}, stated, sentences, written, spans)


# ---------------------------------------------------------------- the facts, plainly (a consolidated report)

# how table 二's measures are said, by measure code ({row}: the row's label, {v}: the figure); a measure not listed
# here is said by its labels (2019's 本年新制作数量 …)
_PROACTIVE_PHRASES = {"issued": "本年制发{row}{v}件", "repealed": "废止{v}件", "in_force": "现行有效{v}件",
                      "decisions": "{row}处理决定{v}件", "amount_wan_yuan": "{row}金额{v}万元"}
_NUMBERING = re.compile(r"^（[一二三四五六七八九十]+）|^\d+\.")


def figure_text(value, measure) -> str:
    """A figure as the reports print it: a count as a whole number, an amount in 万元 to two decimals (as tables of
    money are printed), a blank as 0."""
    if value is None:
        value = 0
    if measure.unit == WAN_YUAN:
        return f"{float(value):.2f}"
    return str(int(value)) if float(value).is_integer() else str(value)


def _outcome_word(label) -> str:
    """（三）不予公开 → 不予公开; （二）部分公开（区分处理的…） → 部分公开."""
    return _NUMBERING.sub("", label.text).split("（", 1)[0]


def facts_overview(fmt: ReportFormat, cells: Mapping[Key, object], subject: str) -> str:
    """一、总体情况 of a consolidated report, drafted from its figures for the office to edit: one paragraph per table,
    every figure exactly as the tables print it (:func:`figure_text`), the N-TEXT quantities (收到申请、上年结转、办结、
    结转下年度、行政复议、行政诉讼、制发行政规范性文件) worded so that the narrative check reads back the table's figure.
    ``subject``: who the figures are of (全县, 全市 …). Labels come from the format; only the verbs are written here."""

    def fig(section: str, row: str, col: str = TOTAL) -> str:
        return figure_text(cells.get((section, row, col)), fmt.section(section).measure(row, col))

    paragraphs = []
    proactive = fmt.section("proactive")
    clauses = []
    for row in proactive.rows:
        said = []
        for m in proactive.measures_of(row.code):
            phrase = _PROACTIVE_PHRASES.get(m.code, "{row}{measure}{v}{unit}")
            said.append(phrase.format(row=row.label.text, measure=m.label.text, unit=m.unit,
                                      v=fig("proactive", row.code, m.code)))
        clauses.append("，".join(said))
    paragraphs.append(f"主动公开方面，{subject}" + "；".join(clauses) + "。")

    requests = fmt.section("requests")
    parts = [m for m in requests.columns if m.code != TOTAL]
    people = [m for m in parts if m.parent is None]
    orgs = [m for m in parts if m.parent is not None]
    who = [f"{m.label.text}{fig('requests', 'new_received', m.code)}件" for m in people]
    if orgs:
        org_sum = sum(_count(cells.get(("requests", "new_received", m.code))) or 0 for m in orgs)
        who.append(f"{orgs[0].parent.text}{org_sum}件（"
                   + "、".join(f"{m.label.text}{fig('requests', 'new_received', m.code)}件" for m in orgs) + "）")
    paragraphs.append(f"依申请公开方面，{subject}共收到政府信息公开申请{fig('requests', 'new_received')}件，其中"
                      + "，".join(who) + f"；上年结转{fig('requests', 'carried_over')}件。")
    outcomes: dict[str, int] = {}  # 予以公开, 部分公开, 不予公开 …: the leaf outcome rows summed by their group
    for code in fmt.leaf_outcomes:
        row = requests.row_by_code[code]
        word = _outcome_word(row.group if row.label.text[:1].isdigit() else row.label)
        outcomes[word] = outcomes.get(word, 0) + (_count(cells.get(("requests", code, TOTAL))) or 0)
    paragraphs.append(f"本年度办结{fig('requests', 'concluded_total')}件，其中"
                      + "，".join(f"{word}{n}件" for word, n in outcomes.items())
                      + f"；结转下年度继续办理{fig('requests', 'carried_forward')}件。")

    review = fmt.section("review_litigation")
    results = [m for m in review.columns if m.code != TOTAL]
    said = []
    for group, rows in _grouped_rows(review.rows):
        if group is None:  # 行政复议: its total and its results
            for row in rows:
                said.append(f"{row.label.text}{fig('review_litigation', row.code)}件（"
                            + "、".join(f"{m.label.text}{fig('review_litigation', row.code, m.code)}件" for m in results)
                            + "）")
        else:  # 行政诉讼: the total of its kinds, and each kind
            total = sum(_count(cells.get(("review_litigation", row.code, TOTAL))) or 0 for row in rows)
            said.append(f"{group.text}{total}件（"
                        + "、".join(f"{row.label.text}{fig('review_litigation', row.code)}件" for row in rows) + "）")
    paragraphs.append(f"因政府信息公开工作，{subject}被申请" + "，被提起".join(said) + "。")
    return "\n".join(paragraphs)


def _grouped_rows(rows):
    """Consecutive rows by their group: [(None, [行政复议]), (行政诉讼, [未经复议直接起诉, 复议后起诉])]."""
    out: list = []
    for row in rows:
        if out and row.group is not None and out[-1][0] == row.group:
            out[-1][1].append(row)
        else:
            out.append((row.group, [row]))
    return out
