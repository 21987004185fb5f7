"""Prove docker-compose.yml's Airflow configuration on real services, without Docker.

There is no Docker engine where the project is developed and tested, so this runs the same deployment as separate
local processes: the Airflow environment is DERIVED from docker-compose.yml (interpolated with .env.example), and
only what cannot be the same outside containers is overridden — host names and ports of PostgreSQL, Redis and the
API server, the database name and account, paths (container path → temporary directory) and secrets (random).

One run: fresh PostgreSQL database and an unused Redis db index → `airflow db migrate` → scheduler, dag-processor,
Celery worker and api-server, each in its own process group with its own log file → example inbox → log in, the
compose healthchecks → unpause and trigger the DAG → poll until the run ends → the inbox untouched, the files
archived → ALWAYS stop everything, verify no process is left, flush the Redis db index and drop the database.
Across hosts (``--across-hosts``, root): a worker on each of two test hosts (deploy/hosts.py) and a second run,
with one host's link cut while it runs a shard.

    .venv/bin/python deploy/integration.py [--dags DIR] [--keep]     # prints a JSON summary; exit 0 = success
    .venv/bin/python deploy/integration.py --across-hosts             # the workers on two test hosts (root)

tests/test_deploy_hosts.py runs it across hosts; tests/test_deploy_config.py checks the compose file's side.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DAG_ID = "countystats_nightly"

# The Airflow services of the compose file this harness runs, and the one it leaves out: the triggerer only
# serves deferrable tasks, which the nightly DAG does not use (its config is still checked by test_deploy_config).
RUN_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker")
WORKER = "airflow-worker"

# The local services (docs of this machine kind: python-svc.md). Trust auth: the account needs no password.
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect {version} main start"
START_REDIS = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)
# Set in every process the harness starts, so leftovers are found by their environment, whatever their group.
MARKER_VAR = "COUNTYSTATS_IT_MARKER"
SERVER_VAR = "COUNTYSTATS_IT_SERVER"  # the same for a run's own PostgreSQL and Redis (deploy/hosts.py)
REDIS_CLAIM_KEY = "countystats:integration-claim"


# --------------------------------------------------------------------------------------------------------------
# Reading the compose file the way `docker compose` does (the parts this file uses)
# --------------------------------------------------------------------------------------------------------------

_VAR = re.compile(r"\$(?:\$|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\})")


def read_env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """KEY=VALUE lines of a compose .env file (comments and blank lines skipped, optional quotes removed)."""
    env: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$ → $."""

    def sub(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name, op, arg = m.group("name"), m.group("op"), m.group("arg")
        value = env.get(name)
        if (op in (":-", ":?") and not value) or (op in ("-", "?") and value is None):
            if op.endswith("?"):
                raise ValueError(f"compose variable {name} is required: {arg}")
            return interpolate(arg or "", env)
        return value or ""

    return _VAR.sub(sub, text)


def _interpolate_tree(node, env):
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [_interpolate_tree(v, env) for v in node]
    if isinstance(node, dict):
        return {k: _interpolate_tree(v, env) for k, v in node.items()}
    return node


def load_compose(path: Path = COMPOSE_FILE, env: dict[str, str] | None = None) -> dict:
    """The compose file with anchors merged (PyYAML resolves `<<`) and variables substituted from `env`."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _interpolate_tree(raw, read_env_file() if env is None else env)


def service_environment(compose: dict, service: str) -> dict[str, str]:
    env = compose["services"][service].get("environment") or {}
    if isinstance(env, list):  # the KEY=VALUE list form
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


@dataclass(frozen=True)
class Mount:
    source: str
    target: str
    read_only: bool


def service_mounts(compose: dict, service: str) -> list[Mount]:
    mounts = []
    for spec in compose["services"][service].get("volumes") or []:
        parts = spec.split(":")
        mounts.append(Mount(parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")))
    return mounts


def service_command(compose: dict, service: str) -> list[str]:
    """The service's command as the image's entrypoint runs it: an Airflow subcommand gets `airflow` prepended."""
    command = compose["services"][service]["command"]
    return ["airflow", *(command.split() if isinstance(command, str) else command)]


def healthcheck_url(compose: dict, service: str) -> str | None:
    """The URL a `curl --fail URL` healthcheck probes, if the service has one."""
    test = compose["services"][service].get("healthcheck", {}).get("test") or []
    urls = [t for t in test if isinstance(t, str) and t.startswith("http")]
    return urls[0] if urls else None


def dockerfile_copies(path: Path = DOCKERFILE) -> dict[str, Path]:
    """Image path → project path of the Dockerfile's COPY lines (what the image bakes in)."""
    copies = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        words = [w for w in line.split() if not w.startswith("--")]
        if len(words) == 3 and words[0] == "COPY" and words[2].startswith("/"):
            copies[words[2].rstrip("/")] = ROOT / words[1].rstrip("/")
    return copies


# --------------------------------------------------------------------------------------------------------------
# Deriving the local environment
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Services:
    """Where PostgreSQL and Redis answer: the machine's own on loopback, or a run's own on its test hosts' link."""

    pg_host: str = PG_HOST
    pg_port: int = PG_PORT
    redis_host: str = REDIS_HOST
    redis_port: int = REDIS_PORT
    redis_password: str = ""


MACHINE = Services()


@dataclass
class Local:
    """Everything that differs between the containers and this machine."""

    workdir: Path
    database: str
    redis_db: int
    api_port: int
    scheduler_health_port: int
    worker_log_port: int
    trigger_log_port: int
    dags_folder: Path
    marker: str
    secrets: dict[str, str] = field(default_factory=dict)
    services: Services = MACHINE
    api_host: str = "127.0.0.1"  # the API server's address: the test hosts' link when workers run on other hosts

    def path_map(self, compose: dict) -> dict[str, Path]:
        """Container path → local path: volumes to tmp dirs, read-only files and image contents to the repo."""
        paths: dict[str, Path] = {}
        for service in (WORKER, "airflow-apiserver"):
            for mount in service_mounts(compose, service):
                source = ROOT / mount.source
                if mount.read_only and mount.source.startswith(".") and source.is_file():
                    paths[mount.target] = source.resolve()  # e.g. the county's units.csv
                else:
                    paths[mount.target] = self.workdir / "volumes" / mount.target.strip("/").replace("/", "_")
        for target, source in dockerfile_copies().items():
            paths.setdefault(target, source)
        paths["/opt/airflow/dags"] = self.dags_folder  # the DAG under test (the real one, or a throwaway)
        return paths


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _swap_netloc(url: str, netloc: str, path: str | None = None, userinfo: str = "") -> str:
    parts = urlsplit(url)
    return urlunsplit(
        (parts.scheme, userinfo + netloc, parts.path if path is None else path, parts.query, "")
    )


def local_path(value: str, path_map: dict[str, Path]) -> str:
    """Rewrite a container path by its longest matching mount/COPY target; other values unchanged."""
    for target in sorted(path_map, key=len, reverse=True):
        if value == target or value.startswith(target + "/"):
            return str(path_map[target]) + value[len(target) :]
    return value


def derive_environment(compose: dict, service: str, local: Local) -> dict[str, str]:
    """The compose service's environment, with only hosts/ports, DB name/account, paths and secrets overridden."""
    env = service_environment(compose, service)
    paths = local.path_map(compose)

    # Connections: same scheme and driver as in the compose file, pointed at this machine's services.
    pg = f"{PG_USER}@"
    db_path = f"/{local.database}"
    svc = local.services
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND"):
        env[key] = _swap_netloc(env[key], f"{svc.pg_host}:{svc.pg_port}", db_path, pg)
    env["AIRFLOW__CELERY__BROKER_URL"] = _swap_netloc(
        env["AIRFLOW__CELERY__BROKER_URL"], f"{svc.redis_host}:{svc.redis_port}", f"/{local.redis_db}",
        f":{svc.redis_password}@" if svc.redis_password else "",
    )
    env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = _swap_netloc(
        env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"], f"{local.api_host}:{local.api_port}"
    )
    # Ports the containers each have to themselves, but processes on one machine (and other engineers) share.
    env.update(
        AIRFLOW__API__HOST=local.api_host,
        AIRFLOW__API__PORT=str(local.api_port),
        AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT=str(local.scheduler_health_port),
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(local.worker_log_port),
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(local.trigger_log_port),
    )
    env.update({k: v for k, v in local.secrets.items() if k in env})  # only secrets the service has
    for key, value in list(env.items()):
        env[key] = local_path(value, paths)
    env["AIRFLOW_HOME"] = str(local.workdir / "airflow_home")
    env[MARKER_VAR] = local.marker
    return env


def process_environment(service_env: dict[str, str]) -> dict[str, str]:
    """This process's environment minus any Airflow/countystats settings of the caller, plus the service's."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW__", "AIRFLOW_", "COUNTYSTATS_", "_AIRFLOW")) and k != "PYTHONPATH"
    }
    return {**base, "PYTHONUNBUFFERED": "1", **service_env}


# --------------------------------------------------------------------------------------------------------------
# Local services: PostgreSQL and Redis
# --------------------------------------------------------------------------------------------------------------


def _pg_connect(dbname: str = "postgres", services: Services = MACHINE):
    import psycopg2

    conn = psycopg2.connect(host=services.pg_host, port=services.pg_port, user=PG_USER, dbname=dbname,
                            connect_timeout=5)
    conn.autocommit = True
    return conn


def pg_execute(sql: str, *params, dbname: str = "postgres", services: Services = MACHINE) -> list[tuple]:
    """One statement outside any transaction (CREATE/DROP DATABASE need that; `with conn` would open one)."""
    conn = _pg_connect(dbname, services)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params or None)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def _redis(db: int = 0, services: Services = MACHINE):
    import redis

    return redis.Redis(host=services.redis_host, port=services.redis_port, db=db, socket_timeout=5,
                       password=services.redis_password or None)


def ensure_services(log=print) -> None:
    """PostgreSQL and Redis must answer; if one does not, start it once with this machine's command and wait."""

    def postgres_up() -> bool:
        try:
            _pg_connect().close()
            return True
        except Exception:
            return False

    def redis_up() -> bool:
        try:
            return bool(_redis().ping())
        except Exception:
            return False

    for name, is_up, start in (
        (
            "PostgreSQL",
            postgres_up,
            lambda: START_POSTGRES.format(version=max(os.listdir("/etc/postgresql"), key=float)),
        ),
        ("Redis", redis_up, lambda: START_REDIS),
    ):
        if is_up():
            continue
        command = start()
        log(f"{name} is down; starting it: {command}")
        subprocess.run(command, shell=True, check=False, timeout=60)
        deadline = time.monotonic() + 30
        while not is_up():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} is not reachable and `{command}` did not start it")
            time.sleep(1)


def claim_redis_db(marker: str, services: Services = MACHINE) -> int:
    """An empty Redis db index (1–15; 0 is everyone's default), claimed with a key so parallel runs differ."""
    for index in random.sample(range(1, 16), 15):
        r = _redis(index, services)
        if r.dbsize() == 0 and r.set(REDIS_CLAIM_KEY, f"{marker} {time.time():.0f}", nx=True):
            return index
    raise RuntimeError("no empty Redis db index among 1–15")


def sweep_stale_runs(max_age: float = 1800.0, log=print) -> list[str]:
    """Release what runs killed without tear-down (SIGKILL, a lost machine) left: a claimed Redis index older than
    `max_age` whose run has no live process, and that run's database. Only 15 indexes exist, so leaks add up.
    stop() drops the database before it flushes the claim, so every leaked database still has its claim."""
    swept = []
    for index in range(1, 16):
        r = _redis(index)
        marker, _, stamp = (r.get(REDIS_CLAIM_KEY) or b"").decode().partition(" ")
        if not re.fullmatch(r"[0-9a-f]{12}", marker) or not stamp.isdigit():
            continue
        if time.time() - int(stamp) < max_age or marked_processes(marker):
            continue
        pg_execute(f'DROP DATABASE IF EXISTS "countystats_it_{marker}" WITH (FORCE)')
        r.flushdb()
        swept.append(marker)
        log(f"released Redis db {index} and database countystats_it_{marker} of a run that was killed")
    return swept


def sweep_stale_servers(max_age: float = 1800.0, log=print) -> list[int]:
    """Stop the own PostgreSQL and Redis of runs across hosts that were killed without tear-down: older than
    ``max_age`` and no process of their run left."""
    import psutil

    swept = []
    for proc in psutil.process_iter(["pid", "create_time"]):
        try:
            marker = proc.environ().get(SERVER_VAR)
            if not marker or time.time() - proc.info["create_time"] < max_age or marked_processes(marker):
                continue
            proc.kill()
            swept.append(proc.pid)
            log(f"stopped {proc.name()} ({proc.pid}) of a run across hosts that was killed")
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return swept


# --------------------------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    popen: subprocess.Popen
    log_path: Path


def airflow_executable() -> str:
    """The `airflow` of the Python running this (the project's venv), so tasks import this checkout."""
    candidate = Path(sys.executable).parent / "airflow"
    return str(candidate) if candidate.exists() else shutil.which("airflow") or "airflow"


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log: {exc})"


def marked_processes(marker: str) -> list:
    """Live processes carrying this run's marker in their environment (reads /proc/<pid>/environ via psutil)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "name"]):
        if proc.pid == os.getpid():
            continue
        try:
            if proc.environ().get(MARKER_VAR) == marker and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def stop_groups(services: list[Service], grace: float = 20.0) -> None:
    """Stop services the way `docker compose stop` does, all at once: SIGTERM to each main process (Airflow and
    Celery shut their own children down, warm), then SIGTERM and finally SIGKILL to what is left of each group."""
    groups = [s.popen.pid for s in services]  # start_new_session=True: the leader's pid is the group id

    def alive(pgid: int) -> bool:
        try:
            os.killpg(pgid, 0)
            return True
        except ProcessLookupError:
            return False

    def wait(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and any(alive(g) for g in groups):
            for s in services:
                s.popen.poll()  # reap leaders, or they stay zombies that keep their group alive
            time.sleep(0.3)

    for s in services:
        with suppress(ProcessLookupError):
            s.popen.send_signal(signal.SIGTERM)
    wait(grace)
    for sig, seconds in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        for pgid in groups:
            with suppress(ProcessLookupError):
                os.killpg(pgid, sig)
        wait(seconds)
    for s in services:
        with suppress(subprocess.TimeoutExpired):
            s.popen.wait(timeout=5)


# --------------------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    state: str = "not started"  # success when every run succeeded / failed / error
    error: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    runs: dict[str, str] = field(default_factory=dict)  # each triggered run → its final state (or "timeout")
    login_ok: bool = False
    healthchecks: dict[str, int] = field(default_factory=dict)  # compose CMD-SHELL healthcheck → exit code
    files: dict[str, int] = field(default_factory=dict)  # the inbox's files, each run's archived files
    inbox_unchanged: bool = (
        False  # compose mounts the inbox read-only; root here would not notice, so compare
    )
    leftover_pids: list[int] = field(default_factory=list)
    escaped_pids: list[int] = field(default_factory=list)  # outside their group at stop time (then killed)
    logs: dict[str, str] = field(default_factory=dict)  # name → tail, filled on failure
    workdir: str = ""
    tries: list[dict] = field(default_factory=list)  # every try of every task, with the host it ran on
    cut: dict = field(default_factory=dict)  # across hosts: where the link was cut
    warehouses: dict[str, str] = field(default_factory=dict)  # each successful run → its warehouse
    submissions: dict[str, int] = field(default_factory=dict)  # each successful run → its warehouse's files

    def ok(self, cut: bool = False) -> bool:
        """Everything the run must show; ``cut``: a host's link was to be cut in the second run."""
        return (
            self.state == "success"
            and self.login_ok
            and bool(self.healthchecks) and not any(self.healthchecks.values())
            and self.inbox_unchanged
            and not self.leftover_pids
            and all(n > 0 for n in self.submissions.values())
            and (bool(self.cut) or not cut)
        )

    def report(self) -> str:
        """Human-readable, for test failure messages: what happened and the tail of every log."""
        head = json.dumps(
            {k: v for k, v in self.__dict__.items() if k != "logs"}, indent=2, ensure_ascii=False
        )
        return head + "".join(f"\n\n===== {name} (tail) =====\n{text}" for name, text in self.logs.items())


class Deployment:
    """One local run of the compose deployment. Use as a context manager: __exit__ always cleans up."""

    def __init__(
        self,
        workdir: Path,
        dags_folder: Path | None = None,
        dag_id: str = DAG_ID,
        run_timeout: float = 360.0,
        log=print,
        placeholder_inbox: bool = False,
        hosts: tuple[str, ...] = (),
        extra_env: dict[str, str] | None = None,
    ):
        """``hosts``: run one Celery worker on each of these test hosts (deploy/hosts.py) instead of one here, with
        PostgreSQL and Redis of the run's own across the hosts' link. ``extra_env``: Airflow settings for every
        service (a test's shorter time-outs)."""
        self.placeholder_inbox = placeholder_inbox
        self.host_names = tuple(hosts)
        self.extra_env = {**TRIGGERED_ONLY, **(extra_env or {})}
        self.network = None
        self.servers: list = []  # the run's own PostgreSQL and Redis while they run
        self.own_servers: list = []  # every one started, for the caller's checks
        self.workdir = Path(workdir)
        self.dag_id = dag_id
        self.run_timeout = run_timeout
        self.log = log
        self.result = Result(workdir=str(self.workdir))
        self.services: list[Service] = []  # running
        self.started: list[Service] = []  # everything ever started, for the caller's checks
        self.database_created = False
        self.redis_db: int | None = None
        self.compose = load_compose()
        marker = uuid.uuid4().hex[:12]
        self.local = Local(
            workdir=self.workdir,
            database=f"countystats_it_{marker}",
            redis_db=-1,
            api_port=_free_port(),
            scheduler_health_port=_free_port(),
            worker_log_port=_free_port(),
            trigger_log_port=_free_port(),
            dags_folder=Path(dags_folder or ROOT / "dags").resolve(),
            marker=marker,
            secrets={
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),  # HS512 wants ≥ 64 bytes
                "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(64),
                "AIRFLOW__CORE__FERNET_KEY": _fernet_key(),
                "_AIRFLOW_ADMIN_PASSWORD": secrets.token_urlsafe(12),
            },
        )

    # -- set-up ------------------------------------------------------------------------------------------------
    def __enter__(self) -> Deployment:
        ensure_services(self.log)
        try:
            self._set_up()
        except BaseException:
            self.stop()  # __exit__ does not run when __enter__ fails: release the Redis index and database here
            raise
        return self

    def _set_up(self) -> None:
        sweep_stale_runs(log=self.log)
        if self.host_names:
            self._set_up_hosts()
        self.redis_db = claim_redis_db(self.local.marker, self.local.services)
        self.local.redis_db = self.redis_db
        pg_execute(f'CREATE DATABASE "{self.local.database}"', services=self.local.services)
        self.database_created = True
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        self.env = {
            s: {**derive_environment(self.compose, s, self.local), **self.extra_env}
            for s in (*RUN_SERVICES, "airflow-init")
        }
        for path in self.local.path_map(self.compose).values():
            if str(path).startswith(str(self.workdir)):
                path.mkdir(parents=True, exist_ok=True)

    def _set_up_hosts(self) -> None:
        """The worker hosts' network, and PostgreSQL and Redis of this run's own on its bridge's address."""
        hosts = load_hosts()
        hosts.sweep_stale_networks(lambda marker: bool(marked_processes(marker)), log=self.log)
        sweep_stale_servers(log=self.log)
        self.network = hosts.Network(self.local.marker, self.workdir, self.host_names)
        self.network.up()  # assigned first: a set-up that fails half-way is still taken down by stop()
        env = {**process_environment({}), SERVER_VAR: self.local.marker}
        address = self.network.address
        password = secrets.token_urlsafe(16)
        pg, pg_port = hosts.start_postgres(address, self.network.subnet, env)
        self.servers.append(pg)
        redis_server, redis_port = hosts.start_redis(address, password, env)
        self.servers.append(redis_server)
        self.own_servers = list(self.servers)
        self.local.services = Services(address, pg_port, address, redis_port, password)
        self.local.api_host = address

    def __exit__(self, *exc) -> None:
        self.stop()

    def _env(self, service: str) -> dict[str, str]:
        return process_environment(self.env[service])

    def _cli(self, service: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """A one-off `airflow …` command in the service's environment (what `docker compose exec` would do)."""
        name = "cli-" + "-".join(a for a in args[:2] if not a.startswith("-"))
        with open(self.workdir / "logs" / f"{name}.log", "ab") as out:
            proc = subprocess.run(
                [airflow_executable(), *args],
                env=self._env(service),
                cwd=self.workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                start_new_session=True,
            )
        if proc.returncode != 0:
            raise RuntimeError(f"`airflow {' '.join(args)}` exited {proc.returncode} (log {name}.log)")
        return proc

    def _timed(self, label: str, t: float) -> None:
        self.result.timings[label] = round(time.monotonic() - t, 1)

    def init(self) -> None:
        """What airflow-init does: write the admin's password file, migrate the metadata DB."""
        t = time.monotonic()
        env = self.env["airflow-init"]
        password_file = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(json.dumps({env["_AIRFLOW_ADMIN_USERNAME"]: env["_AIRFLOW_ADMIN_PASSWORD"]}))
        password_file.chmod(0o600)
        self._cli("airflow-init", "db", "migrate", timeout=600)
        self._timed("db_migrate_s", t)

    def start(self) -> None:
        t = time.monotonic()
        for service in RUN_SERVICES:
            # The Celery node name stays the default (celery@host): the run's own Redis db keeps it apart.
            argv = [airflow_executable(), *service_command(self.compose, service)[1:]]
            if service == WORKER and self.network:
                for host in self.network.hosts:  # one worker per test host, as on machines of their own
                    env = {**self._env(service), "TMPDIR": str(host.tmp),
                           # what Airflow records as the task's host: the host's own name, not a DNS lookup
                           "AIRFLOW__CORE__HOSTNAME_CALLABLE": "socket.gethostname"}
                    self._spawn(f"{service}@{host.name}", host.command(argv), env)
            else:
                self._spawn(service, argv, self._env(service))
        self._wait_healthy()
        self._timed("services_healthy_s", t)

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        log_path = self.workdir / "logs" / f"{name}.log"
        with open(log_path, "ab") as out:
            popen = subprocess.Popen(
                argv,
                env=env,
                cwd=self.workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # own session and process group: stopped as a whole
            )
        self.services.append(Service(name, popen, log_path))
        self.started.append(self.services[-1])

    def _check_alive(self) -> None:
        for s in self.services:
            if s.popen.poll() is not None:
                raise RuntimeError(f"{s.name} exited with {s.popen.returncode}")

    def _wait_healthy(self, timeout: float = 180) -> None:
        """The compose healthchecks, locally: HTTP ones on their local ports; the worker by its 'ready' line."""
        listening = {
            "airflow-apiserver": f"{self.local.api_host}:{self.local.api_port}",
            "airflow-scheduler": f"127.0.0.1:{self.local.scheduler_health_port}",
        }
        urls = {}
        for service, netloc in listening.items():
            url = healthcheck_url(self.compose, service)
            if url:
                urls[service] = _swap_netloc(url, netloc)
        workers = {s.name: s.log_path for s in self.services if s.name.startswith(WORKER)}
        pending = {*urls, *workers}
        deadline = time.monotonic() + timeout
        while pending:
            self._check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"not healthy after {timeout:.0f} s: {sorted(pending)}")
            for service in list(pending):
                if service in workers:
                    if " ready." in workers[service].read_text(errors="replace"):
                        pending.discard(service)
                elif _http_ok(urls[service]):
                    pending.discard(service)
            time.sleep(2)

    def container_healthchecks(self) -> dict[str, int]:
        """docker-compose.yml's CMD-SHELL healthchecks, verbatim, in /bin/sh with $HOSTNAME = the name of the host
        the service runs on (a container's hostname is what its Airflow job and Celery node record), a test host's
        worker's on that host; their exit codes, by process name (``airflow-worker@worker-a``)."""
        hosts = {h.name: h for h in self.network.hosts} if self.network else {}
        procs = {}
        for service in self.services:
            compose_name, _, host = service.name.partition("@")
            test = self.compose["services"][compose_name].get("healthcheck", {}).get("test") or []
            if test[:1] != ["CMD-SHELL"]:
                continue
            env = {
                **self._env(compose_name),
                "HOSTNAME": host or socket.gethostname(),
                "PATH": f"{Path(airflow_executable()).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            }
            argv = ["/bin/sh", "-c", test[1]]
            out = open(self.workdir / "logs" / f"healthcheck-{service.name}.log", "ab")
            popen = subprocess.Popen(
                hosts[host].command(argv) if host else argv,
                env=env,
                cwd=self.workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            procs[service.name] = (popen, out)
        for name, (
            popen,
            out,
        ) in procs.items():  # run side by side: each is a full `airflow`/`celery` start-up
            try:
                self.result.healthchecks[name] = popen.wait(timeout=120)
            except subprocess.TimeoutExpired:
                popen.kill()
                self.result.healthchecks[name] = -9
            out.close()
        return self.result.healthchecks

    def login(self) -> bool:
        """First login as docs/deploy.md describes: the admin's password from .env gets a token."""
        env = self.env["airflow-init"]
        body = json.dumps(
            {"username": env["_AIRFLOW_ADMIN_USERNAME"], "password": env["_AIRFLOW_ADMIN_PASSWORD"]}
        ).encode()
        request = urllib.request.Request(
            f"http://{self.local.api_host}:{self.local.api_port}/auth/token",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                self.result.login_ok = bool(json.load(response).get("access_token"))
        except (urllib.error.URLError, ValueError) as exc:
            self.log(f"login failed: {exc}")
        return self.result.login_ok

    def _query(self, sql: str, *params):
        return pg_execute(sql, *params, dbname=self.local.database, services=self.local.services)

    def wait_for_dag(self, timeout: float = 180) -> None:
        """Until the dag-processor has serialized the DAG; a parse error fails at once, with its traceback."""
        t = time.monotonic()
        while True:
            self._check_alive()
            if self._query("SELECT 1 FROM serialized_dag WHERE dag_id = %s", self.dag_id):
                break
            # Another DAG file's error must not fail this run, but one in ours fails it at once.
            errors = self._query("SELECT filename, stacktrace FROM import_error")
            ours = [e for e in errors if Path(e[0]).stem == self.dag_id]
            if ours or time.monotonic() - t > timeout:
                raise RuntimeError(
                    f"{self.dag_id} not parsed after {time.monotonic() - t:.0f} s; import errors:\n"
                    + ("\n".join(f"{f}:\n{s}" for f, s in (ours or errors)) or "(none)")
                )
            time.sleep(2)
        self._timed("dag_parsed_s", t)

    def write_inbox(self) -> Path:
        inbox = Path(self.env[WORKER]["COUNTYSTATS_INBOX"])
        inbox.mkdir(parents=True, exist_ok=True)
        if self.placeholder_inbox:  # for a throwaway DAG while the real pipeline is not there
            for name in ("a.xlsx", "b.xlsx"):
                (inbox / name).write_bytes(b"placeholder")
            return inbox
        from countystats.examples.county import write_example_inbox

        write_example_inbox(inbox)
        return inbox

    def _inbox_digest(self) -> dict[str, str]:
        import hashlib

        inbox = Path(self.env[WORKER]["COUNTYSTATS_INBOX"])
        return {
            str(p.relative_to(inbox)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(inbox.rglob("*"))
            if p.is_file()
        }

    def check_files(self, inbox_before: dict[str, str]) -> None:
        """The inbox as it was (compose mounts it read-only; root here would not notice, so compare), and how many
        of its reports' contents each run archived (byte-identical files are archived once, named by their sha256;
        the portal's receipts, ``.receipts.jsonl``, are no report)."""
        self.result.inbox_unchanged = self._inbox_digest() == inbox_before
        contents = {digest for name, digest in inbox_before.items() if not Path(name).name.startswith(".")}
        self.result.files = {"inbox": len(inbox_before), "inbox reports": len(contents)}
        for run_id in self.result.runs:
            archive = Path(self.run_conf(run_id)["archive"])
            archived = {p.name.partition(".")[0] for p in archive.glob("*/*") if p.is_file()}
            self.result.files[f"archived {run_id}"] = len(contents & archived)

    # -- runs with their own folders ----------------------------------------------------------------------------
    def run_conf(self, run_id: str, shard_files: int | None = None) -> dict[str, str]:
        """A run's params: the example inbox, but a warehouse, archive and output of its own (runs compared);
        ``shard_files``: files a mapped ``check`` task takes (None: the setting's default)."""
        base = self.workdir / "runs" / run_id
        conf = {"db": str(base / "data" / "countystats.duckdb"), "archive": str(base / "archive"),
                "out": str(base / "output")}
        return conf if shard_files is None else {**conf, "shard_files": str(shard_files)}

    def trigger(self, run_id: str, conf: dict[str, str]) -> None:
        self._cli(WORKER, "dags", "trigger", self.dag_id, "--run-id", run_id, "--conf", json.dumps(conf))

    def wait_run(self, run_id: str, cut: str | None = None) -> str:
        """Until the run ends. With ``cut``, that host's link goes down as soon as one of its ``check`` tasks of
        this run is running, and retries are waited for (a cut host's tasks are retried elsewhere); without, a
        first failure decides the run (the DAG retries a failed task only after minutes)."""
        t = time.monotonic()
        while True:
            self._check_alive()
            if time.monotonic() - t > self.run_timeout:
                return "timeout"
            state = dict(self._query("SELECT run_id, state FROM dag_run WHERE dag_id = %s", self.dag_id)).get(run_id)
            if state in ("success", "failed"):
                self._timed(f"run_{run_id}_s", t)
                return state
            if not cut and self._query("SELECT 1 FROM task_instance WHERE dag_id = %s AND run_id = %s"
                                       " AND state = 'up_for_retry'", self.dag_id, run_id):
                return "failed (a task is up for retry)"
            if cut and not self.result.cut:
                running = self._query(
                    "SELECT task_id, map_index, try_number FROM task_instance WHERE dag_id = %s AND run_id = %s"
                    " AND task_id = 'check' AND state = 'running' AND hostname = %s ORDER BY map_index LIMIT 1",
                    self.dag_id, run_id, cut)
                if running:
                    self.network.cut(cut)
                    task_id, map_index, try_number = running[0]
                    self.result.cut = {"host": cut, "run_id": run_id, "task_id": task_id, "map_index": map_index,
                                       "try_number": try_number, "after_s": round(time.monotonic() - t, 1)}
                    self.log(f"cut {cut}'s link while it ran {task_id}[{map_index}] try {try_number}")
            time.sleep(0.5)

    def tries(self) -> list[dict]:
        """Every try of every task of the DAG: the finished ones kept in task_instance_history, the last in
        task_instance; with the host each ran on."""
        rows = []
        for table in ("task_instance_history", "task_instance"):
            rows += self._query(
                f"SELECT run_id, task_id, map_index, try_number, coalesce(hostname, ''), coalesce(state, 'none')"
                f" FROM {table} WHERE dag_id = %s ORDER BY run_id, task_id, map_index, try_number", self.dag_id)
        keys = ("run_id", "task_id", "map_index", "try_number", "hostname", "state")
        self.result.tries = [dict(zip(keys, row, strict=True)) for row in rows]
        return self.result.tries

    def count_submissions(self, run_id: str) -> int:
        """The files the run's warehouse holds (it must exist)."""
        import duckdb

        path = Path(self.run_conf(run_id)["db"])
        if not path.exists():
            raise RuntimeError(f"no warehouse at {path}")
        with duckdb.connect(str(path), read_only=True) as con:
            self.result.submissions[run_id] = con.execute("SELECT count(*) FROM submissions").fetchone()[0]
        return self.result.submissions[run_id]

    def collect_logs(self) -> None:
        for path in sorted((self.workdir / "logs").glob("*.log")):
            self.result.logs[path.stem] = tail(path)
        task_logs = Path(self.env[WORKER]["AIRFLOW__LOGGING__BASE_LOG_FOLDER"])
        for path in sorted(task_logs.rglob("*.log")):
            if "dag_id=" in str(path):
                self.result.logs[str(path.relative_to(task_logs))] = tail(path, 25)

    # -- tear-down ---------------------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop everything this run started, whatever state it is in; safe to call twice."""
        t = time.monotonic()
        stop_groups(self.services)
        self.services.clear()
        # Anything that left its group (setsid) still carries the marker: kill it, and remember it.
        escaped = marked_processes(self.local.marker)
        self.result.escaped_pids = [p.pid for p in escaped]
        for proc in escaped:
            with suppress(Exception):
                proc.kill()
        time.sleep(0.5)
        self.result.leftover_pids = [p.pid for p in marked_processes(self.local.marker)]
        if self.database_created:  # before the Redis claim goes: sweep_stale_runs finds databases by claims
            with suppress(Exception):
                pg_execute(f'DROP DATABASE IF EXISTS "{self.local.database}" WITH (FORCE)',
                           services=self.local.services)
            self.database_created = False
        if self.redis_db is not None:
            with suppress(Exception):
                _redis(self.redis_db, self.local.services).flushdb()
            self.redis_db = None
        for server in self.servers:  # the run's own PostgreSQL and Redis, then the test hosts' network
            server.stop()
        self.servers.clear()
        if self.network:
            self.network.down()
        self._timed("stop_s", t)


def load_hosts():
    """deploy/hosts.py (deploy/ is a folder of scripts, not a package)."""
    import importlib.util

    name = "countystats_deploy_hosts"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "deploy" / "hosts.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def run_deployment(deployment: Deployment, shard_files: int | None = None, cut: str | None = None) -> Result:
    """Set up, run, check and ALWAYS tear down one deployment; the outcome is in the returned Result (never raises
    for a failure of the deployment). A run of the DAG on the example inbox with folders of its own; with ``cut``
    (a deployment across hosts), a second such run with that host's link cut while it runs a shard."""
    t0 = time.monotonic()
    result = deployment.result
    # A CI time-out sends SIGTERM: turn it into an exception so the `with` below still stops everything.
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_on_sigterm)
    try:
        with deployment:
            deployment.init()
            deployment.write_inbox()
            inbox_before = deployment._inbox_digest()
            deployment.start()
            deployment.login()
            deployment.container_healthchecks()
            deployment.wait_for_dag()
            deployment._cli(WORKER, "dags", "unpause", deployment.dag_id)
            for run_id, host in (("undisturbed", None), *((("cut", cut),) if cut else ())):
                conf = deployment.run_conf(run_id, shard_files)
                deployment.trigger(run_id, conf)
                result.runs[run_id] = deployment.wait_run(run_id, cut=host)
                if result.runs[run_id] != "success":
                    break
                result.warehouses[run_id] = conf["db"]
                deployment.count_submissions(run_id)
            deployment.tries()
            deployment.check_files(inbox_before)
            result.state = "success" if set(result.runs.values()) == {"success"} else "failed"
            if not result.ok(cut=bool(cut)):
                deployment.collect_logs()
    except Exception as exc:  # reported, with the logs, by the caller
        result.error = f"{type(exc).__name__}: {exc}"
        result.state = "error"
        with suppress(Exception):
            deployment.collect_logs()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    result.timings["total_s"] = round(time.monotonic() - t0, 1)
    return result


# Only the runs a harness triggers: unpausing would also start the latest night's scheduled run.
TRIGGERED_ONLY = {"AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False"}

# The time-outs after which Airflow gives up on a lost host, shortened from minutes for a test (docs/deploy.md).
ACROSS_HOSTS_ENV = {
    # a running task whose host stopped heartbeating is failed, then retried elsewhere
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "3",
    # a task a lost worker took from the broker but never started is revoked and queued again
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "40",
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "5",
    # ... as often as it takes: up to 8 shards are queued for the one worker left, and on a loaded machine the
    # last waits longer than three such time-outs, after which Airflow fails it unstarted (its default: requeued
    # twice). The production time-out, 600 s, is far above that wait.
    "AIRFLOW__SCHEDULER__NUM_STUCK_IN_QUEUED_RETRIES": "20",
    "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "2",
}


def _raise_on_sigterm(signum, frame):
    raise SystemExit(f"terminated by signal {signum} during the deployment integration run")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dags", type=Path, help="DAG folder (default: the project's dags/)")
    parser.add_argument("--dag-id", default=DAG_ID)
    parser.add_argument("--timeout", type=float, default=360.0, help="seconds the DAG run may take")
    parser.add_argument(
        "--placeholder-inbox", action="store_true", help="dummy files, not the example county"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, warehouse)")
    parser.add_argument(
        "--across-hosts", action="store_true",
        help="the workers on two test hosts (network namespaces; root), one cut in the second of two runs",
    )
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="countystats-it-"))
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    across = {"hosts": ("worker-a", "worker-b"), "extra_env": ACROSS_HOSTS_ENV} if args.across_hosts else {}
    deployment = Deployment(workdir, dags_folder=args.dags, dag_id=args.dag_id, run_timeout=args.timeout, log=log,
                            placeholder_inbox=args.placeholder_inbox, **across)
    cut = "worker-b" if args.across_hosts else None
    result = run_deployment(deployment, shard_files=12 if cut else None, cut=cut)
    ok = result.ok(cut=bool(cut))
    print(
        result.report()
        if not ok
        else json.dumps(
            {k: v for k, v in result.__dict__.items() if k != "logs"}, indent=2, ensure_ascii=False
        )
    )
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
