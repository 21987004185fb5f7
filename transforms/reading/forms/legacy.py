"""Legacy binary files (.doc/.wps from Word 97–2003 and WPS, .et and old .xls calamine cannot open): converted with
LibreOffice where the machine has it, then read as the .docx/.xlsx they become; otherwise refused with what the
clerk should do (save as .docx/.xlsx), never guessed at.

LibreOffice runs headless in a throw-away profile (two conversions at once would otherwise fight over the user's
profile lock), under the reader's own time limit; it runs no macros when converting.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from transforms.reading.forms.document import Document
from transforms.reading.guard import Rejected

CONVERT_TIMEOUT_S = 45  # LibreOffice converts a report in ~1 s (plus ~2 s to make its profile the first time)
LEGACY_WORD = "文件是旧版 Word/WPS 文字格式（.doc/.wps），请用 Word/WPS 打开后“另存为” .docx 再报送"
LEGACY_WORKBOOK = "文件是旧版表格格式（.et 或无法读取的 .xls），请用 Excel/WPS 打开后“另存为” .xlsx 再报送"


def soffice() -> str | None:
    """LibreOffice's command, if installed (Debian: libreoffice-writer-nogui / libreoffice-calc-nogui)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy_word(data: bytes) -> Document:
    from transforms.reading.forms.word import read_word

    if soffice() is not None and not complete_compound(data):
        raise Rejected("文件已损坏（旧版 Word 文件内部数据不完整，可能下载或复制时中断），请重新保存为 .docx 后报送")
    document = read_word(convert(data, ".doc", "docx", LEGACY_WORD))
    document.converted_from = "doc"
    return document


def read_legacy_workbook(data: bytes) -> Document:
    from transforms.reading.forms.workbook import read_workbook

    document = read_workbook(convert(data, ".xls", "xlsx", LEGACY_WORKBOOK))
    document.converted_from = "xls"
    return document


def complete_compound(data: bytes) -> bool:
    """Whether an OLE compound file holds every sector its header points at: a file cut short in a download is
    damaged, and LibreOffice would "repair" it into a partial report, so it is not converted."""
    if len(data) < 512:
        return False
    shift = int.from_bytes(data[30:32], "little")
    if shift not in (9, 12):
        return False
    size = 1 << shift
    header = 512 if shift == 9 else 4096
    pointers = [int.from_bytes(data[48:52], "little")]  # the directory's first sector
    pointers += [int.from_bytes(data[i:i + 4], "little") for i in range(76, 512, 4)]  # the FAT's sectors (DIFAT)
    used = [p for p in pointers if p < 0xFFFFFFFA]
    return bool(used) and all(header + (p + 1) * size <= len(data) for p in used)


def convert(data: bytes, suffix: str, to: str, refusal: str) -> bytes:
    """``data`` converted by LibreOffice to ``to`` (docx / xlsx). Raises :class:`Rejected` with ``refusal`` when
    LibreOffice is not installed, and with a reason when it cannot convert the file."""
    command = soffice()
    if command is None:
        raise Rejected(refusal)
    with tempfile.TemporaryDirectory(prefix="countystats-convert-") as tmp:
        folder = Path(tmp)
        source = folder / f"report{suffix}"
        source.write_bytes(data)
        out = folder / "out"
        env = {**os.environ, "HOME": tmp}  # LibreOffice writes caches under HOME as well
        try:
            subprocess.run(
                [command, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
                 "--nolockcheck", "--convert-to", to, "--outdir", str(out), str(source)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                timeout=CONVERT_TIMEOUT_S, check=False,
            )
        except subprocess.TimeoutExpired:
            raise Rejected(f"{refusal}（自动转换超时）") from None
        except OSError as exc:
            raise Rejected(f"{refusal}（无法启动自动转换：{exc.strerror or exc}）") from None
        converted = out / f"report.{to}"
        if not converted.is_file() or converted.stat().st_size == 0:
            raise Rejected(f"{refusal}（文件无法自动转换，可能已损坏）")
        return converted.read_bytes()
