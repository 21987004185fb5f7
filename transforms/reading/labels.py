"""Label lookup for the reader, built once per format from ``transforms.format`` (no label string lives here).

A row label is recognised by its normalised key: the label text or a variant, optionally preceded by the labels it
sits under — its group (（三）不予公开), the outer group (三、本年度办理结果), the block (第二十条第（一）项) or the section
title — in whatever order a flat layout joined them (``三、本年度办理结果（三）不予公开 1.属于国家秘密``). The context
must agree: ``（五）不予处理 1.属于国家秘密`` is not a row. Column headers work the same way, with the measure's parent
(法人或其他组织) and, in table 四, the proceeding (行政复议 / 行政诉讼 → 未经复议直接起诉) as context.

Keys are "loose": :func:`transforms.format.labels.normalise` plus dropping separators (``-`` ``/`` ``：`` ``、`` ``.``) that
joined labels and numbering use inconsistently.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from transforms.format import FORMATS, Label, ReportFormat, Section
from transforms.format.labels import normalise

_SEPARATORS = re.compile(r"[-—–_/|:：·•>＞→、.,，;；]+")
FUZZY_MIN_RATIO = 0.8  # conservative: one wrong character in a 5+ character label
FUZZY_MARGIN = 0.05  # the best candidate must clearly beat the second
MEMO_SIZE = 50_000
MAX_STRIP = 4  # prefixes stripped from one key (outer group, group, block, title)


@lru_cache(maxsize=65536)
def loose(text: object) -> str:
    return _SEPARATORS.sub("", normalise(text))


def _keys(label: Label | None) -> tuple[str, ...]:
    if label is None:
        return ()
    return tuple(dict.fromkeys(k for k in (loose(t) for t in label.all_texts) if k))


@dataclass
class SectionIndex:
    """The lookup for one section of one format."""

    section: Section
    rows: dict[str, str] = field(default_factory=dict)  # key → row code
    row_prefixes: list[tuple[str, str]] = field(default_factory=list)  # (key, kind), longest first
    row_context: dict[str, set[str]] = field(default_factory=dict)  # row code → allowed group/block keys
    leaf_groups: set[str] = field(default_factory=set)  # keys of groups of numbered rows
    blocks: set[str] = field(default_factory=set)
    columns: dict[str, set[str]] = field(default_factory=dict)  # key → measure codes
    col_prefixes: list[tuple[str, str]] = field(default_factory=list)
    col_parent: dict[str, set[str]] = field(default_factory=dict)  # measure code → allowed parent keys
    proceedings: dict[str, str] = field(default_factory=dict)  # table 四: row label key → row code
    row_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # row code → keys for fuzzy matching
    col_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    row_order: list[str] = field(default_factory=list)  # row codes in format order
    row_position: dict[str, int] = field(default_factory=dict)  # row code → its place in row_order
    derived_rows: frozenset[str] = frozenset()  # rows the format derives from their children (never printed)
    measure_codes: dict[str, frozenset[str]] = field(default_factory=dict)  # row code → its measures' codes
    cell_count: int = 0  # (row, measure) cells of the section: the most values a table of it can have
    # the same label texts recur in every file: remember answers (bounded, the lookup itself is immutable)
    _row_memo: dict[str, str | None] = field(default_factory=dict, repr=False)
    _col_memo: dict[str, tuple[str, str | None] | None] = field(default_factory=dict, repr=False)
    header_memo: dict[tuple[str, ...], tuple[str, str | None] | None] = field(default_factory=dict, repr=False)
    _fuzzy_memo: dict[tuple, tuple[str, float] | None] = field(default_factory=dict, repr=False)

    def remember_header(self, texts: tuple[str, ...], hit: tuple[str, str | None] | None) -> None:
        """What a stack of header texts names (reading_tables.match_header), kept like the other memos."""
        if len(self.header_memo) < MEMO_SIZE:
            self.header_memo[texts] = hit

    # ------------------------------------------------------------ rows
    def match_row(self, text: str) -> str | None:
        if text in self._row_memo:
            return self._row_memo[text]
        code = self._match_row(text)
        if len(self._row_memo) < MEMO_SIZE:
            self._row_memo[text] = code
        return code

    def _match_row(self, text: str) -> str | None:
        key = loose(text)
        if not key:
            return None
        code = self.rows.get(key)
        if code is not None:
            return code
        rest, seen = self._strip(key, self.row_prefixes)
        if not seen:
            return None
        code = self.rows.get(rest)
        if code is None:
            return None
        allowed = self.row_context.get(code, set())
        for prefix in seen:
            if (prefix in self.leaf_groups or prefix in self.blocks) and prefix not in allowed:
                return None  # （五）不予处理 + 1.属于国家秘密: a label under the wrong parent is not that row
        return code

    # ------------------------------------------------------------ columns
    def match_column(self, text: str) -> tuple[str, str | None] | None:
        """(measure code, proceeding row code or None) for a header text (parents may be joined in)."""
        if text in self._col_memo:
            return self._col_memo[text]
        hit = self._match_column(text)
        if len(self._col_memo) < MEMO_SIZE:
            self._col_memo[text] = hit
        return hit

    def _match_column(self, text: str) -> tuple[str, str | None] | None:
        key = loose(text)
        if not key:
            return None
        codes = self.columns.get(key)
        seen: list[str] = []
        if codes is None:
            rest, seen = self._strip(key, self.col_prefixes)
            codes = self.columns.get(rest) if seen else None
            if codes is None:
                return None
        proceeding = None
        for prefix in seen:
            if prefix in self.proceedings:
                proceeding = self.proceedings[prefix]
        code = next(iter(codes)) if len(codes) == 1 else None
        for prefix in seen:  # a parent written above must be this measure's parent
            parents = {p for c in codes for p in self.col_parent.get(c, ())}
            if prefix in parents:
                codes = {c for c in codes if prefix in self.col_parent.get(c, ())}
                code = next(iter(codes)) if len(codes) == 1 else None
        if code is None:
            code = sorted(codes)[0] if codes else None
        return (code, proceeding) if code else None

    @staticmethod
    def _strip(key: str, prefixes: list[tuple[str, str]]) -> tuple[str, list[str]]:
        seen: list[str] = []
        rest = key
        for _ in range(MAX_STRIP):
            for prefix, _kind in prefixes:
                if len(rest) > len(prefix) and rest.startswith(prefix):
                    rest = rest[len(prefix) :]
                    seen.append(prefix)
                    break
            else:
                break
        return rest, seen

    # ------------------------------------------------------------ fuzzy
    def fuzzy(self, text: str, candidates: dict[str, tuple[str, ...]]) -> tuple[str, float] | None:
        """The one candidate whose key is clearly closest to the text, or None."""
        key = loose(text)
        if len(key) < 2:
            return None
        memo_key = (key, tuple(candidates.items()))
        if memo_key in self._fuzzy_memo:
            return self._fuzzy_memo[memo_key]
        scored = []
        for code, keys in candidates.items():
            best = max((_similarity(key, k) for k in keys), default=0.0)
            scored.append((best, code))
        scored.sort(reverse=True)
        hit = None
        if scored and scored[0][0] >= FUZZY_MIN_RATIO and (len(scored) < 2 or scored[0][0] - scored[1][0] >= FUZZY_MARGIN):
            hit = scored[0][1], scored[0][0]
        if len(self._fuzzy_memo) < MEMO_SIZE:
            self._fuzzy_memo[memo_key] = hit
        return hit


# below this a candidate can neither win (FUZZY_MIN_RATIO) nor come within FUZZY_MARGIN of a winner
_IRRELEVANT = FUZZY_MIN_RATIO - FUZZY_MARGIN


def _similarity(key: str, label_key: str) -> float:
    """``SequenceMatcher(None, key, label_key).ratio()``, or 0.0 when cheap upper bounds show it is irrelevant."""
    sm = difflib.SequenceMatcher(None, key, label_key)
    if sm.real_quick_ratio() < _IRRELEVANT or sm.quick_ratio() < _IRRELEVANT:
        return 0.0
    return sm.ratio()


def _is_numbered(text: str) -> bool:
    return text[:1].isdigit()  # the format's own convention (Row.title): 1.属于国家秘密 lives under its group


def build_section_index(section: Section) -> SectionIndex:
    idx = SectionIndex(section)
    idx.row_order = [r.code for r in section.rows]
    idx.row_position = {code: pos for pos, code in enumerate(idx.row_order)}
    idx.derived_rows = frozenset(section.derived_rows)
    idx.measure_codes = {r.code: frozenset(m.code for m in section.measures_of(r.code)) for r in section.rows}
    idx.cell_count = sum(map(len, idx.measure_codes.values()))
    prefixes: dict[str, str] = {k: "title" for k in _keys(section.title)}
    for row in section.rows:
        for k in _keys(row.label):
            idx.rows.setdefault(k, row.code)
        group_keys = _keys(row.group)
        idx.row_context[row.code] = set(group_keys)
        idx.row_keys[row.code] = tuple(
            dict.fromkeys([*_keys(row.label), *(g + k for g in group_keys for k in _keys(row.label))])
        )
        for g in group_keys:
            prefixes.setdefault(g, "group")
            if _is_numbered(row.label.text):
                idx.leaf_groups.add(g)
    for block in section.blocks:
        article = _keys(block.article)
        idx.blocks.update(article)
        for k in article:
            prefixes[k] = "block"
        for row in block.rows:
            idx.row_context[row.code].update(article)
    # a row label that is also a group (2019's undivided （六）其他处理) stays a row when it stands alone
    idx.row_prefixes = sorted(prefixes.items(), key=lambda p: -len(p[0]))

    col_prefixes: dict[str, str] = {k: "title" for k in _keys(section.title)}
    for k in _keys(section.column_header) + _keys(section.anchor if section.blocks else None):
        col_prefixes[k] = "header"
    for block in section.blocks:
        for k in _keys(block.article):
            col_prefixes[k] = "block"
    measures = {m.code: m for b in section.blocks for m in b.measures} if section.blocks else {}
    measures.update({m.code: m for m in section.columns})
    for code, m in measures.items():
        for k in _keys(m.label):
            idx.columns.setdefault(k, set()).add(code)
        parents = _keys(m.parent)
        idx.col_parent[code] = set(parents)
        for p in parents:
            col_prefixes[p] = "parent"
        idx.col_keys[code] = tuple(
            dict.fromkeys([*_keys(m.label), *(p + k for p in parents for k in _keys(m.label))])
        )
    if not section.blocks and section.column_header is None:
        # table 四 prints its proceedings as column groups above the results: they are column context there
        for row in section.rows:
            for k in _keys(row.label):
                idx.proceedings[k] = row.code
                col_prefixes[k] = "proceeding"
            for g in _keys(row.group):
                col_prefixes.setdefault(g, "group")
    idx.col_prefixes = sorted(col_prefixes.items(), key=lambda p: -len(p[0]))
    return idx


@dataclass
class FormatIndex:
    fmt: ReportFormat
    sections: dict[str, SectionIndex]
    _row_memo: dict[str, tuple[str, str] | None] = field(default_factory=dict, repr=False)
    # a sheet row's label cells (reading_tables.SheetScan.signature) → its best matching run, for find_row_labels
    label_memo: dict[tuple, tuple | None] = field(default_factory=dict, repr=False)

    def match_row(self, text: str) -> tuple[str, str] | None:
        if text in self._row_memo:
            return self._row_memo[text]
        hit = None
        for code, idx in self.sections.items():
            row = idx.match_row(text)
            if row is not None:
                hit = (code, row)
                break
        if len(self._row_memo) < MEMO_SIZE:
            self._row_memo[text] = hit
        return hit


def _build(fmt: ReportFormat) -> FormatIndex:
    return FormatIndex(fmt, {s.code: build_section_index(s) for s in fmt.sections})


# built once at import: a few hundred dict entries per format
INDEXES: dict[str, FormatIndex] = {version: _build(fmt) for version, fmt in FORMATS.items()}
