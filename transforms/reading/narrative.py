"""The narrative of a report: the text of parts 一 (总体情况), 五 (存在的主要问题及改进情况) and 六 (其他需要报告的事项), as
written, from the text blocks of a Word document, a PDF or a portal page.

A part begins at its numbered heading and ends at the next numbered heading (二、 before the tables, or the end). A
heading is known by its number and its words (``transforms.format.OUTLINE``), so 五、政府信息公开工作存在的主要问题及
改进措施 is part 五 too; a sub-heading (（一）…, 1. …, 一是…) is text of its part.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from transforms.format import NARRATIVE, OUTLINE

RUNNING = ("页眉", "页脚")  # a page's header and footer (the unit's name, "- 1 -") are no part of any section
_HEADING = re.compile(r"^([一二三四五六七八九十]{1,2})\s*[、.．，,]\s*(\S.*)?$", re.S)
HEADING_CHARS = 40  # a heading is a short line; the part's text may follow it in the same block
MAX_CHARS = 50_000  # per part: a narrative is a few pages


@dataclass(frozen=True)
class Narrative:
    text: str
    where: str  # where a person finds it: 第2页–第3页, 第5段–第12段


def narrative_of(blocks) -> dict[str, Narrative]:
    """Part code → its text, for each narrative part the blocks have (possibly none)."""
    found: dict[str, list] = {}
    current: str | None = None
    for block in blocks:
        if block.where in RUNNING:
            continue
        text = block.text.strip()
        heading = _heading(text)
        if heading is not None:
            part, rest = heading
            current = part if part in _NARRATIVE_CODES and part not in found else None
            if current is not None:
                found[current] = [(rest, block.where)] if rest else []
            continue
        if current is not None and text:
            found[current].append((text, block.where))
    out = {}
    for code, paragraphs in found.items():
        text = "\n".join(t for t, _ in paragraphs)[:MAX_CHARS]
        places = list(dict.fromkeys(w for _, w in paragraphs))
        where = places[0] if len(places) == 1 else f"{places[0]}–{places[-1]}" if places else ""
        out[code] = Narrative(text, where)
    return out


_NARRATIVE_CODES = frozenset(p.code for p in NARRATIVE)
_BY_NUMBER = {p.number: p for p in OUTLINE}


def _heading(text: str) -> tuple[str | None, str] | None:
    """(part code or None, the text after the heading) when ``text`` starts with a numbered heading of the outline;
    None when it is ordinary text."""
    plain = unicodedata.normalize("NFKC", text).replace("\u3000", " ")
    m = _HEADING.match(plain)
    if m is None:
        return None
    number, after = m.group(1), (m.group(2) or "")
    head, rest = _split(after)
    for part in OUTLINE:
        if any(key in head for key in part.keys):
            return part.code, rest
    part = _BY_NUMBER.get(number)
    if part is not None and len(head) <= HEADING_CHARS and not re.search(r"\d", head):
        return part.code, rest  # a part named in the unit's own words: known by its number
    return None


def _split(after: str) -> tuple[str, str]:
    """The heading and what follows it in the same block (六、其他需要报告的事项。本年度未收取信息处理费。)."""
    first_line, _, more = after.partition("\n")
    if len(first_line) <= HEADING_CHARS:
        return first_line.strip(), more.strip()
    m = re.search(r"[。：:；;]", first_line[: HEADING_CHARS + 1])
    if m is None:
        return first_line[:HEADING_CHARS].strip(), after.strip()  # no end to the heading: keep the whole as text
    return first_line[: m.start()].strip(), (first_line[m.end():] + ("\n" + more if more else "")).strip()
