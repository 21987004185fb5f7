"""The clerks' portal's pages in real headless Chromium (Debian's), against `countystats portal` started as its own
process (tests/portal_server.py): a clerk signs in, sends a rejected report by the file input and by drag and drop,
reads its errors with their cells, downloads the marked workbook, sends the corrected file; a warning is explained on
the page; a unit name carrying ``<script>`` is shown as text; the session cookie, the CSRF token, a wrong code and
signing out; the office's page; screenshots at a desktop and a phone size. Every page is opened with
:class:`watched.Watched` and must log no console error and open no dialog.
"""

from __future__ import annotations

import base64
import csv
import re
import shutil
from collections import Counter
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from watched import Watched

from tests.portal_server import ROOT, RunningPortal, start_portal
from transforms.format import SEVERITY_ZH, STATUS_ZH

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UNITS = ROOT / "config" / "units.csv"
WRONG = "城西街道2024年政府信息公开工作年度报告.xlsm"  # sub_chengxi, rejected (T3-BALANCE)
FIXED = "城西街道2024年政府信息公开工作年度报告（修改）.xlsm"  # its correction, accepted
HELD = "黄金庄乡2023年政府信息公开工作年度报告.xls"  # twp_huangjinzhuang, a warning (T2-FEES)
CLEAN = "2023_大营镇_政府信息公开工作年度报告.xlsx"  # twp_daying, accepted
FINANCE = "县财政局2024年政府信息公开工作年度报告.xlsx"  # dep_finance, 2024
HOSTILE = "<script>alert(1)</script>镇"
HOSTILE_FILE = "<img src=x onerror=alert(2)>.xlsx"
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
WAIT_MS = 120_000  # an upload is read, validated and marked before the result page comes
RECEIPT_URL = re.compile(r"/receipts/(\d+)$")
WRONG_CODE_ZH = "访问码不正确或已停用。"
# Chromium logs a document answered with an error status (those pages are asked for on purpose below), and a link
# that turns into a download ends its navigation as a failed request
EXPECTED_ERRORS = re.compile(r"^Failed to load resource: the server responded with a status of (401|403|404)\b"
                             r"|^failed: http://127\.0\.0\.1:\d+/receipts/\d+/feedback\.xlsx$")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    running = start_portal(tmp_path_factory.mktemp("portal"), UNITS)
    yield running
    running.stop()


@pytest.fixture
def pages(browser):
    """Watched pages (each its own browser context, so its own cookies); at the end none may have logged a console
    error (other than :data:`EXPECTED_ERRORS`) or opened a dialog."""
    opened: list[Watched] = []

    def new() -> Watched:
        w = Watched(browser)
        w.page.set_default_timeout(20_000)
        opened.append(w)
        return w

    yield new
    try:
        for w in opened:
            assert unexpected_errors(w) == [], w.errors
            assert w.dialogs == []
    finally:
        for w in opened:
            w.page.context.close()


def unexpected_errors(w: Watched) -> list[str]:
    return [e for e in w.errors if not EXPECTED_ERRORS.match(e)]


# ---------------------------------------------------------------- what a clerk does


def sign_in(w: Watched, portal: RunningPortal, code: str) -> int:
    """Type ``code`` on the sign-in page and send it; the status of the page that comes back."""
    w.open(portal.url + "/")
    assert w.page.locator("h1").text_content() == "登录"
    w.page.get_by_label("访问码").fill(code)
    with w.page.expect_navigation() as nav:
        w.page.get_by_role("button", name="登录").click()
    w.page.wait_for_load_state("load")
    return nav.value.status


def submit_upload(w: Watched) -> int:
    """Send the upload form; the result page's receipt id."""
    with w.page.expect_navigation(url=RECEIPT_URL, timeout=WAIT_MS):
        w.page.get_by_role("button", name="报送并校验").click()
    w.page.wait_for_load_state("load")
    return int(RECEIPT_URL.search(w.page.url).group(1))


def upload(w: Watched, path: Path | None = None, *, name: str | None = None, data: bytes | None = None) -> int:
    """Choose the file with the page's file input (a file on disk, or bytes under any name) and send it."""
    w.page.set_input_files("#file", path if path is not None else
                           {"name": name, "mimeType": "application/octet-stream", "buffer": data})
    assert w.page.locator("#chosen").text_content() == "已选择：" + (path.name if path is not None else name)
    return submit_upload(w)


def drop_file(w: Watched, name: str, data: bytes) -> None:
    """Drag a file onto ``#drop`` as a browser does: dragenter/dragover, then a ``drop`` whose DataTransfer holds a
    File built in the page from the bytes."""
    prevented = w.page.evaluate(
        """({name, b64}) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, {type: "application/octet-stream"}));
            const drop = document.getElementById("drop");
            const fire = (type) => {
                const ev = new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true});
                drop.dispatchEvent(ev);
                return ev.defaultPrevented;
            };
            const entered = [fire("dragenter"), fire("dragover")];
            const over = drop.classList.contains("over");
            return {entered, over, dropped: fire("drop"), after: drop.classList.contains("over")};
        }""",
        {"name": name, "b64": base64.b64encode(data).decode()},
    )
    # the browser does not open the file itself, and the box shows it is a place to drop
    assert prevented == {"entered": [True, True], "over": True, "dropped": True, "after": False}


def verdict(w: Watched) -> str:
    return w.page.locator("#verdict .status").text_content().strip()


def findings_shown(w: Watched) -> list[dict]:
    return w.page.evaluate(
        """() => Array.from(document.querySelectorAll("table.findings tbody tr")).map((tr) => ({
            severity: tr.cells[0].textContent.trim(), rule: tr.cells[1].querySelector(".mono").textContent.trim(),
            cell: tr.cells[2].textContent.trim(), message: tr.cells[3].childNodes[0].textContent}))""")


def check_of(portal: RunningPortal, code: str, receipt_id: int) -> dict:
    """The receipt's check as the API gives it: what the page must show."""
    with portal.client(code) as c:
        r = c.get(f"/api/submissions/{receipt_id}")
    assert r.status_code == 200, r.text
    return r.json()["check"]


def history(w: Watched) -> dict[int, list[str]]:
    """The unit's receipts table on ``/``: id → its cells' text."""
    rows = w.page.evaluate(
        """() => Array.from(document.querySelectorAll("main table.list tbody tr")).map((tr) =>
            Array.from(tr.cells).map((td) => td.textContent.trim()))""")
    return {int(r[0]): r for r in rows}


def shoot(w: Watched, folder: Path, name: str) -> list[Path]:
    """Full-page screenshots at a desktop and a phone size; the page must still have its heading in view and must
    not scroll sideways (a wide table scrolls within itself)."""
    shots = []
    for size, (width, height) in SIZES.items():
        w.page.set_viewport_size({"width": width, "height": height})
        assert w.page.locator("h1").is_visible()
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways"
        path = folder / f"{name}-{size}.png"
        w.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5000
        shots.append(path)
    w.page.set_viewport_size({"width": 1366, "height": 900})
    return shots


def inbox_files(inbox: Path) -> dict[str, int]:
    """Every file under the inbox, hidden ones too (spool, receipts), with its size."""
    return {str(p.relative_to(inbox)): p.stat().st_size for p in inbox.rglob("*") if p.is_file()}


def cell_of(wb, ref: str):
    """The writable cell of a finding's ``Sheet1!B23`` (the top-left cell of its merged range, if any)."""
    sheet, _, coord = ref.rpartition("!")
    ws = wb[sheet.strip("'")]
    column, row = coordinate_from_string(coord.replace("$", ""))
    col = column_index_from_string(column)
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return ws.cell(row=rng.min_row, column=rng.min_col)
    return ws.cell(row=row, column=col)


# ---------------------------------------------------------------- 1. a rejected report, corrected


def test_a_clerk_sends_a_rejected_report_reads_its_errors_and_sends_the_correction(
        portal: RunningPortal, pages, example_inbox, tmp_path):
    code = portal.codes["sub_chengxi"]
    w = pages()
    assert sign_in(w, portal, code.replace("-", "").lower()) == 200  # as typed: lower case, no dashes
    assert w.page.locator("h1").text_content() == "报送年度报告"
    assert w.page.locator("header .who").text_content() == "城西街道"
    shown_label = w.page.get_by_label("选择文件")  # the file input has its label
    assert shown_label.get_attribute("type") == "file"

    rid = upload(w, example_inbox / WRONG)
    assert verdict(w) == STATUS_ZH["rejected"] == "未通过"
    check = check_of(portal, code, rid)
    assert check["status"] == "rejected"
    errors = [f for f in check["findings"] if f["severity"] == "error"]
    assert errors and {f["rule"] for f in errors} == {"T3-BALANCE"} and all(f["cell"] for f in errors)
    shown = findings_shown(w)
    expected = [{"severity": SEVERITY_ZH[f["severity"]], "rule": f["rule"], "cell": f["cell"] or "",
                 "message": f["message"]} for f in check["findings"]]
    assert Counter(map(str, shown)) == Counter(map(str, expected)), "every finding, with its cell, once"
    assert [s["severity"] for s in shown][: len(errors)] == ["错误"] * len(errors), "errors first"
    assert {s["cell"] for s in shown if s["rule"] == "T3-BALANCE"} == {f["cell"] for f in errors}
    assert "请按上面的错误逐条改正后重新报送" in w.page.locator("main").text_content()
    assert w.page.locator("#explain").count() == 0, "errors are corrected, not explained"
    assert w.page.locator(".file").first.text_content() == WRONG
    shoot(w, tmp_path, "result-with-findings")

    # the feedback workbook: the clerk's own workbook, every finding listed and its cell marked
    with w.page.expect_download() as got:
        w.page.locator("#feedback").click()
    download = got.value
    assert download.suggested_filename == f"反馈-{rid}.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    wb = load_workbook(saved)
    assert wb.sheetnames[0] == "问题清单" and wb.active.title == "问题清单"
    listed = list(wb["问题清单"].iter_rows(values_only=True))
    assert listed[0] == ("规则", "严重程度", "表", "行", "列", "单元格", "说明", "单位解释")
    assert len(listed) - 1 == len(check["findings"])
    for f in errors:
        row = next(r for r in listed[1:] if r[5] == f["cell"] and r[0].startswith("T3-BALANCE"))
        assert row[0] == "T3-BALANCE 表三收支平衡" and row[1] == "错误" and row[6] == f["message"]
        cell = cell_of(wb, f["cell"])
        assert cell.fill.start_color.rgb.endswith("FFC7CE"), f"{f['cell']} is filled red"
        assert cell.comment is not None and "T3-BALANCE" in cell.comment.text and f["message"] in cell.comment.text

    # the corrected file, dragged onto the box this time
    w.open(portal.url + "/")
    fixed = (example_inbox / FIXED).read_bytes()
    drop_file(w, FIXED, fixed)
    assert w.page.locator("#chosen").text_content() == "已选择：" + FIXED
    assert w.page.evaluate("() => document.getElementById('file').files[0].size") == len(fixed)
    rid_fixed = submit_upload(w)
    assert rid_fixed > rid
    assert verdict(w) == STATUS_ZH["accepted"] == "通过"
    assert check_of(portal, code, rid_fixed)["status"] == "accepted"
    assert w.page.locator(".file").first.text_content() == FIXED
    assert "个错误" not in w.page.locator("#verdict").text_content()

    # the history on / lists both, newest first, with their immediate check
    w.open(portal.url + "/")
    rows = history(w)
    assert list(rows)[:2] == [rid_fixed, rid]
    assert rows[rid][2] == WRONG and rows[rid][4] == "未通过"
    assert rows[rid_fixed][2] == FIXED and rows[rid_fixed][4] == "通过"
    assert rows[rid][5] == rows[rid_fixed][5] == "等待夜间汇总"
    w.page.locator(f"a[href='/receipts/{rid}']").click()
    w.page.wait_for_url(re.compile(rf"/receipts/{rid}$"))
    assert verdict(w) == "未通过"


def test_the_same_file_dropped_is_the_same_as_chosen(portal: RunningPortal, pages, example_inbox):
    """Drag and drop sends the file's bytes and name as they are: the receipt's SHA-256 is the file's."""
    import hashlib

    code = portal.codes["sub_chengxi"]
    w = pages()
    sign_in(w, portal, code)
    data = (example_inbox / WRONG).read_bytes()
    drop_file(w, WRONG, data)
    rid = submit_upload(w)
    assert verdict(w) == "未通过"
    assert w.page.locator("dd.mono").text_content() == hashlib.sha256(data).hexdigest()
    assert w.page.locator(".file").first.text_content() == WRONG
    assert {f["rule"] for f in check_of(portal, code, rid)["findings"] if f["severity"] == "error"} == {"T3-BALANCE"}


# ---------------------------------------------------------------- 2. a warning explained on the page


def test_a_warning_is_explained_on_the_result_page(portal: RunningPortal, pages, example_inbox):
    code = portal.codes["twp_huangjinzhuang"]
    w = pages()
    sign_in(w, portal, code)
    rid = upload(w, example_inbox / HELD)
    assert verdict(w) == STATUS_ZH["needs_review"]
    warned = sorted({f["rule"] for f in check_of(portal, code, rid)["findings"] if f["severity"] == "warning"})
    assert warned == ["T2-FEES"]
    boxes = w.page.locator("#explain textarea")
    assert boxes.count() == len(warned)
    box = w.page.get_by_label("收费金额单位（T2-FEES）")  # each box has its label
    assert box.get_attribute("name") == "explain:T2-FEES"
    reason = "本年收取复印费 <b>已核实</b> & 确认无误"
    box.fill(reason)
    with w.page.expect_navigation(url=RECEIPT_URL, timeout=WAIT_MS):
        w.page.get_by_role("button", name="提交说明").click()
    w.page.wait_for_load_state("load")
    assert int(RECEIPT_URL.search(w.page.url).group(1)) == rid
    assert verdict(w) == STATUS_ZH["accepted_with_warnings"] == "通过（提醒已说明）"
    assert w.page.locator("#explain").count() == 0, "nothing left to explain"
    assert w.page.locator(".explained").text_content() == "单位说明：" + reason  # as text, not markup
    assert w.page.locator(".explained b").count() == 0
    after = check_of(portal, code, rid)
    assert after["status"] == "accepted_with_warnings"
    assert [f["explanation"] for f in after["findings"] if f["rule"] == "T2-FEES"] == [reason]
    w.open(portal.url + "/")
    assert history(w)[rid][4] == "通过（提醒已说明）"


# ---------------------------------------------------------------- 3. a unit name that is markup


@pytest.fixture(scope="module")
def hostile_portal(tmp_path_factory):
    """A second portal whose registry has a township named ``<script>alert(1)</script>镇``; its blank template."""
    from transforms.writing.layouts import write_template

    folder = tmp_path_factory.mktemp("hostile-portal")
    units = folder / "units.csv"
    shutil.copy(UNITS, units)
    with open(units, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["twp_hostile", HOSTILE, "township", "", "", ""])
    workbook = write_template("twp_hostile", 2024, folder / "template.xlsx", units=units)
    running = start_portal(folder, units)
    yield running, workbook
    running.stop()


def test_a_unit_name_that_is_markup_is_shown_as_text(hostile_portal, pages):
    portal, workbook = hostile_portal
    w = pages()
    sign_in(w, portal, portal.codes["twp_hostile"])
    assert w.page.locator("header .who").text_content() == HOSTILE
    rid = upload(w, name=HOSTILE_FILE, data=workbook.read_bytes())
    check = check_of(portal, portal.codes["twp_hostile"], rid)
    assert check["unit_name"] == HOSTILE and check["findings"], "a blank template has findings"
    facts = dict(zip(w.page.locator("dl.facts dt").all_text_contents(),
                     w.page.locator("dl.facts dd").all_text_contents(), strict=True))
    assert facts["报送单位"] == HOSTILE
    assert facts["文件"] == HOSTILE_FILE
    assert verdict(w) == STATUS_ZH[check["status"]]
    assert len(findings_shown(w)) == len(check["findings"])
    html = w.page.content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;镇" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert w.page.evaluate("() => document.querySelectorAll('main script, header script, img').length") == 0
    assert w.page.evaluate("() => document.scripts.length") == 1, "only the portal's own script"
    w.open(portal.url + "/")
    assert history(w)[rid][2] == HOSTILE_FILE
    assert "&lt;script&gt;alert(1)&lt;/script&gt;镇" in w.page.content()
    # the office sees the name and the file name as text too
    office = pages()
    sign_in(office, portal, portal.office)
    office.open(f"{portal.url}/receipts/{rid}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;镇" in office.page.content()
    assert office.page.locator("dd.file").text_content() == HOSTILE_FILE
    for page in (w, office):
        assert page.dialogs == [] and page.errors == []


# ---------------------------------------------------------------- 4. the session, the CSRF token, signing out


def test_the_session_cookie_is_httponly_and_samesite_strict(portal: RunningPortal, pages):
    w = pages()
    w.open(portal.url + "/")
    before = {c["name"]: c for c in w.page.context.cookies()}
    assert before["countystats_signin"]["httpOnly"] and before["countystats_signin"]["sameSite"] == "Strict"
    sign_in(w, portal, portal.codes["twp_daying"])
    cookies = {c["name"]: c for c in w.page.context.cookies()}
    session = cookies["countystats_session"]
    assert session["httpOnly"] is True and session["sameSite"] == "Strict" and session["path"] == "/"
    assert "countystats_signin" not in cookies, "the sign-in form's token is gone once signed in"
    assert w.page.evaluate("() => document.cookie") == "", "no script can read the session"


def test_an_upload_without_the_csrf_token_is_refused_and_nothing_is_kept(portal: RunningPortal, pages,
                                                                         example_inbox):
    w = pages()
    sign_in(w, portal, portal.codes["twp_daying"])
    session = {c["name"]: c["value"] for c in w.page.context.cookies()}["countystats_session"]
    data = (example_inbox / CLEAN).read_bytes()
    w.open(portal.url + "/")
    listed = history(w)
    before = inbox_files(portal.inbox)
    with httpx.Client(base_url=portal.url, cookies={"countystats_session": session}, timeout=120) as c:
        for fields in ({}, {"csrf": "forged"}):
            r = c.post("/upload", files={"file": (CLEAN, data)}, data=fields, follow_redirects=False)
            assert r.status_code == 403
            assert "CSRF" in r.text and "text/html" in r.headers["content-type"]
        assert c.get("/api/submissions").status_code == 401, "a session cookie is no API code"
    assert inbox_files(portal.inbox) == before
    w.open(portal.url + "/")
    assert history(w) == listed, "no receipt was given"


def test_a_wrong_code_on_the_sign_in_page_is_told_in_chinese(portal: RunningPortal, pages):
    w = pages()
    status = sign_in(w, portal, "AB12CD-EF34-GH56-JK78-MN90")
    assert status == 401
    alert = w.page.get_by_role("alert")
    assert alert.text_content() == WRONG_CODE_ZH
    assert w.page.locator("header form").count() == 0, "not signed in"
    assert "countystats_session" not in {c["name"] for c in w.page.context.cookies()}
    w.page.get_by_role("link", name="返回首页").click()
    w.page.wait_for_load_state("load")
    assert w.page.locator("h1").text_content() == "登录"


def test_signing_out_ends_the_session(portal: RunningPortal, pages, example_inbox):
    code = portal.codes["twp_daying"]
    rid = portal.send(code, (example_inbox / CLEAN).read_bytes(), CLEAN).json()["receipt"]["id"]
    w = pages()
    sign_in(w, portal, code)
    w.open(f"{portal.url}/receipts/{rid}")
    assert verdict(w) == "通过"
    session = {c["name"]: c["value"] for c in w.page.context.cookies()}["countystats_session"]
    with httpx.Client(base_url=portal.url, cookies={"countystats_session": session}, timeout=60) as c:
        assert c.get(f"/receipts/{rid}").status_code == 200
    with w.page.expect_navigation():
        w.page.get_by_role("button", name="退出").click()
    w.page.wait_for_load_state("load")
    assert w.page.locator("h1").text_content() == "登录"
    assert "countystats_session" not in {c["name"] for c in w.page.context.cookies()}
    with httpx.Client(base_url=portal.url, cookies={"countystats_session": session}, timeout=60) as c:
        r = c.get(f"/receipts/{rid}")
        assert r.status_code == 401 and "请先用访问码登录" in r.text
        assert c.get(f"/receipts/{rid}/feedback.xlsx").status_code == 401
    w.open(f"{portal.url}/receipts/{rid}")
    assert w.page.get_by_role("alert").text_content() == "请先用访问码登录。"


# ---------------------------------------------------------------- 5. the office, and one unit against another


@pytest.fixture(scope="module")
def published(portal: RunningPortal, example_inbox):
    """A nightly run over what the portal has received (a 2024 report at least), so the office page has units."""
    from countystats.pipeline import run
    from countystats.settings import Settings

    assert portal.send(portal.codes["dep_finance"], (example_inbox / FINANCE).read_bytes(), FINANCE).status_code == 201
    settings = Settings.from_env(**{k: portal.env[f"COUNTYSTATS_{k.upper()}"]
                                    for k in ("inbox", "db", "archive", "out", "units")})
    return run(settings)


def test_the_office_sees_every_unit_of_a_year(portal: RunningPortal, pages, published, registry, tmp_path):
    w = pages()
    sign_in(w, portal, portal.office)
    assert w.page.locator("header .who").text_content() == "县政府办公室王五（县政府办公室）"
    w.open(portal.url + "/?year=2024")
    assert w.page.locator("h1").text_content() == "2024 年度报送情况"
    rows = w.page.evaluate(
        """() => Array.from(document.querySelectorAll("#units tbody tr")).map((tr) =>
            Array.from(tr.cells).map((td) => td.textContent.trim()))""")
    with portal.client(portal.office) as c:
        expected = c.get("/api/completeness?year=2024").json()
    assert len(rows) == len(expected) > 20
    by_name = {r[0]: r for r in rows}
    assert by_name["县财政局"][1] == STATUS_ZH["accepted"]
    for u in expected:
        assert by_name[u["unit_name"]][1] == STATUS_ZH[u["status"]]
    assert {u.unit_name for u in registry.units} >= set(by_name)
    # the receipts the portal holds are listed, each a link to its page
    receipts = w.page.locator("main > table.list:not(#units) tbody tr")
    assert receipts.count() >= 1
    first = w.page.locator("main > table.list:not(#units) tbody tr a").first
    first.click()
    w.page.wait_for_url(RECEIPT_URL)
    assert w.page.locator("h1").text_content().startswith("回执 ")
    # the year box
    w.open(portal.url + "/")
    w.page.get_by_label("年度").fill("2024")
    with w.page.expect_navigation():
        w.page.get_by_role("button", name="查看").click()
    assert w.page.url.endswith("/?year=2024") and w.page.locator("#units tbody tr").count() == len(expected)
    shoot(w, tmp_path, "office")


def test_a_unit_cannot_open_another_units_receipt(portal: RunningPortal, pages, example_inbox):
    theirs = portal.send(portal.codes["sub_chengxi"], (example_inbox / WRONG).read_bytes(), WRONG).json()
    rid = theirs["receipt"]["id"]
    w = pages()
    sign_in(w, portal, portal.codes["twp_daying"])
    for path in (f"/receipts/{rid}", f"/receipts/{rid}/feedback.xlsx"):
        response = w.page.goto(portal.url + path)
        assert response.status == 404
        assert w.page.get_by_role("alert").text_content() == "没有这份回执。"
        assert "城西街道" not in w.page.content()
    w.open(portal.url + "/")
    assert rid not in history(w)
    assert unexpected_errors(w) == []


# ---------------------------------------------------------------- 6. the sign-in page, at two sizes


def test_the_sign_in_page_at_a_desktop_and_a_phone_size(portal: RunningPortal, pages, tmp_path):
    w = pages()
    w.open(portal.url + "/")
    box = w.page.get_by_label("访问码")
    assert box.get_attribute("autocomplete") == "off" and box.get_attribute("required") is not None
    shots = shoot(w, tmp_path, "sign-in")
    assert [p.name for p in shots] == ["sign-in-desktop.png", "sign-in-phone.png"]
    w.page.set_viewport_size({"width": 390, "height": 844})
    assert w.page.evaluate("() => document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"
    assert w.errors == [] and w.dialogs == []
