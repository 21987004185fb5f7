"""A shard's checked reports stored as Parquet and read back exactly (transforms/warehouse/shards.py), and the new
files split into shards in order (countystats.pipeline.shards)."""

from __future__ import annotations

import random

import pytest

from countystats.examples.reports import make_submission
from countystats.pipeline import Intake, shards
from countystats.settings import Settings
from transforms.inbox.archive import IncomingFile
from transforms.model import Finding, Submission
from transforms.warehouse.shards import ShardReports, write_shard

pytestmark = pytest.mark.unit


def _batch():
    subs = [make_submission(version, "township", random.Random(i)) for i, version in enumerate(("2021", "2019", "2021"))]
    subs[0].narrative = {"problems": ("一是政策解读形式单一；\n二是……", "第3段–第5段"), "other": ("无。", "第7段")}
    subs[0].explanations = {"N-COPY": "由县里统一培训后撰写", "T3-SHIFT": "确有科研机构申请"}
    key = next(iter(subs[1].cells))
    subs[1].cells[key].raw = "32500元"
    subs[1].cells[key].value = 3.25
    subs[1].findings += [Finding("T2-FEES", "warning", "“=HYPERLINK()” 元？", "proactive", "fees", "amount_wan_yuan",
                                 "Sheet1!D9", 3.25, "32500元", "单位说明"),
                         Finding("N-COPY", "warning", "雷同", "problems", actual=0.9731, expected="2024年甲镇.docx")]
    subs[2].cells[next(iter(subs[2].cells))].value = None  # a blank stays blank, not 0
    bad = Submission("坏文件.xlsx", "f" * 64, unreadable=True, source_kind=None)
    bad.findings.append(Finding("R-FORMAT", "error", "文件已损坏"))
    nowhere = Submission("无名.docx", "e" * 64, report_year=None, source_kind="word")
    incoming = [IncomingFile(f"第{i}个.xlsx", f"{i:064d}", "2025-01-02T03:04:05", f"/archive/{i}.xlsx",
                             path_b64="sbK3", backfill=i == 1) for i in range(5)]
    return list(zip(incoming, [*subs, bad, nowhere], strict=True))


def read_shard(folder):
    """A shard's reports as the load gets them, in the order written, all in one chunk."""
    reports = ShardReports([folder], folder.parent)
    keys = [key for key, _, _ in reports.heads(None)]
    return [item for chunk in reports.fetch(keys, max(len(keys), 1)) for item in chunk]


def test_a_shard_reads_back_exactly_what_was_written(tmp_path):
    batch = _batch()
    folder = write_shard(batch, tmp_path / "shard-1")
    back = read_shard(folder)
    assert back == batch
    value = back[1][1].cells[next(iter(back[1][1].cells))]
    assert (value.value, value.raw) == (3.25, "32500元")
    whole = [c.value for c in back[0][1].cells.values() if c.value is not None]
    assert whole and all(isinstance(v, int) for v in whole if float(v).is_integer())
    assert sorted(p.name for p in folder.iterdir()) == ["cells.parquet", "findings.parquet", "submissions.parquet"]


def test_the_first_attempt_to_finish_wins_and_an_empty_shard_reads_empty(tmp_path):
    folder = tmp_path / "shard-1"
    (tmp_path / "shard-1.tmp-killed").mkdir()  # what an attempt killed while writing leaves: not in the way
    write_shard(_batch(), folder)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    # a second attempt (a retry while a host cut off from the cluster finished the first) keeps the finished folder
    # untouched, so a load already reading it never sees it vanish, and leaves no copy of its own behind
    write_shard(_batch(), folder)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
    assert read_shard(folder) == _batch()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shard-1", "shard-1.tmp-killed"]
    assert read_shard(write_shard([], tmp_path / "empty")) == []


def test_the_new_files_are_split_in_order_into_shards_of_the_setting():
    files = [IncomingFile(f"{i}.xlsx", f"{i:064d}", "2025-01-02T03:04:05", f"/a/{i}") for i in range(7)]
    got = shards(Settings(shard_files=3), Intake(files=files))
    assert [[f["path"] for f in shard] for shard in got] == [["0.xlsx", "1.xlsx", "2.xlsx"],
                                                            ["3.xlsx", "4.xlsx", "5.xlsx"], ["6.xlsx"]]
    assert [IncomingFile(**f) for shard in got for f in shard] == files
    assert shards(Settings(shard_files=3), Intake()) == [[]]  # nothing new: one empty shard, the night goes on


def test_shard_reports_give_heads_then_whole_reports_in_the_loads_order_a_chunk_at_a_time(tmp_path):
    from transforms.warehouse.shards import BatchReports, ShardReports

    first, second = _batch(), _batch()[:3]
    folders = [write_shard(first, tmp_path / "a"), write_shard(second, tmp_path / "b")]
    reports = ShardReports(folders, tmp_path / "work")
    heads = reports.heads(parts=("problems",))
    assert [key for key, _, _ in heads] == [(0, i) for i in range(5)] + [(1, i) for i in range(3)]
    key, incoming, head = heads[0]
    assert incoming == first[0][0] and (head.unit_code, head.report_year) == (first[0][1].unit_code,
                                                                              first[0][1].report_year)
    assert head.cells == {} and head.findings == [] and list(head.narrative) == ["problems"]  # cut to the parts
    assert head.explanations == first[0][1].explanations
    # any order across the shards, in chunks: each report whole, exactly as written
    order = [(1, 2), (0, 4), (0, 0), (1, 0), (0, 1), (0, 3), (1, 1), (0, 2)]
    chunks = list(reports.fetch(order, chunk=3))
    assert [len(c) for c in chunks] == [3, 3, 2]
    by_key = {(0, i): item for i, item in enumerate(first)} | {(1, i): item for i, item in enumerate(second)}
    assert [item for chunk in chunks for item in chunk] == [by_key[k] for k in order]
    cells = [list(sub.cells) for chunk in chunks for _, sub in chunk]
    assert cells == [list(by_key[k][1].cells) for k in order]  # cells in the order the reader gave them
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == []  # the scratch database is removed
    # a batch in memory gives the same
    memory = BatchReports(first)
    assert [k for k, _, _ in memory.heads(("problems",))] == [(0, i) for i in range(5)]
    assert [item for c in memory.fetch([(0, 3), (0, 1)], chunk=1) for item in c] == [first[3], first[1]]
