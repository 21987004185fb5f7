"""The clerks' portal as docker-compose.yml runs it: its store in real PostgreSQL (a fresh database on this machine's
server, dropped at the end), its command's options (--root-path /portal, --forwarded-allow-ips '*'), behind a real
nginx running deploy/nginx.conf — then the nightly run over its inbox as a process of its own.

What only PostgreSQL, the proxy and a second process show: receipts, sessions, wrong codes and the audit log are
rows of PostgreSQL tables, codes and session tokens only as hashes; the run takes the uploads with the portal's
receipt time and the portal shows each receipt's status after it; a session, the receipts and the wrong-code limit
hold across two portal processes on one store; nginx strips /portal, replaces a client's X-Forwarded-For, tells the
portal https when it is, lets the portal answer 413 itself and caches nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.deploy_scripts import load_integration
from tests.portal_server import ROOT, RunningPortal, cli, free_port, start_portal

pytestmark = [pytest.mark.integration, pytest.mark.slow]

UNITS = ROOT / "config" / "units.csv"  # the file the compose file mounts
# the example county's files sent through the portal: unit, status at once, status after the night
CLEAN = "2023_大营镇_政府信息公开工作年度报告.xlsx"
WRONG = "城西街道2024年政府信息公开工作年度报告.xlsm"
HELD = "黄金庄乡2023年政府信息公开工作年度报告.xls"
SENT = {
    CLEAN: ("twp_daying", "accepted", "accepted"),
    WRONG: ("sub_chengxi", "rejected", "rejected"),
    HELD: ("twp_huangjinzhuang", "needs_review", "accepted_with_warnings"),  # its warning explained on the portal
}
WHY = "本年收取复印费，已核实收费记录"
TABLES = {"portal_access_codes", "portal_sessions", "portal_receipts", "portal_failures", "portal_audit"}
UPLOAD = "POST /portal/api/submissions"  # as nginx's log names it
GUESSER = "203.0.113.7"  # an address a client claims in X-Forwarded-For
DATABASE_PREFIX = "countystats_portal_"
STALE_SECONDS = 6 * 3600  # a database of a run killed before its tear-down
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian's (dev.py installs nginx-light); sbin: not on every PATH


it = load_integration()


# ---------------------------------------------------------------------------------------------------- PostgreSQL


def _pg(sql: str, *params, dbname: str = "postgres") -> list[tuple]:
    return it.pg_execute(sql, *params, dbname=dbname)


def _sweep_stale_databases() -> None:
    """Drop what runs killed without tear-down left: databases of this test older than STALE_SECONDS (the name
    carries its creation time) that nobody is connected to."""
    for (name,) in _pg("SELECT datname FROM pg_database WHERE datname LIKE %s", DATABASE_PREFIX + "%"):
        m = re.fullmatch(re.escape(DATABASE_PREFIX) + r"(\d+)_[0-9a-f]+", name)
        if not m or time.time() - int(m.group(1)) < STALE_SECONDS:
            continue
        if not _pg("SELECT 1 FROM pg_stat_activity WHERE datname = %s", name):
            _pg(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="module")
def database():
    try:
        _pg("SELECT 1")
    except Exception as exc:  # the machine's PostgreSQL (docs of this machine kind): start it once if it is down
        it.ensure_services()
        if not _pg("SELECT 1"):
            raise RuntimeError(f"PostgreSQL on {it.PG_HOST}:{it.PG_PORT} does not answer") from exc
    _sweep_stale_databases()
    name = f"{DATABASE_PREFIX}{int(time.time())}_{secrets.token_hex(4)}"
    _pg(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # the portals' pooled connections too


def _compose_portal(database: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """The portal's settings and options as docker-compose.yml gives them, with only what cannot be the same here
    changed: the store's host, account and database, the paths (start_portal's folder), the host and port."""
    from sqlalchemy.engine import make_url

    compose = it.load_compose()
    env = it.service_environment(compose, "portal")
    store = make_url(env["COUNTYSTATS_PORTAL_STORE"])
    assert store.drivername == "postgresql+psycopg2" and store.host == "postgres"
    local = store.set(host=it.PG_HOST, port=it.PG_PORT, username=it.PG_USER, password=None, database=database)
    settings = {k.removeprefix("COUNTYSTATS_").lower(): v for k, v in env.items() if k.startswith("COUNTYSTATS_")}
    for path_setting in ("inbox", "db", "out", "archive", "units"):
        assert settings.pop(path_setting).startswith("/opt/countystats/")
    settings["portal_store"] = local.render_as_string(hide_password=False)
    command = list(compose["services"]["portal"]["command"])
    args = command[command.index("portal") + 1:]
    for option in ("--host", "--port"):  # loopback and a free port here
        i = args.index(option)
        del args[i:i + 2]
    assert "--root-path" in args and "--forwarded-allow-ips" in args
    return settings, tuple(args)


# ---------------------------------------------------------------------------------------------------------- nginx


class Nginx:
    """deploy/nginx.conf on this machine's nginx: the portal's and the site's addresses made local, nothing else."""

    def __init__(self, folder: Path, portal_port: int, site: Path):
        self.folder, self.port = folder, free_port()
        conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        for old, new in (("listen 80;", f"listen 127.0.0.1:{self.port};"),
                         ("root /usr/share/nginx/html;", f"root {site};"),
                         ("set $portal_upstream portal:8321;", f"set $portal_upstream 127.0.0.1:{portal_port};")):
            assert conf.count(old) == 1, f"deploy/nginx.conf no longer has exactly one `{old}`"
            conf = conf.replace(old, new)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "default.conf").write_text(conf, encoding="utf-8")
        temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                           "scgi"))
        # what the nginx image's own nginx.conf has around conf.d/, and a log that tells who answered
        (folder / "nginx.conf").write_text(f"""
user root;
worker_processes 1;
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} info;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format upstream '$request_method $request_uri $status upstream=$upstream_status';
    access_log {folder / "access.log"} upstream;
    {temp}
    include {folder / "default.conf"};
}}
""", encoding="utf-8")
        self.process = subprocess.Popen([NGINX, "-p", str(folder), "-e", str(folder / "error.log"),
                                         "-c", str(folder / "nginx.conf")], start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(folder / 'error.log').read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("nginx did not answer")
            time.sleep(0.2)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def upstream_statuses(self, request: str, at_least: int = 0) -> list[str]:
        """What the portal answered to each ``request`` ("POST /path"), "-" where nginx answered without asking it;
        waits for ``at_least`` of them (nginx logs a request just after it has answered)."""
        deadline = time.monotonic() + 10
        while True:
            lines = (self.folder / "access.log").read_text(encoding="utf-8").splitlines()
            found = [line.rsplit("upstream=", 1)[1] for line in lines if line.startswith(f"{request} ")]
            if len(found) >= at_least or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # graceful: the master waits for its worker
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(15)


# ---------------------------------------------------------------------------------------------------------- the run


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, database, example_inbox):
    assert Path(NGINX).exists(), "nginx is not installed: `python3 dev.py test` installs it (nginx-light)"
    folder = tmp_path_factory.mktemp("portal-postgres")
    settings, args = _compose_portal(database)
    portal = start_portal(folder, UNITS, args=args, **settings)
    nginx = None
    try:
        site = folder / "output"
        site.mkdir(exist_ok=True)
        nginx = Nginx(folder / "nginx", portal.port, site)
        yield portal, nginx
    finally:
        if nginx is not None:
            nginx.stop()
        portal.stop()


def _through(nginx: Nginx, code: str | None = None, headers: dict | None = None, **kw) -> httpx.Client:
    """A client of the portal as the county's network reaches it: nginx, /portal/."""
    headers = {**({"Authorization": f"Bearer {code}"} if code else {}), **(headers or {})}
    return httpx.Client(base_url=f"{nginx.url}/portal", headers=headers, timeout=120, **kw)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_the_portal_on_postgresql_behind_nginx_and_the_nightly_run(deployment, database, example_inbox):
    portal, nginx = deployment

    def rows(sql: str, *params) -> list[tuple]:
        return _pg(sql, *params, dbname=database)

    # -- the example county's files, sent through nginx with each unit's code
    sent: dict[str, dict] = {}
    for name, (unit, status_now, _) in SENT.items():
        with _through(nginx, portal.codes[unit]) as c:
            r = c.post("/api/submissions", files={"file": (name, (example_inbox / name).read_bytes())})
        assert r.status_code == 201, r.text
        assert r.json()["unit_code"] == unit and r.json()["status"] == status_now, r.json()
        sent[name] = r.json()
    assert nginx.upstream_statuses(UPLOAD, len(SENT)) == ["201"] * len(SENT)

    # -- a clerk signs in on the pages (through nginx: /portal is stripped, the cookies carry it) and explains
    with _through(nginx, follow_redirects=False) as browser:
        page = browser.get("/")
        assert page.status_code == 200 and 'action="/portal/signin"' in page.text
        assert page.headers.get_list("cache-control") == ["no-store"], "nginx caches nothing, says it once"
        signed = browser.post("/signin", data={"csrf": _csrf(page.text), "code": portal.codes["twp_huangjinzhuang"]})
        assert signed.status_code == 303 and signed.headers["location"] == "/portal/"
        token = browser.cookies.get("countystats_session")
        assert token and "Secure" not in signed.headers["set-cookie"]  # plain http: not Secure
        home = browser.get("/")
        assert "黄金庄乡" in home.text
        receipt_id = sent[HELD]["receipt"]["id"]
        rule = next(f["rule"] for f in sent[HELD]["findings"] if f["severity"] == "warning")
        explained = browser.post(f"/receipts/{receipt_id}/explain",
                                 data={"csrf": _csrf(home.text), f"explain:{rule}": WHY})
        assert explained.status_code == 303, explained.text
    # -- https in front: the portal is told, and its cookies are Secure
    with _through(nginx, headers={"X-Forwarded-Proto": "https"}) as c:
        assert "secure" in c.get("/").headers["set-cookie"].lower()

    # -- a wrong code from a client that claims another address: nginx replaces the header, the portal counts
    #    the attempt against the address nginx saw (here 127.0.0.1)
    with _through(nginx, "ZZZZZZ-AAAA-BBBB-CCCC-DDDD", headers={"X-Forwarded-For": GUESSER}) as c:
        assert c.get("/api/submissions").status_code == 401

    # -- 413 in Chinese, never a 502: a file just over 20 MB is refused by the portal (its form is within nginx's
    #    limit), a larger upload by nginx, in the portal's words; nothing of either is kept
    code = portal.codes["twp_youfang"]
    before = sorted(p.name for p in portal.inbox.rglob("*") if p.is_file())
    uploads = len(SENT)
    for size, answered_by_portal in ((20 * 1024 * 1024 + 10 * 1024, True), (20 * 1024 * 1024 + 300 * 1024, False),
                                     (30 * 1024 * 1024, False)):
        with _through(nginx, code) as c:
            r = c.post("/api/submissions", files={"file": ("big.xlsx", b"PK\x03\x04" + b"\0" * size)})
        # (the portal's answer is a page, not JSON, under --root-path: see test_api_errors_under_the_root_path_are_json)
        assert r.status_code == 413 and "文件过大（上限 20 MB）" in r.text, (size, r.text)
        uploads += 1
        assert (nginx.upstream_statuses(UPLOAD, uploads)[-1] == "413") == answered_by_portal, size
    assert sorted(p.name for p in portal.inbox.rglob("*") if p.is_file()) == before

    # -- the records are PostgreSQL's: every table of the portal, nothing beside the warehouse
    tables = {t for (t,) in rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tables == TABLES
    assert not (portal.db.parent / "portal.sqlite").exists(), "the SQLite default was not used"
    received = {sha: (unit, at) for sha, unit, at in rows("SELECT sha256, unit_code, received_at FROM portal_receipts")}
    assert received == {s["receipt"]["sha256"]: (SENT[n][0], _at(s["receipt"]["received_at"]))
                        for n, s in sent.items()}
    # access codes, sessions: only hashes; no row of any table holds a clear code or session token
    issued = {**portal.codes, "office": portal.office}
    assert rows("SELECT count(*) FROM portal_access_codes WHERE revoked_at IS NULL") == [(len(issued),)]
    secrets_given = [code.split("-", 1)[1] for code in issued.values()] + [token]
    for table in TABLES:
        for secret in secrets_given:
            assert not rows(f"SELECT 1 FROM {table} t WHERE strpos(upper(t::text), upper(%s)) > 0", secret), table
    assert rows("SELECT key_id FROM portal_sessions WHERE token_hash = %s",
                hashlib.sha256(token.encode()).hexdigest()) == [(portal.codes["twp_huangjinzhuang"].split("-")[0],)]
    assert rows("SELECT count(*) FROM portal_failures WHERE address = '127.0.0.1'") == [(1,)]
    audit = rows("SELECT action, target, address, who FROM portal_audit ORDER BY audit_id")
    assert sorted(int(t) for a, t, _, _ in audit if a == "upload") == sorted(s["receipt"]["id"] for s in sent.values())
    assert ("sign_in", None, "127.0.0.1", "黄金庄乡") in audit
    assert ("explain", str(receipt_id), "127.0.0.1", "黄金庄乡") in audit
    assert ("sign_in_failed", None, "127.0.0.1", None) in audit
    assert not any(address == GUESSER for _, _, address, _ in audit), "nginx passed on what the client claimed"

    # -- the nightly run over the portal's inbox, as its own process with the portal's settings
    done = subprocess.run([sys.executable, "-m", "countystats.cli", "run"], env=portal.env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    import duckdb

    con = duckdb.connect(str(portal.db), read_only=True)
    try:
        loaded = {sha: (status, got) for sha, status, got in con.execute(
            "SELECT sha256, status, received_at FROM submissions").fetchall()}
        explanations = con.execute("SELECT rule, text, source FROM explanations").fetchall()
    finally:
        con.close()
    for name, s in sent.items():
        status, got = loaded[s["receipt"]["sha256"]]
        assert got == _at(s["receipt"]["received_at"]), "the run takes the portal's receipt time"
        assert status == SENT[name][2], (name, status)
    assert (rule, WHY, "portal") in explanations

    # -- the portal shows each receipt's status after the night: to its unit, and to the office
    for name, s in sent.items():
        with _through(nginx, portal.codes[SENT[name][0]]) as c:
            (mine,) = [x for x in c.get("/api/submissions").json() if x["id"] == s["receipt"]["id"]]
        assert mine["status"] == SENT[name][2] and mine["nightly"]["submission_id"] > 0, mine
    with _through(nginx, portal.office) as c:
        listed = {x["id"]: x["status"] for x in c.get("/api/submissions").json()}
    assert listed == {s["receipt"]["id"]: SENT[n][2] for n, s in sent.items()}

    # -- a second portal process on the same store and inbox (as `docker compose up --scale portal=2` runs)
    second = RunningPortal(portal.folder, {**portal.env, "COUNTYSTATS_PORTAL_READERS": "1"}, free_port(),
                           args=portal.args)
    second.start()
    try:
        # the receipts and the session are the store's, not the process's
        with second.client(portal.office) as c:
            assert {x["id"]: x["status"] for x in c.get("/api/submissions").json()} == listed
        with httpx.Client(base_url=second.url, timeout=60) as c:  # the cookie as nginx passes it on
            assert "黄金庄乡" in c.get("/", headers={"Cookie": f"countystats_session={token}"}).text
        # the wrong-code limit holds across them: ten wrong codes from one address, half to each, then the
        # eleventh is refused by either (the portals trust the header here as they trust nginx)
        claimed = {"X-Forwarded-For": "198.51.100.23"}
        for i in range(10):
            with (portal if i % 2 else second).client(f"nonsense{i}") as c:
                assert c.get("/api/submissions", headers=claimed).status_code == 401
        for running in (portal, second):
            with running.client(portal.codes["twp_daying"]) as c:
                assert c.get("/api/submissions", headers=claimed).status_code == 429
        # an upload to the second appears to the first, in the one inbox
        data = (example_inbox / CLEAN).read_bytes() + b"\n"
        r = second.send(portal.codes["twp_daying"], data, CLEAN)
        assert r.status_code == 201, r.text
        with portal.client(portal.codes["twp_daying"]) as c:
            assert r.json()["receipt"]["id"] in {x["id"] for x in c.get("/api/submissions").json()}
    finally:
        second.stop()


def test_access_codes_issued_in_the_container_way_land_in_postgresql(deployment, database, tmp_path):
    """`countystats access-codes issue` with the portal's environment (docker compose run --rm portal …): the codes
    file is the only copy, readable by its owner alone; the store has the hash; the old code stops working."""
    portal, nginx = deployment
    before = portal.codes["twp_matun"]
    out = tmp_path / "codes.csv"
    done = cli("access-codes", "issue", "--unit", "twp_matun", "-o", str(out), env=portal.env)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    new = out.read_text(encoding="utf-8-sig").splitlines()[1].split(",")[2]
    with _through(nginx, new) as c:
        assert c.get("/api/submissions").status_code == 200
    with _through(nginx, before) as c:
        assert c.get("/api/submissions").status_code == 401
    key_new, key_old = new.split("-")[0], before.split("-")[0]
    assert set(_pg("SELECT key_id, revoked_at IS NOT NULL FROM portal_access_codes WHERE unit_code = 'twp_matun'",
                   dbname=database)) == {(key_old, True), (key_new, False)}


def test_api_errors_under_the_root_path_are_json(deployment):
    """The API answers its errors in JSON (shared/spec/interfaces.md), with WWW-Authenticate on a 401, also under
    the root path the compose file gives the portal."""
    portal, nginx = deployment
    with _through(nginx) as c:
        r = c.get("/api/submissions")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/json") and r.headers["www-authenticate"] == "Bearer"


def _at(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text)


def test_portals_starting_together_on_an_empty_database_all_start(database):
    """`docker compose up --scale portal=2` on a first deployment: every process creates the store's tables at
    once; one after the other under an advisory lock, none fails."""
    from concurrent.futures import ThreadPoolExecutor

    from countystats.portal.store import Store

    name = f"{database}_race"  # the module's database is PostgreSQL up and swept; this one starts empty
    _pg(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
        with ThreadPoolExecutor(4) as pool:
            stores = list(pool.map(lambda _: Store(url), range(4)))
        for store in stores:
            store.close()
        assert {t for (t,) in _pg("SELECT tablename FROM pg_tables WHERE tablename LIKE 'portal_%%'", dbname=name)} \
            == {"portal_access_codes", "portal_sessions", "portal_receipts", "portal_failures", "portal_audit"}
    finally:
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
