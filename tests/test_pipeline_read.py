"""The pipeline's read step: isolated worker processes, also where multiprocessing may not start children."""

from __future__ import annotations

import hashlib
import multiprocessing
from pathlib import Path

import pytest

from countystats import pipeline
from countystats.examples.small import write_units
from countystats.settings import Settings
from transforms.inbox.archive import IncomingFile

pytestmark = pytest.mark.integration  # the isolated readers are worker processes


def _batch(tmp_path: Path, n: int) -> tuple[Settings, list[IncomingFile]]:
    settings = Settings(inbox=tmp_path / "inbox", db=tmp_path / "w.duckdb", out=tmp_path / "out",
                        archive=tmp_path / "archive", units=write_units(tmp_path / "units.csv"), read_workers=2)
    settings.inbox.mkdir()
    files = []
    for i in range(n):
        path = settings.inbox / f"not-a-workbook-{i}.xlsx"  # read as unreadable: enough to see it was read
        path.write_bytes(f"plain text {i}".encode())
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        files.append(IncomingFile(str(path), digest, "2025-01-20 09:00:00", str(path)))
    return settings, files


def _read_in_daemon(settings: Settings, files: list[IncomingFile], results) -> None:
    try:
        batch = pipeline.read(settings, files)
        results.put(("ok", pipeline.worker_count(settings, len(files)),
                     [(sub.file, sub.sha256, sub.unreadable) for _, sub in batch]))
    except BaseException as exc:  # noqa: BLE001 - report whatever went wrong to the test
        results.put(("error", 0, f"{type(exc).__name__}: {exc}"))


def test_read_is_isolated_even_inside_a_daemonic_process(tmp_path):
    # an Airflow Celery worker runs tasks in daemonic processes, where multiprocessing refuses to start children
    # ("daemonic processes are not allowed to have children"); the isolated readers are plain subprocesses
    settings, files = _batch(tmp_path, 3)
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    child = ctx.Process(target=_read_in_daemon, args=(settings, files, results), daemon=True)
    child.start()
    status, workers, payload = results.get(timeout=120)
    child.join(timeout=30)
    assert status == "ok", payload
    assert workers == 2
    assert payload == [(f.path, f.sha256, True) for f in files]
