"""The guard reads a sheet in the canonical form with regular expressions (``_scan_canonical``) and any other with
its streaming pass: wherever the fast path answers, its facts are exactly the streaming pass's, and where the
streaming pass would refuse a sheet the fast path never answers. Checked on every workbook of the example county
(every layout and mess it knows) and on the hostile sheets of tests/hostile.py."""

from __future__ import annotations

import io
import zipfile

import hostile
import pytest

from transforms.reading import guard

pytestmark = pytest.mark.unit


def _members(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]


def _both(data: bytes, member: str, monkeypatch):
    """(the fast path's facts or None, the streaming pass's facts or the Rejected it raised)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        fast = guard._scan_canonical(zf, member, member)
        with monkeypatch.context() as m:
            m.setattr(guard, "_scan_canonical", lambda *a: None)
            try:
                slow = guard._scan_sheet(zf, member, member)
            except guard.Rejected as refused:
                slow = refused
    return fast, slow


def _agree(data: bytes, monkeypatch) -> int:
    """How many sheets the fast path answered; each answer equal to the streaming pass's."""
    answered = 0
    for member in _members(data):
        fast, slow = _both(data, member, monkeypatch)
        if fast is not None:
            answered += 1
            assert not isinstance(slow, Exception), (member, slow)
            assert fast == slow, member
    return answered


def test_the_fast_path_agrees_on_every_workbook_of_the_example_county(example_inbox, monkeypatch):
    books = [p for p in sorted(example_inbox.rglob("*")) if p.suffix in (".xlsx", ".xlsm")]
    answered = sum(_agree(p.read_bytes(), monkeypatch) for p in books)
    assert books and answered >= len(books)  # the fast path is the common one, and it said what the pass says


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> bytes:
    return hostile.report_bytes(hostile.clean_reports(1)[0], tmp_path_factory.mktemp("clean"))


HOSTILE = {
    **{f"far_cell_{k}": (lambda d, k=k: hostile.far_cell(d, k)) for k in hostile.FAR_CELL_SPELLINGS},
    "cells_without_r_far_down": hostile.cells_without_r_far_down,
    "styled_empty_far_cell": hostile.styled_empty_far_cell,
    "overlapping_merges": hostile.overlapping_merges,
    "giant_merge": hostile.giant_merge,
    "spaced_end_tags": hostile.spaced_end_tags,
    "doctype_entities": hostile.doctype_entities,
    "error_value": lambda d: hostile.set_cell(d, "D10", "#DIV/0!", "e"),
    "inline_string": lambda d: hostile.set_cell(d, "D10", "<script>&", "s"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_fast_path_agrees_or_leaves_it_to_the_streaming_pass(clean, name, monkeypatch):
    _agree(HOSTILE[name](clean), monkeypatch)
