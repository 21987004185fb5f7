"""Normalising labels and texts so that the variants real units type match the format's labels.

Handled here for every label alike: full/half-width forms (NFKC), traditional characters (OpenCC t2s), whitespace
and line breaks anywhere, numbering punctuation (``1、`` ``1．`` → ``1.``), quote styles.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_NUMBERING = re.compile(r"(?<![0-9])([0-9]{1,2})[、,，:：]")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")"})


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: only reading needs it

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def normalise(text: object) -> str:
    """The matching key of a label: '（二）部分公开\\n（区分处理的…）' → '(二)部分公开(区分处理的…)'."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _SPACE.sub("", s)
    if not s:
        return ""
    if not s.isascii():
        s = _t2s().convert(s)
    s = s.translate(_QUOTES).translate(_BRACKETS)
    return _NUMBERING.sub(r"\1.", s)
