"""Append-only JSONL journals: the office's review decisions (:mod:`.reviews`), the units' 说明 (:mod:`.explanations`).

A journal is only ever appended to, a whole batch of lines in one ``write`` on a descriptor opened with ``O_APPEND``
(under an exclusive ``flock`` among appenders) and fsynced before anyone is told it is kept: several processes may
append at once (the portal's) without interleaving their lines, and nothing written before is rewritten. A line cut
short (a full disk, a killed process) is skipped when read, with a warning naming it; the next batch written after
it starts on a line of its own.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger("countystats.journal")
T = TypeVar("T")


def append_lines(path: Path, records: Iterable[dict]) -> int:
    """Append ``records`` to the journal ``path`` as JSON lines in one write, durably; returns how many."""
    records = list(records)
    if not records:
        return 0
    lines = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)  # read: its last byte
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # appenders one after the other: the last byte is not another's half line
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":  # a line cut short: never glue ours onto it
            lines = "\n" + lines
        data = lines.encode("utf-8")
        done = os.write(fd, data)  # one write: O_APPEND puts it whole after every other appender's
        while done < len(data):  # a file system that took part of it (full): the rest, which raises ENOSPC
            wrote = os.write(fd, data[done:])
            if wrote <= 0:
                raise OSError(f"short write to {path}")
            done += wrote
        os.fsync(fd)
    finally:
        os.close(fd)  # and the lock with it
    return len(records)


def read_lines(path: Path, parse: Callable[[dict], T], what: str) -> list[T]:
    """Every line of the journal ``path`` through ``parse`` (a JSON object → an entry; it raises ValueError,
    KeyError or TypeError for an entry it refuses), in the order written. A line that cannot be read is skipped and
    said (``what``: the journal's name in the log, Chinese); blank lines are nothing. No journal: no entries."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return []
    out = []
    with fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw.decode("utf-8"))
                if not isinstance(data, dict):
                    raise TypeError(f"not an object: {type(data).__name__}")
                out.append(parse(data))
            except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
                log.warning("countystats: %s %s 第 %d 行无法解析，已跳过（%s）", what, path, n, exc)
    return out
