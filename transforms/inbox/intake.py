"""Taking files in from the inbox: every directory entry accounted for, nothing followed out, nothing trusted.

The inbox is a folder people copy e-mail attachments into, and the portal renames uploads into. What ordinary
offices put there: a zip unpacked on Windows gives file names in GBK bytes; Office leaves ``~$`` lock files; a file is
renamed or removed while the run lists the folder; a name is hundreds of characters long. What a hostile unit could
put there (or a careless one): a symlink to a file outside the inbox, a FIFO that blocks whoever opens it, a file of
gigabytes. :func:`scan` walks the inbox without following any link and classifies every entry; :func:`take` reads
one regular file, bounded, without blocking, and notices a file that changes while it is read.

Names: a file name is bytes. :func:`display_name` shows it readably (UTF-8, else GB18030 — what Chinese Windows
writes —, control characters escaped) and :func:`raw_name` keeps the exact bytes for the record.
"""

from __future__ import annotations

import base64
import os
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

HIDDEN_PREFIXES = (b".", b"~$")  # hidden files and folders, Office lock files: never submissions
MAX_DEPTH = 16  # folders nested deeper than this are not a way units send files


@dataclass(frozen=True)
class Entry:
    """A directory entry of the inbox. ``kind``: file | ignored | problem."""

    path: bytes  # absolute, as the file system spells it
    rel: bytes  # relative to the inbox
    kind: str
    reason: str = ""  # for ignored and problem entries (Chinese)

    @property
    def shown(self) -> str:
        return display_name(self.rel)


@dataclass(frozen=True)
class Problem:
    """A file the run could not take in: shown in the run's summary and findings, tried again next run."""

    file: str
    reason: str  # Chinese, for the clerk and the office
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def display_name(raw: bytes | str) -> str:
    """A file name readable by a person: its bytes as UTF-8 or, failing that, GB18030; controls escaped."""
    if isinstance(raw, str):
        raw = os.fsencode(raw)
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover — GB18030 decodes nearly everything; this is for the rest
        text = raw.decode("utf-8", "backslashreplace")
    return printable(text)


_ESCAPED = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))  # controls, formats (bidi), surrogates, unassigned


def printable(text: str) -> str:
    """Text safe to print on a terminal or in a log line: control and bidirectional-override characters (which
    can rewrite a terminal or reverse a displayed name, e.g. ``报告\u202excod.exe``) shown as ``\\uXXXX``."""
    if text.isprintable():
        return text
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in _ESCAPED else ch for ch in text)


def raw_name(raw: bytes) -> str | None:
    """The exact bytes of a name that does not round-trip through its display (base64), else None."""
    try:
        if raw.decode("utf-8").encode("utf-8") == raw and display_name(raw) == raw.decode("utf-8"):
            return None
    except UnicodeDecodeError:
        pass
    return base64.b64encode(raw).decode("ascii")


def area_folder(path: str) -> str | None:
    """The first folder of a file's path in the inbox — the area code where a deployment of many counties has a folder
    per county (``inbox/<area_code>/…``); None for a file at the top. Whether it is an area's code is the registry's to
    say."""
    parts = PurePosixPath(path).parts
    return parts[0] if len(parts) > 1 else None


def scan(inbox: Path) -> Iterator[Entry]:
    """Every entry under ``inbox``, depth first in name order; links are reported, never followed."""
    root = os.fsencode(os.path.abspath(inbox))
    stack: list[tuple[bytes, bytes, int]] = [(root, b"", 0)]
    while stack:
        folder, rel, depth = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except FileNotFoundError:
            continue  # removed while we walked: nothing there to account for
        except OSError as exc:
            yield Entry(folder, rel, "problem", f"无法列出文件夹内容（{exc.strerror or exc}）")
            continue
        subfolders = []
        for e in entries:
            name = e.name
            child_rel = rel + b"/" + name if rel else name
            if name.startswith(HIDDEN_PREFIXES):
                yield Entry(e.path, child_rel, "ignored", "隐藏文件或 Office 临时文件")
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # gone between listing and looking: not there any more
            except OSError as exc:
                yield Entry(e.path, child_rel, "problem", f"无法读取文件信息（{exc.strerror or exc}）")
                continue
            if stat.S_ISLNK(st.st_mode):
                yield Entry(e.path, child_rel, "problem", "是符号链接（快捷方式），未读取其指向的文件：请把文件本身放入收件箱")
            elif stat.S_ISDIR(st.st_mode):
                if depth + 1 > MAX_DEPTH:
                    yield Entry(e.path, child_rel, "problem", f"文件夹嵌套超过 {MAX_DEPTH} 层，未读取")
                else:
                    subfolders.append((e.path, child_rel, depth + 1))
            elif stat.S_ISREG(st.st_mode):
                yield Entry(e.path, child_rel, "file")
            else:
                yield Entry(e.path, child_rel, "problem", "不是普通文件（设备、管道或套接字），未读取")
        stack.extend(reversed(subfolders))


class NotTaken(Exception):
    """A file that could not be read whole; ``reason`` is Chinese."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def take(path: bytes, max_bytes: int) -> bytes:
    """The bytes of a regular file, read without following a link or blocking, bounded by ``max_bytes``.

    Raises :class:`NotTaken` when the file is gone, unreadable, not regular, too large, or changed while read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise NotTaken("文件在读取前被移走或改名（下次运行会按新位置接收）") from None
    except PermissionError as exc:
        raise NotTaken("没有读取该文件的权限", str(exc)) from None
    except OSError as exc:  # ELOOP: a link swapped in after the listing
        raise NotTaken(f"无法打开文件（{exc.strerror or exc}）", str(exc)) from None
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise NotTaken("不是普通文件，未读取")
        if before.st_size > max_bytes:
            raise NotTaken(f"文件过大（{before.st_size / 1024 / 1024:.1f} MB，上限 {max_bytes / 1024 / 1024:.0f} MB），"
                           "不像一份年度报告，未接收")
        chunks = []
        left = max_bytes + 1
        while left > 0:
            try:
                chunk = os.read(fd, min(left, 1 << 20))
            except OSError as exc:
                raise NotTaken(f"读取文件时出错（{exc.strerror or exc}）", str(exc)) from None
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise NotTaken(f"文件过大（超过 {max_bytes / 1024 / 1024:.0f} MB），不像一份年度报告，未接收")
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or len(data) != after.st_size:
        raise NotTaken("文件在读取过程中被改动（可能仍在复制或上传中），下次运行再接收")
    return data
