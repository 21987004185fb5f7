"""Imported by each Celery worker as it starts (:mod:`countystats.celery_worker`): what a shard's task needs, so that
every task forked from the worker has it already. The one thread these imports start is numpy's OpenBLAS pool,
which is fork-safe (Airflow's worker imports numpy before forking for the same reason)."""

from __future__ import annotations

import duckdb  # noqa: F401
import pandas  # noqa: F401

import countystats.pipeline  # noqa: F401
import expectations.validation  # noqa: F401
import transforms.reading  # noqa: F401
import transforms.warehouse.shards  # noqa: F401
from expectations.gx_import import import_great_expectations

import_great_expectations()
