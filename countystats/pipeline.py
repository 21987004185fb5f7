"""The nightly job: discover → read → validate → load → publish.

Each step is a plain function; ``countystats run`` calls :func:`run`, the Airflow DAG calls the ``task_*`` wrappers,
which only move data between steps: small things (paths, ids) through XCom, the submissions as a pickle in a
run-scoped staging directory (``data/staging/<run_id>/``). Heavy modules are imported inside the functions.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import pickle
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from countystats.settings import Settings

if TYPE_CHECKING:
    from transforms.model import Submission
    from transforms.warehouse import IncomingFile

log = logging.getLogger("countystats.pipeline")
SKIP_PREFIXES = (".", "~$")  # hidden files and Office lock files are never submissions
SUMMARY_NAME = "run-summary.json"
STEP_ZH = {"discover": "收件", "read": "读取", "validate": "校验", "load": "入库", "publish": "发布"}
FINDINGS_NAME = "findings.csv"

Batch = list[tuple["IncomingFile", "Submission"]]


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"


def safe_run_id(run_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)


# ---------------------------------------------------------------- discover


def known_hashes(db: Path) -> set[str]:
    """sha256 of every file the published warehouse already holds (read-only, like any analyst)."""
    if not db.exists():
        return set()
    from transforms.warehouse import connect

    con = connect(db, read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT sha256 FROM submissions").fetchall()}
    finally:
        con.close()


def discover(settings: Settings) -> tuple[list[IncomingFile], int]:
    """New files in the inbox, archived byte for byte first; returns them and how many were seen before."""
    from transforms.warehouse import IncomingFile, archive_bytes, received_at, record_arrivals, sha256_of

    inbox = Path(settings.inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"收件箱不存在：{inbox}")
    seen = known_hashes(Path(settings.db))
    new: list[IncomingFile] = []
    before = 0
    for path in sorted(p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith(SKIP_PREFIXES)):
        got = received_at(path, settings.timezone)  # before reading: the stamp of the bytes we archive
        data = path.read_bytes()  # the inbox is only ever read
        digest = sha256_of(data)
        if digest in seen:
            before += 1
            continue
        seen.add(digest)  # the same bytes twice in one inbox: processed once
        target = archive_bytes(data, Path(settings.archive), path.suffix)
        new.append(IncomingFile(str(path), digest, got.isoformat(sep=" "), str(target)))
    record_arrivals(Path(settings.archive), new)
    log.info("countystats: 收件箱 %s 中有新文件 %d 个（此前已处理 %d 个）", inbox, len(new), before)
    return new, before


# ---------------------------------------------------------------- read and validate


PARALLEL_FROM = 64  # below this many files, starting worker processes costs more than it saves


def worker_count(settings: Settings, n_files: int) -> int:
    """How many worker processes read a batch of n_files; 1 means in this process."""
    import multiprocessing

    if multiprocessing.current_process().daemon:
        # e.g. a task under Airflow's Celery executor: a daemonic process may not have children
        # ("daemonic processes are not allowed to have children"), so read here rather than fail the run
        return 1
    workers = settings.read_workers or min(os.cpu_count() or 1, 4)
    return workers if workers > 1 and n_files >= PARALLEL_FROM else 1


def read(settings: Settings, files: list[IncomingFile]) -> Batch:
    """Read every file (R-* rules), in worker processes for big batches; order and results are the same.

    The bytes read are the archived copy (what the warehouse keeps, and all a rebuild has); the name is the one the
    file arrived with (it may name the unit).
    """
    workers = worker_count(settings, len(files))
    todo = [(incoming.archive_path, incoming.path, incoming.sha256) for incoming in files]
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: under Airflow the task process has threads, and forking those is unsafe
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_reader_init, initargs=(str(settings.units),)) as pool:
            subs = _progress(settings, pool.map(_read_one, todo, chunksize=8), len(files))
    else:
        _reader_init(str(settings.units))
        subs = _progress(settings, map(_read_one, todo), len(files))
    batch: Batch = []
    for incoming, sub in zip(files, subs, strict=True):
        sub.sha256 = incoming.sha256  # the file's identity, also when its archived copy could not be read
        batch.append((incoming, sub))
    return batch


_REGISTRY = None  # per worker process: the registry is loaded once, not once per file


def _reader_init(units: str) -> None:
    global _REGISTRY
    from transforms.registry import Registry

    _REGISTRY = Registry.load(units)


def _read_one(file: tuple[str, str, str]) -> Submission:
    from transforms.reading import read_submission

    archived, received_as, sha256 = file
    return read_submission(Path(archived), _REGISTRY, name=received_as, sha256=sha256)


def _progress(settings: Settings, results, total: int) -> list:
    out = []
    for n, sub in enumerate(results, 1):
        out.append(sub)
        if n % max(settings.progress_every, 1) == 0:
            log.info("countystats: 已读取 %d/%d 个文件", n, total)
    return out


def validate(settings: Settings, batch: Batch) -> Batch:
    """One Great Expectations run for every readable submission of the batch (findings appended in place)."""
    subs = [sub for _, sub in batch if not sub.unreadable and sub.format_version]
    if subs:
        from expectations.validation import validate_submissions
        from transforms.registry import Registry

        # GX Data Docs of this run go to the output folder, beside the dashboards
        validate_submissions(subs, Registry.load(settings.units), data_docs=Path(settings.out))
    log.info("countystats: 已校验 %d 份报告", len(subs))
    return batch


# ---------------------------------------------------------------- load and publish


def load(settings: Settings, batch: Batch, run_id: str, fresh: bool = False) -> Path:
    """Build the new warehouse in a staging file; the published one is not touched.

    ``fresh``: start from an empty warehouse instead of a copy of the published one (a rebuild).
    """
    from transforms import warehouse
    from transforms.registry import Registry

    staging = warehouse.staging_path(Path(settings.db), run_id)
    warehouse.sweep_stale(Path(settings.db))
    for old in settings.staging.glob("*") if settings.staging.is_dir() else ():
        if time.time() - old.stat().st_mtime > 6 * 3600:  # pickles of runs that died before publishing
            shutil.rmtree(old, ignore_errors=True)
    con = warehouse.open_staging(Path(settings.db), staging, fresh=fresh)
    try:
        result = warehouse.load(con, batch, Registry.load(settings.units), settings, run_id)
        warehouse.finish_staging(con)
    except BaseException:
        con.close()
        warehouse.discard_staging(staging)
        raise
    log.info("countystats: 已在暂存库中载入 %d 份新报告", len(result.new_submission_ids))
    return staging


def publish(settings: Settings, staging: Path | None, run_id: str, seen_before: int = 0) -> RunResult:
    """Atomically replace the published warehouse, then build dashboards and the run's summary and findings."""
    from transforms import warehouse

    db = Path(settings.db)
    if staging is not None and Path(staging).exists():
        warehouse.publish(Path(staging), db)
    elif warehouse.published_run_id(db) != run_id:
        # a retry is fine only after this very run's replace happened; anything else must load again
        raise FileNotFoundError(f"nothing to publish: {staging} is missing and {db} is not from run {run_id}")
    out = Path(settings.out)
    out.mkdir(parents=True, exist_ok=True)
    result = _summarise(db, run_id, seen_before)
    result.findings_csv = str(_write_findings(db, run_id, out / FINDINGS_NAME))
    error = None
    from dashboards.build import build_dashboards

    try:
        result.dashboards = [str(p) for p in build_dashboards(db, settings.dashboards)]
    except Exception as exc:  # the warehouse is published; say so, then fail the task so it is retried
        error = exc
        result.dashboards_error = repr(exc)
    result.summary_json = str(out / SUMMARY_NAME)
    result.write(out)
    shutil.rmtree(settings.staging / safe_run_id(run_id), ignore_errors=True)
    log.info("countystats: 已发布数据仓库 %s", db)
    if error is not None:
        raise error
    return result


def _summarise(db: Path, run_id: str, seen_before: int) -> RunResult:
    from transforms.warehouse import connect

    con = connect(db, read_only=True)
    try:
        files = [
            dict(zip(("file", "unit_name", "report_year", "status", "errors", "warnings"), row, strict=True))
            for row in con.execute(
                """SELECT source_file, unit_name, report_year, status, error_count, warning_count
                   FROM submissions WHERE run_id = ? ORDER BY submission_id""", [run_id]
            ).fetchall()
        ]
        missing: dict[str, list[str]] = {}
        rejected: dict[str, list[str]] = {}
        for year, name, status in con.execute(
            "SELECT report_year, unit_name, status FROM completeness WHERE status IN ('missing', 'rejected') "
            "ORDER BY report_year, unit_code"
        ).fetchall():
            (missing if status == "missing" else rejected).setdefault(str(year), []).append(name)
    finally:
        con.close()
    return RunResult(run_id=run_id, warehouse=str(db), files=files, seen_before=seen_before, missing=missing,
                     rejected=rejected)


def _write_findings(db: Path, run_id: str, target: Path) -> Path:
    from transforms.warehouse import connect

    con = connect(db, read_only=True)
    try:
        cur = con.execute(
            """SELECT s.source_file, s.unit_name, s.report_year, s.status, f.rule, f.severity, f.section,
                      f.row_code, f.column_code, f.cell, f.message, f.expected, f.actual, f.explanation
               FROM findings f JOIN submissions s USING (submission_id)
               WHERE s.run_id = ? ORDER BY s.submission_id, f.finding_no""", [run_id]
        )
        header = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        con.close()
    tmp = target.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens Chinese CSV correctly
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(tmp, target)
    return target


# ---------------------------------------------------------------- the result


@dataclass
class RunResult:
    run_id: str
    warehouse: str
    files: list[dict] = field(default_factory=list)  # this run's files: file, unit_name, report_year, status…
    seen_before: int = 0
    missing: dict[str, list[str]] = field(default_factory=dict)  # report year → expected units that sent nothing
    rejected: dict[str, list[str]] = field(default_factory=dict)  # report year → units whose files were all rejected
    dashboards: list[str] = field(default_factory=list)
    dashboards_error: str | None = None
    findings_csv: str | None = None
    summary_json: str | None = None
    timings: dict[str, float] = field(default_factory=dict)  # step → seconds (in-process runs)
    rebuilt: bool = False  # a rebuild from the archive (countystats rebuild), not a nightly run

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(("accepted", "accepted_with_warnings", "rejected", "unreadable"), 0)
        for f in self.files:
            out[f["status"]] = out.get(f["status"], 0) + 1
        return out

    def write(self, out: Path) -> Path:
        runs = out / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        text = json.dumps({**asdict(self), "counts": self.counts()}, ensure_ascii=False, indent=2, default=str)
        (runs / f"{safe_run_id(self.run_id)}.json").write_text(text, encoding="utf-8")
        tmp = out / (SUMMARY_NAME + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out / SUMMARY_NAME)
        return out / SUMMARY_NAME

    @classmethod
    def read(cls, path: Path) -> RunResult:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        data.pop("counts", None)
        return cls(**data)

    def summary_zh(self) -> str:
        from transforms.report_format import STATUS_ZH

        counts = self.counts()
        if self.rebuilt:
            lines = [f"已从归档重建数据仓库（{self.run_id}）：共 {len(self.files)} 个文件。"]
        else:
            lines = [f"本次运行（{self.run_id}）处理新文件 {len(self.files)} 个"
                     + (f"，另有 {self.seen_before} 个此前已处理的文件未重复处理" if self.seen_before else "") + "。"]
        if self.files:
            lines.append("  " + "，".join(f"{STATUS_ZH[s]} {n} 个" for s, n in counts.items()))
        if self.missing or self.rejected:
            lines.append("尚无通过报告的单位：")
            for year in sorted({*self.missing, *self.rejected}):
                parts = [f"{STATUS_ZH[status]} {_names(group.get(year, []))}"
                         for status, group in (("missing", self.missing), ("rejected", self.rejected))
                         if group.get(year)]
                lines.append(f"  {year}年度：" + "；".join(parts))
        else:
            lines.append("所有应报单位均已有通过的报告。")
        lines.append(f"数据仓库：{self.warehouse}")
        if self.dashboards:
            lines.append(f"统计看板：{Path(self.dashboards[0]).parent}（{len(self.dashboards)} 个页面）")
        if self.dashboards_error:
            lines.append(f"统计看板生成失败：{self.dashboards_error}")
        if self.findings_csv:
            lines.append(f"问题清单：{self.findings_csv}")
        return "\n".join(lines)


def _names(names: list[str], shown: int = 15) -> str:
    text = "、".join(names[:shown])
    return f"{text} 等 {len(names)} 个" if len(names) > shown else f"{text}（{len(names)} 个）"


# ---------------------------------------------------------------- in-process run (countystats run)


def run(settings: Settings, run_id: str | None = None) -> RunResult:
    """The nightly job in this process: every new file of the inbox, added to the published warehouse."""
    _default_logging()
    clock = _StepClock()
    files, seen_before = discover(settings)
    clock.lap("discover")
    return _read_to_publish(settings, files, run_id or new_run_id(), clock, seen_before)


def rebuild(settings: Settings, run_id: str | None = None) -> RunResult:
    """A new warehouse from every file in the archive (its manifest gives each file's name and receipt time), read,
    validated and loaded as one batch, then published like any run: after a lost warehouse or a new schema version.
    The inbox is not looked at; the old warehouse is replaced only once the new one is complete."""
    from transforms.warehouse import archived_files

    _default_logging()
    clock = _StepClock()
    files = archived_files(Path(settings.archive))
    log.info("countystats: 从归档 %s 重建数据仓库：%d 个文件", settings.archive, len(files))
    clock.lap("discover")
    return _read_to_publish(settings, files, run_id or new_run_id(), clock, fresh=True)


def _read_to_publish(settings: Settings, files: list[IncomingFile], run_id: str, clock: _StepClock,
                     seen_before: int = 0, fresh: bool = False) -> RunResult:
    if worker_count(settings, len(files)) > 1:
        # while worker processes read, this process idles: import Great Expectations (seconds) meanwhile
        threading.Thread(target=_warm_up_validation, daemon=True).start()
    batch = read(settings, files) if files else []
    clock.lap("read")
    batch = validate(settings, batch) if files else []
    clock.lap("validate")
    staging = load(settings, batch, run_id, fresh=fresh)
    clock.lap("load")
    result = publish(settings, staging, run_id, seen_before)
    clock.lap("publish")
    result.timings, result.rebuilt = clock.timings, fresh
    result.write(Path(settings.out))
    return result


class _StepClock:
    """Seconds per step of an in-process run, logged as each step ends."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._since = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[step] = round(now - self._since, 3)
        self._since = now
        log.info("countystats: %s 完成（%.1f 秒）", STEP_ZH[step], self.timings[step])


def _warm_up_validation() -> None:
    try:
        from expectations.gx_import import import_great_expectations

        import_great_expectations()
    except Exception:  # noqa: BLE001 — only a head start; validate() imports (and reports) for real
        pass


def _default_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:  # the CLI: progress lines on stderr; under Airflow its own handlers are kept
        logging.basicConfig(level=logging.WARNING, format="%(message)s")
        logging.getLogger("countystats").setLevel(logging.INFO)  # our progress lines, not every library's chatter


# ---------------------------------------------------------------- what the DAG's tasks call


def _stage_dir(settings: Settings, run_id: str) -> Path:
    path = settings.staging / safe_run_id(run_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _dump(batch: Batch, path: Path) -> str:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(batch, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return str(path)


def _load_batch(path: str | None) -> Batch:
    if not path:
        return []
    with open(path, "rb") as fh:
        return pickle.load(fh)  # noqa: S301 — our own file, written by the previous task of this run


def task_discover(params: dict) -> dict:
    files, seen_before = discover(Settings.from_env(**params))
    return {"files": [f.to_dict() for f in files], "seen_before": seen_before}


# Tasks return "" rather than None for "nothing": Airflow 3 logs a missing XCom as an error.


def task_read(params: dict, found: dict, run_id: str) -> str:
    from transforms.warehouse import IncomingFile

    settings = Settings.from_env(**params)
    files = [IncomingFile(**f) for f in found["files"]]
    if not files:
        return ""
    return _dump(read(settings, files), _stage_dir(settings, run_id) / "read.pkl")


def task_validate(params: dict, batch_path: str | None, run_id: str) -> str:
    if not batch_path:
        return ""
    settings = Settings.from_env(**params)
    batch = validate(settings, _load_batch(batch_path))
    return _dump(batch, _stage_dir(settings, run_id) / "validated.pkl")


def task_load(params: dict, batch_path: str | None, run_id: str) -> str:
    return str(load(Settings.from_env(**params), _load_batch(batch_path), run_id))


def task_publish(params: dict, staging: str, run_id: str, found: dict) -> str:
    result = publish(Settings.from_env(**params), Path(staging), run_id, found.get("seen_before", 0))
    return str(result.summary_json)
