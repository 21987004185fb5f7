"""The archive: every received file byte for byte, named by its sha256, and the manifest of arrivals.

``archive/ab/abcdef….xlsx`` holds the bytes (written to a temporary name, fsynced, renamed: never half a file under
the final name, and a failed write leaves no temporary behind). The name carries no user text: the suffix is one of
the known report suffixes or none. ``archive/manifest.jsonl`` records every arrival — the name it came under
(readable, and its exact bytes when they differ), when countystats first saw it, its sha256 — one line each, once
per (sha256, name): with the bytes, all a rebuild needs.

``received_at`` is when countystats first saw a file: the portal's receipt when the file came through the portal
(``<inbox>/.receipts.jsonl``, written by countystats itself), else the inbox scan that first found it. Never the
file's modification time, which a copy changes and a sender controls.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

log = logging.getLogger("countystats.archive")

MANIFEST = "manifest.jsonl"  # in the archive folder: one line per arrival (name, time, sha256)
RECEIPTS = ".receipts.jsonl"  # in the inbox: the portal's receipts (hidden, so never taken for a submission)
PORTAL_SPOOL = ".portal-spool"  # in the inbox: uploads being written and checked, not yet delivered (hidden)
KNOWN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".docx", ".doc", ".pdf", ".html", ".htm", ".wps", ".et", ".csv",
                  ".ods", ".xlsb", ".zip")
TMP_PREFIX = ".incoming-"
STALE_TMP_SECONDS = 6 * 3600


@dataclass(frozen=True)
class IncomingFile:
    """A file to read: small and JSON-able (it travels between DAG tasks through XCom)."""

    path: str  # the name it arrived as, readable (display form)
    sha256: str
    received_at: str  # ISO local time: when countystats first saw it
    archive_path: str
    path_b64: str | None = None  # the exact bytes of the name, when the display form differs
    backfill: bool = False  # taken in by a backfill run: a published report of a past year, its receipt no lateness
    area: str | None = None  # the inbox folder it arrived in (inbox/<area_code>/…): the area its unit is looked for in

    def to_dict(self) -> dict[str, str | None]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Arrival:
    """One file arriving under one name (the same bytes may arrive again under another)."""

    sha256: str
    path: str
    received_at: str
    archived: str  # relative to the archive folder
    path_b64: str | None = None
    backfill: bool = False
    area: str | None = None  # the first folder of its name in the inbox (a deployment of many counties: the area)

    def to_json(self) -> str:
        data = {"sha256": self.sha256, "file": self.path, "received_at": self.received_at,
                "archived": self.archived}
        if self.path_b64:
            data["file_b64"] = self.path_b64
        if self.backfill:
            data["backfill"] = True
        if self.area:
            data["area"] = self.area
        return json.dumps(data, ensure_ascii=False)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_suffix(name: str) -> str:
    """The archive's suffix for a received name: a known report suffix, lower-case, or none (no user text)."""
    suffix = os.path.splitext(name)[1].lower()
    return suffix if suffix in KNOWN_SUFFIXES else ""


def archive_bytes(data: bytes, archive: Path, suffix: str, digest: str | None = None) -> Path:
    """Store bytes content-addressed (archive/ab/abcdef….xlsx); writing the same content twice is a no-op.

    Raises OSError (e.g. a full disk) with no temporary file left behind.
    """
    digest = digest or sha256_of(data)
    suffix = suffix if suffix in KNOWN_SUFFIXES else ""
    target = archive / digest[:2] / f"{digest}{suffix}"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)  # a half-written archive file never carries the final name
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def sweep_temporaries(archive: Path, max_age_s: float = STALE_TMP_SECONDS) -> int:
    """Remove temporaries that a killed run left in the archive (old enough that no run still writes them)."""
    return remove_stale(archive.glob(f"*/{TMP_PREFIX}*.tmp") if archive.is_dir() else (), max_age_s)


def remove_stale(paths: Iterable[Path], max_age_s: float) -> int:
    """Remove those of ``paths`` not written for ``max_age_s`` (a dead writer's; a live one's are younger); how
    many. A file gone meanwhile is no error."""
    removed = 0
    for path in paths:
        try:
            if time.time() - path.stat().st_mtime > max_age_s:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


@dataclass
class Manifest:
    """What the archive's manifest says: each sha256's first arrival, and every (sha256, name) recorded."""

    first: dict[str, Arrival] = field(default_factory=dict)
    names: set[tuple[str, str]] = field(default_factory=set)
    arrivals: list[Arrival] = field(default_factory=list)

    @classmethod
    def read(cls, archive: Path, strict: bool = False) -> Manifest:
        out = cls()
        path = archive / MANIFEST
        if not path.exists():
            if strict:
                raise FileNotFoundError(f"归档目录中没有文件清单：{path}")
            return out
        resolved = archive.resolve()
        with open(path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                try:
                    e = json.loads(raw.decode("utf-8"))
                    stored = archive / e["archived"]
                    if not stored.resolve().is_relative_to(resolved):
                        raise ValueError(f"archived path outside the archive: {e['archived']}")
                    arrival = Arrival(str(e["sha256"]), str(e["file"]), str(e["received_at"]), str(e["archived"]),
                                      e.get("file_b64"), e.get("backfill") is True, _text_or_none(e.get("area")))
                    datetime.fromisoformat(arrival.received_at)
                except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:  # e.g. cut short by a full disk
                    log.warning("countystats: 文件清单 %s 第 %d 行无法解析，已跳过（%s）", path, n, exc)
                    continue
                out.add(arrival)
        return out

    def add(self, arrival: Arrival) -> None:
        key = (arrival.sha256, arrival.path_b64 or arrival.path)
        if key in self.names:
            return
        self.names.add(key)
        self.arrivals.append(arrival)
        first = self.first.get(arrival.sha256)
        if first is None or (arrival.received_at, arrival.path) < (first.received_at, first.path):
            self.first[arrival.sha256] = arrival

    def has(self, sha256: str, path: str, path_b64: str | None) -> bool:
        return (sha256, path_b64 or path) in self.names


def _text_or_none(value) -> str | None:
    return value if isinstance(value, str) and value else None


def record_arrivals(archive: Path, arrivals: list[Arrival]) -> None:
    """Append arrivals to the archive's manifest: one append and one fsync per run (one run at a time); a run that
    dies before this records its files when the next run finds them again."""
    if not arrivals:
        return
    archive.mkdir(parents=True, exist_ok=True)
    lines = "".join(a.to_json() + "\n" for a in arrivals).encode("utf-8")
    with open(archive / MANIFEST, "ab") as fh:  # O_APPEND: lines of earlier runs are never rewritten
        fh.write(lines)
        fh.flush()
        os.fsync(fh.fileno())


def archived_files(archive: Path) -> list[IncomingFile]:
    """Every file the manifest lists, once per sha256 (its first arrival), in the order received."""
    manifest = Manifest.read(archive, strict=True)
    files = [
        IncomingFile(a.path, a.sha256, a.received_at, str(archive / a.archived), a.path_b64, a.backfill, a.area)
        for a in manifest.first.values()
    ]
    return sorted(files, key=lambda f: (f.received_at, f.path))


@dataclass
class Receipts:
    """The portal's receipts in the inbox: when countystats received which bytes under which name."""

    by_name: dict[tuple[str, str], str] = field(default_factory=dict)  # (sha256, name in the inbox) → time
    by_sha: dict[str, str] = field(default_factory=dict)  # sha256 → earliest time

    def time_of(self, sha256: str, name: str, first_arrival: bool) -> str | None:
        """The receipt time of an arrival: its own receipt, or — for bytes never seen before, e.g. a file the
        office renamed after the portal took it — the earliest receipt of those bytes."""
        got = self.by_name.get((sha256, name))
        if got is None and first_arrival:
            got = self.by_sha.get(sha256)
        return got


def read_receipts(inbox: Path) -> Receipts:
    out = Receipts()
    path = inbox / RECEIPTS
    try:
        fh = open(path, "rb")
    except OSError:
        return out
    with fh:
        for n, raw in enumerate(fh, 1):
            try:
                e = json.loads(raw.decode("utf-8"))
                sha, name, got = str(e["sha256"]), str(e.get("file", "")), str(e["received_at"])
                datetime.fromisoformat(got)
            except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
                log.warning("countystats: 回执 %s 第 %d 行无法解析，已跳过（%s）", path, n, exc)
                continue
            out.by_name.setdefault((sha, name), got)
            if sha not in out.by_sha or got < out.by_sha[sha]:
                out.by_sha[sha] = got
    return out


def write_receipts(inbox: Path, receipts: list[tuple[str, str, datetime]]) -> None:
    """Append receipts (sha256, name, received_at) in one write: what the portal does when it renames uploads into
    the inbox (several portal processes at once), and what the example county does for its simulated season."""
    from transforms.inbox.journal import append_lines

    append_lines(inbox / RECEIPTS, ({"sha256": sha, "file": name, "received_at": got.isoformat(sep=" ")}
                                    for sha, name, got in receipts))
