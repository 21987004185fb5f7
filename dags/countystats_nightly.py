"""# countystats nightly

Every night at 02:00 county time: the annual reports on government information disclosure (政府信息公开工作年度报告)
that the county's townships, subdistricts and departments sent since the last run are taken in, checked, added to
the DuckDB warehouse, and the warehouse and the dashboards are published. A file is known by the sha256 of its
bytes: one already in the warehouse is not processed again, so a second run finds nothing new and changes nothing.

This file only wires: each task is one call into `countystats.pipeline`, the same steps `countystats run` takes in
one process (docs/nightly.md). Nothing heavy is imported when the DAG is parsed; pandas, DuckDB, Great Expectations
and Plotly are imported inside the steps when a task runs.

## Steps

1. **`discover`** checks the unit registry (a bad one stops the run before anything is touched), accounts for every
   inbox entry (taken in, ignored, or a problem with its reason), archives each new file byte for byte under its
   sha256 and records when it arrived. Hands on the new files and the entries not taken in (XCom).
2. **`plan`** splits the new files into shards of `shard_files`.
3. **`check`**, one mapped task per shard, on any worker: reads each file in an isolated worker process with a memory
   cap and a time limit (a file that cannot be read is `unreadable`, alone, and the night goes on), then runs Great
   Expectations once over the shard's readable reports: the format's own identities (勾稽关系), the law and the
   narrative against the tables. Hands on `<db folder>/staging/<run>/shard-<hash>/`, the reports as Parquet, in a
   folder every worker sees. A failed shard is retried alone.
4. **`load`** builds the new warehouse in a staging copy from every shard: history, current reports, cross-year
   checks, 内容雷同 across the year's reports, lateness, and the county roll-up re-checked. The published warehouse
   is not touched. Hands on the staging file's path.
5. **`publish`** replaces the published warehouse in one step, then writes the dashboards, the run summary and the
   findings. Hands on the summary's path.

Each task is retried twice, five minutes apart (`[core] default_task_retry_delay`). Until `publish` has replaced
it, analysts keep reading the previous warehouse; a run that dies at any step leaves it as it was. One run at a time
(`max_active_runs=1`): two would race for the same inbox and warehouse. No catch-up: one run takes in everything new.

## Params

One per field of `countystats.settings.Settings`, shown with its default, which comes from the `COUNTYSTATS_<FIELD>`
environment variables of the worker (else from `Settings`); a value given when triggering a run overrides it:

- `inbox`: where the units' files arrive; `archive`: every received file, by sha256, and `manifest.jsonl`
- `db`: the published warehouse; `out`: dashboards, run summary, findings; `units`: the unit registry (CSV)
- `deadline`, `county_deadline` (MM-DD of the following year), `timezone`: lateness (P-LATE), in county time
- `read_workers`, `read_timeout_s`, `read_memory_mb`, `max_file_mb`: the limits of reading one file
- `shard_files`, `shard_store`: how many files one `check` task takes, where the shards hand over their reports
- `collecting_year`, `today`, `progress_every`: the year being collected, the date reports are judged as of, logging

## Outputs

- the warehouse `db` (default `data/countystats.duckdb`, Asset `countystats_warehouse`): analysts open it read-only
- `out/dashboards/index.html` (Asset `countystats_dashboards`): offline Plotly pages for the disclosure office
- `out/run-summary.json` and `out/runs/<run>.json`: this run's files and their statuses, units still missing
- `out/findings.csv`: every finding of this run and every inbox entry not taken in, in Chinese, ready for Excel
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, Param, dag, task

from countystats.settings import Settings

DEFAULTS = Settings.from_env()  # defaults live in Settings (and COUNTYSTATS_* env); params only show them
TZ = pendulum.timezone(DEFAULTS.timezone)
# Identified by name only: an Asset's name and URI must stay paired in the metadata DB, and paths are settings that
# change (another deployment, a test); where the files are is carried in ``extra``.
WAREHOUSE = Asset(name="countystats_warehouse", extra={"path": str(DEFAULTS.db)})
DASHBOARDS = Asset(name="countystats_dashboards", extra={"path": str(DEFAULTS.dashboards)})
PARAMS = {
    name: Param(value, type="string", description=f"countystats setting {name} (COUNTYSTATS_{name.upper()})")
    for name, value in DEFAULTS.as_strings().items()
}


@dag(
    dag_id="countystats_nightly",
    description="政府信息公开工作年度报告：收件、校验、入库、发布",
    schedule="0 2 * * *",  # 02:00 county time, after the day's submissions
    start_date=pendulum.datetime(2026, 1, 1, tz=TZ),
    catchup=False,  # one run loads everything new; past nights have nothing extra to do
    max_active_runs=1,  # two runs would race for the same inbox and warehouse
    # five minutes apart: Airflow's [core] default_task_retry_delay (300 s), which a test's deployment shortens
    default_args={"retries": 2},
    params=PARAMS,
    tags=["countystats"],
    doc_md=__doc__,
)
def countystats_nightly():
    @task
    def discover(params=None) -> dict:
        """Take in the inbox: the registry checked, every entry accounted for, each new file archived by sha256.

        Returns what was found (new files, entries not taken in and why) as a dict for XCom.
        """
        from countystats import pipeline

        return pipeline.task_discover(dict(params))

    @task
    def plan(found: dict, params=None) -> list:
        """The new files in shards of `shard_files` (one empty shard when nothing is new)."""
        from countystats import pipeline

        return pipeline.task_shards(dict(params), found)

    @task(max_active_tis_per_dagrun=16)
    def check(shard: list, params=None, run_id=None) -> str:
        """One shard, on any worker: each file read in an isolated process with a memory cap and a time limit, then
        the readable reports validated in one Great Expectations run. Returns the shard's folder of Parquet files in
        the run's staging folder, which every worker sees ("" for the empty shard). A failed shard retries alone.
        """
        from countystats import pipeline

        return pipeline.task_check(dict(params), shard, run_id)

    @task  # builds a staging file only: the warehouse Asset changes when publish replaces it
    def load(batch_path: str, params=None, run_id=None) -> str:
        """Build the new warehouse in a staging copy and re-check the county roll-up; the published one is untouched.

        Returns the staging file's path.
        """
        from countystats import pipeline

        return pipeline.task_load(dict(params), batch_path, run_id)

    @task(outlets=[WAREHOUSE, DASHBOARDS])  # downstream DAGs (reports, exports) can be scheduled on these
    def publish(staging: str, found: dict, params=None, run_id=None) -> str:
        """Replace the published warehouse in one step, then write the dashboards, the run summary and the findings.

        Returns the run summary's path.
        """
        from countystats import pipeline

        return pipeline.task_publish(dict(params), staging, run_id, found)

    found = discover()
    # a mapped task does not take its docstring as its documentation in the UI: given explicitly
    check_each = check.override(doc_md=check.function.__doc__).expand(shard=plan(found))
    publish(load(check_each), found)


countystats_nightly()
