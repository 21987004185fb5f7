"""Finding the three tables in a workbook's grids, by their labels, wherever and however they are laid out.

Rows first: a sheet row whose leading text cells (one cell, or several joined: outer group | group | label) match a
row label is a data row of that section. Then columns: walking up from a data row through the table's other data
rows, the header texts above a value column (joined top-down, longest match first) name the measure. This one rule
covers the statutory stacked sheet, one sheet per table, flat joined labels, extra title/notes/spacer rows and
columns, and any start cell. Table 四 in the statutory layout has no row label: its single data row sits under
headers that name both the proceeding and the result (行政诉讼 → 未经复议直接起诉 → 结果维持).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate

from transforms.reading.grid import Grid
from transforms.reading.labels import FormatIndex, SectionIndex, loose
from transforms.reading.numbers import is_blank, looks_like_value

MAX_LABEL_CELLS = 8  # text cells per row considered as label parts
MAX_JOIN = 4  # label cells joined into one label (outer group, group, label, + one spare)
HEADER_TEXTS = 6  # header cells collected above a column
HEADER_ROWS = 10
SKIP_ROWS = 80  # data rows walked over to reach a table's header
_UP = 1 << 20  # header walks are remembered by row * _UP + column (wider than any grid)
UNLABELLED_MIN_VALUES = 5  # table 四's data row has 15 figures and no label; a stray row of figures has fewer

BLANK, TEXT, VALUE = 0, 1, 2  # what a cell is, as far as finding tables goes


@dataclass
class RowLabel:
    section: str
    row: str
    r: int
    label_end: int  # column of the last label cell; values are to the right
    text: str
    fuzzy: float | None = None  # ratio when matched by the typo fallback


@dataclass
class Located:
    """One section found in one sheet: where each of its values is."""

    section: str
    grid: Grid
    rows: dict[str, RowLabel] = field(default_factory=dict)
    values: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    fuzzy_columns: list[tuple[str, str, str, int, float]] = field(default_factory=list)  # row, col, text, c, ratio
    unknown_rows: list[tuple[int, str]] = field(default_factory=list)
    unknown_columns: list[tuple[int, str]] = field(default_factory=list)
    statutory_columns: bool = False  # table 四 read from proceeding × result headers

    @property
    def score(self) -> int:
        return len(self.values)


def cell_kind(v: object) -> int:
    if v is None:
        return BLANK
    if isinstance(v, str):
        return _text_kind(v)  # the same texts recur in every file: classified once per process
    return VALUE  # numbers; dates and booleans are misplaced values, reported by the number check


class SheetScan:
    """Classified cells of one grid, computed once and shared by both formats' lookups."""

    def __init__(self, grid: Grid):
        self.grid = grid
        self.kinds: list[list[int]] = []  # per row, per column: BLANK / TEXT / VALUE
        self.text_cells: list[list[tuple[int, str]]] = []  # per row: (col, text) of label-like cells
        # per row: columns holding a value-like non-blank cell (worked out for the rows asked about)
        self.value_cols = _ValueColumns(self.kinds)
        self._signatures: dict[int, tuple] = {}  # see signature()
        self._merged: dict[int, set[int]] | None = None  # see inside_merges()
        self._label_rows: list[tuple[int, tuple]] | None = None  # see label_rows()
        self._collected: dict[tuple[int, int, int], list[str]] = {}  # see _collect_header()
        self._heads: dict[frozenset, dict] = {}  # all_rows → header_texts memo shared by the sections
        self._text_rows: list[list[int]] | None = None  # see text_rows()
        # no walk up can reach SKIP_ROWS rows: a header is the nearest stopping row above, whatever was walked before
        self.short = grid.height <= SKIP_ROWS
        kinds_of, text_cells = self.kinds.append, self.text_cells.append
        known = _KINDS.get
        for row in grid.cells:
            # cell_kind of each cell: the texts seen before, None and the small whole numbers are looked up (in C);
            # any other cell is classified here (a text once per process)
            try:
                kinds = list(map(known, row))
            except TypeError:  # an unhashable cell (no reader makes one): classified below
                kinds = [None] * len(row)
            if None in kinds:
                kinds = [k if k is not None else _text_kind(v) if isinstance(v, str) else VALUE
                         for v, k in zip(row, kinds, strict=True)]
            kinds_of(kinds)
            text_cells([(c, row[c]) for c, k in enumerate(kinds) if k == TEXT] if TEXT in kinds else [])

    def is_text(self, r: int, c: int) -> bool:
        if 0 <= r < len(self.kinds):
            kinds = self.kinds[r]
            return 0 <= c < len(kinds) and kinds[c] == TEXT
        return False

    def is_blank(self, r: int, c: int) -> bool:
        """Like ``is_blank(grid.get(r, c))``: outside the grid is blank."""
        if 0 <= r < len(self.kinds) and 0 <= c < len(self.kinds[r]):
            return self.kinds[r][c] == BLANK
        return True

    def inside_merges(self, r: int) -> frozenset[int] | set[int]:
        """Columns of row r covered by a merged range that starts in a column to their left."""
        if self._merged is None:
            merged: dict[int, set[int]] = {}
            for (mr, mc), (_r0, c0) in self.grid.origin.items():
                if c0 != mc:
                    merged.setdefault(mr, set()).add(mc)
            self._merged = merged
        return self._merged.get(r, _NONE)

    def label_rows(self) -> list[tuple[int, tuple]]:
        """(row, signature) of every row with a label-like text, top-down."""
        if self._label_rows is None:
            self._label_rows = [(r, self.signature(r)) for r, texts in enumerate(self.text_cells) if texts]
        return self._label_rows

    def text_rows(self, c: int) -> list[int]:
        """The rows whose cell in column c is a label-like text, top-down."""
        if self._text_rows is None:
            cols: list[list[int]] = [[] for _ in range(max((len(k) for k in self.kinds), default=0))]
            for r, texts in enumerate(self.text_cells):
                for col, _text in texts:
                    cols[col].append(r)
            self._text_rows = cols
        return self._text_rows[c] if c < len(self._text_rows) else []

    def signature(self, r: int) -> tuple:
        """What row r's candidate labels depend on: its first MAX_LABEL_CELLS label cells (column, text) and, between
        each and the one before, whether a value cell cuts them apart and whether both are one merged cell."""
        sig = self._signatures.get(r)
        if sig is None:
            texts = self.text_cells[r][:MAX_LABEL_CELLS]
            if len(texts) <= 1:
                sig = (tuple(texts), ())
            else:
                origin, kinds = self.grid.origin, self.kinds[r]
                flags = []
                prev_c, prev_o = texts[0][0], origin.get((r, texts[0][0]), (r, texts[0][0]))
                for c, _text in texts[1:]:
                    o = origin.get((r, c), (r, c))
                    flags.append((VALUE in kinds[prev_c + 1 : c]) * 2 + (o == prev_o))
                    prev_c, prev_o = c, o
                sig = (tuple(texts), tuple(flags))
            self._signatures[r] = sig
        return sig

    def runs(self, r: int) -> list[tuple[tuple[int, int], int, str]]:
        """Row r's distinct candidate label texts, each with the best rank of its runs: (rank, end column, text).

        A label merged over several columns yields the same text from many runs; only the longest, leftmost one
        can win (see find_row_labels), so each text is matched once, and once for both formats. Rows alike (the
        same labels in the same columns) recur in every file of a template: their runs are worked out once.
        """
        return _runs(self.signature(r))

    def header_memo(self, all_rows: set[int]) -> dict:
        return self._heads.setdefault(frozenset(all_rows), {})


class _ValueColumns:
    """Per row, the set of columns holding a value-like non-blank cell, like a list; computed when first asked."""

    __slots__ = ("_kinds", "_rows")

    def __init__(self, kinds: list[list[int]]):
        self._kinds = kinds
        self._rows: dict[int, set[int]] = {}

    def __getitem__(self, r: int) -> set[int]:
        cols = self._rows.get(r)
        if cols is None:
            kinds = self._kinds[r]
            cols = self._rows[r] = {c for c, k in enumerate(kinds) if k == VALUE} if VALUE in kinds else set()
        return cols

    def __len__(self) -> int:
        return len(self._kinds)


# the same texts and rows recur in every file: what they are is worked out once per process. Only short texts are
# kept (a label is short; a hostile sheet's are not), and the memos are bounded: a long-lived worker (the portal's)
# reads file after file, each with rows of its own (a title naming the unit)
KIND_MEMO = 20_000  # texts, then no more are added
ROW_MEMO = 10_000  # row signatures, then the memo starts again
_KINDS: dict[object, int] = {"": BLANK, None: BLANK}  # text → its kind, as cell_kind says
# calamine's numbers (floats, ints for an .xls) are values: the common ones looked up like the texts (True == 1 and
# False == 0 hash alike, and a boolean is a value too)
_KINDS.update(dict.fromkeys(range(1001), VALUE))
_KINDS.update(dict.fromkeys(map(float, range(1001)), VALUE))
_RUNS: dict[tuple, list[tuple[tuple[int, int], int, str]]] = {}  # row signature → its runs
MEMO_TEXT = 200  # characters: longer texts are classified each time
_MISS = object()
_NONE: frozenset[int] = frozenset()


def _text_kind(text: str) -> int:
    kind = _KINDS.get(text)
    if kind is None:
        kind = BLANK if is_blank(text) else VALUE if looks_like_value(text) else TEXT
        if len(_KINDS) < KIND_MEMO and len(text) <= MEMO_TEXT and text.__class__ is str:
            _KINDS[text] = kind
    return kind


def _remember(memo: dict, sig: tuple, value) -> None:
    """Keep a row signature's answer in a process-wide memo, if its texts are short (bounded: ROW_MEMO)."""
    if sum(len(t) for _c, t in sig[0]) <= MEMO_TEXT:
        if len(memo) >= ROW_MEMO:
            memo.clear()
        memo[sig] = value


def _runs(sig: tuple) -> list[tuple[tuple[int, int], int, str]]:
    runs = _RUNS.get(sig)
    if runs is None:
        best: dict[str, tuple[tuple[int, int], int]] = {}
        for i, j, end_col, text in _label_runs(*sig):
            rank = (j, -i)
            if text not in best or rank > best[text][0]:
                best[text] = (rank, end_col)
        runs = [(rank, end_col, text) for text, (rank, end_col) in best.items()]
        _remember(_RUNS, sig, runs)
    return runs


def label_runs(scan: SheetScan, r: int):
    """Candidate label texts of row r: runs of consecutive label cells (no value cell in between), deduped merges."""
    return _label_runs(*scan.signature(r))


def _label_runs(texts: tuple[tuple[int, str], ...], flags: tuple[int, ...]):
    """The runs of a row signature (SheetScan.signature): ``flags[j - 1]`` says whether a value cell sits between
    label cells j-1 and j (2: no run joins them) and whether both are one merged cell (1)."""
    for i in range(len(texts)):
        joined, last_text = "", None
        for j in range(i, min(len(texts), i + MAX_JOIN)):
            c, text = texts[j]
            if j > i and flags[j - 1] & 2:
                break
            # a horizontally merged label, or the same parent label repeated, is one part
            if (j == i or not flags[j - 1] & 1) and text != last_text:
                joined += text
                last_text = text
            yield i, j, c, joined


def _has_value_room(scan: SheetScan, r: int, end_col: int) -> bool:
    """A data row has something other than labels to its right: a value, or a blank for one."""
    right = scan.kinds[r][end_col + 1 :]
    return right.count(TEXT) != len(right)


def find_row_labels(scan: SheetScan, index: FormatIndex) -> list[RowLabel]:
    found: list[RowLabel] = []
    memo = index.label_memo  # row signature → the best matching run (the same rows recur in every file)
    grid = scan.grid
    for r, sig in scan.label_rows():
        best = memo.get(sig, _MISS)
        if best is _MISS:
            best = None  # the matching run with the most parts, then the leftmost start (ranks are unique)
            for rank, end_col, text in _runs(sig):
                if best is not None and rank < best[0]:
                    continue
                hit = index.match_row(text)
                if hit is not None:
                    best = (rank, hit, end_col, text)
            _remember(memo, sig, best)
        if best is None:
            continue
        _rank, (section, row), end_col, text = best
        # a label merged across several columns: its values start after the merge
        origin = grid.top_left(r, end_col)
        while grid.top_left(r, end_col + 1) == origin and end_col + 1 < len(grid.cells[r]):
            end_col += 1
        if _has_value_room(scan, r, end_col):
            found.append(RowLabel(section, row, r, end_col, text))
    return found


def header_texts(
    scan: SheetScan, r: int, c: int, own_rows: set[int], all_rows: set[int], memo: dict | None = None,
    heads: dict | None = None,
) -> list[str]:
    """Texts above (r, c), top-down: first over this table's data rows and blanks, then the header cells.

    An empty header cell takes the nearest text to its left in the same row: an unmerged copy of a merged group
    header (行政诉讼 written once above five columns) means the same as the merged one.

    ``memo`` remembers the walk up for one set of ``own_rows`` (:func:`_up` of (row, col) → where a walk from there
    ends); the
    header texts found from a given start depend only on ``all_rows`` and are shared through the scan (every
    section of a format asks for the same headers); ``heads`` is that shared memo, when the caller already has it
    (``scan.header_memo(all_rows)``).
    """
    kinds = scan.kinds
    i = r - 1
    lowest = max(r - SKIP_ROWS, 0)
    walked = []  # rows passed on the way up share the answer: remember it for them
    while True:
        if i < lowest:
            i = -1
            break
        if memo is not None:
            known = memo.get(i * _UP + c)
            if known is not None:
                i = known
                break
        walked.append(i)
        if i in own_rows:
            i -= 1
            continue
        row_kinds = kinds[i] if i < len(kinds) else ()
        if c < len(row_kinds) and row_kinds[c] == TEXT:
            break
        if i in all_rows:
            i = -1  # reached another table without passing a header
            break
        i -= 1
    if memo is not None:
        for w in walked:
            if w != i:
                memo[w * _UP + c] = i
    if i < 0:
        return []
    if heads is None:
        heads = scan.header_memo(all_rows)
    texts = heads.get((i, c))
    if texts is None:
        texts = heads[(i, c)] = _collect_header(scan, i, c, all_rows)
    return texts


def _walk_end(scan: SheetScan, r: int, c: int, own_rows: set[int], others: list[int]) -> int:
    """Where header_texts's walk up from (r, c) ends in a short grid (scan.short): the nearest row above that is not
    this table's and holds a text in column c (the header starts there), or another table's row, reached first
    (-1: no header). ``others``: the rows of all_rows not in own_rows, sorted."""
    rows = scan.text_rows(c)
    k = bisect_left(rows, r) - 1
    while k >= 0 and rows[k] in own_rows:
        k -= 1
    text_row = rows[k] if k >= 0 else -1
    j = bisect_left(others, r) - 1
    return text_row if j < 0 or text_row >= others[j] else -1


def _texts_at(scan: SheetScan, start: int, c: int, all_rows: set[int], heads: dict) -> list[str]:
    """header_texts's answer once its walk ended at ``start``."""
    if start < 0:
        return []
    texts = heads.get((start, c))
    if texts is None:
        texts = heads[(start, c)] = _collect_header(scan, start, c, all_rows)
    return texts


def _collect_header(scan: SheetScan, start: int, c: int, all_rows: set[int]) -> list[str]:
    """The header texts from row ``start`` upwards (at most HEADER_ROWS rows, HEADER_TEXTS texts), top-down.

    They depend on all_rows only through the first of its rows met on the way up: collected once per scan for
    each (start, column, that row), whichever format's or table's rows all_rows holds.
    """
    stop = max(start - HEADER_ROWS, -1)
    i = start
    while i > stop and i not in all_rows:
        i -= 1
    key = (start, c, i)
    texts = scan._collected.get(key)
    if texts is None:
        texts = scan._collected[key] = _collect_until(scan, start, c, i)
    return texts


def _collect_until(scan: SheetScan, start: int, c: int, stop: int) -> list[str]:
    """_collect_header's texts, from ``start`` up to the row ``stop`` (not included)."""
    cells, origin, kinds_of = scan.grid.cells, scan.grid.origin, scan.kinds
    texts: list[str] = []
    last_origin = None
    i = start
    while i > stop and len(texts) < HEADER_TEXTS:
        kinds = kinds_of[i]
        cc = c
        if c >= len(kinds) or kinds[c] == BLANK:
            cc = min(c, len(kinds)) - 1  # an empty header cell: the nearest one to its left that is not
            while cc >= 0 and kinds[cc] == BLANK:
                cc -= 1
        if cc >= 0 and kinds[cc] == TEXT:
            top_left = origin.get((i, cc), (i, cc))
            if top_left != last_origin:
                texts.append(cells[i][cc])
                last_origin = top_left
        i -= 1
    texts.reverse()
    return texts


def match_header(idx: SectionIndex, texts: list[str]) -> tuple[str, str | None] | None:
    """Longest joined suffix of the header texts that names a measure (a title above it is ignored)."""
    key = tuple(texts)
    if key in idx.header_memo:
        return idx.header_memo[key]
    hit = None
    for start in range(len(texts)):
        hit = idx.match_column("".join(texts[start:]))
        if hit is not None:
            break
    idx.remember_header(key, hit)
    return hit


def locate_rows_section(
    scan: SheetScan, idx: SectionIndex, labels: list[RowLabel], all_rows: set[int]
) -> Located:
    section = idx.section
    loc = Located(section.code, scan.grid)
    for lab in labels:
        if lab.section == section.code and lab.row not in loc.rows:
            loc.rows[lab.row] = lab
    if not loc.rows:
        return loc
    _fuzzy_rows(scan, idx, loc, all_rows)
    own_rows = {lab.r for lab in loc.rows.values()}
    memo: dict = {}
    heads = scan.header_memo(all_rows)  # all_rows no longer changes for this section
    kinds, cells, values = scan.kinds, scan.grid.cells, loc.values
    header_memo = idx.header_memo
    labs = sorted(loc.rows.values(), key=lambda x: x.r)
    width = max(len(cells[lab.r]) for lab in labs)
    short = scan.short
    others = sorted(all_rows - own_rows) if short else []
    # per column, the header last read: its row, where its walk up ended, its texts and what they name
    above_r, above_start, above_texts, above_hit = [-2] * width, [0] * width, [None] * width, [None] * width
    for lab in labs:
        r, row_code = lab.r, lab.row
        measures = idx.measure_codes[row_code]
        row_kinds = kinds[r]
        inside = scan.inside_merges(r)  # inside a merged value cell: its top-left column already counts
        for c in range(lab.label_end + 1, len(cells[r])):
            if c in inside:
                continue
            if above_r[c] == r - 1:
                # the row just above is this table's and was read in this column: walking up from here passes it
                # and ends where its walk ended. Record what header_texts would have remembered, and reuse.
                texts, hit = above_texts[c], above_hit[c]
                if not short:
                    memo[(r - 1) * _UP + c] = above_start[c]
            else:
                if short:
                    texts = _texts_at(scan, _walk_end(scan, r, c, own_rows, others), c, all_rows, heads)
                else:
                    texts = header_texts(scan, r, c, own_rows, all_rows, memo, heads)
                    above_start[c] = memo.get((r - 1) * _UP + c, r - 1)  # where the walk ended (-1: no header)
                if texts:
                    hit = header_memo.get(tuple(texts), _MISS)
                    if hit is _MISS:
                        hit = match_header(idx, texts)
                else:
                    hit = None
                above_texts[c], above_hit[c] = texts, hit
            above_r[c] = r
            if hit is not None and hit[0] in measures and (hit[1] is None or hit[1] == row_code):
                key = (row_code, hit[0])
                # under a header merged over several columns the value may sit in any of them: take a filled one
                pos = values.get(key)
                if pos is None or (scan.is_blank(*pos) and row_kinds[c] != BLANK):
                    values[key] = (r, c)
                continue
            if texts and row_kinds[c] == VALUE:
                missing = {m: idx.col_keys[m] for m in measures if (row_code, m) not in values}
                fz = idx.fuzzy(texts[-1], missing) if missing else None
                if fz is not None:
                    values[(row_code, fz[0])] = (r, c)
                    loc.fuzzy_columns.append((row_code, fz[0], texts[-1], c, fz[1]))
                elif (c, texts[-1]) not in loc.unknown_columns:
                    loc.unknown_columns.append((c, texts[-1]))
    return loc


def _fuzzy_rows(scan: SheetScan, idx: SectionIndex, loc: Located, all_rows: set[int]) -> None:
    """Typo'd labels between this table's recognised rows: match them to the missing rows, in format order."""
    order, position = idx.row_order, idx.row_position
    found_rs = sorted((lab.r, position[lab.row]) for lab in loc.rows.values())
    first, last = found_rs[0][0], found_rs[-1][0]
    found_rows = [rr for rr, _pos in found_rs]
    # the furthest format position among the found rows above a row, and the nearest among those below
    above_pos = list(accumulate((pos for _rr, pos in found_rs), max))
    below_pos = list(accumulate((pos for _rr, pos in reversed(found_rs)), min))[::-1]
    text_cells, derived = scan.text_cells, idx.derived_rows
    for r in range(max(0, first - 2), min(scan.grid.height, last + 3)):
        if r in all_rows or not text_cells[r]:
            continue
        c, text = _last_label(scan, r)
        if not _has_value_room(scan, r, c):
            continue
        i = bisect_left(found_rows, r)  # found rows are in all_rows: none is r
        above = above_pos[i - 1] if i else -1
        below = below_pos[i] if i < len(found_rows) else len(order)
        missing = {
            code: idx.row_keys[code]
            for code in order[above + 1 : max(below, above + 1)]
            if code not in loc.rows and code not in derived
        }
        fz = None
        if missing:
            fz = idx.fuzzy(text, missing)
            if fz is None:
                joined = "".join(t for _, t in text_cells[r][:MAX_JOIN])
                fz = idx.fuzzy(joined, missing) if joined != text else None
        if fz is not None:
            loc.rows[fz[0]] = RowLabel(idx.section.code, fz[0], r, c, text, fuzzy=fz[1])
            all_rows.add(r)
        elif VALUE in scan.kinds[r]:
            loc.unknown_rows.append((r, "".join(t for _, t in text_cells[r][:MAX_JOIN])))


def _last_label(scan: SheetScan, r: int) -> tuple[int, str]:
    """The rightmost text cell before the first value cell (the most specific part of a row label)."""
    kinds = scan.kinds[r]
    first_value = kinds.index(VALUE) if VALUE in kinds else 10**9
    cands = [(c, t) for c, t in scan.text_cells[r] if c < first_value]
    return cands[-1] if cands else scan.text_cells[r][0]


def locate_statutory_review(scan: SheetScan, idx: SectionIndex, all_rows: set[int]) -> Located:
    """Table 四 as printed: proceeding and result in the headers, one unlabelled data row below them."""
    loc = Located(idx.section.code, scan.grid, statutory_columns=True)
    result_keys = idx.columns
    candidates = set()
    for r in range(scan.grid.height):
        for _c, text in scan.text_cells[r]:
            if loose(text) in result_keys:
                # merged headers are filled, so the bottom cell of a vertical merge yields the real data row
                candidates.add(r + 1)
                break
        else:
            # a row of figures without a label under a row of headers: the result may be split over header rows
            # (a PDF page breaking inside the header row: 结果 on one page, 维持 on the next)
            if not scan.text_cells[r] and scan.kinds[r].count(VALUE) >= UNLABELLED_MIN_VALUES and r > 0 \
                    and scan.text_cells[r - 1]:
                candidates.add(r)
    best: dict[tuple[str, str], tuple[int, int]] = {}
    memo: dict = {}
    heads = scan.header_memo(all_rows)
    no_rows: set[int] = set()
    others = sorted(all_rows) if scan.short else []
    for r in sorted(candidates):
        if r in all_rows:
            continue
        pairs: dict[tuple[str, str], tuple[int, int]] = {}
        width = max((len(scan.grid.cells[i]) for i in range(max(0, r - 3), r) if i < scan.grid.height), default=0)
        for c in range(width):
            if scan.is_text(r, c):
                continue
            if scan.short:
                texts = _texts_at(scan, _walk_end(scan, r, c, no_rows, others), c, all_rows, heads)
            else:
                texts = header_texts(scan, r, c, no_rows, all_rows, memo, heads)
            hit = match_header(idx, texts) if texts else None
            if hit is not None and hit[1] is not None:
                pairs.setdefault((hit[1], hit[0]), (r, c))
        if len(pairs) > len(best):
            best = pairs
    if len(best) >= 3:
        loc.values = best
    return loc


def locate(scans: list[SheetScan], index: FormatIndex, upto: str | None = None) -> dict[str, list[Located]]:
    """Every sheet's candidate for every section, best first.

    ``upto``: only the sections up to this one, in format order (a section's result never depends on the sections
    after it), for when the reader needs no more of this format.
    """
    codes = list(index.sections)
    codes = codes[: codes.index(upto) + 1] if upto is not None else codes
    out: dict[str, list[Located]] = {code: [] for code in codes}
    for scan in scans:
        for code, loc in _locate_sheet(scan, index, codes).items():
            out[code].append(loc)
    for code in out:
        out[code].sort(key=lambda loc: (-loc.score, not loc.grid.visible, loc.grid.index))
    return out


def _locate_sheet(scan: SheetScan, index: FormatIndex, codes: list[str]) -> dict[str, Located]:
    """The given sections (a prefix of the format's) found in one sheet (only those with values)."""
    labels = find_row_labels(scan, index)
    all_rows = {lab.r for lab in labels}  # grows as sections match typo'd rows: hence sections in format order
    locs = {code: locate_rows_section(scan, index.sections[code], labels, all_rows) for code in codes}
    # a "row" that found no column under a header is a header itself (行政复议 above its five columns)
    data_rows = {r for loc in locs.values() for (r, _c) in loc.values.values()}
    found = {}
    for code in codes:
        idx, loc = index.sections[code], locs[code]
        # read as printed (proceeding × result headers) unless the labelled rows already gave every cell: the
        # other reading keys its values by the same (row, measure), so it could only tie
        if not idx.section.blocks and idx.section.column_header is None and loc.score < idx.cell_count:
            alt = locate_statutory_review(scan, idx, data_rows)
            if alt.score > loc.score:
                loc = alt
        if loc.score:
            found[code] = loc
    return found
