"""`countystats export`: the county's consolidated report (sum of current accepted reports, county government
excluded) written in the statutory layout and read back by the project's own reader."""

from __future__ import annotations

import pytest
from fake_reading import FAKE, drop

from countystats import pipeline
from countystats.examples.small import write_units
from countystats.settings import Settings
from transforms.format.statutory import FORMAT_2021
from transforms.writing.export import export_county

pytestmark = pytest.mark.unit


@pytest.fixture
def loaded(tmp_path) -> Settings:
    settings = Settings(inbox=tmp_path / "inbox", db=tmp_path / "w.duckdb", out=tmp_path / "out",
                        archive=tmp_path / "archive", units=write_units(tmp_path / "units.csv"))
    drop(settings.inbox, "a.xlsx", "2025-01-10 09:00:00", year=2024, new=5, licensing=3)
    drop(settings.inbox, "b.xlsx", "2025-01-10 09:00:00", unit_code="T02", unit_name="乙镇", year=2024, new=7,
         licensing=4)
    drop(settings.inbox, "b2.xlsx", "2025-01-12 09:00:00", unit_code="T02", unit_name="乙镇", year=2024, new=8,
         licensing=4)  # resubmission: only the current one counts
    drop(settings.inbox, "g.xlsx", "2025-01-10 09:00:00", unit_code="G00", unit_name="示例县人民政府",
         unit_type="county_government", year=2024, new=100, licensing=50)  # not part of the sum
    drop(settings.inbox, "bad.xlsx", "2025-01-10 09:00:00", unit_code="D01", unit_name="县教育局",
         unit_type="department", year=2024, new=1000, errors=True)  # rejected: not part of the sum
    pipeline.run(settings, run_id="r1", **FAKE)
    return settings


def test_export_writes_the_sum_of_current_accepted_reports(loaded, tmp_path):
    from transforms.reading import read_submission
    from transforms.registry import Registry

    path = export_county(2024, db=loaded.db, out=tmp_path / "county.xlsx")
    assert path == tmp_path / "county.xlsx" and path.stat().st_size > 0
    back = read_submission(path, Registry.load(loaded.units), year=2024, unit_name="示例县人民政府")
    assert back.format_version == FORMAT_2021.version and not back.unreadable
    assert back.value("requests", "new_received", "total") == 5 + 8
    assert back.value("requests", "new_received", "natural_person") == 5 + 8
    assert back.value("proactive", "licensing", "decisions") == 3 + 4
    assert back.value("review_litigation", "reconsideration", "total") == 2
    assert not [f for f in back.findings if f.severity == "error"]


def test_export_into_a_folder_names_the_file_and_a_year_without_reports_is_refused(loaded):
    path = export_county(2024, db=loaded.db, out=loaded.out)
    assert path.parent == loaded.out and path.suffix == ".xlsx" and path.exists()
    assert "2024" in path.name
    with pytest.raises(LookupError):
        export_county(2019, db=loaded.db, out=loaded.out)
