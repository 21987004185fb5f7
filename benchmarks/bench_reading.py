"""How fast is reading one submission, against python-calamine parsing the same file?
``python benchmarks/bench_reading.py [--files N] [--rounds R]``

Writes ~200 example-county workbooks (all layouts, .xlsx/.xlsm/.xls) into a temporary folder, then, in each of R
rounds, times for every file in turn (interleaved, so a busy machine slows both alike):
  * **parse**: python-calamine's parse of the file — its bytes read, the workbook opened, every worksheet's values
    (``to_python``, as the reader asks for them): the floor no reader built on calamine can go below;
  * **read_submission** end to end: the zip guard, the grids, the tables found by their labels, numbers, year,
    unit, findings — the figure that matters.
Each round's medians per report are taken, and the median over the rounds is reported (R ≥ 3 evens out another
process's load). The **table finder's share** is ``read_submission − parse``: the work of our own code.
For the record, the parts alone (median per report): the guard's scan, the grids as the reader builds them, the
tables found in those grids (cells classified, the newest format's lookup whole and the others' first table, as
for a report of a recent year), the reading in 2 isolated worker processes, and openpyxl merely opening the .xlsx
files.
Targets (issue 15): ``read_submission`` within 4× of the parse, and < 50 ms per report.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGET_RATIO = 4.0  # read_submission / calamine's parse, median per report
TARGET_MS = 50.0


def _files(folder: Path, wanted: int) -> list[Path]:
    from countystats.examples.county import SEED, write_example_inbox

    paths: list[Path] = []
    seed = SEED
    while len(paths) < wanted:
        sub = folder / f"batch{seed}"
        # workbooks only: the other forms have their own benchmarks (bench_forms_word/_pdf/_html)
        paths.extend(p for p in write_example_inbox(sub, seed=seed) if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"))
        seed += 1
    return paths[:wanted]


def calamine_parse(path: Path) -> None:
    """What python-calamine does for the reader, and nothing else: bytes → workbook → every worksheet's values."""
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    for index, meta in enumerate(book.sheets_metadata):
        if "Work" in str(meta.typ):
            book.get_sheet_by_index(index).to_python(skip_empty_area=False)


def _ms(fn, arg) -> float:
    t0 = time.perf_counter()
    fn(arg)
    return (time.perf_counter() - t0) * 1000


def _median_of_rounds(rounds: list[list[float]]) -> float:
    return statistics.median(statistics.median(r) for r in rounds)


def _p90(ms: list[float]) -> float:
    ms = sorted(ms)
    return ms[int(0.9 * (len(ms) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-extras", action="store_true", help="skip the parts alone, workers and openpyxl")
    args = ap.parse_args()

    from timing import describe

    from transforms.format import EXPLANATIONS_SHEET, SECTIONS, ordered
    from transforms.reading import ReadTask, read_isolated, read_submission
    from transforms.reading.grid import load_grids
    from transforms.reading.guard import inspect
    from transforms.reading.labels import INDEXES
    from transforms.reading.tables import SheetScan, locate
    from transforms.registry import DEFAULT_REGISTRY, Registry

    newest, *older = ordered(newest_first=True)

    def find_tables(grids) -> None:
        scans = [SheetScan(g) for g in grids if g.name != EXPLANATIONS_SHEET]
        locate(scans, INDEXES[newest.version])
        for fmt in older:
            locate(scans, INDEXES[fmt.version], upto=SECTIONS[0])

    registry = Registry.load(DEFAULT_REGISTRY)
    with tempfile.TemporaryDirectory(prefix="bench-reading-") as tmp:
        paths = _files(Path(tmp), args.files)
        for p in paths[:20]:  # warm-up: imports, OpenCC dictionary, label lookup, calamine
            read_submission(p, registry)
            calamine_parse(p)

        parse_rounds: list[list[float]] = []
        read_rounds: list[list[float]] = []
        share_rounds: list[list[float]] = []
        for _ in range(args.rounds):
            parse, read = [], []
            for p in paths:
                parse.append(_ms(calamine_parse, p))
                read.append(_ms(lambda p: read_submission(p, registry), p))
            parse_rounds.append(parse)
            read_rounds.append(read)
            share_rounds.append([r - c for r, c in zip(read, parse, strict=True)])

        extras: list[str] = []
        if not args.no_extras:
            import openpyxl

            datas = [p.read_bytes() for p in paths]
            guard = [_ms(inspect, d) for d in datas]
            grids = [_ms(load_grids, d) for d in datas]
            built = [load_grids(d)[0] for d in datas]
            tables = [_ms(find_tables, g) for g in built]
            started = time.perf_counter()
            subs = read_isolated([ReadTask(str(p), str(p)) for p in paths], DEFAULT_REGISTRY, workers=2)
            isolated_s = time.perf_counter() - started
            assert not any(s.unreadable for s in subs)
            xlsx = [p for p in paths if p.suffix.lower() in (".xlsx", ".xlsm")]
            opened = [_ms(lambda p: openpyxl.load_workbook(p, data_only=True).close(), p) for p in xlsx]
            extras = [
                describe("  guard alone (zip directory, sheets checked)", guard),
                describe("  grids alone (load_grids: parse + merges filled)", grids),
                describe("  tables found alone (cell kinds + label lookups)", tables),
                f"  {'read_isolated, 2 worker processes (start-up incl.)':<52} "
                f"{isolated_s / len(paths) * 1000:.2f} ms per file wall ({isolated_s:.2f} s)",
                describe("  openpyxl open only (.xlsx/.xlsm)", opened),
            ]
        kinds = {s: sum(p.suffix.lower() == s for p in paths) for s in (".xlsx", ".xlsm", ".xls")}

    parse_ms = _median_of_rounds(parse_rounds)
    read_ms = _median_of_rounds(read_rounds)
    share_ms = _median_of_rounds(share_rounds)
    ratio = read_ms / parse_ms
    per_round = ", ".join(f"{statistics.median(r) / statistics.median(c):.1f}×"
                          for r, c in zip(read_rounds, parse_rounds, strict=True))
    print(f"files: {len(paths)} ({', '.join(f'{k} {v}' for k, v in kinds.items())}), {args.rounds} rounds; "
          "median per report, median over the rounds")
    print(f"{'calamine parse (bytes → every sheet values)':<52} median {parse_ms:7.2f} ms   "
          f"p90 {_p90(parse_rounds[-1]):7.2f} ms (last round)")
    print(f"{'read_submission (end to end)':<52} median {read_ms:7.2f} ms   "
          f"p90 {_p90(read_rounds[-1]):7.2f} ms (last round)")
    print(f"{'table finder’s share (read_submission − parse)':<52} median {share_ms:7.2f} ms")
    print(f"{'ratio read_submission / parse':<52} {ratio:7.2f}×   (rounds: {per_round}; target ≤ {TARGET_RATIO:.0f}×)")
    for line in extras:
        print(line)
    verdict = "PASS" if ratio <= TARGET_RATIO and read_ms < TARGET_MS else "FAIL"
    print(f"RESULT: read_submission {read_ms:.2f} ms per report = {ratio:.1f}× calamine's parse ({parse_ms:.2f} ms); "
          f"the table finder {share_ms:.2f} ms (targets ≤ {TARGET_RATIO:.0f}× and < {TARGET_MS:.0f} ms): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
