"""How long parsing the nightly DAG file takes, in a fresh interpreter as Airflow's DAG processor does.

    .venv/bin/python benchmarks/bench_dag.py [--repeat 5]

Each run execs dags/countystats_nightly.py in a new process (AIRFLOW_HOME in a temporary folder) and times
`import airflow.sdk` (Airflow's own cost) and the rest of the file apart; medians of --repeat runs. The heavy
modules (pandas, DuckDB, Great Expectations, Plotly, the workbook readers) must not be imported at parse time: that is
tested (tests/test_dag.py), the time is only measured here. Target: the whole parse ≤ 10 s on a 2-core machine
(Airflow's dagbag_import_timeout is 30 s).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAG_FILE = ROOT / "dags" / "countystats_nightly.py"
HEAVY = ("pandas", "duckdb", "great_expectations", "plotly", "openpyxl", "python_calamine")
TARGET_S = 10.0

PARSE = f"""
import importlib.util, json, sys, time
t0 = time.perf_counter()
import airflow.sdk
t1 = time.perf_counter()
spec = importlib.util.spec_from_file_location("countystats_nightly", {str(DAG_FILE)!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
t2 = time.perf_counter()
print(json.dumps({{"sdk": t1 - t0, "rest": t2 - t1, "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""


def parse_once(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "COUNTYSTATS_"))}
    env.update({"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "PYTHONPATH": str(ROOT)})
    done = subprocess.run([sys.executable, "-c", PARSE], env=env, capture_output=True, text=True, cwd=ROOT,
                          timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="parses; the medians are reported")
    args, _ = ap.parse_known_args(argv)  # dev.py bench hands every benchmark the same extra arguments
    with tempfile.TemporaryDirectory(prefix="countystats-bench-dag-") as home:
        parse_once(Path(home))  # warm the file system cache and Airflow's first-start set-up
        runs = [parse_once(Path(home)) for _ in range(max(args.repeat, 1))]
    median = lambda key: sorted(r[key] for r in runs)[len(runs) // 2]  # noqa: E731
    total = sorted(r["sdk"] + r["rest"] for r in runs)[len(runs) // 2]
    heavy = sorted({m for r in runs for m in r["heavy"]})
    print(f"DAG file parse:         {total:.2f} s median of {len(runs)} "
          f"(target ≤ {TARGET_S:.0f} s) → {'OK' if total <= TARGET_S else 'SLOWER'}")
    print(f"  import airflow.sdk:   {median('sdk'):.2f} s")
    print(f"  the DAG file itself:  {median('rest'):.2f} s (countystats.settings, params, assets, tasks)")
    print(f"heavy modules imported: {', '.join(heavy) if heavy else 'none'}")
    return 0 if not heavy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
