"""What a run leaves for people, beside the warehouse and the dashboards (``<out>/``):

- ``findings.csv`` (问题清单): the findings of the file each unit-year stands on (its latest), and the inbox entries
  that could not be taken in; ``findings-history.csv`` (问题历史): every finding of every file ever received, when,
  in which run, and whether the file still stands. Chinese headers and labels, UTF-8 with BOM (Excel opens it), every
  text neutralised so it can never become a formula.
- ``feedback/<unit>/<file>-问题标注.xlsx`` (``<county>·<unit>`` where the deployment has several counties): for every file that stands and is rejected (未通过), held (待核实) or
  returned (退回), the unit's own workbook with each problem cell marked and a 问题清单 sheet — what the office sends
  back. Kept in step with the warehouse: written when missing or when the file's findings changed, removed when the
  file no longer needs one (``feedback/index.json`` remembers which file made which workbook).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from countystats.settings import Settings
from transforms.format import SEVERITY_ZH, STATUS_ZH, current, sql_list
from transforms.warehouse.views import unit_label

log = logging.getLogger("countystats.outputs")
FINDINGS_NAME, HISTORY_NAME, FEEDBACK_DIR = "findings.csv", "findings-history.csv", "feedback"
FINDINGS_HEADER = ("文件", "单位", "报告年度", "状态", "规则", "级别", "表", "行", "列", "单元格", "说明", "应为", "实为",
                   "单位解释")
HISTORY_HEADER = ("收到时间", "运行编号", "是否现行", *FINDINGS_HEADER)
NOT_TAKEN_ZH = "未接收"
NEEDS_FEEDBACK = ("rejected", "needs_review", "returned")  # what the unit must act on
TABLE_ZH = {s.code: s.short for s in current().sections}

# the file each unit-year stands on: its latest (a file whose unit or year is unknown stands alone)
_STANDS = """submission_id IN (
    SELECT arg_max(submission_id, (received_at, submission_id)) FROM submissions
    GROUP BY coalesce(unit_code, sha256), coalesce(report_year, -1))"""
_FINDINGS = f"""
    SELECT s.received_at, s.run_id, {_STANDS} AS stands, s.source_file, {unit_label("s", "a")}, s.report_year,
           s.status,
           f.rule, f.severity, f.section, coalesce(r.row_label, f.row_code), coalesce(c.column_label, f.column_code),
           f.cell, f.message, f.expected, f.actual, f.explanation
    FROM findings f JOIN submissions s USING (submission_id) LEFT JOIN areas a ON a.area_code = s.area_code
    LEFT JOIN (SELECT format_version, section, row_code, first(row_label) AS row_label FROM format_cells
               GROUP BY format_version, section, row_code) r
           ON r.format_version = s.format_version AND r.section = f.section AND r.row_code = f.row_code
    LEFT JOIN (SELECT format_version, section, row_code, column_code, first(column_label) AS column_label
               FROM format_cells GROUP BY ALL) c
           ON c.format_version = s.format_version AND c.section = f.section AND c.row_code = f.row_code
              AND c.column_code = f.column_code
    ORDER BY s.report_year, s.unit_code, s.received_at, s.submission_id, f.finding_no"""


def _shown(row: tuple) -> tuple:
    got, run, stands, file, unit, year, status, rule, severity, section, *rest = row
    return (got, run, "是" if stands else "否", file, unit, year, STATUS_ZH.get(status, status), rule,
            SEVERITY_ZH.get(severity, severity), TABLE_ZH.get(section, section), *rest)


def write_findings(db: Path, out: Path, problems: list[dict] = ()) -> tuple[Path, Path]:
    """``findings.csv`` (what stands, and the inbox entries not taken in) and ``findings-history.csv``."""
    from transforms.warehouse import connect

    con = connect(db, read_only=True)
    try:
        rows = [_shown(r) for r in con.execute(_FINDINGS).fetchall()]
    finally:
        con.close()
    standing = [r[3:] for r in rows if r[2] == "是"] + [
        (p["file"], None, None, NOT_TAKEN_ZH, "R-FORMAT", SEVERITY_ZH["error"], None, None, None, None,
         f"文件未接收：{p['reason']}", None, p.get("detail") or None, None)
        for p in problems
    ]
    return (_csv(out / FINDINGS_NAME, FINDINGS_HEADER, standing),
            _csv(out / HISTORY_NAME, HISTORY_HEADER, rows))


def _csv(target: Path, header: tuple, rows: list) -> Path:
    from transforms.writing.safe_text import csv_cell

    tmp = target.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens Chinese CSV correctly
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows([csv_cell(v) for v in row] for row in rows)
    os.replace(tmp, target)
    return target


@dataclass
class Feedback:
    folder: Path
    written: int = 0
    kept: int = 0
    removed: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.written + self.kept


def write_feedback(db: Path, settings: Settings) -> Feedback:
    """The feedback workbooks of every standing file a unit must act on, in step with the warehouse."""
    from countystats.review import safe_name
    from transforms.isolation import Failure, Limits, WorkerPool
    from transforms.warehouse import connect, stored_submission

    folder = Path(settings.out) / FEEDBACK_DIR
    index_path = folder / "index.json"
    index: dict[str, dict] = json.loads(index_path.read_text(encoding="utf-8")) if index_path.exists() else {}
    con = connect(db, read_only=True)
    try:
        wanted = con.execute(
            f"""SELECT s.submission_id, s.sha256, {unit_label("s", "a")}, s.source_file, s.archive_path
                FROM submissions s LEFT JOIN areas a ON a.area_code = s.area_code
                WHERE {_STANDS} AND s.status IN {sql_list(NEEDS_FEEDBACK)} ORDER BY s.submission_id""").fetchall()
        tasks, plan = [], {}
        for sid, sha, unit, file, archived in wanted:
            sub = stored_submission(con, sid)
            fingerprint = hashlib.sha256(json.dumps(
                [(f.rule, f.severity, f.cell, f.message, f.explanation) for f in sub.findings],
                ensure_ascii=False).encode()).hexdigest()
            known = index.get(sha)
            name = f"{safe_name(unit or '单位未识别')}/{safe_name(Path(file).stem)}-问题标注" \
                   f"{'.xlsm' if Path(file).suffix.lower() == '.xlsm' else '.xlsx'}"
            entry = {"path": name, "findings": fingerprint}
            if known == entry and (folder / name).exists():
                plan[sha] = entry  # made before from the same findings
            elif archived and Path(archived).exists():
                plan[sha] = entry
                tasks.append((sha, (sub, Path(archived), folder / name)))
    finally:
        con.close()
    result = Feedback(folder, kept=len(plan) - len(tasks))
    if tasks:
        limits = Limits(memory_mb=settings.read_memory_mb, seconds=settings.read_timeout_s)
        workers = max(1, min(settings.read_workers or min(os.cpu_count() or 1, 4), len(tasks)))
        with WorkerPool("expectations.feedback:write_feedback", workers=workers, limits=limits) as pool:
            for (sha, task), done in zip(tasks, pool.map([t for _, t in tasks]), strict=True):
                if isinstance(done, Failure):  # the verdict stands; only the marked copy could not be made
                    log.warning("countystats: 无法生成反馈工作簿 %s：%s", task[1].name, done.reason_zh(limits))
                    plan.pop(sha)
                    result.failed += 1
                else:
                    result.written += 1
    for sha, entry in index.items():
        if sha not in plan or plan[sha]["path"] != entry["path"]:
            (folder / entry["path"]).unlink(missing_ok=True)
            result.removed += sha not in plan
    folder.mkdir(parents=True, exist_ok=True)
    tmp = index_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(plan, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, index_path)
    return result
