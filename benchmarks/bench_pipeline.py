"""Benchmark: `countystats run` over N generated township reports against merely reading them, at two sizes.

    .venv/bin/python benchmarks/bench_pipeline.py [--sizes 1000,4000] [--repeat 3] [--keep]

Generates a county of N townships with the example county's generator (every layout, file type and number mess it
knows; consistent figures), then runs the whole job (`countystats run`: archive, read and validate per shard, load,
publish, dashboards) in a child process and reports wall time and the peak memory of the whole process tree (the
run and its reader processes, sampled; proportional set size), over the run and up to the end of the load, plus
the time python-calamine alone needs to read every sheet of the same files (medians of --repeat runs). Between the two sizes: the marginal cost of one more file against calamine's
(issue 15's target ≤ 4×) and the growth of peak memory (target ≤ 1.5×).
Files are generated under build/bench/ (git-ignored) and reused while N is unchanged.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = 10.0  # the whole run against the reading alone
MARGINAL_TARGET = 4.0  # one more file against calamine's parse of it
MEMORY_TARGET = 1.5  # peak memory at the larger size against the smaller


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
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, env={**os.environ, **env_archive}, stdout=out, stderr=subprocess.PIPE,
                                text=True)
        peak, loaded_peak, stderr = tree_peak(proc)
        seconds = time.perf_counter() - started
        out.seek(0)
        stdout = out.read()
    if proc.returncode != 0:
        sys.exit(f"countystats run failed:\n{stderr[-4000:]}")
    timings = json.loads((work / "output" / "run-summary.json").read_text(encoding="utf-8"))["timings"]
    return {"seconds": seconds, "peak_mib": peak / 2**20, "loaded_peak_mib": loaded_peak / 2**20,
            "summary": stdout.strip(), "timings": timings}


LOADED = "入库 完成"  # the run's log line when the load has ended: publication follows


def tree_peak(proc: subprocess.Popen, every: float = 0.05) -> tuple[int, int, str]:
    """Wait for ``proc``; the largest total memory of it and all its descendants, sampled (bytes): over the whole
    run, and up to the end of the load (read, validate, load; the publication after it builds the dashboards, which
    hold every unit's figures). Proportional set size: a forked reader's pages shared with its parent count once.
    Also returns the run's log (stderr)."""
    import threading

    import psutil

    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()
    root, peak, loaded_peak = psutil.Process(proc.pid), 0, None
    while proc.poll() is None:
        total = 0
        try:
            for p in (root, *root.children(recursive=True)):
                total += p.memory_full_info().pss
        except psutil.Error:  # a reader process ended between listing and asking
            pass
        peak = max(peak, total)
        if loaded_peak is None and any(LOADED in line for line in lines[-5:]):
            loaded_peak = peak
        time.sleep(every)
    reader.join(timeout=10)
    return peak, peak if loaded_peak is None else loaded_peak, "".join(lines)


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


def measure(n: int, repeat: int, keep: bool) -> dict:
    """The run and calamine's reading of n generated files (medians; runs and reads interleaved: a shared 2-core
    machine is noisy)."""
    folder = ROOT / "build" / "bench" / f"pipeline-{n}"
    inbox, units = generate(folder, n)
    runs, reads = [], []
    for _ in range(max(repeat, 1)):
        runs.append(run_pipeline(folder, inbox, units))
        reads.append(read_with_calamine(inbox))
    run = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    calamine_s, cells = sorted(reads)[len(reads) // 2]
    if not keep:
        shutil.rmtree(folder / "run", ignore_errors=True)
    return {"files": sum(1 for p in inbox.iterdir() if p.is_file()), "run": run, "runs": runs,
            "calamine_s": calamine_s, "cells": cells, "peak_mib": max(r["peak_mib"] for r in runs),
            "loaded_peak_mib": max(r["loaded_peak_mib"] for r in runs)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,4000", help="numbers of files, comma-separated (the first two compared)")
    ap.add_argument("--keep", action="store_true", help="keep build/bench/ (the generated files are reused anyway)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the medians are reported")
    args = ap.parse_args()
    results = [measure(int(n), args.repeat, args.keep) for n in args.sizes.split(",")]
    floor_s = import_floor()
    print(results[-1]["run"]["summary"])
    for r in results:
        run, n_files, calamine_s = r["run"], r["files"], r["calamine_s"]
        ratio = run["seconds"] / calamine_s if calamine_s else float("inf")
        each = ", ".join(f"{x['seconds']:.1f}" for x in r["runs"])
        print(f"\nfiles: {n_files}")
        print(f"countystats run:        {run['seconds']:.1f} s median of {len(r['runs'])} ({each}), "
              f"peak memory of the process tree {r['peak_mib']:.0f} MiB, up to the end of the load "
              f"{r['loaded_peak_mib']:.0f} MiB ({run['seconds'] / n_files * 1000:.1f} ms per file)")
        print("  by step:              " + ", ".join(f"{k} {v:.1f} s" for k, v in run["timings"].items()))
        print(f"python-calamine only:   {calamine_s:.2f} s median ({r['cells']} cells)")
        print(f"ratio:                  {ratio:.1f}× (target ≤ {TARGET:.0f}×) → {'OK' if ratio <= TARGET else 'SLOWER'}")
    if len(results) >= 2:
        small, large = results[:2]
        extra = large["files"] - small["files"]
        per_file = (large["run"]["seconds"] - small["run"]["seconds"]) / extra * 1000
        calamine_per_file = (large["calamine_s"] - small["calamine_s"]) / extra * 1000
        marginal = per_file / calamine_per_file if calamine_per_file > 0 else float("inf")
        growth = large["peak_mib"] / small["peak_mib"]
        loaded_growth = large["loaded_peak_mib"] / small["loaded_peak_mib"]
        print(f"\nper extra file:         {per_file:.2f} ms against calamine's {calamine_per_file:.2f} ms = "
              f"{marginal:.1f}× (target ≤ {MARGINAL_TARGET:.0f}×) → {'OK' if marginal <= MARGINAL_TARGET else 'SLOWER'}")
        print(f"peak memory growth:     {small['files']} → {large['files']} files: {small['peak_mib']:.0f} → "
              f"{large['peak_mib']:.0f} MiB = {growth:.2f}× (target ≤ {MEMORY_TARGET}×) → "
              f"{'OK' if growth <= MEMORY_TARGET else 'GROWS'}")
        print(f"  up to the end of the load: {small['loaded_peak_mib']:.0f} → {large['loaded_peak_mib']:.0f} MiB = "
              f"{loaded_growth:.2f}× (read, validate and load stream; the dashboards hold every unit's figures)")
    calamine_s = results[0]["calamine_s"]
    print(f"import GX alone:        {floor_s:.2f} s = {floor_s / calamine_s:.1f}× the calamine read of "
          f"{results[0]['files']} files (a fixed cost of validating in a process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
