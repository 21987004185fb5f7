"""Every ```sql block of docs/analysts.md runs against a warehouse and returns rows with the columns it states.

The warehouses: an example one (``countystats.examples.warehouses``: validated by Great Expectations and loaded by
the real loader, every status present) and one written by ``countystats.pipeline`` itself. In-process throughout.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from countystats.examples.warehouses import build_warehouse
from transforms.format.statutory import FORMAT_2019

pytestmark = pytest.mark.unit

DOC = Path(__file__).resolve().parent.parent / "docs" / "analysts.md"
BLOCKS = re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def stated_columns(sql: str) -> list[str]:
    found = re.search(r"^-- columns: (.+)$", sql, flags=re.M)
    assert found, f"sql block without a '-- columns:' line:\n{sql}"
    return [c.strip() for c in found.group(1).split(",")]


def test_the_document_has_enough_queries():
    assert len(BLOCKS) >= 5


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("analyst") / "w.duckdb")


@pytest.mark.parametrize("sql", BLOCKS, ids=[stated_columns(b)[0] + f"-{i}" for i, b in enumerate(BLOCKS)])
def test_query_runs_and_returns_rows(sql, warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)  # as the document tells analysts to open it
    try:
        cur = con.execute(sql)
        rows = cur.fetchall()
        assert [d[0] for d in cur.description] == stated_columns(sql)
    finally:
        con.close()
    assert rows, f"no rows:\n{sql}"


def test_queries_run_on_the_real_pipeline_warehouse(tmp_path):
    """Same SQL over the warehouse countystats.pipeline writes (fake reader, real loader): the columns hold."""
    from fake_reading import FAKE, drop

    from countystats import pipeline
    from countystats.examples.small import write_units
    from countystats.settings import Settings

    settings = Settings(inbox=tmp_path / "inbox", db=tmp_path / "data" / "w.duckdb", out=tmp_path / "out",
                        archive=tmp_path / "archive", units=write_units(tmp_path / "units.csv"), progress_every=1)
    drop(settings.inbox, "甲镇2020.xlsx", "2021-01-20 10:00:00", year=2020, version=FORMAT_2019.version, new=3)
    problems = ("{}政务公开工作仍有不足：政策解读形式较为单一，图解、音视频解读运用不多；政府信息公开平台栏目更新不够及时，"
                "个别栏目内容不全。下一步，{}将丰富解读形式，落实栏目专人负责，及时更新公开内容。")
    drop(settings.inbox, "甲镇.docx", "2025-01-20 10:00:00", year=2024,
         narrative={"overview": "2024年，甲镇……", "problems": problems.format("甲镇", "甲镇"),
                    "other": "2024年，本机关未收取信息处理费。"},
         explanations={"N-COPY": "乙镇照抄本镇报告，本镇报告系自行撰写。"})  # so it counts: is_current
    # 乙镇's Word report copies 甲镇's part 五 (内容雷同, N-COPY)
    drop(settings.inbox, "乙镇.docx", "2025-02-03 10:00:00", unit_code="T02", unit_name="乙镇", year=2024,
         narrative={"problems": problems.format("乙镇", "乙镇")})
    pipeline.run(settings, run_id="r1", **FAKE)
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        for sql in BLOCKS:
            cur = con.execute(sql)
            rows = cur.fetchall()
            assert [d[0] for d in cur.description] == stated_columns(sql)
            assert rows, f"no rows:\n{sql}"
    finally:
        con.close()
