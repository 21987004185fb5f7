"""The county office's review decisions, kept in the archive as a journal (``archive/reviews.jsonl``).

A decision is about a file (its sha256, which a rebuild keeps), not about a row of the warehouse (whose ids a rebuild
renumbers): accept a report held by its warnings, return a report to its unit with a reason, or reopen it. Each
line says who decided, when and why; lines are only ever appended (one fsync per decision), so the history is the
journal itself and survives losing the warehouse. The next run (or a rebuild) loads the journal into the relation
``reviews`` and applies each file's latest decision to its status (``transforms.model.status_of``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from transforms.inbox.journal import append_lines, read_lines
from transforms.model import REVIEW_ACTIONS

JOURNAL = "reviews.jsonl"
MAX_REASON = 2000  # characters: a reason is a sentence or a paragraph, not a document


@dataclass(frozen=True)
class Decision:
    sha256: str
    action: str  # accept | return | reopen
    reason: str
    decided_by: str
    decided_at: str  # ISO, the county's local time

    def __post_init__(self) -> None:
        if self.action not in REVIEW_ACTIONS:
            raise ValueError(f"action {self.action!r} is not one of {REVIEW_ACTIONS}")
        if not self.reason.strip():
            raise ValueError("a decision needs its reason")
        datetime.fromisoformat(self.decided_at)


def record(archive: Path, decisions: list[Decision]) -> None:
    """Append decisions to the journal, durably, before anyone is told they are kept."""
    append_lines(archive / JOURNAL, (asdict(d) for d in decisions))


def read(archive: Path) -> list[Decision]:
    """Every decision in the order made; a line that cannot be read (cut short by a full disk) is skipped, said."""
    return read_lines(archive / JOURNAL, _decision, "审核记录")


def _decision(data: dict) -> Decision:
    return Decision(str(data["sha256"]), str(data["action"]), str(data["reason"])[:MAX_REASON],
                    str(data["decided_by"]), str(data["decided_at"]))


def latest(decisions: list[Decision]) -> dict[str, Decision]:
    """Each file's latest decision (what its status follows)."""
    out: dict[str, Decision] = {}
    for d in decisions:
        out[d.sha256] = d
    return out
