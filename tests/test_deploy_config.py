"""docker-compose.yml, .env.example, Dockerfile and deploy/integration.py must describe ONE deployment.

The integration test proves the configuration that deploy/integration.py derives from docker-compose.yml; these
checks make sure that derivation cannot drift from what a county actually runs with `docker compose up`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.deploy_scripts import load_integration

ROOT = Path(__file__).resolve().parent.parent

REQUIRED_SERVICES = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
    "postgres",
    "redis",
    "dashboards",
    "portal",
}
AIRFLOW_SERVICES = REQUIRED_SERVICES - {"postgres", "redis", "dashboards", "portal"}
PORTAL = "portal"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
SECRETS = ("POSTGRES_PASSWORD", "AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY",
           "AIRFLOW_FERNET_KEY")  # fmt: skip
# What deploy/integration.py may change, and nothing else: hosts/ports/DB, secrets, paths (checked separately).
OVERRIDABLE = {
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__FERNET_KEY",
    "_AIRFLOW_ADMIN_PASSWORD",
}
ADDED_LOCALLY = {
    "AIRFLOW_HOME",
    "AIRFLOW__API__HOST",
    "AIRFLOW__API__PORT",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT",
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT",
    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT",
    "COUNTYSTATS_IT_MARKER",
}


it = load_integration()


@pytest.fixture(scope="module")
def compose() -> dict:
    return it.load_compose()


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return it.read_env_file()


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    return it.Local(
        workdir=tmp_path_factory.mktemp("deploy-config"),
        database="countystats_it_x",
        redis_db=7,
        api_port=18080,
        scheduler_health_port=18974,
        worker_log_port=18793,
        trigger_log_port=18794,
        dags_folder=ROOT / "dags",
        marker="x",
        secrets={k: "secret" for k in OVERRIDABLE if "SECRET" in k or "KEY" in k or "PASSWORD" in k},
    )


@pytest.mark.unit
def test_services(compose):
    assert REQUIRED_SERVICES <= set(compose["services"])
    assert set(it.RUN_SERVICES) <= AIRFLOW_SERVICES


@pytest.mark.unit
def test_celery_executor_everywhere(compose):
    for service in AIRFLOW_SERVICES:
        assert it.service_environment(compose, service)["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", (
            service
        )


@pytest.mark.unit
def test_connections_point_at_the_compose_services(compose):
    services = compose["services"]
    api_container_port = services["airflow-apiserver"]["ports"][0].rsplit(":", 1)[1]
    for service in AIRFLOW_SERVICES:
        env = it.service_environment(compose, service)
        db = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        assert db.scheme == "postgresql+psycopg2" and db.hostname == "postgres", service
        assert db.path.lstrip("/") == services["postgres"]["environment"]["POSTGRES_DB"]
        assert db.username == services["postgres"]["environment"]["POSTGRES_USER"]
        backend = urlsplit(env["AIRFLOW__CELERY__RESULT_BACKEND"])
        assert backend.scheme == "db+postgresql" and backend.hostname == "postgres"
        broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
        assert broker.scheme == "redis" and broker.hostname == "redis" and broker.port == 6379
        api = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert (api.hostname, str(api.port), api.path) == (
            "airflow-apiserver",
            api_container_port,
            "/execution/",
        )
        # one JWT secret for everyone: the scheduler signs what the API server checks
        assert (
            env["AIRFLOW__API_AUTH__JWT_SECRET"]
            == it.service_environment(compose, "airflow-apiserver")["AIRFLOW__API_AUTH__JWT_SECRET"]
        )


@pytest.mark.unit
def test_countystats_paths_are_mounted_on_the_worker(compose):
    from countystats.settings import ENV_PREFIX, PATH_FIELDS

    env = it.service_environment(compose, it.WORKER)
    mounts = {m.target: m for m in it.service_mounts(compose, it.WORKER)}

    def mount_of(path: str):
        hits = [t for t in mounts if path == t or path.startswith(t + "/")]
        assert hits, f"{path} is on no volume of the worker: lost when the container is recreated"
        return mounts[max(hits, key=len)]

    for name in PATH_FIELDS:  # every path setting of countystats/settings.py, by its real env var name
        key = ENV_PREFIX + name.upper()
        assert key in env, f"{key} not set in docker-compose.yml"
        mount = mount_of(env[key])
        assert mount.read_only == (name in ("inbox", "units")), (key, mount)
    # the DuckDB staging files live next to the warehouse: same (writable) volume
    assert not mount_of(env["COUNTYSTATS_DB"]).read_only
    # the dashboards server shows exactly what the worker publishes, read-only
    out = mount_of(env["COUNTYSTATS_OUT"])
    web = it.service_mounts(compose, "dashboards")
    assert any(m.source == out.source and m.read_only for m in web)


@pytest.mark.unit
def test_workbooks_are_read_in_the_task_process(compose):
    """Celery's pool processes are daemonic and may not start processes: with the default (one reader process per
    CPU for big batches) `read` fails under Celery ("daemonic processes are not allowed to have children")."""
    for (
        service
    ) in AIRFLOW_SERVICES:  # the dag-processor too: the DAG's params carry its settings to the tasks
        assert it.service_environment(compose, service).get("COUNTYSTATS_READ_WORKERS") == "1", service


@pytest.mark.unit
def test_data_volumes_are_not_on_other_services(compose):
    for service in AIRFLOW_SERVICES - {it.WORKER, "airflow-init"}:
        targets = {m.target for m in it.service_mounts(compose, service)}
        assert not any(t.startswith("/opt/countystats") for t in targets), service


@pytest.mark.unit
def test_healthchecks(compose):
    for name, service in compose["services"].items():
        if name == "airflow-init":  # one-shot; the others wait for service_completed_successfully
            assert service.get("restart") == "no"
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        assert (
            compose["services"][name]["depends_on"]["airflow-init"]["condition"]
            == "service_completed_successfully"
        )


@pytest.mark.unit
def test_airflow_version_is_the_same_everywhere(env_example):
    from importlib.metadata import version

    from packaging.requirements import Requirement

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pinned = next(
        Requirement(r) for r in pyproject["project"]["dependencies"] if r.startswith("apache-airflow")
    )
    dockerfile = (ROOT / "Dockerfile").read_text()
    image_version = re.search(r"^ARG AIRFLOW_VERSION=(\S+)$", dockerfile, re.M).group(1)
    assert re.search(r"^FROM apache/airflow:(slim-)?\$\{AIRFLOW_VERSION\}", dockerfile, re.M)
    assert env_example["AIRFLOW_VERSION"] == image_version
    assert pinned.specifier.contains(image_version), (pinned, image_version)
    assert version("apache-airflow") == image_version, "the venv the integration test runs in differs"
    constraints = (ROOT / "deploy" / "constraints.txt").read_text().splitlines()
    assert f"apache-airflow=={image_version}" in constraints


@pytest.mark.unit
def test_constraints_match_the_tested_venv():
    """The image installs exactly what the integration test ran with (deploy/constraints.txt header)."""
    from importlib.metadata import PackageNotFoundError, version

    wanted = ("apache-airflow-providers-celery", "celery", "kombu", "redis", "psycopg2-binary",
              "apache-airflow-providers-postgres", "duckdb", "great_expectations", "pandas")  # fmt: skip
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "deploy" / "constraints.txt").read_text().splitlines()
        if "==" in line
    )
    for name in wanted:
        try:
            assert pins.get(name) == version(name), (
                f"{name}: constraints {pins.get(name)} ≠ venv {version(name)}"
            )
        except PackageNotFoundError:
            pytest.fail(f"{name} is not installed (pip install -e '.[production]')")


@pytest.mark.airflow
def test_celery_provider_imports():
    """celery 5.7 removed `celery.backends.database.retry`, which the Celery provider (≤ 3.26) imports: with it the
    scheduler cannot load CeleryExecutor and the worker does not start. pyproject.toml must keep celery < 5.7."""
    import airflow.providers.celery.executors.celery_executor_utils  # noqa: F401


@pytest.mark.airflow
def test_a_worker_imports_what_a_shard_task_needs_once(compose, tmp_path):
    """The compose file's Celery configuration is Airflow's own plus the modules a worker imports as it starts
    (Celery's loader, as `celery worker` runs it): Great Expectations and the pipeline are then in every task forked
    from the worker. Making the app, as the scheduler does to send tasks, imports none of them."""
    import json
    import os
    import subprocess
    import sys

    env = it.service_environment(compose, "airflow-worker")
    assert env["AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS"] == "countystats.celery_worker.CELERY_CONFIG"
    code = """
import json, sys
from celery import Celery
from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
from countystats.celery_worker import CELERY_CONFIG
app = Celery("countystats-test", config_source=CELERY_CONFIG)
made = "great_expectations" in sys.modules
app.loader.import_default_modules()
print(json.dumps({"made": made, "worker": all(m in sys.modules for m in
                  ("great_expectations", "countystats.pipeline", "expectations.validation", "transforms.reading")),
                  "airflow's": all(CELERY_CONFIG[k] == v for k, v in DEFAULT_CELERY_CONFIG.items() if k != "imports")}))
"""
    own = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")} | {"AIRFLOW_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=own,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"made": False, "worker": True, "airflow's": True}


@pytest.mark.unit
def test_env_example_documents_every_variable_and_holds_no_secret(env_example):
    lines = (ROOT / "docker-compose.yml").read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    # $${X} is the container's own variable, not one of .env
    used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    assert used <= set(env_example), f"not in .env.example: {sorted(used - set(env_example))}"
    for key in SECRETS:
        assert env_example[key] == "CHANGE_ME", key
        assert re.search(r"\$\{" + key + r":\?", text), f"{key} must be required (${{{key}:?…}}) in compose"


@pytest.mark.unit
def test_integration_environment_is_derived_from_compose(compose, local):
    paths = local.path_map(compose)
    for service in (*it.RUN_SERVICES, "airflow-init"):
        original = it.service_environment(compose, service)
        derived = it.derive_environment(compose, service, local)
        assert set(derived) == set(original) | ADDED_LOCALLY, service
        for key, value in original.items():
            if key not in OVERRIDABLE:
                assert derived[key] == it.local_path(value, paths), (service, key)
        assert derived["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        db = urlsplit(derived["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        assert (db.scheme, db.hostname, db.path) == ("postgresql+psycopg2", "127.0.0.1", "/countystats_it_x")
        assert derived["AIRFLOW__CELERY__BROKER_URL"] == "redis://127.0.0.1:6379/7"
        assert derived["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
        assert derived["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18080/execution/"
        for key in ("COUNTYSTATS_INBOX", "COUNTYSTATS_ARCHIVE", "COUNTYSTATS_DB", "COUNTYSTATS_OUT"):
            assert Path(derived[key]).is_relative_to(local.workdir), (
                key
            )  # nothing of the run lands in the repo
        assert derived["AIRFLOW__CORE__DAGS_FOLDER"] == str(ROOT / "dags")
        assert derived["COUNTYSTATS_UNITS"] == str(
            (ROOT / "config" / "units.csv").resolve()
        )  # the mounted file
        assert derived["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false"


@pytest.mark.unit
def test_compose_interpolation():
    env = {"A": "x", "E": ""}
    assert it.interpolate("${A}-${B:-d}-${E:-d}-${E-d}-$${HOSTNAME}", env) == "x-d-d--${HOSTNAME}"
    with pytest.raises(ValueError, match="needed"):
        it.interpolate("${B:?needed}", env)


# ---------------------------------------------------------------------------------------------------- the portal


def _portal_args(compose: dict):
    """The portal's command as countystats' own parser reads it (an option it does not know fails here)."""
    from countystats.cli import build_parser

    command = compose["services"][PORTAL]["command"]
    # the image's entrypoint runs `python …` as given; any other first word would become an `airflow` subcommand
    assert command[:3] == ["python", "-m", "countystats.cli"], command
    args = build_parser().parse_args(command[3:])
    assert args.command == "portal"
    return args


def _nginx_portal_location() -> str:
    conf = NGINX_CONF.read_text(encoding="utf-8")
    blocks = re.findall(r"^\s*location\s+/portal/\s*\{(.*?)^\s*\}", conf, re.M | re.S)
    assert len(blocks) == 1, "deploy/nginx.conf: one `location /portal/ { … }`"
    return blocks[0]


def _directives(block: str, name: str) -> list[str]:
    """The arguments of each `name …;` of a block (comments left out)."""
    text = "\n".join(line.split("#", 1)[0] for line in block.splitlines())
    return [m.strip() for m in re.findall(rf"(?:^|;|\{{)\s*{name}\s+([^;]*);", text, re.M)]


def _size(text: str) -> int:
    m = re.fullmatch(r"(\d+)([kKmMgG]?)", text)
    return int(m.group(1)) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[m.group(2).lower()]


@pytest.mark.unit
def test_the_portal_runs_the_image_with_its_own_command_and_no_airflow(compose):
    services = compose["services"]
    portal, worker = services[PORTAL], services[it.WORKER]
    assert portal["image"] == worker["image"] and portal["build"] == worker["build"]
    assert portal["user"] == worker["user"]  # it writes into the county's folders as the worker does
    args = _portal_args(compose)
    assert (args.host, args.port, args.root_path) == ("0.0.0.0", 8321, "/portal")
    assert args.forwarded_allow_ips == "*"  # safe only as the networks below make it: test_only_nginx_reaches_…
    env = it.service_environment(compose, PORTAL)
    assert not [k for k in env if k.startswith(("AIRFLOW", "_AIRFLOW"))], "none of Airflow's settings or secrets"
    assert env["CONNECTION_CHECK_MAX_COUNT"] == "0"  # the entrypoint would wait for an Airflow DB it has not got
    assert portal["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert portal["healthcheck"]["test"] == ["CMD", "curl", "--fail", f"http://127.0.0.1:{args.port}/"]
    assert "ports" not in portal, "reached through nginx only"


@pytest.mark.unit
def test_the_portal_store_is_the_deployments_postgresql(compose):
    from sqlalchemy.engine import make_url

    from countystats.settings import Settings

    services = compose["services"]
    env = it.service_environment(compose, PORTAL)
    url = env["COUNTYSTATS_PORTAL_STORE"]
    store = make_url(url)
    pg = services["postgres"]["environment"]
    assert (store.drivername, store.host, store.port) == ("postgresql+psycopg2", "postgres", 5432)
    assert (store.username, store.password, store.database) == (pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"],
                                                                pg["POSTGRES_DB"])
    # the very connection Airflow's services use, so one .env change moves both
    assert url == it.service_environment(compose, it.WORKER)["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert Settings(portal_store=url).portal_store_url == url  # not the SQLite default beside the warehouse
    assert int(env["COUNTYSTATS_PORTAL_READERS"]) >= 1


@pytest.mark.unit
def test_the_portals_volumes(compose):
    """Inbox read-write (it delivers uploads, receipts and 说明 there), the warehouse read-only, the archive
    read-write (review decisions), the output read-write (退回 documents), the registry read-only — the same host
    folders as the worker's, at the same paths, and nothing else."""
    from countystats.settings import ENV_PREFIX, PATH_FIELDS

    env = it.service_environment(compose, PORTAL)
    worker_env = it.service_environment(compose, it.WORKER)
    mounts = {m.target: m for m in it.service_mounts(compose, PORTAL)}
    worker_mounts = {m.target: m for m in it.service_mounts(compose, it.WORKER)}
    writable = {"inbox": True, "db": False, "archive": True, "out": True, "units": False}
    assert set(writable) == set(PATH_FIELDS)
    used = set()
    for name in PATH_FIELDS:
        key = ENV_PREFIX + name.upper()
        assert env[key] == worker_env[key], key
        hits = [t for t in mounts if env[key] == t or env[key].startswith(t + "/")]
        assert hits, f"{key} is on no volume of the portal"
        target = max(hits, key=len)
        used.add(target)
        assert mounts[target].read_only == (not writable[name]), (key, mounts[target])
        assert mounts[target].source == worker_mounts[target].source, key
    assert used == set(mounts), f"mounted but not used: {set(mounts) - used}"
    # the nightly run only reads the inbox, the portal's journals in it too: the worker keeps it read-only
    inbox = worker_env["COUNTYSTATS_INBOX"]
    assert worker_mounts[inbox].read_only


@pytest.mark.unit
def test_only_nginx_reaches_the_portal(compose):
    """--forwarded-allow-ips '*' believes X-Forwarded-For from any peer: only nginx may be one. The portal is on two
    internal networks of its own — nginx on one, PostgreSQL on the other — and on none of Airflow's."""
    services, networks = compose["services"], compose["networks"]

    def on(network: str) -> set[str]:
        return {name for name, svc in services.items() if network in (svc.get("networks") or ["default"])}

    assert set(services[PORTAL]["networks"]) == {"portal-proxy", "portal-store"}
    assert on("portal-proxy") == {PORTAL, "dashboards"}
    assert on("portal-store") == {PORTAL, "postgres"}
    assert networks["portal-proxy"]["internal"] is True and networks["portal-store"]["internal"] is True
    # nginx REPLACES the header (uvicorn takes the first address of a trusted X-Forwarded-For: appending to what a
    # client sent would let it choose its address, and escape the wrong-code limit)
    block = _nginx_portal_location()
    assert _directives(block, "proxy_set_header").count("X-Forwarded-For $remote_addr") == 1
    assert "$proxy_add_x_forwarded_for" not in NGINX_CONF.read_text(encoding="utf-8")
    assert [d for d in _directives(block, "proxy_set_header") if d.startswith("X-Forwarded-Proto ")]


@pytest.mark.unit
def test_nginx_proxies_the_portal(compose):
    args = _portal_args(compose)
    block = _nginx_portal_location()
    # /portal/x → the portal's /x (it was started with --root-path /portal, so its links and cookies carry it)
    assert _directives(block, "rewrite") == [f"^{args.root_path}(/.*)$ $1 break"]
    (upstream,) = _directives(block, "set")
    variable, address = upstream.split()
    assert address == f"{PORTAL}:{args.port}" and PORTAL in compose["services"]
    assert _directives(block, "proxy_pass") == [f"http://{variable}"]
    # looked up at request time through Docker's DNS: nginx starts, and serves the dashboards, without the portal
    assert _directives(block, "resolver")[0].split()[0] == "127.0.0.11"
    assert "portal" not in (compose["services"]["dashboards"].get("depends_on") or {})
    # nothing of the portal cached
    assert _directives(block, "proxy_cache") == ["off"]
    assert 'Cache-Control "no-store" always' in _directives(block, "add_header")


@pytest.mark.unit
def test_nginx_body_limit_is_the_portals(compose):
    """≥ the portal's limit, or nginx refuses what the portal takes; not above it either: the portal refuses a body
    declared too large without reading it, and nginx, still sending it, answers 502 (tests/test_portal_postgres.py
    shows both 413s through nginx)."""
    from countystats.portal.app import FORM_OVERHEAD
    from countystats.settings import Settings

    settings = Settings()
    (limit,) = _directives(_nginx_portal_location(), "client_max_body_size")
    assert _size(limit) == settings.max_file_bytes + FORM_OVERHEAD
    # above it nginx answers, in the portal's words
    assert _directives(_nginx_portal_location(), "error_page")[0].startswith("413 ")
    words = f"文件过大（上限 {settings.max_file_mb} MB）：一份年度报告通常只有几十 KB。"
    assert words in NGINX_CONF.read_text(encoding="utf-8")
