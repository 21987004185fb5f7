"""Rebuilding the warehouse from the archive alone (`countystats rebuild`): after the warehouse file is lost, or when
a release changes its schema version. The archive's manifest keeps what the bytes do not: the name each file arrived
with and when."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from fake_reading import FAKE, drop

from countystats import pipeline
from countystats.examples.county import generate_county
from countystats.examples.small import write_units
from countystats.settings import Settings
from transforms.inbox import archive
from transforms.inbox.archive import RECEIPTS
from transforms.warehouse import loading
from transforms.warehouse.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent


def _settings(tmp_path: Path, units: Path | None = None) -> Settings:
    return Settings(inbox=tmp_path / "inbox", db=tmp_path / "data" / "w.duckdb", out=tmp_path / "out",
                    archive=tmp_path / "archive", units=units or write_units(tmp_path / "units.csv"),
                    progress_every=1000)


def facts(db: Path) -> dict[str, list]:
    """The warehouse's content keyed by file (sha256), not by the ids and run ids a particular load assigned."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = lambda sql: sorted(con.execute(sql).fetchall(), key=repr)  # noqa: E731
        return {
            "submissions": q("""SELECT sha256, source_file, received_at, unit_code, unit_name, report_year,
                                       format_version, status, is_current, is_late, error_count, warning_count
                                FROM submissions"""),
            "cell_values": q("""SELECT s.sha256, v.* EXCLUDE (submission_id)
                                FROM cell_values v JOIN submissions s USING (submission_id)"""),
            "findings": q("""SELECT s.sha256, f.* EXCLUDE (submission_id)
                             FROM findings f JOIN submissions s USING (submission_id)"""),
            "completeness": q("SELECT * EXCLUDE (submission_id) FROM completeness"),
            "units": q("SELECT * FROM units"),
        }
    finally:
        con.close()


@pytest.mark.integration
@pytest.mark.slow
def test_example_county_rebuilt_from_the_archive_equals_the_nightly_warehouse(tmp_path, example_inbox):
    """Two nightly runs (2023's files, then 2024's) vs one rebuild from the archive with the inbox gone: the same
    files, units (some named only by their file name), statuses, current reports, values with their cells, findings
    (cross-year ones included) and completeness."""
    settings = _settings(tmp_path, units=ROOT / "config" / "units.csv")
    settings.inbox.mkdir()
    by_year = {2023: [], 2024: []}
    files = sorted(p for p in example_inbox.iterdir() if not p.name.startswith("."))
    for path in files:
        by_year[2023 if "2023" in path.name else 2024].append(path)
    assert by_year[2023] and by_year[2024]
    shutil.copy(example_inbox / RECEIPTS, settings.inbox / RECEIPTS)  # the portal's receipts: when each came
    for year in (2023, 2024):
        for path in by_year[year]:
            shutil.copy(path, settings.inbox / path.name)
        pipeline.run(settings, run_id=f"night-{year}")
    nightly = facts(settings.db)
    assert len(nightly["submissions"]) == len(files)
    assert {row[1] for row in nightly["submissions"]} == {str(settings.inbox / p.name) for p in files}

    shutil.rmtree(settings.inbox)  # the office cleared the inbox long ago …
    settings.db.unlink()  # … and the warehouse file is lost
    result = pipeline.rebuild(settings, run_id="rebuild")

    rebuilt = facts(settings.db)
    assert rebuilt == nightly
    assert len(result.files) == len(nightly["submissions"])
    # the archive names files by sha256: units named only by the file the unit sent are still found
    named_by_file = [r for r in generate_county() if not r.title_name and not r.filer_name]
    assert named_by_file
    units = {Path(row[1]).name: row[3] for row in rebuilt["submissions"]}
    assert all(units[r.file_name] == r.unit_code for r in named_by_file)
    assert Path(result.summary_json).is_file() and result.dashboards


@pytest.mark.unit
def test_a_new_schema_version_is_refused_by_the_nightly_run_and_rebuilt(tmp_path):
    settings = _settings(tmp_path)
    drop(settings.inbox, "甲镇2023.xlsx", "2024-01-20 10:00:00", year=2023)
    drop(settings.inbox, "甲镇2024.xlsx", "2025-01-20 10:00:00", year=2024, new=7)
    pipeline.run(settings, run_id="r1", **FAKE)
    before = facts(settings.db)
    con = duckdb.connect(str(settings.db))
    con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")  # a warehouse of an older release
    con.close()

    drop(settings.inbox, "乙镇2024.xlsx", "2025-01-21 10:00:00", unit_code="T02", unit_name="乙镇", year=2024)
    with pytest.raises(RuntimeError, match="countystats rebuild"):
        pipeline.run(settings, run_id="r2", **FAKE)

    result = pipeline.rebuild(settings, run_id="rebuilt", **FAKE)
    after = facts(settings.db)
    con = duckdb.connect(str(settings.db), read_only=True)
    version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    con.close()
    assert version == str(SCHEMA_VERSION)
    # everything the old warehouse held, plus 乙镇's file that the refused run had already archived
    assert set(before["submissions"]) < set(after["submissions"])
    assert {row[3] for row in after["submissions"]} == {"T01", "T02"}
    assert len(result.files) == 3
    assert pipeline.run(settings, run_id="r3", **FAKE).files == []  # and the nightly run carries on from there


@pytest.mark.unit
def test_manifest_survives_repeats_and_a_torn_line(tmp_path, monkeypatch):
    """A run that died before publishing archives its files again on the next night; a line cut short (full disk)
    or pointing outside the archive is skipped with a warning: each file is loaded once, at its first receipt time."""
    settings = _settings(tmp_path)
    drop(settings.inbox, "甲镇.xlsx", "2025-01-20 10:00:00", year=2024)
    monkeypatch.setattr(loading, "check_rollup", lambda con: (_ for _ in ()).throw(RuntimeError("died")))
    with pytest.raises(RuntimeError, match="died"):
        pipeline.run(settings, run_id="r1", **FAKE)
    monkeypatch.undo()
    drop(settings.inbox, "乙镇.xlsx", "2025-01-22 10:00:00", unit_code="T02", unit_name="乙镇", year=2024)
    pipeline.run(settings, run_id="r2", **FAKE)
    manifest = settings.archive / archive.MANIFEST
    lines = manifest.read_text(encoding="utf-8").splitlines()
    # 甲镇 once: r2 found it new to the warehouse again but its arrival was recorded (and keeps its first time)
    assert len(lines) == 2
    with open(manifest, "a", encoding="utf-8") as fh:
        fh.write('{"sha256": "x", "file": "/etc/passwd", "received_at": "2025-01-01 00:00:00", '
                 '"archived": "../../../etc/passwd"}\n')  # tampered: points outside the archive
        fh.write('{"sha256": "abc", "file": "半行')  # torn, no newline

    files = archive.archived_files(settings.archive)
    assert [Path(f.path).name for f in files] == ["甲镇.xlsx", "乙镇.xlsx"]
    assert all(Path(f.archive_path).is_file() for f in files)
    nightly = facts(settings.db)
    pipeline.rebuild(settings, run_id="rebuilt", **FAKE)
    assert facts(settings.db) == nightly


@pytest.mark.integration
@pytest.mark.slow
def test_rebuild_cli_names_a_damaged_archive_copy_and_goes_on(tmp_path, example_inbox):
    """Real reader and validator, through the command: an archived copy whose bytes no longer match its sha256 becomes
    an unreadable submission named by the file the unit sent; the other files load; the published warehouse is
    replaced."""
    settings = _settings(tmp_path, units=ROOT / "config" / "units.csv")
    settings.inbox.mkdir()
    sent = sorted(p for p in example_inbox.iterdir() if not p.name.startswith("."))[:3]
    for path in sent:
        shutil.copy2(path, settings.inbox / path.name)
    env = {**os.environ, **settings.as_env()}
    cli = [sys.executable, "-m", "countystats.cli"]
    subprocess.run([*cli, "run"], env=env, cwd=ROOT, check=True, capture_output=True)
    entries = [json.loads(line) for line in (settings.archive / archive.MANIFEST).read_text("utf-8").splitlines()]
    damaged = entries[1]
    # storage gave the copy other bytes — still a valid workbook (another unit's), so only the sha256 can tell
    (settings.archive / damaged["archived"]).write_bytes((settings.archive / entries[0]["archived"]).read_bytes())

    done = subprocess.run([*cli, "rebuild"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "已从归档重建数据仓库" in done.stdout and "共 3 个文件" in done.stdout
    rows = {r[1]: r for r in facts(settings.db)["submissions"]}
    assert rows[damaged["file"]][7] == "unreadable"
    assert sum(r[7] != "unreadable" for r in rows.values()) == 2
    con = duckdb.connect(str(settings.db), read_only=True)
    message = con.execute("SELECT message FROM findings JOIN submissions USING (submission_id) WHERE source_file = ?",
                          [damaged["file"]]).fetchone()[0]
    con.close()
    assert Path(damaged["file"]).name in message and "归档副本与收到的文件不一致" in message

