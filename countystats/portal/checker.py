"""The portal's check of one uploaded report: the same reading and rules as `countystats check`, kept warm.

`check` pays seconds per file for starting a reader process and importing Great Expectations; the portal pays them
once at start-up. The reader processes stay alive (a hostile file still costs only its own child), Great
Expectations' suites stay built, and the cross-year rules compare the report with the unit's current report of the
year before in the published warehouse, opened read-only for the moment it takes (the nightly run replaces the file
whole, so the portal and the run never wait for each other).
"""

from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path

from countystats.settings import Settings
from transforms.model import Submission
from transforms.registry import Registry

log = logging.getLogger("countystats.portal")


class Checker:
    """Reads and validates one report at a time per reader; thread-safe (the web server's threads share it)."""

    def __init__(self, settings: Settings, readers: int = 2):
        from expectations.feedback import feedback_pool
        from transforms.isolation import Limits
        from transforms.reading import reader_pool

        self.settings = settings
        self.registry = Registry.load(settings.units)
        self.limits = Limits(memory_mb=settings.read_memory_mb, seconds=settings.read_timeout_s)
        self._readers = [reader_pool(1, self.limits) for _ in range(max(1, readers))]
        self._free = list(self._readers)
        self._ready = threading.Condition()
        self._validating = threading.Lock()  # one Great Expectations run at a time: its context is not thread-safe
        self._feedback = feedback_pool(self.limits)
        self._writing = threading.Lock()

    def close(self) -> None:
        for pool in self._readers:
            pool.close()
        self._feedback.close()

    def warm(self) -> None:
        """Start every reader and the feedback writer and build the suites now, on a blank template, not on the
        first clerks' files."""
        from transforms.writing.layouts import write_template

        unit = next(iter(self.registry.units), None)
        if unit is None:
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = write_template(unit.unit_code, self.settings.today_date().year - 1, Path(tmp) / "warm.xlsx",
                                  units=self.settings.units)
            pools = [self._take() for _ in self._readers]  # each reader once (a free one is taken again first)
            try:
                subs = [self._read(path, path.name, unit.area_code, pool) for pool in pools]
            finally:
                for pool in pools:
                    self._give(pool)
            self._validate(subs[0])
            self.feedback(subs[0], path)

    def check(self, path: Path, name: str, unit_code: str, area_code: str | None) -> Submission:
        """Every rule `check` runs on the file at ``path`` (shown as ``name``), looked for among the units of
        ``area_code`` (``unit_code``: whose code sent it; the file itself says whose report it is)."""
        pool = self._take()
        try:
            sub = self._read(path, name, area_code, pool)
        finally:
            self._give(pool)
        if not sub.unreadable and sub.format_version:
            self._validate(sub)
            self._across_years(sub)
        return sub

    def _read(self, path: Path, name: str, area_code: str | None, pool) -> Submission:
        from transforms.reading import ReadTask, read_isolated

        task = ReadTask(str(path), name, today=self.settings.today_date(), area=area_code or None,
                        area_came="门户网站登录的单位" if area_code else None)
        (sub,) = read_isolated([task], self.settings.units, limits=self.limits, pool=pool)
        return sub

    def _validate(self, sub: Submission) -> None:
        from expectations.validation import forget_results, validate_submissions

        with self._validating:
            # one report: ask first whether each table passes, then for every failing row only where one fails
            validate_submissions([sub], self.registry, failing_only=True)
            forget_results()  # no Data Docs here: a portal's memory must not grow with the season's uploads

    def feedback(self, sub: Submission, source: Path) -> bytes | None:
        """The feedback workbook of a checked file (its cells marked, a list of every finding), or None when the
        file cannot carry one (unreadable)."""
        from expectations.feedback import FeedbackFailed, write_feedback_isolated

        if sub.unreadable:
            return None
        with tempfile.TemporaryDirectory() as tmp, self._writing:
            target = Path(tmp) / "feedback.xlsx"
            try:
                write_feedback_isolated(sub, source, target, limits=self.limits, pool=self._feedback)
            except FeedbackFailed as exc:
                log.warning("countystats portal: 反馈工作簿未生成（%s）：%s", Path(sub.file).name, exc)
                return None
            return target.read_bytes()

    def _take(self):
        with self._ready:
            while not self._free:
                self._ready.wait()
            return self._free.pop()

    def _give(self, pool) -> None:
        with self._ready:
            self._free.append(pool)
            self._ready.notify()

    def _across_years(self, sub: Submission) -> None:
        """X-* rules against the unit's current report of the year before, as published (none yet: nothing)."""
        from transforms.rules import cross_year_findings
        from transforms.warehouse.loading import previous_report

        db = Path(self.settings.db)
        if not (sub.unit_code and sub.report_year and db.exists()):
            return
        try:
            previous = previous_report(db, sub.unit_code, sub.report_year)
        except Exception as exc:  # a warehouse being replaced or of an older schema: the nightly run checks it
            log.warning("countystats portal: 无法读取已发布的数据仓库（%s）", exc)
            return
        if previous is not None:
            values, fmt = previous
            for finding in cross_year_findings(sub, values, fmt):
                sub.add(finding)
