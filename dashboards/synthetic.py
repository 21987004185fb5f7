"""A synthetic warehouse with exactly the relations of shared/spec/interfaces.md, generated from the format definition.

Why here and not in tests/: the dashboard tests, the analyst-query tests and the benchmark all need a realistic
warehouse of any size, independent of the loader being written in parallel (transforms/warehouse.py). Every cell
is produced from ``transforms.format`` so the data respects the format's own arithmetic (T3-BALANCE,
T3-ROWSUM, T3-OUTCOMES, T4-TOTAL), and the unit names include a hostile one to prove the pages escape text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from transforms.format import FORMATS, SEVERITY_ZH, for_year
from transforms.rules import RULES

HOSTILE_NAME = "<script>alert(1)</script>镇"

# report year -> format version the synthetic units use (the 2019→2021 break falls between 2020 and 2023)
YEARS = {year: for_year(year).version for year in (2020, 2023, 2024)}

SCHEMA = """
CREATE TABLE units (unit_code VARCHAR, unit_name VARCHAR, unit_type VARCHAR, active_from INTEGER, active_to INTEGER);
CREATE TABLE submissions (submission_id VARCHAR, unit_code VARCHAR, report_year INTEGER, format_version VARCHAR,
    source_file VARCHAR, sha256 VARCHAR, received_at TIMESTAMP, status VARCHAR, is_current BOOLEAN);
CREATE TABLE findings (submission_id VARCHAR, rule VARCHAR, severity VARCHAR, section VARCHAR, row_code VARCHAR,
    column_code VARCHAR, cell VARCHAR, message VARCHAR, expected DOUBLE, actual DOUBLE);
CREATE TABLE proactive_cells (unit_code VARCHAR, unit_name VARCHAR, unit_type VARCHAR, report_year INTEGER,
    format_version VARCHAR, row_code VARCHAR, measure_code VARCHAR, value DOUBLE);
CREATE TABLE requests_cells (unit_code VARCHAR, unit_name VARCHAR, unit_type VARCHAR, report_year INTEGER,
    format_version VARCHAR, row_code VARCHAR, applicant_code VARCHAR, value DOUBLE);
CREATE TABLE review_litigation_cells (unit_code VARCHAR, unit_name VARCHAR, unit_type VARCHAR, report_year INTEGER,
    format_version VARCHAR, proceeding_code VARCHAR, result_code VARCHAR, value DOUBLE);
CREATE TABLE completeness (unit_code VARCHAR, unit_name VARCHAR, report_year INTEGER, status VARCHAR,
    first_received_at TIMESTAMP, on_time BOOLEAN);
"""


@dataclass(frozen=True)
class SynthUnit:
    code: str
    name: str
    type: str
    active_from: int | None = None
    active_to: int | None = None


def small_county() -> list[SynthUnit]:
    """Several units of each type, one hostile name, one unit new in 2023 and one dissolved after 2023."""
    towns = ["大营镇", "城关镇", "柳河乡", HOSTILE_NAME, "石桥镇"]
    subs = ["东城街道", "西城街道", "南湖街道"]
    depts = ["县教育局", "县公安局", "县自然资源局", "县市场监督管理局"]
    units = [SynthUnit(f"T{i:03d}", n, "township") for i, n in enumerate(towns, 1)]
    units += [SynthUnit(f"S{i:03d}", n, "subdistrict", 2023 if i == 3 else None) for i, n in enumerate(subs, 1)]
    units += [SynthUnit(f"D{i:03d}", n, "department", None, 2023 if i == 4 else None) for i, n in enumerate(depts, 1)]
    return units


def many_units(n: int) -> list[SynthUnit]:
    """n units in the proportions of a large county (60% departments, 30% townships, 10% subdistricts)."""
    kinds = [("department", "D", "县第{}局"), ("township", "T", "第{}镇"), ("subdistrict", "S", "第{}街道")]
    units = []
    for i in range(n):
        kind, prefix, pattern = kinds[0] if i % 10 < 6 else kinds[1] if i % 10 < 9 else kinds[2]
        units.append(SynthUnit(f"{prefix}{i:05d}", pattern.format(i), kind))
    units.append(SynthUnit("T99999", HOSTILE_NAME, "township"))
    return units


def _status(rng: random.Random, unit_index: int, year: int) -> tuple[str, bool]:
    """(completeness status, on_time); the first units of 2024 are pinned so every status shows in the fixture."""
    pinned = {0: ("accepted", True), 1: ("accepted_with_warnings", False), 2: ("rejected", True),
              3: ("accepted_with_warnings", True), 4: ("missing", False)}
    if year == max(YEARS) and unit_index in pinned:
        return pinned[unit_index]
    r = rng.random()
    status = "missing" if r < 0.07 else "rejected" if r < 0.14 else "accepted_with_warnings" if r < 0.35 else "accepted"
    return status, rng.random() > 0.12


def _requests(rng: random.Random, fmt_version: str, unit_type: str) -> dict[tuple[str, str], float]:
    fmt = FORMATS[fmt_version]
    leaves = [r for r in fmt.leaf_outcomes]
    weights = [30 if r == "granted" else 8 if r == "partly_granted" else 1 for r in leaves]
    cells: dict[tuple[str, str], float] = {}
    section = fmt.section("requests")
    applicants = section.parts
    for app in applicants:
        scale = 12 if app == "natural_person" else 4 if app == "commercial" else 1
        if unit_type == "township" and app in ("research", "legal_services"):
            scale = 0
        new = rng.randint(0, scale * 3) if scale else 0
        carried_over = rng.randint(0, max(1, scale // 4)) if scale else 0
        carried_forward = rng.randint(0, min(2, new + carried_over))
        concluded = new + carried_over - carried_forward
        outcome = dict.fromkeys(leaves, 0)
        for row in rng.choices(leaves, weights, k=concluded):
            outcome[row] += 1
        cells[("new_received", app)] = new
        cells[("carried_over", app)] = carried_over
        cells[("carried_forward", app)] = carried_forward
        cells[("concluded_total", app)] = concluded
        for row, v in outcome.items():
            cells[(row, app)] = v
        for derived in section.derived_rows:
            cells[(derived, app)] = sum(outcome[c] for c in section.children(derived))
    rows = {r for r, _ in cells}
    for row in rows:
        cells[(row, "total")] = sum(cells[(row, a)] for a in applicants)
    return cells


def _review(rng: random.Random) -> dict[tuple[str, str], float]:
    cells = {}
    for proc in ("reconsideration", "litigation_direct", "litigation_after_reconsideration"):
        parts = {res: (rng.choices([0, 1, 2, 3], [6, 3, 1, 1])[0]) for res in ("upheld", "corrected", "other", "pending")}
        if proc != "reconsideration":
            parts["corrected"] = min(parts["corrected"], 1)
        for res, v in parts.items():
            cells[(proc, res)] = v
        cells[(proc, "total")] = sum(parts.values())
    return cells


def _proactive(rng: random.Random, fmt_version: str, unit_type: str) -> dict[tuple[str, str], float]:
    section = FORMATS[fmt_version].section("proactive")
    cells = {}
    dept = unit_type == "department"
    for row, col in section.cells():
        m = section.measure(row, col)
        if row == "rules":
            v: float = 0
        elif m.decimal:
            v = round(rng.uniform(0, 250), 4) if dept and rng.random() < 0.7 else 0
        elif m.signed:
            v = rng.randint(-3, 5)
        elif row in ("licensing", "penalty", "coercion") and col == "decisions":
            v = rng.randint(0, 400 if dept else 40)
        else:
            v = rng.randint(0, 30 if dept else 8)
        cells[(row, col)] = v
    # in force ≥ issued: a unit's stock of normative documents includes this year's
    if ("normative_docs", "in_force") in cells:
        cells[("normative_docs", "in_force")] += cells[("normative_docs", "issued")] + rng.randint(5, 40)
    return cells


def _findings(rng: random.Random, sub_id: str, status: str, on_time: bool, fmt_version: str) -> list[tuple]:
    req = FORMATS[fmt_version].section("requests")
    out = []
    if status == "rejected":
        a, b = rng.randint(5, 30), 0
        b = a - rng.randint(1, 4)
        out.append((sub_id, "T3-BALANCE", "error", "requests", "new_received", "natural_person", "Sheet1!C8",
                    f"{req.describe('new_received', 'natural_person')}（Sheet1!C8）：第一项加第二项之和为{a}，"
                    f"第三项加第四项之和为{b}，两者应相等。", float(a), float(b)))
    if status == "accepted_with_warnings":
        rule = rng.choice(["T3-SHIFT", "R-BLANK", "X-JUMP"])
        out.append((sub_id, rule, RULES[rule].severity, "requests", "new_received", "research", "Sheet1!E8",
                    f"{req.describe('new_received', 'research')}（Sheet1!E8）：{RULES[rule].name_zh}，请核实。",
                    None, float(rng.randint(1, 5))))
    if not on_time and status != "missing":
        out.append((sub_id, "P-LATE", "warning", None, None, None, None,
                    f"{RULES['P-LATE'].name_zh}：报送时间晚于1月31日。", None, None))
    assert all(f[2] in SEVERITY_ZH for f in out)
    return out


def build_warehouse(db_path: Path, units: list[SynthUnit] | None = None, seed: int = 7) -> Path:
    """Write a DuckDB file at db_path (replacing it) with the interfaces.md relations filled for every year of YEARS."""
    units = small_county() if units is None else units
    rng = random.Random(seed)
    rows: dict[str, list[tuple]] = {k: [] for k in ("sub", "fin", "pro", "req", "rev", "com")}
    for year, fmt in YEARS.items():
        deadline = datetime(year + 1, 1, 31, 23, 59)
        for i, u in enumerate(units):
            if (u.active_from and year < u.active_from) or (u.active_to and year > u.active_to):
                continue
            status, on_time = _status(rng, i, year)
            received = None
            if status != "missing":
                received = deadline - timedelta(days=rng.randint(1, 25)) if on_time else deadline + timedelta(days=rng.randint(1, 20))
                sub_id = f"{u.code}-{year}-1"
                rows["sub"].append((sub_id, u.code, year, fmt, f"{u.name}{year}年报告.xlsx", f"{i:064x}", received,
                                    status, status != "rejected"))
                rows["fin"] += _findings(rng, sub_id, status, on_time, fmt)
                if status != "rejected":
                    key = (u.code, u.name, u.type, year, fmt)
                    rows["pro"] += [(*key, r, c, v) for (r, c), v in _proactive(rng, fmt, u.type).items()]
                    rows["req"] += [(*key, r, c, v) for (r, c), v in _requests(rng, fmt, u.type).items()]
                    rows["rev"] += [(*key, r, c, v) for (r, c), v in _review(rng).items()]
            rows["com"].append((u.code, u.name, year, status, received, on_time if received else None))
    # a file whose unit could not be matched: findings without a unit (R-UNIT), as the reader produces them
    rows["sub"].append(("unknown-2024-1", None, 2024, YEARS[2024], "某某单位2024年报告.xlsx", "f" * 64,
                        datetime(2025, 1, 20), "rejected", False))
    rows["fin"].append(("unknown-2024-1", "R-UNIT", "error", None, None, None, "Sheet1!A1",
                        f"{RULES['R-UNIT'].name_zh}：“某某单位”不在本县报送单位名册中。", None, None))
    db_path = Path(db_path)
    db_path.unlink(missing_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        con.execute(SCHEMA)
        if units:
            con.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?)",
                            [(u.code, u.name, u.type, u.active_from, u.active_to) for u in units])
        # through DataFrames: executemany is far too slow for the 1,000-unit benchmark's ~700,000 cells
        for key, table in [("sub", "submissions"), ("fin", "findings"), ("pro", "proactive_cells"),
                           ("req", "requests_cells"), ("rev", "review_litigation_cells"), ("com", "completeness")]:
            if rows[key]:
                cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
                frame = pd.DataFrame(rows[key], columns=cols)  # noqa: F841 (read by DuckDB's replacement scan)
                con.execute(f"INSERT INTO {table} SELECT * FROM frame")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db_path
