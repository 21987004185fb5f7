"""The units' 说明 written on the portal, kept as a journal: in the inbox (``.explanations.jsonl``), then the archive.

A unit explains a warning of its report (why the figure is right) in the file itself — a sheet 说明, or lines in a
Word/PDF text — or, since the portal keeps the file byte for byte, on the portal. A portal 说明 is about a file (its
sha256, which a rebuild keeps) and a rule (``X-JUMP``), with who wrote it and when. The portal appends it to the
inbox's journal (hidden: the inbox scan never takes it for a submission), several portal processes at once if need
be; every run first copies the lines the archive's journal does not hold yet into it (:func:`collect`), so the
archive alone is enough for a rebuild, like the office's review decisions (:mod:`.reviews`). The load applies each
file's latest 说明 per rule to the file's warnings and notices (never to an error: an error cannot be explained
away), over any 说明 the file gave for the same rule — to files loaded now and to files loaded in earlier runs.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from transforms.format import RULE_ID
from transforms.inbox.journal import append_lines, read_lines
from transforms.inbox.reviews import MAX_REASON

log = logging.getLogger("countystats.explanations")
INBOX_JOURNAL = ".explanations.jsonl"  # in the inbox, where the portal writes (hidden: never a submission)
JOURNAL = "explanations.jsonl"  # in the archive: what the nightly run and a rebuild read
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Explanation:
    sha256: str  # the file's, as the archive names it
    rule: str  # the rule whose warning it explains: X-JUMP, T2-SUM, N-COPY
    reason: str  # the 说明: why the figure is right
    explained_by: str  # who wrote it on the portal
    explained_at: str  # ISO, the county's local time

    def __post_init__(self) -> None:
        if not _SHA256.fullmatch(self.sha256):
            raise ValueError(f"sha256 {self.sha256!r} is not 64 lowercase hex digits")
        if not RULE_ID.fullmatch(self.rule):
            raise ValueError(f"rule {self.rule!r} is not a rule id (X-JUMP, T2-SUM)")
        if not self.reason.strip():
            raise ValueError("a 说明 needs its reason")
        if len(self.reason) > MAX_REASON:
            raise ValueError(f"a 说明 is at most {MAX_REASON} characters ({len(self.reason)})")
        datetime.fromisoformat(self.explained_at)


def record(folder: Path, items: list[Explanation], name: str = INBOX_JOURNAL) -> None:
    """Append ``items`` to the journal ``folder/name`` (default: the inbox's), in one write, durably, before anyone
    is told they are kept; several processes may append at once."""
    append_lines(folder / name, (asdict(e) for e in items))


def read(folder: Path, name: str = JOURNAL) -> list[Explanation]:
    """Every 说明 of the journal ``folder/name`` (default: the archive's) in the order written; a line that cannot be
    read (cut short, or not a 说明) is skipped, said."""
    return read_lines(folder / name, _explanation, "说明记录")


def _explanation(data: dict) -> Explanation:
    return Explanation(str(data["sha256"]), str(data["rule"]), str(data["reason"])[:MAX_REASON],
                       str(data["explained_by"]), str(data["explained_at"]))


def latest(items: list[Explanation]) -> dict[str, dict[str, str]]:
    """Each file's 说明 by rule: sha256 → rule → reason, a later line over an earlier one (what the load applies)."""
    out: dict[str, dict[str, str]] = {}
    for e in items:
        out.setdefault(e.sha256, {})[e.rule] = e.reason
    return out


def collect(inbox: Path, archive: Path) -> int:
    """Copy the inbox journal's 说明 that the archive's journal does not hold yet into it, in the order written (so
    a rebuild has them); returns how many. The inbox journal is left as it is (the portal may be appending)."""
    held = set(read(archive, JOURNAL))
    new = []
    for e in read(inbox, INBOX_JOURNAL):
        if e not in held:
            held.add(e)
            new.append(e)
    record(archive, new, JOURNAL)
    if new:
        log.info("countystats: 收到门户填写的说明 %d 条，已存入归档", len(new))
    return len(new)
