"""Tasks for the isolation tests, run in real worker processes: each does what a hostile file makes a reader do."""

from __future__ import annotations

import os
import time
from pathlib import Path


def task(kind: str, arg=None):
    if kind == "echo":
        return arg * 2
    if kind == "stall":  # a reader spinning on a crafted file
        if arg:
            Path(arg).touch()  # tell the test the task has begun
        time.sleep(600)
    if kind == "abort":  # what a Rust allocation failure does
        os.abort()
    if kind == "allocate":  # MiB
        return len(bytearray(arg * 1024 * 1024))
    if kind == "raise":
        raise ValueError("a reader's own exception")
    if kind == "exit":
        os._exit(3)
    raise AssertionError(kind)


def calamine_load(path: str):
    """python-calamine on a file with no guard in front of it."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(path)
    return [book.get_sheet_by_index(i).to_python(nrows=10) for i in range(len(book.sheet_names))]
