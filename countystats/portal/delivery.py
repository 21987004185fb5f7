"""Putting an upload into the inbox so that the nightly run never sees half a file and no file is ever overwritten.

The bytes go to a hidden spool folder of the inbox (same file system, ignored by the inbox scan), are flushed to
disk, then the receipt is appended to the inbox's receipts (so the run takes the portal's time, not its own), then
the file is hard-linked under its final name — which fails rather than replace anything — and the spool entry is
removed. A portal killed at any point leaves at most a spool file (swept at the next start) or a receipt without a
file (harmless): never a partial file where the run looks.

The name in the inbox is made here, from the registry's unit name, the time and a random part; the name the clerk's
computer gave is kept only as text (never a path).
"""

from __future__ import annotations

import os
import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from transforms.inbox.archive import PORTAL_SPOOL, remove_stale, write_receipts
from transforms.reading.forms.sniff import HTML, LEGACY_WORD, LEGACY_WORKBOOK, PDF, WORD, WORKBOOK

SPOOL = PORTAL_SPOOL  # hidden: the inbox scan ignores it
STALE_SECONDS = 3600  # a spool file this old belongs to a portal that died mid-upload
SUFFIX = {WORKBOOK: ".xlsx", LEGACY_WORKBOOK: ".xls", WORD: ".docx", LEGACY_WORD: ".doc", PDF: ".pdf", HTML: ".html"}


@dataclass(frozen=True)
class Delivered:
    path: Path  # in the inbox
    inbox_name: str  # relative to the inbox, as the receipts and the run's manifest name it
    sha256: str
    received_at: datetime


def printable_name(given: str | None) -> str:
    """The clerk's file name as text to show: its last component only (browsers may send C:\\fakepath\\…),
    control characters escaped, bounded."""
    from transforms.inbox.intake import printable

    last = re.split(r"[\\/]", given or "")[-1].strip() or "未命名文件"
    return printable(last)[:200]


def spool(inbox: Path, data: bytes, suffix: str = "") -> Path:
    """The bytes written whole to a new spool file, on disk before this returns (``suffix``: what they are, for
    readers that go by it)."""
    folder = inbox / SPOOL
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}{suffix}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def inbox_name(unit_name: str, area_code: str | None, kind: str, given: str, at: datetime) -> str:
    """``<area>/<unit>_<time>_<random><suffix>``: the unit's registered name (the run finds the unit by it when the
    file names none), the suffix of what the bytes are (a workbook keeps the clerk's .xlsm); nothing in it reads as a
    report year."""
    from countystats.review import safe_name

    suffix = SUFFIX.get(kind, "")
    if kind == WORKBOOK and given.lower().endswith(".xlsm"):
        suffix = ".xlsm"
    # the random part in letters only: the reader takes a year from a file name (``_12a2019b`` would say 2019)
    token = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    name = f"{safe_name(unit_name)}_{at:%Y%m%d-%H%M%S}_{token}{suffix}"
    return f"{area_code}/{name}" if area_code else name


def deliver(inbox: Path, spooled: Path, name: str, digest: str, received_at: datetime) -> Delivered:
    """Move a spooled file (its sha256: ``digest``) into the inbox as ``name`` (from :func:`inbox_name`), its receipt
    recorded first."""
    target = inbox / name
    target.parent.mkdir(parents=True, exist_ok=True)
    write_receipts(inbox, [(digest, name, received_at)])
    os.link(spooled, target)  # never replaces: an existing name is an error, not a lost file
    _fsync_dir(target.parent)
    spooled.unlink()
    return Delivered(target, name, digest, received_at)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sweep(inbox: Path, max_age_s: float = STALE_SECONDS) -> int:
    """Remove spool files left by a portal that died mid-upload; how many."""
    folder = inbox / SPOOL
    return remove_stale(folder.iterdir() if folder.is_dir() else (), max_age_s)
