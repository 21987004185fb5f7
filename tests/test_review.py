"""The county office's review: a warning holds a report until explained or accepted; the office accepts (in bulk),
returns with a reason (the unit gets a 退回通知 and its workbook marked), reopens; every decision is kept with who,
when and why in the archive's journal, takes effect at the next run, and survives a rebuild."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from fake_reading import FAKE, drop
from warehouse_query import query

from countystats import pipeline
from countystats.review import ReviewError, decide, listing
from countystats.settings import Settings
from transforms.inbox import reviews

CLI = [sys.executable, "-m", "countystats.cli"]
TOWNS = [(f"T{i:02d}", f"第{i}镇") for i in range(1, 26)]  # 25 townships


def _units(path: Path) -> Path:
    rows = ["unit_code,unit_name,unit_type,aliases,active_from,active_to",
            *(f"{code},{name},township,,," for code, name in TOWNS), "G00,示例县人民政府,county_government,,,"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _settings(tmp_path: Path, units: Path | None = None) -> Settings:
    return Settings(inbox=tmp_path / "inbox", db=tmp_path / "data" / "w.duckdb", out=tmp_path / "out",
                    archive=tmp_path / "archive", units=units or _units(tmp_path / "units.csv"), progress_every=1000,
                    today="2025-06-30")


def _statuses(db: Path) -> dict[str, str]:
    return dict(query(db, "SELECT sha256, status FROM submissions"))


@pytest.mark.unit
def test_a_warning_holds_a_report_out_of_every_county_figure_until_explained_or_accepted(tmp_path):
    s = _settings(tmp_path)
    drop(s.inbox, "t1.xlsx", "2025-01-10 09:00:00", unit_code="T01", unit_name="第1镇", new=7, warning=True)
    drop(s.inbox, "t2.xlsx", "2025-01-10 09:00:00", unit_code="T02", unit_name="第2镇", new=3, warning=True,
         explained="本年确有科研机构申请，数据属实")
    drop(s.inbox, "t3.xlsx", "2025-01-10 09:00:00", unit_code="T03", unit_name="第3镇", new=5)
    pipeline.run(s, run_id="r1", **FAKE)
    by_unit = dict(query(s.db, "SELECT unit_code, status FROM submissions"))
    assert by_unit == {"T01": "needs_review", "T02": "accepted_with_warnings", "T03": "accepted"}
    # kept and shown (completeness says 待核实), counted in no county figure
    assert dict(query(s.db, "SELECT unit_code, status FROM completeness WHERE unit_code IN ('T01', 'T02')")) == {
        "T01": "needs_review", "T02": "accepted_with_warnings"}
    total = query(s.db, "SELECT value FROM county_totals WHERE scope = 'units' AND section = 'requests' "
                         "AND row_code = 'new_received' AND column_code = 'total'")
    assert total == [(3 + 5,)]
    assert [w.unit_name for w in listing(s)] == ["第1镇"]


@pytest.mark.unit
def test_accept_return_reopen_are_kept_with_who_when_why_and_take_effect_at_the_next_run(tmp_path):
    s = _settings(tmp_path)
    for code, name in TOWNS[:3]:
        drop(s.inbox, f"{code}.xlsx", "2025-01-10 09:00:00", unit_code=code, unit_name=name, warning=True)
    pipeline.run(s, run_id="r1", **FAKE)
    ids = {name: sid for sid, name in query(s.db, "SELECT submission_id, unit_name FROM submissions")}
    accepted = decide(s, "accept", [ids["第1镇"], ids["第2镇"]], "已电话核实，数据属实", by="张三")
    assert [d.action for d in accepted.decisions] == ["accept", "accept"]
    # recorded at once, in the archive; the warehouse changes at the next run
    assert [d.decided_by for d in reviews.read(s.archive)] == ["张三", "张三"]
    assert {w.unit_name: w.pending for w in listing(s)} == {"第1镇": "accept", "第2镇": "accept", "第3镇": None}
    assert query(s.db, "SELECT count(*) FROM reviews") == [(0,)]
    pipeline.run(s, run_id="r2", **FAKE)
    assert dict(query(s.db, "SELECT unit_name, status FROM submissions")) == {
        "第1镇": "accepted_with_warnings", "第2镇": "accepted_with_warnings", "第3镇": "needs_review"}
    (who, why, action), = set(query(s.db, "SELECT decided_by, reason, action FROM reviews"))
    assert (who, why, action) == ("张三", "已电话核实，数据属实", "accept")
    # return one, then take it back: the latest decision rules, history kept
    decide(s, "return", [ids["第1镇"]], "与上年差异需书面说明", by="李四")
    pipeline.run(s, run_id="r3", **FAKE)
    assert query(s.db, "SELECT status FROM submissions WHERE unit_name = '第1镇'") == [("returned",)]
    assert query(s.db, "SELECT status FROM completeness WHERE unit_code = 'T01'") == [("returned",)]
    decide(s, "reopen", [ids["第1镇"]], "单位已补交说明，重新审核", by="李四")
    pipeline.run(s, run_id="r4", **FAKE)
    # reopened: open for review again, as its findings alone say
    assert query(s.db, "SELECT status FROM submissions WHERE unit_name = '第1镇'") == [("needs_review",)]
    history = query(s.db, "SELECT action FROM reviews WHERE submission_id = ? ORDER BY decided_at, rowid",
                     [ids["第1镇"]])
    assert [a for (a,) in history] == ["accept", "return", "reopen"]


@pytest.mark.unit
def test_decisions_that_cannot_be_taken_record_nothing(tmp_path):
    s = _settings(tmp_path)
    drop(s.inbox, "bad.xlsx", "2025-01-10 09:00:00", unit_code="T01", unit_name="第1镇", errors=True)
    drop(s.inbox, "ok.xlsx", "2025-01-10 09:00:00", unit_code="T02", unit_name="第2镇")
    drop(s.inbox, "held.xlsx", "2025-01-10 09:00:00", unit_code="T03", unit_name="第3镇", warning=True)
    pipeline.run(s, run_id="r1", **FAKE)
    ids = {name: sid for sid, name in query(s.db, "SELECT submission_id, unit_name FROM submissions")}
    with pytest.raises(ReviewError, match="有错误的报告不能接受"):
        decide(s, "accept", [ids["第3镇"], ids["第1镇"]], "核实过")  # all or none: 第3镇 not accepted either
    with pytest.raises(ReviewError, match="没有待核实的提醒"):
        decide(s, "accept", [ids["第2镇"]], "核实过")
    with pytest.raises(ReviewError, match="理由"):
        decide(s, "accept", [ids["第3镇"]], "  ")
    with pytest.raises(ReviewError, match="不存在"):
        decide(s, "return", [9999], "没有这个")
    with pytest.raises(ReviewError, match="无需撤销"):
        decide(s, "reopen", [ids["第3镇"]], "撤销")
    assert reviews.read(s.archive) == []


@pytest.mark.unit
def test_a_bulk_accept_of_20_reports_and_a_rebuild_give_the_same_statuses(tmp_path):
    s = _settings(tmp_path)
    for code, name in TOWNS:
        drop(s.inbox, f"{code}.xlsx", "2025-01-10 09:00:00", unit_code=code, unit_name=name, warning=True)
    pipeline.run(s, run_id="r1", **FAKE)
    held = [w.submission_id for w in listing(s)]
    assert len(held) == 25
    decide(s, "accept", held[:20], "逐一电话核实，均属实", by="县政府办公室")
    decide(s, "return", [held[20]], "请补充说明", by="县政府办公室")
    pipeline.run(s, run_id="r2", **FAKE)
    after_run = _statuses(s.db)
    assert sorted(after_run.values()).count("accepted_with_warnings") == 20
    assert sorted(after_run.values()).count("returned") == 1
    assert sorted(after_run.values()).count("needs_review") == 4
    # the warehouse lost: rebuilt from the archive alone, decisions included
    s.db.unlink()
    pipeline.rebuild(s, run_id="rebuilt", **FAKE)
    assert _statuses(s.db) == after_run
    assert query(s.db, "SELECT count(*), count(DISTINCT decided_by) FROM reviews") == [(21, 1)]


@pytest.mark.integration
def test_return_from_the_command_line_writes_the_notice_and_the_marked_workbook(tmp_path):
    """A real workbook held by a real warning (黄金庄乡 typed 28000 in the 万元 fee cell), returned with a reason:
    the unit gets a 退回通知 naming the reason and the problem, and its own workbook with the cell marked."""
    from openpyxl import load_workbook

    from countystats.examples.county import generate_county

    report = next(r for r in generate_county() if r.mistake == "T2-FEES")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    report.write(inbox)
    env = {**os.environ, "COUNTYSTATS_ARCHIVE": str(tmp_path / "archive"), "COUNTYSTATS_TODAY": "2025-06-30"}
    paths = ["--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "out")]
    subprocess.run([*CLI, "run", "--inbox", str(inbox), *paths], env=env, check=True, capture_output=True,
                   cwd=ROOT, timeout=600)
    listed = subprocess.run([*CLI, "review", "list", *paths], env=env, capture_output=True, text=True, cwd=ROOT,
                            timeout=300)
    assert listed.returncode == 0 and report.unit_name in listed.stdout and "待核实" in listed.stdout
    sid = listed.stdout.splitlines()[1].split()[0]
    done = subprocess.run([*CLI, "review", "return", sid, "--reason", "收费金额请以万元填写", "--by", "王五", *paths],
                          env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "out" / "returns" / report.unit_name
    notice = next(folder.glob("*-退回通知.txt")).read_text(encoding="utf-8")
    assert "收费金额请以万元填写" in notice and "T2-FEES" in notice and report.unit_name in notice
    wb = load_workbook(next(folder.glob("*-问题标注.xlsx")))
    assert wb.sheetnames[0] == "问题清单"
    sheet, ref = report.sources[("proactive", "fees", "amount_wan_yuan")].split("!")
    assert wb[sheet][ref].comment is not None and "T2-FEES" in wb[sheet][ref].comment.text
    journal = [json.loads(line) for line in (tmp_path / "archive" / "reviews.jsonl").read_text().splitlines()]
    assert [(d["action"], d["decided_by"], d["reason"]) for d in journal] == [("return", "王五", "收费金额请以万元填写")]
    refused = subprocess.run([*CLI, "review", "accept", "424242", "--reason", "x", *paths], env=env,
                             capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert refused.returncode == 1 and "不存在" in refused.stderr
