"""Test hosts on one machine: worker hosts in network namespaces, and PostgreSQL and Redis across a link to them.

A Celery worker on another host shares nothing with the scheduler but what docs/deploy.md says must be shared: the
metadata database, the broker, the API server and the county's folders. To prove that on one machine, each worker
host is a network namespace of its own (``ip netns``) joined to a bridge by a veth pair, with its own address, its
own hostname (a UTS namespace: what Airflow records as the task's host and Celery as its node name) and its own
temporary folder; the file system stays shared, as the county's volumes are in production.

The machine's PostgreSQL and Redis listen on loopback only, which another host cannot reach, so the run gets
instances of its own bound to the bridge's address (PostgreSQL initialised in a temporary folder as the
``postgres`` account, trust for the bridge's subnet only; Redis with a password). Cutting a host's link
(:meth:`Network.cut`) takes its side of the veth pair down: the host's processes go on, but nothing they send
arrives, as when a machine drops off the network.

Everything is named after the run's marker so a run killed without its tear-down is found and removed by the next
(:func:`sweep_stale_networks`). Needs root (network namespaces, the postgres account).
"""

from __future__ import annotations

import ipaddress
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

NETNS_PREFIX = "countystats-"


def ip(*args: str, netns: str | None = None) -> str:
    command = ["ip", *(["netns", "exec", netns, "ip"] if netns else []), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` failed: {done.stderr.strip()}")
    return done.stdout


@dataclass
class Host:
    """One worker host: its namespace, hostname, address, the host side of its link and its own temp folder."""

    name: str
    netns: str
    address: str
    link: str
    tmp: Path

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` run on this host: in its network namespace, under its own hostname."""
        return ["ip", "netns", "exec", self.netns, "unshare", "--uts", "--",
                "sh", "-c", 'hostname "$0" && exec "$@"', self.name, *argv]


@dataclass
class Network:
    """A bridge with an address on this machine and one namespace per host, for one run (``marker``)."""

    marker: str
    workdir: Path
    host_names: tuple[str, ...] = ("worker-a", "worker-b")
    hosts: list[Host] = field(default_factory=list)
    bridge: str = ""
    address: str = ""  # the bridge's: where the scheduler's side listens
    subnet: str = ""

    def up(self) -> Network:
        tag = self.marker[:8]
        self.bridge = f"csb-{tag}"
        net = _free_subnet()
        self.subnet = str(net)
        self.address = str(net[1])
        ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", f"{self.address}/{net.prefixlen}", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for n, name in enumerate(self.host_names):
            suffix = name.rsplit("-", 1)[-1][:2]
            host = Host(name, f"{NETNS_PREFIX}{self.marker}-{suffix}", str(net[10 + n]), f"csv-{tag}-{suffix}",
                        self.workdir / "hosts" / name / "tmp")
            host.tmp.mkdir(parents=True, exist_ok=True)
            peer = f"csp-{tag}-{suffix}"
            ip("netns", "add", host.netns)
            self.hosts.append(host)
            ip("link", "add", host.link, "type", "veth", "peer", "name", peer)
            ip("link", "set", peer, "netns", host.netns)
            ip("link", "set", host.link, "master", self.bridge)
            ip("link", "set", host.link, "up")
            ip("link", "set", "lo", "up", netns=host.netns)
            ip("link", "set", peer, "name", "eth0", netns=host.netns)
            ip("addr", "add", f"{host.address}/{net.prefixlen}", "dev", "eth0", netns=host.netns)
            ip("link", "set", "eth0", "up", netns=host.netns)
        return self

    def host(self, name: str) -> Host:
        return next(h for h in self.hosts if h.name == name)

    def cut(self, name: str) -> None:
        """The host drops off the network: its side of the bridge goes down; its processes keep running."""
        ip("link", "set", self.host(name).link, "down")

    def down(self) -> None:
        """Remove the namespaces (their veth ends go with them) and the bridge; safe to call twice."""
        for host in self.hosts:
            with suppress(RuntimeError):
                ip("netns", "del", host.netns)
            with suppress(RuntimeError):  # a veth pair not yet moved into the namespace (a set-up cut short)
                ip("link", "del", host.link)
        if self.bridge:
            with suppress(RuntimeError):
                ip("link", "del", self.bridge)
        self.hosts.clear()


def _free_subnet() -> ipaddress.IPv4Network:
    """A /24 in 10.213.0.0/16 that no interface of this machine is in (runs side by side each take their own)."""
    used = [ipaddress.ip_interface(a).network for a in re.findall(r"inet (\S+)", ip("-4", "-o", "addr"))]
    for third in secrets.SystemRandom().sample(range(1, 255), 254):
        net = ipaddress.ip_network(f"10.213.{third}.0/24")
        if not any(net.overlaps(u) for u in used):
            return net
    raise RuntimeError("no free /24 in 10.213.0.0/16 for the test hosts")


def free_port(address: str) -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------------------------
# PostgreSQL and Redis of the run's own, on the bridge's address
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    popen: subprocess.Popen
    folder: Path
    stop_signal: int = signal.SIGTERM

    def stop(self, grace: float = 15.0) -> None:
        if self.popen.poll() is None:
            with suppress(ProcessLookupError):
                self.popen.send_signal(self.stop_signal)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def _wait_port(address: str, port: int, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}: {log.read_text(errors='replace')[-2000:]}")
        with suppress(OSError), socket.create_connection((address, port), timeout=1):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on {address}:{port} after {timeout:.0f} s")
        time.sleep(0.2)


def start_postgres(address: str, subnet: str, env: dict[str, str]) -> tuple[Server, int]:
    """A PostgreSQL cluster of its own (the machine's server binaries), listening on ``address`` only."""
    version = max(os.listdir("/usr/lib/postgresql"), key=float)
    bin_dir = Path("/usr/lib/postgresql") / version / "bin"
    account = pwd.getpwnam("postgres")
    # the postgres account must reach it: not under a test's private temp folder
    folder = Path(tempfile.mkdtemp(prefix="countystats-pg-", dir="/tmp"))
    os.chown(folder, account.pw_uid, account.pw_gid)
    data = folder / "data"
    subprocess.run([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                    "--no-sync", "--no-instructions"], user="postgres", group=account.pw_gid, cwd=folder,
                   capture_output=True, check=True, timeout=120, env={**env, "LC_ALL": "C.UTF-8"})
    with open(data / "pg_hba.conf", "a", encoding="utf-8") as hba:
        hba.write(f"host all all {subnet} trust\n")  # the bridge's subnet only: the worker hosts
    port = free_port(address)
    argv = [str(bin_dir / "postgres"), "-D", str(data), "-c", f"listen_addresses={address}", "-c", f"port={port}",
            "-c", f"unix_socket_directories={folder}", "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "max_connections=300"]
    # SIGINT: PostgreSQL's fast shutdown (SIGTERM waits for every client to leave)
    return _serve("postgres", argv, folder, address, port, signal.SIGINT, user="postgres", group=account.pw_gid,
                  cwd=folder, env={**env, "LC_ALL": "C.UTF-8"}), port


def start_redis(address: str, password: str, env: dict[str, str]) -> tuple[Server, int]:
    """A Redis of its own on ``address``, with a password (it is reachable from other hosts), keeping nothing."""
    folder = Path(tempfile.mkdtemp(prefix="countystats-redis-"))
    port = free_port(address)
    argv = ["redis-server", "--bind", address, "--port", str(port), "--requirepass", password, "--save", "",
            "--appendonly", "no", "--dir", str(folder), "--daemonize", "no"]
    return _serve("redis", argv, folder, address, port, signal.SIGTERM, env=env), port


def _serve(name: str, argv: list[str], folder: Path, address: str, port: int, stop_signal: int, **popen) -> Server:
    """Start a server logging to ``folder``, and wait until it listens; stopped again if it does not."""
    log = folder / f"{name}.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **popen)
    server = Server(name, process, folder, stop_signal)
    try:
        _wait_port(address, port, process, log)
    except BaseException:
        server.stop()
        raise
    return server


def sweep_stale_networks(is_live, log=print) -> list[str]:
    """Remove the namespaces and bridges of runs killed without their tear-down (``is_live(marker)`` is False)."""
    swept = []
    names = [line.split()[0] for line in ip("netns", "list").splitlines() if line.strip()]
    for netns in names:
        m = re.fullmatch(rf"{NETNS_PREFIX}([0-9a-f]{{12}})-\w+", netns)
        if m and not is_live(m.group(1)):
            with suppress(RuntimeError):
                ip("netns", "del", netns)
            with suppress(RuntimeError):
                ip("link", "del", f"csb-{m.group(1)[:8]}")
            swept.append(netns)
            log(f"removed namespace {netns} of a run that was killed")
    return swept
