"""The example county 清河县: a deterministic generator of realistic submissions, for demos and tests.

``generate_county(years, seed)`` returns one :class:`ExampleReport` per file the county's inbox receives: the unit, the
year, the format and layout, the mess options, and **the exact cells a correct reader returns** (``cells``, keyed
``(section, row, column)``, blank → None; for 2021 the derived ``other_total`` included), with the source address of
every cell and the planted mistake (a rule id, or None). ``write_example_inbox(dir)`` writes the files and, as the
portal would have, a receipt for each with its ``received_at`` (``<inbox>/.receipts.jsonl``): the season is
simulated, a file's modification time means nothing.

The figures satisfy every identity of validation-rules.md (T3-BALANCE, T3-ROWSUM, T3-OUTCOMES, T4-TOTAL), 规章 is 0
everywhere, townships get no 科研机构/法律服务机构 applications, carry-over and 现行有效件数 continue from 2023 to 2024 —
except where a mistake is planted on purpose:

=====================  ==============================================================================================
unit, year             what happens
=====================  ==============================================================================================
连庄镇 2023             files the 2019 tables (format drift), 采购总金额 written as ``251000元``
县住建局 2023, 2024     mixed format: 2021 tables 二/四, table 三 with the undivided （六）其他处理 row
县水利局 2023           T4-TOTAL: 行政复议 维持 10 纠正 1 总计 0, 复议后起诉 维持 5 总计 0 (as 洪泽区 2023)
县审计局 2023           R-FORMULA: totals are formulas without cached values (written by a program)
谢炉镇 2024             T2-RULES: a township counting 2 规章
油坊镇 2024             fees of 3.25 万元 typed in 元 (``32500元``): converted by the reader, a notice
黄金庄乡 2023           T2-FEES: 28000 typed in the 万元 cell (meant in 元): a warning, held for review (待核实)
县统计局 2024           R-NUMBER: ``见附件`` in a number cell
城西街道 2024           T3-BALANCE in the first file; a corrected file follows (``supersedes``)
县商务局 2024           an accepted file, then a corrected one (行政许可 changed): the newer becomes current
县市场监管局 2024       X-JUMP: 行政处罚 ×13 against 2023, explained in a 说明 sheet (a warning, explained)
县信访局 2024, 坝营镇 2023  late (received in February)
县林业局, 东高庄乡 2024  missing; 马屯乡 merged away after 2023; 县数据局 new in 2024
=====================  ==============================================================================================

Some units send the report in another form (``FIXED``): 县教体局 2024 and 县退役军人局 2023 a Word document (the latter
with zeros left blank, half-width brackets and table 三 split in two by a page break), 县应急局 2024 and 柳林镇 2024 a
PDF exported from it (the latter repeating table 三's header on the next page), 新华街道 2024 and 县科技局 2023 the
page posted on the portal (GBK with the portal around the article; UTF-8 with labels split over paragraphs).

Everything else varies by the seeded ``random.Random``: layouts (stacked, per_table, flat, shifted, spacer), file types
(.xlsx, .xls, .xlsm), label variants, number texts, blanks for zero, file names with or without the unit.

``generate_published()`` / ``write_example_published(dir)``: what the county's portal already holds from before
countystats — the reports of 2019–2022 of some units, as PDF and portal pages under the portal's own file names
(2019 and 2020 in the 2019 tables) — for a backfill run (docs/nightly.md). They end where the season of 2023 begins:
nothing carried forward, the same documents in force, so no cross-year rule fires when they are loaded.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from countystats.examples.workbooks import read_back
from transforms.format import FILER, FORMATS, REPORT_TITLE, ZERO_WORDS, ReportFormat, for_year, previous
from transforms.registry import DEFAULT_REGISTRY, Registry, Unit
from transforms.writing.documents import DOCUMENT_OPTION_NAMES, DocumentOptions, write_document
from transforms.writing.layouts import Book, Key, Options, Value, plan_report, render

COUNTY = "清河县"  # the example county's name, as it prefixes titles (清河县大营镇2024年…)
SEED = 20250131
CST = timezone(timedelta(hours=8))  # units send files during office hours, China time

# The planted scenarios (see the module docstring); unit codes from config/units.csv.
DRIFT = {("twp_lianzhuang", 2023)}  # files the previous format's tables
MIXED_UNITS = {"dep_housing"}
MISTAKES = {
    ("dep_water", 2023): "T4-TOTAL",
    ("dep_audit", 2023): "R-FORMULA",
    ("twp_xielu", 2024): "T2-RULES",
    ("twp_huangjinzhuang", 2023): "T2-FEES",
    ("dep_statistics", 2024): "R-NUMBER",
    ("sub_chengxi", 2024): "T3-BALANCE",  # then corrected (RESUBMITTED)
}
RESUBMITTED = {("sub_chengxi", 2024), ("dep_commerce", 2024)}
YUAN_TYPED = ("twp_youfang", 2024)  # 3.25 万元 typed as 32500元
MISSING = {("dep_forestry", 2024), ("twp_donggaozhuang", 2024)}
LATE = {("dep_petition", 2024), ("twp_baying", 2023)}
JUMP = ("dep_market", 2024)
EXPLANATION = "2024年开展食品安全和价格监管专项整治，行政处罚数量大幅增加，数据属实。"
NOT_A_NUMBER = "见附件"
# fixed presentation for some units, so every layout and file type is surely present
FIXED: dict[tuple[str, int], dict] = {
    ("twp_gexianzhuang", 2023): {"suffix": ".xls"},
    ("twp_gexianzhuang", 2024): {"suffix": ".xls", "layout": "per_table"},
    ("dep_civil_affairs", 2024): {"suffix": ".xls", "layout": "flat"},
    ("twp_liulin", 2023): {"suffix": ".xls", "zero": "blank"},
    ("dep_transport", 2024): {"suffix": ".xlsm"},
    ("sub_chengdong", 2023): {"blank_total": True},
    ("dep_justice", 2023): {"traditional": True, "layout": "per_table"},
    ("dep_health", 2024): {"variants": True, "half_width": True, "numbering": "、"},
    ("dep_hrss", 2024): {"numbers": "mixed", "zero": ZERO_WORDS[0], "start": (2, 1), "spacer": True},
    ("twp_daying", 2024): {"formulas": "cached", "layout": "stacked"},
    ("dep_agriculture", 2023): {"zero": ZERO_WORDS[-1], "numbering": "．", "layout": "flat"},
    ("twp_wangguanzhuang", 2023): {"title": "", "filer": "", "name_in_file": True},
    ("gov_county", 2023): {"layout": "stacked"},
    ("gov_county", 2024): {"layout": "stacked"},
    # other forms: the Word template filled in, the PDF exported from it, the page posted on the portal
    ("dep_education", 2024): {"suffix": ".docx", "layout": "stacked"},
    ("dep_veterans", 2023): {"suffix": ".docx", "layout": "stacked", "zero": "blank", "half_width": True,
                             "split_table": 14},
    ("dep_emergency", 2024): {"suffix": ".pdf", "layout": "stacked"},
    ("twp_liulin", 2024): {"suffix": ".pdf", "layout": "stacked", "repeat_header": True},
    ("sub_xinhua", 2024): {"suffix": ".html", "layout": "stacked", "encoding": "gbk", "furniture": True},
    ("dep_science", 2023): {"suffix": ".htm", "layout": "stacked", "split_labels": True},
}
DOCUMENTS = {".docx": "word", ".pdf": "pdf", ".html": "html", ".htm": "html"}  # file suffix → the form written
WORKBOOK_ONLY = ("formulas", "explanations", "start", "spacer", "sheet_names")  # options a document has not


@dataclass(frozen=True)
class ExampleReport:
    unit_code: str
    unit_name: str
    unit_type: str
    year: int
    format_version: str  # the format's version (a mixed report: that of its 表二, with mixed=True)
    mixed: bool
    layout: str
    options: Options
    cells: dict[Key, Value]  # what read_submission must return, blank → None
    sources: dict[Key, str]  # key → "Sheet!A1" (derived cells have none)
    raw: dict[Key, str]  # key → text or formula written where the cell is not a plain number
    mistake: str | None  # the rule the file breaks on purpose
    file_name: str
    received_at: datetime
    title_name: str  # the unit as named in the title ("" = no title row)
    filer_name: str  # the unit as named in the 填报单位 row ("" = no such row)
    supersedes: str | None = None  # file name of the earlier submission this one corrects
    written: dict[Key, Value] = field(default_factory=dict, repr=False)  # the figures given to the writer
    book: Book | None = field(default=None, repr=False, compare=False)  # the planned workbook, kept for write()
    form: str = "workbook"  # workbook | word | pdf | html
    document: DocumentOptions | None = None  # how a Word/PDF/HTML report is made
    data: bytes | None = field(default=None, repr=False, compare=False)  # a document's bytes, written once

    @property
    def fmt(self) -> ReportFormat:
        return _fmt(self.format_version, self.mixed)

    @property
    def unit_in_file_name(self) -> bool:
        return self.unit_name in self.file_name or any(a in self.file_name for a in (self.title_name, self.filer_name) if a)

    def plan(self) -> Book:
        return self.book or plan_report(self.fmt, self.written, self.unit_name, self.year, self.layout, self.options)

    def write(self, folder: Path) -> Path:
        path = Path(folder) / self.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.data is not None:
            path.write_bytes(self.data)
        else:
            render(self.plan(), path)
        return path

    @property
    def received_local(self) -> datetime:
        """The receipt time as the county's clock shows it (naive, like every time in the warehouse)."""
        return self.received_at.astimezone(CST).replace(tzinfo=None)


# ---------------------------------------------------------------- figures


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:  # normal approximation: fast and good enough for counts
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


@dataclass
class Profile:
    """A unit's typical yearly figures: the base every year draws around, so years stay comparable."""

    requests: dict[str, float]  # applicant code → new applications per year
    normative_in_force: int
    normative_issued: float
    licensing: float
    penalty: float
    coercion: float
    fees: float  # 万元
    reconsideration: float
    litigation: float


def _profile(rng: random.Random, unit: Unit) -> Profile:
    t = unit.unit_type
    code = unit.unit_code
    busy = code in {"dep_natural_resources", "dep_housing", "dep_public_security", "dep_hrss", "dep_market"}
    if t == "county_government":
        scale = 45.0
    elif t == "department":
        scale = rng.uniform(12, 40) if busy else rng.uniform(0, 6)
    elif t == "subdistrict":
        scale = rng.uniform(1, 6)
    else:
        scale = rng.uniform(0, 3)
    township = t in ("township", "subdistrict")
    shares = {
        "natural_person": 0.8,
        "commercial": 0.1,
        "research": 0 if township else 0.01,
        "public_interest": 0.02,
        "legal_services": 0 if township else 0.03,
        "other_org": 0.04,
    }
    licensing = {
        "dep_approval": 4200, "dep_market": 900, "dep_transport": 600, "dep_natural_resources": 320,
        "dep_housing": 410, "dep_health": 350,
    }.get(code)
    penalty = {"dep_public_security": 2600, "dep_market": 12, "dep_urban_management": 260, "dep_transport": 180}.get(code)
    fees = {"dep_natural_resources": 480, "dep_public_security": 36, "dep_housing": 55, "dep_market": 8}.get(code)
    return Profile(
        requests={c: scale * s for c, s in shares.items()},
        normative_in_force=rng.randint(0, 3) if township else rng.randint(2, 30),
        normative_issued=0.6 if township else rng.uniform(0.5, 4),
        licensing=licensing or (rng.uniform(2, 40) if township else rng.choice([0, 0, rng.uniform(5, 120)])),
        penalty=penalty or (rng.uniform(0, 15) if township else rng.choice([0, rng.uniform(2, 60)])),
        coercion=rng.uniform(0, 2) if township else rng.choice([0, 0, rng.uniform(0, 12)]),
        fees=fees or 0.0,
        reconsideration=0.1 if township else (scale / 10 if t != "department" or busy else 0.15),
        litigation=0.05 if township else (scale / 25 if busy or t == "county_government" else 0.05),
    )


# how outcomes typically split (codes of annual-report-format.md; unlisted leaves are rare)
OUTCOME_WEIGHTS = {
    "granted": 40, "partly_granted": 6, "unavailable_not_held": 22, "unavailable_needs_creation": 3,
    "unavailable_unclear": 2, "rejected_petition": 6, "rejected_duplicate": 3, "withheld_third_party": 2,
    "withheld_process_info": 2, "withheld_internal_affairs": 1, "other_no_correction": 3, "other_misc": 4,
    "other_total": 7,
}


@dataclass
class UnitState:
    """What carries from one year to the next: applications still open and documents in force."""

    carried: dict[str, int] = field(default_factory=dict)
    in_force: int | None = None


def _requests(rng: random.Random, fmt: ReportFormat, profile: Profile, carried: dict[str, int], factor: float):
    sec = fmt.section("requests")
    parts = [m.code for m in sec.columns[:-1]]
    total = sec.columns[-1].code
    leaves = [r.code for r in sec.rows if r.leaf_outcome and not r.derived]
    weights = [OUTCOME_WEIGHTS.get(code, 0.3) for code in leaves]
    out: dict[tuple[str, str], int] = {}
    for c in parts:
        new = _poisson(rng, profile.requests[c] * factor)
        over = carried.get(c, 0)
        forward = sum(rng.random() < 0.08 for _ in range(new + over))
        counts = dict.fromkeys(leaves, 0)
        for code in rng.choices(leaves, weights, k=new + over - forward):
            counts[code] += 1
        out.update({("new_received", c): new, ("carried_over", c): over, ("carried_forward", c): forward})
        out.update({(code, c): n for code, n in counts.items()})
        out[("concluded_total", c)] = new + over - forward
    for row in sec.rows:
        if not row.derived:
            out[(row.code, total)] = sum(out[(row.code, c)] for c in parts)
    return {("requests", r, c): v for (r, c), v in out.items()}


def _review(rng: random.Random, fmt: ReportFormat, profile: Profile) -> dict[Key, int]:
    sec = fmt.section("review_litigation")
    parts, total = [m.code for m in sec.columns[:-1]], sec.columns[-1].code
    out = {}
    for i, row in enumerate(sec.rows):
        lam = profile.reconsideration if i == 0 else profile.litigation
        n = _poisson(rng, lam)
        counts = dict.fromkeys(parts, 0)
        for code in rng.choices(parts, [6, 1, 1, 1.5], k=n):
            counts[code] += 1
        out.update({("review_litigation", row.code, c): v for c, v in counts.items()})
        out[("review_litigation", row.code, total)] = n
    return out


def _proactive_2021(rng: random.Random, profile: Profile, state: UnitState, factor: float) -> dict[Key, Value]:
    issued = _poisson(rng, profile.normative_issued)
    before = profile.normative_in_force if state.in_force is None else state.in_force
    repealed = min(before + issued, _poisson(rng, profile.normative_issued / 2))
    state.in_force = before + issued - repealed
    fees = profile.fees * factor
    fee_value = round(fees, rng.choice([2, 4, 6])) if fees else 0
    cells = {
        ("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
        ("normative_docs", "issued"): issued, ("normative_docs", "repealed"): repealed,
        ("normative_docs", "in_force"): state.in_force,
        ("licensing", "decisions"): _poisson(rng, profile.licensing * factor),
        ("penalty", "decisions"): _poisson(rng, profile.penalty * factor),
        ("coercion", "decisions"): _poisson(rng, profile.coercion * factor),
        ("fees", "amount_wan_yuan"): fee_value,
    }
    return {("proactive", r, c): v for (r, c), v in cells.items()}


def _proactive_2019(rng: random.Random, profile: Profile, fmt: ReportFormat) -> dict[Key, Value]:
    sec = fmt.section("proactive")
    out: dict[Key, Value] = {}
    for row, col in sec.cells():
        out[("proactive", row, col)] = 0
    made = _poisson(rng, profile.normative_issued + 1)
    out.update({
        ("proactive", "normative_docs", "new_made"): made,
        ("proactive", "normative_docs", "new_published"): made,
        ("proactive", "normative_docs", "total_published"): made + rng.randint(3, 12),
    })
    for row, lam in (("licensing", profile.licensing), ("other_services", 8), ("penalty", profile.penalty),
                     ("coercion", profile.coercion)):
        items = rng.randint(1, 12)
        out.update({
            ("proactive", row, "prev_year_items"): items,
            ("proactive", row, "change"): rng.randint(-min(items, 2), 2),
            ("proactive", row, "decisions"): _poisson(rng, lam),
        })
    out[("proactive", "procurement", "projects")] = rng.randint(2, 9)
    out[("proactive", "procurement", "amount")] = 251000  # written as 251000元, as seen in a real report
    return out


def _fmt(version: str, mixed: bool) -> ReportFormat:
    """The format as the unit printed it: a mixed report prints its derived row undivided."""
    return FORMATS[version].undivided() if mixed else FORMATS[version]


def _figures(rng, fmt: ReportFormat, profile: Profile, state: UnitState, factor: float):
    cells: dict[Key, Value] = {}
    if fmt.has("proactive", "normative_docs", "in_force"):  # documents in force, carried from year to year
        cells.update(_proactive_2021(rng, profile, state, factor))
    else:  # the 2019 format's items, decisions and procurement
        cells.update(_proactive_2019(rng, profile, fmt))
    cells.update(_requests(rng, fmt, profile, state.carried, factor))
    cells.update(_review(rng, fmt, profile))
    state.carried = {col: v for (_, row, col), v in cells.items() if row == "carried_forward"}
    return cells


def _plant(mistake: str, cells: dict[Key, Value], fmt: ReportFormat) -> dict:
    """Break the named rule (and only that one); returns extra writer options the mistake needs."""
    if mistake == "T3-BALANCE":  # one more application carried forward than there is, row total kept in step
        for col in ("natural_person", "total"):
            cells[("requests", "carried_forward", col)] += 1
    elif mistake == "T4-TOTAL":  # 洪泽区 2023: 维持 10, 纠正 1, 总计 0; 复议后起诉 维持 5, 总计 0
        sec = fmt.section("review_litigation")
        for row, figures in (("reconsideration", (10, 1, 0, 0, 0)), ("litigation_after_reconsideration", (5, 0, 0, 0, 0))):
            for m, v in zip(sec.columns, figures, strict=True):
                cells[("review_litigation", row, m.code)] = v
        return {"zero": "", "blank_total": False}  # the 0 in 总计 is printed, not a blank "not filled in"
    elif mistake == "T2-RULES":  # internal 规章制度 counted as 规章
        cells.update({("proactive", "rules", "issued"): 2, ("proactive", "rules", "in_force"): 2})
    elif mistake == "T2-FEES":  # 2.8 万元 typed as 28000, without its unit: too much for a township
        cells[("proactive", "fees", "amount_wan_yuan")] = 28000
    elif mistake == "R-NUMBER":
        return {"text_cells": ((("proactive", "penalty", "decisions"), NOT_A_NUMBER),)}
    elif mistake == "R-FORMULA":
        return {"formulas": "uncached", "layout": "stacked", "suffix": ".xlsx"}
    return {}


# ---------------------------------------------------------------- presentation


def _names(unit: Unit, county: str = COUNTY) -> tuple[str, str]:
    """(title name, 填报单位 name): 清河县大营镇 / 大营镇人民政府, 清河县发展和改革局 / 县发改局 …"""
    longest = max(unit.names, key=len)
    if unit.unit_type in ("county_government", "city_government"):
        return unit.unit_name, unit.unit_name
    if longest.startswith(county):
        title = longest
    elif unit.unit_name.startswith(county[-1]):
        title = county + unit.unit_name[1:]
    else:
        title = county + unit.unit_name
    filer = max((n for n in unit.names if not n.startswith(county)), key=len)
    return title, filer


def _presentation(rng: random.Random, key: tuple[str, int]) -> dict:
    p: dict = {
        "layout": rng.choices(("stacked", "per_table", "flat"), (55, 20, 25))[0],
        "suffix": rng.choices((".xlsx", ".xls", ".xlsm"), (88, 9, 3))[0],
    }
    if rng.random() < 0.25:
        p["start"] = (rng.randint(0, 3), rng.randint(0, 2))
    if rng.random() < 0.1:
        p["spacer"] = True
    if rng.random() < 0.15:
        p["variants"] = True
    if rng.random() < 0.2:
        p["half_width"] = True
    if rng.random() < 0.15:
        p["numbering"] = rng.choice(("、", "．"))
    if rng.random() < 0.3:
        p["numbers"] = rng.choice(("text", "fullwidth", "thousands", "padded", "mixed"))
    if rng.random() < 0.25:
        p["zero"] = rng.choice(("blank", *ZERO_WORDS))
    if rng.random() < 0.15:
        p["formulas"] = "cached"
    p.update(FIXED.get(key, {}))
    return p


def _file_name(rng: random.Random, unit: Unit, year: int, suffix: str, serial: int, in_name: bool) -> str:
    # the shortest name (县发改局), but never 清河县政府 before 政府信息公开…: the county government writes its full name
    short = unit.unit_name if unit.unit_type == "county_government" else min(unit.names, key=len)
    if not in_name:  # the reader must find the unit in the title or the 填报单位 row
        return f"{REPORT_TITLE}（{serial}）{suffix}"
    return rng.choice((
        f"{year}_{unit.unit_name}_{REPORT_TITLE}{suffix}",
        f"{short}{year}年{REPORT_TITLE}{suffix}",
        f"{year}年度{short}{REPORT_TITLE}{suffix}",
    ))


def _received(rng: random.Random, year: int, late: bool, day_range=(4, 29)) -> datetime:
    if late:
        return datetime(year + 1, 2, rng.randint(3, 25), rng.randint(9, 17), rng.randint(0, 59), tzinfo=CST)
    return datetime(year + 1, 1, rng.randint(*day_range), rng.randint(8, 17), rng.randint(0, 59), tzinfo=CST)


def _report(unit, year, version, mixed, cells, pres, mistake, file_name, received, supersedes=None,
            county: str = COUNTY) -> ExampleReport:
    fmt = _fmt(version, mixed)
    layout = pres.get("layout", "stacked")
    form = DOCUMENTS.get(Path(file_name).suffix.lower(), "workbook")
    document = None
    if form != "workbook":
        document = DocumentOptions(**{k: v for k, v in pres.items() if k in DOCUMENT_OPTION_NAMES and k != "layout"},
                                   layout=layout if layout == "flat" else "stacked")
        layout = document.layout
        pres = {k: v for k, v in pres.items() if k not in DOCUMENT_OPTION_NAMES and k not in WORKBOOK_ONLY}
    opts = Options(**{k: v for k, v in pres.items() if k not in ("layout", "suffix", "name_in_file")})
    if pres.get("suffix") == ".xls" and opts.formulas == "cached":
        opts = replace(opts, formulas="")  # xlwt stores no cached results: values instead
    title_name, filer_name = _names(unit, county)
    if opts.title is None:
        opts = replace(opts, title=f"{title_name}{year}年{REPORT_TITLE}")
    else:
        title_name = ""
    if opts.filer is None:
        opts = replace(opts, filer=f"{FILER.text}：{filer_name}")
    else:
        filer_name = ""
    book = plan_report(fmt, cells, unit.unit_name, year, layout, opts)
    sources, raw, data = book.sources, book.raw, None
    if document is not None:
        sources, raw, data = _document(fmt, cells, unit.unit_name, year, form, opts, document)
    return ExampleReport(
        unit_code=unit.unit_code, unit_name=unit.unit_name, unit_type=unit.unit_type, year=year,
        format_version=version, mixed=mixed, layout=layout, options=opts,
        cells=read_back(fmt, cells, opts), sources=sources, raw=raw, mistake=mistake,
        file_name=file_name, received_at=received, title_name=title_name, filer_name=filer_name,
        supersedes=supersedes, written=dict(cells), book=book, form=form, document=document, data=data,
    )


def _document(fmt, cells, unit_name, year, form, opts, document) -> tuple[dict, dict, bytes]:
    """A Word/PDF/HTML report made once: where each value is (a PDF's pages are known only once it is drawn), what
    was written where it is not a plain number, and the bytes."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="countystats-example-") as tmp:
        path = Path(tmp) / f"report.{form}"
        written = write_document(path, fmt, cells, unit_name, year, form, options=opts, document=document)
        return written.sources, written.raw, path.read_bytes()


def _no_copy(cells: dict[Key, Value], last: dict[Key, Value] | None) -> None:
    """Never identical to last year by accident (that is X-COPY, a finding): nudge 行政许可."""
    if last and all(last.get(k) == v for k, v in cells.items()) and any(cells.values()):
        key = ("proactive", "licensing", "decisions")
        if key in cells:
            cells[key] = (cells[key] or 0) + 1


def _first_and_corrected(unit, year, version, mixed, cells, pres, mistake, received, serial, rng,
                         county: str = COUNTY) -> list[ExampleReport]:
    """A file with a mistake (or, without one, an accepted file with a wrong 行政许可 figure), then the corrected
    file six days later: the newer accepted one becomes current (X-DUP)."""
    fmt = _fmt(version, mixed)
    first = dict(cells)
    first_pres = {**pres, **(_plant(mistake, first, fmt) if mistake else {})}
    if not mistake:
        licensing = ("proactive", "licensing", "decisions")
        first[licensing] = (first[licensing] or 0) + 7
    name = _file_name(rng, unit, year, first_pres.get("suffix", ".xlsx"), serial, True)
    stem, suffix = name.rsplit(".", 1)
    return [
        _report(unit, year, version, mixed, first, first_pres, mistake, name, received, county=county),
        _report(unit, year, version, mixed, cells, pres, None, f"{stem}（修改）.{suffix}",
                received + timedelta(days=6, hours=2), supersedes=name, county=county),
    ]


def generate_county(
    years: tuple[int, ...] = (2023, 2024), seed: int = SEED, registry: Registry | None = None, county: str = COUNTY
) -> list[ExampleReport]:
    """Every file the example county's inbox receives for ``years`` (in order of units and years; several per unit
    and year for resubmissions), deterministic for a given seed. ``registry``/``county``: another county's units
    and name (the example city's other counties: no mistakes planted, they are keyed by 清河县's unit codes)."""
    registry = registry or Registry.load(DEFAULT_REGISTRY)
    rng = random.Random(seed)
    profiles = {u.unit_code: _profile(rng, u) for u in registry.units}
    states = {u.unit_code: UnitState() for u in registry.units}
    last: dict[str, dict[Key, Value]] = {}
    reports: list[ExampleReport] = []
    serial = 0
    for year in years:
        for unit in registry.units:
            code, key = unit.unit_code, (unit.unit_code, year)
            factor = rng.uniform(0.75, 1.3)  # a busier or quieter year for this unit
            pres = _presentation(rng, key)
            if not unit.expected_in(year):
                continue
            meant = for_year(year)
            version = previous(meant).version if key in DRIFT else meant.version
            mixed = code in MIXED_UNITS and bool(FORMATS[version].derived_rows)
            fmt = _fmt(version, mixed)
            cells = _figures(rng, fmt, profiles[code], states[code], factor)
            if code == JUMP[0]:  # ≥ 10 the year before, ×13 in the jump year: X-JUMP surely fires
                penalty = ("proactive", "penalty", "decisions")
                if key == JUMP and code in last:
                    cells[penalty] = 13 * last[code][penalty]
                else:
                    cells[penalty] = max(cells[penalty], 12)
            if key in MISSING:
                continue  # the unit did the work (its carry-over moves on) but never sent the file
            _no_copy(cells, last.get(code))
            last[code] = dict(cells)
            if key in DRIFT:
                pres["money_suffix"] = True  # 采购总金额 251000元
            if key == YUAN_TYPED:  # the reader converts it: 3.25 万元 is what is stored, charted and exported
                cells[("proactive", "fees", "amount_wan_yuan")] = 32500
                pres["money_suffix"] = True
            if key == JUMP:
                pres["explanations"] = (("X-JUMP", EXPLANATION),)
            serial += 1
            in_name = pres.get("name_in_file", rng.random() < 0.8)
            mistake = MISTAKES.get(key) or ("X-JUMP" if key == JUMP else None)
            received = _received(rng, year, key in LATE, (16, 24) if key in RESUBMITTED else (4, 29))
            if key in RESUBMITTED:
                reports += _first_and_corrected(unit, year, version, mixed, cells, pres, mistake, received, serial, rng,
                                                county)
                continue
            if mistake in MISTAKES.values():
                pres.update(_plant(mistake, cells, fmt))
            name = _file_name(rng, unit, year, pres.get("suffix", ".xlsx"), serial, in_name)
            reports.append(_report(unit, year, version, mixed, cells, pres, mistake, name, received, county=county))
    return reports


def write_example_inbox(inbox: Path, years: tuple[int, ...] = (2023, 2024), seed: int = SEED) -> list[Path]:
    """Write the example county's files into ``inbox`` (created if needed), with the portal's receipts."""
    from transforms.inbox.archive import sha256_of, write_receipts

    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    reports = generate_county(years, seed)
    paths = [report.write(inbox) for report in reports]
    write_receipts(inbox, [(sha256_of(p.read_bytes()), p.name, r.received_local) for p, r in zip(paths, reports,
                                                                                                 strict=True)])
    return paths


# ---------------------------------------------------------------- the portal's past years (backfill)

PUBLISHED_YEARS = (2019, 2020, 2021, 2022)  # before countystats: 2019 and 2020 in the 2019 tables
# unit → the form its reports are posted in (the county government and its busiest departments publish on the portal)
PUBLISHED_UNITS = {
    "gov_county": "pdf",
    "dep_natural_resources": "html",
    "dep_public_security": "pdf",
    "dep_approval": "html",
    "twp_daying": "pdf",
    "sub_chengdong": "html",
}


def generate_published(years: tuple[int, ...] = PUBLISHED_YEARS, seed: int = SEED,
                       registry: Registry | None = None) -> list[ExampleReport]:
    """The reports of past years the county's portal holds, for a backfill run: deterministic, every identity holds,
    and each unit's run ends where its season of 2023 (``generate_county``) begins — nothing carried forward, the
    documents in force as that season starts from — so loading them raises no cross-year finding."""
    registry = registry or Registry.load(DEFAULT_REGISTRY)
    rng = random.Random(seed)
    profiles = {u.unit_code: _profile(rng, u) for u in registry.units}  # the same profiles as generate_county's
    rng = random.Random(seed + 1)
    reports: list[ExampleReport] = []
    for unit in registry.units:
        form = PUBLISHED_UNITS.get(unit.unit_code)
        if form is None:
            continue
        profile = profiles[unit.unit_code]
        last: dict[Key, Value] | None = None
        for n, year in enumerate(years):
            fmt = for_year(year)
            state = UnitState(in_force=profile.normative_in_force)
            cells = _figures(rng, fmt, profile, state, rng.uniform(0.75, 1.3))
            _settled(cells, fmt, profile.normative_in_force)
            _no_copy(cells, last)
            last = dict(cells)
            suffix = ".pdf" if form == "pdf" else rng.choice((".html", ".htm"))
            serial = 1000 + 37 * n + len(reports)
            name = (f"{year + 1}/P0{year + 1}03{10 + n}{serial}.pdf" if form == "pdf"
                    else f"{year + 1}/t{year + 1}0{rng.randint(2, 4)}{rng.randint(10, 28)}_{serial}{suffix}")
            pres = {"layout": "stacked", "suffix": suffix}
            if form == "html":
                pres.update({"furniture": True, "encoding": rng.choice(("utf-8", "gbk"))})
            received = datetime(year + 1, 3, rng.randint(1, 28), 10, tzinfo=CST)  # when it was posted
            reports.append(_report(unit, year, fmt.version, False, cells, pres, None, name, received))
    return reports


def _settled(cells: dict[Key, Value], fmt: ReportFormat, in_force: int) -> None:
    """Close the year as the next begins: what would be carried forward is concluded (予以公开) instead, and the
    documents in force stay as many as the next year starts from (as many repealed as issued)."""
    sec = fmt.section("requests")
    for m in sec.columns:
        forward = cells.get(("requests", "carried_forward", m.code)) or 0
        if forward:
            cells[("requests", "carried_forward", m.code)] = 0
            for row in ("granted", "concluded_total"):
                cells[("requests", row, m.code)] += forward
    if fmt.has("proactive", "normative_docs", "in_force"):
        cells[("proactive", "normative_docs", "repealed")] = cells[("proactive", "normative_docs", "issued")]
        cells[("proactive", "normative_docs", "in_force")] = in_force


def write_example_published(folder: Path, years: tuple[int, ...] = PUBLISHED_YEARS, seed: int = SEED) -> list[Path]:
    """Write the portal's past reports under ``folder`` (by year of publication, the portal's file names); no
    receipts: a backfill run takes them in when it finds them."""
    folder = Path(folder)
    return [report.write(folder) for report in generate_published(years, seed)]
