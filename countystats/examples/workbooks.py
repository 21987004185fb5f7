"""Example workbooks, and what a correct reader must return for them.

The product writes workbooks with :mod:`transforms.writing.layouts` (templates, the county's export); examples use the same
writer, and :func:`read_back` says, for cells written with given options, what reading the file must give back:
blank → None, zero words and number texts → the number, an amount typed in 元 in a 万元 cell → the amount in 万元,
``text_cells`` and uncached formulas → None, and a derived row (2021 ``other_total``) = the sum of its children
(None when all are blank).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from transforms.format import WAN_YUAN, ReportFormat
from transforms.writing.layouts import Key, Options, Value, total_targets, write_report, written_values


def read_back(fmt: ReportFormat, cells: Mapping[Key, Value], options: Options | None = None) -> dict[Key, Value]:
    """The cells a correct reader returns for a workbook written from ``cells`` with ``options``."""
    options = options or Options()
    texts = dict(options.text_cells)
    out = written_values(fmt, cells, options)
    if options.formulas == "uncached":  # no cached value: nothing to read
        out.update({k: None for k in total_targets(fmt) if k in out and k not in texts})
    out.update({k: None for k in texts})
    if options.money_suffix:  # "32500元" in a 万元 cell reads as 3.25 (converted, never guessed)
        for key, v in out.items():
            if v is not None and key not in texts and fmt.section(key[0]).measure(key[1], key[2]).unit == WAN_YUAN:
                out[key] = v / 10_000
    for section_code, row_code in fmt.derived_rows:
        section = fmt.section(section_code)
        for m in section.measures_of(row_code):
            vals = [out.get((section_code, k, m.code)) for k in section.children(row_code)]
            out[(section_code, row_code, m.code)] = (
                None if all(v is None for v in vals) else sum(v for v in vals if v is not None))
    return {k: out[k] for k in fmt.cells()}


@dataclass
class Written:
    path: Path
    cells: dict[Key, Value]  # what the reader must return
    sources: dict[Key, str]  # "Sheet!A1" of every printed cell
    raw: dict[Key, str]  # cells that are not a plain number: what was written


def write_example(path: str | Path, fmt: ReportFormat, cells: Mapping[Key, Value], unit_name: str, year: int,
                  layout: str = "stacked", options: Options | None = None, **kwargs) -> Written:
    """Write one report workbook with the product's writer; returns what a reader must read back and where."""
    written = write_report(path, fmt, cells, unit_name, year, layout, options, **kwargs)
    return Written(written.path, read_back(fmt, cells, replace(options or Options(), **kwargs)), written.sources,
                   written.raw)
