"""A stand-in reader for pipeline tests: an inbox file holds the JSON keyword arguments of ``countystats.examples.small.report``.

This keeps the warehouse/pipeline tests independent of the workbook reader and the GX suites (tested elsewhere)
while exercising the real discover → archive → load → publish path on real files. The stand-ins are handed to the
pipeline, which takes its read and validate steps as parameters::

    pipeline.run(settings, run_id="r1", **FAKE)      # or pipeline.rebuild(settings, **FAKE)

Run as a script it performs ``countystats run`` with the stand-ins in a separate process (settings from
COUNTYSTATS_* env): ``--die-in-load`` SIGKILLs the process after everything is inserted into the staging warehouse,
before it is checkpointed and published.
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

from countystats import pipeline  # noqa: E402
from countystats.examples.small import report  # noqa: E402
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
        narrative = kwargs.pop("narrative", None)  # {part: text}: as read from a Word/PDF/HTML report
        explanations = kwargs.pop("explanations", {})  # {rule: the unit's 说明}
        sub = report(**kwargs)
        sub.explanations.update(explanations)
        if narrative is not None:
            sub.source_kind = "word"
            sub.narrative = {part: (text, "第2段") for part, text in narrative.items()}
        sub.sha256 = incoming.sha256
        sub.file = incoming.path
        batch.append((incoming, sub))
    return batch


def skip_validation(settings, batch):
    """The validate step for fake submissions: they are built consistent (``countystats.examples.small.report``), or not on purpose."""
    return batch


FAKE = {"reader": fake_read, "validator": skip_validation}  # keyword arguments of pipeline.run and pipeline.rebuild


def install() -> None:
    """Make the pipeline's own read and validate steps the stand-ins, for a process that runs the DAG: its tasks
    (``pipeline.task_check``, through ``pipeline.check``) call ``pipeline.read`` and ``pipeline.validate`` by name."""
    pipeline.read, pipeline.validate = fake_read, skip_validation


def main(argv: list[str]) -> None:
    from countystats.settings import Settings

    if "--die-in-load" in argv:
        # the roll-up check is the last step inside transforms.warehouse.loading.load, which takes no hook: this
        # process (never the test's) replaces it with a SIGKILL
        from transforms.warehouse import loading

        def die(con):
            os.kill(os.getpid(), signal.SIGKILL)

        loading.check_rollup = die
    run_id = next((a for a in argv if not a.startswith("--")), None)
    result = pipeline.run(Settings.from_env(), run_id=run_id, **FAKE)
    print(result.summary_zh())


if __name__ == "__main__":
    main(sys.argv[1:])
