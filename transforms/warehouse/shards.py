"""A shard's checked reports as Parquet, in storage every worker sees: what a mapped ``check`` task hands the load.

A shard is a few hundred of a run's new files, read and validated on any worker; the load, on another, needs its
reports exactly as they were — every cell with its lineage and raw text, every finding with the unit's 说明, the
narrative. Three Parquet files per shard (written by DuckDB, no other library), replacing pickles in a worker's
local folder:

    <folder>/submissions.parquet   one row per file: where it came from, who sent it, which year and format
    <folder>/cells.parquet         one row per cell (value, whether it was a whole number, source, raw text)
    <folder>/findings.parquet      one row per finding, in order

The load (and anything else) reads shards back through :class:`ShardReports`: the reports' heads first (who, which year, when), then
the whole reports a chunk at a time in the order the load needs, sorted by DuckDB on disk, so the memory of a load
does not grow with the number of reports. :class:`BatchReports` is the same for a batch already in memory.

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
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from transforms.inbox.archive import IncomingFile
from transforms.model import Cell, Finding, Submission

Batch = list[tuple[IncomingFile, Submission]]
_INCOMING = ("path", "sha256", "received_at", "archive_path", "path_b64", "backfill", "area")
_HEAD = ("file", "unit_code", "unit_name", "unit_type", "report_year", "format_version", "unreadable",
         "source_kind")
_FINDING = ("rule", "severity", "message", "section", "row", "column", "cell", "explanation")


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _unjson(text: str | None) -> Any:
    if text is None:
        return None
    if text[:1] == '"' and "\\" not in text:  # a string with nothing escaped (most raw texts): itself
        return text[1:-1]
    return json.loads(text)


def write_shard(batch: Batch, folder: Path) -> Path:
    """Write ``batch`` as the shard ``folder`` (a previous attempt's complete folder is kept); returns the folder."""
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
        for name, rows in (("submissions", subs), ("cells", cells), ("findings", findings)):
            columns = COLUMNS[name]
            frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns})
            con.register("rows", frame)
            # typed here, not from the values: every shard's files have one schema, whatever values it had
            select = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in columns.items())
            con.execute(f"COPY (SELECT {select} FROM rows) TO {_quoted(tmp / f'{name}.parquet')} (FORMAT parquet)")
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


_TEXT, _INT, _BOOL = "VARCHAR", "INTEGER", "BOOLEAN"
COLUMNS = {  # each part's columns and types
    "submissions": {"i": _INT, **{f"in_{k}": _BOOL if k == "backfill" else _TEXT for k in _INCOMING},
                    "sub_sha256": _TEXT, **{k: {"report_year": _INT, "unreadable": _BOOL}.get(k, _TEXT) for k in _HEAD},
                    "narrative": _TEXT, "explanations": _TEXT},
    "cells": {"i": _INT, "section": _TEXT, "row": _TEXT, "column": _TEXT, "value": "DOUBLE", "whole": _BOOL,
              "source": _TEXT, "raw": _TEXT},
    "findings": {"i": _INT, "n": _INT, **dict.fromkeys(_FINDING, _TEXT), "expected": _TEXT, "actual": _TEXT},
}


def _quoted(path: Path) -> str:
    """A path as an SQL string literal (a folder's name may hold a quote)."""
    return "'" + str(path).replace("'", "''") + "'"


def _rows(cur) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# the cells' and findings' columns as :func:`_reports` takes them, after the report's key (tuples: a report has
# hundreds of cells, and a dict per row costs more than the cell)
CELL_FIELDS = '"section", "row", "column", "value", "whole", "source", "raw"'
FINDING_FIELDS = ", ".join(f'"{k}"' for k in (*_FINDING, "expected", "actual"))


def _reports(heads: list[dict], cells: list[tuple], findings: list[tuple], key: str = "i") -> Batch:
    """Reports from rows of the three parts, each part ordered as written: heads as dicts, cells and findings as
    tuples of (the report's key, CELL_FIELDS…) and (the report's key, FINDING_FIELDS…)."""
    batch: Batch = []
    at = {}
    for r in heads:
        at[r[key]] = len(batch)
        batch.append((_incoming(r), _head(r)))
    subs = [sub for _, sub in batch]
    for k, section, row, column, value, whole, source, raw in cells:
        if value is not None and whole:
            value = int(value)
        subs[at[k]].cells[(section, row, column)] = Cell(section, row, column, value, source, _unjson(raw))
    for k, rule, severity, message, section, row, column, cell, explanation, expected, actual in findings:
        subs[at[k]].findings.append(Finding(rule, severity, message, section, row, column, cell, _unjson(expected),
                                            _unjson(actual), explanation))
    return batch


def _incoming(r: dict) -> IncomingFile:
    return IncomingFile(**{k: r[f"in_{k}"] for k in _INCOMING})


def _head(r: dict, parts: Sequence[str] | None = None) -> Submission:
    """A report without its cells and findings; ``parts``: keep only these parts of the narrative."""
    sub = Submission(r["file"], r["sub_sha256"], **{k: r[k] for k in _HEAD[1:]})
    narrative = _unjson(r["narrative"])
    if narrative is not None:
        sub.narrative = {k: tuple(v) for k, v in narrative.items() if parts is None or k in parts}
    sub.explanations = _unjson(r["explanations"]) or {}
    return sub


# -------------------------------------------------------------------------------------------------------------
# Where a load takes its reports from
# -------------------------------------------------------------------------------------------------------------

Key = tuple[int, int]  # (shard, position in it)


class Reports(Protocol):
    """A run's new reports as the load takes them: every report's head, then whole reports in a chosen order."""

    def heads(self, parts: Sequence[str] | None) -> list[tuple[Key, IncomingFile, Submission]]:
        """Every report without its cells and findings, its narrative cut to ``parts`` (None: whole)."""

    def fetch(self, keys: Sequence[Key], chunk: int) -> Iterator[Batch]:
        """The reports of ``keys``, whole, in that order, ``chunk`` at a time."""


class BatchReports:
    """A batch already in memory (a test, a small run)."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch

    def heads(self, parts: Sequence[str] | None) -> list[tuple[Key, IncomingFile, Submission]]:
        return [((0, i), incoming, sub) for i, (incoming, sub) in enumerate(self.batch)]

    def fetch(self, keys: Sequence[Key], chunk: int) -> Iterator[Batch]:
        for start in range(0, len(keys), chunk):
            yield [self.batch[i] for _, i in keys[start:start + chunk]]


class ShardReports:
    """The reports of a run's shard folders. Heads are read at once (small); whole reports are sorted into the
    load's order by DuckDB in a scratch database under ``work`` (on disk, within a memory limit), then read back a
    chunk at a time: the load's memory holds one chunk, however many reports the run has."""

    MEMORY_LIMIT = "128MB"  # the sort spills past it: a province sorts on disk

    def __init__(self, folders: Sequence[Path | str], work: Path) -> None:
        self.folders = [Path(f) for f in folders if f]
        self.work = Path(work)

    def _files(self, part: str) -> str:
        return "[" + ", ".join(_quoted(f / f"{part}.parquet") for f in self.folders) + "]"

    def heads(self, parts: Sequence[str] | None) -> list[tuple[Key, IncomingFile, Submission]]:
        import duckdb

        out = []
        con = duckdb.connect()
        try:
            for shard, folder in enumerate(self.folders):
                for r in _rows(con.execute(f"SELECT * FROM read_parquet({_quoted(folder / 'submissions.parquet')}) "
                                           "ORDER BY i")):
                    out.append(((shard, r["i"]), _incoming(r), _head(r, parts)))
        finally:
            con.close()
        return out

    def fetch(self, keys: Sequence[Key], chunk: int) -> Iterator[Batch]:
        if not keys:
            return
        import duckdb
        import pandas as pd

        self.work.mkdir(parents=True, exist_ok=True)
        scratch = self.work / f"load-order-{uuid.uuid4().hex}.duckdb"
        con = duckdb.connect(str(scratch))
        try:
            con.execute(f"SET memory_limit = '{self.MEMORY_LIMIT}'")
            con.execute(f"SET temp_directory = {_quoted(self.work / (scratch.stem + '.tmp'))}")
            for name, frame in (
                ("load_order", pd.DataFrame.from_records([(s, i, k) for k, (s, i) in enumerate(keys)],
                                                         columns=["shard", "i", "k"])),
                ("shards", pd.DataFrame({"shard": range(len(self.folders)),
                                         "folder": [str(f) for f in self.folders]})),
            ):
                con.register("frame", frame)
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
                con.unregister("frame")
            for part, within in (("submissions", "0"), ("cells", "p.file_row_number"), ("findings", "p.n")):
                # one pass over every shard's file, sorted once; each chunk is then a range of `k`
                con.execute(
                    f"""CREATE TABLE {part} AS
                        SELECT o.k, {within} AS j, p.* EXCLUDE (filename, file_row_number)
                        FROM read_parquet({self._files(part)}, filename = true, file_row_number = true) p
                        JOIN shards s ON p.filename = s.folder || '/{part}.parquet'
                        JOIN load_order o ON o.shard = s.shard AND o.i = p.i
                        ORDER BY o.k, j""")
            for start in range(0, len(keys), chunk):
                span = [start, start + chunk - 1]

                def rows(part: str, fields: str, span=span) -> list:
                    cur = con.execute(f"SELECT {fields} FROM {part} WHERE k BETWEEN ? AND ? ORDER BY k, j", span)
                    return _rows(cur) if fields == "*" else cur.fetchall()

                yield _reports(rows("submissions", "*"), rows("cells", f"k, {CELL_FIELDS}"),
                               rows("findings", f"k, {FINDING_FIELDS}"), key="k")
        finally:
            con.close()
            scratch.unlink(missing_ok=True)
            shutil.rmtree(self.work / (scratch.stem + ".tmp"), ignore_errors=True)
