"""What a run leaves for people: the findings of what stands and their history as Chinese CSV, and a marked
workbook for every file a unit must act on, kept in step with the warehouse (countystats.outputs)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from countystats import pipeline
from countystats.examples.county import RESUBMITTED, generate_county
from countystats.outputs import FINDINGS_HEADER, HISTORY_HEADER
from countystats.settings import Settings
from transforms.inbox.archive import sha256_of, write_receipts

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parent.parent


def _drop(inbox: Path, reports) -> None:
    inbox.mkdir(parents=True, exist_ok=True)
    paths = [r.write(inbox) for r in reports]
    write_receipts(inbox, [(sha256_of(p.read_bytes()), p.name, r.received_local) for p, r in zip(paths, reports,
                                                                                               strict=True)])


def _rows(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # BOM: Excel opens Chinese CSV correctly
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def test_findings_of_what_stands_their_history_and_a_workbook_for_every_file_to_act_on(tmp_path):
    county = generate_county()
    first = next(r for r in county if r.mistake == "T3-BALANCE" and (r.unit_code, r.year) in RESUBMITTED)
    corrected = next(r for r in county if r.supersedes == first.file_name)
    held = next(r for r in county if r.mistake == "T2-FEES")  # a warning nobody explained: 待核实
    clean = next(r for r in county if r.mistake is None and r.year == held.year and not r.supersedes
                 and r.unit_code not in (first.unit_code, held.unit_code) and r.file_name.endswith(".xlsx"))
    settings = Settings(inbox=tmp_path / "inbox", db=tmp_path / "w.duckdb", out=tmp_path / "out",
                        archive=tmp_path / "archive", units=ROOT / "config" / "units.csv", today="2025-06-30")
    _drop(settings.inbox, [first, held, clean])
    result = pipeline.run(settings, run_id="r1")
    assert result.counts()["rejected"] == 1 and result.counts()["needs_review"] == 1
    folder = settings.out / "feedback"
    made = sorted(p.relative_to(folder).parts[0] for p in folder.rglob("*-问题标注.xls*"))
    assert made == sorted([first.unit_name, held.unit_name])  # none for the accepted report
    book = load_workbook(next((folder / held.unit_name).glob("*.xls*")))
    assert book.sheetnames[0] == "问题清单"
    sheet, ref = held.sources[("proactive", "fees", "amount_wan_yuan")].split("!")
    assert "T2-FEES" in book[sheet][ref].comment.text
    findings = _rows(settings.out / "findings.csv")
    assert tuple(findings[0]) == FINDINGS_HEADER
    assert {r["单位"] for r in findings if r["级别"] == "错误"} == {first.unit_name}
    assert any(r["规则"] == "T2-FEES" and r["状态"] == "待核实" and r["表"] == "表二" and "收费" in r["行"]
               for r in findings)
    assert "反馈工作簿" in result.summary_zh() and "问题历史" in result.summary_zh()

    # the unit sends its corrected file: its workbook goes, its errors leave the list of what stands, not history
    _drop(settings.inbox, [corrected])
    pipeline.run(settings, run_id="r2")
    assert not list((folder / first.unit_name).glob("*.xls*"))
    assert list((folder / held.unit_name).glob("*.xls*"))  # still held, still there (not rewritten: same findings)
    findings = _rows(settings.out / "findings.csv")
    assert not [r for r in findings if r["单位"] == first.unit_name and r["级别"] == "错误"]
    history = _rows(settings.out / "findings-history.csv")
    assert tuple(history[0]) == HISTORY_HEADER
    old = [r for r in history if r["单位"] == first.unit_name and r["级别"] == "错误"]
    assert old and {r["是否现行"] for r in old} == {"否"} and {r["运行编号"] for r in old} == {"r1"}
