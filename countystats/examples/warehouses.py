"""Example warehouses of any size, built through the real schema, validation and loader.

``build_warehouse(db_path, units=small_county(), seed=7)`` does what the nightly job does, with made-up reports
instead of read ones:

1. writes the registry (``<db>.units.csv`` beside the warehouse) and loads it with :class:`~transforms.registry.Registry`;
2. makes one consistent report per expected unit and report year (:mod:`.reports`), each continuing the unit's report
   of the year before (carry-over, documents in force), and breaks some of them on purpose (:data:`PROBLEMS`);
3. validates every report in ONE Great Expectations batch (``expectations.validation.validate_submissions``);
4. loads them with the real loader (``transforms.warehouse.load``: cross-year rules, lateness, the current report,
   the county roll-up check), one run per report year, each staged and published as the nightly job publishes.

So the relations, views and statuses are exactly the product's (shared/spec/interfaces.md, ``transforms/warehouse``):
what a dashboard or an analyst's query sees here, it sees in production. The archived copies the files would have are
not written: the loader records their paths but never reads them.

What every warehouse holds:

- report years :data:`YEARS`: the oldest in the format meant for it (``for_year``), the later ones in the newest format,
  so the trends cross a format break;
- every status of ``completeness``: the first units of the newest year are pinned (:data:`PINNED`: accepted,
  late, rejected, held by a warning (待核实), missing, a warning the unit explained, returned by the office), every
  other unit-year is drawn (mostly clean, some with a warning — explained or not —, some with a notice, some
  rejected — a few of those corrected by a later file —, a few returned, some missing, some late);
- a file whose unit cannot be identified (``unit_code`` NULL, R-UNIT), in the newest year.

Unit lists: :func:`small_county` (a dozen units, one new in 2023 and one dissolved after 2023) and :func:`many_units`
(a large county, for the benchmark); both have a township whose name is hostile HTML (:data:`HOSTILE_NAME`), to prove
the pages escape text. Any list of registry units will do (``transforms.registry.Unit``).

The outcome is checked before :func:`build_warehouse` returns: every unit-year ends with the status planned for it and
every planted problem is found by its rule, or it raises :class:`ExampleWarehouseError`.
"""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from countystats.examples.reports import consistent_values, continued, set_values, submission_from
from countystats.settings import Settings
from transforms.format import FILER, REPORT_TITLE, STATUSES, TOTAL, UNIT_TYPES, ReportFormat, for_year
from transforms.inbox.archive import Arrival, IncomingFile
from transforms.inbox.reviews import Decision
from transforms.model import Cell, Submission
from transforms.registry import FIELDS, Registry, Unit
from transforms.rules import RULES, cross_year_findings

HOSTILE_NAME = "<script>alert(1)</script>镇"
YEARS = (2020, 2023, 2024)  # the oldest in the format meant for it, then a gap, then two consecutive years
NEWEST = max(YEARS)
UNKNOWN_FILER = "某某单位"  # the unit named by the file nobody can place

ACCEPTED, WARNED, HELD, RETURNED = "accepted", "accepted_with_warnings", "needs_review", "returned"
REJECTED, MISSING = "rejected", "missing"
assert {ACCEPTED, WARNED, HELD, RETURNED, REJECTED, MISSING} <= set(STATUSES)
EXPLANATION = "本年度确有此情况，数据属实。"  # a unit's 说明 of its warning
RETURN_REASON = "表二数字与正文不一致，请核对后重新报送。"  # the office's reason for returning a report

# The problems planted on purpose, by the rule that must find them: a warning holds a report until explained, a
# notice leaves it counted, an error rejects it.
WARNING_RULES = ("T3-SHIFT", "X-CARRY", "N-COPY")  # N-COPY: one pair of the newest year, explained by both units
NOTICE_RULES = ("T3-ROWSUM",)  # a blank 总计, taken as its row's sum
ERROR_RULES = ("T3-BALANCE", "T3-OUTCOMES", "T4-TOTAL")
PROBLEMS = WARNING_RULES + NOTICE_RULES + ERROR_RULES


@dataclass(frozen=True)
class Plan:
    """What happens to one unit-year: ``problem``, a rule of :data:`PROBLEMS` planted in the report (None: a clean
    report) or ``MISSING``; ``late``: the first acceptable file comes after the deadline (P-LATE, a notice);
    ``corrected``: a clean file follows the rejected one; ``explained``: the unit explains its warning (说明);
    ``returned``: the county office returns the report."""

    problem: str | None = None
    late: bool = False
    corrected: bool = False
    explained: bool = False
    returned: bool = False

    @property
    def status(self) -> str:
        """The unit-year's status in ``completeness`` once loaded."""
        if self.problem == MISSING:
            return MISSING
        if self.returned:
            return RETURNED
        if self.problem in ERROR_RULES and not self.corrected:
            return REJECTED
        if self.problem in WARNING_RULES:
            return WARNED if self.explained else HELD
        return ACCEPTED

    @property
    def counted(self) -> bool:
        return STATUSES[self.status].counted


# The first units of the newest year, so every status is on the pages whatever the seed. "warning": T3-SHIFT for a
# township, otherwise X-CARRY where last year's report counts, else a blank 总计 (a notice); "explained": the same,
# explained by the unit. In small_county() the fourth unit is the hostile name: counted, with findings to link to.
PINNED = ("accepted", "late", "T3-BALANCE", "explained", "warning", MISSING, "returned")


def small_county() -> list[Unit]:
    """Several units of each type, one hostile name, one unit new in 2023 and one dissolved after 2023."""
    towns = ["大营镇", "城关镇", "柳河乡", HOSTILE_NAME, "石桥镇"]
    subs = ["东城街道", "西城街道", "南湖街道"]
    depts = ["县教育局", "县公安局", "县自然资源局", "县市场监督管理局"]
    units = [Unit(f"T{i:03d}", n, "township") for i, n in enumerate(towns, 1)]
    units += [Unit(f"S{i:03d}", n, "subdistrict", active_from=2023 if i == 3 else None) for i, n in enumerate(subs, 1)]
    units += [Unit(f"D{i:03d}", n, "department", active_to=2023 if i == 4 else None) for i, n in enumerate(depts, 1)]
    return units


def many_units(n: int) -> list[Unit]:
    """n units in the proportions of a large county (60% departments, 30% townships, 10% subdistricts), and the
    hostile name as one more township."""
    kinds = [("department", "D", "县第{}局"), ("township", "T", "第{}镇"), ("subdistrict", "S", "第{}街道")]
    units = []
    for i in range(n):
        kind, prefix, pattern = kinds[0] if i % 10 < 6 else kinds[1] if i % 10 < 9 else kinds[2]
        units.append(Unit(f"{prefix}{i:05d}", pattern.format(i), kind))
    units.append(Unit("T99999", HOSTILE_NAME, "township"))
    return units


class ExampleWarehouseError(RuntimeError):
    """The loaded warehouse is not what was planned (a rule or the loader changed what it says)."""


# ---------------------------------------------------------------- the plan


def _plan(rng: random.Random, unit: Unit, year: int, index: int, previous_counted: bool) -> Plan:
    township = UNIT_TYPES[unit.unit_type].township_heuristics
    warnings = ["T3-SHIFT"] * township + ["X-CARRY"] * previous_counted
    own = warnings[0] if warnings else NOTICE_RULES[0]  # the unit's own warning, if it can have one
    pinned = PINNED[index] if year == NEWEST and index < len(PINNED) else None
    if pinned is not None:
        if pinned == "accepted":
            return Plan()
        if pinned == "late":
            return Plan(late=True)
        if pinned == "warning":
            return Plan(own)
        if pinned == "explained":
            return Plan(own, explained=True)
        if pinned == "returned":
            return Plan(returned=True)
        return Plan(pinned)
    r = rng.random()
    late = rng.random() < 0.12
    if r < 0.07:
        return Plan(MISSING)
    if r < 0.14:
        return Plan(rng.choice(ERROR_RULES), late, corrected=rng.random() < 0.3)
    if r < 0.16:
        return Plan(None, late, returned=True)
    if r < 0.35:
        return Plan(rng.choice([*warnings, *NOTICE_RULES]), late, explained=rng.random() < 0.5)
    return Plan(None, late)


# ---------------------------------------------------------------- the reports

Values = dict[tuple[str, str, str], float | int | None]


def _add_requests(values: Values, fmt: ReportFormat, column: str, n: int) -> None:
    """n more applications from ``column``, received and granted this year (every identity still holds)."""
    for row in ("new_received", "granted", "concluded_total"):
        for col in (column, TOTAL):
            values[("requests", row, col)] = (values[("requests", row, col)] or 0) + n


def _plant(rng: random.Random, values: Values, fmt: ReportFormat, rule: str) -> None:
    """Break the report so that ``rule`` (and, among the rules of one report, only it) finds the problem."""
    requests, review = fmt.section("requests"), fmt.section("review_litigation")
    first = requests.parts[0]

    def bump(key: tuple[str, str, str], by: int = 1) -> None:
        values[key] = (values[key] or 0) + by

    if rule == "T3-SHIFT":  # applications in a column a township almost never has
        _add_requests(values, fmt, RULES[rule].columns[0], rng.randint(1, 3))
    elif rule == "T3-ROWSUM":  # a 总计 left blank in a row with numbers
        if not values[("requests", "concluded_total", TOTAL)]:
            _add_requests(values, fmt, first, 1)
        values[("requests", "concluded_total", TOTAL)] = None
    elif rule == "X-CARRY":  # carried over ≠ last year's carried forward (both sides move: 表三 still balances)
        for row in ("carried_over", "carried_forward"):
            bump(("requests", row, first))
            bump(("requests", row, TOTAL))
    elif rule == "T3-BALANCE":  # one more received than handled (the row's 总计 follows, so only the balance breaks)
        by = rng.randint(1, 4)
        bump(("requests", "new_received", first), by)
        bump(("requests", "new_received", TOTAL), by)
    elif rule == "T3-OUTCOMES":  # an outcome counted once more than 办结总数
        bump(("requests", "granted", first))
        bump(("requests", "granted", TOTAL))
    elif rule == "T4-TOTAL":  # a result counted, its 总计 not
        bump(("review_litigation", review.rows[0].code, review.parts[0]))
    else:
        raise ValueError(f"no way to plant {rule}")


def _report(rng: random.Random, fmt: ReportFormat, unit: Unit, year: int,
            previous: Submission | None) -> tuple[Values, Submission]:
    """A consistent report continuing ``previous`` (the unit's current report of the year before, if any), drawn
    again until no cross-year rule finds anything in it (X-JUMP, X-COPY) and no count is negative."""
    before = None if previous is None else {k: c.value for k, c in previous.cells.items()}
    same_format = previous is not None and previous.format_version == fmt.version
    for _ in range(100):
        values = consistent_values(fmt.version, unit.unit_type, rng)
        if same_format:
            values = continued(fmt, values, before)
        if _negative(fmt, values):
            continue
        sub = submission_from(values, fmt.version, unit.unit_type, name=unit.unit_code, year=year)
        if before is None or not cross_year_findings(sub, before, previous.format_version):
            return values, sub
    raise ExampleWarehouseError(f"no report of {unit.unit_code} for {year} passes the cross-year rules")


def _negative(fmt: ReportFormat, values: Values) -> bool:
    """Whether a count that cannot be negative is (continuing last year can push 本年新收 below 0)."""
    proactive = fmt.section("proactive")
    return any(v is not None and v < 0 and (section != "proactive" or not proactive.measure(row, col).signed)
               for (section, row, col), v in values.items())


@dataclass
class _File:
    incoming: IncomingFile
    sub: Submission
    plan: Plan
    planted: str | None  # the rule that must find something in this file


FORMS = ("workbook", "workbook", "workbook", "word", "pdf", "html")  # how often each form comes
SUFFIXES = {"workbook": ".xlsx", "word": ".docx", "pdf": ".pdf", "html": ".html"}


def _copy(sub: Submission) -> Submission:
    """Another file with the same figures (and sources): cheaper than building the cells again."""
    cells = {k: Cell(c.section, c.row, c.column, c.value, c.source) for k, c in sub.cells.items()}
    return Submission(sub.file, sub.sha256, sub.unit_code, sub.unit_name, sub.unit_type, sub.report_year,
                      sub.format_version, cells)


def _file(unit: Unit | None, year: int, sub: Submission, received: datetime, seed: int, serial: int, archive: Path,
          plan: Plan, planted: str | None) -> _File:
    """``sub`` as the file ``unit`` sent (None: a unit nobody can place), its ``serial``-th for the year."""
    name = unit.unit_name if unit else UNKNOWN_FILER
    digest = hashlib.sha256(f"{seed}|{unit.unit_code if unit else name}|{year}|{serial}".encode()).hexdigest()
    # most units send a workbook; some their Word report, its PDF or the portal page, with the narrative around
    form = FORMS[int(digest[:8], 16) % len(FORMS)]
    path = f"{name}{year}年{REPORT_TITLE}{'（更正）' if serial > 1 else ''}{SUFFIXES[form]}"
    sub.file, sub.sha256, sub.source_kind = path, digest, form
    if form != "workbook" and sub.format_version:
        from transforms.format import FORMATS
        from transforms.writing.documents import default_narrative

        where = {"overview": "第1页", "problems": "第3页", "other": "第3页"} if form == "pdf" else {
            "overview": "第3段–第6段", "problems": "第9段–第10段", "other": "第12段"}
        texts = default_narrative(FORMATS[sub.format_version], {k: c.value for k, c in sub.cells.items()}, name, year)
        sub.narrative = {code: (texts[code], where[code]) for code in where}
    sub.unit_code, sub.unit_name, sub.unit_type = (unit.unit_code, unit.unit_name, unit.unit_type) if unit else (
        None, None, None)
    incoming = IncomingFile(path, digest, received.isoformat(timespec="seconds"),
                            str(archive / digest[:2] / f"{digest}{SUFFIXES[form]}"))
    return _File(incoming, sub, plan, planted)


def _received(rng: random.Random, settings: Settings, year: int, unit_type: str | None, late: bool) -> datetime:
    """During office hours: up to 25 days before the deadline (or on it), or 1 to 20 days after it."""
    deadline = settings.deadline_for(year, unit_type)
    days = rng.randint(1, 20) if late else -rng.randint(0, 25)
    return datetime.combine(deadline + timedelta(days=days), time(rng.randint(8, 17), rng.randint(0, 59)))


def _files(units: list[Unit], settings: Settings, seed: int) -> list[_File]:
    rng = random.Random(seed)
    archive = Path(settings.archive)
    files: list[_File] = []
    current: dict[tuple[str, int], Submission] = {}  # (unit, year) → the report that will be current
    for year in sorted(YEARS):
        fmt = for_year(year)
        for index, unit in enumerate(units):
            if not unit.expected_in(year):
                continue
            previous = current.get((unit.unit_code, year - 1))
            plan = _plan(rng, unit, year, index, previous is not None)
            if plan.problem == MISSING:
                continue
            values, clean = _report(rng, fmt, unit, year, previous)
            got = _received(rng, settings, year, unit.unit_type, plan.late)
            if plan.problem is None:
                files.append(_file(unit, year, clean, got, seed, 1, archive, plan, None))
                if plan.counted:
                    current[(unit.unit_code, year)] = clean
                continue
            broken = dict(values)
            _plant(rng, broken, fmt, plan.problem)
            bad = set_values(_copy(clean), [(k, v) for k, v in broken.items() if values.get(k) != v])
            if plan.explained:
                bad.explanations[plan.problem] = EXPLANATION
            first_got = got - timedelta(days=4) if plan.corrected else got
            files.append(_file(unit, year, bad, first_got, seed, 1, archive, plan, plan.problem))
            if plan.problem not in ERROR_RULES:
                if plan.counted:  # a warning held for review leaves no current report for next year to follow
                    current[(unit.unit_code, year)] = bad
            elif plan.corrected:
                files.append(_file(unit, year, clean, got, seed, 2, archive, plan, None))
                current[(unit.unit_code, year)] = clean
    _copy_part_five(files)
    # a file naming a unit that is not in the registry: the reader's R-UNIT findings, a report nobody can place
    got = _received(rng, settings, NEWEST, None, False)
    version = for_year(NEWEST).version
    sub = submission_from(consistent_values(version, None, rng), version, None, year=NEWEST)
    unknown = _file(None, NEWEST, sub, got, seed, 1, archive, Plan(), "R-UNIT")
    r_unit = RULES["R-UNIT"]
    unknown.sub.add(r_unit.finding("filer_not_in_registry", actual=UNKNOWN_FILER, where=FILER.text, text=UNKNOWN_FILER))
    unknown.sub.add(r_unit.finding("unknown", filer=FILER.text))
    files.append(unknown)
    return files


def _copy_part_five(files: list[_File]) -> None:
    """内容雷同 on purpose: of the newest year's clean reports that have a narrative, the second takes the first's
    part 五 (its own name in it); both units explain it, so both reports count with their warning (N-COPY)."""
    clean = [f for f in files if f.sub.report_year == NEWEST and f.planted is None and f.sub.narrative
             and not f.plan.late and not f.plan.returned]
    if len(clean) < 2:
        return
    first, second = clean[:2]
    text, where = first.sub.narrative["problems"]
    second.sub.narrative["problems"] = (text.replace(first.sub.unit_name, second.sub.unit_name), where)
    for f in (first, second):
        f.plan = Plan("N-COPY", explained=True)
        f.planted = "N-COPY"
        f.sub.explanations["N-COPY"] = EXPLANATION


# ---------------------------------------------------------------- the warehouse


def units_csv(db_path: Path) -> Path:
    """Where :func:`build_warehouse` writes the registry of a warehouse: beside it."""
    return Path(db_path).with_suffix(".units.csv")


def write_registry(units: list[Unit], path: Path) -> Path:
    """``units`` as a registry file (config/units.csv's columns)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(FIELDS)
        for u in units:
            out.writerow([u.unit_code, u.unit_name, u.unit_type, "|".join(u.aliases),
                          "" if u.active_from is None else u.active_from, "" if u.active_to is None else u.active_to,
                          u.area_code])
    return path


def settings_for(db_path: Path) -> Settings:
    """The settings the example runs use: every path inside the warehouse's folder, every other setting default."""
    db_path = Path(db_path).resolve()
    root = db_path.parent
    return Settings(inbox=root / "inbox", db=db_path, out=root / "output", archive=root / "archive",
                    units=units_csv(db_path))


def build_warehouse(db_path: Path, units: list[Unit] | None = None, seed: int = 7) -> Path:
    """Write an example warehouse at ``db_path`` (replacing it) for ``units`` (default :func:`small_county`) over
    :data:`YEARS`; returns the path. ``units=[]``: the schema alone, nothing loaded (a registry has units)."""
    from transforms import warehouse

    units = small_county() if units is None else units
    settings = settings_for(db_path)
    db = Path(settings.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    for old in (db, db.with_name(db.name + ".wal")):
        old.unlink(missing_ok=True)
    if not units:
        staging = warehouse.staging_path(db, "example-empty")
        warehouse.finish_staging(warehouse.open_staging(db, staging, fresh=True))
        warehouse.publish(staging, db)
        return db

    registry = Registry.load(write_registry(units, settings.units))
    files = _files(registry.units, settings, seed)

    from expectations.validation import validate_submissions  # Great Expectations: seconds to import, once

    validate_submissions([f.sub for f in files], registry)
    # the office's decisions, as its journal would hold them: the planned returns
    decisions = [Decision(f.incoming.sha256, "return", RETURN_REASON, "县政府办公室", f.incoming.received_at)
                 for f in files if f.plan.returned]
    arrivals: list[Arrival] = []
    for year in sorted(YEARS):  # one nightly run per season, as the files came
        run_id = f"example-{year}"
        batch = [f for f in files if f.sub.report_year == year]
        arrivals += [Arrival(f.incoming.sha256, f.incoming.path, f.incoming.received_at,
                             str(Path(f.incoming.archive_path).relative_to(settings.archive))) for f in batch]
        load_run(db, [(f.incoming, f.sub) for f in batch], registry, settings, run_id, arrivals=arrivals,
                 decisions=decisions)
    _check(db, registry, files)
    return db


def load_run(db: Path, batch, registry: Registry, settings: Settings, run_id: str, **kw) -> None:
    """One run's load of a batch of (incoming, submission), staged and published as the nightly job does."""
    from transforms import warehouse

    staging = warehouse.staging_path(db, run_id)
    con = warehouse.open_staging(db, staging)
    try:
        warehouse.load(con, batch, registry, settings, run_id, **kw)
        warehouse.finish_staging(con)
    except BaseException:
        con.close()
        warehouse.discard_staging(staging)
        raise
    warehouse.publish(staging, db)


def _check(db: Path, registry: Registry, files: list[_File]) -> None:
    """Every unit-year has the status planned for it; every planted problem is found by its rule, and a clean file
    has no finding but, when it came late, P-LATE."""
    from transforms.warehouse import connect

    planned = {(f.sub.unit_code, f.sub.report_year): f.plan.status for f in files if f.sub.unit_code}
    con = connect(db, read_only=True)
    try:
        got = {(u, y): s for u, y, s in con.execute("SELECT unit_code, report_year, status FROM completeness").fetchall()}
        rules = dict(con.execute("SELECT sha256, list(DISTINCT rule) FROM findings JOIN submissions USING "
                                 "(submission_id) GROUP BY sha256").fetchall())
    finally:
        con.close()
    problems = [f"{key}: {status}, planned {planned.get(key, MISSING)}" for key, status in sorted(got.items())
                if status != planned.get(key, MISSING)]
    expected = {(u.unit_code, y) for u in registry.units for y in YEARS
                if u.expected_in(y) and UNIT_TYPES[u.unit_type].expected}
    problems += [f"{key}: not in completeness" for key in sorted(expected - set(got))]
    for f in files:
        found = set(rules.get(f.incoming.sha256, ()))
        if f.planted is not None and f.planted not in found:
            problems.append(f"{f.incoming.path}: {f.planted} planted, found {sorted(found)}")
        if f.planted is None and found - {"P-LATE"}:
            problems.append(f"{f.incoming.path}: a clean report, found {sorted(found)}")
    if problems:
        raise ExampleWarehouseError("the example warehouse is not as planned: " + "; ".join(problems[:20]))


__all__ = [
    "HOSTILE_NAME", "NEWEST", "PINNED", "PROBLEMS", "YEARS", "ExampleWarehouseError", "Plan", "build_warehouse",
    "many_units", "settings_for", "small_county", "units_csv", "write_registry",
]
