"""Warehouse and pipeline behaviour on hand-built submissions: lineage, history, idempotency, resubmission,
cross-year warnings, completeness, P-LATE, comments, roll-up, safe publication (readers, a run killed mid-load)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from fake_reading import FAKE, drop, skip_validation
from warehouse_query import query

from countystats import pipeline
from countystats.examples.small import report, write_units
from countystats.settings import Settings
from transforms import warehouse
from transforms.format.statutory import FORMAT_2021
from transforms.rules import cross_year_findings
from transforms.warehouse import loading
from transforms.warehouse.rollup import RollupError
from transforms.warehouse.schema import RELATIONS, SCHEMA_VERSION

HERE = Path(__file__).resolve().parent
DATA_RELATIONS = [r.name for r in RELATIONS if r.name != "meta"]


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(inbox=tmp_path / "inbox", db=tmp_path / "data" / "w.duckdb", out=tmp_path / "out",
                    archive=tmp_path / "archive", units=write_units(tmp_path / "units.csv"), progress_every=1)


def snapshot(db: Path) -> dict[str, list]:
    out = {}
    for name in DATA_RELATIONS:
        cols = "* EXCLUDE (loaded_at, run_id)" if name == "submissions" else "*"
        out[name] = sorted(query(db, f"SELECT {cols} FROM {name}"), key=repr)
    return out


# ---------------------------------------------------------------- loading


@pytest.mark.unit
def test_run_loads_lineage_history_and_archives_byte_for_byte(settings):
    a = drop(settings.inbox, "甲镇2024.xlsx", "2025-01-20 09:00:00", year=2024)
    before = a.read_bytes(), a.stat().st_mtime
    result = pipeline.run(settings, run_id="r1", **FAKE)
    assert result.counts()["accepted"] == 1
    assert (a.read_bytes(), a.stat().st_mtime) == before  # the inbox is never modified
    digest = hashlib.sha256(before[0]).hexdigest()
    archived = settings.archive / digest[:2] / f"{digest}.xlsx"
    assert archived.read_bytes() == before[0]
    (sid, src, arch, got, status, current), = query(
        settings.db, "SELECT submission_id, source_file, archive_path, received_at, status, is_current FROM submissions")
    assert (src, arch, status, current) == (str(a), str(archived), "accepted", True)
    assert got == datetime(2025, 1, 20, 9, 0)  # file mtime, in the county's time zone
    # lineage: every value of the submission, with its source cell
    n_values, = query(settings.db, "SELECT count(*) FROM cell_values WHERE submission_id = ?", [sid])[0]
    assert n_values == len(report().cells)
    row = query(settings.db, """SELECT unit_name, unit_type, format_version, value, source_file, source_cell
                                FROM requests_cells WHERE row_code = 'new_received' AND applicant_code = 'total'""")
    assert row == [("甲镇", "township", FORMAT_2021.version, 5.0, str(a), row[0][5])] and row[0][5].startswith("Sheet1!")
    assert (settings.out / "run-summary.json").exists() and (settings.out / "findings.csv").exists()
    assert "甲镇" not in result.missing["2024"] and "乙镇" in result.missing["2024"]
    assert result.rejected == {}


@pytest.mark.unit
def test_idempotent_second_run_changes_nothing(settings):
    drop(settings.inbox, "甲镇2024.xlsx", "2025-01-20 09:00:00", year=2024)
    drop(settings.inbox, "乙镇2024.xlsx", "2025-01-21 09:00:00", unit_code="T02", unit_name="乙镇", year=2024)
    drop(settings.inbox, "copy-of-甲镇.xlsx", "2025-01-22 09:00:00", year=2024)  # same bytes, other name
    first = pipeline.run(settings, run_id="r1", **FAKE)
    assert len(first.files) == 2
    before = snapshot(settings.db)
    second = pipeline.run(settings, run_id="r2", **FAKE)
    assert second.files == [] and second.seen_before == 3
    assert snapshot(settings.db) == before
    assert "未重复处理" in second.summary_zh()


@pytest.mark.unit
def test_resubmission_newer_accepted_becomes_current_rejected_never_displaces(settings):
    drop(settings.inbox, "v1.xlsx", "2025-01-10 09:00:00", year=2024, new=5)
    pipeline.run(settings, run_id="r1", **FAKE)
    drop(settings.inbox, "v2.xlsx", "2025-01-15 09:00:00", year=2024, new=7)
    pipeline.run(settings, run_id="r2", **FAKE)
    drop(settings.inbox, "v3-bad.xlsx", "2025-01-20 09:00:00", year=2024, new=9, errors=True)
    pipeline.run(settings, run_id="r3", **FAKE)
    rows = query(settings.db, "SELECT source_file, status, is_current FROM submissions ORDER BY submission_id")
    assert [(Path(f).name, s, c) for f, s, c in rows] == [
        ("v1.xlsx", "accepted", False), ("v2.xlsx", "accepted", True), ("v3-bad.xlsx", "rejected", False)]
    assert query(settings.db, "SELECT value FROM requests_cells WHERE row_code = 'new_received' "
                              "AND applicant_code = 'total'") == [(7.0,)]
    # history keeps every version's values
    assert query(settings.db, "SELECT count(DISTINCT submission_id) FROM cell_values") == [(3,)]
    status, = query(settings.db, "SELECT status FROM completeness WHERE unit_code = 'T01' AND report_year = 2024")
    assert status == ("accepted",)


@pytest.mark.unit
def test_a_rejected_report_alone_counts_as_rejected_not_current(settings):
    drop(settings.inbox, "bad.xlsx", "2025-01-10 09:00:00", year=2024, errors=True)
    pipeline.run(settings, run_id="r1", **FAKE)
    assert query(settings.db, "SELECT is_current FROM submissions") == [(False,)]
    assert query(settings.db, "SELECT count(*) FROM requests_cells") == [(0,)]
    assert query(settings.db, "SELECT status FROM completeness WHERE unit_code='T01'") == [("rejected",)]


@pytest.mark.unit
def test_completeness_and_late(settings):
    drop(settings.inbox, "甲镇.xlsx", "2025-01-31 23:59:00", year=2024)  # last minute: on time
    drop(settings.inbox, "乙镇.xlsx", "2025-02-01 00:01:00", unit_code="T02", unit_name="乙镇", year=2024)
    drop(settings.inbox, "县政府.xlsx", "2025-03-30 10:00:00", unit_code="G00", unit_name="示例县人民政府",
         unit_type="county_government", year=2024)  # the county government's deadline is 31 March
    result = pipeline.run(settings, run_id="r1", **FAKE)
    rows = {r[0]: r[1:] for r in query(
        settings.db, "SELECT unit_code, status, on_time, deadline FROM completeness WHERE report_year = 2024")}
    assert rows["T01"][:2] == ("accepted", True)
    assert rows["T02"][:2] == ("accepted", False)  # late is a notice: counted, and shown late
    assert rows["G00"][:2] == ("accepted", True) and str(rows["G00"][2]) == "2025-03-31"
    assert rows["T03"][:2] == ("missing", False) and rows["D01"][:2] == ("missing", False)
    late = query(settings.db, "SELECT s.unit_code, f.rule FROM findings f JOIN submissions s USING (submission_id)")
    assert late == [("T02", "P-LATE")]
    assert query(settings.db, "SELECT unit_code FROM submissions WHERE is_late") == [("T02",)]
    assert sorted(result.missing["2024"]) == sorted(["丙镇", "县教育局"])
    assert "丙镇" in result.summary_zh()
    # a later resubmission of an on-time unit is not late: P-LATE is about the first accepted report
    drop(settings.inbox, "甲镇-v2.xlsx", "2025-03-01 10:00:00", year=2024, new=6)
    pipeline.run(settings, run_id="r2", **FAKE)
    assert query(settings.db, "SELECT count(*) FROM findings WHERE rule = 'P-LATE'") == [(1,)]


@pytest.mark.unit
def test_unit_active_range_and_years(settings):
    drop(settings.inbox, "甲镇2023.xlsx", "2024-01-10 09:00:00", year=2023, carried_forward=1)
    pipeline.run(settings, run_id="r1", **FAKE)
    units = {r[0] for r in query(settings.db, "SELECT unit_code FROM completeness WHERE report_year = 2023")}
    assert units == {"T01", "T02", "D01", "G00"}  # 丙镇 only from 2024


@pytest.mark.unit
def test_collecting_year_lists_every_expected_unit_before_any_file_arrives(settings):
    """At the start of the season the office names the year being collected: completeness (and the run summary)
    list all its expected units as missing although nobody has sent a file of it yet."""
    drop(settings.inbox, "甲镇2023.xlsx", "2024-01-10 09:00:00", year=2023, carried_forward=1)
    pipeline.run(settings, run_id="r1", **FAKE)
    assert {r[0] for r in query(settings.db, "SELECT DISTINCT report_year FROM completeness")} == {2023}

    result = pipeline.run(settings.with_(collecting_year=2024), run_id="r2", **FAKE)  # no new file at all
    rows = query(settings.db, "SELECT unit_code, status FROM completeness WHERE report_year = 2024 ORDER BY 1")
    assert rows == [("D01", "missing"), ("G00", "missing"), ("T01", "missing"), ("T02", "missing"),
                    ("T03", "missing")]  # 丙镇 (T03) is expected from 2024 on
    assert sorted(result.missing["2024"]) == sorted(["甲镇", "乙镇", "丙镇", "县教育局", "示例县人民政府"])
    assert Settings().collecting_year == 0  # off unless the office sets COUNTYSTATS_COLLECTING_YEAR


# ---------------------------------------------------------------- cross-year rules


def _rules(findings) -> list[str]:
    return sorted(f.rule for f in findings)


@pytest.mark.unit
def test_cross_year_consistent_reports_raise_nothing():
    prev = report(year=2023, carried_forward=1, in_force=(1, 0, 9), licensing=20)
    cur = report(year=2024, carried_over=1, in_force=(2, 1, 10), licensing=25)
    assert cross_year_findings(cur, {k: c.value for k, c in prev.cells.items()}, FORMAT_2021.version) == []


@pytest.mark.unit
def test_cross_year_warnings_fire_on_crafted_data():
    prev = report(year=2023, carried_forward=3, in_force=(1, 0, 9), licensing=12, new=5)
    values = {k: c.value for k, c in prev.cells.items()}
    cur = report(year=2024, carried_over=1, in_force=(2, 1, 99), licensing=500, new=5)
    found = cross_year_findings(cur, values, FORMAT_2021.version)
    assert _rules(found) == ["X-CARRY", "X-CARRY", "X-INFORCE", "X-JUMP"]
    carry = next(f for f in found if f.rule == "X-CARRY")
    assert (carry.severity, carry.section, carry.row, carry.expected, carry.actual) == (
        "warning", "requests", "carried_over", 3, 1)
    assert carry.cell.startswith("Sheet1!") and "表三" in carry.message and "自然人" in carry.message
    jump = next(f for f in found if f.rule == "X-JUMP")
    assert (jump.row, jump.expected, jump.actual) == ("licensing", 12, 500)
    # repealed more than there was
    bad = report(year=2024, carried_over=3, in_force=(0, 50, 0), licensing=12)
    assert _rules(cross_year_findings(bad, values, FORMAT_2021.version)) == ["X-INFORCE"]
    # copied last year's report word for word
    copy = report(year=2023, carried_forward=3, in_force=(1, 0, 9), licensing=12, new=5)
    assert "X-COPY" in _rules(cross_year_findings(copy, values, FORMAT_2021.version))
    # small numbers never "jump"
    small = report(year=2024, carried_over=3, in_force=(0, 0, 9), licensing=9)
    assert "X-JUMP" not in _rules(cross_year_findings(small, {**values, ("proactive", "licensing", "decisions"): 1},
                                                      FORMAT_2021.version))


@pytest.mark.unit
def test_cross_year_warnings_use_previous_year_from_the_warehouse(settings):
    drop(settings.inbox, "甲镇2023.xlsx", "2024-01-10 09:00:00", year=2023, carried_forward=3)
    pipeline.run(settings, run_id="r1", **FAKE)
    drop(settings.inbox, "甲镇2024.xlsx", "2025-01-10 09:00:00", year=2024, carried_over=1)
    result = pipeline.run(settings, run_id="r2", **FAKE)
    assert result.counts()["needs_review"] == 1  # held until explained or accepted
    rules = query(settings.db, "SELECT rule, row_code, column_code FROM findings ORDER BY rule, column_code")
    assert ("X-CARRY", "carried_over", "natural_person") in rules and ("X-INFORCE", "normative_docs",
                                                                        "in_force") in rules


@pytest.mark.unit
def test_cross_year_within_one_batch_uses_the_older_year_first(settings):
    drop(settings.inbox, "a-2024.xlsx", "2025-01-10 09:00:00", year=2024, carried_over=1, in_force=(2, 1, 10))
    drop(settings.inbox, "b-2023.xlsx", "2024-01-10 09:00:00", year=2023, carried_forward=1, in_force=(1, 0, 9))
    pipeline.run(settings, run_id="r1", **FAKE)
    assert query(settings.db, "SELECT count(*) FROM findings") == [(0,)]
    # a 2022 report arriving late: it has no 2021 to compare with, but 2023 is now compared with it
    drop(settings.inbox, "甲镇2022.xlsx", "2023-01-10 09:00:00", year=2022, carried_forward=4, in_force=(0, 0, 8))
    pipeline.run(settings, run_id="r2", **FAKE)
    assert query(settings.db, "SELECT s.report_year, f.rule, f.column_code FROM findings f "
                              "JOIN submissions s USING (submission_id) ORDER BY ALL") == [
        (2023, "X-CARRY", "natural_person"), (2023, "X-CARRY", "total")]


# ---------------------------------------------------------------- schema documentation and roll-up


@pytest.mark.unit
def test_every_relation_and_column_has_a_chinese_and_english_comment(settings):
    drop(settings.inbox, "甲镇.xlsx", "2025-01-10 09:00:00", year=2024)
    pipeline.run(settings, run_id="r1", **FAKE)
    cols = query(settings.db, "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal")
    names = {t for t, _, _ in cols}
    assert {"units", "submissions", "findings", "proactive_cells", "requests_cells", "review_litigation_cells",
            "completeness", "cell_values", "meta"} <= names
    for table, column, comment in cols:
        assert comment and " / " in comment, (table, column)
        zh, en = comment.split(" / ", 1)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) or table == "meta", (table, column, comment)
        assert en.strip()
    rels = query(settings.db, "SELECT table_name, comment FROM duckdb_tables() WHERE NOT internal "
                              "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE NOT internal")
    assert all(c and " / " in c for _, c in rels)
    assert query(settings.db, "SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]


@pytest.mark.unit
def test_rollup_that_does_not_add_up_fails_loudly_and_publishes_nothing(settings):
    drop(settings.inbox, "ok.xlsx", "2025-01-10 09:00:00", year=2024)
    pipeline.run(settings, run_id="r1", **FAKE)
    before = snapshot(settings.db)
    bad = report(unit_code="T02", unit_name="乙镇", year=2024)
    bad.cells[("requests", "new_received", "natural_person")].value = 50  # passed no validation: a bug upstream
    drop(settings.inbox, "bad.xlsx", "2025-01-10 09:00:00", year=2024, salt="x")
    with pytest.raises(RollupError, match="T3-BALANCE"):
        pipeline.run(settings, run_id="r2", reader=lambda s, files: [(f, bad) for f in files],
                     validator=skip_validation)
    assert snapshot(settings.db) == before
    assert not list(settings.db.parent.glob("*.staging*"))


@pytest.mark.unit
def test_county_government_is_not_part_of_the_rollup(settings):
    drop(settings.inbox, "g.xlsx", "2025-01-10 09:00:00", unit_code="G00", unit_name="示例县人民政府",
         unit_type="county_government", year=2024, new=1000, carried_forward=0)
    drop(settings.inbox, "t.xlsx", "2025-01-10 09:00:00", year=2024, new=5)
    pipeline.run(settings, run_id="r1", **FAKE)
    from transforms.warehouse.rollup import county_sum

    con = duckdb.connect(str(settings.db), read_only=True)
    sums = county_sum(con, 2024)
    con.close()
    assert sums[(2024, FORMAT_2021.version)][("requests", "new_received", "total")] == 5


@pytest.mark.unit
def test_read_models_an_analyst_queries_county_totals_and_run_summary(settings):
    """county_totals sums the current accepted reports of the units counted toward the county, exactly, and says
    how many reports each figure sums; run_summary counts each run's files by status."""
    drop(settings.inbox, "t1.xlsx", "2025-01-10 09:00:00", year=2024, new=5, licensing=3)
    drop(settings.inbox, "t2.xlsx", "2025-01-11 09:00:00", unit_code="T02", unit_name="乙镇", year=2024, new=8,
         licensing=4)
    drop(settings.inbox, "g.xlsx", "2025-01-10 09:00:00", unit_code="G00", unit_name="示例县人民政府",
         unit_type="county_government", year=2024, new=100)  # shown apart, not summed
    drop(settings.inbox, "bad.xlsx", "2025-01-12 09:00:00", unit_code="D01", unit_name="县教育局",
         unit_type="department", year=2024, new=1000, errors=True)  # rejected: not summed
    pipeline.run(settings, run_id="r1", **FAKE)
    totals = {(scope, r, c): (v, n) for scope, r, c, v, n in query(
        settings.db, "SELECT scope, row_code, column_code, value, reports FROM county_totals WHERE report_year = 2024 "
                     "AND section IN ('requests', 'proactive')")}
    assert totals[("units", "new_received", "total")] == (13, 2)  # 不含本级
    assert totals[("units", "licensing", "decisions")] == (7, 2)
    assert totals[("own", "new_received", "total")] == (100, 1)  # 本级, shown apart
    assert totals[("all", "new_received", "total")] == (113, 3)  # 含本级
    (coverage,) = query(settings.db, "SELECT units_expected, units_counted, missing, rejected, own_counted "
                                     "FROM county_coverage WHERE report_year = 2024")
    assert coverage == (4, 2, ["丙镇"], ["县教育局"], True)
    assert query(settings.db, "SELECT typeof(value) FROM county_totals LIMIT 1") == [("DECIMAL(38,6)",)]
    (run, files, accepted, rejected, errors), = query(
        settings.db, "SELECT run_id, files, accepted, rejected, errors FROM run_summary")
    assert (run, files, accepted, rejected) == ("r1", 4, 3, 1) and errors >= 1
    drop(settings.inbox, "t3.xlsx", "2025-01-13 09:00:00", unit_code="T03", unit_name="丙镇", year=2024)
    pipeline.run(settings, run_id="r2", **FAKE)
    assert [r for r, in query(settings.db, "SELECT run_id FROM run_summary")] == ["r1", "r2"]


# ---------------------------------------------------------------- safe publication


def _subprocess_run(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **settings.as_env()}
    return subprocess.run([sys.executable, str(HERE / "fake_reading.py"), *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.integration
def test_analyst_reader_open_across_a_run(settings):
    drop(settings.inbox, "甲镇.xlsx", "2025-01-10 09:00:00", year=2024)
    pipeline.run(settings, run_id="r1", **FAKE)
    reader = duckdb.connect(str(settings.db), read_only=True)  # an analyst, left open all night
    try:
        assert reader.execute("SELECT count(*) FROM submissions").fetchone() == (1,)
        drop(settings.inbox, "乙镇.xlsx", "2025-01-11 09:00:00", unit_code="T02", unit_name="乙镇", year=2024)
        done = _subprocess_run(settings, "r2")
        assert done.returncode == 0, done.stderr
        assert reader.execute("SELECT count(*) FROM submissions").fetchone() == (1,)  # old snapshot
    finally:
        reader.close()
    assert query(settings.db, "SELECT count(*) FROM submissions") == [(2,)]  # after reconnecting


@pytest.mark.integration
def test_run_killed_mid_load_leaves_published_warehouse_intact(settings):
    drop(settings.inbox, "甲镇.xlsx", "2025-01-10 09:00:00", year=2024)
    pipeline.run(settings, run_id="r1", **FAKE)
    before = snapshot(settings.db)
    published_bytes = settings.db.read_bytes()
    drop(settings.inbox, "乙镇.xlsx", "2025-01-11 09:00:00", unit_code="T02", unit_name="乙镇", year=2024)
    killed = _subprocess_run(settings, "--die-in-load")
    assert killed.returncode == -signal.SIGKILL
    assert settings.db.read_bytes() == published_bytes
    assert snapshot(settings.db) == before  # and readable
    leftovers = list(settings.db.parent.glob(".*staging*"))
    assert leftovers  # SIGKILL: nothing could clean up
    for path in leftovers:
        os.utime(path, (0, 0))  # long ago
    # the next run picks the file up (nothing was recorded as seen) and clears the dead run's leftovers
    result = pipeline.run(settings, run_id="r3", **FAKE)
    assert not list(settings.db.parent.glob(".*staging*"))
    assert [Path(f["file"]).name for f in result.files] == ["乙镇.xlsx"]
    assert query(settings.db, "SELECT count(*) FROM submissions") == [(2,)]


@pytest.mark.unit
def test_exception_in_load_leaves_published_warehouse_intact(settings, monkeypatch):
    drop(settings.inbox, "甲镇.xlsx", "2025-01-10 09:00:00", year=2024)
    pipeline.run(settings, run_id="r1", **FAKE)
    published_bytes = settings.db.read_bytes()
    drop(settings.inbox, "乙镇.xlsx", "2025-01-11 09:00:00", unit_code="T02", unit_name="乙镇", year=2024)

    def boom(con):
        raise RuntimeError("injected")

    monkeypatch.setattr(loading, "check_rollup", boom)
    with pytest.raises(RuntimeError, match="injected"):
        pipeline.run(settings, run_id="r2", **FAKE)
    assert settings.db.read_bytes() == published_bytes
    assert not list(settings.db.parent.glob(".*staging*"))


@pytest.mark.unit
def test_publish_refuses_to_overwrite_a_newer_publication_and_retries_are_idempotent(settings):
    drop(settings.inbox, "甲镇.xlsx", "2025-01-10 09:00:00", year=2024)
    pipeline.run(settings, run_id="r1", **FAKE)
    staging = pipeline.load(settings, [], "slow")  # a run that copied the warehouse…
    drop(settings.inbox, "乙镇.xlsx", "2025-01-11 09:00:00", unit_code="T02", unit_name="乙镇", year=2024)
    pipeline.run(settings, run_id="quick", **FAKE)  # …while another one published
    with pytest.raises(warehouse.ConcurrentRunError):
        pipeline.publish(settings, staging, "slow")
    assert query(settings.db, "SELECT count(*) FROM submissions") == [(2,)]  # the quick run's load survives
    with pytest.raises(FileNotFoundError):  # Airflow's retry of that publish: the staging file is gone
        pipeline.publish(settings, staging, "slow")
    # a retry of a publish whose replace did happen just rebuilds the outputs
    again = pipeline.publish(settings, staging, "quick")
    assert [Path(f["file"]).name for f in again.files] == ["乙镇.xlsx"]


@pytest.mark.unit
def test_corrected_previous_year_rechecks_the_following_year(settings):
    drop(settings.inbox, "甲镇2023.xlsx", "2024-01-10 09:00:00", year=2023, carried_forward=3, in_force=(1, 0, 9))
    drop(settings.inbox, "甲镇2024.xlsx", "2025-01-10 09:00:00", year=2024, carried_over=1, in_force=(2, 1, 10))
    pipeline.run(settings, run_id="r1", **FAKE)
    sql = ("SELECT s.report_year, s.status, s.is_current, "
           "coalesce(list_sort(list(f.rule) FILTER (WHERE f.rule IS NOT NULL)), []) FROM submissions s "
           "LEFT JOIN findings f USING (submission_id) WHERE s.status <> 'accepted' OR s.is_current "
           "GROUP BY ALL ORDER BY 1")
    # 2024's warnings hold it (待核实): not current, not counted
    assert query(settings.db, sql) == [(2023, "accepted", True, []), (2024, "needs_review", False,
                                                                     ["X-CARRY", "X-CARRY"])]
    # the township corrects its 2023 report (carried forward 1, as 2024 says): 2024's warnings go away, it counts
    drop(settings.inbox, "甲镇2023-更正.xlsx", "2024-01-20 09:00:00", year=2023, carried_forward=1,
         in_force=(1, 0, 9))
    pipeline.run(settings, run_id="r2", **FAKE)
    assert query(settings.db, sql) == [(2023, "accepted", True, []), (2024, "accepted", True, [])]
    assert query(settings.db, "SELECT warning_count FROM submissions WHERE report_year = 2024") == [(0,)]


@pytest.mark.unit
def test_nobody_is_late_before_the_deadline_has_passed(tmp_path):
    """A unit whose file was rejected, or who has sent nothing yet, is not late while the deadline has not passed
    (on_time NULL: 未到期); once it has, without a report that counts, it is."""
    s = Settings(inbox=tmp_path / "inbox", db=tmp_path / "data" / "w.duckdb", out=tmp_path / "out",
                 archive=tmp_path / "archive", units=write_units(tmp_path / "units.csv"), today="2025-01-20")
    drop(s.inbox, "甲镇.xlsx", "2025-01-15 09:00:00", year=2024)
    drop(s.inbox, "乙镇.xlsx", "2025-01-16 09:00:00", unit_code="T02", unit_name="乙镇", year=2024, errors=True)
    pipeline.run(s, run_id="r1", **FAKE)
    timely = "SELECT unit_code, status, on_time FROM completeness WHERE report_year = 2024 ORDER BY unit_code"
    assert query(s.db, timely) == [("D01", "missing", None), ("G00", "missing", None), ("T01", "accepted", True),
                                   ("T02", "rejected", None), ("T03", "missing", None)]
    assert query(s.db, "SELECT count(*) FROM findings WHERE rule = 'P-LATE'") == [(0,)]
    pipeline.run(s.with_(today="2025-02-05"), run_id="r2", **FAKE)  # the units' deadline has passed, not G00's
    assert query(s.db, timely) == [("D01", "missing", False), ("G00", "missing", None), ("T01", "accepted", True),
                                   ("T02", "rejected", False), ("T03", "missing", False)]
