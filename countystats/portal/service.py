"""What the portal does, apart from HTTP: receive a unit's file, check it, deliver it to the inbox, keep the receipt;
list a unit's receipts with their status after the last nightly run; take a unit's 说明 and the office's decisions.

Every action is written to the audit log with who, when and from where. A unit's records are looked up with its
unit code in the query, so another unit's receipt is not found (the web layer answers 404, as for no receipt).
"""

from __future__ import annotations

import json
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from countystats.portal import delivery, published
from countystats.portal.store import Holder, Store
from countystats.settings import Settings
from transforms.format import EXPLANATION_LINE, RULE_ID
from transforms.inbox.archive import sha256_of
from transforms.model import Finding, status_of

log = logging.getLogger("countystats.portal")


class Refused(Exception):
    """A request the portal turns down: ``status`` is the HTTP code, ``message`` Chinese, ``body`` extra JSON."""

    def __init__(self, status: int, message: str, **body):
        super().__init__(message)
        self.status, self.message, self.body = status, message, body


@dataclass
class Received:
    receipt_id: int
    check: dict  # as `check --json`, with "receipt"
    status: str


@dataclass
class Portal:
    settings: Settings
    store: Store
    checker: object  # countystats.portal.checker.Checker (or anything with check() and feedback())

    @property
    def inbox(self) -> Path:
        return Path(self.settings.inbox)

    def now(self) -> datetime:
        return self.settings.now()

    # ------------------------------------------------------------ a unit sends a file

    def receive(self, holder: Holder, given_name: str, data: bytes, explanations: dict[str, str],
                address: str | None = None) -> Received:
        """Check the file and, unless it is another unit's or no report at all, keep it and give a receipt."""
        from transforms.reading.forms import sniff
        from transforms.reading.guard import Rejected
        from transforms.rules.reading import Unit

        if holder.office:
            raise Refused(403, "县政府办公室的访问码不能报送单位的报告：请用报送单位自己的访问码。")
        shown = delivery.printable_name(given_name)
        if len(data) > self.settings.max_file_bytes:
            self._log(holder, "upload_refused", shown, "too large", address)
            raise Refused(413, f"文件过大（上限 {self.settings.max_file_mb} MB）：一份年度报告通常只有几十 KB。")
        try:
            kind = sniff(data)
        except Rejected as exc:
            self._log(holder, "upload_refused", shown, str(exc), address)
            raise Refused(415, str(exc)) from None
        at, digest = self.now(), sha256_of(data)
        name = delivery.inbox_name(holder.name, holder.area_code, kind, given_name, at)
        spooled = delivery.spool(self.inbox, data, Path(name).suffix)
        try:
            sub = self.checker.check(spooled, name, holder.unit_code, holder.area_code)
            if sub.unit_code and sub.unit_code != holder.unit_code:
                finding = Unit().finding("not_yours", other=sub.unit_name, unit=holder.name, expected=holder.unit_code,
                                         actual=sub.unit_code)
                self._log(holder, "upload_refused", shown, f"another unit's report: {sub.unit_code}", address)
                raise Refused(403, finding.message, findings=[finding.to_json()])
            if explanations:
                sub.explain(explanations)
            feedback = self.checker.feedback(sub, spooled)
            if explanations:  # journaled before the file is in the inbox: the run that takes it sees them
                self._journal(holder, digest, explanations, at)
            got = delivery.deliver(self.inbox, spooled, name, digest, self.now())
        finally:
            spooled.unlink(missing_ok=True)
        sub.sha256 = got.sha256
        check = sub.to_json()
        rid = self.store.add_receipt(
            unit_code=holder.unit_code, area_code=holder.area_code, received_at=got.received_at, sha256=got.sha256,
            size=len(data), file_name=shown, inbox_name=got.inbox_name, report_year=sub.report_year,
            status=sub.status, check_json=json.dumps(check, ensure_ascii=False), feedback=feedback,
            sent_by=holder.key_id)
        check["receipt"] = receipt_json(rid, got.received_at, got.sha256)
        self._log(holder, "upload", rid, f"{shown} → {got.inbox_name} ({sub.status})", address)
        return Received(rid, check, sub.status)

    def _journal(self, holder: Holder, sha256: str, explanations: dict[str, str], at: datetime) -> None:
        from transforms.inbox.explanations import Explanation, record

        stamp = at.isoformat(sep=" ", timespec="seconds")
        record(self.inbox, [Explanation(sha256, rule, reason, holder.name, stamp)
                            for rule, reason in explanations.items()])

    # ------------------------------------------------------------ what a unit (or the office) sees

    def receipts(self, holder: Holder, unit: str | None = None) -> list[dict]:
        """Receipts of the holder's unit (the office: every unit's, or ``unit``'s), newest first, each with its
        immediate check (its verdict and findings; the figures are in the receipt's own answer) and its status after
        the last nightly run."""
        rows = self.store.receipts(self._unit_seen(holder, unit))
        after = published.statuses(Path(self.settings.db), {r["sha256"] for r in rows})
        out = []
        for r in rows:
            listed = self._listed(r, after.get(r["sha256"]))
            check = json.loads(r["check_json"])
            listed["check"] = {k: v for k, v in check.items() if k not in ("cells", "narrative")}
            out.append(listed)
        return out

    def receipt(self, holder: Holder, receipt_id: int, address: str | None = None) -> dict:
        row = self.store.receipt(receipt_id, None if holder.office else holder.unit_code)
        if row is None:
            raise Refused(404, "没有这份回执。")
        after = published.statuses(Path(self.settings.db), {row["sha256"]}).get(row["sha256"])
        out = self._listed(row, after)
        out["check"] = json.loads(row["check_json"])
        out["has_feedback"] = row["feedback"] is not None
        self._log(holder, "view", receipt_id, None, address)
        return out

    def feedback(self, holder: Holder, receipt_id: int, address: str | None = None) -> tuple[bytes, str]:
        row = self.store.receipt(receipt_id, None if holder.office else holder.unit_code)
        if row is None or row["feedback"] is None:
            raise Refused(404, "这份回执没有反馈工作簿（文件无法读取）。" if row else "没有这份回执。")
        self._log(holder, "download_feedback", receipt_id, None, address)
        return row["feedback"], f"反馈-{receipt_id}.xlsx"

    def explain(self, holder: Holder, receipt_id: int, explanations: dict[str, str],
                address: str | None = None) -> dict:
        """The unit's 说明 of warnings of a file it sent: journaled for the nightly run, shown at once."""
        row = self.store.receipt(receipt_id, holder.unit_code if not holder.office else None)
        if row is None or holder.office:
            raise Refused(404, "没有这份回执。")
        check = json.loads(row["check_json"])
        findings = [Finding(**f) for f in check["findings"]]
        warned = {f.rule for f in findings if f.severity != "error"}
        explanations = {rule: text for rule, text in explanations.items() if rule in warned}
        if not explanations:
            raise Refused(422, "请针对提醒逐条填写说明（错误不能用说明代替改正）。")
        self._journal(holder, row["sha256"], explanations, self.now())
        for f in findings:
            if f.severity != "error" and f.rule in explanations:
                f.explanation = explanations[f.rule]
        check["findings"] = [f.to_json() for f in findings]
        check["status"] = status_of(findings, check["status"] == "unreadable")
        self.store.update_check(receipt_id, check["status"], check)
        self._log(holder, "explain", receipt_id, "；".join(f"{k}：{v}" for k, v in explanations.items()), address)
        return self.receipt(holder, receipt_id)

    def completeness(self, holder: Holder, year: int) -> list[dict]:
        if not holder.office:
            raise Refused(403, "只有县政府办公室的访问码能查看全部单位的报送情况。")
        return published.completeness(Path(self.settings.db), year)

    def decide(self, holder: Holder, action: str, ids: list[int], reason: str, address: str | None = None):
        """The office's review decision (countystats review), by the office person who signed in."""
        from countystats.review import ReviewError, decide

        if not holder.office:
            raise Refused(403, "只有县政府办公室的访问码能审核。")
        try:
            done = decide(self.settings, action, ids, reason, by=holder.name)
        except (ReviewError, ValueError) as exc:
            raise Refused(422, str(exc)) from None
        self._log(holder, f"review_{action}", ",".join(map(str, ids)), reason, address)
        return done

    # ------------------------------------------------------------

    def _unit_seen(self, holder: Holder, unit: str | None) -> str | None:
        return (unit or None) if holder.office else holder.unit_code

    def _listed(self, row: dict, after: dict | None) -> dict:
        return {
            "id": row["receipt_id"], "unit_code": row["unit_code"], "unit_name": self._unit_name(row["unit_code"]),
            "file": row["file_name"],
            "received_at": row["received_at"].isoformat(sep=" "), "sha256": row["sha256"],
            "report_year": row["report_year"], "size": row["size"], "check_status": row["status"],
            "status": after["status"] if after else None,
            "nightly": after,
        }

    def _unit_name(self, unit_code: str) -> str:
        unit = self.checker.registry.by_code.get(unit_code)
        return unit.unit_name if unit else unit_code

    def _log(self, holder: Holder | None, action: str, target, detail, address) -> None:
        self.store.log(self.now(), action, holder, target, detail, address)


def receipt_json(rid: int, at: datetime, sha256: str) -> dict:
    return {"id": rid, "received_at": at.isoformat(sep=" "), "sha256": sha256}


def parse_explanations(text: str | None) -> dict[str, str]:
    """A unit's 说明 as typed in one box: a line per rule, beginning with its id (``X-JUMP：原因``), as in a document's
    说明; or a JSON object ``{"X-JUMP": "原因"}``."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise Refused(422, "说明不是有效的 JSON 对象。") from None
        if not isinstance(data, dict):
            raise Refused(422, "说明应为 {规则编号: 原因} 的 JSON 对象。")
        pairs = [(str(k).strip(), str(v).strip()) for k, v in data.items()]
    else:
        pairs = []
        for line in text.splitlines():
            m = EXPLANATION_LINE.match(line)  # as a document's 说明 is read
            if line.strip() and not m:
                raise Refused(422, f"说明“{line.strip()[:40]}”没有以规则编号开头（例如 X-JUMP：原因）。")
            if m:
                pairs.append((unicodedata.normalize("NFKC", m.group(1)), m.group(2).strip()))
    from transforms.inbox.reviews import MAX_REASON

    out = {}
    for rule, reason in pairs:
        if not RULE_ID.fullmatch(rule):
            raise Refused(422, f"“{rule[:40]}”不是规则编号（例如 X-JUMP、T2-FEES）。")
        if len(reason) > MAX_REASON:
            raise Refused(422, f"{rule} 的说明过长（{len(reason)} 字，上限 {MAX_REASON} 字）。")
        if reason:
            out[rule] = reason
    return out
