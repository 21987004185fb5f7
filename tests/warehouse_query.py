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


WAREHOUSE_CONTENT = {  # what a warehouse says, by the files' hashes (ids and load times differ between runs)
    "submissions": "SELECT sha256, unit_code, report_year, format_version, source_kind, status, is_current, is_late, "
                   "error_count, warning_count, notice_count FROM submissions",
    "findings": "SELECT s.sha256, f.finding_no, f.rule, f.severity, f.section, f.row_code, f.column_code, f.cell, "
                "f.message, f.expected, f.actual, f.explanation FROM findings f JOIN submissions s USING (submission_id)",
    "cells": "SELECT s.sha256, v.section, v.row_code, v.column_code, v.value, v.is_blank, v.source_cell, v.raw "
             "FROM cell_values v JOIN submissions s USING (submission_id)",
    "narratives": "SELECT s.sha256, n.section, n.text, n.source FROM narratives n JOIN submissions s USING (submission_id)",
    "copies": "SELECT a.sha256, c.section, b.sha256, c.similarity FROM narrative_copies c JOIN submissions a "
              "USING (submission_id) JOIN submissions b ON b.submission_id = c.other_submission_id",
    "completeness": "SELECT unit_code, report_year, status, on_time FROM completeness",
    "totals": "SELECT report_year, scope, section, row_code, column_code, value, reports FROM county_totals",
}


def warehouse_content(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in WAREHOUSE_CONTENT.items()}
    finally:
        con.close()
