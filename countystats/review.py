"""The county office's review (`countystats review`): list what waits, accept, return, reopen.

A decision is written to the archive's journal (``transforms/inbox/reviews.py``) at once, durably, with who, when and
why; it takes effect at the next run (or rebuild), which loads the journal into the relation ``reviews`` and sets
each file's status from its findings and its latest decision (``transforms.model.status_of``). Returning a report
also writes, for the unit, the 退回通知 and its workbook with every problem marked
(``<out>/returns/<unit>/``). Reads the published warehouse read-only, like any analyst: never blocks the night.
"""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from countystats.settings import Settings
from transforms.format import SEVERITY_ZH, STATUS_ZH
from transforms.inbox import reviews
from transforms.inbox.reviews import Decision

log = logging.getLogger("countystats.review")


class ReviewError(ValueError):
    """A decision that cannot be taken; the message says why, in Chinese."""


@dataclass
class Waiting:
    """A file as ``review list`` shows it."""

    submission_id: int
    unit_name: str | None
    report_year: int | None
    file: str
    status: str
    warnings: int
    received_at: datetime
    pending: str | None = None  # a decision recorded since the last run, not applied yet


@dataclass
class Decided:
    decisions: list[Decision]
    documents: list[Path] = field(default_factory=list)  # 退回通知 and feedback workbooks written


def _published(settings: Settings):
    from transforms.warehouse import connect

    db = Path(settings.db)
    if not db.exists():
        raise ReviewError(f"数据仓库不存在：{db}（请先运行 countystats run）")
    return connect(db, read_only=True)


def listing(settings: Settings, year: int | None = None, status: str | None = "needs_review") -> list[Waiting]:
    """Files of the published warehouse with ``status`` (None: every status) of ``year`` (None: every year)."""
    if status is not None and status not in STATUS_ZH:
        raise ReviewError(f"状态“{status}”不存在：可选 {'、'.join(STATUS_ZH)}")
    con = _published(settings)
    try:
        rows = con.execute(
            "SELECT submission_id, unit_name, report_year, source_file, status, warning_count, received_at, sha256 "
            "FROM submissions WHERE ($status IS NULL OR status = $status) AND ($year IS NULL OR report_year = $year) "
            "ORDER BY report_year, unit_code, received_at", {"status": status, "year": year}).fetchall()
        applied = {(sha, action, str(at)) for sha, action, at in con.execute(
            "SELECT sha256, action, decided_at FROM reviews").fetchall()}
    finally:
        con.close()
    latest = reviews.latest(reviews.read(Path(settings.archive)))
    out = []
    for sid, unit, y, file, st, warnings, got, sha in rows:
        d = latest.get(sha)
        pending = d.action if d and (d.sha256, d.action, str(datetime.fromisoformat(d.decided_at))) not in applied \
            else None
        out.append(Waiting(sid, unit, y, file, st, warnings, got, pending))
    return out


ACCEPTABLE = ("needs_review",)  # warnings nobody explained: the office may accept them
RETURNABLE = ("accepted", "accepted_with_warnings", "needs_review", "rejected")  # a readable file


def decide(settings: Settings, action: str, ids: list[int], reason: str, by: str | None = None,
           now: datetime | None = None) -> Decided:
    """Record the office's decision on the files ``ids`` (submission ids of the published warehouse), all or none:
    a file that cannot take it stops the whole decision, with why."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("请写明理由（--reason）：每个决定都要记下是谁、何时、为什么")
    if len(reason) > reviews.MAX_REASON:
        raise ReviewError(f"理由过长（{len(reason)} 字，上限 {reviews.MAX_REASON} 字）")
    by = (by or getpass.getuser()).strip()
    at = (now or settings.now()).isoformat(sep=" ", timespec="seconds")
    con = _published(settings)
    try:
        found = {sid: (sha, status, unit) for sid, sha, status, unit in con.execute(
            "SELECT submission_id, sha256, status, unit_name FROM submissions").fetchall()}
        reviewed = {sid for (sid,) in con.execute("SELECT DISTINCT submission_id FROM reviews").fetchall()}
    finally:
        con.close()
    journal = reviews.latest(reviews.read(Path(settings.archive)))
    problems = []
    for sid in ids:
        if sid not in found:
            problems.append(f"编号 {sid} 不存在（用 countystats review list 查看编号）")
            continue
        sha, status, unit = found[sid]
        shown = f"编号 {sid}（{unit or '单位未识别'}，{STATUS_ZH.get(status, status)}）"
        if action == "accept" and status not in ACCEPTABLE:
            why = "有错误的报告不能接受，只能由单位改正后重新报送" if status == "rejected" else "没有待核实的提醒"
            problems.append(f"{shown}：{why}")
        elif action == "return" and status not in RETURNABLE:
            problems.append(f"{shown}：文件无法读取，不能退回（请直接联系单位重新报送）")
        elif action == "reopen" and sid not in reviewed and sha not in journal:
            problems.append(f"{shown}：还没有审核决定，无需撤销")
    if problems:
        raise ReviewError("未记录任何决定：\n" + "\n".join(f"  - {p}" for p in problems))
    decisions = [Decision(found[sid][0], action, reason, by, at) for sid in dict.fromkeys(ids)]
    reviews.record(Path(settings.archive), decisions)
    documents = []
    if action == "return":
        for sid in dict.fromkeys(ids):
            documents += return_documents(settings, sid, reason, by, at)
    return Decided(decisions, documents)


def return_documents(settings: Settings, sid: int, reason: str, by: str, at: str) -> list[Path]:
    """The 退回通知 (text) and the unit's workbook with every problem marked, in ``<out>/returns/<unit>/``."""
    from transforms.warehouse import stored_submission

    con = _published(settings)
    try:
        sub = stored_submission(con, sid)
        archived, got = con.execute("SELECT archive_path, received_at FROM submissions WHERE submission_id = ?",
                                    [sid]).fetchone()
    finally:
        con.close()
    folder = Path(settings.out) / "returns" / safe_name(sub.unit_name or "单位未识别")
    folder.mkdir(parents=True, exist_ok=True)
    stem = safe_name(Path(sub.file).stem)
    notice = folder / f"{stem}-退回通知.txt"
    notice.write_text(_notice(sub, got, reason, by, at), encoding="utf-8")
    out = [notice]
    workbook = feedback_workbook(sub, Path(archived), folder / f"{stem}-问题标注{_workbook_suffix(sub.file)}", settings)
    if workbook is not None:
        out.append(workbook)
    return out


def feedback_workbook(sub, source: Path, target: Path, settings: Settings) -> Path | None:
    """The unit's own workbook with its problem cells marked and a 问题清单 sheet; None when the file cannot carry
    it (the reason is logged: the decision stands without it)."""
    from expectations.feedback import FeedbackFailed, write_feedback_isolated
    from transforms.isolation import Limits

    if sub.unreadable or not source.exists():
        return None
    try:
        return write_feedback_isolated(sub, source, target, Limits(memory_mb=settings.read_memory_mb,
                                                                   seconds=settings.read_timeout_s))
    except FeedbackFailed as exc:
        log.warning("countystats: %s：%s", sub.file, exc)
        return None


def _workbook_suffix(name: str) -> str:
    return ".xlsm" if Path(name).suffix.lower() == ".xlsm" else ".xlsx"


def _notice(sub, received: datetime, reason: str, by: str, at: str) -> str:
    problems = [f for f in sub.findings if f.severity in ("error", "warning") and not f.explanation]
    lines = [
        "退回通知", "",
        f"{sub.unit_name or '报送单位'}：",
        f"    你单位于 {received:%Y年%m月%d日} 报送的《{Path(sub.file).name}》（{sub.report_year or ''}年度政府信息公开工作"
        "年度报告）经县政府办公室审核，现予退回，请修改后重新报送。",
        f"    退回原因：{reason}",
    ]
    if problems:
        lines += ["", f"    校验发现的问题（共 {len(problems)} 条，详见同一文件夹中的问题标注工作簿）："]
        lines += [f"    {i}. 【{SEVERITY_ZH[f.severity]} {f.rule}】{f.message}" for i, f in enumerate(problems, 1)]
    lines += ["", f"县政府办公室（{by}）", at[:10], ""]
    return "\n".join(lines)


def safe_name(text: str) -> str:
    """A file or folder name from a unit's or file's name: no separators or control characters, bounded."""
    cleaned = "".join("_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in text).strip(" .")
    return (cleaned or "_")[:80]
