"""What the portal reads of the published warehouse: each received file's status after the last nightly run, and
completeness for the office. Opened read-only for one query: the nightly run replaces the file whole (a rename), so
the portal sees either the last published warehouse or the one before, never half of one, and never blocks it."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

log = logging.getLogger("countystats.portal")


def _query(db: Path, sql: str, params: list) -> list[dict]:
    from transforms.warehouse import connect

    if not db.exists():
        return []
    try:
        con = connect(db, read_only=True)
    except Exception as exc:  # being replaced at this instant, or not yet published: nothing known yet
        log.warning("countystats portal: 无法打开已发布的数据仓库 %s（%s）", db, exc)
        return []
    try:
        cur = con.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def statuses(db: Path, shas: set[str]) -> dict[str, dict]:
    """sha256 → the file's submission in the published warehouse: id, status, errors, warnings, run, is_current."""
    if not shas:
        return {}
    rows = _query(db, "SELECT sha256, submission_id, status, report_year, error_count, warning_count, run_id, "
                      "is_current, loaded_at FROM submissions WHERE list_contains(?, sha256)", [sorted(shas)])
    out = {}
    for r in rows:
        r["loaded_at"] = r["loaded_at"].isoformat(sep=" ") if r["loaded_at"] else None
        out[r.pop("sha256")] = r
    return out


def completeness(db: Path, year: int) -> list[dict]:
    """Every expected unit's status for ``year`` (the relation ``completeness``, as published)."""
    rows = _query(db, "SELECT c.unit_code, c.unit_name, c.unit_type, c.area_code, c.report_year, c.status, "
                      "c.submission_id, c.first_received_at, c.deadline, c.on_time, s.warning_count, s.error_count "
                      "FROM completeness c LEFT JOIN submissions s USING (submission_id) WHERE c.report_year = ? "
                      "ORDER BY c.area_code, c.unit_code", [year])
    for r in rows:
        for k in ("first_received_at", "deadline"):
            r[k] = r[k].isoformat(sep=" ") if isinstance(r[k], datetime) else (r[k].isoformat() if r[k] else None)
    return rows
