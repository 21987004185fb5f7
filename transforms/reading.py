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
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from pathlib import Path

from transforms.isolation import Failure, Limits, WorkerPool
from transforms.model import Cell, Finding, Submission
from transforms.reading_grid import Grid, a1, load_grids
from transforms.reading_guard import MAX_FILE_BYTES, Inspection, Rejected, inspect
from transforms.reading_labels import INDEXES, loose
from transforms.reading_numbers import parse
from transforms.reading_tables import Located, SheetScan, locate
from transforms.registry import Registry, Unit
from transforms.report_format import (
    EXPLANATIONS_SHEET,
    FILER,
    FIRST_REPORT_YEAR,
    FORMATS,
    OTHER_CHILDREN_2021,
    REPORT_TITLE,
    Measure,
    ReportFormat,
    Row,
    Section,
)
from transforms.rules import RULES

log = logging.getLogger(__name__)

MAX_LISTED = 20  # cells named in one summary finding; the rest are counted
_RULE_ID = re.compile(r"[A-Z][0-9]?-[A-Z]+")  # R-BLANK, T3-BALANCE, X-JUMP
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# a year in a cell of its own, possibly after a short field name: "2024年度", "报告年度：2024年"
_YEAR_CELL = re.compile(r"^(?:\D{1,6}[:：](?=(?:19|20)\d{2}(?:年度?)?$)|(?=(?:19|20)\d{2}年度?$))((?:19|20)\d{2})")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")
_CN_YEAR = re.compile(r"[〇零○一二三四五六七八九]{4}年")


# ---------------------------------------------------------------- public API


def read_submission(
    path: str | Path, registry: Registry, year: int | None = None, unit_name: str | None = None,
    name: str | Path | None = None, sha256: str | None = None, today: date | None = None,
) -> Submission:
    """Read one workbook (.xlsx/.xlsm/.xls) into a Submission with R-* findings. Never raises for a bad file.

    ``name``: the path the file arrived as, when ``path`` is a copy (the archive's, named by sha256); the file name
    can carry the unit and the year, and findings name the file the clerk sent. ``sha256``: what the copy's bytes
    must hash to; other bytes (damaged storage) are not read. ``today``: the county's date (a report year after
    it is an error); default the machine's.

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
        _Reader(sub, shown, data, registry, year, unit_name, today or date.today()).run()
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
        reason = "文件设置了密码" if "Password" in kind else "文件已损坏或不是有效的 Excel 工作簿，请用 Excel/WPS 重新另存为 .xlsx"
        return _unreadable(sub, reason, detail=f"{kind}: {exc}"[:300])
    return sub


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


_REGISTRIES: dict[tuple[str, float], Registry] = {}  # per worker process: the registry is loaded once


def _read_task(units: str, task: ReadTask) -> Submission:
    """The worker's side of :func:`read_isolated`."""
    key = (units, os.stat(units).st_mtime)
    registry = _REGISTRIES.get(key)
    if registry is None:
        registry = _REGISTRIES[key] = Registry.load(units)
    return read_submission(Path(task.path), registry, year=task.year, unit_name=task.unit_name, name=task.name,
                           sha256=task.sha256, today=task.today)


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
        pool = WorkerPool("transforms.reading:_read_task", workers=min(workers, len(tasks)), limits=limits)
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
    sub.add(Finding("R-FORMAT", "error", f"文件“{Path(sub.file).name}”无法读取：{reason}。", actual=detail))
    return sub


# ---------------------------------------------------------------- the reader


@dataclass
class _Chosen:
    """The located tables under the decided format."""

    fmt: ReportFormat
    tables: dict[str, Located | None]
    mixed_other_row: bool = False  # 2021 tables with 2019's undivided （六）其他处理 row
    children_into_2019: bool = False  # 2019 tables with 2021's three （六） rows: sum them


class _Reader:
    def __init__(self, sub: Submission, path: Path, data: bytes, registry: Registry, year, unit_name, today: date):
        self.sub, self.path, self.data, self.registry = sub, path, data, registry
        self.year_arg, self.unit_arg, self.today = year, unit_name, today

    def run(self) -> None:
        insp = inspect(self.data)
        grids, left_out = load_grids(self.data, skip=insp.oversized_sheets)
        skipped = {name: insp.oversized_reason(name) or "有内容的单元格延伸到极远处" for name in insp.oversized_sheets}
        skipped.update(left_out)
        if not grids:
            if skipped:
                raise Rejected("工作表范围过大（" + "；".join(f"“{n}”{why}" for n, why in sorted(skipped.items()))
                               + "），请删除多余内容后另存再报送")
            raise Rejected("工作簿里没有工作表")
        explanation_key = loose(EXPLANATIONS_SHEET)
        for g in grids:
            if loose(g.name) == explanation_key:
                self._explanations(g)
        tables = [g for g in grids if loose(g.name) != explanation_key]
        for name, why in sorted(skipped.items()):
            self._add("R-FORMAT", "warning", f"工作表“{name}”范围过大（{why}），未读取。")
        for g in tables:
            if g.truncated:
                self._add("R-FORMAT", "warning", f"工作表“{g.name}”很大，只读取了前面的部分。")
        scans = [SheetScan(g) for g in tables]
        found = _locate_formats(scans)
        head = _head_texts(tables)
        year = self._year(head)
        chosen = self._decide_format(found, year)
        self._unit(head)
        if chosen is not None:
            self._cells(chosen, insp)
            if year is not None and chosen.fmt.version != max(FORMATS) and year >= FORMATS[max(FORMATS)].meant_for_years[0]:
                new = FORMATS[max(FORMATS)]
                self._add(
                    "R-YEAR", "warning",
                    f"{year}年度的报告使用了{chosen.fmt.version}年的旧表格（{chosen.fmt.notice}），"
                    f"自{new.meant_for_years[0]}年度起应使用新格式（{new.notice}）。",
                    expected=new.version, actual=chosen.fmt.version,
                )

    def _add(self, rule: str, severity: str, message: str, **kw) -> None:
        self.sub.add(Finding(rule, severity, message, **kw))

    # ------------------------------------------------------------ 说明 sheet
    def _explanations(self, grid: Grid) -> None:
        for row in grid.cells:
            texts = [str(v).strip() for v in row if v not in (None, "") and str(v).strip()]
            if len(texts) >= 2:
                rule_id = unicodedata.normalize("NFKC", texts[0]).upper()
                if rule_id in RULES or _RULE_ID.fullmatch(rule_id):
                    self.sub.explanations[rule_id] = "；".join(texts[1:])

    # ------------------------------------------------------------ format
    def _decide_format(self, found: dict[str, dict[str, list[Located]]], year: int | None) -> _Chosen | None:
        new, old = max(FORMATS), min(FORMATS)
        best = partial(_best, found)
        proactive_says, requests_says = _format_evidence(found)
        r_new = best(new, "requests")
        derived = [code for code, row in FORMATS[new].section("requests").row_by_code.items() if row.derived]

        if not any(found[v][s] for v in found for s in found[v]):
            self._add(
                "R-FORMAT", "error",
                "没有找到政府信息公开工作年度报告的统计表（表二、表三、表四）。请使用统一格式的表格，保留表头和每行的栏目名称。",
            )
            return None
        version = proactive_says or requests_says
        if version is None:
            version = new if (year is None or year >= FORMATS[new].meant_for_years[0]) else old
            self._add(
                "R-FORMAT", "warning",
                f"无法从表格栏目判断是哪一年的格式，按报告年度使用{version}年格式读取，请使用统一格式的表格。",
            )
        tables: dict[str, Located | None] = {}
        for section in FORMATS[version].sections:
            tables[section.code] = best(version, section.code)
        chosen = _Chosen(FORMATS[version], tables)
        for section in FORMATS[version].sections:
            best_loc = tables[section.code]
            copies = [loc for loc in found[version][section.code][1:] if best_loc and loc.score * 2 >= best_loc.score]
            if copies:  # e.g. last year's report kept in another sheet: say which one was read
                others = "、".join(f"“{loc.grid.name}”" for loc in copies)
                self._add(
                    "R-LABELS", "warning",
                    f"工作簿中有不止一份{section.short}：已读取工作表“{best_loc.grid.name}”，未读取{others}。"
                    "请只保留本年度的一份。",
                    section=section.code,
                )
        if proactive_says == new and requests_says == old:
            chosen.mixed_other_row = True
            self._add(
                "R-FORMAT", "warning",
                f"表二、表四是{new}年格式，但表三“{FORMATS[new].section('requests').row_by_code[derived[0]].label.text}”"
                f"没有分成{len(OTHER_CHILDREN_2021)}个小项（{old}年旧格式）。已按实际填写读取：该行只有合计数。"
                f"请使用{new}年格式的表格。",
                expected=new, actual=f"{new}/{old}",
            )
        elif proactive_says == old and requests_says == new:
            chosen.children_into_2019 = True
            tables["requests"] = r_new
            self._add(
                "R-FORMAT", "warning",
                f"表二是{old}年格式，但表三的“{FORMATS[new].section('requests').row_by_code[derived[0]].label.text}”"
                f"分成了小项（{new}年格式）。已按{old}年格式读取，小项合计计入该行。",
                expected=old, actual=f"{old}/{new}",
            )
        return chosen

    # ------------------------------------------------------------ cells
    def _cells(self, chosen: _Chosen, insp: Inspection) -> None:
        sub = self.sub
        fmt = chosen.fmt
        sub.format_version = fmt.version
        blanks: list[tuple[Section, str, str, str]] = []
        notes: dict[str, list] = {}  # one R-NUMBER warning per kind of normalisation, listing the cells
        for section in fmt.sections:
            loc = chosen.tables.get(section.code)
            if loc is None or not loc.values:
                self._add(
                    "R-LABELS", "error",
                    f"没有找到{section.short}（{section.title.text}）。请使用统一格式的表格，保留表头和每行的栏目名称。",
                    section=section.code,
                )
                continue
            self._label_findings(section, loc, chosen)
            section_blanks = []
            any_value = False
            grid, values, cells = loc.grid, loc.values, sub.cells
            formulas = insp.formula_cells.get(grid.name, ())
            errors = insp.error_cells.get(grid.name, {})
            mixed, into_2019 = chosen.mixed_other_row, chosen.children_into_2019
            for key, row_col, row, measure in _plan(fmt.version, section.code):
                _, row_code, col = key
                if row.derived and not mixed:
                    continue  # computed below from its children
                if mixed and row_code in OTHER_CHILDREN_2021:
                    cells[key] = Cell(section.code, row_code, col, None)
                    continue
                if into_2019 and row_code not in loc.rows and row_code in _derived_rows(section):
                    continue
                pos = values.get(row_col)
                if pos is None:
                    cells[key] = Cell(section.code, row_code, col, None)
                    continue
                ref = a1(*grid.top_left(*pos))
                source = f"{grid.name}!{ref}"  # grid.address(*pos)
                if ref in formulas:
                    cells[key] = Cell(section.code, row_code, col, None, source, raw="=")
                    self._add(
                        "R-FORMULA", "error",
                        f"{section.describe(row_code, col)}（{source}）是公式，但文件里没有公式的计算结果"
                        "（文件由程序生成、没有用 Excel/WPS 打开保存过）。请用 Excel/WPS 打开，确认数字后保存再报送。",
                        section=section.code, row=row_code, column=col, cell=source,
                    )
                    continue
                if ref in errors:  # a formula that failed (#DIV/0!): calamine shows it blank, but it is no figure
                    cells[key] = Cell(section.code, row_code, col, None, source, raw=errors[ref])
                    self._add(
                        "R-NUMBER", "error",
                        f"{section.describe(row_code, col)}（{source}）：是公式的错误值“{errors[ref]}”，不是数字"
                        "（公式引用了空白、文字或已删除的单元格）。请改正公式或直接填数字。",
                        section=section.code, row=row_code, column=col, cell=source, actual=errors[ref],
                    )
                    any_value = True
                    continue
                parsed = parse(grid.get(*pos), measure)
                cells[key] = Cell(section.code, row_code, col, parsed.value, source, parsed.raw)
                if parsed.error:
                    self._add(
                        "R-NUMBER", "error",
                        f"{section.describe(row_code, col)}（{source}）：{parsed.error}。",
                        section=section.code, row=row_code, column=col, cell=source, actual=str(parsed.raw),
                    )
                    any_value = True
                elif parsed.value is None:
                    section_blanks.append((section, row_code, col, source))
                else:
                    any_value = True
                    if parsed.note:
                        notes.setdefault(parsed.note, []).append((section, row_code, col, source, parsed))
            if not any_value and section_blanks:
                self._add(
                    "R-BLANK", "warning",
                    f"{section.short}（{section.title.text}）整张表都是空白，视为“未填报”。如果本年度确实都没有，请每格填 0。",
                    section=section.code,
                )
            else:
                blanks.extend(section_blanks)
            self._derive(section, chosen)
        for note, where in notes.items():
            section, row_code, col, source, parsed = where[0]
            listed = "、".join(
                f"{s.describe(r, c)}（{src}）“{str(p.raw).strip()}”→{p.value}" for s, r, c, src, p in where[:MAX_LISTED]
            )
            more = f"等共 {len(where)} 处" if len(where) > MAX_LISTED else f"共 {len(where)} 处"
            self._add(
                "R-NUMBER", "warning",
                f"有单元格不是纯数字，{note}：{listed}，{more}。请只填阿拉伯数字。",
                section=section.code, row=row_code, column=col, cell=source,
                expected=parsed.value, actual=str(parsed.raw),
            )
        if blanks:
            listed = "、".join(f"{s.describe(r, c)}（{src}）" for s, r, c, src in blanks[:MAX_LISTED])
            more = f"等共 {len(blanks)} 处" if len(blanks) > MAX_LISTED else f"共 {len(blanks)} 处"
            self._add(
                "R-BLANK", "warning",
                f"有空白单元格：{listed}，{more}。空白不等于 0：没有发生的请填 0。",
                cell=blanks[0][3], section=blanks[0][0].code, actual=len(blanks),
            )

    def _derive(self, section: Section, chosen: _Chosen) -> None:
        """2021's （六）其他处理 = its three children (source None); likewise when 2019 tables carry them."""
        if chosen.mixed_other_row:
            return
        loc = chosen.tables.get(section.code)
        for row in section.rows:
            summed = row.derived or (chosen.children_into_2019 and row.code in _derived_rows(section) and loc
                                     and row.code not in loc.rows)
            if not summed:
                continue
            kids = [r.code for r in FORMATS[max(FORMATS)].section(section.code).rows
                    if r.group == row.label and not r.derived]
            for m in section.measures_of(row.code):
                if chosen.children_into_2019:
                    vals = [_value_at(loc, k, m.code) for k in kids]
                else:
                    vals = [self.sub.value(section.code, k, m.code) for k in kids]
                value = None if all(v is None for v in vals) else sum(v for v in vals if v is not None)
                self.sub.cells[(section.code, row.code, m.code)] = Cell(section.code, row.code, m.code, value)

    def _label_findings(self, section: Section, loc: Located, chosen: _Chosen) -> None:
        grid = loc.grid
        for lab in loc.rows.values():
            if lab.fuzzy is not None:
                row = section.row_by_code[lab.row]
                src = f"{grid.name}!{_a1(grid, lab.r, lab.label_end)}"
                self._add(
                    "R-LABELS", "warning",
                    f"{section.short}的栏目名称“{lab.text.strip()}”（{src}）与统一格式“{row.title}”不完全一致，"
                    f"已按“{row.title}”读取，请核对并改正。",
                    section=section.code, row=lab.row, cell=src, expected=row.title, actual=lab.text.strip(),
                )
        for row_code, col, text, c, _ratio in loc.fuzzy_columns:
            m = section.measure(row_code, col)
            lab = loc.rows[row_code]
            src = f"{grid.name}!{_a1(grid, lab.r, c)}"
            self._add(
                "R-LABELS", "warning",
                f"{section.short}的表头“{text.strip()}”与统一格式“{m.label.text}”不完全一致，已按“{m.label.text}”读取，请核对。",
                section=section.code, row=row_code, column=col, cell=src, expected=m.label.text, actual=text.strip(),
            )
        for r, text in loc.unknown_rows:
            src = f"{grid.name}!{_a1(grid, r, 0)}"
            self._add(
                "R-LABELS", "warning",
                f"{section.short}中多出一行“{text.strip()[:40]}”（工作表“{grid.name}”第 {r + 1} 行），"
                "不属于统一格式，其中的数字未读取。",
                section=section.code, cell=src, actual=text.strip()[:80],
            )
        for c, text in loc.unknown_columns:
            self._add(
                "R-LABELS", "warning",
                f"{section.short}中多出一列“{text.strip()[:40]}”（工作表“{grid.name}”第 {_col(c)} 列），"
                "不属于统一格式，其中的数字未读取。",
                section=section.code, actual=text.strip()[:80],
            )
        # rows and columns the format has but the sheet does not
        if loc.statutory_columns:
            expected_rows = [r.code for r in section.rows]
        else:
            expected_rows = [r.code for r in section.rows if not r.derived or chosen.mixed_other_row]
            if chosen.mixed_other_row:
                expected_rows = [r for r in expected_rows if r not in OTHER_CHILDREN_2021]
            if chosen.children_into_2019:
                expected_rows = [r for r in expected_rows if r not in _derived_rows(section)]
        found_rows = {r for r, _ in loc.values} | set(loc.rows)
        for row_code in expected_rows:
            if row_code not in found_rows:
                self._add(
                    "R-LABELS", "error",
                    f"{section.short}缺少“{section.row_by_code[row_code].title}”这一行（可能被删除或栏目名称改动过），"
                    "请按统一格式补上。",
                    section=section.code, row=row_code,
                )
                continue
            missing = [m for m in section.measures_of(row_code) if (row_code, m.code) not in loc.values]
            if missing and len(missing) < len(section.measures_of(row_code)) or (missing and row_code in loc.rows):
                names = "、".join(f"“{m.title}”" for m in missing)
                self._add(
                    "R-LABELS", "error",
                    f"{section.describe(row_code)}缺少{names}栏（表头可能被删除或改动过），请按统一格式补上。",
                    section=section.code, row=row_code, column=missing[0].code,
                )

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
            self._add(
                "R-YEAR", "error",
                f"没有找到报告年度：请在标题中写明“XXXX年{REPORT_TITLE}”，或在文件名中写明年度。",
            )
            return None
        where, year = evidence[0]
        latest = self.today.year
        if not FIRST_REPORT_YEAR <= year <= latest:
            # a year in the future (or before the 条例) would open a year of completeness with every unit missing
            self._add(
                "R-YEAR", "error",
                f"报告年度 {year} 年（{where}）不可能：年度报告从 {FIRST_REPORT_YEAR} 年度起，最晚为 {latest} 年度。"
                "请核对标题和文件名中的年度。",
                expected=f"{FIRST_REPORT_YEAR}–{latest}", actual=year,
            )
            return None
        others = {(w, y) for w, y in evidence[1:] if y != year}
        if others:
            desc = "，".join(f"{w}是 {y} 年" for w, y in sorted(others))
            self._add(
                "R-YEAR", "warning",
                f"报告年度不一致：{where}是 {year} 年，{desc}；已按 {year} 年读取，请核对。",
                expected=year, actual=sorted(others)[0][1],
            )
        self.sub.report_year = year
        return year

    # ------------------------------------------------------------ unit (R-UNIT)
    def _unit(self, head: list[tuple[list, int, str]]) -> None:
        texts: list[tuple[str, str]] = []  # (where, text), most trusted first
        if self.unit_arg:
            texts.append(("指定的单位", self.unit_arg))
        for row, c, v in head:
            key = loose(v)
            if key[:1] not in _FILER_FIRST:
                continue  # cannot start with a filer label (the common case: skip the prefix tests)
            for fk in _FILER_KEYS:
                if key.startswith(fk):
                    name = _after_label(v, fk)
                    if not name:
                        name = next((str(x) for x in row[c + 1 :] if isinstance(x, str) and x.strip()), "")
                    if name:
                        texts.append((FILER.text, name))
                    break
        title = next((v for _row, _c, v in head if REPORT_TITLE in _plain(v)), None)
        if title is not None:
            texts.append(("标题", title))
        texts.append(("文件名", self.path.stem))
        matches: list[tuple[str, Unit]] = []
        for where, text in texts:
            unit = self.registry.match(text)
            if unit is not None:
                matches.append((where, unit))
            elif where in ("指定的单位", FILER.text):
                self._add(
                    "R-UNIT", "error" if where == "指定的单位" else "warning",
                    f"{where}“{text.strip()[:40]}”不在本县单位名册中，请核对单位名称（应与名册中的名称一致）。",
                    actual=text.strip()[:80],
                )
        if not matches:
            self._add(
                "R-UNIT", "error",
                f"无法确定报送单位：表格中没有可识别的“{FILER.text}：XXX”或标题，文件名中也没有单位名称。"
                "请填写单位全称（与本县单位名册一致）。",
            )
            return
        where, unit = matches[0]
        if self.unit_arg and where != "指定的单位":
            return  # the operator's name did not match: already an error
        differing = [(w, u) for w, u in matches[1:] if u.unit_code != unit.unit_code]
        if differing:
            self._add(
                "R-UNIT", "warning",
                f"单位名称不一致：{where}是“{unit.unit_name}”，"
                + "，".join(f"{w}是“{u.unit_name}”" for w, u in differing)
                + f"；已按“{unit.unit_name}”读取，请核对。",
                expected=unit.unit_name, actual=differing[0][1].unit_name,
            )
        self.sub.unit_code, self.sub.unit_name, self.sub.unit_type = unit.unit_code, unit.unit_name, unit.unit_type


# ---------------------------------------------------------------- helpers


def _locate_formats(scans: list[SheetScan]) -> dict[str, dict[str, list[Located]]]:
    """The tables under each format's labels: what _decide_format needs, and all of the format it may choose.

    When the new format's tables settle the format, the old format's tables other than 表二 are never looked at:
    they are not located (that is a third of the reading time of a current report).
    """
    new, old = max(FORMATS), min(FORMATS)
    found = {new: locate(scans, INDEXES[new]), old: locate(scans, INDEXES[old], upto="proactive")}
    if not _settled_by_new(found):
        found[old] = locate(scans, INDEXES[old])
    return found


def _best(found: dict[str, dict[str, list[Located]]], version: str, section: str) -> Located | None:
    locs = found[version][section]
    return locs[0] if locs else None


def _format_evidence(found: dict[str, dict[str, list[Located]]]) -> tuple[str | None, str | None]:
    """Which format 表二's columns say (the better score), and which 表三's （六） rows say (None: no evidence)."""
    new, old = max(FORMATS), min(FORMATS)
    p_new, p_old = _best(found, new, "proactive"), _best(found, old, "proactive")
    sp_new = p_new.score if p_new else 0
    sp_old = p_old.score if p_old else 0
    proactive_says = new if sp_new > sp_old else old if sp_old > sp_new else None
    r_new = _best(found, new, "requests")
    derived = _derived_rows(FORMATS[new].section("requests"))
    children = [c for c in OTHER_CHILDREN_2021 if r_new and c in r_new.rows]
    undivided = bool(r_new and any(c in r_new.rows for c in derived))
    requests_says = new if children else old if undivided else None
    return proactive_says, requests_says


def _settled_by_new(found: dict[str, dict[str, list[Located]]]) -> bool:
    """_decide_format will choose the new format and read nothing of the old one beyond 表二."""
    proactive_says, requests_says = _format_evidence(found)
    new = max(FORMATS)
    return (proactive_says or requests_says) == new

HEAD_ROWS = 60  # the year, the filer and the title are looked for in the first rows of each sheet
_FILER_KEYS = tuple(k for k in (loose(t) for t in FILER.all_texts) if k)
_FILER_FIRST = frozenset(k[0] for k in _FILER_KEYS)


def _head_texts(grids: list[Grid]) -> list[tuple[list, int, str]]:
    """(row, column, text) of every string cell in the first HEAD_ROWS rows of each sheet, in reading order.

    Collected once: the year and the unit are both looked for in them.
    """
    return [
        (row, c, v)
        for grid in grids
        for row in grid.cells[:HEAD_ROWS]
        for c, v in enumerate(row)
        if isinstance(v, str)
    ]



@lru_cache(maxsize=64)
def _plan(version: str, section_code: str) -> tuple[tuple[tuple[str, str, str], tuple[str, str], Row, Measure], ...]:
    """((section, row, column), (row, column), row, measure) of every cell of a section, in reading order.

    Looked up once per format instead of for every cell of every file.
    """
    section = FORMATS[version].section(section_code)
    return tuple(
        ((section_code, row_code, col), (row_code, col), section.row_by_code[row_code], section.measure(row_code, col))
        for row_code, col in section.cells()
    )


def _derived_rows(section: Section) -> set[str]:
    """Rows that 2021 derives (（六）其他处理); in 2019 the same code is a printed row."""
    new = FORMATS[max(FORMATS)].section(section.code)
    return {r.code for r in new.rows if r.derived}


def _value_at(loc: Located | None, row: str, col: str):
    if loc is None or (row, col) not in loc.values:
        return None
    return parse(loc.grid.get(*loc.values[(row, col)])).value


def _a1(grid: Grid, r: int, c: int) -> str:
    return a1(*grid.top_left(r, c))


def _col(c: int) -> str:
    from transforms.reading_grid import column_letters

    return column_letters(c)


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
