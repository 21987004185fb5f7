"""Many counties through the nightly job: the inbox folder a file arrives in decides its county, in the warehouse too.

Two files that name only 大营镇 — which both 清河县 and 威县 have — each in its county's folder, land on their own
county's unit; the same file at the top of the inbox is refused with an R-UNIT error naming both; a rebuild from the
archive alone decides the same (the folder is kept in the archive's manifest).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from countystats.examples.reports import consistent_values
from countystats.examples.workbooks import write_example
from transforms.format import FILER, current
from transforms.warehouse.schema import AREA_FROM_SUBMISSION
from transforms.writing.layouts import Options

pytestmark = pytest.mark.integration

AREAS = "area_code,area_name,area_type,parent_code\n1305,邢台市,city,\n130534,清河县,county,1305\n130533,威县,county,1305\n"
UNITS = """unit_code,unit_name,unit_type,aliases,active_from,active_to,area_code
qh_daying,大营镇,township,大营镇人民政府|清河县大营镇人民政府,,,130534
wx_daying,大营镇,township,大营镇人民政府|威县大营镇人民政府,,,130533
"""


def _write(path: Path, seed: int) -> None:
    import random

    fmt = current()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_example(path, fmt, consistent_values(fmt.version, rng=random.Random(seed)), "大营镇", 2024,
                  options=Options(title="大营镇2024年政府信息公开工作年度报告", filer=f"{FILER.text}：大营镇人民政府"))


def test_the_inbox_folder_decides_the_county_in_the_warehouse(tmp_path):
    from countystats import pipeline
    from countystats.settings import Settings

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "areas.csv").write_text(AREAS, encoding="utf-8")
    (tmp_path / "config" / "units.csv").write_text(UNITS, encoding="utf-8")
    inbox = tmp_path / "inbox"
    _write(inbox / "130534" / "年度报告.xlsx", 1)
    _write(inbox / "130533" / "年度报告.xlsx", 2)
    _write(inbox / "年度报告.xlsx", 3)
    settings = Settings(inbox=inbox, db=tmp_path / "w.duckdb", out=tmp_path / "out", archive=tmp_path / "archive",
                        units=tmp_path / "config" / "units.csv", today="2025-01-20")
    pipeline.run(settings, run_id="r1")

    def landed(db: Path) -> dict[str, tuple]:
        con = duckdb.connect(str(db), read_only=True)
        try:
            rows = con.execute("SELECT source_file, unit_code, area_code, status FROM submissions").fetchall()
            message = con.execute("SELECT message FROM findings JOIN submissions USING (submission_id) "
                                  "WHERE rule = 'R-UNIT' AND unit_code IS NULL").fetchone()[0]
        finally:
            con.close()
        return {Path(f).relative_to(inbox).as_posix(): tuple(rest) for f, *rest in rows}, message

    got, message = landed(settings.db)
    con = duckdb.connect(str(settings.db), read_only=True)
    try:  # every relation about a file carries its submission's area
        for table, key in AREA_FROM_SUBMISSION.items():
            rows, differing = con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE t.area_code IS DISTINCT FROM s.area_code) "
                f"FROM {table} t JOIN submissions s USING ({key})").fetchone()
            assert differing == 0, table
            assert rows or table in ("narratives", "narrative_copies", "explanations", "reviews"), table
        assert {a for (a,) in con.execute("SELECT DISTINCT area_code FROM findings").fetchall()} >= {"130534", "130533"}
    finally:
        con.close()
    assert got == {"130534/年度报告.xlsx": ("qh_daying", "130534", "accepted"),
                   "130533/年度报告.xlsx": ("wx_daying", "130533", "accepted"),
                   "年度报告.xlsx": (None, None, "rejected")}
    assert "清河县" in message and "威县" in message
    # the office's lists name a unit with its county (the feedback folders too: no county's file overwrites another's)
    listed = (settings.out / "findings.csv").read_text(encoding="utf-8-sig")
    assert "清河县·大营镇" in listed and "威县·大营镇" in listed
        # from the archive alone: the same
    rebuilt = settings.with_(db=tmp_path / "rebuilt.duckdb", out=tmp_path / "out2")
    pipeline.rebuild(rebuilt)
    assert landed(rebuilt.db)[0] == got
