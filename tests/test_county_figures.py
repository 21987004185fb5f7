"""The example county's figures, as the office signs them: what a unit typed in 元 is converted, a warning holds a
report out of every county figure, notices hold nothing, and the consolidated report is the county_totals the
warehouse defines (one definition of every total)."""

from __future__ import annotations

from pathlib import Path

import pytest
from warehouse_query import query

from countystats import pipeline
from countystats.examples.county import YUAN_TYPED, generate_county
from countystats.settings import Settings
from transforms.format import COUNTED, for_year
from transforms.reading import read_submission
from transforms.registry import Registry
from transforms.writing.export import export_county

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "config" / "units.csv"
FEES = ("proactive", "fees", "amount_wan_yuan")


@pytest.fixture(scope="module")
def county(example_inbox, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("county")
    settings = Settings(inbox=example_inbox, db=tmp / "w.duckdb", out=tmp / "out", archive=tmp / "archive",
                        units=UNITS, today="2025-06-30")
    pipeline.run(settings, run_id="season")
    return settings


def test_an_amount_typed_in_yuan_is_stored_converted_and_the_fee_total_does_not_jump(county):
    unit, year = YUAN_TYPED
    (value, raw, status), = query(county.db, """
        SELECT v.value, v.raw, s.status FROM cell_values v JOIN submissions s USING (submission_id)
        WHERE s.unit_code = ? AND s.report_year = ? AND v.section = ? AND v.row_code = ? AND v.column_code = ?""",
                                   [unit, year, *FEES])
    assert (value, raw, status) == (3.25, "32500元", "accepted")
    fees = dict(query(county.db, "SELECT report_year, value FROM county_totals WHERE scope = 'units' AND "
                                  "section = ? AND row_code = ? AND column_code = ?", FEES))
    assert set(fees) == {2023, 2024} and fees[2024] < 2 * fees[2023]  # 32,983.64 万元 against 723.50 before


def test_warnings_hold_notices_do_not(county):
    by_status = dict(query(county.db, "SELECT status, count(*) FROM submissions GROUP BY status"))
    held = query(county.db, "SELECT unit_name, report_year FROM submissions WHERE status = 'needs_review' "
                             "ORDER BY ALL")
    fees_warned = next(r for r in generate_county() if r.mistake == "T2-FEES")
    assert (fees_warned.unit_name, fees_warned.year) in held
    # full-width digits, blanks and the like are notices now: the real warnings no longer drown
    assert by_status["accepted"] > 5 * (by_status.get("accepted_with_warnings", 0) + by_status["needs_review"])
    notices = query(county.db, "SELECT count(*) FROM findings f JOIN submissions s USING (submission_id) "
                                "WHERE f.severity = 'notice' AND s.status = 'accepted'")[0][0]
    assert notices > 20
    # held: shown in completeness, in no county figure (no current report, so no cells the totals sum)
    key = [fees_warned.unit_code, fees_warned.year]
    assert query(county.db, "SELECT status FROM completeness WHERE unit_code = ? AND report_year = ?", key) == [
        ("needs_review",)]
    assert query(county.db, "SELECT count(*) FROM requests_cells WHERE unit_code = ? AND report_year = ?",
                  key) == [(0,)]
    assert query(county.db, f"SELECT status FROM submissions WHERE unit_code = ? AND status IN {COUNTED}",
                  [fees_warned.unit_code]) == [("accepted",)]  # its other year counts


@pytest.mark.parametrize("year", [2023, 2024])
def test_the_consolidated_report_is_county_totals_to_the_unit(county, tmp_path, year):
    path = export_county(year, db=county.db, out=tmp_path / f"{year}.xlsx")
    back = read_submission(path, Registry.load(UNITS), year=year, unit_name="清河县人民政府")
    fmt = for_year(year)
    assert back.format_version == fmt.version
    totals = {(s, r, c): v for s, r, c, v in query(
        county.db, "SELECT section, row_code, column_code, value FROM county_totals WHERE scope = 'units' AND "
                   "report_year = ?", [year])}
    for key in fmt.cells(include_derived=False):
        assert back.value(*key) == pytest.approx(float(totals.get(key, 0)), abs=1e-4), key
