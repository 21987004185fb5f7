"""N-COPY (内容雷同) when reports are loaded: parts 五 and 六 against every other unit's latest report of the year and
the unit's own latest report of the year before.

A finding depends on the other reports, so it is recomputed for every report of the years a load touches (the years
of the new reports, and the years after them, whose "year before" changed): the reports loaded earlier get or lose
their finding when their partner arrives or is replaced. The result depends only on what the warehouse holds, so a
rebuild from the archive gives the same findings as the nights that built it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from transforms.inbox.archive import IncomingFile
from transforms.model import Finding, Submission
from transforms.registry import Registry
from transforms.rules.narrative import COMPARED_PARTS, COPIED_SECTION, NarrativeReport

RULE = COPIED_SECTION.id


@dataclass
class Copies:
    """N-COPY findings of a load: by submission id, each finding with the report it names and the similarity."""

    found: dict[int, list[tuple[Finding, int, float]]]
    scope: set[int]  # the warehouse's submissions whose findings were recomputed (the new ones apart)


def find_copies(con, registry: Registry, todo: Sequence[tuple[IncomingFile, Submission]], first_id: int) -> Copies:
    """N-COPY for the new reports (``todo``, to be given ids from ``first_id`` in order) and for the warehouse's
    reports of the years they touch, over the warehouse's narratives and the new ones together."""
    years = {s.report_year for _, s in todo if s.report_year and s.unit_code and not s.unreadable}
    if not years:
        return Copies({}, set())
    scope_years = years | {y + 1 for y in years}
    wanted = scope_years | {y - 1 for y in scope_years}
    listed = ",".join(str(int(y)) for y in sorted(wanted))
    # every readable report of those years: the latest of a unit-year may be one without a narrative (a workbook)
    heads = con.execute(
        f"""SELECT submission_id, unit_code, report_year, source_file, received_at FROM submissions
            WHERE report_year IN ({listed}) AND unit_code IS NOT NULL AND status <> 'unreadable'"""
    ).fetchall()
    texts: dict[int, dict[str, str]] = {}
    if heads:
        for sid, section, text in con.execute(
            f"""SELECT n.submission_id, n.section, n.text FROM narratives n JOIN submissions s USING (submission_id)
                WHERE s.report_year IN ({listed}) AND s.unit_code IS NOT NULL
                  AND n.section IN ('problems', 'other')"""
        ).fetchall():
            texts.setdefault(sid, {})[section] = text
    entries = [(sid, unit, year, file, got, texts.get(sid, {})) for sid, unit, year, file, got in heads]
    new_ids = set()
    for n, (incoming, sub) in enumerate(todo):
        if sub.report_year and sub.unit_code and not sub.unreadable:
            sid = first_id + n
            new_ids.add(sid)
            parts = {p: t for p, (t, _) in (sub.narrative or {}).items() if p in COMPARED_PARTS}
            entries.append((sid, sub.unit_code, sub.report_year, incoming.path,
                            datetime.fromisoformat(incoming.received_at), parts))
    latest: dict[tuple[str, int], tuple[datetime, int]] = {}
    for sid, unit, year, _, got, _ in entries:
        key = (unit, year)
        if key not in latest or (got, sid) > latest[key]:
            latest[key] = (got, sid)
    reports = []
    for sid, unit, year, file, _got, parts in entries:
        known = registry.by_code.get(unit)
        reports.append(NarrativeReport(
            sid, unit, known.unit_name if known else unit, year, file, parts,
            latest=latest[(unit, year)][1] == sid, names=known.names if known else ()))
    found = COPIED_SECTION.check(reports, scope_years)
    scope = {sid for sid, _, year, _, _ in heads if year in scope_years}
    return Copies(found, scope)


def write_copies(con, copies: Copies, insert, text) -> set[int]:
    """Write the pairs of every N-COPY finding (``narrative_copies``) and replace the findings of the warehouse's
    reports in scope where they changed, each with the unit's 说明 of N-COPY if it gave one (in its file or on the
    portal, the portal's where both). Returns the submissions whose findings changed (their status follows).
    ``insert``/``text``: the loader's row writer and text form."""
    new_rows = [(sid, f.section, other, round(sim, 4)) for sid, items in copies.found.items() for f, other, sim in items]
    if copies.scope:
        listed = ",".join(map(str, sorted(copies.scope)))
        con.execute(f"DELETE FROM narrative_copies WHERE submission_id IN ({listed})").fetchall()
    insert(con, "narrative_copies", new_rows)
    if not copies.scope:
        return set()
    listed = ",".join(map(str, sorted(copies.scope)))
    before: dict[int, list[tuple[str, str]]] = {}
    for sid, section, message in con.execute(
            f"SELECT submission_id, section, message FROM findings WHERE rule = ? AND submission_id IN ({listed}) "
            "ORDER BY submission_id, finding_no", [RULE]).fetchall():
        before.setdefault(sid, []).append((section, message))
    explained = dict(con.execute(  # the 说明 in effect: the portal's over the file's
        f"SELECT submission_id, arg_max(text, source = 'portal') FROM explanations WHERE rule = ? "
        f"AND submission_id IN ({listed}) GROUP BY submission_id", [RULE]).fetchall())
    changed = sorted(sid for sid in copies.scope
                     if [(f.section, f.message) for f, _, _ in copies.found.get(sid, [])] != before.get(sid, []))
    if not changed:
        return set()
    listed = ",".join(map(str, changed))
    con.execute(f"DELETE FROM findings WHERE rule = ? AND submission_id IN ({listed})", [RULE]).fetchall()
    last = dict(con.execute(f"SELECT submission_id, max(finding_no) FROM findings WHERE submission_id IN ({listed}) "
                            "GROUP BY submission_id").fetchall())
    insert(con, "findings", [
        (sid, last.get(sid, 0) + i, f.rule, f.severity, f.section, f.row, f.column, f.cell, f.message,
         text(f.expected), text(f.actual), explained.get(sid))
        for sid in changed for i, (f, _, _) in enumerate(copies.found.get(sid, []), 1)
    ])
    return set(changed)
