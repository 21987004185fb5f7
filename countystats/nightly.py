"""`countystats nightly`: run the real Airflow DAG once, locally, on the example city (the README's main path): 邢台市
with three counties, one of them the example county 清河县 (``config/city/``, :mod:`countystats.examples.city`).

Everything Airflow needs is embedded: AIRFLOW_HOME inside the project (git-ignored), the SQLite metadata DB, the
project's dags/ folder, no example DAGs. Airflow's own logs go to a file; the terminal shows progress lines and, at
the end, the run's Chinese summary (from the JSON the publish task wrote).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from countystats.settings import ROOT, Settings

DAG_ID = "countystats_nightly"
AIRFLOW_HOME = ROOT / "airflow_home"
EXAMPLE_INBOX = ROOT / "data" / "example-city-inbox"
EXAMPLE_PUBLISHED = ROOT / "data" / "example-city-published"  # the portal's reports of past years, taken in by backfill
PROGRESS_MARK = "countystats:"  # the pipeline's progress log lines carry this


def progress_text(line: str) -> str:
    """The message of a pipeline progress line, without Airflow's timestamp, logger name and source location."""
    text = line[line.index(PROGRESS_MARK) + len(PROGRESS_MARK):]
    return re.sub(r"\s+\[[\w.]+\]\s+loc=\S+\s*$", "", text).strip()


def airflow_env(home: Path | None = None, settings: Settings | None = None) -> dict[str, str]:
    home = home or AIRFLOW_HOME
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    }
    if settings is not None:
        env.update(settings.as_env())
    return env


def _airflow() -> str:
    here = Path(sys.executable).parent / "airflow"
    return str(here) if here.exists() else "airflow"


def _step(text: str) -> None:
    print(text, flush=True)


def migrate(env: dict[str, str], log) -> None:
    """`airflow db migrate` once per Airflow version (it takes seconds even when there is nothing to do)."""
    import airflow

    home = Path(env["AIRFLOW_HOME"])
    stamp = home / f".migrated-{airflow.__version__}"
    if stamp.exists() and (home / "airflow.db").exists():
        return
    _step("· 初始化 Airflow 元数据库（仅首次）…")
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run([_airflow(), "db", "migrate"], env=env, stdout=log, stderr=subprocess.STDOUT, check=True)
    stamp.touch()


def ensure_example_inbox(inbox: Path) -> None:
    if inbox.is_dir() and any(inbox.iterdir()):
        return
    from countystats.examples.city import write_example_city_inbox

    paths = write_example_city_inbox(inbox)
    _step(f"· 已生成示例市（三个县）的报送文件：{inbox}（{len(paths)} 个，按区划代码分文件夹）")


def ensure_example_published(folder: Path) -> None:
    if folder.is_dir() and any(folder.iterdir()):
        return
    from countystats.examples.city import write_example_city_published

    paths = write_example_city_published(folder)
    _step(f"· 已生成示例县门户网站上往年发布的报告：{folder}（{len(paths)} 个，PDF 和网页）")


def clear_outputs(settings: Settings) -> None:
    """--fresh: forget everything loaded (warehouse, archive, outputs); the inbox is never touched."""
    for path in (settings.db, settings.db.with_name(settings.db.name + ".wal")):
        path.unlink(missing_ok=True)
    for folder in (settings.archive, settings.out, settings.staging):
        shutil.rmtree(folder, ignore_errors=True)


def _dag_test(env: dict[str, str], log) -> int:
    """One run of the DAG (`airflow dags test`): Airflow's output to the log, the pipeline's progress lines shown."""
    proc = subprocess.Popen(
        [_airflow(), "dags", "test", DAG_ID], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, encoding="utf-8", errors="replace",
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        log.write(line)
        if PROGRESS_MARK in line:
            _step("  " + progress_text(line))
    return proc.wait()


def run_dag_locally(fresh: bool = False) -> int:
    overrides: dict[str, object] = {}
    if not os.environ.get("COUNTYSTATS_INBOX"):
        from countystats.examples.city import CITY_REGISTRY

        overrides["inbox"] = EXAMPLE_INBOX
        if not os.environ.get("COUNTYSTATS_UNITS"):
            overrides["units"] = CITY_REGISTRY
    settings = Settings.from_env(**overrides)
    env = airflow_env(settings=settings)
    AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
    log_path = AIRFLOW_HOME / "logs" / "nightly.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        clear_outputs(settings)
        # Airflow's run history too: a clean slate also drops Assets registered by older versions of the DAG
        for stale in (AIRFLOW_HOME / "airflow.db", *AIRFLOW_HOME.glob(".migrated-*")):
            stale.unlink(missing_ok=True)
        _step("· 已清空数据仓库、归档、输出和 Airflow 运行记录")
    started = time.time()
    with open(log_path, "a", encoding="utf-8") as log:
        try:
            migrate(env, log)
        except subprocess.CalledProcessError:
            print(f"Airflow 元数据库初始化失败，详见 {log_path}", file=sys.stderr)
            return 1
        if settings.inbox == EXAMPLE_INBOX:
            ensure_example_inbox(settings.inbox)
            ensure_example_published(EXAMPLE_PUBLISHED)
            # the portal's past years first, as a backfill run (their receipts are no lateness), then the season
            backfill = settings.with_(inbox=EXAMPLE_PUBLISHED, backfill=True)
            _step(f"· 补录往年已发布的报告：运行 Airflow DAG {DAG_ID}（backfill，收件箱：{EXAMPLE_PUBLISHED}）…")
            if _dag_test(airflow_env(settings=backfill), log) != 0:
                print(f"补录运行失败，详见日志 {log_path}", file=sys.stderr)
                return 1
        _step(f"· 运行 Airflow DAG {DAG_ID}（收件箱：{settings.inbox}）…")
        code = _dag_test(env, log)
    summary = settings.out / "run-summary.json"
    if code != 0 or not summary.exists() or summary.stat().st_mtime < started:
        print(f"夜间作业失败（退出码 {code}），详见日志 {log_path}", file=sys.stderr)
        return code or 1
    from countystats.pipeline import RunResult

    print()
    print(RunResult.read(summary).summary_zh())
    print(f"（用时 {time.time() - started:.0f} 秒；Airflow 日志：{log_path}）")
    return 0
