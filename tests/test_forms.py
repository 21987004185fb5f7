"""Every form a report arrives in reads to the same report (interfaces.md, "Every form a report arrives in").

The same figures written as a workbook, a Word document, a PDF and a portal page read to the same cells; the filled
statutory Word template reads as the workbook made from the same numbers; every document report of the example
county reads cell for cell at the addresses its writer put them; the portal's past reports load as a backfill; a
file is read as what its bytes are, whatever its name. Each form's own cases (merges, encodings, hostile files, the
real published reports) are in tests/test_forms_word.py, test_forms_pdf.py and test_forms_html.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from reading_fixtures import statutory_sheet, with_derived, write_book
from word_fixtures import filled_template

from transforms.format import FORMATS, NARRATIVE
from transforms.format.statutory import FORMAT_2019, FORMAT_2021
from transforms.reading import read_submission
from transforms.writing.documents import DocumentOptions, write_document
from transforms.writing.layouts import write_report

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "countystats"
UNIT, YEAR = "大营镇", 2024
FORMS = {"word": ".docx", "pdf": ".pdf", "html": ".html"}


def _values(sub) -> dict:
    return {k: c.value for k, c in sub.cells.items()}


def _figures(fmt) -> dict:
    """A distinct figure in every printed cell (decimals where the measure has them), identities not needed."""
    out = {}
    for n, (section, row, col) in enumerate(fmt.cells(include_derived=False), start=1):
        measure = fmt.section(section).measure(row, col)
        out[(section, row, col)] = round(n + 0.25, 2) if measure.decimal else n
    return out


@pytest.mark.unit
@pytest.mark.parametrize("version, mixed", [(FORMAT_2021.version, False), (FORMAT_2019.version, False),
                                            (FORMAT_2021.version, True)])
def test_the_same_report_in_every_form_reads_the_same(tmp_path, registry, version, mixed):
    fmt = FORMATS[version].undivided() if mixed else FORMATS[version]
    cells = _figures(fmt)
    workbook = read_submission(write_report(tmp_path / "报告.xlsx", fmt, cells, UNIT, YEAR).path, registry)
    assert workbook.source_kind == "workbook" and workbook.narrative is None
    expected = _values(workbook)
    assert all(expected[k] == v for k, v in cells.items())  # the workbook itself reads right
    narratives = []
    for form, suffix in FORMS.items():
        written = write_document(tmp_path / f"报告{suffix}", fmt, cells, UNIT, YEAR, form)
        sub = read_submission(written.path, registry)
        assert (sub.source_kind, sub.unit_name, sub.report_year, sub.format_version) == (form, UNIT, YEAR, version)
        assert _values(sub) == expected, form
        assert {k: sub.cells[k].source for k in written.sources} == written.sources, form
        assert [f.rule for f in sub.findings if f.severity == "error"] == []
        assert set(sub.narrative) == {p.code for p in NARRATIVE}
        narratives.append({code: text for code, (text, _where) in sub.narrative.items()})
    assert narratives[0] == narratives[1] == narratives[2]  # the text as written, whatever the form


@pytest.mark.integration
def test_check_on_the_filled_word_template_gives_the_workbooks_cells(tmp_path):
    """The done-when of the issue: the statutory Word template, filled in, and the workbook of the same numbers."""
    sheet, expected = statutory_sheet(FORMAT_2021.version)
    book = write_book(tmp_path / "报表.xlsx", [sheet])
    filled = filled_template(write=lambda key, _serial: str(expected[key]))
    word = tmp_path / "模板.docx"
    word.write_bytes(filled.data)
    out = {}
    for path in (book, word):
        proc = subprocess.run([str(CLI), "check", str(path), "--json", "--unit", UNIT, "--year", str(YEAR)],
                              capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert "Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr  # 1: the sums do not add up
        out[path.suffix] = json.loads(proc.stdout)
    assert out[".docx"]["source_kind"] == "word" and out[".xlsx"]["source_kind"] == "workbook"
    assert out[".docx"]["cells"] == out[".xlsx"]["cells"]
    derived = with_derived(expected, FORMAT_2021.version)
    assert all(out[".docx"]["cells"][s][r][c] == v for (s, r, c), v in derived.items())
    assert out[".docx"]["narrative"] == {"overview": "（文字描述）", "problems": "（文字描述）",
                                         "other": "（文字描述，收取信息处理费情况在此处报告。）"}


@pytest.mark.unit
def test_every_document_of_the_example_county_reads_cell_for_cell(tmp_path, registry):
    from countystats.examples.county import generate_county

    documents = [r for r in generate_county() if r.form != "workbook"]
    assert {r.form for r in documents} == {"word", "pdf", "html"}
    for r in documents:
        sub = read_submission(r.write(tmp_path), registry)
        assert (sub.unit_code, sub.report_year, sub.source_kind) == (r.unit_code, r.year, r.form), r.file_name
        assert _values(sub) == r.cells, r.file_name
        assert {k: sub.cells[k].source for k in r.sources} == r.sources, r.file_name
        assert sub.status == "accepted", (r.file_name, [f.message for f in sub.findings])


@pytest.mark.unit
def test_the_portals_past_reports_read_right(tmp_path, registry):
    from countystats.examples.county import PUBLISHED_UNITS, generate_published

    reports = generate_published()
    assert {r.form for r in reports} == {"pdf", "html"} and len(reports) == 4 * len(PUBLISHED_UNITS)
    assert {r.format_version for r in reports} == {FORMAT_2019.version, FORMAT_2021.version}
    for r in reports:
        path = tmp_path / r.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        sub = read_submission(r.write(tmp_path), registry)
        # the portal's file names say nothing: the unit and the year come from the title
        assert r.unit_name not in Path(r.file_name).name and str(r.year) not in Path(r.file_name).name[:5]
        assert (sub.unit_code, sub.report_year, sub.format_version) == (r.unit_code, r.year, r.format_version)
        assert _values(sub) == r.cells, r.file_name


@pytest.mark.integration
def test_a_backfill_run_loads_past_years_without_lateness(tmp_path):
    import duckdb

    from countystats.examples.county import write_example_published
    from countystats.pipeline import rebuild, run
    from countystats.settings import Settings

    published = tmp_path / "published"
    write_example_published(published)
    settings = Settings.from_env(inbox=published, db=tmp_path / "w.duckdb", out=tmp_path / "out",
                                 archive=tmp_path / "archive", backfill=True, read_workers=1)
    run(settings)
    with duckdb.connect(str(settings.db), read_only=True) as con:
        rows = con.execute("SELECT report_year, source_kind, backfill, is_late, status FROM submissions").fetchall()
        assert len(rows) == 24 and {r[0] for r in rows} == {2019, 2020, 2021, 2022}
        assert all(backfill and not late and status == "accepted" for _y, _k, backfill, late, status in rows)
        assert {r[1] for r in rows} == {"pdf", "html"}
        assert con.execute("SELECT count(*) FROM findings WHERE rule = 'P-LATE'").fetchone() == (0,)
        # the year's other units are missing from the portal, not late
        assert con.execute("SELECT count(*) FROM completeness WHERE on_time IS NOT NULL OR NOT backfilled"
                           ).fetchone() == (0,)
        narratives = con.execute("SELECT count(DISTINCT submission_id), count(*) FROM narratives").fetchone()
        assert narratives == (24, 72)
        before = con.execute("SELECT sha256, backfill FROM submissions ORDER BY sha256").fetchall()
    manifest = (settings.archive / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["backfill"] is True for line in manifest)
    rebuild(settings.with_(backfill=False))  # the manifest remembers which arrivals were a backfill
    with duckdb.connect(str(settings.db), read_only=True) as con:
        assert con.execute("SELECT sha256, backfill FROM submissions ORDER BY sha256").fetchall() == before


@pytest.mark.unit
@pytest.mark.parametrize("form, name", [("word", "报告.xlsx"), ("pdf", "报告.doc"), ("html", "报告.xls"),
                                        ("word", "报告"), ("pdf", "report.html")])
def test_a_file_is_read_as_what_its_bytes_are(tmp_path, registry, form, name):
    fmt = FORMAT_2021
    cells = _figures(fmt)
    written = write_document(tmp_path / f"x{FORMS[form]}", fmt, cells, UNIT, YEAR, form)
    renamed = tmp_path / name
    written.path.rename(renamed)
    sub = read_submission(renamed, registry)
    assert sub.source_kind == form and not sub.unreadable
    assert all(sub.cells[k].value == v for k, v in cells.items())


def _legacy_doc(tmp_path: Path) -> Path:
    """A Word 97–2003 .doc of a report, made by LibreOffice from the product's Word document."""
    written = write_document(tmp_path / "报告.docx", FORMAT_2021, _figures(FORMAT_2021), UNIT, YEAR, "word",
                             document=DocumentOptions())
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc", "--outdir", str(tmp_path / "doc"), str(written.path)],
                   check=True, capture_output=True, timeout=120)
    return tmp_path / "doc" / "报告.doc"


@pytest.mark.integration
def test_a_legacy_doc_is_converted_with_libreoffice(tmp_path, registry, monkeypatch):
    assert shutil.which("soffice"), "dev.py installs LibreOffice for the tests"
    doc = _legacy_doc(tmp_path)
    assert doc.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file, not a zip
    sub = read_submission(doc, registry)
    assert (sub.source_kind, sub.unit_name, sub.report_year, sub.status) == ("word", UNIT, YEAR, "accepted")
    assert all(sub.cells[k].value == v for k, v in _figures(FORMAT_2021).items())
    converted = [f for f in sub.findings if f.rule == "R-FORMAT"]
    assert len(converted) == 1 and converted[0].severity == "notice" and ".docx" in converted[0].message
    # on a machine without LibreOffice: unreadable, and the clerk is told what to do
    monkeypatch.setenv("PATH", "/nonexistent")
    sub = read_submission(doc, registry)
    assert sub.unreadable and "另存为” .docx" in sub.findings[0].message
    # a .doc cut short is damaged: never "repaired" into a partial report
    monkeypatch.undo()
    cut = tmp_path / "cut.doc"
    cut.write_bytes(doc.read_bytes()[: doc.stat().st_size // 3])
    sub = read_submission(cut, registry)
    assert sub.unreadable and "损坏" in sub.findings[0].message


@pytest.mark.unit
@pytest.mark.parametrize("data, form", [
    (b"%PDF-1.7\n...", "pdf"),
    (b"\r\n%PDF-1.4 after a stray line", "pdf"),
    ("<!DOCTYPE html><html><body>年度报告</body></html>".encode(), "html"),
    ("\ufeff<html><body><table></table></body></html>".encode("utf-8"), "html"),
    ("  \n<html><body><table></table></body></html>".encode("utf-16-le"), "html"),
    (b'<html xmlns:x="urn:schemas-microsoft-com:office:excel"><body><table></table></body></html>', "html"),
    (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n\r\n--x\r\nContent-Type: text/html\r\n",
     "html"),
])
def test_the_form_is_known_from_the_bytes(data, form):
    from transforms.reading.forms import FORM_OF, sniff

    assert FORM_OF[sniff(data)] == form


@pytest.mark.unit
@pytest.mark.parametrize("data, words", [
    (b"", "空"),
    (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">', "XML 电子表格"),
    (b"{\\rtf1\\ansi report}", "RTF"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "不是可以读取的年度报告"),
])
def test_what_no_reader_takes_is_named(data, words):
    from transforms.reading.forms import sniff
    from transforms.reading.guard import Rejected

    with pytest.raises(Rejected) as refused:
        sniff(data)
    assert words in refused.value.reason


PUBLISHED_JSON = Path(__file__).resolve().parent / "published"


@pytest.mark.unit
@pytest.mark.parametrize("name, year", [("hongze-qu-2023", 2023), ("hongze-qu-2024", 2024), ("huaian-shi-2024", 2024),
                                        ("pingtan-2024", 2024), ("pingtan-2025", 2025)])
def test_the_real_reports_figures_read_the_same_from_word(tmp_path, registry, name, year):
    """The figures of the real published reports (read from their PDF and HTML by test_forms_pdf/_html) written as
    a Word report — 洪泽区's with its undivided （六）其他处理 row — read back cell for cell."""
    expected = {(s, r, c): v for s, rows in json.loads((PUBLISHED_JSON / f"{name}.json").read_text("utf-8")).items()
                for r, cols in rows.items() for c, v in cols.items()}
    undivided = any(v is None for (s, r, _c), v in expected.items() if s == "requests" and r.startswith("other_")
                    and r != "other_total")
    fmt = FORMAT_2021.undivided() if undivided else FORMAT_2021
    printed = {k: v for k, v in expected.items() if k in set(fmt.cells(include_derived=False))}
    written = write_document(tmp_path / f"{name}.docx", fmt, printed, UNIT, year, "word")
    sub = read_submission(written.path, registry)
    assert (sub.report_year, sub.format_version, sub.source_kind) == (year, FORMAT_2021.version, "word")
    read = _values(sub)
    assert set(read) == set(FORMAT_2021.cells()) and {k: read[k] for k in expected} == expected


@pytest.mark.integration
@pytest.mark.slow
def test_reports_exported_by_an_office_suite_read_right(tmp_path, registry):
    """What units publish: their Word report exported to PDF and saved as a web page by an office suite
    (LibreOffice here), not drawn by our own writer. Flat tables with zeros left blank (a row whose figures are all
    blank follows a page break: no split row to join), table 三 split by a page break with its header repeated, the
    2019 tables with 251000元 typed in a 万元 cell."""
    from dataclasses import replace

    from countystats.examples.county import generate_county

    assert shutil.which("soffice"), "dev.py installs LibreOffice for the tests"
    reports = {(r.unit_code, r.year): r for r in generate_county()}
    chosen = {
        ("dep_medical_security", 2024): DocumentOptions(layout="flat"),
        ("dep_civil_affairs", 2024): DocumentOptions(layout="flat", split_table=9, repeat_header=True),
        ("twp_lianzhuang", 2023): DocumentOptions(split_table=14),
        ("gov_county", 2024): DocumentOptions(split_title=True),
    }
    docs = []
    (tmp_path / "docx").mkdir()
    for (code, year), document in chosen.items():
        r = reports[(code, year)]
        options = replace(r.options, formulas="", explanations=(), start=(0, 0), spacer=False, zero="blank")
        docs.append(write_document(tmp_path / "docx" / f"{code}-{year}.docx", r.fmt, r.written, r.unit_name, year,
                                   "word", options=options, document=document).path)
    for target in ("pdf", "html"):
        subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                        "--convert-to", target, "--outdir", str(tmp_path / target), *map(str, docs)],
                       check=True, capture_output=True, timeout=600)
    for code, year in chosen:
        r = reports[(code, year)]
        expected = {k: (None if v == 0 else v) for k, v in r.cells.items()}  # zeros were left blank
        for target in ("pdf", "html"):
            sub = read_submission(tmp_path / target / f"{code}-{year}.{target}", registry)
            assert (sub.unit_code, sub.report_year, sub.source_kind) == (code, year, target), (code, target)
            assert sub.format_version == r.format_version
            got = _values(sub)
            assert {k: got.get(k, "missing") for k in expected} == expected, (code, target)
            assert not [f for f in sub.findings if f.rule == "R-LABELS" and f.severity == "error"], (code, target)
