"""A format version yet to come, added the way a deployment would add one: a definition (tests/format_2027.py: one
more applicant column, one row reworded) named in COUNTYSTATS_FORMAT_MODULES — and no other code change. A report of
it is read, validated, loaded, consolidated and shown on the dashboards; a broken one is caught in its new column;
a 2021 report beside it still reads as 2021.

Everything runs in child processes (the formats are fixed when transforms.format is first imported), through the
same commands the county uses: the example files are written with the product's writer, then `countystats check`
and `countystats run`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT
from warehouse_query import query

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "countystats.cli"]
UNIT, OTHER_UNIT, OLD_UNIT = "大营镇", "柳林镇", "坝营镇"

WRITE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from countystats.examples.reports import consistent_values
    from countystats.examples.workbooks import write_example
    from format_2027 import CARRIED_FORWARD_2027, GRASSROOTS, GRASSROOTS_LABEL
    from transforms.format import FORMATS, for_year

    inbox = Path(sys.argv[1])
    fmt = for_year(2027)
    assert fmt.version == "2027" and fmt is FORMATS["2027"], fmt.version
    good = consistent_values(fmt.version, "township")
    good[("requests", "new_received", GRASSROOTS)] += 3  # the new column carries figures that add up
    good[("requests", "granted", GRASSROOTS)] += 3
    good[("requests", "concluded_total", GRASSROOTS)] += 3
    for row in ("new_received", "granted", "concluded_total"):
        good[("requests", row, "total")] += 3
    bad = dict(good)
    bad[("requests", "new_received", GRASSROOTS)] += 1  # and the total with it: only 第一项+第二项≠第三项+第四项 breaks
    bad[("requests", "new_received", "total")] += 1
    w = write_example(inbox / "2027年{unit}政府信息公开工作年度报告.xlsx", fmt, good, "{unit}", 2027)
    b = write_example(inbox / "2027年{other}政府信息公开工作年度报告.xlsx", fmt, bad, "{other}", 2027)
    old = for_year(2024)
    o = write_example(inbox / "2024年{old}政府信息公开工作年度报告.xlsx", old, consistent_values(old.version), "{old}",
                      2024)
    print(json.dumps({{
        "good": str(w.path), "bad": str(b.path), "old": str(o.path), "old_version": old.version,
        "grassroots_new": w.cells[("requests", "new_received", GRASSROOTS)],
        "bad_cell": b.sources[("requests", "new_received", GRASSROOTS)],
        "label": GRASSROOTS_LABEL, "renamed": CARRIED_FORWARD_2027,
    }}))
""").format(unit=UNIT, other=OTHER_UNIT, old=OLD_UNIT)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("format-2027")
    env = {**os.environ, "COUNTYSTATS_FORMAT_MODULES": "format_2027",
           "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "COUNTYSTATS_TODAY": "2028-03-01", "COUNTYSTATS_ARCHIVE": str(tmp / "archive")}
    inbox = tmp / "inbox"
    inbox.mkdir()
    made = subprocess.run([sys.executable, "-c", WRITE, str(inbox)], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    files = json.loads(made.stdout)
    check = subprocess.run([*CLI, "check", files["good"], "--json"], env=env, capture_output=True, text=True,
                           timeout=300, cwd=ROOT)
    run = subprocess.run([*CLI, "run", "--inbox", str(inbox), "--db", str(tmp / "w.duckdb"), "--out", str(tmp / "out")],
                         env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    return {"files": files, "check": check, "db": tmp / "w.duckdb", "out": tmp / "out", "env": env}


def test_check_reads_the_new_format_with_its_new_column(night):
    check = night["check"]
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads(check.stdout)
    assert (report["format_version"], report["status"]) == ("2027", "accepted"), report["findings"]
    requests = report["cells"]["requests"]
    assert requests["new_received"]["grassroots"] == night["files"]["grassroots_new"] >= 3
    assert "carried_forward" in requests  # the reworded row, read under its code
    assert not [f for f in report["findings"] if f["rule"] in ("R-LABELS", "R-FORMAT")], report["findings"]


def test_the_run_loads_validates_and_consolidates_it(night):
    db, files = night["db"], night["files"]
    rows = dict(query(db, "SELECT regexp_replace(source_file, '.*/', ''), format_version || ' ' || status "
                           "FROM submissions"))
    # the 2024 report arrives years after its deadline (the scan is today): late (a notice), and nothing else
    assert rows == {Path(files["good"]).name: "2027 accepted", Path(files["bad"]).name: "2027 rejected",
                    Path(files["old"]).name: f"{files['old_version']} accepted"}
    assert query(db, "SELECT DISTINCT rule FROM findings JOIN submissions USING (submission_id) "
                      "WHERE report_year = 2024") == [("P-LATE",)]
    # the broken file: T3-BALANCE in the new column, at its cell
    (cell, message), = query(db, "SELECT f.cell, f.message FROM findings f JOIN submissions s USING (submission_id) "
                                  "WHERE f.rule = 'T3-BALANCE' AND f.column_code = 'grassroots'")
    assert cell.endswith(files["bad_cell"].split("!")[1]) and files["label"] in message
    new = files["grassroots_new"]
    assert query(db, "SELECT value FROM requests_cells WHERE report_year = 2027 AND row_code = 'new_received' "
                      "AND applicant_code = 'grassroots'") == [(new,)]
    assert query(db, "SELECT value, reports FROM county_totals WHERE report_year = 2027 AND scope = 'units' "
                      "AND section = 'requests' AND row_code = 'new_received' AND column_code = 'grassroots'") == [
        (new, 1)]


def test_the_dashboards_show_the_new_column_and_the_reworded_row(night):
    """The charts' data (each chart's CSV download holds what it plots) name the new applicant column under its
    parent, with its figure, and the reworded row as the newest format prints it."""
    pages = night["out"] / "dashboards"
    applicants = (pages / "requests-applicants.csv").read_text(encoding="utf-8-sig").splitlines()
    label = f"法人或其他组织·{night['files']['label']}"
    assert f"2027,全部,{label},{UNIT},{float(night['files']['grassroots_new'])}" in applicants
    assert night["files"]["renamed"] in (pages / "trends-requests.csv").read_text(encoding="utf-8-sig")
    assert "requests-applicants.csv" in (pages / "requests.html").read_text(encoding="utf-8")


def test_the_consolidated_report_of_2027_is_in_the_new_format(night, tmp_path):
    out = tmp_path / "county.xlsx"
    export = subprocess.run([*CLI, "export", "--year", "2027", "--db", str(night["db"]), "-o", str(out)],
                            env=night["env"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert export.returncode == 0, export.stderr
    back = subprocess.run([*CLI, "check", str(out), "--json", "--unit", UNIT], env=night["env"], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    report = json.loads(back.stdout)
    assert report["format_version"] == "2027"
    assert report["cells"]["requests"]["new_received"]["grassroots"] == night["files"]["grassroots_new"]


def test_every_rule_runs_its_examples_in_the_new_format_too(night):
    """The rules apply to the new format by what it has (its tables, rows and columns), not by its name: every
    rule's examples fire and pass in it as in the formats before it."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "2027",
                           str(HERE / "test_rules.py")], env=night["env"], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:]
    passed = int(proc.stdout.strip().splitlines()[-1].split(" passed")[0].split()[-1])
    assert passed >= 40, proc.stdout[-500:]  # report, reading and cross-year examples, each in the 2027 format
