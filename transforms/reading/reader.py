"""Reading one submitted workbook into canonical cells: ``read_submission(path, registry) -> Submission``.

Steps: guard the bytes (reading_guard) → sheets as grids (reading_grid) → find the tables by their labels under each
format's lookup (reading_tables, reading_labels) → decide the format from what was found → turn value cells into
numbers (reading_numbers) → year and unit → findings for the R-* rules. Broken or hostile files never raise: they
come back as ``Submission(unreadable=True)`` with one R-FORMAT finding saying why, in Chinese.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from transforms.format import (
    EXPLANATION_LINE,
    EXPLANATIONS_SHEET,
    FILER,
    FIRST_REPORT_YEAR,
    FORMATS,
    MAX_VALUE,
    REPORT_TITLE,
    RULE_ID,
    SECTIONS,
    Measure,
    ReportFormat,
    Section,
    for_year,
    ordered,
)
from transforms.isolation import Failure, Limits, WorkerPool
from transforms.model import Cell, Submission
from transforms.reading.forms import FORM_OF, Document, read_document, sniff_opened
from transforms.reading.grid import Grid, a1
from transforms.reading.guard import MAX_FILE_BYTES, Inspection, Rejected
from transforms.reading.labels import INDEXES, loose
from transforms.reading.narrative import narrative_of
from transforms.reading.numbers import parse
from transforms.reading.tables import Located, SheetScan, locate
from transforms.registry import Area, Registry, Unit
from transforms.rules import RULES
from transforms.rules.reading import READING_RULES

log = logging.getLogger(__name__)
R_FORMAT, R_YEAR, R_UNIT, R_LABELS, R_NUMBER, R_BLANK, R_FORMULA = READING_RULES  # what the reader says

MAX_LISTED = 20  # cells named in one summary finding; the rest are counted
# 说明：N-TEXT：… (the id also typed in full-width letters; the reason kept as written)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# a year in a cell of its own, possibly after a short field name: "2024年度", "报告年度：2024年"
_YEAR_CELL = re.compile(r"^(?:\D{1,6}[:：](?=(?:19|20)\d{2}(?:年度?)?$)|(?=(?:19|20)\d{2}年度?$))((?:19|20)\d{2})")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")
_CN_YEAR = re.compile(r"[〇零○一二三四五六七八九]{4}年")


# ---------------------------------------------------------------- public API


def read_submission(
    path: str | Path, registry: Registry, year: int | None = None, unit_name: str | None = None,
    name: str | Path | None = None, sha256: str | None = None, today: date | None = None, area: str | None = None,
    area_came: str | None = None,
) -> Submission:
    """Read one workbook (.xlsx/.xlsm/.xls) into a Submission with R-* findings. Never raises for a bad file.

    ``name``: the path the file arrived as, when ``path`` is a copy (the archive's, named by sha256); the file name
    can carry the unit and the year, and findings name the file the clerk sent. ``sha256``: what the copy's bytes
    must hash to; other bytes (damaged storage) are not read. ``today``: the county's date (a report year after
    it is an error); default the machine's. ``area``: the area the file came from (its inbox folder, the portal
    code that sent it), ``area_came`` saying which, for the clerk: the unit is looked for there.

    This runs in the calling process, unprotected from a reader library that aborts or stalls: the nightly run,
    ``check`` and the portal call it through :func:`read_isolated`.
    """
    path = Path(path)
    shown = Path(name) if name is not None else path
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:  # refused before a byte is read into memory
                sub = Submission(file=str(shown), sha256=sha256 or "")
                return _unreadable(sub, f"文件过大（{size / 1024 / 1024:.0f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），"
                                   "不像一份年度报告表")
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        sub = Submission(file=str(shown), sha256=sha256 or "")
        return _unreadable(sub, f"无法打开文件（{exc.strerror or exc}）")
    sub = Submission(file=str(shown), sha256=hashlib.sha256(data).hexdigest())
    if sha256 is not None and sub.sha256 != sha256:
        return _unreadable(sub, "归档副本与收到的文件不一致（存储可能已损坏），请重新报送该文件",
                           detail=f"sha256 {sub.sha256} != {sha256}")
    try:
        _Reader(sub, shown, data, registry, year, unit_name, today or date.today(), area, area_came).run()
    except Rejected as rej:
        return _unreadable(sub, rej.reason)
    except MemoryError:
        return _unreadable(sub, "读取所需内存超过上限，文件内部数据异常")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine panics (pyo3 PanicException) derive from BaseException
        # a reader library choking on a damaged file must not stop a nightly run
        log.debug("unreadable %s: %r", shown, exc)
        kind = type(exc).__name__
        reason = "文件设置了密码" if "Password" in kind else _DAMAGED.get(sub.source_kind, _DAMAGED["workbook"])
        return _unreadable(sub, reason, detail=f"{kind}: {exc}"[:300])
    return sub


_DAMAGED = {  # a reader library choked on the file: what the clerk does about it, by the form it seemed to be
    "workbook": "文件已损坏或不是有效的 Excel 工作簿，请用 Excel/WPS 重新另存为 .xlsx",
    "word": "Word 文档已损坏或内部数据异常，请用 Word/WPS 重新另存为 .docx 后报送",
    "pdf": "PDF 文件已损坏或内部数据异常，请从 Word/WPS 重新导出 PDF 后报送",
    "html": "网页文件无法解析，请报送原始的 Word/Excel 文件",
}


# ---------------------------------------------------------------- isolated: what the run, check and the portal call


@dataclass(frozen=True)
class ReadTask:
    """One file to read in an isolated worker (small: it is pickled to the child)."""

    path: str  # the bytes to read (the archive's copy, or the clerk's file for `check`)
    name: str  # the name the file arrived as (shown in findings; may name the unit and year)
    sha256: str | None = None
    year: int | None = None
    unit_name: str | None = None
    today: date | None = None
    area: str | None = None  # the area code of the inbox folder the file arrived in (inbox/<area_code>/…)
    area_came: str | None = None  # how the area is known, for the clerk (收件箱文件夹“130534”)


_REGISTRIES: dict[tuple[str, float], Registry] = {}  # per worker process: the registry is loaded once


def _read_task(units: str, task: ReadTask) -> Submission:
    """The worker's side of :func:`read_isolated`."""
    key = (units, os.stat(units).st_mtime)
    registry = _REGISTRIES.get(key)
    if registry is None:
        registry = _REGISTRIES[key] = Registry.load(units)
    return read_submission(Path(task.path), registry, year=task.year, unit_name=task.unit_name, name=task.name,
                           sha256=task.sha256, today=task.today, area=task.area, area_came=task.area_came)


def reader_pool(workers: int, limits: Limits | None = None) -> WorkerPool:
    """Isolated reader processes, for :func:`read_isolated` to use across calls (the portal's, a run's shards)."""
    return WorkerPool("transforms.reading.reader:_read_task", workers=workers, limits=limits)


def read_isolated(tasks: list[ReadTask], units: str | Path, workers: int = 1, limits: Limits | None = None,
                  pool: WorkerPool | None = None, on_done=None) -> list[Submission]:
    """Read every file in worker processes with a memory cap and a time limit, in order.

    A file that crashes, exhausts or stalls its worker comes back ``unreadable`` with an R-FORMAT finding saying
    which; the other files are read as if it were not there. ``pool``: a pool kept by the caller (the portal keeps
    its workers warm); otherwise one is started for this call. ``on_done(n)``: called as the n-th file finishes.
    """
    if not tasks:
        return []
    own = pool is None
    if own:
        pool = reader_pool(min(workers, len(tasks)), limits)
    results: list = [None] * len(tasks)
    try:
        for n, (index, result) in enumerate(pool.imap_unordered([(str(units), task) for task in tasks]), 1):
            results[index] = result
            if on_done is not None:
                on_done(n)
    finally:
        if own:
            pool.close()
    out = []
    for task, result in zip(tasks, results, strict=True):
        if isinstance(result, Failure):
            log.warning("countystats: 文件 %s 读取失败（%s）：%s", task.name, result.kind, result.detail)
            sub = Submission(file=task.name, sha256=task.sha256 or "")
            result = _unreadable(sub, result.reason_zh(pool.limits), detail=result.detail or result.kind)
        out.append(result)
    return out


def _unreadable(sub: Submission, reason: str, detail: str | None = None) -> Submission:
    sub.cells.clear()
    sub.findings.clear()
    sub.unreadable = True
    sub.format_version = None
    sub.add(R_FORMAT.finding("unreadable", actual=detail, file=Path(sub.file).name, reason=reason))
    return sub


# ---------------------------------------------------------------- the reader


@dataclass
class _Chosen:
    """The located tables under the decided format, and how a table differs from the format where the unit mixed
    two formats (R-FORMAT mixed signals, both seen in real reports):

    ``undivided``: rows the format derives from children, printed as one row with its own figures (2021 tables with
    2019's single （六）其他处理 row); ``divided``: section → the format whose table the unit printed instead, one
    that divides a row this format prints (2019 tables with 2021's three （六） rows: their sum is the row).
    """

    fmt: ReportFormat
    tables: dict[str, Located | None]
    undivided: set[tuple[str, str]] = field(default_factory=set)
    divided: dict[str, ReportFormat] = field(default_factory=dict)


class _Reader:
    def __init__(self, sub: Submission, path: Path, data: bytes, registry: Registry, year, unit_name, today: date,
                 area: str | None = None, area_came: str | None = None):
        self.sub, self.path, self.data, self.registry = sub, path, data, registry
        self.year_arg, self.unit_arg, self.today = year, unit_name, today
        self.area_arg, self.area_came = area, area_came

    def run(self) -> None:
        kind, opened = sniff_opened(self.data)
        self.sub.source_kind = FORM_OF[kind]  # before reading: a damaged file's finding names the form it is
        doc = read_document(self.data, kind, opened)
        self.inspection = doc.inspection
        grids = doc.as_grids()
        explanation_key = loose(EXPLANATIONS_SHEET)
        for g in grids:
            if loose(g.name) == explanation_key:
                self._explanations(g)
        tables = [g for g in grids if loose(g.name) != explanation_key]
        for name, why in sorted(doc.skipped.items()):
            if doc.kind == "workbook":
                self._add(R_FORMAT, "sheet_too_large", sheet=name, why=why)
            else:
                self._add(R_FORMAT, "part_skipped", part=name, why=why)
        if doc.converted_from:
            self._add(R_FORMAT, "converted", old=doc.converted_from, new=f"{doc.converted_from}x")
        for g in tables:
            if g.truncated:
                self._add(R_FORMAT, "sheet_truncated", sheet=g.name)
        if doc.kind != "workbook":
            parts = narrative_of(doc.blocks)
            self.sub.narrative = {code: (n.text, n.where) for code, n in parts.items()}
            self._explanation_lines(doc.blocks)
        scans = [SheetScan(g) for g in tables]
        head = _document_head(doc) + _head_texts(tables)
        year = self._year(head)
        chosen = self._decide_format(_Located(scans, year), year)
        self._unit(head)
        if chosen is not None:
            self._cells(chosen, doc.inspection)
            meant = for_year(year) if year is not None else None
            if meant is not None and chosen.fmt.meant_for_years[0] < meant.meant_for_years[0]:
                self._add(R_YEAR, "old_format", expected=meant.version, actual=chosen.fmt.version, year=year,
                          version=chosen.fmt.version, notice=chosen.fmt.notice, since=meant.meant_for_years[0],
                          new_notice=meant.notice)

    def _add(self, rule, kind: str, **kw) -> None:
        """Add one of ``rule``'s messages: ``kw`` are the finding's fields and the message's parameters."""
        self.sub.add(rule.finding(kind, **kw))

    # ------------------------------------------------------------ 说明 sheet
    def _explanation_lines(self, blocks) -> None:
        """A document's 说明: a line that begins with a rule's id (N-TEXT：正文所写为本级受理数 …), wherever the unit
        put it — a table titled 说明 is read like the sheet."""
        for block in blocks:
            for line in block.text.splitlines():
                m = EXPLANATION_LINE.match(line)
                rule_id = unicodedata.normalize("NFKC", m.group(1)) if m else None
                if rule_id in RULES:
                    self.sub.explanations[rule_id] = m.group(2).strip()

    def _explanations(self, grid: Grid) -> None:
        for row in grid.cells:
            texts = [str(v).strip() for v in row if v not in (None, "") and str(v).strip()]
            if len(texts) >= 2:
                rule_id = unicodedata.normalize("NFKC", texts[0]).upper()
                if rule_id in RULES or RULE_ID.fullmatch(rule_id):
                    self.sub.explanations[rule_id] = "；".join(texts[1:])

    # ------------------------------------------------------------ format
    def _decide_format(self, found: _Located, year: int | None) -> _Chosen | None:
        """The format whose labels the tables match best, table by table (表二 first: the formats differ most
        there); a tie the data cannot break goes to the format meant for the report year. Then where the unit's
        table mixes in another format's (a derived row undivided, or divided where this format prints it)."""
        candidates = ordered()
        if not any(found.section(f, code) for f in candidates for code in SECTIONS):
            self._add(R_FORMAT, "no_tables")
            return None
        decided = False
        for code in SECTIONS:
            fits = {f.version: found.fit(f, code) for f in candidates}
            best = max(fits.values())
            if best[0]:
                narrowed = [f for f in candidates if fits[f.version] == best]
                decided |= len(narrowed) < len(candidates)
                candidates = narrowed
        fmt = candidates[-1]
        if len(candidates) > 1:
            meant = for_year(year) if year is not None else None
            fmt = meant if meant in candidates else fmt
        if not decided:
            self._add(R_FORMAT, "unknown_format", version=fmt.version)
        chosen = _Chosen(fmt, {s.code: found.best(fmt, s.code) for s in fmt.sections})
        for section in fmt.sections:
            best_loc = chosen.tables[section.code]
            copies = [loc for loc in found.section(fmt, section.code)[1:]
                      if best_loc and loc.score * 2 >= best_loc.score]
            if copies:  # e.g. last year's report kept in another sheet: say which one was read
                self._add(R_LABELS, "copies", section=section.code, short=section.short, place=best_loc.grid.place,
                          others="、".join(loc.grid.place for loc in copies))
        self._mixed(chosen, found)
        return chosen

    def _mixed(self, chosen: _Chosen, found: _Located) -> None:
        """R-FORMAT mixed signals: where a table of the unit's is laid out as another format's, read what is there."""
        fmt = chosen.fmt
        first = fmt.sections[0].short
        for section in fmt.sections:
            loc = chosen.tables[section.code]
            for row_code in section.derived_rows:  # printed as one row, its children absent
                kids = section.children(row_code)
                if loc and row_code in loc.rows and not any(k in loc.rows for k in kids):
                    chosen.undivided.add((section.code, row_code))
                    other = next((f for f in ordered(newest_first=True) if f.has(section.code, row_code)
                                  and not f.section(section.code).row_by_code[row_code].derived), fmt)
                    tables = "、".join(s.short for s in fmt.sections if s.code != section.code)
                    self._add(R_FORMAT, "undivided", expected=fmt.version, actual=f"{fmt.version}/{other.version}",
                              tables=tables, version=fmt.version, short=section.short,
                              label=section.row_by_code[row_code].label.text, n=len(kids), other=other.version)
            for other in ordered(newest_first=True):  # a row this format prints, divided as another format does
                if other is fmt or not other.has(section.code):
                    continue
                theirs = other.section(section.code)
                rows = [r for r in theirs.derived_rows
                        if r in section.row_by_code and not section.row_by_code[r].derived]
                other_loc = found.best(other, section.code) if rows else None
                if other_loc and any(k in other_loc.rows for r in rows for k in theirs.children(r)):
                    chosen.divided[section.code] = other
                    chosen.tables[section.code] = other_loc
                    self._add(R_FORMAT, "divided", expected=fmt.version, actual=f"{fmt.version}/{other.version}",
                              tables=first, version=fmt.version, short=section.short,
                              label=theirs.row_by_code[rows[0]].label.text, other=other.version)
                    break

    # ------------------------------------------------------------ cells
    def _cells(self, chosen: _Chosen, insp: Inspection | None) -> None:
        sub = self.sub
        fmt = chosen.fmt
        sub.format_version = fmt.version
        blanks: list[tuple[Section, str, str]] = []  # (section, cell, description)
        notes: dict[str, list] = {}  # one R-NUMBER warning per kind of normalisation, listing the cells
        for section in fmt.sections:
            loc = chosen.tables.get(section.code)
            if loc is None or not loc.values:
                self._add(R_LABELS, "missing_table", section=section.code, short=section.short,
                          title=section.title.text)
                continue
            self._label_findings(section, loc, chosen)
            section_blanks = []
            any_value = False
            grid, values, cells = loc.grid, loc.values, sub.cells
            formulas = insp.formula_cells.get(grid.name, ()) if insp is not None else ()
            errors = insp.error_cells.get(grid.name, {}) if insp is not None else {}
            undivided = {r for s, r in chosen.undivided if s == section.code}
            not_printed = {k for r in undivided for k in section.children(r)}  # their parent carries the figure
            divided = chosen.divided.get(section.code)
            summed = _divided_rows(section, divided) if divided else ()
            rows_of_grid, origin, sheet_name, refs = grid.cells, grid.origin, grid.name, grid.refs
            mixed = bool(undivided or not_printed or summed)  # the other format's rows in this table
            code = section.code
            for key, row_col, derived, measure, described in _plan(fmt.version, code):
                _, row_code, col = key
                if mixed:
                    if derived and row_code not in undivided:
                        continue  # computed below from its children
                    if row_code in not_printed:
                        cells[key] = Cell(code, row_code, col, None)
                        continue
                    if row_code in summed and row_code not in loc.rows:
                        continue  # computed below from the rows it is divided into
                elif derived:
                    continue  # computed below from its children
                pos = values.get(row_col)
                if pos is None:
                    cells[key] = Cell(code, row_code, col, None)
                    continue
                # grid.address(*pos) and grid.get(*pos), inlined: this runs for every figure of every report
                top_left = origin.get(pos, pos)
                source = _sheet_address(sheet_name, *top_left) if refs is None else grid.address(*pos)
                if formulas or errors:
                    ref = a1(*top_left)
                    if ref in formulas or ref in errors:
                        where = dict(section=section.code, row=row_code, column=col, cell=source, where=described,
                                     src=source)
                        if ref in formulas:
                            cells[key] = Cell(section.code, row_code, col, None, source, raw="=")
                            self._add(R_FORMULA, "uncached", **where)
                            continue
                        # a formula that failed (#DIV/0!): calamine shows it blank, but it is no figure
                        cells[key] = Cell(section.code, row_code, col, None, source, raw=errors[ref])
                        self._add(R_NUMBER, "error_value", actual=errors[ref], value=errors[ref], **where)
                        any_value = True
                        continue
                r, c = pos
                line = rows_of_grid[r] if 0 <= r < len(rows_of_grid) else ()
                value = line[c] if 0 <= c < len(line) else None
                if value.__class__ is float and value.is_integer() and 0 <= value <= MAX_VALUE:
                    cells[key] = Cell(code, row_code, col, int(value), source)  # parse's common case, inlined
                    any_value = True
                    continue
                parsed = parse(value, measure)
                cells[key] = Cell(code, row_code, col, parsed.value, source, parsed.raw)
                if parsed.error:
                    self._add(R_NUMBER, "not_a_number", actual=str(parsed.raw), reason=parsed.error, section=section.code,
                              row=row_code, column=col, cell=source, where=described, src=source)
                    any_value = True
                elif parsed.value is None:
                    section_blanks.append((section, source, described))
                else:
                    any_value = True
                    if parsed.note:
                        notes.setdefault(parsed.note, []).append((section, row_code, col, source, parsed, described))
            if not any_value and section_blanks:
                self._add(R_BLANK, "table_blank", section=section.code, short=section.short, title=section.title.text)
            else:
                blanks.extend(section_blanks)
            self._derive(section, chosen)
        for note, where in notes.items():
            section, row_code, col, source, parsed, _described = where[0]
            listed = "、".join(
                f"{d}（{src}）“{str(p.raw).strip()}”→{p.value}" for _s, _r, _c, src, p, d in where[:MAX_LISTED]
            )
            self._add(R_NUMBER, "normalised", section=section.code, row=row_code, column=col, cell=source,
                      expected=parsed.value, actual=str(parsed.raw), note=note, listed=listed, more=_more(where))
        if blanks:
            listed = "、".join(f"{d}（{src}）" for _s, src, d in blanks[:MAX_LISTED])
            self._add(R_BLANK, "blanks", cell=blanks[0][1], section=blanks[0][0].code, actual=len(blanks),
                      listed=listed, more=_more(blanks))

    def _derive(self, section: Section, chosen: _Chosen) -> None:
        """A derived row (2021 （六）其他处理) = its children (source None); likewise a row the unit printed divided
        as another format does (2019 tables with 2021's three rows: summed from where they are)."""
        loc = chosen.tables.get(section.code)
        divided = chosen.divided.get(section.code)
        derived = {r: (section.children(r), False) for r in section.derived_rows
                   if (section.code, r) not in chosen.undivided}
        if divided is not None and loc is not None:
            theirs = divided.section(section.code)
            derived.update({r: (theirs.children(r), True) for r in _divided_rows(section, divided)
                            if r not in loc.rows})
        for row_code, (kids, from_table) in derived.items():
            for m in section.measures_of(row_code):
                if from_table:
                    vals = [_value_at(loc, k, m.code) for k in kids]
                else:
                    vals = [self.sub.value(section.code, k, m.code) for k in kids]
                value = None if all(v is None for v in vals) else sum(v for v in vals if v is not None)
                self.sub.cells[(section.code, row_code, m.code)] = Cell(section.code, row_code, m.code, value)

    def _label_findings(self, section: Section, loc: Located, chosen: _Chosen) -> None:
        grid = loc.grid
        divided = chosen.divided.get(section.code)
        shown = divided.section(section.code) if divided else section  # the table as the unit printed it
        for lab in loc.rows.values():
            if lab.fuzzy is not None:
                row = shown.row_by_code[lab.row]
                src = grid.address(lab.r, lab.label_end)
                self._add(R_LABELS, "row_label_differs", section=section.code, row=lab.row, cell=src,
                          expected=row.title, actual=lab.text.strip(), short=section.short, text=lab.text.strip(),
                          src=src, title=row.title)
        for row_code, col, text, c, _ratio in loc.fuzzy_columns:
            m = shown.measure(row_code, col)
            lab = loc.rows[row_code]
            src = grid.address(lab.r, c)
            self._add(R_LABELS, "column_label_differs", section=section.code, row=row_code, column=col, cell=src,
                      expected=m.label.text, actual=text.strip(), short=section.short, text=text.strip(),
                      label=m.label.text)
        for r, text in loc.unknown_rows:
            self._add(R_LABELS, "unknown_row", section=section.code, cell=grid.address(r, 0),
                      actual=text.strip()[:80], short=section.short, text=text.strip()[:40],
                      place=grid.describe_row(r))
        first_row = min((lab.r for lab in loc.rows.values()), default=0)
        for c, text in loc.unknown_columns:
            self._add(R_LABELS, "unknown_column", section=section.code, actual=text.strip()[:80],
                      short=section.short, text=text.strip()[:40], place=grid.describe_column(first_row, c))
        # rows and columns the format has but the sheet does not
        undivided = {r for s, r in chosen.undivided if s == section.code}
        if loc.statutory_columns:
            expected_rows = [r.code for r in section.rows]
        else:
            expected_rows = [r.code for r in section.rows if not r.derived or r.code in undivided]
            expected_rows = [r for r in expected_rows if not any(r in section.children(u) for u in undivided)]
            if divided:
                expected_rows = [r for r in expected_rows if r not in _divided_rows(section, divided)]
        found_rows = {r for r, _ in loc.values} | set(loc.rows)
        for row_code in expected_rows:
            if row_code not in found_rows:
                self._add(R_LABELS, "missing_row", section=section.code, row=row_code, short=section.short,
                          row_title=section.row_by_code[row_code].title)
                continue
            missing = [m for m in section.measures_of(row_code) if (row_code, m.code) not in loc.values]
            if missing and len(missing) < len(section.measures_of(row_code)) or (missing and row_code in loc.rows):
                self._add(R_LABELS, "missing_columns", section=section.code, row=row_code, column=missing[0].code,
                          where=section.describe(row_code), names="、".join(f"“{m.title}”" for m in missing))

    # ------------------------------------------------------------ year (R-YEAR)
    def _year(self, head: list[tuple[list, int, str]]) -> int | None:
        evidence: list[tuple[str, int]] = []  # (where, year), most trusted first
        cells: list[tuple[str, int]] = []
        for _row, _c, v in head:
            found = _year_of_cell(v)
            if found is not None:
                (evidence if found[0] == "标题" else cells).append(found)
        evidence.extend(cells[:1])
        stem = self.path.stem
        y = _year_in(_plain(stem), _YEAR)
        if y:
            evidence.append(("文件名", y))
        if self.year_arg is not None:
            evidence.insert(0, ("指定的年度", int(self.year_arg)))
        if not evidence:
            self._add(R_YEAR, "none", title=REPORT_TITLE)
            return None
        where, year = evidence[0]
        latest = self.today.year
        if not FIRST_REPORT_YEAR <= year <= latest:
            # a year in the future (or before the 条例) would open a year of completeness with every unit missing
            self._add(R_YEAR, "impossible", expected=f"{FIRST_REPORT_YEAR}–{latest}", actual=year, year=year,
                      where=where, first=FIRST_REPORT_YEAR, latest=latest)
            return None
        others = {(w, y) for w, y in evidence[1:] if y != year}
        if others:
            self._add(R_YEAR, "inconsistent", expected=year, actual=sorted(others)[0][1], where=where, year=year,
                      others="，".join(f"{w}是 {y} 年" for w, y in sorted(others)))
        self.sub.report_year = year
        return year

    # ------------------------------------------------------------ unit (R-UNIT)
    def _unit(self, head: list[tuple[list, int, str]]) -> None:
        texts: list[tuple[str, str]] = []  # (where, text), most trusted first
        if self.unit_arg:
            texts.append(("指定的单位", self.unit_arg))
        for row, c, v in head:
            fk = _filer_label(v)
            if fk is not None:
                name = _after_label(v, fk)
                if not name:
                    name = next((str(x) for x in row[c + 1 :] if isinstance(x, str) and x.strip()), "")
                if name:
                    texts.append((FILER.text, name))
        title = next((v for _row, _c, v in head if REPORT_TITLE in _plain(v)), None)
        if title is not None:
            texts.append(("标题", title))
        texts.append(("文件名", self.path.stem))
        area, came = self._area(texts)
        matches: list[tuple[str, str, list[Unit]]] = []  # (where, text, the units that fit it best: one per area)
        for where, text in texts:
            foreign = self._foreign_county(text, area) if came else None
            if foreign is not None:
                self._add(R_UNIT, "other_area", actual=text.strip()[:80], where=where, text=text.strip()[:40],
                          area=self.registry.area_name(area), came=came, other=foreign.area_name)
                return
            units = self.registry.matches(text, area)
            if units:
                matches.append((where, text, units))
                continue
            elsewhere = self.registry.matches(text) if area is not None else []
            if elsewhere and came:
                self._add(R_UNIT, "other_area", actual=text.strip()[:80], where=where, text=text.strip()[:40],
                          area=self.registry.area_name(area), came=came,
                          other="、".join(self.registry.area_name(u.area_code) for u in elsewhere))
                return
            if where in ("指定的单位", FILER.text):
                kind = "given_not_in_registry" if where == "指定的单位" else "filer_not_in_registry"
                self._add(R_UNIT, kind, actual=text.strip()[:80], where=where, text=text.strip()[:40])
        if not matches:
            self._add(R_UNIT, "unknown", filer=FILER.text)
            return
        unit, where = self._decide_unit(matches)
        if unit is None:
            return
        if self.unit_arg and where != "指定的单位":
            return  # the operator's name did not match: already an error
        differing = [(w, us[0]) for w, _t, us in matches
                     if w != where and all(u.unit_code != unit.unit_code for u in us)]
        if differing:
            self._add(R_UNIT, "inconsistent", expected=unit.unit_name, actual=differing[0][1].unit_name, where=where,
                      name=unit.unit_name, others="，".join(f"{w}是“{u.unit_name}”" for w, u in differing))
        self.sub.unit_code, self.sub.unit_name, self.sub.unit_type = unit.unit_code, unit.unit_name, unit.unit_type
        self.sub.area_code = unit.area_code

    def _area(self, texts: list[tuple[str, str]]) -> tuple[str | None, str | None]:
        """The area the file's unit is looked for in, and how it is known: the inbox folder or the portal code it
        came by, else the one county the file's texts name (清河县大营镇人民政府); None: every area."""
        if self.area_arg is not None and self.area_arg in self.registry.area_by_code:
            return self.area_arg, self.area_came or "收件箱文件夹"
        if self.registry.many_areas:
            named = {a.area_code for _where, text in texts for a in self.registry.counties_named(text)}
            if len(named) == 1:
                return named.pop(), None
        return None, None

    def _foreign_county(self, text: str, area: str | None) -> Area | None:
        """The county a text names when it is not the area the file came from (a 清河县 title in 威县's folder)."""
        named = self.registry.counties_named(text)
        if area is None or not named:
            return None
        if any(a.area_code == area or area in {x.area_code for x in self.registry.ancestors(a.area_code)}
               for a in named):
            return None
        return named[0]

    def _decide_unit(self, matches: list[tuple[str, str, list[Unit]]]) -> tuple[Unit | None, str]:
        """The unit the most trusted text names alone; else the one unit every text's candidates share. Units of
        several areas that fit equally are an R-UNIT error naming them."""
        for where, _text, units in matches:
            if len(units) == 1:
                return units[0], where
        where, text, units = matches[0]
        shared = [u for u in units if all(any(v.unit_code == u.unit_code for v in us) for _w, _t, us in matches)]
        if len(shared) == 1:
            return shared[0], where
        self._add(R_UNIT, "ambiguous", actual=text.strip()[:80], where=where, text=text.strip()[:40],
                  areas="、".join(self.registry.area_name(u.area_code) for u in units),
                  units="、".join(f"{u.unit_code}" for u in units))
        return None, where


# ---------------------------------------------------------------- helpers


class _Located:
    """The tables of a workbook under each format's labels, located as the format decision needs them.

    The format meant for the report year is located whole at once (it is what nearly every file uses); any other
    format only up to 表二 until it is still a candidate after 表二 (locating is most of the reading time, and a
    table's place never depends on the tables after it).
    """

    def __init__(self, scans: list[SheetScan], year: int | None):
        self.scans = scans
        self.found: dict[str, dict[str, list[Located]]] = {}
        self.whole: set[str] = set()
        self.first = SECTIONS[0]
        self._locate(for_year(year) if year is not None else ordered()[-1], whole=True)

    def _locate(self, fmt: ReportFormat, whole: bool) -> None:
        self.found[fmt.version] = locate(self.scans, INDEXES[fmt.version], upto=None if whole else self.first)
        if whole:
            self.whole.add(fmt.version)

    def section(self, fmt: ReportFormat, code: str) -> list[Located]:
        """Every sheet's candidate for the table, best first."""
        if fmt.version not in self.found or (code != self.first and fmt.version not in self.whole):
            self._locate(fmt, whole=code != self.first)
        return self.found[fmt.version].get(code, [])

    def best(self, fmt: ReportFormat, code: str) -> Located | None:
        locs = self.section(fmt, code)
        return locs[0] if locs else None

    def fit(self, fmt: ReportFormat, code: str) -> tuple[int, int]:
        """How well the format's labels fit the unit's table: values found, then fewer of its derived rows printed
        undivided (a table that needs no mixing fits its own format better)."""
        loc = self.best(fmt, code)
        if loc is None:
            return (0, 0)
        section = fmt.section(code)
        undivided = sum(1 for r in section.derived_rows
                        if r in loc.rows and not any(k in loc.rows for k in section.children(r)))
        return (loc.score, -undivided)


def _more(where: list) -> str:
    """How many cells a summary finding is about: 共 3 处 / 等共 57 处."""
    return f"等共 {len(where)} 处" if len(where) > MAX_LISTED else f"共 {len(where)} 处"


HEAD_ROWS = 60  # the year, the filer and the title are looked for in the first rows of each sheet
_FILER_KEYS = tuple(k for k in (loose(t) for t in FILER.all_texts) if k)
_FILER_FIRST = frozenset(k[0] for k in _FILER_KEYS)


@lru_cache(maxsize=16384)
def _filer_label(text: str) -> str | None:
    """The filer label (填报单位) a text begins with, as a key, or None."""
    key = loose(text)
    if key[:1] not in _FILER_FIRST:
        return None  # cannot start with a filer label (the common case: skip the prefix tests)
    return next((fk for fk in _FILER_KEYS if key.startswith(fk)), None)


HEAD_BLOCKS = 30  # a document's title and 填报单位 come before its narrative


def _document_head(doc: Document) -> list[tuple[list, int, str]]:
    """The title and the first text blocks of a document, as head texts (a workbook's are in its cells).

    A title set over several lines (洪泽区人民政府 / 2023 年政府信息公开工作年度报告, or one long title wrapped) is
    also taken whole: consecutive heading blocks joined, first.
    """
    blocks = [b for b in doc.blocks[:HEAD_BLOCKS] if b.tables_before == 0 and b.text.strip()]
    texts = [doc.title] if doc.title else []
    run: list[str] = []
    for b in [*blocks, None]:
        if b is not None and b.heading:
            run.append(b.text.strip())
            continue
        if len(run) > 1:
            texts.append("".join(run))
        run = []
    texts += [b.text for b in blocks]
    return [([t], 0, t) for t in texts if t and t.strip()]


def _head_texts(grids: list[Grid]) -> list[tuple[list, int, str]]:
    """(row, column, text) of every string cell in the first HEAD_ROWS rows of each sheet, in reading order.

    Collected once: the year and the unit are both looked for in them. Empty strings are left out (neither names a
    year nor begins with a filer label), as are the cells of a row that holds no string but empty ones.
    """
    return [
        (row, c, v)
        for grid in grids
        for row in grid.cells[:HEAD_ROWS]
        if any(row)
        for c, v in enumerate(row)
        if v and isinstance(v, str)
    ]



@lru_cache(maxsize=64)
def _plan(version: str, section_code: str) -> tuple[tuple[tuple[str, str, str], tuple[str, str], bool, Measure, str],
                                                    ...]:
    """((section, row, column), (row, column), whether the row is derived, measure, description) of every cell of a
    section, in reading order.

    Looked up once per format instead of for every cell of every file.
    """
    section = FORMATS[version].section(section_code)
    return tuple(
        ((section_code, row_code, col), (row_code, col), section.row_by_code[row_code].derived,
         section.measure(row_code, col), section.describe(row_code, col))
        for row_code, col in section.cells()
    )


@lru_cache(maxsize=65536)
def _sheet_address(sheet: str, r: int, c: int) -> str:
    """Grid.address of a workbook's cell: Sheet1!D9 (the same cells of the same sheets recur in every file)."""
    return f"{sheet}!{a1(r, c)}"


def _divided_rows(section: Section, other: ReportFormat) -> tuple[str, ...]:
    """Rows ``section`` prints that ``other`` divides into children (2019's （六）其他处理 in 2021's table)."""
    theirs = other.section(section.code)
    return tuple(r for r in theirs.derived_rows if r in section.row_by_code and not section.row_by_code[r].derived)


def _value_at(loc: Located | None, row: str, col: str):
    if loc is None or (row, col) not in loc.values:
        return None
    return parse(loc.grid.get(*loc.values[(row, col)])).value


@lru_cache(maxsize=16384)
def _plain(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"\s+", "", s)
    if _CN_YEAR.search(s):
        s = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), s)
    return s


@lru_cache(maxsize=16384)
def _year_of_cell(v: str) -> tuple[str, int] | None:
    """("标题", year) for a title naming its year, ("表中年度", year) for a cell that is a year, else None."""
    if not v.strip():
        return None
    text = _plain(v)
    if REPORT_TITLE in text:
        y = _year_in(text, _YEAR_IN_TEXT)
        return ("标题", y) if y else None
    if len(text) <= 16:
        y = _year_in(text, _YEAR_CELL)  # a cell of its own: 2024年度 / 报告年度：2024
        return ("表中年度", y) if y else None
    return None


def _year_in(text: str, pattern: re.Pattern) -> int | None:
    m = pattern.search(text)
    return int(m.group(1)) if m else None


def _after_label(text: str, label_key: str) -> str:
    """'填报单位：大营镇人民政府（盖章）' → '大营镇人民政府（盖章）' (the registry ignores what it cannot match)."""
    plain = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    i = 0
    consumed = ""
    while i < len(plain) and loose(consumed) != label_key:
        consumed += plain[i]
        i += 1
    return plain[i:].lstrip(":：-—、 ")
