"""countystats nightly: ingest new annual reports, validate, load the DuckDB warehouse, publish.

Thin on purpose: every task is one call into :mod:`countystats.pipeline` (the same functions ``countystats run``
uses). Nothing heavy is imported at parse time — pandas, DuckDB, Great Expectations and Plotly are imported inside
the pipeline's functions when a task runs.
"""

from __future__ import annotations

from datetime import timedelta

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
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    params=PARAMS,
    tags=["countystats"],
)
def countystats_nightly():
    @task
    def discover(params=None) -> dict:
        from countystats import pipeline

        return pipeline.task_discover(dict(params))

    @task
    def read(found: dict, params=None, run_id=None) -> str:
        from countystats import pipeline

        return pipeline.task_read(dict(params), found, run_id)

    @task
    def validate(batch_path: str, params=None, run_id=None) -> str:
        from countystats import pipeline

        return pipeline.task_validate(dict(params), batch_path, run_id)

    @task  # builds a staging file only: the warehouse Asset changes when publish replaces it
    def load(batch_path: str, params=None, run_id=None) -> str:
        from countystats import pipeline

        return pipeline.task_load(dict(params), batch_path, run_id)

    @task(outlets=[WAREHOUSE, DASHBOARDS])  # downstream DAGs (reports, exports) can be scheduled on these
    def publish(staging: str, found: dict, params=None, run_id=None) -> str:
        from countystats import pipeline

        return pipeline.task_publish(dict(params), staging, run_id, found)

    found = discover()
    publish(load(validate(read(found))), found)


countystats_nightly()
