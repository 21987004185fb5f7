"""Benchmark: `countystats run` over N generated township reports (default 1,000) against merely reading them.

    .venv/bin/python benchmarks/bench_pipeline.py [--n 1000] [--keep]

Generates a county of N townships with the example county's generator (every layout, file type and number mess it
knows; consistent figures), then runs the whole job (`countystats run`: archive, read, one GX validation run, load,
publish, dashboards) in a child process and reports wall time and peak memory (getrusage of the child), plus the
time python-calamine alone needs to read every sheet of the same files (medians of --repeat runs, default 3).
Target: the run within 10× of the reading.
Files are generated under build/bench/ (git-ignored) and reused while N is unchanged.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = 10.0


def generate(folder: Path, n: int) -> tuple[Path, Path]:
    """A registry of n townships and their 2024 reports; reused when already there."""
    inbox, units = folder / "inbox", folder / "units.csv"
    stamp = folder / "generated.json"
    if stamp.exists() and json.loads(stamp.read_text()) == {"n": n}:
        return inbox, units
    from countystats.examples.county import generate_county
    from transforms.registry import Registry

    shutil.rmtree(folder, ignore_errors=True)
    inbox.mkdir(parents=True)
    # names that never contain one another (the registry matches names inside titles)
    rows = [f"B{i:04d},样本{i:04d}号镇,township,,," for i in range(1, n + 1)]
    units.write_text("unit_code,unit_name,unit_type,aliases,active_from,active_to\n" + "\n".join(rows) + "\n",
                     encoding="utf-8")
    started = time.perf_counter()
    reports = generate_county((2024,), registry=Registry.load(units))
    for report in reports:
        report.write(inbox)
    print(f"generated {len(reports)} reports in {time.perf_counter() - started:.1f} s → {inbox}")
    stamp.write_text(json.dumps({"n": n}))
    return inbox, units


def read_with_calamine(inbox: Path) -> tuple[float, int]:
    from python_calamine import CalamineWorkbook

    files = sorted(p for p in inbox.iterdir() if p.is_file())
    started = time.perf_counter()
    cells = 0
    for path in files:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
    return time.perf_counter() - started, cells


def run_pipeline(folder: Path, inbox: Path, units: Path) -> dict:
    work = folder / "run"
    shutil.rmtree(work, ignore_errors=True)
    cmd = [str(Path(sys.executable).parent / "countystats"), "run", "--inbox", str(inbox), "--units", str(units),
           "--db", str(work / "countystats.duckdb"), "--out", str(work / "output")]
    env_archive = {"COUNTYSTATS_ARCHIVE": str(work / "archive")}
    import os

    started = time.perf_counter()
    done = subprocess.run(cmd, env={**os.environ, **env_archive}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"countystats run failed:\n{done.stderr[-4000:]}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    timings = json.loads((work / "output" / "run-summary.json").read_text(encoding="utf-8"))["timings"]
    return {"seconds": seconds, "peak_mib": peak_kib / 1024, "summary": done.stdout.strip(), "timings": timings}


def import_floor() -> float:
    """Seconds a fresh interpreter needs just to import Great Expectations the way the run does (median of 3).

    Every process that validates pays it once; it does not depend on the number of files.
    """
    code = "from expectations.gx_import import import_great_expectations; import_great_expectations()"
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        times.append(time.perf_counter() - started)
    return sorted(times)[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--keep", action="store_true", help="keep build/bench/ (the generated files are reused anyway)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the medians are reported")
    args = ap.parse_args()
    folder = ROOT / "build" / "bench" / f"pipeline-{args.n}"
    inbox, units = generate(folder, args.n)
    n_files = sum(1 for p in inbox.iterdir() if p.is_file())
    # a shared 2-core machine is noisy: every measurement is repeated, runs and reads interleaved, medians reported
    runs, reads = [], []
    for _ in range(max(args.repeat, 1)):
        runs.append(run_pipeline(folder, inbox, units))
        reads.append(read_with_calamine(inbox))
    run = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    calamine_s, cells = sorted(reads)[len(reads) // 2]
    floor_s = import_floor()
    ratio = run["seconds"] / calamine_s if calamine_s else float("inf")
    print(run["summary"])
    print(f"\nfiles: {n_files}")
    each = ", ".join(f"{r['seconds']:.1f}" for r in runs)
    print(f"countystats run:        {run['seconds']:.1f} s median of {len(runs)} ({each}), "
          f"peak memory {max(r['peak_mib'] for r in runs):.0f} MiB "
          f"({run['seconds'] / n_files * 1000:.1f} ms per file)")
    print("  by step:              " + ", ".join(f"{k} {v:.1f} s" for k, v in run["timings"].items()))
    print(f"python-calamine only:   {calamine_s:.2f} s median ({cells} cells)")
    print(f"ratio:                  {ratio:.1f}× (target ≤ {TARGET:.0f}×) → {'OK' if ratio <= TARGET else 'SLOWER'}")
    print(f"import GX alone:        {floor_s:.2f} s = {floor_s / calamine_s:.1f}× the calamine read "
          f"(fixed cost of validating in-process; the run without it: {(run['seconds'] - floor_s) / calamine_s:.1f}×)")
    if not args.keep:
        shutil.rmtree(folder / "run", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
