"""Build the dashboards for an example warehouse of 1,000 units (3 report years); target < 10 s.

    .venv/bin/python benchmarks/bench_dashboards.py [--units 1000] [--keep DIR]

The warehouse comes from ``countystats.examples.warehouses`` (consistent reports, some broken on purpose, validated
by Great Expectations in one batch and loaded by the real loader). Prints the time to build it (not part of the
target), the dashboards' build time, and the size of the output.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from countystats.examples.warehouses import YEARS, build_warehouse, many_units  # noqa: E402
from dashboards.build import build_dashboards  # noqa: E402

TARGET_S = 10.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--keep", type=Path, help="write the site here instead of a temporary directory")
    args, _ = ap.parse_known_args(argv)  # dev.py bench hands every benchmark the same extra arguments
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        units = many_units(args.units)
        db = build_warehouse(tmp / "bench.duckdb", units)
        t1 = time.perf_counter()
        out = args.keep or tmp / "site"
        cpu = time.process_time()
        pages = build_dashboards(db, out)
        t2 = time.perf_counter()
        cpu = time.process_time() - cpu
        size = sum(p.stat().st_size for p in out.iterdir())
        biggest = max(pages, key=lambda p: p.stat().st_size)
        biggest_size = biggest.stat().st_size
    build = t2 - t1
    print(f"units: {len(units)} (incl. one hostile name), years: {len(YEARS)}")
    print(f"example warehouse (generated, validated, loaded): {t1 - t0:.2f} s")
    print(f"build_dashboards: {build:.2f} s wall, {cpu:.2f} s CPU (target < {TARGET_S:.0f} s) "
          f"{'OK' if build < TARGET_S else 'TOO SLOW'}")
    print(f"pages: {len(pages)}, output: {size / 1e6:.1f} MB (largest page {biggest.name}: "
          f"{biggest_size / 1e6:.1f} MB)")
    # informative, not a gate: on a busy shared machine the wall time varies; the line above says OK or not
    return 0


if __name__ == "__main__":
    sys.exit(main())
