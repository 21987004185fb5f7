"""The Celery configuration of the production deployment: Airflow's own, and what each worker imports once.

Airflow's Celery worker runs each task in a process forked from its pool, which is forked from the worker, so a
module the worker imports as it starts is in every task without cost. A ``check`` task would otherwise import Great
Expectations (≈4.5 s on the 2-core machine), pandas, DuckDB and the reader before its first file, once per shard.
docker-compose.yml sets ``AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS=countystats.celery_worker.CELERY_CONFIG``. The
scheduler and the API server make the same Celery app to send tasks; only a worker imports the ``imports``, and
only this module's two lines run elsewhere (the DAG's parsing never imports it).
"""

from __future__ import annotations

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

CELERY_CONFIG = {**DEFAULT_CELERY_CONFIG,
                 "imports": (*DEFAULT_CELERY_CONFIG.get("imports", ()), "countystats.worker_imports")}
