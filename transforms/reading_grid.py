"""A workbook's sheets as plain grids, with merged ranges filled, read with python-calamine.

Merged cells are filled with the top-left value so a vertically merged parent label (（三）不予公开) or a horizontally
merged header (法人或其他组织) is seen from every cell it covers; ``origin`` remembers the top-left cell so a value is
traced to the cell the clerk typed into and a merged label is not read twice.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache

MAX_ROWS = 2000  # a report is ~60 rows stacked, ~250 as one long list; more is noise we do not scan
MAX_COLS = 100
MAX_SHEETS = 40  # a report has 1–4 sheets (+ 说明); a workbook with hundreds is not scanned sheet by sheet


@dataclass
class Grid:
    name: str  # the sheet name as written in the workbook
    visible: bool
    index: int
    cells: list[list[object]]
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # merged cell → top-left
    truncated: bool = False

    @property
    def height(self) -> int:
        return len(self.cells)

    def width(self, r: int) -> int:
        return len(self.cells[r])

    def get(self, r: int, c: int) -> object:
        if 0 <= r < len(self.cells) and 0 <= c < len(self.cells[r]):
            return self.cells[r][c]
        return None

    def top_left(self, r: int, c: int) -> tuple[int, int]:
        return self.origin.get((r, c), (r, c))

    def address(self, r: int, c: int) -> str:
        r0, c0 = self.top_left(r, c)
        return f"{self.name}!{a1(r0, c0)}"


def column_letters(c: int) -> str:
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=65536)
def a1(r: int, c: int) -> str:
    return f"{column_letters(c)}{r + 1}"  # cached: every value cell of every file is named by its address


def load_grids(data: bytes, skip: set[str] = frozenset()) -> list[Grid]:
    """Every worksheet (not chart sheets), capped at MAX_ROWS × MAX_COLS. Raises calamine's errors."""
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids = []
    for index, meta in enumerate(book.sheets_metadata[:MAX_SHEETS]):
        if meta.name in skip or "Work" not in str(meta.typ):
            continue
        sheet = book.get_sheet_by_index(index)
        rows = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS)
        truncated = sheet.height > MAX_ROWS or sheet.width > MAX_COLS
        cells = [list(row[:MAX_COLS]) for row in rows]
        grid = Grid(meta.name, "Visible" in str(meta.visible), index, cells, truncated=truncated)
        _fill_merged(grid, sheet.merged_cell_ranges or ())
        grids.append(grid)
    return grids


def _fill_merged(grid: Grid, ranges) -> None:
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= MAX_ROWS or c0 >= MAX_COLS:
            continue
        r1, c1 = min(r1, MAX_ROWS - 1), min(c1, MAX_COLS - 1)
        value = grid.get(r0, c0)
        while len(grid.cells) <= r1:
            grid.cells.append([])
        for r in range(r0, r1 + 1):
            row = grid.cells[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    row[c] = value
                    grid.origin[(r, c)] = (r0, c0)


# ---------------------------------------------------------------- .xls: read in a child process with a memory cap

CHILD_MEMORY = 256 * 1024 * 1024  # extra address space for the child beyond what the parent has mapped; a report needs ~10 MB
CHILD_SECONDS = 20


class ChildFailed(Exception):
    """The isolated reader died (memory cap, crash, timeout) or raised; ``reason`` is for the log."""


def load_grids_isolated(data: bytes, skip: set[str] = frozenset()) -> list[Grid]:
    """``load_grids`` in a forked child with an address-space cap and a time limit.

    calamine's BIFF (.xls) reader trusts record sizes: a few damaged bytes make it allocate gigabytes and the
    process is killed or aborts (seen in fuzzing; a Rust allocation failure cannot be caught). .xls has no cheap
    pre-scan like the xlsx zip, so it is read where a crash costs only the child. Where fork is unavailable, read
    in-process.
    """
    import os
    import pickle

    if not hasattr(os, "fork"):
        return load_grids(data, skip)
    import faulthandler  # noqa: F401 - _limit_child's modules too: importing them in every child
    import resource  # noqa: F401   (signal builds its enums) cost more than reading the file
    import signal  # noqa: F401

    import python_calamine  # noqa: F401 - imported before forking, so the child only reads
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns
        code = 1
        try:
            os.close(read_fd)
            _limit_child()
            try:
                payload = ("ok", load_grids(data, skip))
            except BaseException as exc:  # noqa: BLE001 - report any failure to the parent
                payload = ("error", f"{type(exc).__name__}: {exc}"[:300])
            with os.fdopen(write_fd, "wb") as fh:
                pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        raw = fh.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not raw:
        raise ChildFailed(f"reader child exited with status {status}")
    kind, payload = pickle.loads(raw)
    if kind != "ok":
        raise ChildFailed(payload)
    return payload


def _limit_child() -> None:
    import faulthandler
    import os
    import resource
    import signal

    # a dying child is expected for damaged files: keep its allocator/faulthandler noise out of the parent's stderr
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)

    try:
        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * resource.getpagesize()
    except OSError:
        mapped = 2 * 1024**3
    limit = mapped + CHILD_MEMORY
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(CHILD_SECONDS)
