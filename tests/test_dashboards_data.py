"""What the dashboards read from the warehouse (dashboards/data.py), apart from the pages."""

from __future__ import annotations

import pytest

from countystats.examples.warehouses import build_warehouse
from dashboards.data import load

pytestmark = pytest.mark.unit


def test_repeated_texts_are_one_object_and_still_texts(tmp_path):
    """The per-unit figures repeat a unit's name and the row codes on every row: read once each, a province's pages
    take the memory a county's do; they stay texts (pages join and format them)."""
    w = load(build_warehouse(tmp_path / "w.duckdb"))
    for frame, column in ((w.requests, "unit_name"), (w.requests, "row_code"), (w.proactive, "unit_code"),
                          (w.review, "result_code")):
        values = list(frame[column])
        assert len(values) > len(set(values)) > 1  # repeated
        first = {}
        assert all(first.setdefault(v, v) is v for v in values), column  # each text one object
        assert all(isinstance(v, str) for v in values)
        assert (frame[column] + "·").str.endswith("·").all()  # string operations as before
