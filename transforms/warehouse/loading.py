"""Loading a run's submissions: lineage, history, the current report of each unit-year, cross-year checks.

Loading is idempotent: a file is identified by the sha256 of its bytes and processed once. History is kept: every
submission and every value stays; ``submissions.is_current`` marks the unit-year's newest accepted report, which the
read models (``sql/``) expose. The county roll-up is re-checked after every load: a broken identity stops the run
before anything is published.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from transforms.format import COMPARED, COUNTED, sql_list
from transforms.inbox.archive import Arrival, IncomingFile
from transforms.inbox.reviews import Decision
from transforms.model import Finding, Submission, status_of
from transforms.registry import Registry
from transforms.rules import ACROSS_YEARS_RULES, LATE, cross_year_findings
from transforms.rules.narrative import COMPARED_PARTS
from transforms.warehouse.copies import find_copies, write_copies
from transforms.warehouse.rollup import check_rollup
from transforms.warehouse.schema import AREA_FROM_SUBMISSION, BY_NAME
from transforms.warehouse.shards import BatchReports, Key, Reports
from transforms.warehouse.store import _one, connect

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger("countystats.warehouse")  # shares the pipeline's progress logging
_COUNTED = sql_list(COUNTED)


@dataclass
class LoadResult:
    new_submission_ids: list[int]
    skipped_known: int


def load(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[IncomingFile, Submission]] | Reports,
    registry: Registry,
    settings,
    run_id: str,
    arrivals: list[Arrival] | None = None,
    decisions: list[Decision] | None = None,
    explanations: dict[str, dict[str, str]] | None = None,
) -> LoadResult:
    """Load new submissions into the (staging) warehouse; cross-year and lateness findings are added here, and
    every file's status follows its findings, the units' 说明 and the office's latest decision.

    ``batch``: the run's reports, in memory or as a run's shards (:class:`ShardReports`), taken a chunk at a time:
    what the load holds does not grow with the number of reports.
    ``arrivals``: every arrival the archive's manifest records (replaces the relation; None leaves it).
    ``decisions``: every review decision of the archive's journal (replaces ``reviews``; None leaves it).
    ``explanations``: the units' 说明 written on the portal, sha256 → rule → text (the archive's journal, each
    file's latest per rule: :func:`transforms.inbox.explanations.latest`), over the file's own for the same rule;
    applied to the files loaded now before they are checked across years, and to those loaded before (replaces
    the portal's rows of ``explanations``; None leaves them).
    """
    reports = batch if hasattr(batch, "fetch") else BatchReports(batch)
    _write_units(con, registry)
    if arrivals is not None:
        _write_arrivals(con, arrivals, Path(settings.archive))
    known = {r[0] for r in con.execute("SELECT sha256 FROM submissions").fetchall()}
    heads = reports.heads(COMPARED_PARTS)
    todo: list[tuple[Key, IncomingFile, Submission]] = []
    for key, incoming, head in heads:
        if incoming.sha256 in known:
            continue  # a byte-identical file was loaded before: recorded once, never again
        known.add(incoming.sha256)
        todo.append((key, incoming, head))
    skipped = len(heads) - len(todo)
    del heads

    # oldest year first, so a 2024 report finds the 2023 report of the same batch as its previous year
    todo.sort(key=lambda t: (t[2].report_year or 0, t[1].received_at, t[1].path))
    current = _current_reports(con, {(s.unit_code, y) for _, _, s in todo if s.unit_code and s.report_year
                                     for y in (s.report_year - 1, s.report_year)})
    next_id = _one(con, "SELECT coalesce(max(submission_id), 0) + 1 FROM submissions")[0]
    first_id = next_id
    now = datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None, microsecond=0)

    # 内容雷同 depends on the other reports of the year: found over the warehouse's and the new ones together
    copies = find_copies(con, registry, [(incoming, head) for _, incoming, head in todo], next_id)
    changed = {(s.unit_code, s.report_year) for _, _, s in todo if s.unit_code and s.report_year}

    pending: dict[str, list[tuple]] = {name: [] for name in _LOADED}
    n = 0
    for chunk in reports.fetch([key for key, _, _ in todo], CHUNK):
        # the figures this chunk is compared with: last year's current reports, loaded before or earlier in this
        # load (written by now), fetched once for the chunk; the chunk's own as they come
        _flush(con, pending)
        values = _values(con, {r.submission_id for r in (current.get((s.unit_code, s.report_year - 1))
                                                         for _, s in chunk if s.unit_code and s.report_year)
                               if r is not None})
        for incoming, sub in chunk:
            n += 1
            sid = next_id
            next_id += 1
            from_file = sub.explanations
            if explanations and incoming.sha256 in explanations:  # before its status is used: it may be explained
                sub.explanations = dict(from_file)
                sub.explain(explanations[incoming.sha256])
            for finding, _other, _similarity in copies.found.get(sid, []):
                sub.add(finding)
            got = datetime.fromisoformat(incoming.received_at)
            sub.area_code = _area_of(registry, sub.unit_code, incoming.area)
            is_late = False
            if sub.status in COMPARED and sub.unit_code and sub.report_year:  # every report without errors
                key = (sub.unit_code, sub.report_year)
                previous = current.get((sub.unit_code, sub.report_year - 1))
                if previous is not None:
                    for f in cross_year_findings(sub, values[previous.submission_id], previous.format_version):
                        sub.add(f)
                mine = current.get(key)
                deadline = settings.deadline_for(sub.report_year, sub.unit_type)
                # a backfilled report was published long ago and taken in now: its receipt is no lateness
                late = LATE.check(sub.report_year, got, deadline) if mine is None and not incoming.backfill else None
                if late is not None:  # the first report of the unit-year that can be counted is late
                    sub.add(late)
                    is_late = True
                if sub.status in COUNTED and (mine is None or (got, sid) >= (mine.received_at, mine.submission_id)):
                    current[key] = _Report(sid, got, sub.format_version)
                    values[sid] = _cell_values(sub)
            _add_rows(pending, sid, incoming, sub, got, now, run_id, is_late, from_file)
            if n % max(settings.progress_every, 1) == 0:
                log.info("countystats: 已入库 %d/%d 个文件", n, len(todo))

    _flush(con, pending)
    ids = list(range(first_id, next_id))
    reviewed = _write_reviews(con, decisions) if decisions is not None else set()
    if explanations is not None:  # before N-COPY's findings of earlier reports, which take the 说明 in effect
        reviewed |= _write_portal_explanations(con, explanations, set(ids))
    reviewed |= write_copies(con, copies, _insert, _text)  # the earlier reports whose 内容雷同 changed
    _restatus(con, reviewed)
    _mark_current(con)
    changed |= _unit_years(con, reviewed)  # a decision or a 说明 can change which report of a year is current
    _restatus(con, _recheck_following_years(con, changed, set(ids)))
    _mark_current(con)
    _write_settings(con, settings)
    spread_areas(con)
    check_rollup(con)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('last_run_id', ?), ('last_loaded_at', ?)",
                [run_id, now.isoformat(sep=" ")])
    return LoadResult(ids, skipped)


_LOADED = ("submissions", "findings", "cell_values", "narratives", "explanations")  # the rows a load writes
CHUNK = 200  # reports taken, checked and written together: what a load holds at once


def _add_rows(pending: dict[str, list[tuple]], sid: int, incoming: IncomingFile, sub: Submission, got, now, run_id,
              is_late: bool, from_file: dict[str, str] | None = None) -> None:
    """The rows of a submission loaded now; ``from_file``: the 说明 its file gave (default: all it has), the
    portal's being written by :func:`_write_portal_explanations`."""
    pending["submissions"].append(_submission_row(sid, incoming, sub, got, now, run_id, is_late))
    pending["findings"] += [
        (sid, i, f.rule, f.severity, f.section, f.row, f.column, f.cell, f.message,
         _text(f.expected), _text(f.actual), f.explanation)
        for i, f in enumerate(sub.findings, 1)
    ]
    pending["cell_values"] += [
        (sid, c.section, c.row, c.column, None if c.value is None else float(c.value), c.value is None,
         c.source, _text(c.raw))
        for c in sub.cells.values()
    ]
    pending["narratives"] += [(sid, code, text, where) for code, (text, where) in (sub.narrative or {}).items()]
    pending["explanations"] += [(sid, rule, text, FROM_FILE)
                                for rule, text in (sub.explanations if from_file is None else from_file).items()]


def _flush(con, pending: dict[str, list[tuple]]) -> None:
    for name in _LOADED:
        _insert(con, name, pending[name])
        pending[name].clear()


Values = dict[tuple[str, str, str], float | None]


@dataclass
class _Report:
    submission_id: int
    received_at: datetime
    format_version: str | None


def _cell_values(sub: Submission) -> Values:
    return {k: (None if c.value is None else float(c.value)) for k, c in sub.cells.items()}


def _current_reports(con, keys: set[tuple[str, int]]) -> dict[tuple[str, int], _Report]:
    """The current accepted report of each (unit, year) asked for, from the warehouse (its figures: :func:`_values`)."""
    if not keys:
        return {}
    import pandas as pd

    # a registered frame, not executemany: DuckDB's executemany costs milliseconds per row
    con.register("wanted", pd.DataFrame.from_records(sorted(keys), columns=["unit_code", "report_year"]))
    rows = con.execute(
        """SELECT s.unit_code, s.report_year, s.submission_id, s.received_at, s.format_version
           FROM submissions s JOIN wanted USING (unit_code, report_year) WHERE s.is_current"""
    ).fetchall()
    con.unregister("wanted")
    return {(unit, year): _Report(sid, got, fmt) for unit, year, sid, got, fmt in rows}


def _values(con, sids: set[int]) -> dict[int, Values]:
    """The figures of these submissions, from the warehouse: what a report is compared with across years."""
    out: dict[int, Values] = {sid: {} for sid in sids}
    if sids:
        for sid, section, row, col, value in con.execute(
                f"SELECT submission_id, section, row_code, column_code, value FROM cell_values "
                f"WHERE submission_id IN ({','.join(map(str, sorted(sids)))})").fetchall():
            out[sid][(section, row, col)] = value
    return out


CROSS_YEAR_RULES = tuple(r.id for r in ACROSS_YEARS_RULES)


def _recheck_following_years(con, changed: set[tuple[str, int]], loaded_now: set[int]) -> set[int]:
    """A corrected report for year Y changes what Y+1 is compared with: re-run the cross-year checks of the
    current Y+1 reports loaded in earlier runs, so their X-* warnings never describe a superseded report. Returns
    the submissions whose findings were redone (their status follows them)."""
    following = {(unit, year + 1) for unit, year in changed}
    if not following:
        return set()
    # every Y+1 report that can stand (counted, or held for review: the office reads its warnings too)
    # (the ones loaded now were checked a moment ago, against the right previous year)
    targets = [(sid, unit, year) for sid, unit, year in con.execute(
        f"SELECT submission_id, unit_code, report_year FROM submissions WHERE status IN {sql_list(COMPARED)} "
        "AND unit_code IS NOT NULL AND report_year IS NOT NULL").fetchall()
        if (unit, year) in following and sid not in loaded_now]
    redone = set()
    previous = _current_reports(con, {(unit, year - 1) for _, unit, year in targets})
    values = _values(con, {r.submission_id for r in previous.values()})
    in_effect = explanations_in_effect(con, {sid for sid, _, _ in targets})
    for sid, unit, year in targets:
        sub = _submission_from_warehouse(con, sid)
        before = previous.get((unit, year - 1))
        found = (cross_year_findings(sub, values[before.submission_id], before.format_version)
                 if before else [])
        explained = dict(con.execute(
            "SELECT rule, explanation FROM findings WHERE submission_id = ? AND explanation IS NOT NULL", [sid]
        ).fetchall())
        explained.update(in_effect.get(sid, {}))  # also for a warning the unit explained before it arose
        con.execute(f"DELETE FROM findings WHERE submission_id = ? AND rule IN {sql_list(CROSS_YEAR_RULES)}", [sid])
        start = _one(con, "SELECT coalesce(max(finding_no), 0) FROM findings WHERE submission_id = ?", [sid])[0]
        _insert(con, "findings", [
            (sid, start + i, f.rule, f.severity, f.section, f.row, f.column, f.cell, f.message,
             _text(f.expected), _text(f.actual), explained.get(f.rule) if f.severity != "error" else None)
            for i, f in enumerate(found, 1)
        ])
        redone.add(sid)
    return redone


def _write_reviews(con, decisions: list[Decision]) -> set[int]:
    """The journal's decisions, as the relation ``reviews`` (files the warehouse does not hold are left out);
    returns every submission with a decision, now or before (a decision taken back changes a status too)."""
    before = {sid for (sid,) in con.execute("SELECT DISTINCT submission_id FROM reviews").fetchall()}
    ids = dict(con.execute("SELECT sha256, submission_id FROM submissions").fetchall())
    con.execute("DELETE FROM reviews")
    _insert(con, "reviews", [(ids[d.sha256], d.sha256, d.action, d.reason, d.decided_by,
                              datetime.fromisoformat(d.decided_at)) for d in decisions if d.sha256 in ids])
    return before | {ids[d.sha256] for d in decisions if d.sha256 in ids}


FROM_FILE, FROM_PORTAL = "file", "portal"  # explanations.source


def explanations_in_effect(con, sids: set[int]) -> dict[int, dict[str, str]]:
    """The 说明 in effect for each of ``sids`` by rule: the portal's where the unit wrote one there, else its file's."""
    if not sids:
        return {}
    out: dict[int, dict[str, str]] = {}
    for sid, rule, text in con.execute(
            f"SELECT submission_id, rule, arg_max(text, source = '{FROM_PORTAL}') FROM explanations "
            f"WHERE submission_id IN ({','.join(map(str, sorted(sids)))}) GROUP BY submission_id, rule").fetchall():
        out.setdefault(sid, {})[rule] = text
    return out


def _write_portal_explanations(con, explanations: dict[str, dict[str, str]], loaded_now: set[int]) -> set[int]:
    """The portal's 说明 (sha256 → rule → text), as the rows of ``explanations`` from the portal (files the warehouse
    does not hold are left out), and on the warnings and notices of the reports loaded in earlier runs whose 说明
    changed; returns those reports (their status follows). The reports loaded now had them applied as they loaded."""
    ids = dict(con.execute("SELECT sha256, submission_id FROM submissions").fetchall())
    rows = {(ids[sha], rule, text) for sha, rules in explanations.items() if sha in ids for rule, text in rules.items()}
    before = set(con.execute(
        f"SELECT submission_id, rule, text FROM explanations WHERE source = '{FROM_PORTAL}'").fetchall())
    if rows == before:
        return set()
    con.execute(f"DELETE FROM explanations WHERE source = '{FROM_PORTAL}'")
    _insert(con, "explanations", [(sid, rule, text, FROM_PORTAL) for sid, rule, text in sorted(rows)])
    changed = {(sid, rule) for sid, rule, _ in rows ^ before if sid not in loaded_now}
    if not changed:
        return set()
    in_effect = explanations_in_effect(con, {sid for sid, _ in changed})
    import pandas as pd

    con.register("explained_now", pd.DataFrame.from_records(
        [(sid, rule, in_effect.get(sid, {}).get(rule)) for sid, rule in sorted(changed)],
        columns=["submission_id", "rule", "text"]).astype({"text": "string"}))
    try:  # an error is never explained away: its finding keeps no 说明
        con.execute("""UPDATE findings SET explanation = e.text FROM explained_now e
                       WHERE findings.submission_id = e.submission_id AND findings.rule = e.rule
                         AND findings.severity <> 'error'""").fetchall()
    finally:
        con.unregister("explained_now")
    return {sid for sid, _ in changed}


def _unit_years(con, sids: set[int]) -> set[tuple[str, int]]:
    if not sids:
        return set()
    return set(con.execute(
        f"SELECT unit_code, report_year FROM submissions WHERE submission_id IN ({','.join(map(str, sids))}) "
        "AND unit_code IS NOT NULL AND report_year IS NOT NULL").fetchall())


def _restatus(con, sids: set[int]) -> None:
    """Status and counts of ``sids`` from their findings and the office's latest decision (``status_of``: the one
    definition of a status, here as for a file on its own)."""
    if not sids:
        return
    listed = ",".join(map(str, sorted(sids)))
    findings: dict[int, list[Finding]] = {sid: [] for sid in sids}
    for sid, severity, explanation in con.execute(
            f"SELECT submission_id, severity, explanation FROM findings WHERE submission_id IN ({listed})").fetchall():
        findings[sid].append(Finding("", severity, "", explanation=explanation))
    decided = dict(con.execute(
        f"""SELECT submission_id, arg_max(action, (decided_at, rowid)) FROM reviews
            WHERE submission_id IN ({listed}) GROUP BY submission_id""").fetchall())
    unreadable = {sid for (sid,) in con.execute(
        f"SELECT submission_id FROM submissions WHERE submission_id IN ({listed}) AND status = 'unreadable'"
    ).fetchall()}
    for sid, found in findings.items():
        severities = [f.severity for f in found]
        con.execute("UPDATE submissions SET status = ?, error_count = ?, warning_count = ?, notice_count = ? "
                    "WHERE submission_id = ?",
                    [status_of(found, sid in unreadable, decided.get(sid)), severities.count("error"),
                     severities.count("warning"), severities.count("notice"), sid])


def _submission_from_warehouse(con, sid: int) -> Submission:
    return stored_submission(con, sid, findings=False)


def stored_submission(con, sid: int, findings: bool = True) -> Submission:
    """A loaded submission as the reader made it: its cells (with source and raw text) and its findings."""
    from transforms.model import Cell

    head = _one(con, "SELECT source_file, sha256, unit_code, unit_name, unit_type, report_year, format_version, "
                     "status = 'unreadable', source_kind FROM submissions WHERE submission_id = ?", [sid])
    if head is None:
        raise KeyError(sid)
    sub = Submission(*head[:7], unreadable=head[7], source_kind=head[8])
    parts = con.execute("SELECT section, text, source FROM narratives WHERE submission_id = ?", [sid]).fetchall()
    if parts or sub.source_kind not in (None, "workbook"):
        sub.narrative = {code: (text, where) for code, text, where in parts}
    for section, row, col, value, source, raw in con.execute(
        "SELECT section, row_code, column_code, value, source_cell, raw FROM cell_values WHERE submission_id = ?",
        [sid]
    ).fetchall():
        value = int(value) if value is not None and float(value).is_integer() else value
        sub.cells[(section, row, col)] = Cell(section, row, col, value, source, raw)
    if findings:
        sub.findings = [Finding(*row) for row in con.execute(
            "SELECT rule, severity, message, section, row_code, column_code, cell, expected, actual, explanation "
            "FROM findings WHERE submission_id = ? ORDER BY finding_no", [sid]).fetchall()]
    return sub


def _submission_row(sid, incoming: IncomingFile, sub: Submission, got, now, run_id, is_late):
    severities = [f.severity for f in sub.findings]
    return (
        sid, sub.unit_code, sub.unit_name, sub.unit_type, sub.area_code, sub.report_year, sub.format_version,
        incoming.path, sub.source_kind, incoming.archive_path, incoming.sha256, got, now, run_id, sub.status, False,
        is_late, severities.count("error"), severities.count("warning"), severities.count("notice"),
        incoming.backfill,
    )


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _insert(con, table: str, rows: list[tuple]) -> None:
    if not rows:
        return
    import pandas as pd

    # a file's area is its submission's, spread after the rows are in (spread_areas)
    names = [c.name for c in BY_NAME[table].columns if not (c.name == "area_code" and table in AREA_FROM_SUBMISSION)]
    # registered explicitly: a replacement scan by variable name would silently prefer a table of that name
    con.register("incoming_rows", pd.DataFrame.from_records(rows, columns=names))
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM incoming_rows").fetchall()
    finally:
        con.unregister("incoming_rows")


def _write_arrivals(con, arrivals: list[Arrival], archive: Path) -> None:
    con.execute("DELETE FROM arrivals")
    _insert(con, "arrivals", [
        (a.sha256, a.path, a.path_b64, datetime.fromisoformat(a.received_at), str(archive / a.archived))
        for a in sorted(arrivals, key=lambda a: (a.received_at, a.path, a.sha256))
    ])


def _write_units(con, registry: Registry) -> None:
    """The registry as it is now: its units, its areas (one implicit county '' for a one-county registry), and each
    submission's area following its unit's (a unit moved to another county moves its reports)."""
    con.execute("DELETE FROM units")
    _insert(con, "units", [(u.unit_code, u.unit_name, u.unit_type, u.area_code, "|".join(u.aliases), u.active_from,
                            u.active_to) for u in registry.units])
    con.execute("DELETE FROM areas")
    _insert(con, "areas", area_rows(registry))
    con.execute("""UPDATE submissions SET area_code = u.area_code FROM units u
                   WHERE submissions.unit_code = u.unit_code AND submissions.area_code IS DISTINCT FROM u.area_code""")


def spread_areas(con) -> None:
    """Every relation about a file carries its submission's area (schema.AREA_FROM_SUBMISSION): the rows just
    written, and any whose unit the registry moved to another county."""
    for table, key in AREA_FROM_SUBMISSION.items():
        con.execute(f"UPDATE {table} SET area_code = s.area_code FROM submissions s "
                    f"WHERE {table}.{key} = s.{key} AND {table}.area_code IS DISTINCT FROM s.area_code")


IMPLICIT_AREA = ""  # the one county of a registry without areas.csv (units.area_code blank)


def area_rows(registry: Registry) -> list[tuple]:
    """The rows of ``areas``: (code, name, type, parent, depth, path from the root down to the area). A registry
    without areas (one county) has one implicit county, code and name ''."""
    if not registry.areas:
        return [(IMPLICIT_AREA, "", "county", None, 0, [IMPLICIT_AREA])]
    rows = []
    for a in registry.areas:
        path = [b.area_code for b in reversed(registry.ancestors(a.area_code))] + [a.area_code]
        rows.append((a.area_code, a.area_name, a.area_type, a.parent_code, len(path) - 1, path))
    return rows


def _area_of(registry: Registry, unit_code: str | None, folder: str | None) -> str | None:
    """A submission's area: its unit's; for a file whose unit is not identified, the area of the inbox folder it came
    in (``inbox/<area_code>/…``), else none known (NULL) — in a one-county registry, the one county."""
    unit = registry.by_code.get(unit_code) if unit_code else None
    if unit is not None:
        return unit.area_code
    if not registry.areas:
        return IMPLICIT_AREA
    return folder if folder in registry.area_by_code else None


def _mark_current(con) -> None:
    # X-DUP: the newest accepted report per unit-year is current; rejected files never are, so a rejected
    # resubmission cannot displace an accepted report. Recomputed from scratch: the rule, not the history of runs.
    con.execute(
        f"""UPDATE submissions SET is_current = submission_id IN (
               SELECT arg_max(submission_id, (received_at, submission_id)) FROM submissions
               WHERE status IN {_COUNTED} AND unit_code IS NOT NULL
                 AND report_year IS NOT NULL
               GROUP BY unit_code, report_year)"""
    )


def _write_settings(con, settings) -> None:
    """What the completeness view needs of the settings: the deadlines (MM-DD of the year after the report year),
    the year being collected (0: none), and the county's date (a deadline not yet passed makes no one late)."""
    con.execute("INSERT OR REPLACE INTO meta VALUES ('deadline', ?), ('county_deadline', ?), ('collecting_year', ?), "
                "('as_of', ?)", [settings.deadline, settings.county_deadline, str(settings.collecting_year),
                                 settings.today_date().isoformat()])




def previous_report(db: Path, unit_code: str, report_year: int) -> tuple[Values, str | None] | None:
    """The figures and format of the unit's current report of the year before, in the published warehouse opened
    read-only (the portal's cross-year checks); None where there is none."""
    con = connect(db, read_only=True)
    try:
        report = _current_reports(con, {(unit_code, report_year - 1)}).get((unit_code, report_year - 1))
        return None if report is None else (_values(con, {report.submission_id})[report.submission_id],
                                            report.format_version)
    finally:
        con.close()
