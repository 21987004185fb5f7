"""The DuckDB warehouse: the relations documented as data (:mod:`.schema`), the read models as SQL files
(:mod:`.views`, ``sql/``), the file and its safe publication (:mod:`.store`), loading with lineage and history
(:mod:`.loading`), and the county roll-up re-checked against the rules' identities (:mod:`.rollup`)."""

from transforms.warehouse.loading import LoadResult, load, stored_submission
from transforms.warehouse.rollup import RollupError, check_rollup, county_sum
from transforms.warehouse.store import (
    ConcurrentRunError,
    connect,
    discard_staging,
    ensure_schema,
    finish_staging,
    open_staging,
    publish,
    published_run_id,
    staging_path,
    sweep_stale,
)

__all__ = [
    "ConcurrentRunError", "LoadResult", "RollupError", "check_rollup", "connect", "county_sum", "discard_staging",
    "ensure_schema", "finish_staging", "load", "open_staging", "publish", "published_run_id", "staging_path",
    "stored_submission", "sweep_stale",
]
