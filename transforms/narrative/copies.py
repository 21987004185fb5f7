"""Sections nearly the same as another report's (rule N-COPY, 内容雷同), found without comparing every pair.

A section is compared as :func:`comparable` makes it: the unit's own name, years, figures, punctuation and
whitespace removed, so that a copy which only changes the name, the year and the numbers is the same text. Two
sections are copies when rapidfuzz's normalised Indel similarity of their comparable texts
(``fuzz.ratio(a, b) / 100``, i.e. 2·LCS / (len a + len b)) is at least :data:`THRESHOLD`; that is the similarity a
finding reports, and nothing else decides.

Thousands of reports cannot be compared pair by pair (10,000 sections are 50 million pairs), so
:class:`NearDuplicates` keeps a MinHash of each text's character shingles in a MinHashLSH index, which names the
candidates, and confirms each candidate with the exact similarity. The sketches are computed with numpy for many
texts at once (:meth:`NearDuplicates.add_many`), not one shingle at a time. How the shingle size and the LSH bands
are chosen so that no pair at 0.9 is missed, even with its differences scattered over the whole text: see
:data:`SHINGLE` and :data:`BANDS`. benchmarks/bench_narrative.py: 10,000 reports' 五 and 六 (20,000 sections) in
6.5 s on one core, most of it in MinHashLSH's own bookkeeping (a dict operation a band a text); each section's
index can have a core of its own.

:func:`copied_passages` says which passages of two original texts are the same, for showing them side by side.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np
from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

THRESHOLD = 0.9
_U32 = np.uint32
_U64 = np.uint64

# --- the text as compared -------------------------------------------------------------------------------------------

# At least this many comparable characters, or a text is never compared. The stock sentences that hundreds of units
# write in 六 and sometimes in 五 (本年度无其他需要报告的事项 13, 本机关未收取信息处理费 11, 本年度本机关未发生收取
# 信息处理费的情况，无其他需要报告的事项 ~30) are all well under 50: saying the same formula is not copying. A
# statement of real problems and measures runs to hundreds (the published reports' 五 have 200–600), and from 50
# characters up a text is two or three sentences, long enough that 90 % similarity means a shared passage rather
# than a shared formula (5 differing characters in 50). N-PROBLEMS already flags a 五 under 30.
MIN_CHARS = 50

# Everything that is not a word character: whitespace, punctuation (，。、“”（）…), symbols. Removed first, before
# NFKC: NFKC of Chinese text is slow only because of its full-width punctuation (10× the time of the rest), and
# what NFKC turns into word characters (full-width digits, ㈠) is a word character already.
_NONWORD = re.compile(r"[\W_]+")
# The figures, in one pass (so that removing one never joins two others into a third):
# - a year as a date (2024年, 2024年度, 2024 年度, 二〇二四年): the year of the report, which every copy changes;
# - a number in Chinese numerals, removed where an Arabic number would be, so that 三件 compares as 3件, i.e. 件: a
#   run of at least two numeral characters with a place or zero character (二十一, 一百二十, 三十余 → 余), or any run
#   directly before a measure word (两个, 三次, 十二篇). The numeral characters of words stay: 一是/二是 (the
#   structure of the text, part of what is copied), 进一步, 统一, 一些, 三审三校, 十分, 千方百计. Both texts are
#   treated alike, so a word the measure-word rule catches (一件事一次办 → 件事次办) does no harm;
# - any other digits (Arabic; full-width ones are Arabic after NFKC).
_NUMERALS = "〇零一二三四五六七八九十百千万亿两"
_MEASURES = "件条个次篇期项场人家份起批名余多天月届轮位所"
_FIGURES = re.compile(
    rf"(?=[\d{_NUMERALS}])(?:"  # (the first character decides quickly where no figure starts: 3× faster)
    r"(?:\d{4}|[〇零一二三四五六七八九]{4})年度?"
    rf"|[{_NUMERALS}]+(?=[{_MEASURES}])|(?=[{_NUMERALS}]{{2}})[{_NUMERALS}]*[〇零十百千万亿][{_NUMERALS}]*"
    r"|\d+)")


def comparable(text: str, names: Iterable[str] = ()) -> str:
    """The text as compared: NFKC, the given names (the unit's name and aliases; longest first) removed, years (2024年,
    二〇二四年, 2024 年度), all digits and numbers (Arabic, full-width, Chinese numerals that are numbers such as 二十一件;
    words such as 一是/进一步/统一 stay, see ``_FIGURES``), punctuation and whitespace removed: letters only."""
    return _normalise(text, names, with_map=False)[0]


def _normalise(text: str, names: Iterable[str], with_map: bool) -> tuple[str, list[int], list[int]]:
    """comparable(text) and, with ``with_map``, for each of its characters where it came from in ``text``: the start
    and the end (exclusive) of the original characters (one NFKC character may come from several, and ㈠ gives
    three). Both ways take the same steps, so the text is the same."""
    starts: list[int] = list(range(len(text))) if with_map else []
    ends: list[int] = list(range(1, len(text) + 1)) if with_map else []

    def drop(s: str, spans: Iterable[tuple[int, int]]) -> str:
        nonlocal starts, ends
        keep = _kept(len(s), spans)
        starts, ends = [starts[i] for i in keep], [ends[i] for i in keep]
        return "".join(s[i] for i in keep)

    def remove(s: str, pattern: re.Pattern[str]) -> str:
        if not with_map:
            return pattern.sub("", s)
        return drop(s, ((m.start(), m.end()) for m in pattern.finditer(s)))

    s = remove(text, _NONWORD)
    if not unicodedata.is_normalized("NFKC", s):
        if with_map:
            s, piece_starts, piece_ends = _nfkc_with_map(s)
            starts, ends = [starts[i] for i in piece_starts], [ends[j - 1] for j in piece_ends]
        else:
            s = unicodedata.normalize("NFKC", s)
        s = remove(s, _NONWORD)
    for name in _clean_names(names):  # longest first: 淮安市洪泽区人民政府 before 洪泽区
        if name in s:
            s = drop(s, _occurrences(s, name)) if with_map else s.replace(name, "")
    s = remove(s, _FIGURES)
    if not s.isalpha() and s:  # word characters that are not letters: 〇 alone, numerals NFKC keeps (Ⅻ → XII is)
        s = drop(s, [(i, i + 1) for i, c in enumerate(s) if not c.isalpha()]) if with_map else \
            "".join(c for c in s if c.isalpha())
    return s, starts, ends


def _clean_names(names: Iterable[str]) -> list[str]:
    """The names as the text is when they are looked for: no punctuation or spaces, NFKC; longest first."""
    cleaned = {_NONWORD.sub("", unicodedata.normalize("NFKC", _NONWORD.sub("", n))) for n in names if n}
    cleaned.discard("")
    return sorted(cleaned, key=lambda n: (-len(n), n))


def _occurrences(s: str, sub: str) -> list[tuple[int, int]]:
    """Where str.replace(sub, "") removes: non-overlapping, left to right."""
    spans, at = [], s.find(sub)
    while at >= 0:
        spans.append((at, at + len(sub)))
        at = s.find(sub, at + len(sub))
    return spans


def _kept(n: int, removed: Iterable[tuple[int, int]]) -> list[int]:
    keep, at = [], 0
    for start, end in removed:
        keep.extend(range(at, start))
        at = end
    keep.extend(range(at, n))
    return keep


def _nfkc_with_map(text: str) -> tuple[str, list[int], list[int]]:
    """NFKC of the text and each of its characters' source span in ``text`` (start, end exclusive). Normalised piece
    by piece, each piece a character with the combining marks after it (what NFKC composes); in the rare case that
    this is not the NFKC of the whole (Hangul jamo compose across pieces), the characters are mapped by aligning the
    two texts instead."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    bounds = [i for i, c in enumerate(text) if i == 0 or not unicodedata.combining(c)] + [len(text)]
    for start, end in zip(bounds, bounds[1:], strict=False):
        piece = unicodedata.normalize("NFKC", text[start:end])
        out.append(piece)
        starts.extend([start] * len(piece))
        ends.extend([end] * len(piece))
    s = "".join(out)
    whole = unicodedata.normalize("NFKC", text)
    if s == whole:
        return s, starts, ends
    starts, ends = [0] * len(whole), [0] * len(whole)
    for op in Indel.opcodes(text, whole):
        for j in range(op.dest_start, op.dest_end):
            if op.tag == "equal":
                starts[j] = op.src_start + j - op.dest_start
                ends[j] = starts[j] + 1
            else:  # an inserted character: it stands for the characters deleted around it
                starts[j], ends[j] = max(op.src_start - 1, 0), min(op.src_end + 1, len(text))
    return whole, starts, ends


# --- the index ------------------------------------------------------------------------------------------------------

# How a pair at ≥ 0.9 is found although the index knows only Jaccard similarities of shingle sets, which are much
# lower than the ratio and drop fast when the differences are scattered (every changed character breaks the k
# shingles over it). Measured on section-五 texts (the benchmark's phrase bank; the published reports agree), for
# 3-character shingles:
#   a copy with ≤ 8 % of its characters changed at random places (substituted, inserted, deleted): J ≥ 0.60;
#   substitutions right down to a ratio of 0.90 (every 10th character replaced): J ≥ 0.54;
#   single-character edits of all kinds right down to 0.90: J ≥ 0.44; the extreme, every 5th character an inserted
#   or deleted one (ratio 0.90 still): J ≈ 0.33–0.38; copies that change words rather than characters: far higher;
#   unrelated sections on the same subject, with the same vocabulary (政务公开、政策解读、培训…): J ≈ 0.03–0.06
#   (the published 平潭 2024/2025 and 上海 2025 sections), 0.06 on average and 0.11 at the 99th percentile in the
#   benchmark's phrase bank (harsher than the real ones on purpose).
# Shingles of 2 characters lift the copies (0.69 / 0.64 / 0.59) but lift the unrelated texts more (0.14); of 4 or
# more, scattered edits destroy too many (0.50 / 0.44 / 0.34 for 4): 3 separates them best.
# The LSH bands: 64 bands of 3 values (192 permutations); a pair becomes a candidate with probability
# 1 - (1 - J³)^64, so it is missed with probability 1.7e-7 at J = 0.60, 1.7e-5 at 0.54, 2e-4 at 0.50, 3e-3 at 0.44
# (and 3 % in the extreme at 0.38), while an unrelated pair at 0.06 is a candidate 1.4 % of the time (50 % at
# J = 0.22, the curve's midpoint, i.e. the "LSH threshold"). Rows of 4 would need ~500 permutations (and twice the
# bands, each a dict operation per text) for the same recall; rows of 2 (38 bands) would make 13 % of unrelated
# pairs at 0.06 candidates, 37 % at 0.11. Formulaic sections (六: the fee and proposals sentences many units word
# alike) average 0.10: 7 % of pairs are candidates there. Most candidates are dropped cheaply, all at once in
# numpy: by the length bound and by the Jaccard estimated from the 192 values (see _jaccard_cut); rapidfuzz (5–15 µs
# a pair of Chinese texts this long) confirms the rest.
SHINGLE = 3
BANDS = (64, 3)
NUM_PERM = BANDS[0] * BANDS[1]
SEED = 1
_CHUNK = 4096  # shingles through the permutations at once: NUM_PERM × 4096 uint32 is 3 MB, it stays in the cache

_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")


def _jaccard_cut(threshold: float) -> float:
    """The estimated Jaccard below which a candidate is dropped without rapidfuzz: four standard deviations (of an
    estimate from NUM_PERM values) below the Jaccard of the hardest pair the bands are built for, a pair at the
    threshold whose differences are single characters substituted, inserted and deleted in equal numbers, evenly
    spread. Such a pair has m = n(1-t)/2 edits of each kind (Indel distance 4m of 2n), and each breaks about SHINGLE
    shingles of either text, 3·SHINGLE - 1 in all: J = (1 - x) / (1 + x) with x = (3·SHINGLE - 1)(1 - t)/2, which
    is 0.43 at 0.9 (0.44 measured), and the cut 0.29. Only pairs the bands already miss often are affected (at
    J = 0.38, where the bands miss 3 %, this drops 0.4 % more); unrelated but formulaic sections (a fee sentence
    and a proposals sentence that many units write alike) often reach 0.2–0.25, and each would otherwise cost a
    rapidfuzz comparison."""
    x = (3 * SHINGLE - 1) * (1 - threshold) / 2
    hardest = max((1 - x) / (1 + x), 0.0)
    return max(hardest - 4 * (hardest * (1 - hardest) / NUM_PERM) ** 0.5, 0.0)


class _LSH(MinHashLSH):
    """MinHashLSH whose band keys are the band's values as they are in memory (``tobytes``), not byte-swapped
    first: a key only has to be the same at insertion and query, and this makes a query 35 % and an insertion 20 %
    cheaper (64 bands per text; tests/test_narrative_copies.py checks that the index still uses it)."""

    def _byteswap(self, hs: np.ndarray) -> bytes:
        return hs.tobytes()


@dataclass(frozen=True)
class Match:
    key: Hashable  # the indexed text's key
    similarity: float  # rapidfuzz ratio / 100, in [0, 1]


class NearDuplicates:
    """An index of texts (each under a key) that answers: which indexed texts are ≥ threshold similar to this one?

    Texts are given already :func:`comparable`; those shorter than :data:`MIN_CHARS` are not indexed, and a query
    that short matches nothing. Adding a key again replaces its text. A query finds every indexed text at the
    threshold, under every key that has it, the query's own key too: ``exclude`` leaves out keys (the same unit, the
    same submission). The same text under many keys (a template many units publish as it is) is one entry of the LSH
    and is compared once. The bands are chosen for thresholds of 0.9 and above (see ``BANDS``); a lower threshold
    works, but may miss pairs whose differences are scattered."""

    def __init__(self, threshold: float = THRESHOLD):
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        # the estimate compares the values' low bytes only (b-bit MinHash: a quarter of the memory to read), which
        # also agree by chance, 1 time in 256: the cut in agreeing bytes of NUM_PERM
        cut = _jaccard_cut(threshold)
        self._cut = int(np.ceil(NUM_PERM * (cut + (1 - cut) / 256)))
        self._lsh = _LSH(num_perm=NUM_PERM, params=BANDS)
        # each distinct text once, by its number (the LSH's key): the text, its MinHash values (capacity grows by
        # doubling), its length, and the keys that have it now (key → the order it was added in)
        self._number: dict[str, int] = {}
        self._texts: list[str] = []
        self._rows = np.empty((0, NUM_PERM), dtype=_U32)
        self._low = np.empty((0, NUM_PERM), dtype=np.uint8)
        self._lengths = np.empty(0, dtype=np.int64)
        self._holders: list[dict[Hashable, int]] = []
        self._keys: dict[Hashable, int] = {}  # key → its text's number
        self._added = 0

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._keys

    def add(self, key: Hashable, text: str) -> None:
        self.add_many([(key, text)])

    def add_many(self, items: Iterable[tuple[Hashable, str]]) -> None:
        """Index many texts at once: their MinHashes are computed together (:func:`signatures`)."""
        pending: dict[Hashable, str] = {}
        for key, text in items:
            self._forget(key)
            pending.pop(key, None)  # the same key twice: the last text stands
            if len(text) >= MIN_CHARS:
                pending[key] = text
        new = [t for t in dict.fromkeys(pending.values()) if t not in self._number]
        first = len(self._texts)
        self._reserve(first + len(new))
        self._rows[first:first + len(new)] = signatures(new)
        self._low[first:first + len(new)] = self._rows[first:first + len(new)]  # (the low byte of each)
        for number, text in enumerate(new, start=first):
            self._number[text] = number
            self._texts.append(text)
            self._lengths[number] = len(text)
            self._holders.append({})
        with self._lsh.insertion_session() as session:
            for key, text in pending.items():
                number = self._number[text]
                holders = self._holders[number]
                if not holders:  # a new text, or one whose keys have all gone since
                    session.insert(number, _minhash(self._rows[number]), check_duplication=False)
                holders[key] = self._added
                self._keys[key] = number
                self._added += 1

    def matches(self, text: str, exclude: Callable[[Hashable], bool] | None = None) -> list[Match]:
        """The indexed texts at least ``threshold`` similar to ``text``, best first (equal ones in the order added)."""
        if len(text) < MIN_CHARS or not self._keys:
            return []
        known = self._number.get(text)
        values = self._rows[known] if known is not None else signatures([text])[0]
        found = self._lsh.query(_minhash(values))
        if not found:
            return []
        numbers = np.fromiter(found, dtype=np.int64, count=len(found))
        t = self.threshold
        # ratio = 2·LCS / (n + m) ≤ 2·min(n, m) / (n + m): lengths too far apart cannot reach the threshold
        lengths = self._lengths[numbers]
        numbers = numbers[(lengths >= len(text) * t / (2 - t) - 1e-9) & (lengths <= len(text) * (2 - t) / t + 1e-9)]
        agree = (self._low[numbers] == values.astype(np.uint8)).sum(axis=1)
        candidates: list[tuple[int, list[tuple[int, Hashable]]]] = []
        for number in numbers[agree >= self._cut].tolist():
            keys = [(order, key) for key, order in self._holders[number].items()
                    if exclude is None or not exclude(key)]
            if keys:
                candidates.append((number, keys))
        if not candidates:
            return []
        cutoff = t * 100 - 1e-6  # 0.9 * 100 is 90.00000000000001: a ratio of exactly 90 must pass
        scores = process.cdist([text], [self._texts[number] for number, _ in candidates], scorer=fuzz.ratio,
                               score_cutoff=cutoff, dtype=np.float64)[0] / 100
        hits = sorted((-float(score), order, key) for score, (_, keys) in zip(scores, candidates, strict=True)
                      if score >= t for order, key in keys)
        return [Match(key, -score) for score, _, key in hits]

    def _forget(self, key: Hashable) -> None:
        number = self._keys.pop(key, None)
        if number is not None:
            holders = self._holders[number]
            del holders[key]
            if not holders:
                self._lsh.remove(number)

    def _reserve(self, size: int) -> None:
        if size > len(self._rows):
            capacity = max(size, 2 * len(self._rows), 1024)
            rows = np.empty((capacity, NUM_PERM), dtype=_U32)
            rows[:len(self._texts)] = self._rows[:len(self._texts)]
            low = np.empty((capacity, NUM_PERM), dtype=np.uint8)
            low[:len(self._texts)] = self._low[:len(self._texts)]
            lengths = np.zeros(capacity, dtype=np.int64)
            lengths[:len(self._texts)] = self._lengths[:len(self._texts)]
            self._rows, self._low, self._lengths = rows, low, lengths


# --- the passages, for people ---------------------------------------------------------------------------------------


def copied_passages(a: str, b: str, names_a: Iterable[str] = (), names_b: Iterable[str] = (),
                    min_chars: int = 8) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The passages of the ORIGINAL texts a and b that are the same after :func:`comparable`: (start, end) character
    spans in a and in b, for marking them side by side on a web page.

    The i-th span of a and the i-th span of b are the same passage; the lists are in the order of a. A passage has
    at least ``min_chars`` comparable characters; what comparable() removes inside it (punctuation, the year, a
    figure) is inside its span, not what is at its edges. First the passages in order (the alignment behind the
    similarity, rapidfuzz's Indel opcodes), then passages that moved (a sentence put elsewhere), longest first,
    among what is left of both."""
    na, starts_a, ends_a = _normalise(a, names_a, with_map=True)
    nb, starts_b, ends_b = _normalise(b, names_b, with_map=True)
    blocks = [(op.src_start, op.dest_start, op.src_end - op.src_start) for op in Indel.opcodes(na, nb)
              if op.tag == "equal" and op.src_end - op.src_start >= min_chars]
    blocks += _moved(na, nb, blocks, max(min_chars, 1))
    blocks.sort()
    return ([(starts_a[i], ends_a[i + size - 1]) for i, _, size in blocks],
            [(starts_b[j], ends_b[j + size - 1]) for _, j, size in blocks])


def _moved(na: str, nb: str, blocks: list[tuple[int, int, int]], min_chars: int) -> list[tuple[int, int, int]]:
    """Common passages of at least min_chars in the parts of na and nb no block covers, longest first."""
    def free(length: int, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
        out, at = [], 0
        for start, end in sorted(taken):
            if start - at >= min_chars:
                out.append((at, start))
            at = max(at, end)
        if length - at >= min_chars:
            out.append((at, length))
        return out

    taken_a = [(i, i + size) for i, _, size in blocks]
    taken_b = [(j, j + size) for _, j, size in blocks]
    matcher = SequenceMatcher(None, na, nb, autojunk=False)
    found: list[tuple[int, int, int]] = []
    while True:
        best = None
        for alo, ahi in free(len(na), taken_a):
            for blo, bhi in free(len(nb), taken_b):
                match = matcher.find_longest_match(alo, ahi, blo, bhi)
                if match.size >= min_chars and (best is None or match.size > best[2]):
                    best = (match.a, match.b, match.size)
        if best is None:
            return found
        found.append(best)
        taken_a.append((best[0], best[0] + best[2]))
        taken_b.append((best[1], best[1] + best[2]))


# --- MinHash of many texts at once ----------------------------------------------------------------------------------


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer, as datasketch's affine32 scheme applies it to each input hash."""
    h = h ^ (h >> _U32(16))
    h = h * _U32(0x85EBCA6B)
    h = h ^ (h >> _U32(13))
    h = h * _U32(0xC2B2AE35)
    return h ^ (h >> _U32(16))


def shingle_hashes(text: str) -> np.ndarray:
    """The 32-bit hash of each character shingle of ``text`` (what :func:`signatures` feeds the MinHash), in order."""
    return _shingle_hashes([text])[0]


def _shingle_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts' shingle hashes, concatenated, and where each text's begin (each text has at least SHINGLE chars).

    A shingle of three code points (each < 2²¹) packs exactly into 63 bits; the high half of that times an odd
    64-bit constant (multiplicative hashing) is its 32-bit hash, which the MinHash scheme mixes further (fmix32). No
    Python ``hash()``: the same on every run and every machine."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=_U32).astype(_U64)
    n = max(len(codes) - SHINGLE + 1, 0)
    packed = np.zeros(n, dtype=_U64)
    for i in range(SHINGLE):
        packed <<= _U64(21)
        packed |= codes[i:i + n]
    packed *= _U64(0x9E3779B97F4A7C15)
    packed >>= _U64(32)
    hashes = packed.astype(_U32)
    # a shingle must not run from one text into the next: drop those that start in a text's last SHINGLE-1 chars
    ends = np.cumsum(lengths)
    tails = (ends[:, None] - np.arange(1, SHINGLE)[None, :]).ravel()
    valid = np.ones(n, dtype=bool)
    valid[tails[tails < n]] = False
    counts = lengths - SHINGLE + 1
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return hashes[valid], starts


def signatures(texts: Sequence[str]) -> np.ndarray:
    """MinHash values of each text's shingle set, one row per text ((len(texts), NUM_PERM) uint32): exactly what
    datasketch's ``MinHash(num_perm=NUM_PERM, seed=SEED).update_batch(shingle_hashes(text))`` gives (a test says
    so), computed for many texts at once. The shingles of a chunk of texts go through every permutation as one
    (NUM_PERM × shingles) array, whose minimum per text is ``np.minimum.reduceat`` along the rows; in this layout
    (not shingles × NUM_PERM) the reduction is 8× faster, and a chunk of a few thousand shingles (a few MB) stays in
    the cache. 10,000 texts of 290 characters on one core: 0.16 s; 0.63 s in the other layout; 2.8 s with
    ``MinHash.bulk`` over the shingles' bytes (SHA-1 a shingle, in Python), 3.8 s one ``update_batch`` a text."""
    out = np.empty((len(texts), NUM_PERM), dtype=_U32)
    if not len(texts):
        return out
    if min(len(t) for t in texts) < SHINGLE:
        raise ValueError(f"a text shorter than a shingle ({SHINGLE} characters) has no MinHash")
    hashes, starts = _shingle_hashes(texts)
    hashes = _fmix32(hashes)
    a, b = _TEMPLATE.permutations
    a, b = a[:, None], b[:, None]
    longest = max(len(t) for t in texts)
    buffer = np.empty(NUM_PERM * (_CHUNK + longest), dtype=_U32)  # a chunk: whole texts up to _CHUNK, and one more
    i, n = 0, len(texts)
    while i < n:
        j = max(int(np.searchsorted(starts, starts[i] + _CHUNK, side="right")), i + 1)
        lo, hi = starts[i], starts[j] if j < n else len(hashes)
        permuted = buffer[:NUM_PERM * (hi - lo)].reshape(NUM_PERM, hi - lo)
        np.multiply(a, hashes[None, lo:hi], out=permuted)
        permuted += b
        out[i:j] = np.minimum.reduceat(permuted, starts[i:j] - lo, axis=1).T
        i = j
    return out


def _minhash(values: np.ndarray) -> MinHash:
    """A datasketch MinHash with these values: the template's permutations, seed and scheme, as
    ``MinHash(hashvalues=values, permutations=..., scheme="affine32")`` would make it, without checking the same
    permutations again for each of thousands (a third of the time of an insertion)."""
    minhash = MinHash.__new__(MinHash)
    minhash.__dict__.update(_TEMPLATE.__dict__)
    minhash.hashvalues = values
    return minhash
