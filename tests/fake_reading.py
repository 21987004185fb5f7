"""A stand-in reader for pipeline tests: an inbox file holds the JSON keyword arguments of ``make_submission``.

This keeps the warehouse/pipeline tests independent of the workbook reader and the GX suites (tested elsewhere)
while exercising the real discover → archive → load → publish path on real files.

Run as a script it performs ``countystats run`` in a separate process (settings from COUNTYSTATS_* env):
``--die-in-load`` SIGKILLs the process after everything is inserted into the staging warehouse, before it is
checkpointed and published.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warehouse_factory import make_submission  # noqa: E402

from countystats import pipeline  # noqa: E402
from transforms.inbox.archive import sha256_of, write_receipts  # noqa: E402

FAR_FUTURE = datetime(2100, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


def drop(inbox: Path, name: str, received: str, **kwargs) -> Path:
    """Put a fake submission into the inbox as the portal does: the file, and a receipt saying when it came
    (``received``, local time). The file's mtime is set far in the future: it must mean nothing."""
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / name
    path.write_text(json.dumps(kwargs, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    write_receipts(inbox, [(sha256_of(path.read_bytes()), name, datetime.fromisoformat(received))])
    os.utime(path, (FAR_FUTURE, FAR_FUTURE))
    return path


def fake_read(settings, files):
    batch = []
    for incoming in files:
        kwargs = json.loads(Path(incoming.archive_path).read_text(encoding="utf-8"))  # like the real read step
        sub = make_submission(**kwargs)
        sub.sha256 = incoming.sha256
        sub.file = incoming.path
        batch.append((incoming, sub))
    return batch


def install(monkeypatch=None) -> None:
    if monkeypatch is not None:
        monkeypatch.setattr(pipeline, "read", fake_read)
        monkeypatch.setattr(pipeline, "validate", lambda settings, batch: batch)
    else:
        pipeline.read = fake_read
        pipeline.validate = lambda settings, batch: batch


if __name__ == "__main__":
    from countystats.settings import Settings

    install()
    if "--die-in-load" in sys.argv:
        from transforms.warehouse import loading

        def die(con):
            os.kill(os.getpid(), signal.SIGKILL)

        loading.check_rollup = die
    result = pipeline.run(Settings.from_env(), run_id=sys.argv[1] if len(sys.argv) > 1 and not
                          sys.argv[1].startswith("--") else None)
    print(result.summary_zh())
