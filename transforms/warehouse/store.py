"""The warehouse file: its schema, and publication that never disturbs a reader.

Publication never touches the published file while building: :func:`open_staging` copies the published warehouse
to a staging file next to it, everything is loaded there (:mod:`.loading`), and :func:`publish` moves it over the
published path with ``os.replace`` (atomic on one file system). Analysts' read-only connections keep the old snapshot
until they reconnect; a run that dies half-way leaves the published file as it was (stack-facts.md, DuckDB 2.0).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from transforms.warehouse import views
from transforms.warehouse.schema import BY_NAME, RELATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import duckdb


# ---------------------------------------------------------------- schema


# DuckDB's own memory on every connection the job opens (its default, 80% of the machine, is for a database server,
# not a task beside others on a worker): past it, a query spills to a temp folder instead of growing with the data
MEMORY_MB = 256


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect(str(path), read_only=read_only)
    # SET, not connect(config=…): a connection of this process to the same file with another config would refuse
    con.execute(f"SET memory_limit = '{MEMORY_MB}MB'").fetchall()
    return con


def _one(con, sql: str, params: list | None = None):
    """The first row of a query, fetched to the end: DuckDB 2.0 keeps a half-fetched result open on the
    connection, and an open result blocks ``register`` (bulk inserts) until it is drained."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal").fetchall()}
    if "meta" in have:
        row = _one(con, "SELECT value FROM meta WHERE key = 'schema_version'")
        version = int(row[0]) if row else 0
        if version != SCHEMA_VERSION:
            raise RuntimeError(
                f"数据仓库结构版本为 {version}，本程序需要 {SCHEMA_VERSION}：请运行 `countystats rebuild` 从归档重建 "
                f"(warehouse schema version {version}, this code needs {SCHEMA_VERSION}: run `countystats rebuild`)"
            )
    for rel in RELATIONS:
        if rel.kind == "table":
            con.execute(rel.ddl())
    _write_format_cells(con)
    for statement in views.statements():  # the read models, from transforms/warehouse/sql/
        con.execute(statement)
    for rel in RELATIONS:
        for stmt in rel.comment_statements():
            con.execute(stmt)
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
    )


def _write_format_cells(con) -> None:
    """format_cells from the format definition, as this code knows it (a registered frame: executemany costs
    milliseconds a row)."""
    import pandas as pd

    names = [c.name for c in BY_NAME["format_cells"].columns]
    con.execute("DELETE FROM format_cells")
    con.register("format_cell_rows", pd.DataFrame.from_records(views.format_cells(), columns=names))
    try:
        con.execute(f"INSERT INTO format_cells SELECT {', '.join(names)} FROM format_cell_rows")
    finally:
        con.unregister("format_cell_rows")


# ---------------------------------------------------------------- staging and publication


def staging_path(published: Path, run_id: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)
    return published.with_name(f".{published.name}.{safe}.staging")


def _fingerprint(path: Path) -> str:
    """Identity of the published file: every publication is a new inode (os.replace), so this changes with it."""
    if not path.exists():
        return "none"
    st = path.stat()
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _base_file(staging: Path) -> Path:
    return staging.with_name(staging.name + ".base")


def open_staging(published: Path, staging: Path, fresh: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a private copy of the published warehouse (or a new one: ``fresh``, or none yet)."""
    staging.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (staging, staging.with_name(staging.name + ".wal"), _base_file(staging)):
        leftover.unlink(missing_ok=True)
    base = _fingerprint(published)
    if published.exists() and not fresh:
        # the published file is always checkpointed and closed (see publish), so its bytes are a full snapshot
        shutil.copyfile(published, staging)
    if _fingerprint(published) != base:
        raise ConcurrentRunError(f"{published} was replaced while being copied; run again")
    _base_file(staging).write_text(base)
    con = connect(staging)  # within MEMORY_MB: DuckDB writes a province's warehouse out as it grows
    ensure_schema(con)
    return con


def sweep_stale(published: Path, max_age_s: float = 6 * 3600) -> list[Path]:
    """Remove staging files that runs killed half-way left behind (old enough that no run still writes them)."""
    import time

    removed = []
    for path in published.parent.glob(f".{published.name}.*.staging*"):
        if time.time() - path.stat().st_mtime > max_age_s:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def finish_staging(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CHECKPOINT")  # everything in the main file, no .wal to lose in the rename
    con.close()


def discard_staging(staging: Path) -> None:
    for path in (staging, staging.with_name(staging.name + ".wal"), _base_file(staging)):
        path.unlink(missing_ok=True)


class ConcurrentRunError(RuntimeError):
    """Another run published since this one copied the warehouse: publishing would lose that run's loads."""


def publish(staging: Path, published: Path) -> Path:
    if staging.with_name(staging.name + ".wal").exists():
        raise RuntimeError(f"{staging} was not checkpointed; refusing to publish it")
    base = _base_file(staging)
    if base.exists() and base.read_text() != _fingerprint(published):
        # compare-and-swap: e.g. `countystats run` by hand while the DAG runs; the retry reloads on the new state
        discard_staging(staging)
        raise ConcurrentRunError(f"{published} changed since this run started; not overwriting it")
    os.replace(staging, published)
    base.unlink(missing_ok=True)
    return published


def published_run_id(published: Path) -> str | None:
    if not published.exists():
        return None
    con = connect(published, read_only=True)
    try:
        row = _one(con, "SELECT value FROM meta WHERE key = 'last_run_id'")
    finally:
        con.close()
    return row[0] if row else None
