"""The production configuration (docker-compose.yml) for real, its Celery workers on two hosts, and one host lost in
the middle of a run.

No Docker engine here: deploy/integration.py starts the compose services as local processes with the environment
derived from docker-compose.yml. deploy/hosts.py makes the hosts on this machine: a network namespace each (its own
address on a bridge, its own hostname, its own temp folder), PostgreSQL and Redis of the run's own bound to the
bridge's address (the machine's listen on loopback only, which another host cannot reach); the scheduler, the DAG
processor and the API server stay on this machine's side. deploy/integration.run_deployment logs in as the
administrator, runs the compose file's shell healthchecks (each worker's on its host), then the real DAG twice on
the example county, in shards of twelve files, each run with a warehouse of its own: once undisturbed, once with
worker-b's link cut as soon as it runs a shard. One deployment (about 3¾ minutes alone) serves every test below; a failure
message carries its summary and the tail of every process and task log.

Airflow gives up on the lost host after the time-outs in ``ACROSS_HOSTS_ENV`` (shortened from minutes; what to set in
production is in docs/deploy.md): the shard it was running is failed for want of heartbeats and retried on worker-a;
a task it had taken from the broker without starting would be queued again.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from warehouse_query import query, warehouse_content

from tests.deploy_scripts import load_integration

pytestmark = [pytest.mark.integration, pytest.mark.airflow, pytest.mark.slow]

HOSTS = ("worker-a", "worker-b")
it = load_integration()


@pytest.fixture(scope="module")
def across(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("deploy-hosts")
    deployment = it.Deployment(workdir, run_timeout=420, hosts=HOSTS, extra_env=it.ACROSS_HOSTS_ENV)
    result = it.run_deployment(deployment, shard_files=12, cut="worker-b")
    print("\ncountystats across hosts:", result.timings, result.runs, result.cut)
    return deployment, result


def _tries(result, run_id: str, task_id: str | None = None) -> list[dict]:
    return [t for t in result.tries if t["run_id"] == run_id and (task_id is None or t["task_id"] == task_id)]


def test_both_runs_succeed(across):
    _, result = across
    assert result.error == "" and result.runs == {"undisturbed": "success", "cut": "success"}, result.report()


def test_admin_can_log_in(across):
    _, result = across
    assert result.login_ok, result.report()


def test_compose_healthchecks_pass(across):
    """The dag-processor's `airflow jobs check` and each worker's `celery inspect ping`, as compose runs them."""
    _, result = across
    assert set(result.healthchecks) == {"airflow-dag-processor", *(f"airflow-worker@{h}" for h in HOSTS)}, \
        result.report()
    assert all(code == 0 for code in result.healthchecks.values()), result.report()


def test_inbox_only_read_and_files_archived(across):
    _, result = across
    assert result.inbox_unchanged, result.report()
    contents = result.files["inbox reports"]  # its reports' distinct contents: a copy is archived once
    assert 0 < contents <= result.files["inbox"], result.report()
    assert result.files["archived undisturbed"] == result.files["archived cut"] == contents, result.report()


def test_the_shards_ran_on_both_hosts(across):
    _, result = across
    checks = _tries(result, "undisturbed", "check")
    assert len({t["map_index"] for t in checks}) == 8, result.report()  # 92 files in shards of 12
    assert {t["hostname"] for t in checks} == set(HOSTS), result.report()
    assert all(t["state"] == "success" and t["try_number"] == 1 for t in checks), result.report()


def test_the_shard_of_the_lost_host_was_retried_on_the_other(across):
    _, result = across
    cut = result.cut
    assert cut and cut["host"] == "worker-b" and cut["run_id"] == "cut", result.report()
    tries = [t for t in _tries(result, "cut", "check") if t["map_index"] == cut["map_index"]]
    first = next(t for t in tries if t["try_number"] == cut["try_number"])
    assert (first["hostname"], first["state"]) == ("worker-b", "failed"), tries
    last = max(tries, key=lambda t: t["try_number"])
    assert last["try_number"] > first["try_number"] and (last["hostname"], last["state"]) == ("worker-a", "success")
    # every task of the run ended in success; after the cut only worker-a finished anything
    final = {(t["task_id"], t["map_index"]): t for t in _tries(result, "cut")}
    assert {t["state"] for t in final.values()} == {"success"}, result.report()
    assert final[("load", -1)]["hostname"] == final[("publish", -1)]["hostname"] == "worker-a"


def test_the_disturbed_run_gives_the_same_warehouse(across, example_inbox):
    _, result = across
    undisturbed, cut = (Path(result.warehouses[r]) for r in ("undisturbed", "cut"))
    files = sum(1 for p in example_inbox.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))
    assert query(cut, "SELECT count(*) FROM submissions") == [(files,)]
    assert warehouse_content(cut) == warehouse_content(undisturbed)


def test_the_hosts_and_their_services_are_gone(across):
    dep, result = across
    assert result.leftover_pids == [] and it.marked_processes(dep.local.marker) == [], result.report()
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert dep.local.marker not in namespaces
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
    assert f"csb-{dep.local.marker[:8]}" not in links
    assert all(s.popen.returncode is not None for s in dep.started)
    # the run's own PostgreSQL and Redis stopped, their folders removed
    assert [s.name for s in dep.own_servers] == ["postgres", "redis"]
    assert all(s.popen.returncode is not None and not s.folder.exists() for s in dep.own_servers)
