"""Read a warehouse as an analyst does: a read-only connection, opened and closed for each query."""

from __future__ import annotations

from pathlib import Path

import duckdb


def query(db: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()
