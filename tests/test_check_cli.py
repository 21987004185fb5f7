"""`countystats check FILE [--json]` as a clerk runs it: exit codes 0/1/2 and the JSON of shared/spec/interfaces.md."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from transforms.format import SECTIONS
from transforms.format.statutory import FORMAT_2021

pytestmark = pytest.mark.integration  # the countystats command in a subprocess

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "countystats"
TOP_KEYS = {"file", "sha256", "unit_code", "unit_name", "unit_type", "report_year", "format_version", "status", "cells",
            "findings", "source_kind", "narrative", "area_code"}  # area_code: many counties (interfaces.md)
FINDING_KEYS = {"rule", "severity", "section", "row", "column", "cell", "message", "expected", "actual"}


def check(*args: str) -> tuple[int, str]:
    proc = subprocess.run([str(CLI), "check", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout


@pytest.fixture(scope="module")
def reports():
    from countystats.examples.county import generate_county

    return generate_county((2023, 2024))


def _file(example_inbox, reports, pick) -> Path:
    return Path(example_inbox) / next(r for r in reports if pick(r)).file_name


def test_accepted_file_json(example_inbox, reports):
    path = _file(example_inbox, reports, lambda r: r.mistake is None and r.layout == "stacked" and not r.mixed
                 and r.format_version == FORMAT_2021.version and r.file_name.endswith(".xlsx") and not r.supersedes)
    code, out = check(str(path), "--json")
    data = json.loads(out)
    assert set(data) == TOP_KEYS
    assert data["status"] in ("accepted", "accepted_with_warnings") and code == 0
    assert data["source_kind"] == "workbook" and data["narrative"] is None  # a bare workbook has no narrative
    assert data["format_version"] == FORMAT_2021.version and isinstance(data["report_year"], int)
    assert set(data["cells"]) == set(SECTIONS)
    fmt = FORMAT_2021
    for section in fmt.sections:
        got = data["cells"][section.code]
        for row, col in section.cells():
            assert col in got[row]  # every cell present, blank as null
    assert "other_total" in data["cells"]["requests"]
    for f in data["findings"]:
        assert FINDING_KEYS <= set(f) <= FINDING_KEYS | {"explanation"}
        assert f["severity"] == "warning"


def test_rejected_file_exit_1(example_inbox, reports):
    path = _file(example_inbox, reports, lambda r: r.mistake == "R-NUMBER")
    code, out = check(str(path), "--json")
    data = json.loads(out)
    assert code == 1 and data["status"] == "rejected"
    bad = [f for f in data["findings"] if f["rule"] == "R-NUMBER" and f["severity"] == "error"]
    assert bad and bad[0]["cell"] and "!" in bad[0]["cell"] and bad[0]["section"] in SECTIONS


def test_unreadable_file_exit_2_and_chinese_summary(tmp_path):
    path = tmp_path / "损坏的报表.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    code, out = check(str(path), "--json")
    data = json.loads(out)
    assert code == 2 and data["status"] == "unreadable"
    assert set(data) == TOP_KEYS and data["cells"] == {}
    assert [f["rule"] for f in data["findings"]] == ["R-FORMAT"]
    assert path.name in data["findings"][0]["message"]

    code, out = check(str(path))
    assert code == 2 and "无法读取" in out and "怎么办" in out


def test_summary_and_operator_overrides(tmp_path, registry):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from reading_fixtures import statutory_sheet, write_book

    sheet, _ = statutory_sheet(FORMAT_2021.version)  # no title, no 填报单位: year and unit must come from the operator
    path = write_book(tmp_path / "report.xlsx", [sheet])
    unit = registry.units[1]
    code, out = check(str(path), "--year", "2024", "--unit", unit.unit_name)
    assert f"报送单位：{unit.unit_name}" in out and "报告年度：2024 年" in out and "校验结果" in out
    assert code in (0, 1)  # the filled-in serial numbers break the table's arithmetic: that is validation's say


@pytest.mark.slow
def test_paths_on_the_command_line_are_relative_to_where_it_was_typed(tmp_path, example_inbox):
    """A clerk in her own folder types ``--inbox 收件箱 --db w.duckdb``: those are her folder's, not the project's
    (settings from the environment stay relative to the project)."""
    import shutil

    shutil.copytree(example_inbox, tmp_path / "收件箱")
    env = {**os.environ, "COUNTYSTATS_ARCHIVE": str(tmp_path / "archive")}
    proc = subprocess.run([str(CLI), "run", "--inbox", "收件箱", "--db", "w.duckdb", "--out", "out"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "w.duckdb").is_file() and (tmp_path / "out" / "findings.csv").is_file()
    assert str(tmp_path / "w.duckdb") in proc.stdout
    proc = subprocess.run([str(CLI), "template", "--unit", "大营镇", "--year", "2025", "-o", "空表.xlsx"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0 and (tmp_path / "空表.xlsx").is_file(), proc.stderr


def test_check_within_an_area_of_the_example_city(tmp_path):
    """Where the registry has many counties: the clerk's county given (--area) or named in the file, and said."""
    from countystats.examples.city import CITY_REGISTRY, generate_city

    report = next(r for r in generate_city()["130533"] if r.unit_code == "wx_daying" and r.file_name.endswith(".xlsx"))
    path = report.write(tmp_path)
    code, out = check(str(path), "--units", str(CITY_REGISTRY), "--area", "130533")
    assert code == 0 and "报送单位：威县大营镇" in out
    code, out = check(str(path), "--units", str(CITY_REGISTRY), "--json")
    assert json.loads(out)["unit_code"] == "wx_daying" and json.loads(out)["area_code"] == "130533"
    proc = subprocess.run([str(CLI), "check", str(path), "--units", str(CITY_REGISTRY), "--area", "999"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 3 and "区划代码“999”不在区划表中" in proc.stderr and "Traceback" not in proc.stderr
