"""The units' 说明 written on the portal: journaled in the inbox (the file is kept byte for byte), copied into the
archive by every run, applied by the load to the file's warnings — to a file loaded now before its status is used,
to a file loaded in an earlier run at the next run — over the file's own 说明, never to an error, and kept by a
rebuild from the archive alone; the journal survives bad lines and concurrent writers."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import pytest
from fake_reading import FAKE, drop, fake_read
from warehouse_query import query, warehouse_content

from countystats import pipeline
from countystats.examples.small import write_units
from countystats.examples.warehouses import load_run
from countystats.settings import Settings
from transforms.inbox import explanations, reviews
from transforms.inbox.archive import sha256_of
from transforms.inbox.explanations import Explanation
from transforms.model import Finding, Submission
from transforms.registry import Registry
from transforms.warehouse.shards import ShardReports, write_shard

pytestmark = pytest.mark.unit

SHIFT = "T3-SHIFT"  # the warning of countystats.examples.small.report(warning=True)
BALANCE = "T3-BALANCE"  # its error (errors=True)
WHY = "本年确有科研机构申请，已核对原始登记，数据属实"


def _settings(tmp_path: Path) -> Settings:
    return Settings(inbox=tmp_path / "inbox", db=tmp_path / "data" / "w.duckdb", out=tmp_path / "out",
                    archive=tmp_path / "archive", units=write_units(tmp_path / "units.csv"), progress_every=1000,
                    today="2025-06-30")


def _explain(s: Settings, path: Path, rule: str = SHIFT, reason: str = WHY, at: str = "2025-01-11T10:00:00",
             by: str = "甲镇 张三") -> Explanation:
    """What the portal does when a clerk explains a warning of the file at ``path``."""
    e = Explanation(sha256_of(path.read_bytes()), rule, reason, by, at)
    explanations.record(s.inbox, [e])
    return e


def _status(s: Settings, path: Path) -> str:
    (status,), = query(s.db, "SELECT status FROM submissions WHERE sha256 = ?", [sha256_of(path.read_bytes())])
    return status


def _explained(s: Settings, path: Path) -> dict[str, str | None]:
    """rule → findings.explanation of the file's findings."""
    return dict(query(s.db, "SELECT f.rule, f.explanation FROM findings f JOIN submissions USING (submission_id) "
                            "WHERE sha256 = ?", [sha256_of(path.read_bytes())]))


def _county_new_received(s: Settings, year: int = 2024) -> list[tuple]:
    return query(s.db, "SELECT value FROM county_totals WHERE scope = 'units' AND report_year = ? "
                       "AND section = 'requests' AND row_code = 'new_received' AND column_code = 'total'", [year])


def test_a_portal_explanation_journaled_before_the_run_is_applied_as_the_file_loads(tmp_path):
    s = _settings(tmp_path)
    held = drop(s.inbox, "甲镇.xlsx", "2025-01-10 09:00:00", unit_code="T01", unit_name="甲镇", new=7, warning=True)
    explained = drop(s.inbox, "乙镇.xlsx", "2025-01-10 09:00:00", unit_code="T02", unit_name="乙镇", new=3,
                     warning=True)
    _explain(s, explained)
    result = pipeline.run(s, run_id="r1", **FAKE)
    # the unexplained warning holds its report; the explained one is accepted, counted, current
    assert _status(s, held) == "needs_review"
    assert _status(s, explained) == "accepted_with_warnings"
    assert _explained(s, held) == {SHIFT: None}
    assert _explained(s, explained) == {SHIFT: WHY}
    assert query(s.db, "SELECT unit_code FROM submissions WHERE is_current") == [("T02",)]
    assert _county_new_received(s) == [(3,)]
    assert query(s.db, "SELECT rule, text, source FROM explanations") == [(SHIFT, WHY, "portal")]
    # the journal is ours: neither a file of the unit, nor an ignored entry of the inbox; the archive has it
    assert len(result.files) == 2 and result.ignored == 0 and not result.problems
    assert explanations.read(s.archive) == explanations.read(s.inbox, explanations.INBOX_JOURNAL)


def test_a_portal_explanation_after_the_file_was_loaded_takes_effect_at_the_next_run_and_survives_a_rebuild(tmp_path):
    s = _settings(tmp_path)
    path = drop(s.inbox, "甲镇.xlsx", "2025-01-10 09:00:00", new=7, warning=True)
    pipeline.run(s, run_id="r1", **FAKE)
    assert _status(s, path) == "needs_review" and _county_new_received(s) == []
    _explain(s, path)
    assert _status(s, path) == "needs_review"  # journaled: it takes effect at the next run
    pipeline.run(s, run_id="r2", **FAKE)
    assert _status(s, path) == "accepted_with_warnings"
    assert _explained(s, path) == {SHIFT: WHY}
    assert query(s.db, "SELECT is_current FROM submissions") == [(True,)]
    assert query(s.db, "SELECT status FROM completeness WHERE unit_code = 'T01' AND report_year = 2024") == [
        ("accepted_with_warnings",)]
    assert _county_new_received(s) == [(7,)]
    after_run = warehouse_content(s.db)
    pipeline.run(s, run_id="r3", **FAKE)  # nothing new: nothing changes
    assert warehouse_content(s.db) == after_run

    # the warehouse and the inbox's journal lost: rebuilt from the archive alone, the 说明 included
    s.db.unlink()
    (s.inbox / explanations.INBOX_JOURNAL).unlink()
    pipeline.rebuild(s, run_id="rebuilt", **FAKE)
    assert warehouse_content(s.db) == after_run
    assert query(s.db, "SELECT rule, text, source FROM explanations") == [(SHIFT, WHY, "portal")]


def test_the_portals_explanation_wins_over_the_files_and_a_later_one_over_an_earlier(tmp_path):
    s = _settings(tmp_path)
    path = drop(s.inbox, "甲镇.xlsx", "2025-01-10 09:00:00", warning=True, explained="文件里写的说明")
    pipeline.run(s, run_id="r1", **FAKE)
    assert _status(s, path) == "accepted_with_warnings" and _explained(s, path) == {SHIFT: "文件里写的说明"}
    _explain(s, path, reason="门户上补充的说明", at="2025-01-12T09:00:00")
    _explain(s, path, reason="门户上更正后的说明", at="2025-01-12T10:00:00")
    pipeline.run(s, run_id="r2", **FAKE)
    assert _explained(s, path) == {SHIFT: "门户上更正后的说明"}
    assert sorted(query(s.db, "SELECT source, text FROM explanations")) == [
        ("file", "文件里写的说明"), ("portal", "门户上更正后的说明")]
    assert _status(s, path) == "accepted_with_warnings"


def test_an_error_cannot_be_explained_away_on_the_portal(tmp_path):
    s = _settings(tmp_path)
    earlier = drop(s.inbox, "甲镇.xlsx", "2025-01-10 09:00:00", errors=True, warning=True)
    pipeline.run(s, run_id="r1", **FAKE)
    assert _status(s, earlier) == "rejected"
    _explain(s, earlier, rule=BALANCE)
    _explain(s, earlier, rule=SHIFT)
    now = drop(s.inbox, "乙镇.xlsx", "2025-01-11 09:00:00", unit_code="T02", unit_name="乙镇", errors=True)
    _explain(s, now, rule=BALANCE)
    pipeline.run(s, run_id="r2", **FAKE)
    # loaded before or now: the error keeps no 说明 and the report stays rejected; the warning takes its 说明
    assert _status(s, earlier) == "rejected" and _status(s, now) == "rejected"
    assert _explained(s, earlier) == {BALANCE: None, SHIFT: WHY}
    assert _explained(s, now) == {BALANCE: None}
    assert query(s.db, "SELECT count(*) FROM submissions WHERE is_current") == [(0,)]


def test_a_cross_year_warning_explained_on_the_portal_before_the_run(tmp_path):
    """X-JUMP arises as the file loads (against last year's report): the portal's 说明 of it is there already."""
    s = _settings(tmp_path)
    drop(s.inbox, "甲镇2023.xlsx", "2024-01-10 09:00:00", year=2023, new=10, carried_forward=1)
    pipeline.run(s, run_id="r1", **FAKE)
    jump = drop(s.inbox, "甲镇2024.xlsx", "2025-01-10 09:00:00", year=2024, new=200, carried_over=1,
                in_force=(2, 1, 11))
    _explain(s, jump, rule="X-JUMP", reason="本年开展专项行动，申请量激增")
    pipeline.run(s, run_id="r2", **FAKE)
    assert _explained(s, jump) == {"X-JUMP": "本年开展专项行动，申请量激增"}
    assert _status(s, jump) == "accepted_with_warnings"
    assert _county_new_received(s) == [(200,)]
    # a corrected 2023 report: 2024's cross-year findings are redone, and keep the 说明
    drop(s.inbox, "甲镇2023更正.xlsx", "2024-02-10 09:00:00", year=2023, new=12, carried_forward=1)
    pipeline.run(s, run_id="r3", **FAKE)
    assert _explained(s, jump) == {"X-JUMP": "本年开展专项行动，申请量激增"}
    assert query(s.db, "SELECT f.expected FROM findings f JOIN submissions USING (submission_id) "
                       "WHERE f.rule = 'X-JUMP'") == [("12",)]
    assert _status(s, jump) == "accepted_with_warnings"


def test_loading_from_memory_and_from_shards_gives_the_same_warehouse(tmp_path):
    """The 说明 is applied in the load: the same whether the run's reports are a batch in memory or its shards."""
    s = _settings(tmp_path)
    for name, unit, kw in (("甲镇", "T01", {"warning": True}), ("乙镇", "T02", {"warning": True}),
                           ("丙镇", "T03", {"warning": True, "errors": True})):
        drop(s.inbox, f"{name}.xlsx", "2025-01-10 09:00:00", unit_code=unit, unit_name=name, **kw)
    found = pipeline.discover(s)
    batch = fake_read(s, found.files)
    portal = {batch[0][0].sha256: {SHIFT: WHY}, batch[2][0].sha256: {SHIFT: WHY, BALANCE: WHY}}
    registry = Registry.load(s.units)
    in_memory, sharded = tmp_path / "memory.duckdb", tmp_path / "shards.duckdb"
    load_run(in_memory, fake_read(s, found.files), registry, s, "m", explanations=portal)
    folder = write_shard(fake_read(s, found.files), tmp_path / "stage" / "shard-1")
    load_run(sharded, ShardReports([folder], tmp_path / "stage"), registry, s, "s", explanations=portal)
    assert warehouse_content(in_memory) == warehouse_content(sharded)
    statuses = dict(query(sharded, "SELECT unit_code, status FROM submissions"))
    assert statuses == {"T01": "accepted_with_warnings", "T02": "needs_review", "T03": "rejected"}


def test_explain_attaches_to_warnings_found_so_far_and_later_never_to_errors():
    sub = Submission("a.xlsx", "a" * 64, explanations={SHIFT: "文件的说明", "X-JUMP": "文件的"})
    sub.add(Finding(SHIFT, "warning", "提醒"))
    sub.add(Finding(BALANCE, "error", "错误"))
    sub.explain({SHIFT: "门户的说明", BALANCE: "无效"})
    sub.add(Finding("X-JUMP", "warning", "跳变"))
    sub.add(Finding(SHIFT, "notice", "提示"))
    assert [(f.rule, f.explanation) for f in sub.findings] == [
        (SHIFT, "门户的说明"), (BALANCE, None), ("X-JUMP", "文件的"), (SHIFT, "门户的说明")]
    assert sub.status == "rejected"


# ------------------------------------------------------------------------------------------- the journal itself


def test_an_explanation_is_checked_before_it_is_kept():
    good = dict(sha256="a" * 64, rule="X-JUMP", reason="属实", explained_by="甲镇", explained_at="2025-01-11 10:00:00")
    Explanation(**good)
    for bad in ({"sha256": "A" * 64}, {"sha256": "abc"}, {"rule": "x-jump"}, {"rule": "说明"}, {"reason": "  "},
                {"reason": "长" * (reviews.MAX_REASON + 1)}, {"explained_at": "昨天"}):
        with pytest.raises(ValueError):
            Explanation(**{**good, **bad})


def test_a_malformed_line_is_skipped_and_said_and_the_next_append_starts_on_a_line_of_its_own(tmp_path, caplog):
    inbox = tmp_path / "inbox"
    first = Explanation("a" * 64, "X-JUMP", "第一条", "甲镇", "2025-01-11T10:00:00")
    explanations.record(inbox, [first])
    journal = inbox / explanations.INBOX_JOURNAL
    with open(journal, "ab") as fh:
        fh.write(b"not json\n")
        fh.write(b"[1, 2]\n")
        fh.write(json.dumps({**first.__dict__, "rule": "无效"}, ensure_ascii=False).encode() + b"\n")
        fh.write(json.dumps({**first.__dict__, "explained_at": "昨天"}, ensure_ascii=False).encode() + b"\n")
        fh.write(b"\xff\xfe\n")
        fh.write(b"\n")
        fh.write(b'{"sha256": "' + b"b" * 64 + b'", "rule": "X-JU')  # cut short by a full disk: no newline
    second = Explanation("b" * 64, "X-JUMP", "第二条", "乙镇", "2025-01-12T10:00:00")
    explanations.record(inbox, [second])
    with caplog.at_level(logging.WARNING):
        assert explanations.read(inbox, explanations.INBOX_JOURNAL) == [first, second]
    skipped = [r for r in caplog.records if "说明记录" in r.getMessage()]
    assert len(skipped) == 6  # 5 bad lines and the one cut short; the blank line is nothing
    assert explanations.latest([first, second]) == {"a" * 64: {"X-JUMP": "第一条"}, "b" * 64: {"X-JUMP": "第二条"}}


def test_collect_copies_each_new_line_once_into_the_archive(tmp_path):
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    assert explanations.collect(inbox, archive) == 0 and not (archive / explanations.JOURNAL).exists()
    items = [Explanation(c * 64, "X-JUMP", f"说明{c}", "甲镇", "2025-01-11T10:00:00") for c in "abc"]
    explanations.record(inbox, items[:2])
    assert explanations.collect(inbox, archive) == 2
    assert explanations.collect(inbox, archive) == 0
    explanations.record(inbox, items[2:])
    assert explanations.collect(inbox, archive) == 1
    assert explanations.read(archive) == items
    assert (inbox / explanations.INBOX_JOURNAL).exists()  # the portal's journal is left as it was


def test_concurrent_records_lose_no_line(tmp_path):
    inbox = tmp_path / "inbox"
    threads, per_thread = 8, 60
    start = threading.Barrier(threads)

    def portal_process(t: int) -> None:
        start.wait()
        for i in range(per_thread):
            # batches of 1–3 and long texts: each batch is one write that must not interleave with another's
            batch = [Explanation(f"{t:02x}{i:02x}{k:02x}".ljust(64, "0"), "X-JUMP", f"{t}-{i}-{k} " + "说明" * 300,
                                 f"单位{t}", "2025-01-11T10:00:00") for k in range(1 + i % 3)]
            explanations.record(inbox, batch)

    workers = [threading.Thread(target=portal_process, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    got = explanations.read(inbox, explanations.INBOX_JOURNAL)
    expected = threads * sum(1 + i % 3 for i in range(per_thread))
    assert len(got) == len(set(got)) == expected
    lines = (inbox / explanations.INBOX_JOURNAL).read_bytes().split(b"\n")
    assert lines[-1] == b"" and all(json.loads(line) for line in lines[:-1])
