"""The night the issue describes: good reports mixed with one file of every hostile class, and with hostile files
made at random from a seed (cases no test names). ``countystats run`` exits 0, loads every good report, accounts for
every bad entry with its reason, a second run changes nothing, and ``rebuild`` gives the same warehouse."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from hostile import (
    FAR_CELL_SPELLINGS,
    MAIN_NS,
    cells_without_r_far_down,
    clean_reports,
    doctype_entities,
    edit_sheet,
    far_cell,
    huge_unique_count,
    overlapping_merges,
    replace_year,
    report_bytes,
    set_cell,
    spaced_end_tags,
    value_cell,
)

from countystats.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # two nights and a rebuild through the CLI

UNITS = ROOT / "config" / "units.csv"
CLI = [sys.executable, "-m", "countystats.cli"]
SEED = 20261202


def _random_hostile(rng: random.Random, base: bytes) -> tuple[str, bytes]:
    """One workbook changed at random in a way a hostile unit could: a far cell in a random legal spelling and
    place, a random uniqueCount, random overlapping merges, a random absurd number, random bytes flipped."""
    kind = rng.choice(("far", "sst", "merges", "number", "flip", "truncate", "nested"))
    if kind == "far":
        row, col = rng.choice([(rng.randint(100_001, 1_048_576), rng.randint(1, 50)),
                               (rng.randint(1, 60), rng.randint(1_001, 16_384)),
                               (rng.randint(3_000, 99_999), rng.randint(60, 999))])
        letters = ""
        c = col
        while c:
            c, rem = divmod(c - 1, 26)
            letters = chr(65 + rem) + letters
        q = rng.choice(("'", '"'))
        sp = rng.choice(("", " ", "\t", "\n"))
        ref = rng.choice((letters, letters.lower())) + str(row)
        prefix = rng.choice(("", "x:"))
        ns = f' xmlns:x="{MAIN_NS}"' if prefix else ""
        value = rng.choice(("<{p}v>1</{p}v>", '<{p}is><{p}t>x</{p}t></{p}is>')).format(p=prefix)
        cell = f"<{prefix}row{ns} r{sp}={sp}{q}{row}{q}><{prefix}c r{sp}={sp}{q}{ref}{q}{sp}>{value}</{prefix}c{sp}></{prefix}row>"
        return kind, edit_sheet(base, lambda xml: xml.replace("</sheetData>", cell + "</sheetData>", 1))
    if kind == "sst":
        return kind, huge_unique_count(base, rng.choice((10**7 + rng.randint(0, 10**6), 2**40, 2**62)))
    if kind == "merges":
        r1, c1 = rng.randint(20, 54), rng.randint(5, 15)
        return kind, overlapping_merges(base, n=rng.randint(300, 3000), ref=f"A1:{chr(64 + c1)}{r1}")
    if kind == "number":
        return kind, edit_sheet(base, lambda xml: xml.replace(
            "<v>0</v>", f"<v>{rng.choice(('9.9e307', '1e300', '4503599627370497', '-0', '1e-320'))}</v>", 1))
    if kind == "flip":
        buf = bytearray(base)
        for _ in range(rng.randint(1, 30)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        return kind, bytes(buf)
    if kind == "truncate":
        return kind, base[: rng.randrange(1, len(base))]
    depth = rng.randint(5_000, 50_000)  # deeply nested elements inside a cell
    return kind, edit_sheet(base, lambda xml: xml.replace(
        "</sheetData>", '<row r="60"><c r="A60"><is>' + "<r>" * depth + "</r>" * depth + "</is></c></row></sheetData>", 1))


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """An inbox of good reports and one of every class, run twice and rebuilt; what each produced."""
    tmp = tmp_path_factory.mktemp("night")
    inbox = tmp / "inbox"
    inbox.mkdir()
    scratch = tmp_path_factory.mktemp("scratch")
    reports = clean_reports(6)
    good: dict[str, bytes] = {}
    for r in reports:
        good[r.file_name] = report_bytes(r, scratch)
    base_report, base = reports[0], good[reports[0].file_name]
    # good files whose names or stamps are the trouble
    gbk_report = reports[1]
    gbk_name = ("GBK-" + gbk_report.file_name).encode("gbk")
    with open(os.fsencode(inbox) + b"/" + gbk_name, "wb") as fh:
        fh.write(good.pop(gbk_report.file_name))
    long_report = reports[2]
    long_name = long_report.file_name[:-5] + "." + "长" * 60
    (inbox / long_name).write_bytes(good.pop(long_report.file_name))
    for name, data in good.items():
        (inbox / name).write_bytes(data)
    mtime_name = next(iter(good))
    os.utime(inbox / mtime_name, (1_000_000_000_000, 1_000_000_000_000))  # the year 33658
    good_names = {*good, gbk_name.decode("gbk"), long_name}

    bad: dict[str, bytes] = {f"far-{s}.xlsx": far_cell(base, s) for s in FAR_CELL_SPELLINGS}
    new_cell = value_cell(base_report, ("requests", "new_received", "natural_person"))
    fee_cell = value_cell(base_report, ("proactive", "fees", "amount_wan_yuan"))
    bad.update({
        "no-r.xlsx": cells_without_r_far_down(base),
        "sst.xlsx": huge_unique_count(base),
        "dtd.xlsx": doctype_entities(base),
        "merges.xlsx": overlapping_merges(base, ref="A1:O54"),
        "two-pow-53.xlsx": set_cell(base, new_cell, "9007199254740993"),
        "fees.xlsx": set_cell(base, fee_cell, "1.7e308"),
        "2099年度报告.xlsx": replace_year(base, base_report.year, 2099),
        "empty.xlsx": b"",
        "truncated.xlsx": base[: len(base) // 2],
        "noise.xls": bytes(random.Random(SEED).randrange(256) for _ in range(5000)),
        "spaced-and-shifted.xlsx": spaced_end_tags(set_cell(base, new_cell, "-1")),
    })
    rng = random.Random(SEED)
    for i in range(24):
        kind, data = _random_hostile(rng, base)
        bad[f"random-{i:02d}-{kind}.xlsx"] = data
    for name, data in bad.items():
        (inbox / name).write_bytes(data)
    # entries that are not files to take in
    (inbox / "link.xlsx").symlink_to(scratch / reports[3].file_name)
    os.mkfifo(inbox / "pipe.xlsx")
    with open(inbox / "huge.xlsx", "wb") as fh:
        fh.truncate(25 * 1024 * 1024)
    (inbox / ".hidden").mkdir()
    (inbox / ".hidden" / "还有一份.xlsx").write_bytes(base)
    (inbox / "folder.xlsx").mkdir()  # a folder named like a report
    problems_expected = {"link.xlsx", "pipe.xlsx", "huge.xlsx"}

    settings = Settings(inbox=inbox, db=tmp / "data" / "w.duckdb", out=tmp / "out", archive=tmp / "archive",
                        units=UNITS, read_timeout_s=60)
    env = {**os.environ, **settings.as_env()}
    first = subprocess.run([*CLI, "run"], env=env, capture_output=True, text=True, cwd=ROOT)
    snapshot1 = _snapshot(settings.db)
    second = subprocess.run([*CLI, "run"], env=env, capture_output=True, text=True, cwd=ROOT)
    snapshot2 = _snapshot(settings.db)
    rebuilt_db = tmp / "rebuilt" / "w.duckdb"
    rebuild_env = {**env, "COUNTYSTATS_DB": str(rebuilt_db), "COUNTYSTATS_OUT": str(tmp / "out-rebuilt")}
    rebuild = subprocess.run([*CLI, "rebuild"], env=rebuild_env, capture_output=True, text=True, cwd=ROOT)
    return {"settings": settings, "first": first, "second": second, "rebuild": rebuild, "good": good_names,
            "bad": set(bad), "problems": problems_expected, "snapshot1": snapshot1, "snapshot2": snapshot2,
            "rebuilt": _snapshot(rebuilt_db) if rebuilt_db.exists() else None}


def _snapshot(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for name, sql in {
            "submissions": "SELECT sha256, source_file, received_at, unit_code, report_year, format_version, status, "
                           "is_current, is_late, error_count, warning_count FROM submissions",
            "findings": "SELECT s.sha256, f.* EXCLUDE (submission_id) FROM findings f JOIN submissions s USING "
                        "(submission_id)",
            "cell_values": "SELECT s.sha256, v.* EXCLUDE (submission_id) FROM cell_values v JOIN submissions s "
                           "USING (submission_id)",
            "completeness": "SELECT * EXCLUDE (submission_id) FROM completeness",
            "arrivals": "SELECT * FROM arrivals",
        }.items():
            out[name] = sorted(con.execute(sql).fetchall(), key=repr)
        return out
    finally:
        con.close()


def test_the_run_exits_0_with_no_traceback(night):
    for step in ("first", "second", "rebuild"):
        done = night[step]
        assert done.returncode == 0, (step, done.stderr[-3000:])
        assert "Traceback" not in done.stderr, (step, done.stderr[-3000:])


def test_every_good_report_loads_and_is_current(night):
    rows = {Path(f).name: (status, current, unit) for f, status, current, unit in duckdb.connect(
        str(night["settings"].db), read_only=True).execute(
        "SELECT source_file, status, is_current, unit_code FROM submissions").fetchall()}
    for name in night["good"]:
        status, current, unit = rows[name]
        assert status in ("accepted", "accepted_with_warnings") and current and unit, (name, status)


def _by_arrival_name(db: Path) -> dict[str, tuple[str, str, list[str]]]:
    """Every name a file arrived under → (the name its submission has, status, error messages): a byte-identical
    copy is an arrival of the same submission."""
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        """SELECT a.source_file, s.source_file, s.status, list(f.message) FILTER (WHERE f.severity = 'error')
           FROM arrivals a JOIN submissions s USING (sha256) LEFT JOIN findings f USING (submission_id)
           GROUP BY ALL""").fetchall()
    con.close()
    return {Path(a).name: (Path(f).name, status, errors or []) for a, f, status, errors in rows}


def test_every_bad_file_is_accounted_for_with_its_reason(night):
    by_name = _by_arrival_name(night["settings"].db)
    for name in night["bad"]:
        assert name in by_name, name
        shown, status, errors = by_name[name]
        if name.startswith("random-"):  # made at random: some changes are harmless, but each is judged
            assert status in ("accepted", "accepted_with_warnings") or errors, (name, status)
        else:
            assert status in ("rejected", "unreadable") and errors, (name, status)
        if status == "unreadable":
            assert f"文件“{shown}”无法读取" in errors[0], (name, errors)  # the finding names the file
    # the entries that could not be taken in: in the summary and the findings CSV, with why
    summary = night["first"].stdout
    for name in night["problems"]:
        assert name in summary, (name, summary)
    csv_text = (night["settings"].out / "findings.csv").read_text("utf-8-sig")
    assert all(name in csv_text for name in night["problems"])
    # nothing of the hidden folder, nothing through the link
    assert "还有一份" not in summary and not any(n.startswith("link") for n in by_name)


def test_the_hostile_cases_hit_their_intended_defences(night):
    con = duckdb.connect(str(night["settings"].db), read_only=True)
    messages = dict(con.execute(
        """SELECT s.source_file, string_agg(f.message, ' ') FROM submissions s JOIN findings f USING (submission_id)
           GROUP BY ALL""").fetchall())
    con.close()
    by_name = {Path(k).name: v for k, v in messages.items()}
    for spelling in FAR_CELL_SPELLINGS:
        assert "工作表范围过大" in by_name[f"far-{spelling}.xlsx"]
    assert "文字表" in by_name["sst.xlsx"] and "DTD" in by_name["dtd.xlsx"]
    assert "合并单元格" in by_name["merges.xlsx"]
    assert "数值过大" in by_name["two-pow-53.xlsx"] and "数值过大" in by_name["fees.xlsx"]
    assert "2099" in by_name["2099年度报告.xlsx"]
    # the random cases: none stalled or crashed a reader beyond its limits unnoticed
    assert not any("超过上限" in m and "秒" in m for m in by_name.values())


def test_a_second_run_changes_nothing(night):
    assert night["snapshot2"] == night["snapshot1"]
    assert "此前已处理" in night["second"].stdout


def test_rebuild_gives_the_same_warehouse(night):
    assert night["rebuilt"] == night["snapshot1"]


def test_received_at_is_when_countystats_first_saw_each_file(night):
    con = duckdb.connect(str(night["settings"].db), read_only=True)
    times = [t for (t,) in con.execute("SELECT DISTINCT received_at FROM submissions").fetchall()]
    con.close()
    # one scan; no file's mtime (one of them says the year 33658) leaked in
    assert len(times) == 1 and times[0] <= night["settings"].now()


def test_nothing_of_the_originals_changed_and_the_archive_holds_no_user_text(night):
    archive = night["settings"].archive
    archived = [p for p in archive.rglob("*") if p.is_file() and p.name != "manifest.jsonl"]
    assert archived
    for path in archived:
        stem, _, suffix = path.name.partition(".")
        assert len(stem) == 64 and suffix in ("", "xlsx", "xls"), path.name
        # byte for byte what arrived: the name is the sha256 of the bytes kept (hostile ones too)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == stem, path.name
