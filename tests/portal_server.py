"""A real portal for the tests: `countystats portal` started as its own process on a free port, over real HTTP.

``start_portal(folder, units)`` gives a :class:`RunningPortal` with its inbox, warehouse, archive and store under
``folder`` and every unit's access code (issued with `countystats access-codes issue --all`, as the README says),
plus an office code. Stop it with ``.stop()`` (or ``.kill()`` for a portal that dies).
"""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 180  # readers started and Great Expectations' suites built before the first request is answered


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "countystats.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


@dataclass
class RunningPortal:
    folder: Path
    env: dict[str, str]
    port: int
    process: subprocess.Popen | None = None
    codes: dict[str, str] = field(default_factory=dict)  # unit code → access code
    office: str = ""
    log: Path | None = None
    args: tuple[str, ...] = ()  # further options of `countystats portal` (--root-path, --forwarded-allow-ips)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def inbox(self) -> Path:
        return Path(self.env["COUNTYSTATS_INBOX"])

    @property
    def db(self) -> Path:
        return Path(self.env["COUNTYSTATS_DB"])

    def client(self, code: str | None = None, **kw) -> httpx.Client:
        headers = {"Authorization": f"Bearer {code}"} if code else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120, **kw)

    def send(self, code: str, data: bytes, name: str = "报告.xlsx", **fields) -> httpx.Response:
        with self.client(code) as c:
            return c.post("/api/submissions", files={"file": (name, data)}, data=fields)

    def start(self) -> RunningPortal:
        self.log = self.folder / f"portal-{time.monotonic_ns()}.log"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "countystats.cli", "portal", "--port", str(self.port), *self.args],
                env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"portal exited: {self.log.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"portal did not start: {self.log.read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # the server and its reader processes, at once
            self.process.wait(30)


def portal_env(folder: Path, units: Path, **settings: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COUNTYSTATS_UNITS": str(units),
           "COUNTYSTATS_INBOX": str(folder / "inbox"), "COUNTYSTATS_DB": str(folder / "data" / "countystats.duckdb"),
           "COUNTYSTATS_ARCHIVE": str(folder / "archive"), "COUNTYSTATS_OUT": str(folder / "output"),
           "COUNTYSTATS_PORTAL_READERS": "2"}
    env.update({f"COUNTYSTATS_{k.upper()}": v for k, v in settings.items()})
    (folder / "data").mkdir(parents=True, exist_ok=True)
    return env


def issue_codes(portal: RunningPortal) -> None:
    """Every unit's code and an office code, through the command line (the codes file is the only copy)."""
    codes_file = portal.folder / "codes.csv"
    done = cli("access-codes", "issue", "--all", "-o", str(codes_file), env=portal.env)
    assert done.returncode == 0, done.stderr
    with open(codes_file, encoding="utf-8-sig") as fh:
        portal.codes = {r["unit_code"]: r["access_code"] for r in csv.DictReader(fh)}
    done = cli("access-codes", "issue", "--office", "县政府办公室王五", env=portal.env)
    assert done.returncode == 0, done.stderr
    portal.office = done.stdout.strip().splitlines()[-1].split(",")[-1]


def start_portal(folder: Path, units: Path, args: tuple[str, ...] = (), **settings: str) -> RunningPortal:
    """``args``: options of `countystats portal` beyond --port; ``settings``: COUNTYSTATS_<NAME> (e.g.
    ``portal_store="postgresql+psycopg2://…"``), for the codes issued as for the portal."""
    portal = RunningPortal(folder, portal_env(folder, units, **settings), free_port(), args=tuple(args))
    issue_codes(portal)
    return portal.start()
