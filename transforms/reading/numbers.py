"""Turning a value cell's content into a number, or saying in Chinese why it is not one.

Real units type ``251000元``, ``5件``, full-width ``１２``, ``1,234``, or ``—`` / ``/`` / ``无`` for zero. Those are read (and
reported as a notice, so the unit learns to type plain numbers); anything else is an error naming the text. A blank
stays blank (None): blank is not zero. A unit written in the cell is converted, never guessed: ``32500元`` in a 万元
cell is 3.25, the text kept as typed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from transforms.format import FORMATS, MAX_VALUE, WAN_YUAN, YUAN, ZERO_WORDS, Label, Measure

# units written inside a cell (5件, 251000元, 3.5万元): every measure's unit, plus 元; longest first
_UNITS = tuple(
    sorted(
        {m.unit for f in FORMATS.values() for s in f.sections for b in s.blocks for m in b.measures if m.unit}
        | {m.unit for f in FORMATS.values() for s in f.sections for m in s.columns if m.unit}
        | {YUAN},
        key=len,
        reverse=True,
    )
)
_DASHES = str.maketrans({c: ZERO_WORDS[0] for c in "-–－―─"})  # every dash a clerk types means the same
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_MINUS = str.maketrans({"−": "-", "–": "-", "﹣": "-"})


@dataclass(frozen=True)
class Parsed:
    value: int | float | None
    raw: object = None  # the original content when it was not already a plain number
    note: str | None = None  # why the content was changed (→ R-NUMBER notice)
    error: str | None = None  # why it is not a number (→ R-NUMBER error)


BLANK = Parsed(None)
_WHOLE = tuple(Parsed(n) for n in range(1000))  # Parsed is immutable: share the small counts


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    if not value or value.isspace():  # str.isspace() is the \s of _SPACES; skip the regex for most cells
        return True
    return ("\u200b" in value or "\ufeff" in value) and not _SPACES.sub("", value)


_ANY = Measure("any", Label(""), decimal=True, signed=True)  # accepts every number: for telling values from labels
# a measure's kind as far as parsing goes: decimal, signed, and its unit where a unit typed in the cell converts
_MEASURES = {(d, s, u): Measure("any", Label(""), decimal=d, signed=s, unit=u)
             for d in (False, True) for s in (False, True) for u in ("", WAN_YUAN)}
IN_YUAN = "金额写的是元，已换算为万元"


def looks_like_value(value: object) -> bool:
    """A cell that holds (or means) a number, as opposed to a label."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        return _text_is_value(value)
    return False


@lru_cache(maxsize=8192)
def _text_is_value(text: str) -> bool:
    return parse(text, _ANY).error is None


def parse(value: object, measure: Measure | None = None) -> Parsed:
    if type(value) is float and value.is_integer() and 0 <= value <= MAX_VALUE:
        # the common case (calamine's numbers are floats): what the checks below give, without building it
        n = int(value)
        return _WHOLE[n] if n < len(_WHOLE) else Parsed(n)
    if type(value) is int and 0 <= value <= MAX_VALUE:  # calamine's whole numbers of an .xls, likewise
        return _WHOLE[value] if value < len(_WHOLE) else Parsed(value)
    if type(value) is str:
        # texts recur (0, ０, —, /, 无, 5件): parse each once per kind of measure; Parsed is immutable
        return _parse_text(value, bool(measure and measure.decimal), bool(measure and measure.signed),
                           WAN_YUAN if measure is not None and measure.unit == WAN_YUAN else "")
    return _parse(value, measure)


@lru_cache(maxsize=8192)
def _parse_text(text: str, decimal: bool, signed: bool, unit: str) -> Parsed:
    return _parse(text, _MEASURES[(decimal, signed, unit)])


def _parse(value: object, measure: Measure | None) -> Parsed:
    if is_blank(value):
        return BLANK
    if isinstance(value, bool):
        return Parsed(None, value, error=f"“{'TRUE' if value else 'FALSE'}”不是数字")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return Parsed(None, value, error="不是有效数字")
        return _check(_tidy(value, measure), measure, raw=None, note=None)
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return Parsed(None, str(value), error=f"“{value}”是日期/时间，不是数字（单元格格式可能被设成了日期）")
    text = str(value)
    s = unicodedata.normalize("NFKC", text).translate(_MINUS)
    s = _SPACES.sub("", s)
    note = None
    if s != _SPACES.sub("", text):
        note = "全角数字或符号已按半角读取"
    dashed = s.translate(_DASHES)
    if dashed in ZERO_WORDS or (dashed and len(set(dashed)) == 1 and dashed[0] in ZERO_WORDS):
        return Parsed(0, text, note=f"“{text.strip()}”按 0 读取，请直接填 0")
    scale = 1
    for unit in _UNITS:
        if s.endswith(unit) and len(s) > len(unit):
            s = s[: -len(unit)]
            note = f"去掉了单位“{unit}”"
            if unit == YUAN and measure is not None and measure.unit == WAN_YUAN:
                scale, note = 10_000, IN_YUAN
            break
    if "," in s and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
        note = note or "去掉了千位分隔符"
    if not _NUMBER.fullmatch(s):
        shown = text.strip()[:30]
        return Parsed(None, text, error=f"“{shown}”不是数字，请只填数字（没有就填 0）")
    number = float(s) / scale  # exact for what a clerk types: 32500 / 10000 == 3.25
    return _check(_tidy(number, measure), measure, raw=text, note=note)


def _tidy(number: float, measure: Measure | None) -> int | float:
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def _check(number: int | float, measure: Measure | None, raw: object, note: str | None) -> Parsed:
    decimal = measure is not None and measure.decimal
    signed = measure is not None and measure.signed
    if abs(number) > MAX_VALUE:
        shown = str(raw).strip()[:30] if raw is not None else f"{number:g}"
        return Parsed(None, raw if raw is not None else number,
                      error=f"“{shown}”数值过大（超过 {MAX_VALUE // 10**8} 亿），不可能是一个单位一年的数字，请核对")
    if not decimal and isinstance(number, float):
        return Parsed(None, raw if raw is not None else number, error=f"“{number}”不是整数，件数应填整数")
    if number < 0 and not signed:
        return Parsed(None, raw if raw is not None else number, error=f"“{number}”是负数，此处不能为负")
    return Parsed(number, raw, note)
