"""The nightly Airflow DAG: integrity, cheap parsing, and real end-to-end runs on a migrated SQLite metadata DB.

Airflow runs in subprocesses with AIRFLOW_HOME in a temporary folder, so nothing leaks into the project or the
user's home, and Airflow's process-wide configuration never meets other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from fake_reading import drop
from warehouse_query import warehouse_content

from countystats.examples.small import write_units
from countystats.settings import Settings

pytestmark = [pytest.mark.airflow, pytest.mark.integration]  # Airflow in subprocesses

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"
DAG_FILE = DAGS / "countystats_nightly.py"
HEAVY = ("pandas", "duckdb", "great_expectations", "plotly", "openpyxl", "python_calamine")


def airflow_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "COUNTYSTATS_"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
    })
    env.update(extra)
    return env


def python(code: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("airflow_home")
    airflow = Path(sys.executable).parent / "airflow"
    done = subprocess.run([str(airflow), "db", "migrate"], env=airflow_env(home), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return home


def test_dag_integrity(tmp_path):
    done = python(
        f"""
        import json
        from airflow.dag_processing.dagbag import DagBag
        bag = DagBag(dag_folder={str(DAGS)!r})
        dag = bag.dags["countystats_nightly"]
        publish = dag.get_task("publish")
        print(json.dumps({{
            "errors": {{k: str(v) for k, v in bag.import_errors.items()}},
            "dags": sorted(bag.dags),
            "schedule": str(dag.schedule), "timezone": str(dag.timezone), "catchup": dag.catchup,
            "max_active_runs": dag.max_active_runs,
            "retries": [t.retries for t in dag.tasks],
            "retry_delay": [t.retry_delay.total_seconds() for t in dag.tasks],
            "order": [t.task_id for t in dag.topological_sort()],
            "upstream": {{t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks}},
            "params": {{k: dag.params[k] for k in dag.params}},
            "outlets": sorted(a.name for a in publish.outlets),
            "doc_md": dag.doc_md,
            "task_docs": {{t.task_id: t.doc_md for t in dag.tasks}},
        }}))
        """,
        airflow_env(tmp_path / "ah"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    info = json.loads(done.stdout.strip().splitlines()[-1])
    assert info["errors"] == {} and info["dags"] == ["countystats_nightly"]
    assert info["schedule"] == "0 2 * * *" and info["timezone"] == "Asia/Shanghai"
    assert info["catchup"] is False and info["max_active_runs"] == 1
    assert set(info["retries"]) == {2} and set(info["retry_delay"]) == {300.0}
    assert info["order"] == ["discover", "plan", "check", "load", "publish"]
    assert info["upstream"] == {"discover": [], "plan": ["discover"], "check": ["plan"], "load": ["check"],
                                "publish": ["discover", "load"]}
    # params show the defaults of Settings, the one place they are defined (no COUNTYSTATS_* env here)
    assert info["params"] == Settings().as_strings()
    assert info["outlets"] == ["countystats_dashboards", "countystats_warehouse"]
    # documented in the UI: the module's docstring for the DAG, each task's own docstring
    assert info["doc_md"].startswith("# countystats nightly") and "## Params" in info["doc_md"]
    assert all(f"`{task}`" in info["doc_md"] for task in info["order"])
    assert all(doc and doc.strip() for doc in info["task_docs"].values()), info["task_docs"]


def test_dag_file_parses_without_heavy_imports(tmp_path):
    done = python(
        f"""
        import importlib.util, json, sys
        spec = importlib.util.spec_from_file_location("countystats_nightly", {str(DAG_FILE)!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(json.dumps({{"heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
        """,
        airflow_env(tmp_path / "ah"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    info = json.loads(done.stdout.strip().splitlines()[-1])
    assert info["heavy"] == []  # how long parsing takes (mostly airflow.sdk) is measured in benchmarks/bench_dag.py


def _fake_county(tmp_path: Path) -> dict[str, str]:
    inbox = tmp_path / "inbox"
    drop(inbox, "甲镇2023.xlsx", "2024-01-10 09:00:00", year=2023, carried_forward=1, in_force=(1, 0, 9))
    drop(inbox, "甲镇2024.xlsx", "2025-01-10 09:00:00", year=2024, carried_over=1, in_force=(2, 1, 10))
    drop(inbox, "乙镇2024.xlsx", "2025-02-10 09:00:00", unit_code="T02", unit_name="乙镇", year=2024)
    settings = Settings(inbox=inbox, db=tmp_path / "data" / "w.duckdb", out=tmp_path / "out",
                        archive=tmp_path / "archive", units=write_units(tmp_path / "units.csv"))
    return settings.as_env()


@pytest.mark.slow
def test_dag_test_end_to_end(airflow_home, tmp_path):
    """dag.test() in-process (fake reader: the DAG's plumbing, XCom, staging and publication are what's tested);
    one file a shard, the shards handed to the load through object storage (ObjectStoragePath, a file:// URL). Run
    twice in one process (Airflow and Great Expectations imported once): the second finds nothing new and must
    change nothing."""
    store = tmp_path / "object-store"
    env = airflow_env(airflow_home, **{**_fake_county(tmp_path), "COUNTYSTATS_SHARD_FILES": "1",
                                       "COUNTYSTATS_SHARD_STORE": store.as_uri()})
    db, out = Path(env["COUNTYSTATS_DB"]), Path(env["COUNTYSTATS_OUT"])
    script = f"""
        import json
        import duckdb
        import fake_reading
        fake_reading.install()
        from pathlib import Path
        from airflow.dag_processing.dagbag import DagBag
        dag = DagBag(dag_folder={str(DAGS)!r}).dags["countystats_nightly"]
        store = Path({str(store)!r})
        for attempt in (1, 2):
            state = dag.test().state
            con = duckdb.connect({str(db)!r}, read_only=True)
            seen = {{
                "state": str(state),
                "rows": con.execute("SELECT unit_code, report_year, status, is_current, is_late FROM submissions "
                                    "ORDER BY submission_id").fetchall(),
                "completeness": con.execute("SELECT unit_code, report_year, status FROM completeness "
                                            "WHERE status <> 'missing' ORDER BY ALL").fetchall(),
                "n_cells": con.execute("SELECT count(*) FROM requests_cells").fetchone()[0],
                "files": len(json.loads(Path({str(out / "run-summary.json")!r}).read_text(encoding="utf-8"))["files"]),
                "store_dir": store.is_dir(), "store_files": sum(1 for p in store.rglob("*") if p.is_file()),
            }}
            con.close()
            print("SEEN", json.dumps(seen, default=str))
    """
    done = python(script, env, timeout=600)
    seen = [json.loads(line[5:]) for line in done.stdout.splitlines() if line.startswith("SEEN ")]
    assert done.returncode == 0 and len(seen) == 2, (done.stdout + done.stderr)[-4000:]
    for attempt, run in enumerate(seen, 1):
        assert run["state"].endswith("success"), run
        assert run["rows"] == [["T01", 2023, "accepted", True, False],  # on time, consistent with nothing before
                               ["T01", 2024, "accepted", True, False],  # consistent with 2023 (X-CARRY, X-INFORCE)
                               ["T02", 2024, "accepted", True, True]]  # P-LATE: a notice, counted
        assert run["completeness"] == [["T01", 2023, "accepted"], ["T01", 2024, "accepted"],
                                       ["T02", 2024, "accepted"]]
        assert run["n_cells"] == 3 * 26 * 7
        assert run["files"] == (3 if attempt == 1 else 0)
        # the shards went through the store, and were removed once loaded
        assert run["store_dir"] and run["store_files"] == 0
    assert not list(db.parent.glob(".*staging*"))


@pytest.mark.slow
def test_countystats_nightly_on_the_example_county(airflow_home, tmp_path, example_inbox, monkeypatch, capsys):
    """The README's main path for real (`airflow dags test` in a subprocess), pointed at temporary folders, the
    files checked in shards of 20 (mapped tasks); the warehouse is the one `countystats run` makes in one process."""
    from countystats import nightly

    monkeypatch.setattr(nightly, "AIRFLOW_HOME", airflow_home)
    for key in [k for k in os.environ if k.startswith(("AIRFLOW", "COUNTYSTATS_"))]:
        monkeypatch.delenv(key)
    settings = Settings(inbox=example_inbox, db=tmp_path / "w.duckdb", out=tmp_path / "out",
                        archive=tmp_path / "archive", shard_files=20)
    for key, value in settings.as_env().items():
        monkeypatch.setenv(key, value)
    assert nightly.run_dag_locally() == 0
    shown = capsys.readouterr().out
    assert "已发布数据仓库" in shown and "本次运行" in shown and str(settings.db) in shown
    n_files = sum(1 for p in example_inbox.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == n_files
        years = {r[0] for r in con.execute("SELECT DISTINCT report_year FROM completeness").fetchall()}
        assert {2023, 2024} <= years
        assert con.execute("SELECT count(*) FROM requests_cells").fetchone()[0] > 0
    finally:
        con.close()
    assert (airflow_home / "logs" / "nightly.log").exists()
    assert not list(settings.staging.glob("*/shard-*"))  # the shards' folders go with the run
    from countystats.pipeline import run

    # in one process, in shards of another size (the reader processes kept from shard to shard): the same warehouse
    one = settings.with_(db=tmp_path / "one" / "w.duckdb", out=tmp_path / "one" / "out",
                         archive=tmp_path / "one" / "archive", shard_files=35)
    result = run(one)
    assert warehouse_content(one.db) == warehouse_content(settings.db)
    assert len(result.files) == n_files and not list(one.staging.glob("*/shard-*"))
    assert (one.out / "data-docs" / "index.html").exists()  # GX's Data Docs, written after the last shard
