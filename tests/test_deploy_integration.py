"""The production configuration (docker-compose.yml) running for real: CeleryExecutor on PostgreSQL and Redis.

No Docker engine here, so deploy/integration.py starts the compose services as local processes with the
environment derived from docker-compose.yml, runs the real `countystats_nightly` DAG on the example county and
stops everything again. One run (about a minute; see docs/deploy.md) serves every test below.

Deliberately NOT skipped when PostgreSQL or Redis are down: the harness starts them, and CI must prove the
deployment. A failure message carries the run's summary and the tail of every process and task log.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy_scripts import load_integration

pytestmark = pytest.mark.integration  # PostgreSQL, Redis, the compose services as processes

ROOT = Path(__file__).resolve().parent.parent


it = load_integration()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """Run once; generous limits (2 cores shared): 6 min for the DAG run, 3 min for the services to come up."""
    workdir = tmp_path_factory.mktemp("deploy-integration")
    deployment = it.Deployment(workdir, run_timeout=360)
    result = it.run_deployment(deployment)
    print("\ncountystats deployment integration:", result.timings, result.warehouse, result.task_states)
    return deployment, result


@pytest.mark.airflow
@pytest.mark.slow
def test_dag_run_succeeds(deployment):
    _, result = deployment
    assert result.error == "" and result.state == "success", result.report()
    assert result.task_states and set(result.task_states.values()) == {"success"}, result.report()
    # unpausing also starts the latest night's scheduled run: it must succeed too (a second run, same inbox)
    assert set(result.runs.values()) == {"success"}, result.report()


@pytest.mark.airflow
@pytest.mark.slow
def test_warehouse_has_rows(deployment):
    _, result = deployment
    assert result.warehouse.get("submissions", 0) > 0, result.report()
    assert result.warehouse.get("completeness", 0) > 0, result.report()


@pytest.mark.airflow
@pytest.mark.slow
def test_inbox_only_read_and_files_archived(deployment):
    _, result = deployment
    assert result.inbox_unchanged, result.report()
    assert result.files.get("archive", 0) > 0, result.report()


@pytest.mark.airflow
@pytest.mark.slow
def test_admin_can_log_in(deployment):
    _, result = deployment
    assert result.login_ok, result.report()


@pytest.mark.airflow
@pytest.mark.slow
def test_compose_healthchecks_pass(deployment):
    """The dag-processor's `airflow jobs check` and the worker's `celery inspect ping`, as compose runs them."""
    _, result = deployment
    assert set(result.healthchecks) == {"airflow-dag-processor", "airflow-worker"}, result.report()
    assert all(code == 0 for code in result.healthchecks.values()), result.report()


@pytest.mark.airflow
@pytest.mark.slow
def test_nothing_left_behind(deployment):
    dep, result = deployment
    assert result.leftover_pids == [], result.report()
    assert it.marked_processes(dep.local.marker) == []
    for service in dep.started:
        assert service.popen.returncode is not None, f"{service.name} still running"
    databases = it.pg_execute("SELECT datname FROM pg_database WHERE datname = %s", dep.local.database)
    assert databases == [], "the run's PostgreSQL database was not dropped"
    assert it._redis(dep.local.redis_db).dbsize() == 0, "the run's Redis db index was not flushed"


def test_sweep_releases_what_a_killed_run_left():
    """A run killed with SIGKILL leaves its Redis claim and database; the next run's set-up releases them."""
    import time
    import uuid

    marker = uuid.uuid4().hex[:12]
    index = it.claim_redis_db(marker)
    it._redis(index).set(it.REDIS_CLAIM_KEY, f"{marker} {int(time.time()) - 3600}")  # claimed an hour ago
    it.pg_execute(f'CREATE DATABASE "countystats_it_{marker}"')
    try:
        assert marker in it.sweep_stale_runs(log=lambda _: None)
        assert it._redis(index).dbsize() == 0
        assert it.pg_execute("SELECT 1 FROM pg_database WHERE datname = %s", f"countystats_it_{marker}") == []
    finally:
        it.pg_execute(f'DROP DATABASE IF EXISTS "countystats_it_{marker}"')
        it._redis(index).delete(it.REDIS_CLAIM_KEY)


def test_sweep_removes_the_test_hosts_of_a_killed_run(tmp_path):
    """A run across hosts killed with SIGKILL leaves its network namespaces and bridge; the next run's set-up removes
    them, and leaves those of a run still going."""
    import subprocess
    import uuid

    hosts = it.load_hosts()
    dead, live = uuid.uuid4().hex[:12], uuid.uuid4().hex[:12]
    nets = [hosts.Network(marker, tmp_path / marker, ("worker-a",)).up() for marker in (dead, live)]
    try:
        swept = hosts.sweep_stale_networks(lambda marker: marker == live, log=lambda _: None)
        assert swept == [f"{hosts.NETNS_PREFIX}{dead}-a"]
        namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
        links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
        assert dead not in namespaces and f"csb-{dead[:8]}" not in links
        assert live in namespaces and f"csb-{live[:8]}" in links
    finally:
        for net in nets:
            net.down()
