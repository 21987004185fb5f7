"""Benchmark: a province end to end — `countystats run` over every county's reports in one deployment.

    .venv/bin/python benchmarks/bench_province.py [--cities 10] [--counties 10] [--units 50] [--keep]

Generates a province of cities × counties × units (default 10 × 10 × 50 = 5,000 reports of 2024) with the example
county's generator: every county has a government and the SAME township names as every other (样本01号镇 … in each,
as every county has its 城关镇), so each file is matched within the county whose inbox folder it arrived in
(``inbox/<area_code>/…``). The registry is ``areas.csv`` + ``units.csv`` (issue 16). Then runs the whole job in a
child process and reports wall time, the time of each step and the peak memory of the process tree (PSS, sampled),
and checks what a province needs: every report on a unit of its own folder's county, and the province's figures
(``area_totals``) equal to the sum of its counties'.
Files are generated under build/bench/ (git-ignored) and reused while the shape is unchanged.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PROVINCE = "99"  # codes of the generated province: 99, 99CC (cities), 99CCNN (counties)


def province_registry(folder: Path, cities: int, counties: int, units: int) -> Path:
    """areas.csv and units.csv of the generated province; returns the units file."""
    areas = ["area_code,area_name,area_type,parent_code", f"{PROVINCE},样本省,province,"]
    rows = ["unit_code,unit_name,unit_type,aliases,active_from,active_to,area_code"]
    for c in range(1, cities + 1):
        city = f"{PROVINCE}{c:02d}"
        areas.append(f"{city},样本{c:02d}市,city,{PROVINCE}")
        for k in range(1, counties + 1):
            county = f"{city}{k:02d}"
            name = f"样本{c:02d}市{k:02d}县"
            areas.append(f"{county},{name},county,{city}")
            rows.append(f"G{county},{name}人民政府,county_government,,,,{county}")
            # names that never contain one another (the registry matches names inside titles), the same in every county
            rows += [f"T{county}{i:03d},样本{i:03d}号镇,township,,,,{county}" for i in range(1, units)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "areas.csv").write_text("\n".join(areas) + "\n", encoding="utf-8")
    (folder / "units.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder / "units.csv"


def generate(folder: Path, cities: int, counties: int, units: int) -> tuple[Path, Path]:
    """The province's registry and 2024 reports, a folder per county; reused when already there."""
    inbox = folder / "inbox"
    shape = {"cities": cities, "counties": counties, "units": units}
    stamp = folder / "generated.json"
    if stamp.exists() and json.loads(stamp.read_text()) == shape:
        return inbox, folder / "registry" / "units.csv"
    from countystats.examples.county import generate_county
    from transforms.registry import Registry

    shutil.rmtree(folder, ignore_errors=True)
    units_csv = province_registry(folder / "registry", cities, counties, units)
    registry = Registry.load(units_csv)
    started = time.perf_counter()
    n = 0
    for i, county in enumerate(a for a in registry.areas if a.area_type == "county"):
        theirs = Registry([u for u in registry.units if u.area_code == county.area_code], registry.areas)
        for report in generate_county((2024,), seed=1000 + i, registry=theirs, county=county.area_name):
            report.write(inbox / county.area_code)
            n += 1
    print(f"generated {n} reports of {counties * cities} counties in {time.perf_counter() - started:.0f} s → {inbox}")
    stamp.write_text(json.dumps(shape))
    return inbox, units_csv


def check_province(db: Path, inbox: Path) -> list[str]:
    """What must hold of a province's warehouse; the problems found (empty: all well)."""
    import duckdb

    problems = []
    con = duckdb.connect(str(db), read_only=True)
    try:
        units = dict(con.execute("SELECT unit_code, area_code FROM units").fetchall())
        rows = con.execute("SELECT source_file, unit_code FROM submissions").fetchall()
        wrong = [f for f, u in rows if u is None or units.get(u) != Path(f).relative_to(inbox).parts[0]]
        if wrong:
            problems.append(f"{len(wrong)} reports not on a unit of their folder's county, e.g. {wrong[:3]}")
        # the province's figures = the sum of its counties' (every cell; the roll-up's identities are checked
        # by the run itself, which refuses to publish otherwise)
        diff = con.execute(f"""
            WITH p AS (SELECT section, row_code, column_code, value FROM area_totals
                       WHERE area_code = '{PROVINCE}' AND report_year = 2024 AND scope = 'all'),
                 c AS (SELECT t.section, t.row_code, t.column_code, sum(t.value) AS value FROM area_totals t
                       JOIN areas a USING (area_code)
                       WHERE a.area_type = 'county' AND t.report_year = 2024 AND t.scope = 'all' GROUP BY ALL)
            SELECT count(*) FROM p FULL JOIN c USING (section, row_code, column_code)
            WHERE p.value IS DISTINCT FROM c.value""").fetchone()[0]
        if diff:
            problems.append(f"the province's figures differ from the sum of its counties' in {diff} cells")
    finally:
        con.close()
    return problems


def main() -> int:
    from bench_pipeline import run_pipeline

    ap = argparse.ArgumentParser()
    ap.add_argument("--cities", type=int, default=10)
    ap.add_argument("--counties", type=int, default=10, help="counties per city")
    ap.add_argument("--units", type=int, default=50, help="units per county (its government included)")
    ap.add_argument("--keep", action="store_true", help="keep the run's warehouse and outputs")
    args = ap.parse_args()
    folder = ROOT / "build" / "bench" / f"province-{args.cities}x{args.counties}x{args.units}"
    inbox, units = generate(folder, args.cities, args.counties, args.units)
    files = sum(1 for p in inbox.rglob("*") if p.is_file() and not p.name.startswith("."))
    run = run_pipeline(folder, inbox, units)
    problems = check_province(folder / "run" / "countystats.duckdb", inbox)
    if not args.keep:
        shutil.rmtree(folder / "run", ignore_errors=True)
    print(run["summary"].splitlines()[0] if run["summary"] else "")
    print(f"\nprovince: {args.cities} cities × {args.counties} counties × {args.units} units = {files} reports")
    print(f"countystats run:        {run['seconds']:.1f} s ({run['seconds'] / files * 1000:.1f} ms per report), "
          f"peak memory of the process tree {run['peak_mib']:.0f} MiB, up to the end of the load "
          f"{run['loaded_peak_mib']:.0f} MiB")
    print("  by step:              " + ", ".join(f"{k} {v:.1f} s" for k, v in run["timings"].items()))
    print("checks:                 " + ("every report on its county's unit; province = Σ counties" if not problems
                                        else "; ".join(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
