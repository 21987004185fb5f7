"""One bad file must never stop the county's night: a test per class of the hardening issue, with variants.

Classes: 1 the file system in discover · 2 workbooks past the guard · 3 work without bound · 4 numbers that break
the sums · 5 formulas written back · 6 the registry · 7 time taken from the sender · 8 the smaller ones. The batch
that mixes them all with good files is ``test_hostile_batch.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from fake_reading import FAKE, drop
from hostile import (
    FAR_CELL_SPELLINGS,
    FORMULA_TEXT,
    HYPERLINK_TEXT,
    cells_without_r_far_down,
    clean_reports,
    doctype_entities,
    far_cell,
    giant_merge,
    huge_unique_count,
    overlapping_merges,
    replace_year,
    report_bytes,
    set_cell,
    spaced_end_tags,
    styled_empty_far_cell,
    value_cell,
    with_explanation_sheet,
)
from warehouse_query import query

from countystats import pipeline
from countystats.examples.small import report, write_units
from countystats.settings import Settings
from expectations.validation import validate_submissions
from transforms.format import MAX_VALUE
from transforms.format.statutory import FORMAT_2021
from transforms.inbox import archive, intake
from transforms.isolation import Failure, Limits, WorkerPool
from transforms.reading import ReadTask, read_isolated
from transforms.registry import Registry, RegistryError, parse_units

UNITS = ROOT / "config" / "units.csv"
CLI = [sys.executable, "-m", "countystats.cli"]
HEADER = "unit_code,unit_name,unit_type,aliases,active_from,active_to\n"


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """(report, bytes) of a clean example report, and how it reads untouched."""
    report = clean_reports(1)[0]
    data = report_bytes(report, tmp_path_factory.mktemp("clean"))
    return report, data


def read_bytes(tmp_path: Path, name: str, data: bytes, **limits):
    path = tmp_path / name
    path.write_bytes(data)
    (sub,) = read_isolated([ReadTask(str(path), str(path))], UNITS, limits=Limits(**limits) if limits else None)
    return sub


def only_finding(sub):
    assert sub.unreadable and len(sub.findings) == 1, [f.message for f in sub.findings]
    f = sub.findings[0]
    assert (f.rule, f.severity) == ("R-FORMAT", "error")
    return f.message


def settings_for(tmp_path: Path, **kw) -> Settings:
    return Settings(inbox=tmp_path / "inbox", db=tmp_path / "data" / "w.duckdb", out=tmp_path / "out",
                    archive=tmp_path / "archive", units=kw.pop("units", write_units(tmp_path / "units.csv")),
                    progress_every=1000, **kw)


# ---------------------------------------------------------------- isolation itself

ISOLATION_TARGETS = Path(__file__).resolve().parent


@pytest.mark.integration
def test_isolated_workers_turn_a_crash_a_stall_and_a_memory_blowup_into_that_task_s_failure_alone():
    """The worker pool on tasks that abort, stall, exhaust memory or raise, between tasks that succeed."""
    tasks = [("echo", 1), ("abort",), ("echo", 2), ("stall",), ("allocate", 4096), ("raise",), ("exit",),
             ("echo", 3)]
    with WorkerPool("isolation_targets:task", workers=2, limits=Limits(memory_mb=256, seconds=3),
                    python_path=[ISOLATION_TARGETS]) as pool:
        results = pool.map(tasks)
        again = pool.map([("echo", 4)])  # the pool goes on after its children died
    kinds = [r.kind if isinstance(r, Failure) else r for r in results]
    assert kinds == [2, "crash", 4, "timeout", "memory", "error", "crash", 6]
    assert again == [8]
    assert "ValueError" in results[5].detail
    assert "秒" in results[3].reason_zh(Limits(seconds=3)) and "MB" in results[4].reason_zh(Limits(memory_mb=256))


@pytest.mark.integration
def test_calamine_itself_dies_on_the_hostile_files_the_guard_turns_away(tmp_path, clean):
    """The files of class 2 are real threats: given straight to python-calamine (in an isolated worker), it aborts."""
    _, data = clean
    files = []
    for name, hostile in (("far", far_cell(data, "single_quotes")), ("sst", huge_unique_count(data))):
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(hostile)
        files.append((str(path),))
    with WorkerPool("isolation_targets:calamine_load", limits=Limits(memory_mb=512, seconds=60),
                    python_path=[ISOLATION_TARGETS]) as pool:
        results = pool.map(files)
    assert all(isinstance(r, Failure) and r.kind == "memory" for r in results), results


# ---------------------------------------------------------------- class 1: the file system in discover


@pytest.mark.integration
@pytest.mark.slow
def test_gbk_file_name_is_shown_readably_stored_losslessly_and_names_the_unit(tmp_path):
    """A zip unpacked on Windows: the name is GBK bytes. The unit is known only from that name."""
    report = next(r for r in __import__("countystats.examples.county", fromlist=["x"]).generate_county()
                  if not r.title_name and not r.filer_name and r.mistake is None)
    settings = settings_for(tmp_path, units=UNITS)
    settings.inbox.mkdir(parents=True)
    data = report_bytes(report, tmp_path)
    raw_name = report.file_name.encode("gbk")
    with open(os.fsencode(settings.inbox) + b"/" + raw_name, "wb") as fh:
        fh.write(data)
    result = pipeline.run(settings, run_id="r1")
    (row,) = query(settings.db, "SELECT source_file, unit_code, status FROM submissions")
    assert Path(row[0]).name == report.file_name and row[1] == report.unit_code
    assert row[2] in ("accepted", "accepted_with_warnings")
    (arrival,) = query(settings.db, "SELECT source_file, source_file_b64 FROM arrivals")
    import base64

    assert base64.b64decode(arrival[1]).endswith(raw_name)  # the exact bytes, for the record
    assert result.files and not result.problems
    # and `check` on it: the same verdict, valid UTF-8 on stdout
    done = subprocess.run([*CLI, "check", os.fsencode(settings.inbox) + b"/" + raw_name, "--json"],
                          capture_output=True, cwd=ROOT)
    out = json.loads(done.stdout.decode("utf-8"))
    assert done.returncode == 0 and out["unit_code"] == report.unit_code and out["status"] == row[2]
    assert Path(out["file"]).name == report.file_name


@pytest.mark.unit
def test_entries_that_are_not_plain_files_are_accounted_for_and_never_followed(tmp_path, clean):
    _, data = clean
    settings = settings_for(tmp_path, units=UNITS)
    inbox = settings.inbox
    inbox.mkdir(parents=True)
    outside = tmp_path / "secret.xlsx"
    outside.write_bytes(data)
    (inbox / "link-to-outside.xlsx").symlink_to(outside)  # never followed: its bytes are not archived
    (inbox / "dangling.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    os.mkfifo(inbox / "pipe.xlsx")  # opening it for reading would block the run for ever
    (inbox / "loop").symlink_to(inbox, target_is_directory=True)  # a folder link back into the inbox
    (inbox / "sub").mkdir()
    (inbox / "sub" / "good.xlsx").write_bytes(data)
    big = inbox / "huge.xlsx"
    with open(big, "wb") as fh:  # sparse: 30 MB declared, nothing written
        fh.truncate(30 * 1024 * 1024)
    found = pipeline.discover(settings)
    reasons = {Path(p["file"]).name: p["reason"] for p in found.problems}
    assert set(reasons) == {"link-to-outside.xlsx", "dangling.xlsx", "pipe.xlsx", "loop", "huge.xlsx"}
    assert "符号链接" in reasons["link-to-outside.xlsx"] and "普通文件" in reasons["pipe.xlsx"]
    assert "过大" in reasons["huge.xlsx"]
    assert [Path(f.path).name for f in found.files] == ["good.xlsx"]
    archived = [p for p in settings.archive.rglob("*") if p.is_file() and p.name != archive.MANIFEST]
    assert len(archived) == 1  # the link's target is the same bytes, but it was the sub folder's file that came
    entries = [json.loads(x) for x in (settings.archive / archive.MANIFEST).read_text("utf-8").splitlines()]
    assert [Path(e["file"]).name for e in entries] == ["good.xlsx"]


@pytest.mark.integration
def test_a_long_name_a_wild_mtime_and_a_suffix_of_user_text_do_not_reach_the_archive_name(tmp_path, clean):
    _, data = clean
    settings = settings_for(tmp_path, units=UNITS)
    settings.inbox.mkdir(parents=True)
    long_name = "连庄镇2024年政府信息公开工作年度报告."
    while len((long_name + "长").encode()) <= 255:  # the longest a name may be, nearly all of it "suffix"
        long_name += "长"
    path = settings.inbox / long_name
    path.write_bytes(data)
    far_future = datetime(9999, 1, 1).timestamp() * 3  # beyond what datetime can represent
    os.utime(path, (far_future, far_future))
    scan_time = datetime(2025, 1, 15, 10, 0, 0)
    result = pipeline.run(settings, run_id="r1", now=scan_time)
    (source, archived, received), = query(settings.db, "SELECT source_file, archive_path, received_at FROM submissions")
    assert Path(source).name == long_name
    assert Path(archived).name == f"{Path(archived).stem}" and len(Path(archived).name) == 64  # sha256, no suffix
    assert received == scan_time  # when countystats first saw it, whatever the file's mtime says
    assert result.counts()["unreadable"] == 0


@pytest.mark.integration
@pytest.mark.skipif(not hasattr(os, "setuid"), reason="needs POSIX users")
def test_a_file_the_run_may_not_read_is_a_problem_of_this_run_and_the_others_load(tmp_path, clean):
    """As root every file is readable, so the run is made as an unprivileged user (a forked child drops to
    nobody); otherwise the file is simply made unreadable."""
    _, data = clean
    base = Path(tempfile.mkdtemp(prefix="countystats-perm-"))
    try:
        os.chmod(base, 0o777)
        settings = settings_for(base, units=base / "units.csv")
        shutil.copy(UNITS, settings.units)
        settings.inbox.mkdir()
        (settings.inbox / "readable.xlsx").write_bytes(data)
        secret = settings.inbox / "unreadable.xlsx"
        secret.write_bytes(data[:-10] + b"different!")
        os.chmod(secret, 0)
        for folder in (base, settings.inbox):
            os.chmod(folder, 0o777)
        os.chmod(settings.units, 0o644)
        os.chmod(settings.inbox / "readable.xlsx", 0o644)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: drop to nobody, run discover, report
            code = 1
            try:
                os.close(read_fd)
                if os.geteuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                found = pipeline.discover(settings)
                os.write(write_fd, json.dumps(found.to_dict()).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as fh:
            out = fh.read()
        _, status = os.waitpid(pid, 0)
        assert status == 0 and out
        found = json.loads(out)
        assert [Path(f["path"]).name for f in found["files"]] == ["readable.xlsx"]
        (problem,) = found["problems"]
        assert Path(problem["file"]).name == "unreadable.xlsx" and "权限" in problem["reason"]
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.unit
def test_a_file_removed_or_renamed_between_listing_and_reading_is_not_taken(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("a.xlsx", "b.xlsx"):
        (inbox / name).write_bytes(b"PK\x03\x04 something")
    entries = [e for e in intake.scan(inbox) if e.kind == "file"]
    os.rename(inbox / "a.xlsx", inbox / "a-renamed.xlsx")
    (inbox / "b.xlsx").unlink()
    for entry in entries:
        with pytest.raises(intake.NotTaken, match="移走或改名"):
            intake.take(entry.path, 1024)


@pytest.mark.integration
def test_a_file_that_grows_while_read_waits_for_the_next_run(tmp_path):
    path = tmp_path / "uploading.xlsx"
    path.write_bytes(b"x" * 1000)
    fifo_writer = subprocess.Popen([sys.executable, "-c", f"""
import time
with open({str(path)!r}, 'ab') as fh:
    for _ in range(400):
        fh.write(b'y' * 100); fh.flush(); time.sleep(0.005)
"""])
    try:
        seen = []
        while fifo_writer.poll() is None:
            try:
                intake.take(os.fsencode(path), 10**6)
                seen.append("taken")
            except intake.NotTaken as exc:
                seen.append(exc.reason)
    finally:
        fifo_writer.wait()
    # every read while the file was being written either saw it whole or said it was still changing
    assert all(s == "taken" or "改动" in s for s in seen)
    assert len(intake.take(os.fsencode(path), 10**6)) == 1000 + 400 * 100


@pytest.mark.unit
def test_display_names_escape_what_would_rewrite_a_terminal():
    assert intake.display_name("报告\u202excod.xlsx".encode()) == "报告\\u202excod.xlsx"
    assert intake.display_name(b"\x1b[2J\x1b[31m.xlsx") == "\\u001b[2J\\u001b[31m.xlsx"
    assert intake.display_name("大营镇　2024.xlsx".encode("gbk")) == "大营镇　2024.xlsx"  # a full-width space stays
    assert intake.raw_name("大营镇.xlsx".encode()) is None and intake.raw_name("大营镇.xlsx".encode("gbk"))


# ---------------------------------------------------------------- class 2: workbooks past the guard


@pytest.mark.integration
@pytest.mark.parametrize("spelling", sorted(FAR_CELL_SPELLINGS))
def test_a_far_cell_in_any_legal_spelling_is_seen(tmp_path, clean, spelling):
    _, data = clean
    sub = read_bytes(tmp_path, f"far-{spelling}.xlsx", far_cell(data, spelling))
    message = only_finding(sub)
    assert "工作表范围过大" in message and "1048576" in message


@pytest.mark.integration
def test_cells_and_rows_without_references_are_placed_as_the_reader_places_them(tmp_path, clean):
    _, data = clean
    message = only_finding(read_bytes(tmp_path, "no-r.xlsx", cells_without_r_far_down(data)))
    assert "工作表范围过大" in message and "第 1048570 行" in message


@pytest.mark.integration
def test_a_huge_shared_string_count_is_refused_before_calamine(tmp_path, clean):
    _, data = clean
    message = only_finding(read_bytes(tmp_path, "sst.xlsx", huge_unique_count(data)))
    assert "文字表" in message and "68719476736" in message


@pytest.mark.integration
def test_a_dtd_with_entities_is_refused(tmp_path, clean):
    _, data = clean
    assert "DTD" in only_finding(read_bytes(tmp_path, "dtd.xlsx", doctype_entities(data)))


@pytest.mark.integration
def test_a_styled_empty_far_cell_leaves_a_valid_report_valid(tmp_path, clean):
    report, data = clean
    plain = read_bytes(tmp_path, "plain.xlsx", data)
    styled = read_bytes(tmp_path, "styled.xlsx", styled_empty_far_cell(data))
    assert not styled.unreadable
    assert styled.status == plain.status and styled.cells_json() == plain.cells_json()
    assert not any("范围过大" in f.message for f in styled.findings)


# ---------------------------------------------------------------- class 3: work without bound


@pytest.mark.integration
def test_merges_beyond_the_content_cost_nothing(tmp_path, clean):
    """600 × P1:CV2000 beside a report that ends in column O: clipped to the content, they fill nothing."""
    _, data = clean
    plain = read_bytes(tmp_path, "plain.xlsx", data)
    sub = read_bytes(tmp_path, "merges.xlsx", overlapping_merges(data), seconds=60)
    assert sub.status == plain.status and sub.cells_json() == plain.cells_json()


@pytest.mark.integration
def test_merges_overlapping_the_content_hundreds_of_times_are_refused_not_filled(tmp_path, clean):
    _, data = clean
    sub = read_bytes(tmp_path, "merges.xlsx", overlapping_merges(data, ref="A1:O54"), seconds=60)
    assert "合并单元格" in only_finding(sub)  # not a timeout: the fill is budgeted by the sheet's own size


@pytest.mark.integration
def test_spaced_end_tags_read_in_linear_time(tmp_path, clean):
    report, data = clean
    sub = read_bytes(tmp_path, "spaced.xlsx", spaced_end_tags(data), seconds=60)
    assert not sub.unreadable  # the guard's pass is linear: no timeout
    assert sub.unit_code == report.unit_code


@pytest.mark.integration
def test_feedback_on_a_giant_merge_is_written_from_values_within_the_limits(tmp_path, clean):
    report, data = clean
    path = tmp_path / "giant.xlsx"
    path.write_bytes(giant_merge(data))
    out = tmp_path / "feedback.xlsx"
    done = subprocess.run([*CLI, "check", str(path), "--feedback", str(out)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "COUNTYSTATS_READ_MEMORY_MB": "512"})
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames[0] == "问题清单"
    first = wb.worksheets[1]
    assert first.max_row < 200 and not first.merged_cells.ranges  # values copied, merges not expanded


# ---------------------------------------------------------------- class 4: numbers that break the sums


@pytest.mark.integration
@pytest.mark.parametrize("text", ["9007199254740993", "9007199254740992", "1.7e308", "1e400", str(MAX_VALUE + 1)])
def test_numbers_beyond_any_report_are_errors_naming_the_cell(tmp_path, clean, text):
    report, data = clean
    key = ("requests", "new_received", "natural_person")
    ref = value_cell(report, key)
    sub = read_bytes(tmp_path, "big.xlsx", set_cell(data, ref, text))
    errors = [f for f in sub.findings if f.rule == "R-NUMBER" and f.severity == "error"]
    assert [f.cell.split("!")[1] for f in errors] == [ref]
    assert sub.status == "rejected" and sub.value(*key) is None


@pytest.mark.integration
@pytest.mark.parametrize("text", ["NaN", "INF", "-inf"])
def test_not_a_number_spelled_as_a_number_is_an_error_naming_the_cell(tmp_path, clean, text):
    report, data = clean
    key = ("requests", "new_received", "natural_person")
    ref = value_cell(report, key)
    sub = read_bytes(tmp_path, "nan.xlsx", set_cell(data, ref, text))
    assert [f.cell.split("!")[1] for f in sub.findings if f.rule == "R-NUMBER"] == [ref]
    assert sub.status == "rejected" and sub.value(*key) is None


@pytest.mark.integration
@pytest.mark.parametrize("error", ["#DIV/0!", "#REF!", "#VALUE!", "#N/A"])
def test_a_formula_that_failed_is_an_error_naming_the_cell_not_a_blank(tmp_path, clean, error):
    """calamine reads an error value as an empty cell: the clerk would be told of a blank while Excel shows
    #DIV/0!, and the arithmetic would count it as 0."""
    report, data = clean
    key = ("requests", "new_received", "natural_person")
    ref = value_cell(report, key)
    sub = read_bytes(tmp_path, "div0.xlsx", set_cell(data, ref, error, kind="e"))
    (finding,) = [f for f in sub.findings if f.cell and f.cell.endswith("!" + ref)]
    assert (finding.rule, finding.severity, finding.actual) == ("R-NUMBER", "error", error)
    assert error in finding.message
    assert not [f for f in sub.findings if f.rule == "R-BLANK"]
    assert sub.status == "rejected" and sub.value(*key) is None
    validate_submissions([sub])
    # the unknown figure is left out of the sums: no T3 error is derived from it
    assert not [f for f in sub.findings if f.rule.startswith("T3")], [f.message for f in sub.findings]


@pytest.mark.integration
def test_fees_near_the_float_limit_are_errors_and_never_reach_the_export(tmp_path, clean):
    report, data = clean
    ref = value_cell(report, ("proactive", "fees", "amount_wan_yuan"))
    sub = read_bytes(tmp_path, "fees.xlsx", set_cell(data, ref, "1.7e308"))
    assert any(f.rule == "R-NUMBER" and f.cell.endswith(ref) for f in sub.findings)


@pytest.mark.integration
@pytest.mark.parametrize("year", [2099, 1901, 2007])
def test_a_report_year_in_the_future_or_before_the_regulation_is_an_error(tmp_path, clean, year):
    report, data = clean
    hostile = replace_year(data, report.year, year)
    sub = read_bytes(tmp_path, f"{year}年度报告.xlsx", hostile)
    years = [f for f in sub.findings if f.rule == "R-YEAR" and f.severity == "error"]
    assert years and str(year) in years[0].message
    assert sub.report_year is None and sub.status == "rejected"


@pytest.mark.integration
def test_a_future_year_opens_no_year_of_completeness(tmp_path, clean):
    report, data = clean
    settings = settings_for(tmp_path, units=UNITS)
    settings.inbox.mkdir(parents=True)
    (settings.inbox / "a.xlsx").write_bytes(data)
    (settings.inbox / "b.xlsx").write_bytes(replace_year(data, report.year, 2099))
    pipeline.run(settings, run_id="r1")
    assert query(settings.db, "SELECT DISTINCT report_year FROM completeness") == [(report.year,)]


@pytest.mark.unit
def test_the_rollup_is_exact_for_counts_at_the_bound(tmp_path):
    """A thousand townships each at the bound: 10^12, exact (DOUBLE with a tolerance was the old arithmetic)."""
    settings = settings_for(tmp_path)
    install_big = [report(unit_code="T01", unit_name="甲镇", new=MAX_VALUE - 1, carried_over=1,
                                   carried_forward=MAX_VALUE - 3),
                   report(unit_code="T02", unit_name="乙镇", new=MAX_VALUE, carried_over=0,
                                   carried_forward=7)]
    staging = pipeline.load(settings, [(_incoming(s, i), s) for i, s in enumerate(install_big)], "r1")
    con = duckdb.connect(str(staging), read_only=True)
    from transforms.warehouse.rollup import county_sum, identity_failures

    sums = county_sum(con, 2024)
    con.close()
    values = sums[(2024, FORMAT_2021.version)]
    assert values[("requests", "new_received", "total")] == 2 * MAX_VALUE - 1
    assert isinstance(values[("requests", "new_received", "total")], int)
    assert identity_failures(values, FORMAT_2021.version) == []


def _incoming(sub, i: int):
    sub.sha256 = f"{i:064d}"
    return archive.IncomingFile(f"/inbox/{i}.xlsx", sub.sha256, "2025-01-10 09:00:00", f"/archive/{i}.xlsx")


# ---------------------------------------------------------------- class 5: formulas written back


@pytest.mark.integration
@pytest.mark.slow
def test_texts_from_a_file_never_become_formulas_in_the_findings_csv_or_the_feedback(tmp_path, clean):
    report, data = clean
    blank = value_cell(report, ("requests", "new_received", "commercial"))
    hostile = with_explanation_sheet(data, [("R-BLANK", HYPERLINK_TEXT)], blank=blank)
    # and a row the format does not have, labelled with a formula: quoted back in R-LABELS' "actual"
    last = max(int(src.split("!")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for src in report.sources.values())
    from openpyxl import load_workbook

    from transforms.writing.safe_text import set_text

    wb = load_workbook(io.BytesIO(hostile))
    set_text(wb.worksheets[0].cell(last - 3, 1), FORMULA_TEXT)
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "inbox" / f"{report.unit_name}2024年报告.xlsx"
    path.parent.mkdir()
    path.write_bytes(buf.getvalue())

    out = tmp_path / "fb.xlsx"
    done = subprocess.run([*CLI, "check", str(path), "--feedback", str(out)], capture_output=True, text=True,
                          cwd=ROOT)
    assert "Traceback" not in done.stderr, done.stderr
    with zipfile.ZipFile(out) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"HYPERLINK" in xml  # the 说明 is there, as text
    listing = load_workbook(out)["问题清单"]
    texts = [c for row in listing.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert texts and all(c.data_type == "s" for c in texts)

    settings = settings_for(tmp_path, units=UNITS)
    result = pipeline.run(settings, run_id="r1")
    with open(result.findings_csv, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["文件", "单位", "报告年度", "状态"]
    cells = [c for row in rows[1:] for c in row]
    assert any(c == "'" + HYPERLINK_TEXT for c in cells) or any(c == "'" + FORMULA_TEXT for c in cells)
    assert not any(c.lstrip().startswith(("=", "+", "@")) for c in cells)
    assert not any(c.startswith("-") and not c.lstrip("-").replace(".", "").isdigit() for c in cells)


@pytest.mark.unit
def test_csv_cells_keep_numbers_and_neutralise_formula_starts():
    from transforms.writing.safe_text import csv_cell

    assert csv_cell("-3") == "-3" and csv_cell("+5") == "+5" and csv_cell("1e5") == "1e5"
    for text in ("=1+1", "+A1", "-A1+1", "@SUM(A1)", "\t=1", "\r=1", "  =1", "＝1"):
        assert csv_cell(text) == "'" + text
    assert csv_cell(3) == 3 and csv_cell(None) is None and csv_cell("大营镇") == "大营镇"


# ---------------------------------------------------------------- class 6: the registry


@pytest.mark.unit
@pytest.mark.parametrize("rows, words", [
    ("T01,甲镇\n", ["第 2 行", "只有 2 列"]),
    ("T01,甲镇,township,,2020年,\n", ["第 2 行", "2020年", "不是年份"]),
    ("T01,甲镇,township,,,\nT01,乙镇,township,,,\n", ["第 3 行", "T01", "重复"]),
    ("T01,甲镇,township,,,\nT02,乙镇,township,甲镇,,\n", ["第 3 行", "甲镇", "重名"]),  # an alias: another's name
    ("T01,甲镇,township,城关,,\nT02,乙镇,township,城关,,\n", ["第 3 行", "城关", "重名"]),  # one alias, two units
    ("T01,甲镇,Township,,,\n", ["第 2 行", "Township", "township"]),
    ("T01,甲镇,township,,2024,2020\n", ["第 2 行", "晚于"]),
    ("T01,,township,,,\n", ["第 2 行", "unit_name 为空"]),
    ("T01,甲镇,township,,1999,\n", ["1999"]),
])
def test_registry_errors_name_the_line(rows, words):
    with pytest.raises(RegistryError) as info:
        parse_units(HEADER + rows)
    for word in words:
        assert word in str(info.value)


@pytest.mark.unit
def test_every_problem_of_a_registry_is_reported_at_once():
    with pytest.raises(RegistryError) as info:
        parse_units(HEADER + "T01,甲镇\nT02,乙镇,town,,,\nT03,丙镇,township,,x,\n")
    assert [p.split("：")[0].split("只有")[0].strip() for p in info.value.problems] == ["第 2 行", "第 3 行", "第 4 行"]


@pytest.mark.integration
def test_a_bad_registry_stops_the_run_before_anything_with_a_plain_message(tmp_path, clean):
    _, data = clean
    settings = settings_for(tmp_path)
    settings.units.write_text(HEADER + "T01,甲镇,township,,,\nT01,乙镇,township,,,\n", encoding="utf-8")
    settings.inbox.mkdir(parents=True)
    (settings.inbox / "a.xlsx").write_bytes(data)
    env = {**os.environ, **settings.as_env()}
    done = subprocess.run([*CLI, "run"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 3
    assert "单位名册" in done.stderr and "第 3 行" in done.stderr and "Traceback" not in done.stderr
    assert not settings.archive.exists() and not settings.db.exists()  # nothing was touched
    done = subprocess.run([*CLI, "check", str(settings.inbox / "a.xlsx"), "--units", str(settings.units)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 3 and "第 3 行" in done.stderr


@pytest.mark.unit
def test_the_example_registry_is_valid():
    assert len(Registry.load(UNITS).units) > 40


# ---------------------------------------------------------------- class 7: time taken from the sender


@pytest.mark.unit
def test_a_future_mtime_does_not_make_a_file_current_for_ever(tmp_path):
    settings = settings_for(tmp_path)
    first = settings.inbox / "甲镇-first.xlsx"
    settings.inbox.mkdir(parents=True)
    first.write_text(json.dumps({"year": 2024, "new": 5}), encoding="utf-8")
    stamp = datetime(2100, 1, 1).timestamp()
    os.utime(first, (stamp, stamp))
    pipeline.run(settings, run_id="r1", now=datetime(2025, 1, 10, 9, 0), **FAKE)
    correction = settings.inbox / "甲镇-corrected.xlsx"
    correction.write_text(json.dumps({"year": 2024, "new": 7}), encoding="utf-8")
    pipeline.run(settings, run_id="r2", now=datetime(2025, 1, 20, 9, 0), **FAKE)
    rows = query(settings.db, "SELECT source_file, received_at, is_current FROM submissions ORDER BY submission_id")
    assert [(Path(f).name, got, cur) for f, got, cur in rows] == [
        ("甲镇-first.xlsx", datetime(2025, 1, 10, 9, 0), False),
        ("甲镇-corrected.xlsx", datetime(2025, 1, 20, 9, 0), True)]


@pytest.mark.unit
def test_a_back_dated_mtime_does_not_escape_p_late(tmp_path):
    settings = settings_for(tmp_path)
    settings.inbox.mkdir(parents=True)
    path = settings.inbox / "甲镇.xlsx"
    path.write_text(json.dumps({"year": 2024}), encoding="utf-8")
    stamp = datetime(2025, 1, 2).timestamp()  # "sent on 2 January"
    os.utime(path, (stamp, stamp))
    pipeline.run(settings, run_id="r1", now=datetime(2025, 2, 20, 2, 0), **FAKE)  # first seen after the deadline
    assert query(settings.db, "SELECT is_late FROM submissions") == [(True,)]
    assert query(settings.db, "SELECT rule FROM findings") == [("P-LATE",)]


@pytest.mark.unit
def test_a_run_that_died_keeps_the_first_sighting_time(tmp_path, monkeypatch):
    settings = settings_for(tmp_path)
    settings.inbox.mkdir(parents=True)
    (settings.inbox / "甲镇.xlsx").write_text(json.dumps({"year": 2024}), encoding="utf-8")
    from transforms.warehouse import loading

    monkeypatch.setattr(loading, "check_rollup", lambda con: (_ for _ in ()).throw(RuntimeError("died")))
    with pytest.raises(RuntimeError):
        pipeline.run(settings, run_id="r1", now=datetime(2025, 1, 30, 9, 0), **FAKE)
    monkeypatch.undo()
    pipeline.run(settings, run_id="r2", now=datetime(2025, 2, 5, 2, 0), **FAKE)  # the next night
    assert query(settings.db, "SELECT received_at, is_late FROM submissions") == [(datetime(2025, 1, 30, 9, 0),
                                                                                 False)]


# ---------------------------------------------------------------- class 8: the smaller ones


@pytest.mark.unit
def test_a_byte_identical_second_arrival_is_recorded_and_processed_once(tmp_path):
    settings = settings_for(tmp_path)
    drop(settings.inbox, "甲镇.xlsx", "2025-01-10 09:00:00", year=2024)
    pipeline.run(settings, run_id="r1", **FAKE)
    drop(settings.inbox, "甲镇-再次报送.xlsx", "2025-01-12 09:00:00", year=2024)  # the same bytes again
    second = pipeline.run(settings, run_id="r2", **FAKE)
    assert second.files == [] and second.seen_before == 2
    arrivals = query(settings.db, "SELECT source_file, received_at FROM arrivals ORDER BY received_at")
    assert [(Path(f).name, t) for f, t in arrivals] == [("甲镇.xlsx", datetime(2025, 1, 10, 9, 0)),
                                                       ("甲镇-再次报送.xlsx", datetime(2025, 1, 12, 9, 0))]
    assert query(settings.db, "SELECT count(*) FROM submissions") == [(1,)]
    third = pipeline.run(settings, run_id="r3", **FAKE)
    assert query(settings.db, "SELECT count(*) FROM arrivals") == [(2,)] and third.files == []


@pytest.mark.unit
def test_hidden_folders_are_skipped_like_hidden_files(tmp_path):
    settings = settings_for(tmp_path)
    drop(settings.inbox / ".Trash", "甲镇.xlsx", "2025-01-10 09:00:00", year=2024)
    drop(settings.inbox / "~$lock", "乙镇.xlsx", "2025-01-10 09:00:00", unit_code="T02", unit_name="乙镇")
    drop(settings.inbox, "丙镇.xlsx", "2025-01-10 09:00:00", unit_code="T03", unit_name="丙镇")
    (settings.inbox / ".DS_Store").write_bytes(b"x")
    found = pipeline.discover(settings)
    assert [Path(f.path).name for f in found.files] == ["丙镇.xlsx"]
    assert found.ignored == 3  # .Trash, ~$lock, .DS_Store (the portal's receipts are not counted: they are ours)


@pytest.mark.integration
def test_a_full_disk_leaves_no_temporary_in_the_archive(tmp_path, clean):
    """The archive write fails part-way (a file-size limit stands in for a full disk: the same EFBIG/ENOSPC
    path); that file waits for the next run, the smaller one is archived, no temporary is left."""
    _, data = clean
    settings = settings_for(tmp_path, units=UNITS)
    settings.inbox.mkdir(parents=True)
    (settings.inbox / "small.xlsx").write_bytes(b"PK\x03\x04" + b"s" * 1000)
    (settings.inbox / "large.xlsx").write_bytes(data * 20)
    code = """
import json, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
from countystats import pipeline
from countystats.settings import Settings
found = pipeline.discover(Settings.from_env())
print(json.dumps(found.to_dict()))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **settings.as_env()})
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert [Path(f["path"]).name for f in found["files"]] == ["small.xlsx"]
    (problem,) = found["problems"]
    assert Path(problem["file"]).name == "large.xlsx" and "归档" in problem["reason"]
    assert not [p for p in settings.archive.rglob("*") if archive.TMP_PREFIX in p.name]


@pytest.mark.unit
def test_stale_archive_temporaries_of_a_killed_run_are_swept(tmp_path):
    folder = tmp_path / "archive" / "ab"
    folder.mkdir(parents=True)
    old = folder / f"{archive.TMP_PREFIX}dead.tmp"
    old.write_bytes(b"half")
    os.utime(old, (0, 0))
    fresh = folder / f"{archive.TMP_PREFIX}live.tmp"
    fresh.write_bytes(b"being written")
    assert archive.sweep_temporaries(tmp_path / "archive") == 1
    assert not old.exists() and fresh.exists()


@pytest.mark.integration
def test_a_reader_killed_from_outside_is_one_unreadable_file(tmp_path):
    """The OOM killer's SIGKILL (sent here to the worker once its task has begun) costs that task alone."""
    import threading
    import time

    marker = tmp_path / "begun"
    with WorkerPool("isolation_targets:task", workers=1, limits=Limits(seconds=300),
                    python_path=[ISOLATION_TARGETS]) as pool:

        def kill_when_begun():
            while not marker.exists():
                time.sleep(0.05)
            for child in list(pool._all):
                os.kill(child.proc.pid, signal.SIGKILL)

        threading.Thread(target=kill_when_begun, daemon=True).start()
        results = pool.map([("stall", str(marker)), ("echo", 5)])
    assert isinstance(results[0], Failure) and results[0].kind == "memory"
    assert results[1] == 10
