"""The clerks' portal over real HTTP: `countystats portal` as its own process, the example county's files sent through
it, every answer code of the spec, one unit against another, twenty uploads at once, a nightly run picking the uploads
up, and a portal killed in the middle of an upload."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.portal_server import ROOT, RunningPortal, start_portal

pytestmark = [pytest.mark.integration, pytest.mark.slow]

UNITS = ROOT / "config" / "units.csv"
CLEAN = "2023_大营镇_政府信息公开工作年度报告.xlsx"  # twp_daying, accepted
OTHER = "2023_坝营镇_政府信息公开工作年度报告.xlsx"  # twp_baying's
WRONG = "城西街道2024年政府信息公开工作年度报告.xlsm"  # sub_chengxi, rejected (T3-BALANCE)
FIXED = "城西街道2024年政府信息公开工作年度报告（修改）.xlsm"  # its correction, accepted
HELD = "黄金庄乡2023年政府信息公开工作年度报告.xls"  # twp_huangjinzhuang, a warning (T2-FEES)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    running = start_portal(tmp_path_factory.mktemp("portal"), UNITS)
    yield running
    running.stop()


def _bytes(example_inbox: Path, name: str) -> bytes:
    return (example_inbox / name).read_bytes()


def _inbox_files(inbox: Path) -> dict[str, bytes]:
    """What the nightly run would take: the inbox's files, hidden ones (spool, receipts) left out, as the scan does."""
    from transforms.inbox.intake import scan

    return {e.shown: Path(e.path.decode()).read_bytes() for e in scan(inbox) if e.kind == "file"}


def test_a_report_is_checked_kept_and_receipted(portal: RunningPortal, example_inbox):
    data = _bytes(example_inbox, CLEAN)
    r = portal.send(portal.codes["twp_daying"], data, CLEAN)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["unit_code"] == "twp_daying" and body["report_year"] == 2023 and body["status"] == "accepted"
    receipt = body["receipt"]
    import hashlib

    assert receipt["sha256"] == hashlib.sha256(data).hexdigest()
    kept = [b for b in _inbox_files(portal.inbox).values() if b == data]
    assert len(kept) == 1, "the bytes are in the inbox, byte for byte, once"
    receipts = [json.loads(line) for line in (portal.inbox / ".receipts.jsonl").read_text("utf-8").splitlines()]
    assert any(x["sha256"] == receipt["sha256"] and x["received_at"] == receipt["received_at"] for x in receipts)
    with portal.client(portal.codes["twp_daying"]) as c:
        listed = c.get("/api/submissions").json()
        (mine,) = [x for x in listed if x["id"] == receipt["id"]]
        assert mine["check"]["status"] == "accepted" and mine["check"]["findings"] == body["findings"]
        one = c.get(f"/api/submissions/{receipt['id']}")
        assert one.status_code == 200 and one.json()["check"]["status"] == "accepted"
        feedback = c.get(f"/api/submissions/{receipt['id']}/feedback.xlsx")
        assert feedback.status_code == 200 and feedback.content[:2] == b"PK"


def test_errors_are_named_with_their_cells_and_the_file_is_still_kept(portal: RunningPortal, example_inbox):
    r = portal.send(portal.codes["sub_chengxi"], _bytes(example_inbox, WRONG), WRONG)
    assert r.status_code == 201
    body = r.json()
    assert body["status"] == "rejected"
    errors = [f for f in body["findings"] if f["severity"] == "error"]
    assert errors and all(f["rule"] == "T3-BALANCE" and f["cell"] for f in errors)
    assert _bytes(example_inbox, WRONG) in _inbox_files(portal.inbox).values()


def test_another_units_report_is_refused_and_not_kept(portal: RunningPortal, example_inbox):
    before = _inbox_files(portal.inbox)
    r = portal.send(portal.codes["twp_daying"], _bytes(example_inbox, OTHER), OTHER)
    assert r.status_code == 403
    body = r.json()
    assert [f["rule"] for f in body["findings"]] == ["R-UNIT"] and "坝营镇" in body["error"]
    assert _inbox_files(portal.inbox) == before


def test_another_units_receipt_is_not_found(portal: RunningPortal, example_inbox):
    mine = portal.send(portal.codes["twp_daying"], _bytes(example_inbox, CLEAN) + b"", CLEAN).json()["receipt"]["id"]
    with portal.client(portal.codes["twp_baying"]) as c:
        assert c.get(f"/api/submissions/{mine}").status_code == 404
        assert c.get(f"/api/submissions/{mine}/feedback.xlsx").status_code == 404
        assert all(x["unit_code"] == "twp_baying" for x in c.get("/api/submissions").json())
        assert c.get("/api/submissions?unit=twp_daying").json() == c.get("/api/submissions").json()
        assert c.get("/api/completeness?year=2023").status_code == 403
    with portal.client(portal.office) as c:  # the office sees every unit
        assert c.get(f"/api/submissions/{mine}").status_code == 200
        assert {x["unit_code"] for x in c.get("/api/submissions?unit=twp_daying").json()} == {"twp_daying"}


def test_no_code_or_a_wrong_one_is_401_then_429(portal: RunningPortal, example_inbox):
    with portal.client() as c:
        r = c.get("/api/submissions")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    # a code of the right shape whose secret is wrong; then garbage
    key = portal.codes["twp_matun"].split("-")[0]
    wrong = [f"{key}-AAAA-BBBB-CCCC-DDDD"] + [f"nonsense{i}" for i in range(9)]
    # as from one address behind the proxy (uvicorn trusts X-Forwarded-For from 127.0.0.1, where nginx is)
    guesser = {"X-Forwarded-For": "203.0.113.7"}
    for code in wrong:
        with portal.client(code) as c:
            assert c.get("/api/submissions", headers=guesser).status_code == 401
    with portal.client("still-wrong") as c:
        assert c.get("/api/submissions", headers=guesser).status_code == 429
    with portal.client(portal.codes["twp_matun"]) as c:
        assert c.get("/api/submissions", headers=guesser).status_code == 429  # past the limit, even the right code
        assert c.get("/api/submissions").status_code == 200  # another address is not held up


def test_over_the_size_limit_is_413_and_nothing_is_kept(portal: RunningPortal):
    before = _inbox_files(portal.inbox)
    big = b"PK\x03\x04" + b"\0" * (21 * 1024 * 1024)
    r = portal.send(portal.codes["twp_youfang"], big, "big.xlsx")
    assert r.status_code == 413
    assert _inbox_files(portal.inbox) == before


def test_what_is_no_report_by_its_content_is_refused(portal: RunningPortal, example_inbox):
    before = _inbox_files(portal.inbox)
    # named like a workbook, but a Windows program; and a workbook named .pdf is still read as the workbook it is
    r = portal.send(portal.codes["twp_youfang"], b"MZ\x90\x00" + b"\0" * 4000, "报告.xlsx")
    assert r.status_code == 415 and "不是可以读取的年度报告" in r.json()["error"]
    assert _inbox_files(portal.inbox) == before
    r = portal.send(portal.codes["twp_daying"], _bytes(example_inbox, CLEAN), "报告.pdf")
    assert r.status_code == 201 and r.json()["source_kind"] == "workbook"
    assert r.json()["file"].endswith(".xlsx")


def test_a_file_name_is_never_a_path(portal: RunningPortal, example_inbox):
    r = portal.send(portal.codes["twp_daying"], _bytes(example_inbox, CLEAN), "../../../etc/报告\u202excod.xlsx")
    assert r.status_code == 201
    assert not (portal.folder / "etc").exists() and not Path("/etc/报告").exists()
    one = portal.client(portal.codes["twp_daying"]).get(f"/api/submissions/{r.json()['receipt']['id']}").json()
    assert one["file"] == "报告\\u202excod.xlsx"  # the last part only, its bidi override shown, not obeyed
    for name in _inbox_files(portal.inbox):
        assert ".." not in name and "\u202e" not in name


def test_twenty_uploads_at_once_each_get_a_receipt_that_matches_the_inbox(portal: RunningPortal, example_inbox):
    base = _bytes(example_inbox, CLEAN)
    # twenty different files of one unit (a workbook with bytes appended is still the same workbook to a reader)
    datas = [base + f"\n{i}".encode() * 3 for i in range(20)]
    code = portal.codes["twp_daying"]
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda d: portal.send(code, d, CLEAN), datas))
    assert [a.status_code for a in answers] == [201] * 20, [a.text[:200] for a in answers if a.status_code != 201]
    import hashlib

    inbox = _inbox_files(portal.inbox)
    by_sha = {hashlib.sha256(b).hexdigest(): b for b in inbox.values()}
    for data, answer in zip(datas, answers, strict=True):
        receipt = answer.json()["receipt"]
        assert by_sha.get(receipt["sha256"]) == data
    assert len({a.json()["receipt"]["id"] for a in answers}) == 20


def test_explanations_sent_with_the_file_clear_its_warning(portal: RunningPortal, example_inbox):
    code = portal.codes["twp_huangjinzhuang"]
    r = portal.send(code, _bytes(example_inbox, HELD), HELD)
    assert r.json()["status"] == "needs_review"
    rule = next(f["rule"] for f in r.json()["findings"] if f["severity"] == "warning")
    with portal.client(code) as c:
        explained = c.post(f"/api/submissions/{r.json()['receipt']['id']}/explanations",
                           json={rule: "本年收取复印费，已核实"})
        assert explained.status_code == 200
        assert explained.json()["check"]["status"] == "accepted_with_warnings"
    # and with the file itself, in the form field
    again = portal.send(code, _bytes(example_inbox, HELD) + b"\n", HELD, explanations=f"{rule}：本年收取复印费，已核实")
    assert again.status_code == 201 and again.json()["status"] == "accepted_with_warnings"


def test_the_nightly_run_takes_the_uploads_and_the_portal_shows_their_status(portal: RunningPortal, example_inbox):
    from countystats.pipeline import run
    from countystats.settings import Settings

    code = portal.codes["twp_daying"]
    sent = portal.send(code, _bytes(example_inbox, "2024_大营镇_政府信息公开工作年度报告.xlsx"), "2024.xlsx").json()
    settings = Settings.from_env(**{k: portal.env[f"COUNTYSTATS_{k.upper()}"]
                                    for k in ("inbox", "db", "archive", "out", "units")})
    result = run(settings)
    assert any(f["status"] == "accepted" and f["unit_name"] == "大营镇" for f in result.files)
    with portal.client(code) as c:
        listed = {x["id"]: x for x in c.get("/api/submissions").json()}
    mine = listed[sent["receipt"]["id"]]
    assert mine["status"] == "accepted" and mine["nightly"]["submission_id"] > 0
    import duckdb

    con = duckdb.connect(str(portal.db), read_only=True)
    got = con.execute("SELECT received_at FROM submissions WHERE sha256 = ?", [sent["sha256"]]).fetchone()[0]
    con.close()
    assert got.isoformat(sep=" ") == sent["receipt"]["received_at"], "the run takes the portal's receipt time"
    # the rejected upload of 城西街道 and the refused 坝营镇 file: one in the warehouse, the other nowhere
    with portal.client(portal.office) as c:
        year = c.get("/api/completeness?year=2024").json()
    assert {u["unit_code"]: u["status"] for u in year}["twp_daying"] == "accepted"


def _post_raw(port: int, code: str, data: bytes, cut: int | None = None) -> socket.socket:
    """An upload written on a raw socket, whole or cut after ``cut`` bytes of its body; the socket left open."""
    boundary = "cs-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall((f"POST /api/submissions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {code}\r\n"
                  f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n").encode() + body[:cut])
    return sock


def test_a_portal_killed_mid_upload_leaves_no_partial_file(tmp_path, example_inbox):
    import os

    portal = start_portal(tmp_path, UNITS)
    spool = portal.inbox / ".portal-spool"
    try:
        before = _inbox_files(portal.inbox)
        # killed while the body is still arriving
        sock = _post_raw(portal.port, portal.codes["twp_daying"], _bytes(example_inbox, CLEAN) * 200, cut=100_000)
        time.sleep(0.5)
        portal.kill()
        sock.close()
        assert _inbox_files(portal.inbox) == before
        # killed while the whole file is spooled and being checked, before it is delivered
        portal.start()
        data = _bytes(example_inbox, CLEAN)
        sock = _post_raw(portal.port, portal.codes["twp_daying"], data)
        deadline = time.monotonic() + 60
        while not (spool.is_dir() and any(spool.iterdir())) and time.monotonic() < deadline:
            time.sleep(0.002)
        portal.kill()
        sock.close()
        left = list(spool.iterdir())
        assert len(left) == 1 and data.startswith(left[0].read_bytes()), "killed with the upload in the spool"
        assert _inbox_files(portal.inbox) == before, "nothing the nightly run would take"
        # a portal started again leaves a spool file that may be another live portal's, and sweeps an old one
        portal.start()
        assert [p.name for p in spool.iterdir()] == [left[0].name]
        os.utime(left[0], (time.time() - 7200, time.time() - 7200))
        portal.stop()
        portal.start()
        assert list(spool.iterdir()) == []
        assert _inbox_files(portal.inbox) == before
    finally:
        portal.stop()


def test_uploads_do_not_wait_for_a_nightly_run(portal: RunningPortal, example_inbox):
    """The run holds the warehouse's staging copy, never the published file the portal reads: an upload during a
    run is answered (the portal reads the published warehouse read-only, its own store for its records)."""
    from countystats.pipeline import run
    from countystats.settings import Settings

    settings = Settings.from_env(**{k: portal.env[f"COUNTYSTATS_{k.upper()}"]
                                    for k in ("inbox", "db", "archive", "out", "units")})
    done = threading.Event()
    worker = threading.Thread(target=lambda: (run(settings), done.set()))
    worker.start()
    try:
        answers = [portal.send(portal.codes["dep_finance"], _bytes(example_inbox, "县财政局2024年政府信息公开工作年度报告.xlsx")
                               + f"{i}".encode(), "财政.xlsx") for i in range(3)]
    finally:
        worker.join()
    assert [a.status_code for a in answers] == [201] * 3
    assert done.is_set()


def test_the_office_decides_on_the_portal_in_its_own_name(portal: RunningPortal, example_inbox):
    import sqlite3

    from countystats.pipeline import run
    from countystats.settings import Settings
    from transforms.inbox import reviews

    code = portal.codes["twp_huangjinzhuang"]
    held = portal.send(code, _bytes(example_inbox, HELD) + b"\n\n\n", HELD).json()
    assert held["status"] == "needs_review"
    settings = Settings.from_env(**{k: portal.env[f"COUNTYSTATS_{k.upper()}"]
                                    for k in ("inbox", "db", "archive", "out", "units")})
    run(settings)
    with portal.client(code) as c:
        sid = {x["id"]: x for x in c.get("/api/submissions").json()}[held["receipt"]["id"]]["nightly"]["submission_id"]
        decision = {"action": "accept", "ids": [sid], "reason": "已电话核实：收取复印费"}
        assert c.post("/api/reviews", json=decision).status_code == 403  # a unit does not review
    with portal.client(portal.office) as c:
        r = c.post("/api/reviews", json=decision)
        assert r.status_code == 200, r.text
        assert c.post("/api/reviews", json={**decision, "reason": " "}).status_code == 422  # no reason, no decision
    (kept,) = [d for d in reviews.read(settings.archive) if d.sha256 == held["sha256"]]
    assert (kept.action, kept.decided_by, kept.reason) == ("accept", "县政府办公室王五", "已电话核实：收取复印费")
    con = sqlite3.connect(portal.db.parent / "portal.sqlite")
    audited = con.execute("SELECT who, target, detail FROM portal_audit WHERE action = 'review_accept'").fetchall()
    con.close()
    assert audited == [("县政府办公室王五", str(sid), "已电话核实：收取复印费")]
    run(settings)
    with portal.client(code) as c:
        after = {x["id"]: x for x in c.get("/api/submissions").json()}[held["receipt"]["id"]]
    assert after["status"] == "accepted_with_warnings"  # its warning accepted by the office (spec, "Statuses")
