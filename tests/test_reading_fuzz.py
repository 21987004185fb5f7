"""Fuzzing the reader: a few hundred mutated workbooks, never a crash, always a well-formed Submission."""

from __future__ import annotations

import json
import random

import pytest
from conftest import ROOT
from reading_fixtures import split_per_table, statutory_sheet, write_book

from transforms.format import FORMATS, OF_FILE, SEVERITY_ZH
from transforms.format.statutory import FORMAT_2019, FORMAT_2021
from transforms.reading import ReadTask, read_isolated
from transforms.rules import RULES

pytestmark = pytest.mark.integration  # the mutated workbooks are read by isolated worker processes

UNIT = "大营镇"
UNITS = ROOT / "config" / "units.csv"
SEED = 20261122
STATUSES = set(OF_FILE) - {"returned"}  # what reading and checking can say (returning is the office's decision)
ALL_KEYS = {k for f in FORMATS.values() for k in f.cells()}


def well_formed(sub):
    assert sub.status in STATUSES
    assert set(sub.cells) <= ALL_KEYS
    for f in sub.findings:
        assert f.rule in RULES and f.severity in SEVERITY_ZH and f.message
    for cell in sub.cells.values():
        assert cell.value is None or isinstance(cell.value, int | float)
    json.dumps(sub.to_json(), ensure_ascii=False)
    if sub.unreadable:
        assert len(sub.findings) == 1 and sub.findings[0].rule == "R-FORMAT"


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-src")
    sheet, _ = statutory_sheet(FORMAT_2021.version, unit=UNIT)
    return {s: write_book(folder / f"src{s}", [sheet]).read_bytes() for s in (".xlsx", ".xls")}


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    op = rng.choice(("flip", "flips", "truncate", "zero", "splice"))
    if op == "flip":
        buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    elif op == "flips":
        for _ in range(rng.randint(2, 40)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    elif op == "truncate":
        del buf[rng.randrange(len(buf)) :]
    elif op == "zero":
        a = rng.randrange(len(buf))
        n = min(rng.randint(1, 600), len(buf) - a)
        buf[a : a + n] = bytes(n)
    else:
        a, b = sorted(rng.randrange(len(buf)) for _ in range(2))
        buf[a:a] = buf[b : b + rng.randint(1, 300)]
    return bytes(buf)


@pytest.mark.parametrize("suffix, count", [(".xlsx", 200), (".xls", 60)])
def test_byte_mutations(tmp_path, originals, suffix, count):
    rng = random.Random(f"{SEED}{suffix}")
    tasks = []
    for i in range(count):
        p = tmp_path / f"m{i}{suffix}"
        p.write_bytes(_mutate_bytes(originals[suffix], rng))
        tasks.append(ReadTask(str(p), str(p)))
    # isolated, as the nightly run reads: a mutated .xls can make calamine allocate gigabytes
    subs = read_isolated(tasks, UNITS, workers=2)
    seen = set()
    for sub in subs:
        well_formed(sub)
        seen.add(sub.status)
    assert "unreadable" in seen and seen & {"accepted", "accepted_with_warnings", "rejected"}


JUNK = ("", " ", "—", "无", "见附件", "１２", "-3", "3.7", "1,000", "合计", "\n", "#REF!", "=SUM(A1)", 1e12, -5, 2.5, None)


def test_structural_mutations(tmp_path):
    """Cell texts replaced (labels and values), rows deleted, sheets split and shuffled, merges dropped."""
    rng = random.Random(SEED)
    tasks = []
    for i in range(150):
        version = rng.choice((FORMAT_2021.version, FORMAT_2019.version, "mixed"))
        sheet, _ = statutory_sheet(version, unit=UNIT if rng.random() < 0.8 else "", start=(rng.randint(0, 3), rng.randint(0, 3)))
        positions = list(sheet.cells)
        for _ in range(rng.randint(1, 25)):
            pos = rng.choice(positions)
            v = sheet.cells.get(pos)
            if isinstance(v, str) and v and rng.random() < 0.5:
                k = rng.randrange(len(v))
                sheet.cells[pos] = v[:k] + rng.choice("的一是不了人我在有他这中大来上国个到说们为子和你") + v[k + 1 :]
            else:
                sheet.cells[pos] = rng.choice(JUNK)
        for _ in range(rng.randint(0, 3)):
            r = rng.randrange(sheet.height)
            sheet.cells = {p: v for p, v in sheet.cells.items() if p[0] != r}
        if rng.random() < 0.3:
            sheet.merges = [m for m in sheet.merges if rng.random() < 0.5]
        sheet.cells = {p: v for p, v in sheet.cells.items() if v is not None}
        sheets = [sheet]
        if rng.random() < 0.4:
            sheets = split_per_table(sheet)
            rng.shuffle(sheets)
        try:
            p = write_book(tmp_path / f"s{i}{rng.choice(('.xlsx', '.xls'))}", sheets)
        except Exception:  # the writer refused an impossible book (overlapping merges): not the reader's business
            continue
        tasks.append(ReadTask(str(p), str(p)))
    statuses = set()
    for sub in read_isolated(tasks, UNITS, workers=2):
        well_formed(sub)
        statuses.add(sub.status)
    # the mutations reach both sides: files that are refused, and files that still stand (noticed or held)
    assert "rejected" in statuses and statuses & {"accepted", "needs_review"}, statuses
