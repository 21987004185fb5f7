"""How the rules' messages say numbers and cells, so every message says them alike.

Labels come from the format objects (``Section.describe``, ``Row.title``); nothing here spells a label.
"""

from __future__ import annotations

from transforms.format import Section
from transforms.model import Submission


def num(v) -> str:
    """12 → '12'; 12.0 → '12'; 190.457379 → '190.457379' (never scientific notation, never '12.0'); None → 空白."""
    if v is None:
        return "空白"
    f = float(v)
    if f == int(f):
        return str(int(f))
    return f"{f:.6f}".rstrip("0").rstrip(".")


def plain(v):
    """A number for Finding.expected/actual: int when integral (JSON shows 12, not 12.0); text stays text."""
    if v is None or isinstance(v, str):
        return v
    f = float(v)
    return int(f) if f == int(f) else round(f, 6)


def at(source: str | None) -> str:
    """（Sheet1!D9） after a cell's description, or nothing for a derived cell."""
    return f"（{source}）" if source else ""


def col(section: Section, code: str) -> str:
    return f"“{section.column_by_code[code].label.text}”"


def row(section: Section, code: str) -> str:
    return f"“{section.row_by_code[code].title}”"


def source(sub: Submission, section: str, row_code: str | None, column: str | None) -> str | None:
    cell = sub.cells.get((section, row_code, column)) if row_code and column else None
    return cell.source if cell else None
