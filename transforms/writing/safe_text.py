"""Text from a file, written back so that it can never become a formula.

A label, a unit name or a 说明 such as ``=cmd|' /C calc'!A0`` or ``=HYPERLINK(…)`` must reach the office's Excel as
text. In a CSV, Excel runs any cell that begins with ``= + - @`` (or a tab or carriage return before one): such a
cell is prefixed with an apostrophe, which Excel hides and treats as "this is text" (OWASP, CSV injection). A plain
number such as ``-3`` is left as it is. In a workbook, openpyxl stores any string that begins with ``=`` as a
formula: :func:`set_text` stores it as a string cell instead.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(text: str) -> bool:
    head = text.lstrip(" \u3000")
    return head.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text.strip())


def csv_cell(value):
    """A CSV field Excel will show as written: texts that could run as a formula get a leading apostrophe."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def set_text(cell, value) -> None:
    """Put ``value`` into an openpyxl cell; a string is always a string cell, never a formula."""
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
