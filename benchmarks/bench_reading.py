"""How fast is reading one submission? ``python benchmarks/bench_reading.py [--files N]``

Writes ~200 example-county workbooks (all layouts, .xlsx/.xlsm/.xls) into a temporary folder, then times:
  * ``read_submission`` end to end (python-calamine + label matching + findings) — the figure that matters;
  * loading the grids alone with python-calamine, and opening the same files with openpyxl (merges need its normal
    mode), for the record.
Target: median ``read_submission`` < 50 ms per report.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def _time(fn, paths: list[Path]) -> list[float]:
    out = []
    for p in paths:
        t0 = time.perf_counter()
        fn(p)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _describe(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    return (f"{name:<34} n={len(ms):<4} median {statistics.median(ms):7.2f} ms   p90 {p90:7.2f} ms   "
            f"total {sum(ms) / 1000:6.2f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=200)
    args = ap.parse_args()

    import openpyxl

    from transforms.reading import ReadTask, read_isolated, read_submission
    from transforms.reading.grid import load_grids
    from transforms.reading.guard import inspect
    from transforms.registry import DEFAULT_REGISTRY, Registry

    registry = Registry.load(DEFAULT_REGISTRY)
    with tempfile.TemporaryDirectory(prefix="bench-reading-") as tmp:
        paths = _files(Path(tmp), args.files)
        read_submission(paths[0], registry)  # warm-up: imports, OpenCC dictionary, label lookup

        full = _time(lambda p: read_submission(p, registry), paths)

        raw = _time(lambda p: load_grids(p.read_bytes()), paths)
        guard = _time(lambda p: inspect(p.read_bytes()), paths)
        started = time.perf_counter()
        subs = read_isolated([ReadTask(str(p), str(p)) for p in paths], DEFAULT_REGISTRY, workers=2)
        isolated_s = time.perf_counter() - started
        assert not any(s.unreadable for s in subs)
        xlsx = [p for p in paths if p.suffix.lower() in (".xlsx", ".xlsm")]
        calamine_xlsx = _time(lambda p: load_grids(p.read_bytes()), xlsx)
        openpyxl_xlsx = _time(lambda p: openpyxl.load_workbook(p, data_only=True).close(), xlsx)
        kinds = {s: sum(p.suffix.lower() == s for p in paths) for s in (".xlsx", ".xlsm", ".xls")}

    print(f"files: {len(paths)} ({', '.join(f'{k} {v}' for k, v in kinds.items())})")
    print(_describe("read_submission (calamine)", full))
    print(_describe("calamine grids only (all files)", raw))
    print(_describe("guard only (streaming XML scan)", guard))
    print(f"read_isolated, 2 worker processes (start-up included): {isolated_s:.2f} s for {len(paths)} files, "
          f"{isolated_s / len(paths) * 1000:.2f} ms per file wall")
    print(_describe("calamine grids only (.xlsx/.xlsm)", calamine_xlsx))
    print(_describe("openpyxl open only (.xlsx/.xlsm)", openpyxl_xlsx))
    median = statistics.median(full)
    verdict = "PASS" if median < TARGET_MS else "FAIL"
    print(f"RESULT: read_submission median {median:.1f} ms per report, {sum(full) / 1000:.2f} s for {len(paths)} "
          f"files (target < {TARGET_MS:.0f} ms): {verdict}; openpyxl alone needs "
          f"{statistics.median(openpyxl_xlsx):.1f} ms just to open an .xlsx")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
