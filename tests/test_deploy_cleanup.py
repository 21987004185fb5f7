"""deploy/integration.py's clean-up after a run that was killed: what it leaves, the next run's set-up releases.

The deployment itself (docker-compose.yml's services as local processes, the real DAG on the example county) runs
in tests/test_deploy_hosts.py, its workers on two test hosts: one deployment proves the configuration, the login,
the compose healthchecks and the shards spread over hosts. These tests need the machine's PostgreSQL and Redis:
deliberately NOT skipped when they are down (the harness starts them).
"""

from __future__ import annotations

import pytest

from tests.deploy_scripts import load_integration

pytestmark = pytest.mark.integration  # PostgreSQL, Redis, network namespaces

it = load_integration()


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
