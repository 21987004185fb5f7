"""The portal's parts without HTTP: access codes and their hashes, the store's records, the delivery into the inbox,
the 说明 a clerk types. In-process (the store is a SQLite file under the test's folder)."""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import datetime, timedelta

import pytest

from countystats.portal import codes, delivery
from countystats.portal.service import Refused, parse_explanations
from countystats.portal.store import FAILURE_LIMIT, Store, access_codes, audit

pytestmark = pytest.mark.unit

NOW = datetime(2025, 1, 20, 9, 30)


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'portal.sqlite'}")
    yield s
    s.close()


def test_a_code_is_long_random_and_readable_aloud():
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        key, secret = codes.split(code)
        assert len(key) == codes.KEY_ID_CHARS and len(secret.replace("-", "")) == 16
        assert not set(code) & set("ILOU")
    code = next(iter(made))
    assert codes.split(code.lower()) == codes.split(code)
    assert codes.split(" " + code.replace("-", " - ") + " ") == codes.split(code)  # spaces typed in between
    assert codes.split(code.replace("-", "").lower()) == codes.split(code)  # typed without dashes, lower case


def test_only_a_salted_slow_hash_is_kept():
    code = codes.new_code()
    one, two = codes.hash_code(code), codes.hash_code(code)
    assert one.salt != two.salt and one.digest != two.digest  # salted: the same code hashes differently
    assert code.split("-", 1)[1] not in json.dumps(one.__dict__)
    assert one.params == f"{codes.SCRYPT_N},{codes.SCRYPT_R},{codes.SCRYPT_P}" and codes.SCRYPT_N >= 2**14
    assert codes.verify(code, one) and codes.verify(code.lower(), two)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert not codes.verify(wrong, one)
    assert not codes.verify(code, None) and not codes.verify("garbage", one)


def test_the_store_holds_no_code_and_a_new_code_replaces_the_old(store):
    first = store.issue("unit", "大营镇", NOW, "twp_daying", "")
    with store.engine.connect() as con:
        rows = [dict(r) for r in con.execute(access_codes.select()).mappings()]
    assert first not in json.dumps(rows, default=str) and first.split("-", 1)[1] not in json.dumps(rows, default=str)
    assert store.holder_of(first, NOW).unit_code == "twp_daying"
    second = store.issue("unit", "大营镇", NOW, "twp_daying", "")
    assert store.holder_of(first, NOW) is None, "a unit's earlier code stops working"
    assert store.holder_of(second, NOW).name == "大营镇"
    assert store.revoke(NOW, unit_code="twp_daying") == 1
    assert store.holder_of(second, NOW) is None


def test_a_revoked_code_ends_its_sessions(store):
    code = store.issue("office", "王五", NOW)
    holder = store.holder_of(code, NOW)
    assert holder.office and holder.unit_code is None
    token, csrf = store.open_session(holder, NOW)
    assert store.session(token, NOW).csrf == csrf
    assert store.session(token, NOW + timedelta(hours=9)) is None  # past the working day
    store.revoke(NOW, name="王五")
    assert store.session(token, NOW) is None


def test_wrong_codes_are_counted_per_address_within_the_window(store):
    for _ in range(FAILURE_LIMIT):
        assert not store.too_many_failures("10.0.0.1", NOW)
        store.failed("10.0.0.1", NOW)
    assert store.too_many_failures("10.0.0.1", NOW)
    assert not store.too_many_failures("10.0.0.2", NOW)
    assert not store.too_many_failures("10.0.0.1", NOW + timedelta(minutes=11))


def test_every_action_is_in_the_audit_log(store):
    code = store.issue("unit", "大营镇", NOW, "twp_daying", "")
    holder = store.holder_of(code, NOW)
    store.log(NOW, "upload", holder, 7, "a.xlsx → 大营镇_….xlsx (accepted)", "10.0.0.1")
    with store.engine.connect() as con:
        (row,) = con.execute(audit.select()).mappings().all()
    assert (row["who"], row["action"], row["target"], row["address"], row["at"]) == (
        "大营镇", "upload", "7", "10.0.0.1", NOW)


def test_a_delivered_file_is_whole_receipted_and_never_overwrites(tmp_path):
    from transforms.inbox.archive import read_receipts, sha256_of
    from transforms.inbox.intake import scan

    inbox = tmp_path / "inbox"
    data = b"PK\x03\x04 a workbook"
    spooled = delivery.spool(inbox, data, ".xlsx")
    assert [e for e in scan(inbox) if e.kind == "file"] == [], "a spooled file is not yet in the inbox for the run"
    name = delivery.inbox_name("大营镇", "130534", "xlsx", "C:\\fakepath\\报告.xlsm", NOW)
    assert name.startswith("130534/大营镇_20250120-093000_") and name.endswith(".xlsm")
    got = delivery.deliver(inbox, spooled, name, sha256_of(data), NOW)
    assert got.path.read_bytes() == data and not spooled.exists()
    assert read_receipts(inbox).time_of(sha256_of(data), name, True) == NOW.isoformat(sep=" ")
    again = delivery.spool(inbox, b"other bytes", ".xlsx")
    with pytest.raises(FileExistsError):
        delivery.deliver(inbox, again, name, sha256_of(b"other bytes"), NOW)
    assert got.path.read_bytes() == data


def test_a_dead_portals_spool_is_swept_but_not_a_live_ones(tmp_path):
    inbox = tmp_path / "inbox"
    old, new = delivery.spool(inbox, b"old"), delivery.spool(inbox, b"new")
    os.utime(old, (time.time() - 2 * delivery.STALE_SECONDS,) * 2)
    assert delivery.sweep(inbox) == 1 and not old.exists() and new.exists()


def test_names_from_the_clerk_are_shown_not_followed():
    assert delivery.printable_name("C:\\Users\\张\\报告.xlsx") == "报告.xlsx"
    assert delivery.printable_name("../../etc/passwd") == "passwd"
    assert delivery.printable_name("报告\u202excod.xlsx") == "报告\\u202excod.xlsx"
    assert delivery.printable_name("") == "未命名文件"


def test_explanations_as_typed():
    assert parse_explanations("X-JUMP：本年开展专项整治\nT2-FEES: 收取复印费\n\n") == {
        "X-JUMP": "本年开展专项整治", "T2-FEES": "收取复印费"}
    assert parse_explanations('{"X-JUMP": "专项整治", "T2-FEES": " "}') == {"X-JUMP": "专项整治"}
    assert parse_explanations("") == {}
    with pytest.raises(Refused) as got:
        parse_explanations("处罚数量大幅增加")
    assert got.value.status == 422 and "规则编号" in got.value.message


def test_many_threads_share_one_store(store):
    code = store.issue("unit", "大营镇", NOW, "twp_daying", "")
    holder = store.holder_of(code, NOW)
    ids: list[int] = []

    def add(i: int) -> None:
        ids.append(store.add_receipt(unit_code="twp_daying", area_code="", received_at=NOW, sha256=f"{i:064x}",
                                     size=1, file_name="a.xlsx", inbox_name=f"a{i}.xlsx", report_year=2024,
                                     status="accepted", check_json="{}", feedback=None, sent_by=holder.key_id))

    threads = [threading.Thread(target=add, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(ids) == list(range(1, 21))
    assert store.receipt(ids[0], "twp_baying") is None and store.receipt(ids[0], "twp_daying") is not None


def test_explanations_that_cannot_be_kept_are_refused_plainly():
    from transforms.inbox.reviews import MAX_REASON

    with pytest.raises(Refused) as got:
        parse_explanations('{"not a rule": "原因"}')
    assert got.value.status == 422 and "不是规则编号" in got.value.message
    with pytest.raises(Refused) as got:
        parse_explanations("X-JUMP：" + "很" * (MAX_REASON + 1))
    assert got.value.status == 422 and "过长" in got.value.message


def test_a_long_lived_checker_keeps_no_validation_results():
    """The portal validates one report at a time for a whole season: GX's stored results are dropped after each."""
    from countystats.examples.small import report
    from expectations.validation import _get_runtime, forget_results, validate_submissions

    validate_submissions([report()])
    store = _get_runtime().context.validation_results_store
    assert len(store.list_keys()) >= 1
    assert forget_results() >= 1
    assert store.list_keys() == []


def test_the_name_given_in_the_inbox_never_reads_as_a_year():
    """The reader takes a report year from a file name: the portal's names must not offer one (a random ``a1994b``
    once made a clean 2024 report 待核实, its file name "saying" 1994)."""
    from transforms.reading.reader import _YEAR

    for _ in range(2000):
        name = delivery.inbox_name("大营镇", "130534", "xlsx", "2024年报告.xlsx", NOW)
        assert _YEAR.findall(name.split("/", 1)[1]) == [], name
