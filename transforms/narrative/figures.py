"""The figures a report's narrative states for a table quantity (rule N-TEXT).

A narrative says things like 全年共收到政府信息公开申请21件，其中上年结转2件，办结23件. Each such figure is compared
with the table by the rule; this module only finds them, and would rather miss a figure than mistake one: a wrong
figure becomes a warning a clerk has to chase.

The approach, deterministic and regex-based:

1. **Text → sentences.** Lines wrapped by a PDF text layer are joined back; a heading line (一、总体情况), a blank
   line or a table row ends a sentence; page numbers (— 3 —) and lone numbers are dropped. Whitespace is removed next to Chinese
   characters (PDF layers space out 2024 年). Sentences end at 。！？. Text inside 《》“”〔〕 is masked: titles and
   quotations (《…规范性文件管理办法》, “高效办成一件事”, 〔2024〕3号) are not statements. Traditional characters
   are read as simplified (OpenCC), so the regexes are written once.
2. **Sentence → clauses** at ，；：and brackets (not at 、, which joins 行政复议、行政诉讼各1件).
3. **Clause → figures.** A figure is a number (Arabic, full-width, Chinese numerals) directly followed by 件, 起 or 宗.
   Its *window* is the clause text since the previous figure; a noun right after the unit also counts
   (有1件涉及政府信息公开工作的行政复议). Each :class:`Quantity` declares, as data, the cue naming it in the window
   (a verb such as 办结, 收到 with 申请, a noun such as 行政复议) and the words that make a figure something else.
   Exactly one quantity must be named; two (行政复议和行政诉讼各1件, 收到并办结21件) is ambiguous and skipped.
4. **Exclusions.** Not a statement of the quantity: another period (较上年, 同比, 比2023年, a sentence about 2023 in
   a 2024 report, 上年度/去年 — but 上年结转 is the quantity itself), approximations (近, 余, 以上), ordinals,
   dates (3月5日), subsets by applicant (自然人), channel (网上), outcome (予以公开, 延期答复, 纠错), time or scope
   (上半年, 本级), other things counted in 件 (人大代表建议, 现行有效/废止规范性文件), and a received figure that
   includes the carried-over ones (收到23件（含上年结转2件）).
5. **Stated zeros.** 未收到政府信息公开申请 states new_received 0; 未发生行政复议和行政诉讼 both 0; 未制发行政规范性文件
   normative_docs_issued 0 — only when the clause says exactly that (未发生…行政复议纠错 is no zero).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

Key = tuple[str, str, str]

# how a count of applications handled may go on after 办理/答复: 结转下年度继续办理答复的 — part of the forward cue,
# so that 答复 inside it does not also name the concluded applications
_TAIL = r"(?:继续)?(?:办理)?(?:答复)?(?:的)?"


@dataclass(frozen=True)
class Quantity:
    """A table quantity a narrative may state, and how a sentence names it (regexes, declared once here)."""

    code: str
    name_zh: str
    cells: tuple[Key, ...]
    cue: str  # names the quantity in the text before the figure
    noun: str = ""  # names it right after the figure (1件…行政复议)
    needs: str = ""  # must also occur around the figure: 收到 alone may be 收到人大代表建议
    excludes: str = ""  # a figure near these is something else


QUANTITIES: tuple[Quantity, ...] = (
    Quantity("new_received", "本年新收政府信息公开申请数", (("requests", "new_received", "total"),),
             cue=r"新收|收到|收悉|受理|接收|接到|新增", needs=r"申请|新收", excludes=r"复议|诉讼"),
    Quantity("carried_over", "上年结转政府信息公开申请数", (("requests", "carried_over", "total"),),
             cue=r"(?:上一?|去)年度?(?:结转|转入)|(?:19|20)\d{2}年度?(?:结转|转入)(?![至到入])"),
    Quantity("concluded", "本年度办理结果总计（办结申请数）", (("requests", "concluded_total", "total"),),
             cue=r"(?<![未没])办结|办理完毕|办理完成|处理完毕|(?<!延期)答复"),
    Quantity("carried_forward", "结转下年度继续办理的申请数", (("requests", "carried_forward", "total"),),
             cue=(rf"(?:结转|转入|转至|转到|转)(?:至|到|入)?(?:下一?|次)年度?{_TAIL}"
                  rf"|结转(?:至|到|入)?\d{{4}}年度?{_TAIL}|(?:留待|顺延)(?:至|到)?下一?年度?{_TAIL}|跨年度?{_TAIL}"),
             noun=r"(?:顺延|结转|转)(?:至|到|入)?(?:下一?|次)年度?"),
    Quantity("reconsideration", "政府信息公开行政复议总计", (("review_litigation", "reconsideration", "total"),),
             cue=r"行政复议|复议案件|复议申请|申请复议", noun=r"行政复议|复议案件"),
    Quantity("litigation", "政府信息公开行政诉讼总计（未经复议直接起诉与复议后起诉之和）",
             (("review_litigation", "litigation_direct", "total"),
              ("review_litigation", "litigation_after_reconsideration", "total")),
             cue=r"行政诉讼|行政应诉|诉讼案件|提起诉讼|被起诉|被诉", noun=r"行政诉讼|诉讼案件",
             excludes=r"直接起诉|复议后|经复议"),
    Quantity("normative_docs_issued", "本年制发行政规范性文件件数", (("proactive", "normative_docs", "issued"),),
             cue=r"制发|出台|印发|制定", needs=r"规范性文件",
             excludes=r"规章|有效|废止|失效|清理|修订|修改|审查|审核|备案|评估|解读|征求意见|起草"),
)
BY_CODE: dict[str, Quantity] = {q.code: q for q in QUANTITIES}


@dataclass(frozen=True)
class Stated:
    """A figure the narrative states for a quantity."""

    quantity: str  # Quantity.code
    value: int
    sentence: str  # the whole sentence as written (whitespace collapsed)
    phrase: str  # the clause carrying the figure, e.g. "其中上年结转2件"
    number: str  # the number as written, e.g. "二十一"; for a stated zero the negation, e.g. "未"


# ---------------------------------------------------------------- numbers

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．", "0123456789,.")


def _cn_section(s: str) -> int | None:
    """A Chinese number below 10,000: 二十一, 一百零五, 十二, 一百五 (colloquial 150)."""
    total, digit, last_unit, zero = 0, None, None, False
    for ch in s:
        if ch in _CN_DIGITS and _CN_DIGITS[ch] == 0:
            if digit is not None:
                return None
            zero = True
        elif ch in _CN_DIGITS:
            if digit is not None:
                return None
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if last_unit is not None and unit >= last_unit:
                return None
            if digit is None:
                if ch != "十" or (total and not zero):  # 十二, 一百零十; never 百 alone
                    return None
                digit = 1
            total, last_unit, digit, zero = total + digit * unit, unit, None, False
        else:
            return None
    if digit is not None:
        # after a unit with no 零 in between the digit is one place lower: 一百五 = 150, 十五 = 15
        total += digit if (zero or last_unit is None) else digit * last_unit // 10
    elif last_unit is None and not zero:
        return None
    return total


def chinese_number(text: str) -> int | None:
    """A count as written: "二十一" → 21, "两" → 2, "一百零五" → 105, "２１" → 21, "1,200" → 1200, "3万" → 30000;
    digit by digit "二〇二四" → 2024. None if ``text`` is not a whole number."""
    s = "".join(text.split()).translate(_FULL_WIDTH).replace("萬", "万")
    if not s:
        return None
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", s):
        return int(s.replace(",", ""))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)万", s)
    if m:
        value = float(m.group(1)) * 10000
        return int(value) if value.is_integer() else None
    if len(s) > 1 and all(ch in _CN_DIGITS for ch in s):
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    if s.count("万") > 1:
        return None
    if "万" in s:
        high, low = s.split("万")
        top = _cn_section(high) if high else None
        if not top:
            return None
        if not low:
            return top * 10000
        if len(low) == 1 and low in _CN_DIGITS and _CN_DIGITS[low]:  # 两万三 = 23,000
            return top * 10000 + _CN_DIGITS[low] * 1000
        rest = _cn_section(low)
        return None if rest is None else top * 10000 + rest
    return _cn_section(s)


# ---------------------------------------------------------------- text → sentences

_CJK = "\u2014\u2018-\u201d\u2026\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+")
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?\d{1,3}\s*(?:页)?[-—–－\s]*$")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、](?!\d)"
                      r"|第[一二三四五六七八九十\d]+[章节部分条])")
_LINE_END = re.compile(r"[。！？!?]$")
_SENTENCE_END = "。！？!?"
_CLAUSE_SEP = re.compile(r"[，；：（）()【】\[\];:]|(?<!\d),|,(?!\d{3})")
_QUOTES = {"《": "》", "“": "”", "〔": "〕", "「": "」", "『": "』", "‘": "’", "\"": "\""}
_MASK = "□"


def _collapse(s: str) -> str:
    return re.sub(r"\s+", " ", _SPACE_NEAR_CJK.sub("", s)).strip()


def _is_heading(line: str) -> bool:
    return bool(_HEADING.match(line)) and len(line) <= 30 and not re.search(r"[，。；,;]", line)


def _blocks(text: str) -> list[str]:
    """Runs of text no sentence crosses: paragraphs, with the lines a PDF wrapped joined again."""
    blocks: list[str] = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            blocks.append(_collapse(" ".join(lines)))
            lines.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if _PAGE_NUMBER.match(line) and line:
            continue  # — 3 — in the middle of a sentence; a lone number is a table's
        if not line or line.startswith("|"):
            flush()
            if line:
                blocks.append(_collapse(line))
            continue
        if lines and (_LINE_END.search(lines[-1]) or _is_heading(lines[-1]) or _HEADING.match(line)):
            flush()
        lines.append(line)
    flush()
    return [b for b in blocks if b]


@cache
def _t2s():
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a dependency; without it traditional text is not read
        return None
    return opencc.OpenCC("t2s")


def _simplified(s: str) -> str:
    """``s`` in simplified characters, character for character (the positions stay those of ``s``)."""
    conv = _t2s()
    if conv is None or s.isascii():
        return s
    out = conv.convert(s)
    if len(out) == len(s):
        return out
    return "".join(c if len(c := conv.convert(ch)) == 1 else ch for ch in s)


_EVERYONE = re.compile(r"公民、法人(?:和|或|及|或者|以及)其他组织")  # all applicants, as the 条例 says it: no subset


def _mask(s: str) -> str:
    """Titles, quotations, document numbers and the statutory "all applicants" blanked out (same length)."""
    s = _EVERYONE.sub(lambda m: _MASK * len(m.group()), s)
    out = list(s)
    i = 0
    while i < len(s):
        close = _QUOTES.get(s[i])
        j = s.find(close, i + 1) if close else -1
        if close and 0 < j - i <= 80:
            out[i + 1:j] = _MASK * (j - i - 1)
            i = j + 1
        else:
            i += 1
    return "".join(out)


def _sentences(block: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for i, ch in enumerate(block):
        if ch in _SENTENCE_END:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(block):
        spans.append((start, len(block)))
    return [(a, b) for a, b in spans if block[a:b].strip()]


def _clauses(s: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _CLAUSE_SEP.finditer(s):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(s)))
    return [(a, b) for a, b in spans if b > a]


# ---------------------------------------------------------------- what is no statement

_NUM = r"[0-9０-９]{1,3}(?:,[0-9０-９]{3})+|[0-9０-９]+|[〇零一二两三四五六七八九十百千万]+"
_FIGURE = re.compile(rf"(?P<num>{_NUM})(?P<approx>余|多)?(?P<unit>件|起|宗)")
_CN_NUMERAL_CHARS = set("〇零一二两三四五六七八九十百千万")
_WORD_BEFORE_CN = set("第每同某任逐单唯统万另这那哪几")  # 同一件, 每一件, 另一件: words, not counts
_AFTER_UNIT_NOT = re.compile(r"^(?:以上|以下|左右|上下|之多|事|数)")  # 一件事, 件数
_APPROX_BEFORE = re.compile(r"(?:近|约|大约|将近|超过?|逾|不足|不到|不少于|至少|多于|少于|第|每)$")
_EACH_BEFORE = re.compile(r"(?:各|均|分别|都)(?:为|是|有|达)?$")
# noun phrase after the unit: up to the first word that starts another predicate
_AFTER_STOP = re.compile(r"[。！？!?并且已均都但、和]|(?<![涉以普])及|(?<![参给])与|其中|全部|分别|予以|进行|办理|答复|办结"
                         r"|处理|受理|收到")

_NOT_THE_QUANTITY = re.compile("|".join((
    # subsets by applicant
    r"自然人|法人|其他组织|商业企业|科研机构|公益组织|法律服务机构|企业|个人|公民",
    # by channel
    r"网上|网络|在线|线上|线下|当面|现场|信函|邮寄|邮政|传真|邮件|邮箱|电话|窗口|网站|门户|平台|来信|来访|书面",
    # by outcome
    r"予以公开|同意公开|全部公开|部分公开|不予公开|无法提供|不予处理|其他处理|延期|不予受理|告知|撤回|撤诉|驳回"
    r"|纠错|纠正|维持|撤销|确认违法|败诉|胜诉|审结|结案|不掌握|不存在|非本机关|重复申请|信访|举报|投诉|国家秘密"
    r"|第三方|内部事务|过程性|执法案卷|补正|逾期|收费|区分处理|转办",
    # other things counted in 件
    r"建议|提案|(?<!复)议案|咨询|留言|来电|热线|诉求|政务服务|审批|许可|处罚|强制|工单|实事|培训|会议|信件|办件|登记|补贴|救助",
    # changes and comparisons
    r"较|(?<!对)比(?!例|重)|对比|同比|环比|相比|增加|减少|增长|下降|上升|降低|提高|增多|增幅|降幅|持平|翻番|多出"
    r"|(?:与|同|和|跟)(?:上一?年|去年|前一?年|(?:19|20)\d{2}年)",
    # not done, or averaged
    r"未|没有|平均|人均",
    # a part of the year, or not this year's at all
    r"上半年|下半年|季度|月份|历年|以来|迄今|至今",
    # a plan, not a fact
    r"计划|拟|预计|力争|争取|目标|确保",
)))
_NOT_A_FACT = re.compile(r"计划|拟|预计|力争|争取|目标|确保|力求|做到|避免|防止|杜绝|下一步|今后|将|要|应|需|希望")
_CHANGE_BEFORE = re.compile(r"(?<!新)(?:增|减|多|少)了?$")
_DATE = re.compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})月(?:(\d{1,2}|[一二三四五六七八九十]{1,3})日)?")
_WHOLE_YEAR_DATES = {("1", "1"), ("12", "31"), ("一", "一"), ("十二", "三十一"), ("12", ""), ("十二", "")}
# a sentence about part of the unit's scope (全县…，其中县政府本级…): which figure is the table's is unclear
_PART_OF_SCOPE = re.compile(r"本级|各部门|各单位|各乡镇|各镇|各街道|县直|区直|市直|所属|下属|各区|各县")
_CUMULATIVE = re.compile(r"累计")
# the received figure includes the carried-over ones: 收到23件（含上年结转2件）, 受理23件，其中本年新收21件，上年结转2件
_BREAKDOWN = re.compile(r"^[，,（(\s]*(?:其中|含|包括|包含|内含)[^；;]*")
_CARRIED_OR_NEW = re.compile(r"(?:上一?|去|(?:19|20)\d{2})年度?(?:结转|转入)|新收")

# periods: a year, last year, this year. A comparison (较上年, 比2023年) sets none: only its own figure is a change.
_PERIOD = re.compile(
    r"(?P<year>(?:19|20)\d{2}|[〇零一二三四五六七八九]{4})年(?P<since>以来|至今)?"
    r"|(?P<prev>(?:上一?|去|前一?)年度?)(?!度?(?:结转|转入))"
    r"|(?P<cur>本年度?|今年|全年|当年|年内|报告期)")
_COMPARED = re.compile(r"(?:较|比|与|同|相较于?|对比)$")

_NEG_PREFIX = r"(?P<pre>[^，。；、]{0,30}?)(?:均|也|都|亦|暂)?"  # who and when: 2024年，本镇; checked for subsets
_NEG_NEW = re.compile(rf"^{_NEG_PREFIX}(?P<neg>未|没有)(?:收到|受理|接到|接收)过?(?:任何)?"
                      r"(?:政府信息公开|信息公开|依申请公开)?的?申请(?:事项)?(?:的?情况)?$")
_NEG_DOCS = re.compile(rf"^{_NEG_PREFIX}(?P<neg>未|没有)(?:制发|出台|印发|制定)过?(?:任何)?(?:行政)?规范性文件$")
_NEG_CASES = re.compile(
    rf"^{_NEG_PREFIX}(?P<neg>未发生|未出现|未产生|未涉及|没有发生|没有|无)(?:因|涉及)?"
    r"(?:政府信息公开|信息公开|依申请公开)?(?:工作|申请)?而?(?:引起|引发|产生|导致)?的?(?:被申请)?"
    r"(?:(?P<both>行政复议(?:[和及与或、]|以及|或者)(?:被?提起)?(?:行政)?诉讼)|(?P<rec>行政复议)|被?(?:提起)?(?P<lit>行政诉讼))"
    r"(?:案件|的?情况|的?情形|事项)?(?:发生)?$")


_YEAR_OFFSET = {"carried_over": -1, "carried_forward": 1}  # 2023年结转, 结转至2025年 in a report of 2024


@cache
def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _periods(a: str, year: int | None) -> list[tuple[int, str]]:
    """(position, "current" | "other") of each period the sentence names, in order."""
    out = []
    for m in _PERIOD.finditer(a):
        if _COMPARED.search(a[:m.start()]):
            continue
        if m.group("year"):
            if re.search(r"(?:结转|转)(?:至|到|入)?$", a[:m.start()]) or re.match(r"度?(?:结转|转入)", a[m.end():]):
                continue  # 结转至2026年, 2023年结转: the cues of carried-over and -forward, checked with them
            named = chinese_number(m.group("year"))
            other = bool(m.group("since")) or (year is not None and named != year)
            out.append((m.start(), "other" if other else "current"))
        else:
            out.append((m.start(), "other" if m.group("prev") else "current"))
    return out


def _period_at(periods: list[tuple[int, str]], pos: int) -> str | None:
    """The period the sentence is about at ``pos``: the last one named before it (None: none named)."""
    state = None
    for p, s in periods:
        if p < pos:
            state = s
    return state


def _is_figure(a: str, m: re.Match) -> bool:
    """A count, not part of a word, a decimal, a phone number or an approximation."""
    num, before = m.group("num"), a[:m.start()]
    if m.group("approx") or _AFTER_UNIT_NOT.match(a[m.end():]):
        return False
    if num[0] in _CN_NUMERAL_CHARS:
        if len(num) > 1 and not any(ch in "十百千万" for ch in num):
            return False  # 三四件: a guess, not a count
        if num == "一" and m.group("unit") == "起" and not re.match(r"[，。；！？,;]|$", a[m.end():]):
            return False  # 一起研究: together, unless it ends the clause (行政诉讼一起。)
        if before and before[-1] in _WORD_BEFORE_CN:
            return False
    elif before and re.match(r"[0-9A-Za-z.．\-－/~～—_]", before[-1]):
        return False
    return chinese_number(num) is not None


def _has_dates(window: str) -> bool:
    return any((d.group(1), d.group(2) or "") not in _WHOLE_YEAR_DATES for d in _DATE.finditer(window))


def _named(window: str, after: str) -> list[tuple[Quantity, re.Match | None, re.Match | None]]:
    """The quantities the text around a figure names, each with its cue before the figure and its noun after it; a
    cue inside another quantity's longer cue (答复 in 转下一年度办理答复) is not counted."""
    found = []
    for q in QUANTITIES:
        spans = list(_rx(q.cue).finditer(window))
        noun = _rx(q.noun).search(after) if q.noun else None
        if not spans and not noun:
            continue
        if q.needs and not (_rx(q.needs).search(window) or _rx(q.needs).search(after)):
            continue
        if q.excludes and (_rx(q.excludes).search(window) or _rx(q.excludes).search(after)):
            continue
        found.append((q, spans, noun))
    named = []
    for q, spans, noun in found:
        inside = [s for s in spans if any(o is not q and any(t.start() <= s.start() and s.end() <= t.end()
                                                              and (t.end() - t.start()) > (s.end() - s.start())
                                                              for t in ospans)
                                          for o, ospans, _ in found)]
        if spans and len(inside) == len(spans) and not noun:
            continue
        named.append((q, spans[-1] if spans else None, noun))
    return named


def stated_figures(text: str, year: int | None = None, names: tuple[str, ...] = ()) -> list[Stated]:
    """Every figure ``text`` states for a quantity, in reading order. ``year``: the report's year (a sentence naming
    another year is about another period); None: years are not checked, only 上年/去年. ``names``: the unit's name
    and aliases, blanked out before reading (县数据和政务服务局 is a unit, not 政务服务 counted in 件)."""
    out: list[Stated] = []
    masked = [_simplified(n) for n in sorted({n for n in names if n}, key=len, reverse=True)]
    for block in _blocks(text or ""):
        analysed = _mask(_simplified(block))
        for name in masked:  # same length: positions in the analysed text stay those of the block
            analysed = analysed.replace(name, _MASK * len(name))
        for s0, s1 in _sentences(block):
            sentence, a = block[s0:s1].strip(), analysed[s0:s1]
            lead = len(block[s0:s1]) - len(block[s0:s1].lstrip())
            a = a[lead:lead + len(sentence)]
            if _PART_OF_SCOPE.search(a):
                continue
            seen: set[tuple[str, int]] = set()
            for st in _sentence_figures(sentence, a, year):
                if (st.quantity, st.value) not in seen:
                    seen.add((st.quantity, st.value))
                    out.append(st)
    return out


def _sentence_figures(sentence: str, a: str, year: int | None) -> list[Stated]:
    periods = _periods(a, year)
    explicit = any(s == "current" for _, s in periods)
    clauses = _clauses(a)
    found: list[Stated] = []
    for c0, c1 in clauses:
        ca = a[c0:c1]
        figures = [m for m in _FIGURE.finditer(ca) if _is_figure(ca, m)]
        if not figures:
            found.extend(_stated_zeros(sentence, a, c0, c1, periods))
            continue
        start = 0
        for m in figures:
            window, start0 = ca[start:m.start()], start
            start = m.end()
            nxt = next((m2.start() for m2 in figures if m2.start() >= m.end()), len(ca))
            rest = ca[m.end():nxt]
            stop = _AFTER_STOP.search(rest)
            after = (rest[:stop.start()] if stop else rest)[:30]
            if (_NOT_THE_QUANTITY.search(window) or _NOT_THE_QUANTITY.search(after)
                    or _APPROX_BEFORE.search(window) or _EACH_BEFORE.search(window) or _CHANGE_BEFORE.search(window)
                    or _has_dates(window)):
                continue
            if _period_at(periods, c0 + m.start()) == "other":
                continue
            if _CUMULATIVE.search(window) and not explicit:
                continue
            named = _named(window, after)
            if len(named) != 1:
                continue  # nothing named, or two quantities share the figure
            q, cue, noun = named[0]
            if cue is not None and year is not None and q.code in _YEAR_OFFSET:
                named_year = re.search(r"\d{4}", cue.group())
                if named_year and int(named_year.group()) != year + _YEAR_OFFSET[q.code]:
                    continue
            if q.code == "new_received":
                breakdown = _BREAKDOWN.match(a[c0 + m.end():])
                if breakdown and _CARRIED_OR_NEW.search(breakdown.group()):
                    continue
            lead = len(window) - len(window.lstrip("、和及与并且，"))
            p0, p1 = c0 + start0 + lead, c0 + m.end() + (noun.end() if noun else 0)
            found.append(Stated(q.code, chinese_number(m.group("num")), sentence,
                                sentence[p0:p1].strip(), sentence[c0 + m.start("num"):c0 + m.end("num")]))
    return found


def _stated_zeros(sentence: str, a: str, c0: int, c1: int, periods: list[tuple[int, str]]) -> list[Stated]:
    """未收到政府信息公开申请, 未发生行政复议和行政诉讼, 未制发行政规范性文件: a zero stated in words."""
    lead = len(a[c0:c1]) - len(a[c0:c1].lstrip())
    body = a[c0 + lead:c1].rstrip().rstrip(_SENTENCE_END)
    if not body or _period_at(periods, c1) == "other":
        return []
    phrase = sentence[c0 + lead:c0 + lead + len(body)]
    m = _NEG_NEW.match(body) or _NEG_DOCS.match(body) or _NEG_CASES.match(body)
    if not m or _NOT_THE_QUANTITY.search(m.group("pre")) or _NOT_A_FACT.search(m.group("pre")):
        return []
    neg = phrase[m.start("neg"):m.end("neg")]
    if m.re is _NEG_NEW:
        codes: tuple[str, ...] = ("new_received",)
    elif m.re is _NEG_DOCS:
        codes = ("normative_docs_issued",)
    else:
        codes = (("reconsideration", "litigation") if m.group("both")
                 else ("reconsideration",) if m.group("rec") else ("litigation",))
    return [Stated(code, 0, sentence, phrase, neg) for code in codes]
