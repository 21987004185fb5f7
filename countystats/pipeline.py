"""The nightly job: discover → read → validate → load → publish (the DAG: discover → check, in shards → load → publish).

Each step is a plain function; ``countystats run`` calls :func:`run`, the Airflow DAG calls the ``task_*`` wrappers,
which only move data between steps: small things (paths, ids, the shards' file lists) through XCom, the checked
reports of each shard as Parquet in a run-scoped staging directory every worker sees (``data/staging/<run_id>/``,
:mod:`transforms.warehouse.shards`). Heavy modules are imported inside the functions.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from countystats.settings import Settings

if TYPE_CHECKING:
    from transforms.inbox.archive import IncomingFile
    from transforms.model import Submission
    from transforms.warehouse.shards import Reports

log = logging.getLogger("countystats.pipeline")
SUMMARY_NAME = "run-summary.json"
STEP_ZH = {"discover": "收件", "read": "读取", "validate": "校验", "load": "入库", "publish": "发布"}

Batch = list[tuple["IncomingFile", "Submission"]]
Reader = Callable[[Settings, list["IncomingFile"]], Batch]  # the read step: :func:`read` or a stand-in
Validator = Callable[[Settings, Batch], Batch]  # the validate step: :func:`validate` or a stand-in


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


@dataclass
class Intake:
    """What discover found: the new files to read, and an account of every other entry of the inbox."""

    files: list[IncomingFile] = field(default_factory=list)  # new bytes, archived, to read
    seen_before: int = 0  # files whose bytes the warehouse already holds
    ignored: int = 0  # hidden files and Office lock files
    problems: list[dict] = field(default_factory=list)  # entries not taken in, with why (Problem.to_dict)
    new_arrivals: int = 0  # arrivals recorded in the manifest by this run (a known file under a new name too)

    def to_dict(self) -> dict:
        return {**asdict(self), "files": [f.to_dict() for f in self.files]}

    @classmethod
    def from_dict(cls, data: dict) -> Intake:
        from transforms.inbox.archive import IncomingFile

        return cls(**{**data, "files": [IncomingFile(**f) for f in data.get("files", [])]})


def check_registry(settings: Settings):
    """The registry, checked before anything is touched (raises RegistryError naming every bad line)."""
    from transforms.registry import Registry

    return Registry.load(settings.units)


def discover(settings: Settings, now: datetime | None = None) -> Intake:
    """Every entry of the inbox accounted for; new files archived byte for byte and their arrivals recorded.

    Nothing is followed out of the inbox, nothing read whole before its size is known, nothing taken from the
    sender (``received_at`` is the portal's receipt or this scan, never the modification time). An entry that
    cannot be taken in becomes a problem of this run and is tried again next run; the run goes on.
    """
    from transforms.inbox import archive as arc
    from transforms.inbox import explanations, intake

    check_registry(settings)
    inbox, archive = Path(settings.inbox), Path(settings.archive)
    if not inbox.is_dir():
        raise FileNotFoundError(f"收件箱不存在：{inbox}")
    arc.sweep_temporaries(archive)
    try:  # the units' 说明 from the portal, into the archive (what load and a rebuild read)
        explanations.collect(inbox, archive)
    except OSError as exc:  # e.g. a full disk: they stay in the inbox's journal for the next run; the run goes on
        log.warning("countystats: 门户填写的说明未能存入归档，下次运行再试（%s）", exc)
    seen = known_hashes(Path(settings.db))
    manifest = arc.Manifest.read(archive)
    receipts = arc.read_receipts(inbox)
    scanned_at = (now or settings.now()).isoformat(sep=" ")
    found = Intake()
    new_arrivals: list = []
    queued: set[str] = set()
    ours = {os.fsencode(name) for name in (arc.RECEIPTS, explanations.INBOX_JOURNAL, arc.PORTAL_SPOOL)}
    for entry in intake.scan(inbox):
        if entry.kind == "ignored":
            found.ignored += entry.rel not in ours  # the portal's receipts, 说明 and spool are ours
            continue
        shown = intake.display_name(entry.path)
        if entry.kind == "problem":
            found.problems.append(intake.Problem(shown, entry.reason).to_dict())
            continue
        try:
            data = intake.take(entry.path, settings.max_file_bytes)
        except intake.NotTaken as exc:
            found.problems.append(intake.Problem(shown, exc.reason, exc.detail).to_dict())
            continue
        digest = arc.sha256_of(data)
        raw = intake.raw_name(entry.path)
        if not manifest.has(digest, shown, raw):
            try:
                target = arc.archive_bytes(data, archive, arc.archive_suffix(shown), digest)
            except OSError as exc:  # e.g. a full disk: this file waits for the next run, the others go on
                found.problems.append(intake.Problem(shown, f"无法存入归档（{exc.strerror or exc}）", str(exc)).to_dict())
                continue
            got = receipts.time_of(digest, entry.shown, first_arrival=digest not in manifest.first)
            arrival = arc.Arrival(digest, shown, got or scanned_at, target.relative_to(archive).as_posix(), raw,
                                  settings.backfill, intake.area_folder(entry.shown))
            manifest.add(arrival)
            new_arrivals.append(arrival)
        del data
        if digest in seen or digest in queued:
            found.seen_before += digest in seen
            continue
        queued.add(digest)
        first = manifest.first[digest]
        found.files.append(arc.IncomingFile(first.path, digest, first.received_at, str(archive / first.archived),
                                            first.path_b64, first.backfill, first.area))
    arc.record_arrivals(archive, new_arrivals)
    found.new_arrivals = len(new_arrivals)
    for problem in found.problems:
        log.warning("countystats: 未接收 %s：%s", problem["file"], problem["reason"])
    log.info("countystats: 收件箱 %s 中有新文件 %d 个（此前已处理 %d 个，未接收 %d 个，忽略隐藏文件 %d 个）",
             inbox, len(found.files), found.seen_before, len(found.problems), found.ignored)
    return found


# ---------------------------------------------------------------- read and validate


def worker_count(settings: Settings, n_files: int) -> int:
    """How many isolated reader processes read a batch of n_files."""
    workers = settings.read_workers or min(os.cpu_count() or 1, 4)
    return max(1, min(workers, n_files))


def read_limits(settings: Settings):
    from transforms.isolation import Limits

    return Limits(memory_mb=settings.read_memory_mb, seconds=settings.read_timeout_s)


def arrived_in(folder: str | None) -> dict[str, str]:
    """The area a file's inbox folder names (``inbox/<area_code>/…``: ``IncomingFile.area``), for the reader to look
    for its unit there (it ignores a folder that is no area's code)."""
    return {} if not folder else {"area": folder, "area_came": f"收件箱文件夹“{folder}”"}


def read(settings: Settings, files: list[IncomingFile], pool=None) -> Batch:
    """Read every file (R-* rules), each in an isolated worker process (memory cap, time limit); in order.
    ``pool``: reader processes kept by the caller across shards (else started for this call).

    The bytes read are the archived copy (what the warehouse keeps, and all a rebuild has); the name is the one the
    file arrived with (it may name the unit). A file that crashes or stalls its worker is unreadable, alone.
    """
    from transforms.reading import ReadTask, read_isolated

    today = settings.today_date()
    tasks = [ReadTask(f.archive_path, f.path, f.sha256, today=today, **arrived_in(f.area)) for f in files]

    def progress(n: int) -> None:
        if n % max(settings.progress_every, 1) == 0:
            log.info("countystats: 已读取 %d/%d 个文件", n, len(files))

    subs = read_isolated(tasks, settings.units, workers=worker_count(settings, len(files)),
                         limits=read_limits(settings), pool=pool, on_done=progress)
    batch: Batch = []
    for incoming, sub in zip(files, subs, strict=True):
        sub.sha256 = incoming.sha256  # the file's identity, also when its archived copy could not be read
        batch.append((incoming, sub))
    return batch


def validate(settings: Settings, batch: Batch, data_docs: bool = True) -> Batch:
    """One Great Expectations run for every readable submission of the batch (findings appended in place).
    ``data_docs``: also write GX's Data Docs of this process's results so far (a run of many shards writes them
    after its last: each build renders every result the process holds)."""
    subs = [sub for _, sub in batch if not sub.unreadable and sub.format_version]
    if subs:
        from expectations.validation import validate_submissions
        from transforms.registry import Registry

        # GX Data Docs of this run go to the output folder, beside the dashboards
        validate_submissions(subs, Registry.load(settings.units),
                             data_docs=Path(settings.out) if data_docs else None)
    log.info("countystats: 已校验 %d 份报告", len(subs))
    return batch


# ---------------------------------------------------------------- load and publish


def load(settings: Settings, batch: Batch | Reports, run_id: str, fresh: bool = False) -> Path:
    """Build the new warehouse in a staging file; the published one is not touched.

    ``batch``: the run's reports, in memory or in its shards (:class:`~transforms.warehouse.shards.ShardReports`).

    ``fresh``: start from an empty warehouse instead of a copy of the published one (a rebuild).
    """
    from transforms import warehouse
    from transforms.inbox import explanations, reviews
    from transforms.inbox.archive import Manifest
    from transforms.registry import Registry

    staging = warehouse.staging_path(Path(settings.db), run_id)
    warehouse.sweep_stale(Path(settings.db))
    for old in settings.staging.glob("*") if settings.staging.is_dir() else ():
        if time.time() - old.stat().st_mtime > 6 * 3600:  # shards of runs that died before publishing
            shutil.rmtree(old, ignore_errors=True)
    con = warehouse.open_staging(Path(settings.db), staging, fresh=fresh)
    try:
        arrivals = Manifest.read(Path(settings.archive)).arrivals  # every arrival, also of files known before
        result = warehouse.load(con, batch, Registry.load(settings.units), settings, run_id, arrivals=arrivals,
                                decisions=reviews.read(Path(settings.archive)),
                                explanations=explanations.latest(explanations.read(Path(settings.archive))))
        warehouse.finish_staging(con)
    except BaseException:
        con.close()
        warehouse.discard_staging(staging)
        raise
    log.info("countystats: 已在暂存库中载入 %d 份新报告", len(result.new_submission_ids))
    return staging


def publish(settings: Settings, staging: Path | None, run_id: str, found: Intake | None = None) -> RunResult:
    """Atomically replace the published warehouse, then build dashboards, the run's summary, the findings and the
    units' feedback workbooks (:mod:`countystats.outputs`)."""
    from countystats import outputs
    from transforms import warehouse

    db = Path(settings.db)
    if staging is not None and Path(staging).exists():
        warehouse.publish(Path(staging), db)
    elif warehouse.published_run_id(db) != run_id:
        # a retry is fine only after this very run's replace happened; anything else must load again
        raise FileNotFoundError(f"nothing to publish: {staging} is missing and {db} is not from run {run_id}")
    out = Path(settings.out)
    out.mkdir(parents=True, exist_ok=True)
    found = found or Intake()
    result = _summarise(db, run_id, found)
    findings, history = outputs.write_findings(db, out, found.problems)
    result.findings_csv, result.history_csv = str(findings), str(history)
    feedback = outputs.write_feedback(db, settings)
    result.feedback_dir, result.feedback_count = str(feedback.folder), feedback.total
    error = None
    from dashboards.build import build_dashboards

    try:
        result.dashboards = [str(p) for p in build_dashboards(db, settings.dashboards, min_cases=settings.min_cases,
                                                                    timezone=settings.timezone)]
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


def _summarise(db: Path, run_id: str, found: Intake) -> RunResult:
    from transforms.format import COUNTED, sql_list
    from transforms.warehouse import connect
    from transforms.warehouse.views import unit_label

    con = connect(db, read_only=True)
    try:
        files = [
            dict(zip(("file", "unit_name", "report_year", "status", "errors", "warnings"), row, strict=True))
            for row in con.execute(
                """SELECT source_file, unit_name, report_year, status, error_count, warning_count
                   FROM submissions WHERE run_id = ? ORDER BY submission_id""", [run_id]
            ).fetchall()
        ]
        not_counted: dict[str, dict[str, list[str]]] = {}
        for year, name, status in con.execute(
            # a year known only from a backfill lists no one as missing: its reports were published long ago; where
            # the deployment has many counties, a unit is named with its county (every county has its 大营镇)
            f"SELECT c.report_year, {unit_label('c', 'a')}, c.status "
            f"FROM completeness c LEFT JOIN areas a USING (area_code) WHERE c.status NOT IN {sql_list(COUNTED)} "
            "AND NOT (c.status = 'missing' AND c.backfilled) ORDER BY c.report_year, c.area_code, c.unit_code"
        ).fetchall():
            not_counted.setdefault(str(year), {}).setdefault(status, []).append(name)
    finally:
        con.close()
    return RunResult(run_id=run_id, warehouse=str(db), files=files, seen_before=found.seen_before,
                     not_counted=not_counted, problems=found.problems, ignored=found.ignored)


# ---------------------------------------------------------------- the result


@dataclass
class RunResult:
    run_id: str
    warehouse: str
    files: list[dict] = field(default_factory=list)  # this run's files: file, unit_name, report_year, status…
    seen_before: int = 0
    # report year → status → the expected units whose year counts in no county figure: missing (未报送), held
    # (待核实), returned (退回) or rejected (未通过)
    not_counted: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    dashboards: list[str] = field(default_factory=list)
    dashboards_error: str | None = None
    findings_csv: str | None = None  # the findings of what stands (and of the inbox entries not taken in)
    history_csv: str | None = None  # every finding ever
    feedback_dir: str | None = None  # the units' marked workbooks, by unit
    feedback_count: int = 0
    summary_json: str | None = None
    timings: dict[str, float] = field(default_factory=dict)  # step → seconds (in-process runs)
    rebuilt: bool = False  # a rebuild from the archive (countystats rebuild), not a nightly run
    problems: list[dict] = field(default_factory=list)  # inbox entries not taken in: file, reason, detail
    ignored: int = 0  # hidden files and Office lock files in the inbox

    @property
    def missing(self) -> dict[str, list[str]]:
        return self._with("missing")

    @property
    def rejected(self) -> dict[str, list[str]]:
        return self._with("rejected")

    def _with(self, status: str) -> dict[str, list[str]]:
        return {year: by[status] for year, by in self.not_counted.items() if by.get(status)}

    def counts(self) -> dict[str, int]:
        from transforms.format import OF_FILE

        out = dict.fromkeys(OF_FILE, 0)
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
        from transforms.format import OF_UNIT_YEAR, STATUS_ZH

        counts = self.counts()
        if self.rebuilt:
            lines = [f"已从归档重建数据仓库（{self.run_id}）：共 {len(self.files)} 个文件。"]
        else:
            lines = [f"本次运行（{self.run_id}）处理新文件 {len(self.files)} 个"
                     + (f"，另有 {self.seen_before} 个此前已处理的文件未重复处理" if self.seen_before else "") + "。"]
        if self.files:
            lines.append("  " + "，".join(f"{STATUS_ZH[s]} {n} 个" for s, n in counts.items()))
        if self.problems:
            lines.append(f"未能接收的文件 {len(self.problems)} 个（下次运行将再次尝试）：")
            for p in self.problems[:20]:
                lines.append(f"  {p['file']}：{p['reason']}")
            if len(self.problems) > 20:
                lines.append(f"  ……另有 {len(self.problems) - 20} 个，见问题清单")
        if self.not_counted:
            lines.append("尚未计入汇总数字的单位：")
            for year in sorted(self.not_counted):
                by = self.not_counted[year]
                parts = [f"{STATUS_ZH[status]} {_names(by[status])}" for status in OF_UNIT_YEAR if by.get(status)]
                lines.append(f"  {year}年度：" + "；".join(parts))
        else:
            lines.append("所有应报单位均已有通过的报告。")
        lines.append(f"数据仓库：{self.warehouse}")
        if self.dashboards:
            lines.append(f"统计看板：{Path(self.dashboards[0]).parent}（{len(self.dashboards)} 个页面）")
        if self.dashboards_error:
            lines.append(f"统计看板生成失败：{self.dashboards_error}")
        if self.findings_csv:
            lines.append(f"问题清单（各单位现行文件）：{self.findings_csv}")
        if self.history_csv:
            lines.append(f"问题历史（全部文件）：{self.history_csv}")
        if self.feedback_dir and self.feedback_count:
            lines.append(f"反馈工作簿（未通过、待核实、退回的 {self.feedback_count} 份，按单位存放）：{self.feedback_dir}")
        return "\n".join(lines)


def _names(names: list[str], shown: int = 15) -> str:
    text = "、".join(names[:shown])
    return f"{text} 等 {len(names)} 个" if len(names) > shown else f"{text}（{len(names)} 个）"


# ---------------------------------------------------------------- in-process run (countystats run)


def run(settings: Settings, run_id: str | None = None, now: datetime | None = None, *, reader: Reader = read,
        validator: Validator = validate) -> RunResult:
    """The nightly job in this process: every new file of the inbox, added to the published warehouse.

    ``now``: the county's time of this inbox scan (default: the clock), which new files are received at.
    ``reader``, ``validator``: the read and validate steps (default :func:`read`, :func:`validate`); the tests pass
    stand-ins to drive the real discover → load → publish on files the workbook reader need not understand.
    """
    _default_logging()
    clock = _StepClock()
    found = discover(settings, now=now)
    clock.lap("discover")
    return _read_to_publish(settings, found, run_id or new_run_id(), clock, reader=reader, validator=validator)


def rebuild(settings: Settings, run_id: str | None = None, *, reader: Reader = read,
            validator: Validator = validate) -> RunResult:
    """A new warehouse from every file in the archive (its manifest gives each file's name and receipt time), read,
    validated and loaded as one batch, then published like any run: after a lost warehouse or a new schema version.
    The inbox is not looked at; the old warehouse is replaced only once the new one is complete.
    ``reader``, ``validator``: as for :func:`run`."""
    from transforms.inbox.archive import archived_files

    _default_logging()
    check_registry(settings)
    clock = _StepClock()
    files = archived_files(Path(settings.archive))
    log.info("countystats: 从归档 %s 重建数据仓库：%d 个文件", settings.archive, len(files))
    clock.lap("discover")
    return _read_to_publish(settings, Intake(files=files), run_id or new_run_id(), clock, fresh=True, reader=reader,
                            validator=validator)


def _read_to_publish(settings: Settings, found: Intake, run_id: str, clock: _StepClock, fresh: bool = False, *,
                     reader: Reader, validator: Validator) -> RunResult:
    from transforms.warehouse.shards import ShardReports, write_shard

    files = found.files
    if files and validator is validate:
        # while worker processes read, this process idles: import Great Expectations (seconds) meanwhile
        threading.Thread(target=_warm_up_validation, daemon=True).start()
    # shard by shard, as the DAG's mapped tasks do: each shard's reports go to Parquet, and memory holds one shard
    folders = []
    pool = None
    if files and reader is read:  # the reader processes start once for the run, not once a shard
        from transforms.reading import reader_pool

        pool = reader_pool(worker_count(settings, len(files)), read_limits(settings))
    parts = _shard(settings, files)
    try:
        for n, part in enumerate(parts, 1):
            batch = read(settings, part, pool=pool) if pool is not None else reader(settings, part)
            clock.lap("read")
            last = n == len(parts)  # Data Docs once, after the last shard
            batch = validate(settings, batch, data_docs=last) if validator is validate else validator(settings, batch)
            clock.lap("validate")
            folders.append(write_shard(batch, shard_folder(settings, run_id, part)))
            del batch
    finally:
        if pool is not None:
            pool.close()
    staging = load(settings, ShardReports(folders, _stage_dir(settings, run_id)), run_id, fresh=fresh)
    clock.lap("load")
    result = publish(settings, staging, run_id, found)
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
        """The time since the last lap, added to ``step`` (read and validate come once per shard)."""
        now = time.perf_counter()
        self.timings[step] = round(self.timings.get(step, 0.0) + now - self._since, 3)
        self._since = now
        log.info("countystats: %s 完成（%.1f 秒）", STEP_ZH[step], self.timings[step])


def _warm_up_validation() -> None:
    try:
        from expectations.gx_import import import_great_expectations

        import_great_expectations()
    except Exception:  # noqa: BLE001 — only a head start; validate() imports (and reports) for real
        pass


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (a test runner swaps it), not the stream of the first run."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _default_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:  # the CLI: progress lines on stderr; under Airflow its own handlers are kept
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
        logging.getLogger("countystats").setLevel(logging.INFO)  # our progress lines, not every library's chatter


# ---------------------------------------------------------------- what the DAG's tasks call


def _stage_dir(settings: Settings, run_id: str) -> Path:
    path = settings.staging / safe_run_id(run_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def task_discover(params: dict) -> dict:
    return discover(Settings.from_env(**params)).to_dict()


# Tasks return "" rather than None for "nothing": Airflow 3 logs a missing XCom as an error.


def shards(settings: Settings, found: Intake) -> list[list[dict]]:
    """The new files in shards of ``settings.shard_files``, each as the JSON-able dicts a mapped task gets; one
    empty shard when nothing is new (the night still loads and publishes)."""
    return [[f.to_dict() for f in part] for part in _shard(settings, found.files)] or [[]]


def _shard(settings: Settings, files: list) -> list[list]:
    """``files`` in order, in shards of ``settings.shard_files``."""
    size = max(settings.shard_files, 1)
    return [files[i:i + size] for i in range(0, len(files), size)]


def check(settings: Settings, files: list[IncomingFile]) -> Batch:
    """The work on a shard's files alone: each read in isolation, then validated in one Great Expectations run
    (:func:`read` and :func:`validate`, looked up when called: a test process may stand in for them)."""
    return validate(settings, read(settings, files)) if files else []


def shard_folder(settings: Settings, run_id: str, files: list[IncomingFile]) -> Path:
    """Where a shard's result goes: named by its files' hashes, so a retry of the shard writes the same folder."""
    import hashlib

    name = hashlib.sha256("".join(f.sha256 for f in files).encode()).hexdigest()[:16]
    return _stage_dir(settings, run_id) / f"shard-{name}"


def task_shards(params: dict, found: dict) -> list[list[dict]]:
    return shards(Settings.from_env(**params), Intake.from_dict(found))


def task_check(params: dict, shard: list[dict], run_id: str) -> str:
    """A mapped task: check one shard, write its reports as Parquet where every worker sees them; returns where
    ("" for the empty shard): a folder of the run's staging folder, or a URL under ``shard_store``."""
    from transforms.inbox.archive import IncomingFile
    from transforms.warehouse.shards import write_shard

    settings = Settings.from_env(**params)
    files = [IncomingFile(**f) for f in shard]
    if not files:
        return ""
    folder = write_shard(check(settings, files), shard_folder(settings, run_id, files))
    if not settings.shard_store:
        return str(folder)
    return _put_shard(folder, _store(settings, run_id) / folder.name)


def task_load(params: dict, shard_folders: list[str], run_id: str) -> str:
    """The shards' reports loaded together (DuckDB has one writer), a chunk at a time."""
    from transforms.warehouse.shards import ShardReports

    settings = Settings.from_env(**params)
    stage = _stage_dir(settings, run_id)
    folders = [_get_shard(where, stage) if "://" in where else Path(where) for where in shard_folders if where]
    staging = load(settings, ShardReports(folders, stage), run_id)
    if settings.shard_store:  # loaded: the run's shards are no longer needed (publish works from the staging file)
        store = _store(settings, run_id)
        if store.exists():
            store.rmdir(recursive=True)
    return str(staging)


# Object storage (``shard_store``: s3://…, gs://…, file:///…) through Airflow's ObjectStoragePath. A shard is three
# Parquet files and a marker written last: a reader takes a shard only when the marker says it is whole.
DONE = "_complete"


def _store(settings: Settings, run_id: str):
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(settings.shard_store.rstrip("/")) / safe_run_id(run_id)


def _put_shard(folder: Path, target) -> str:
    target.mkdir(parents=True, exist_ok=True)
    (target / DONE).unlink(missing_ok=True)  # a retry: not whole until written again
    for part in sorted(folder.iterdir()):
        (target / part.name).write_bytes(part.read_bytes())
    (target / DONE).write_bytes(b"")
    shutil.rmtree(folder, ignore_errors=True)
    return str(target)


def _get_shard(url: str, local: Path) -> Path:
    from airflow.sdk import ObjectStoragePath

    source = ObjectStoragePath(url)
    if not (source / DONE).exists():
        raise FileNotFoundError(f"shard {url} is not complete")
    folder = local / source.name
    folder.mkdir(parents=True, exist_ok=True)
    for part in source.iterdir():
        if part.name != DONE:
            (folder / part.name).write_bytes(part.read_bytes())
    return folder


def task_publish(params: dict, staging: str, run_id: str, found: dict) -> str:
    result = publish(Settings.from_env(**params), Path(staging), run_id, Intake.from_dict(found))
    return str(result.summary_json)
