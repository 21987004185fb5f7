"""N-COPY through the night: Word reports sent on different nights, a copied part 五 found on both reports once both
are in, gone when the copy is rewritten, accepted by the office like any warning, and the same after a rebuild."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from countystats.examples.reports import consistent_values
from countystats.pipeline import rebuild, run
from countystats.review import decide
from countystats.settings import Settings
from transforms.format.statutory import FORMAT_2021
from transforms.registry import DEFAULT_REGISTRY, Registry
from transforms.writing.documents import write_document

pytestmark = pytest.mark.integration

YEAR = 2024
COPIED = ("{year}年，{unit}政务公开工作虽取得一定成效，但与上级要求和群众期盼相比仍有差距：一是政策解读形式较为单一，图解、"
          "音视频等解读方式运用不多；二是政府信息公开平台栏目更新不够及时，个别栏目内容不够全面；三是工作人员业务能力有待"
          "提升。下一步，{unit}将加强政策解读，丰富解读形式；落实栏目专人负责制，及时更新；组织业务培训，提高工作水平。")
OWN = ("对照《条例》要求，本镇政务公开仍有薄弱环节。村务公开栏的内容与网站不同步，部分村组公开事项滞后一个季度以上；"
       "依申请公开的答复书格式不统一，引用法条不够准确。明年将开展村务公开栏季度巡查，统一答复书模板并请法律顾问把关，"
       "同时把政务公开纳入村干部年度考核。")


def _townships() -> list[str]:
    return [u.unit_name for u in Registry.load(DEFAULT_REGISTRY).units if u.unit_type == "township"][:2]


def _send(inbox: Path, unit: str, problems: str, seed: int, name: str) -> None:
    values = consistent_values(FORMAT_2021.version, "township", random.Random(seed))
    write_document(inbox / name, FORMAT_2021, values, unit, YEAR, "word",
                   narrative={"problems": problems.format(year=YEAR, unit=unit)})


def _copies(db: Path) -> dict[str, tuple[str, list[str]]]:
    """file → (status, [the unit its N-COPY names])."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """SELECT s.source_file, s.status, list(o.unit_name ORDER BY o.unit_name) FILTER (WHERE o.unit_name IS NOT NULL)
               FROM submissions s LEFT JOIN narrative_copies c USING (submission_id)
               LEFT JOIN submissions o ON o.submission_id = c.other_submission_id GROUP BY ALL""").fetchall()
    return {Path(f).name: (status, others or []) for f, status, others in rows}


def _snapshot(db: Path):
    with duckdb.connect(str(db), read_only=True) as con:
        findings = con.execute(
            """SELECT s.sha256, f.rule, f.section, f.message, f.explanation FROM findings f JOIN submissions s
               USING (submission_id) WHERE f.rule LIKE 'N-%' ORDER BY ALL""").fetchall()
        pairs = con.execute(
            """SELECT a.sha256, c.section, b.sha256, c.similarity FROM narrative_copies c
               JOIN submissions a USING (submission_id) JOIN submissions b ON b.submission_id = c.other_submission_id
               ORDER BY ALL""").fetchall()
        statuses = con.execute("SELECT sha256, status FROM submissions ORDER BY ALL").fetchall()
    return findings, pairs, statuses


def test_a_copied_part_five_is_found_on_both_reports_once_both_are_in(tmp_path):
    a, b = _townships()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = Settings.from_env(inbox=inbox, db=tmp_path / "w.duckdb", out=tmp_path / "out",
                                 archive=tmp_path / "archive", read_workers=1)
    _send(inbox, a, COPIED, 1, f"{a}.docx")
    run(settings)
    assert _copies(settings.db) == {f"{a}.docx": ("accepted", [])}

    _send(inbox, b, COPIED, 2, f"{b}.docx")  # the next night: b copied a's part 五, names and years its own
    run(settings)
    assert _copies(settings.db) == {f"{a}.docx": ("needs_review", [b]), f"{b}.docx": ("needs_review", [a])}
    with duckdb.connect(str(settings.db), read_only=True) as con:
        (message, similarity), = con.execute(
            """SELECT f.message, c.similarity FROM findings f JOIN submissions s USING (submission_id)
               JOIN narrative_copies c USING (submission_id) WHERE f.rule = 'N-COPY' AND s.unit_name = ?""",
            [b]).fetchall()
    assert a in message and f"{a}.docx" in message and "第五部分" in message and "内容雷同" in message
    assert similarity == 1.0  # nothing but the names and years differ

    # the office accepts a's warning (its text is its own), as any warning
    with duckdb.connect(str(settings.db), read_only=True) as con:
        (a_id,), = con.execute("SELECT submission_id FROM submissions WHERE unit_name = ?", [a]).fetchall()
    decide(settings, "accept", [a_id], "本镇原创，他镇照抄", by="县政务公开办")
    run(settings)
    assert _copies(settings.db)[f"{a}.docx"] == ("accepted_with_warnings", [b])

    _send(inbox, b, OWN, 2, f"{b}（改）.docx")  # b rewrites its part 五
    run(settings)
    now = _copies(settings.db)
    assert now[f"{a}.docx"] == ("accepted", [])  # its partner is superseded: a's finding is gone
    assert now[f"{b}（改）.docx"] == ("accepted", [])
    assert now[f"{b}.docx"] == ("needs_review", [a])  # the superseded copy still is one (history is kept)

    before = _snapshot(settings.db)
    rebuild(settings)
    assert _snapshot(settings.db) == before


def test_a_units_explanation_covers_the_copy_found_when_the_other_report_comes_in(tmp_path):
    """The 说明 a file gives is kept (relation explanations): the N-COPY that arises the night the other unit's
    report arrives carries it, and the explained report counts, while the other one is held."""
    a, b = _townships()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = Settings.from_env(inbox=inbox, db=tmp_path / "w.duckdb", out=tmp_path / "out",
                                 archive=tmp_path / "archive", read_workers=1)
    why = "本镇与邻镇的年度报告由县政务公开办统一培训后撰写，问题确属相同。"
    values = consistent_values(FORMAT_2021.version, "township", random.Random(3))
    write_document(inbox / f"{a}.docx", FORMAT_2021, values, a, YEAR, "word", narrative={
        "problems": COPIED.format(year=YEAR, unit=a), "other": f"本年度未收取信息处理费。\n说明：N-COPY：{why}"})
    run(settings)
    assert _copies(settings.db) == {f"{a}.docx": ("accepted", [])}
    _send(inbox, b, COPIED, 2, f"{b}.docx")
    run(settings)
    assert _copies(settings.db) == {f"{a}.docx": ("accepted_with_warnings", [b]), f"{b}.docx": ("needs_review", [a])}
    with duckdb.connect(str(settings.db), read_only=True) as con:
        assert con.execute("SELECT s.unit_name, f.explanation FROM findings f JOIN submissions s USING (submission_id) "
                           "WHERE f.rule = 'N-COPY' ORDER BY 1").fetchall() == sorted([(a, why), (b, None)])
