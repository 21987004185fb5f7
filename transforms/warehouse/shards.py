"""A shard's checked reports as Parquet, in storage every worker sees: what a mapped ``check`` task hands the load.

A shard is a few hundred of a run's new files, read and validated on any worker; the load, on another, needs its
reports exactly as they were — every cell with its lineage and raw text, every finding with the unit's 说明, the
narrative. Three Parquet files per shard (written by DuckDB, no other library), replacing pickles in a worker's
local folder:

    <folder>/submissions.parquet   one row per file: where it came from, who sent it, which year and format
    <folder>/cells.parquet         one row per cell (value, whether it was a whole number, source, raw text)
    <folder>/findings.parquet      one row per finding, in order

The folder is written under a name of its own attempt and renamed whole, so a reader sees either nothing or all of
it. The first attempt to finish wins: a shard's folder is named by its files' hashes and its content follows from
them, so a later attempt (a retry on another worker while a host cut off from the cluster still finishes the first)
drops its own copy rather than swapping a folder the load may be reading.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from transforms.inbox.archive import IncomingFile
from transforms.model import Cell, Finding, Submission

Batch = list[tuple[IncomingFile, Submission]]
PARTS = ("submissions", "cells", "findings")
_INCOMING = ("path", "sha256", "received_at", "archive_path", "path_b64", "backfill")
_HEAD = ("file", "unit_code", "unit_name", "unit_type", "report_year", "format_version", "unreadable",
         "source_kind")
_FINDING = ("rule", "severity", "message", "section", "row", "column", "cell", "explanation")


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _unjson(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def write_shard(batch: Batch, folder: Path) -> Path:
    """Write ``batch`` as the shard ``folder`` (replacing a previous attempt's); returns the folder."""
    import duckdb
    import pandas as pd

    folder = Path(folder)
    subs, cells, findings = [], [], []
    for i, (incoming, sub) in enumerate(batch):
        subs.append({"i": i, **{f"in_{k}": getattr(incoming, k) for k in _INCOMING}, "sub_sha256": sub.sha256,
                     **{k: getattr(sub, k) for k in _HEAD}, "narrative": _json(sub.narrative),
                     "explanations": _json(sub.explanations)})
        cells += [{"i": i, "section": c.section, "row": c.row, "column": c.column,
                   "value": None if c.value is None else float(c.value),
                   "whole": isinstance(c.value, int), "source": c.source, "raw": _json(c.raw)}
                  for c in sub.cells.values()]
        findings += [{"i": i, "n": n, **{k: getattr(f, k) for k in _FINDING}, "expected": _json(f.expected),
                      "actual": _json(f.actual)} for n, f in enumerate(sub.findings)]
    tmp = folder.with_name(f"{folder.name}.tmp-{uuid.uuid4().hex}")  # own name: attempts never share one
    tmp.mkdir(parents=True)
    con = duckdb.connect()
    try:
        for name, rows, columns in (("submissions", subs, _SUB_COLUMNS), ("cells", cells, _CELL_COLUMNS),
                                    ("findings", findings, _FINDING_COLUMNS)):
            # object columns: DuckDB types them from the values (a year stays an integer beside a missing one)
            frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns})
            con.register("rows", frame)
            con.execute(f"COPY (SELECT * FROM rows) TO '{tmp / f'{name}.parquet'}' (FORMAT parquet)").fetchall()
            con.unregister("rows")
    finally:
        con.close()
    try:
        os.rename(tmp, folder)  # onto a missing (or empty) folder only: an existing result is complete
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (folder / "findings.parquet").exists():
            raise
    return folder


_SUB_COLUMNS = ["i", *(f"in_{k}" for k in _INCOMING), "sub_sha256", *_HEAD, "narrative", "explanations"]
_CELL_COLUMNS = ["i", "section", "row", "column", "value", "whole", "source", "raw"]
_FINDING_COLUMNS = ["i", "n", *_FINDING, "expected", "actual"]


def read_shard(folder: Path) -> Batch:
    """The batch a shard folder holds, as :func:`write_shard` was given it."""
    import duckdb

    folder = Path(folder)
    con = duckdb.connect()
    try:
        def rows(name: str, order: str) -> list[dict]:
            cur = con.execute(f"SELECT * FROM read_parquet('{folder / f'{name}.parquet'}') ORDER BY {order}")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

        head = rows("submissions", "i")
        cells = rows("cells", "i")
        findings = rows("findings", "i, n")
    finally:
        con.close()
    batch: Batch = []
    for r in head:
        incoming = IncomingFile(**{k: r[f"in_{k}"] for k in _INCOMING})
        sub = Submission(r["file"], r["sub_sha256"], **{k: r[k] for k in _HEAD[1:]})
        sub.narrative = {k: tuple(v) for k, v in _unjson(r["narrative"]).items()} if r["narrative"] else None
        sub.explanations = _unjson(r["explanations"]) or {}
        batch.append((incoming, sub))
    for c in cells:
        value = c["value"]
        if value is not None and c["whole"]:
            value = int(value)
        cell = Cell(c["section"], c["row"], c["column"], value, c["source"], _unjson(c["raw"]))
        batch[c["i"]][1].cells[(cell.section, cell.row, cell.column)] = cell
    for f in findings:
        batch[f["i"]][1].findings.append(Finding(**{k: f[k] for k in _FINDING},
                                                 expected=_unjson(f["expected"]), actual=_unjson(f["actual"])))
    return batch
