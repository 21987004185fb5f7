"""Settings of the nightly job, with every default in ONE place (the dataclass fields below).

The CLI, the Airflow DAG (its params) and the tests all build a :class:`Settings` through :meth:`Settings.from_env`,
so a default changed here changes everywhere. Light on purpose: the DAG imports this at parse time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from transforms.reading.guard import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "COUNTYSTATS_"
PATH_FIELDS = ("inbox", "db", "out", "archive", "units")


@dataclass(frozen=True)
class Settings:
    inbox: Path = Path("inbox")
    db: Path = Path("data/countystats.duckdb")  # the published warehouse analysts open read-only
    out: Path = Path("output")  # dashboards, run summary, findings CSV, exports
    archive: Path = Path("archive")  # every received file, byte for byte, named by sha256
    units: Path = Path("config/units.csv")
    # 条例第四十九条: units report by 31 January of Y+1; the county government publishes its own by 31 March.
    deadline: str = "01-31"
    county_deadline: str = "03-31"
    timezone: str = "Asia/Shanghai"
    progress_every: int = 100  # log a progress line every N files
    read_workers: int = 0  # processes reading workbooks in parallel; 0 = one per CPU (max 4), 1 = in-process
    # the DAG checks the new files in shards of this many, each a task on any worker (a shard takes seconds)
    shard_files: int = 500
    # where the shards hand their reports to the load: "" = the run's staging folder (a folder every worker sees);
    # a URL (s3://bucket/prefix, gs://…, file:///shared/…) = object storage, through Airflow's ObjectStoragePath
    shard_store: str = ""
    # the report year being collected (0 = none): completeness lists its units before the first file of it arrives
    collecting_year: int = 0
    # every file is read in a worker process with these limits: a file that needs more is unreadable, alone
    read_timeout_s: int = 60  # a report reads in milliseconds
    read_memory_mb: int = 512  # beyond what the worker's own imports take; a report needs ~10 MB
    max_file_mb: int = MAX_FILE_BYTES // (1024 * 1024)  # larger files are not taken in (a report is ~20 KB)
    # the county's date as of which report years are judged ("" = today); for demos and tests of a season
    today: str = ""
    # a run over published reports of past years (docs/nightly.md, "Backfill"): their receipt time says nothing about
    # when the unit reported, so none of them is late (P-LATE) and completeness leaves their timeliness open
    backfill: bool = False
    # the clerks' portal (countystats portal): its own records — access codes, receipts, sessions, audit log — as a
    # SQLAlchemy URL ("" = SQLite beside the warehouse; production: the deployment's PostgreSQL), never the warehouse
    portal_store: str = ""
    portal_readers: int = 2  # reader processes each portal process keeps warm (checks run this many at once)
    # the dashboards' rankings: a rate over fewer cases than this (its denominator) is shown with its figures, not ranked
    # (dashboards.data.MIN_CASES, the default of build_dashboards)
    min_cases: int = 5

    def __post_init__(self) -> None:
        # relative paths are relative to the project, not to wherever the command was started
        for name in PATH_FIELDS:
            path = Path(getattr(self, name)).expanduser()
            object.__setattr__(self, name, path if path.is_absolute() else ROOT / path)
        for name in ("portal_readers", "min_cases", "progress_every", "read_workers", "shard_files", "collecting_year", "read_timeout_s",
                     "read_memory_mb", "max_file_mb"):
            object.__setattr__(self, name, int(getattr(self, name)))
        if self.today:
            date.fromisoformat(str(self.today))  # fail at start-up, not in the middle of a run
        object.__setattr__(self, "backfill", _flag(self.backfill))

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults ← COUNTYSTATS_<FIELD> environment variables ← overrides (None = not given)."""
        values: dict[str, object] = {}
        for f in fields(cls):
            env = os.environ.get(ENV_PREFIX + f.name.upper())
            if env:
                values[f.name] = env
        values.update({k: v for k, v in overrides.items() if v is not None and v != ""})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        return cls(**values)

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)

    def as_strings(self) -> dict[str, str]:
        """Every setting as text: the DAG's params and the environment handed to subprocesses."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}

    def as_env(self) -> dict[str, str]:
        return {ENV_PREFIX + k.upper(): v for k, v in self.as_strings().items()}

    def deadline_for(self, report_year: int, unit_type: str | None = None) -> date:
        """Last day (inclusive, local time) for the report of ``report_year``."""
        from transforms.format import UNIT_TYPES

        kind = UNIT_TYPES.get(unit_type or "")
        month_day = self.county_deadline if kind is not None and kind.late_deadline else self.deadline
        month, day = (int(p) for p in month_day.split("-"))
        return date(report_year + 1, month, day)

    def now(self) -> datetime:
        """The county's local time, naive (what received_at and deadlines are in)."""
        return datetime.now(ZoneInfo(self.timezone)).replace(tzinfo=None, microsecond=0)

    def today_date(self) -> date:
        return date.fromisoformat(str(self.today)) if self.today else self.now().date()

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024

    @property
    def portal_store_url(self) -> str:
        return self.portal_store or f"sqlite:///{self.db.parent / 'portal.sqlite'}"

    @property
    def dashboards(self) -> Path:
        return self.out / "dashboards"

    @property
    def staging(self) -> Path:
        """Run-scoped scratch space (next to the warehouse, so os.replace stays on one file system). The DAG's
        shards hand their checked reports to the load here: every worker must see it (compose: the data volume)."""
        return self.db.parent / "staging"


def _flag(value: object) -> bool:
    """A yes/no setting given as a bool, or as text by the environment or the DAG's params ("1", "true", "False")."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off", "none"):
        return False
    raise ValueError(f"not a yes/no setting: {value!r}")
