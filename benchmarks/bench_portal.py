"""How fast the clerks' portal answers one upload, against `countystats check` in a fresh process.

    .venv/bin/python benchmarks/bench_portal.py [--uploads 200] [--check-runs 20] [--clients 4] [--split 40]
                                                [--no-warehouse] [--json out.json]

Starts a real portal (`countystats portal` in its own process on a free port, its folders in a temporary directory,
config/units.csv, every unit's access code issued with `countystats access-codes issue --all`), after publishing the
example county's 2023 and 2024 reports with `countystats run` (so the portal's cross-year rules really query the
warehouse; --no-warehouse: an empty one). Then, over real HTTP (httpx, one kept-alive connection per client):
  * **warm-up**: one upload per unit, each unit's first (its code checked with scrypt once, then remembered);
  * **sequential**: --uploads uploads cycling through the example county's files (every unit, every form), each sent
    with its own unit's code and made distinct by a trailing newline and counter; every answer must be 201, and one
    that says otherwise than the file's first upload is printed (not failed: the portal names each file in the inbox
    with a random hex suffix that the reader may take for a year, an R-YEAR warning on ~0.35 % of uploads);
  * **concurrent**: the same number of uploads from --clients clients at once: throughput against the sequential one;
  * **HTTP alone**: 20 uploads of a file that is no report (refused with 415 once its type is sniffed);
and samples the memory of the portal's whole process tree (resident and proportional set size, and the PSS of the
server, its reader processes and its feedback writer apart; every 0.2 s): idle after start, after the warm-up, after
the sequential and after the concurrent uploads, and the peak of each phase. Memory must not grow with the uploads
(the concurrent phase may start the second reader process: a process more, not growth).
`countystats check FILE --json` is timed --check-runs times (a new interpreter each time: Great Expectations imported
and its suites built per file, a reader process started: seconds, hence fewer runs) over the same files.
Last, --split uploads go through the portal's own code in this process (Portal.receive, no HTTP) with its steps timed
apart: the file's type sniffed, the reading (in the warm reader process), Great Expectations, the cross-year query,
the feedback workbook, spool and delivery into the inbox, the store's writes (functions wrapped with timers, the
portal's code unchanged). The issue's target: one check "well under a second". The machine's load average is
printed: other work on a 2-core machine slows every number here.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = ROOT / "config" / "units.csv"
CLI = Path(sys.executable).parent / "countystats"
TARGET_S = 1.0  # "well under a second"
FORMS = {".xlsx": "workbook", ".xlsm": "workbook", ".xls": "workbook", ".docx": "word", ".pdf": "pdf",
         ".html": "html", ".htm": "html"}


@dataclass(frozen=True)
class Example:
    path: Path
    unit_code: str
    form: str


def examples(folder: Path) -> list[Example]:
    """The example county's files with the unit each belongs to (the generator knows; a file sent with another
    unit's code is refused, 403)."""
    from countystats.examples.county import generate_county, write_example_inbox

    paths = write_example_inbox(folder)
    unit_of = {r.file_name: r.unit_code for r in generate_county()}
    return [Example(p, unit_of[p.name], FORMS[p.suffix.lower()]) for p in paths]


# ---------------------------------------------------------------- statistics


def pct(ms: list[float], q: float) -> float:
    ms = sorted(ms)
    return ms[min(len(ms) - 1, round(q * (len(ms) - 1)))]


def stats(ms: list[float]) -> dict:
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "median_ms": statistics.median(ms), "p95_ms": pct(ms, 0.95), "max_ms": max(ms),
            "min_ms": min(ms), "mean_ms": statistics.fmean(ms)}


def row(name: str, ms: list[float], width: int = 44) -> str:
    s = stats(ms)
    if not s["n"]:
        return f"{name:<{width}} n=0"
    return (f"{name:<{width}} n={s['n']:<4} median {s['median_ms']:8.1f} ms   p95 {s['p95_ms']:8.1f} ms   "
            f"max {s['max_ms']:8.1f} ms")


# ---------------------------------------------------------------- memory of the portal's process tree


# the tree's resident and proportional set size; the PSS of the server, its reader processes, its feedback writer
KINDS = ("rss", "pss", "server", "readers", "feedback", "processes")


class Memory:
    """Samples the resident and proportional set size of a process and all its descendants, per phase."""

    def __init__(self, pid: int, every: float = 0.2):
        import psutil

        self.root, self.every = psutil.Process(pid), every
        self.phase, self.peaks = "idle", defaultdict(lambda: dict.fromkeys(KINDS, 0))
        self._writers: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def snapshot(self) -> dict:
        import psutil

        out = dict.fromkeys(KINDS, 0)
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return out
        for p in procs:
            try:
                info = p.memory_full_info()
            except psutil.Error:  # ended between listing and asking
                continue
            out["rss"] += info.rss
            out["pss"] += info.pss
            out["processes"] += 1
            out["server" if p is self.root else self._kind(p.pid)] += info.pss
        return out

    def _kind(self, pid: int) -> str:
        """The feedback writer imports openpyxl, hence numpy, at start; a reader never does (the children look
        alike otherwise: `python -m transforms.isolation`)."""
        if pid not in self._writers:
            try:
                if "numpy" not in Path(f"/proc/{pid}/maps").read_text():
                    return "readers"
            except OSError:
                return "readers"
            self._writers.add(pid)
        return "feedback"

    def _run(self) -> None:
        while not self._stop.is_set():
            now, peak = self.snapshot(), self.peaks[self.phase]
            for k in KINDS:
                peak[k] = max(peak[k], now[k])
            self._stop.wait(self.every)

    def enter(self, phase: str) -> dict:
        """Start timing a new phase; the tree's memory now (idle, between phases)."""
        time.sleep(1.0)  # let the last answers' buffers go
        now = self.snapshot()
        self.phase = phase
        return now

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def mib(n: int) -> float:
    return n / 2**20


# ---------------------------------------------------------------- the portal over HTTP


class Uploads:
    """What each upload sends and what it must get back: 201, and the status the file's first upload got."""

    def __init__(self, portal, files: list[Example]):
        self.portal, self.files = portal, files
        self.counter = 0
        self.expected: dict[Path, str] = {}
        self.lock = threading.Lock()
        self.failures: list[str] = []
        self.differed: list[str] = []  # answers unlike the file's first (reported, not failed: see the docstring)
        self.bytes = {f.path: f.path.read_bytes() for f in files}

    def client(self):
        import httpx

        return httpx.Client(base_url=self.portal.url, timeout=300)

    def send(self, client, ex: Example) -> tuple[float, str | None]:
        with self.lock:
            self.counter += 1
            n = self.counter
        data = self.bytes[ex.path] + f"\n{n}".encode()  # distinct bytes; a zip (or .xls, PDF…) reads the same
        headers = {"Authorization": f"Bearer {self.portal.codes[ex.unit_code]}"}
        t0 = time.perf_counter()
        r = client.post("/api/submissions", files={"file": (ex.path.name, data)}, headers=headers)
        ms = (time.perf_counter() - t0) * 1000
        body = r.json() if r.status_code == 201 else {}
        status = body.get("status")
        with self.lock:
            if r.status_code != 201:
                self.failures.append(f"{ex.path.name} ({ex.unit_code}): {r.status_code} {r.text[:300]}")
            elif self.expected.setdefault(ex.path, status) != status:  # the same file, another verdict: say why
                said = "; ".join(f"{f['rule']} {f['severity']}: {f['message']}" for f in body.get("findings", [])
                                 if f["severity"] != "notice")
                self.differed.append(f"{ex.path.name} → {body.get('receipt', {}).get('id')}: {status}, "
                                     f"first {self.expected[ex.path]} ({said})")
        return ms, status

    def sequential(self, files: list[Example]) -> tuple[list[float], float]:
        with self.client() as c:
            t0 = time.perf_counter()
            ms = [self.send(c, ex)[0] for ex in files]
            return ms, time.perf_counter() - t0

    def refused(self, ex: Example, n: int) -> list[float]:
        """Round trips of a file that is no report (415 after the type is sniffed), of the same size: what HTTP,
        multipart, the code check and the audit log cost without the check."""
        headers = {"Authorization": f"Bearer {self.portal.codes[ex.unit_code]}"}
        junk = b"not a report\n" * (len(self.bytes[ex.path]) // 13 + 1)
        ms = []
        with self.client() as c:
            for _ in range(n):
                t0 = time.perf_counter()
                r = c.post("/api/submissions", files={"file": ("junk.xlsx", junk)}, headers=headers)
                ms.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 415:
                    self.failures.append(f"junk upload: {r.status_code} {r.text[:200]}")
        return ms

    def concurrent(self, files: list[Example], clients: int) -> tuple[list[float], float]:
        shares = [files[i::clients] for i in range(clients)]

        def one(share: list[Example]) -> list[float]:
            with self.client() as c:
                return [self.send(c, ex)[0] for ex in share]

        t0 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            ms = [m for part in pool.map(one, shares) for m in part]
        return ms, time.perf_counter() - t0


def publish(folder: Path, env: dict[str, str], inbox: Path) -> float:
    """The example county's reports published by a nightly run into the portal's warehouse (seconds)."""
    copy = folder / "nightly-inbox"
    shutil.copytree(inbox, copy)
    t0 = time.perf_counter()
    done = subprocess.run([str(CLI), "run", "--inbox", str(copy)], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=1800)
    if done.returncode != 0:
        sys.exit(f"countystats run failed:\n{done.stderr[-4000:]}")
    return time.perf_counter() - t0


def bench_portal(folder: Path, files: list[Example], args) -> dict:
    from tests.portal_server import RunningPortal, free_port, issue_codes, portal_env

    portal = RunningPortal(folder / "portal", portal_env(folder / "portal", UNITS), free_port())
    published_s = None
    if not args.no_warehouse:
        published_s = publish(folder, portal.env, files[0].path.parent)
    issue_codes(portal)
    t0 = time.perf_counter()
    portal.start()
    started_s = time.perf_counter() - t0
    out: dict = {"published_s": published_s, "start_s": started_s}
    memory = Memory(portal.process.pid)
    try:
        uploads = Uploads(portal, files)
        idle = {"started": memory.enter("warm-up")}
        first_of_unit = list({ex.unit_code: ex for ex in reversed(files)}.values())  # each unit's first file
        warm_ms, _ = uploads.sequential(first_of_unit)
        idle["after warm-up"] = memory.enter("sequential")
        cycle = [files[i % len(files)] for i in range(args.uploads)]
        half = len(cycle) // 2  # the second half's growth: every file (each form, format, layout) seen before
        first_ms, first_s = uploads.sequential(cycle[:half])
        idle[f"after {half} sequential"] = memory.enter("sequential")
        second_ms, second_s = uploads.sequential(cycle[half:])
        seq_ms, seq_s = first_ms + second_ms, first_s + second_s
        idle[f"after {args.uploads} sequential"] = memory.enter("concurrent")
        con_ms, con_s = uploads.concurrent(cycle, args.clients)
        idle[f"after {args.uploads} concurrent"] = memory.enter("end")
        http_ms = uploads.refused(files[0], 20)
        forms = defaultdict(list)
        for ex, ms in zip(cycle, seq_ms, strict=True):
            forms[ex.form].append(ms)
        store = portal.db.parent / "portal.sqlite"
        statuses = defaultdict(int)
        for s in uploads.expected.values():
            statuses[s] += 1
        out.update({
            "warm_up": stats(warm_ms), "http_only": stats(http_ms), "sequential": stats(seq_ms), "sequential_s": seq_s,
            "sequential_per_s": args.uploads / seq_s, "concurrent": stats(con_ms), "concurrent_s": con_s,
            "concurrent_per_s": args.uploads / con_s, "clients": args.clients,
            "by_form": {k: stats(v) for k, v in sorted(forms.items())},
            "idle": idle, "peaks": {k: dict(v) for k, v in memory.peaks.items()},
            "uploads_total": uploads.counter, "store_bytes": store.stat().st_size if store.exists() else None,
            "statuses_of_files": dict(statuses), "failures": uploads.failures,
            "differed": uploads.differed,
            "_ms": {"warm": warm_ms, "http": http_ms, "sequential": seq_ms, "concurrent": con_ms, "forms": forms},
        })
    finally:
        memory.stop()
        portal.stop()
    return out


# ---------------------------------------------------------------- countystats check, a process per file


def bench_check(files: list[Example], runs: int) -> dict:
    ms: list[float] = []
    bad: list[str] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTYSTATS_")}
    step = max(1, len(files) // max(runs, 1))
    for i in range(runs):
        ex = files[(i * step) % len(files)]  # spread over the units and forms
        t0 = time.perf_counter()
        done = subprocess.run([str(CLI), "check", str(ex.path), "--json"], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=600)
        ms.append((time.perf_counter() - t0) * 1000)
        if done.returncode not in (0, 1) or "Traceback" in done.stderr:
            bad.append(f"{ex.path.name}: exit {done.returncode} {done.stderr[-300:]}")
    return {"check": stats(ms), "failures": bad, "_ms": ms}


# ---------------------------------------------------------------- where an upload's time goes, in this process


SPLIT_STEPS = ("sniff", "read (warm reader process)", "Great Expectations", "cross-year query (warehouse)",
               "feedback workbook (process)", "spool + deliver (fsync)", "store writes (receipt, audit)")
INNER = {"  GX: frames built (pandas)": "build_frames", "  GX: suites run (a validation per table)": "run_suites"}


def bench_split(folder: Path, files: list[Example], n: int, db: Path) -> dict:
    """Portal.receive in this process, its steps timed by wrapping the functions it calls (nothing changed)."""
    import expectations.validation
    import transforms.reading
    import transforms.reading.forms
    from countystats.portal import delivery
    from countystats.portal.checker import Checker
    from countystats.portal.service import Portal
    from countystats.portal.store import Store
    from countystats.settings import Settings
    from transforms.registry import Registry

    folder.mkdir(parents=True)
    settings = Settings.from_env(inbox=folder / "inbox", db=db, units=UNITS, archive=folder / "archive",
                                 out=folder / "out", portal_store=f"sqlite:///{folder / 'portal.sqlite'}",
                                 portal_readers=2)
    settings.inbox.mkdir(parents=True)
    store = Store(settings.portal_store_url)
    checker = Checker(settings, readers=settings.portal_readers)
    t0 = time.perf_counter()
    checker.warm()
    warm_s = time.perf_counter() - t0
    portal = Portal(settings, store, checker)
    registry, now = Registry.load(UNITS), settings.now()
    holders = {}
    for unit in registry.units:
        code = store.issue("unit", unit.unit_name, now, unit.unit_code, unit.area_code)
        holders[unit.unit_code] = store.holder_of(code, now)

    spent: dict[str, float] = defaultdict(float)
    inner: dict[str, float] = defaultdict(float)  # parts of the Great Expectations step

    def timed(step: str, fn, into: dict = spent):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                into[step] += (time.perf_counter() - t) * 1000
        return wrapper

    patches = [
        (transforms.reading.forms, "sniff", "sniff"),
        (transforms.reading, "read_isolated", "read (warm reader process)"),
        (expectations.validation, "validate_submissions", "Great Expectations"),
        (delivery, "spool", "spool + deliver (fsync)"),
        (delivery, "deliver", "spool + deliver (fsync)"),
    ]
    saved = [(mod, name, getattr(mod, name)) for mod, name, _ in patches]
    for mod, name, step in patches:
        setattr(mod, name, timed(step, getattr(mod, name)))
    for step, name in INNER.items():
        saved.append((expectations.validation, name, getattr(expectations.validation, name)))
        setattr(expectations.validation, name, timed(step, getattr(expectations.validation, name), inner))
    checker._across_years = timed("cross-year query (warehouse)", checker._across_years)
    checker.feedback = timed("feedback workbook (process)", checker.feedback)
    store.add_receipt = timed("store writes (receipt, audit)", store.add_receipt)
    store.log = timed("store writes (receipt, audit)", store.log)
    rows: list[dict] = []
    try:
        for i, ex in enumerate(files[-3:]):  # not timed: the feedback writer started (warm() does not), caches
            portal.receive(holders[ex.unit_code], ex.path.name, ex.path.read_bytes() + f"\n-{i}".encode(), {})
        cycle = [files[i % len(files)] for i in range(n)]
        for i, ex in enumerate(cycle):
            spent.clear()
            inner.clear()
            data = ex.path.read_bytes() + f"\n{i}".encode()
            t = time.perf_counter()
            portal.receive(holders[ex.unit_code], ex.path.name, data, {})
            total = (time.perf_counter() - t) * 1000
            rows.append({**{s: spent.get(s, 0.0) for s in SPLIT_STEPS}, **{s: inner.get(s, 0.0) for s in INNER},
                         "total": total,
                         "other": total - sum(spent.values())})
    finally:
        for mod, name, fn in saved:
            setattr(mod, name, fn)
        checker.close()
        store.close()
    return {"warm_s": warm_s, "rows": rows}


# ---------------------------------------------------------------- the report


def print_report(p: dict, c: dict, split: dict | None, args) -> None:
    print(f"\nclerks' portal: {args.uploads} uploads of the example county's files (2 reader processes; "
          f"{os.cpu_count()} CPUs; load average at start {args.load[0]:.1f}, at end {args.load[1]:.1f})")
    if p["published_s"] is not None:
        print(f"  warehouse published first (countystats run, 92 files): {p['published_s']:.1f} s")
    print(f"  portal started and warm (readers, suites):               {p['start_s']:.1f} s")
    ms = p["_ms"]
    print(row("  warm-up: each unit's first upload (+scrypt)", ms["warm"]))
    print(row("  upload round trip, sequential", ms["sequential"]))
    for form, v in sorted(ms["forms"].items()):
        print(row(f"    {form}", v))
    print(row(f"  upload round trip, {args.clients} clients at once", ms["concurrent"]))
    print(f"  throughput: sequential {p['sequential_per_s']:.2f}/s ({p['sequential_s']:.1f} s), "
          f"{args.clients} clients {p['concurrent_per_s']:.2f}/s ({p['concurrent_s']:.1f} s) = "
          f"{p['concurrent_per_s'] / p['sequential_per_s']:.2f}×")
    median_s = p["sequential"]["median_ms"] / 1000
    print(row("  a file that is no report (415): HTTP only", ms["http"]))
    print(f"  target: median well under {TARGET_S:.0f} s → {median_s:.2f} s "
          f"{'OK' if median_s < TARGET_S / 2 else 'SLOW' if median_s >= TARGET_S else 'borderline'}")
    print("\n  memory of the portal's process tree (MiB)  tree RSS  tree PSS   PSS of: server  readers  feedback  "
          "processes")

    def mem(name: str, m: dict) -> str:
        return (f"    {name:<38} {mib(m['rss']):8.0f}  {mib(m['pss']):8.0f}   {mib(m['server']):14.0f}  "
                f"{mib(m['readers']):7.0f}  {mib(m['feedback']):8.0f}  {m['processes']:9d}")

    for name, m in p["idle"].items():
        print(mem(f"idle {name}", m))
    for name, m in p["peaks"].items():
        if name not in ("idle", "end"):
            print(mem(f"peak during {name}", m))
    idle = list(p["idle"].values())  # started, after warm-up, after half, after sequential, after concurrent
    half = args.uploads // 2
    print(f"  growth, idle PSS (MiB)        first {half} sequential   next {args.uploads - half} sequential   "
          f"{args.uploads} concurrent   per upload in the second half")
    for kind, what in (("pss", "tree"), ("server", "server"), ("readers", "readers"), ("feedback", "feedback writer")):
        first, second, together = (idle[i + 1][kind] - idle[i][kind] for i in (1, 2, 3))
        print(f"    {what:<26} {mib(first):+14.1f} {mib(second):+19.1f} {mib(together):+16.1f} "
              f"{second / (args.uploads - half) / 1024:+17.1f} KiB")
    if p["store_bytes"]:
        print(f"  portal store (SQLite, receipts with their feedback workbooks): {mib(p['store_bytes']):.1f} MiB "
              f"for {p['uploads_total']} uploads")
    print(f"  statuses of the files: {dict(sorted(p['statuses_of_files'].items()))}")

    print(f"\ncountystats check FILE --json (a new process each: imports, GX suites, a reader started), "
          f"{args.check_runs} runs")
    print(row("  check, end to end", c["_ms"]))
    if c["check"]["n"]:
        print(f"  the portal's median upload is {c['check']['median_ms'] / p['sequential']['median_ms']:.0f}× faster "
              "(and also queries the warehouse and writes the feedback workbook, which check does not)")

    if split:
        rows = split["rows"]
        print(f"\nwhere an upload's time goes: Portal.receive in-process, {len(rows)} uploads (no HTTP; checker "
              f"warmed in {split['warm_s']:.1f} s)")
        total = statistics.median(r["total"] for r in rows)
        order = [*SPLIT_STEPS[:3], *INNER, *SPLIT_STEPS[3:], "other"]
        for step in order:
            vals = [r[step] for r in rows]
            print(f"  {step:<42} median {statistics.median(vals):7.1f} ms   p95 {pct(vals, 0.95):7.1f} ms   "
                  f"mean share {statistics.fmean(vals) / statistics.fmean(r['total'] for r in rows) * 100:5.1f} %")
        print(f"  {'Portal.receive, total':<42} median {total:7.1f} ms   p95 {pct([r['total'] for r in rows], 0.95):7.1f} ms")
        print(f"  HTTP, multipart, code check, audit log (a 415 upload's round trip, median): "
              f"{p['http_only']['median_ms']:.0f} ms")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uploads", type=int, default=200, help="uploads timed, sequential and again concurrent")
    ap.add_argument("--check-runs", type=int, default=20, help="runs of `countystats check` (seconds each)")
    ap.add_argument("--clients", type=int, default=4, help="clients at once in the concurrent phase")
    ap.add_argument("--split", type=int, default=40, help="uploads timed step by step in-process (0: none)")
    ap.add_argument("--no-warehouse", action="store_true", help="no nightly run first: no cross-year query")
    ap.add_argument("--json", type=Path, help="write the numbers here")
    args, _ = ap.parse_known_args(argv)  # dev.py bench hands every benchmark the same extra arguments
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="countystats-bench-portal-") as tmp:
        folder = Path(tmp)
        files = examples(folder / "examples")
        p = bench_portal(folder, files, args)
        c = bench_check(files, args.check_runs)
        split = bench_split(folder / "split", files, args.split, folder / "portal" / "data" / "countystats.duckdb") \
            if args.split > 0 else None
    args.load = (*load, os.getloadavg()[0])  # other work on the machine slows every number here
    print_report(p, c, split, args)
    for d in p["differed"]:
        print(f"ANSWER DIFFERED from the file's first upload: {d}")
    failures = p["failures"] + c["failures"]
    for f in failures[:20]:
        print(f"FAILED: {f}")
    if args.json:
        clean = {k: v for k, v in p.items() if not k.startswith("_")}
        result = {"portal": clean, "check": {k: v for k, v in c.items() if not k.startswith("_")},
                  "split": split, "args": {k: str(v) for k, v in vars(args).items()}}
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        print(f"\nnumbers: {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
