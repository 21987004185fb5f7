"""The registry of areas and units (config/areas.csv, config/units.csv) and matching a workbook's unit against it.

One deployment serves a county, or a city or province of many counties (``areas.csv`` beside ``units.csv``: the area
tree county → city → province; each unit names its county in ``area_code``). Without ``areas.csv`` the registry is
one county's, as it always was: ``area_code`` blank. Unit names repeat across counties (every county has its 城关镇),
so names are unique within an area and a name is matched within the area the file came from (:meth:`Registry.matches`).

The registry is the office's configuration, so it is checked whole before any run starts: a short row, a year that
is not a year, a duplicate code, a name two units share, an unknown unit type or an inverted range would otherwise
silently send one unit's files to another, make an accepted report not current, or switch a rule off. Every problem
is reported at once, each naming its line, in Chinese (:class:`RegistryError`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from transforms.format import FIRST_REPORT_YEAR, UNIT_TYPE_ZH
from transforms.format.labels import normalise

DEFAULT_REGISTRY = Path(__file__).resolve().parent.parent / "config" / "units.csv"
AREAS_FILE = "areas.csv"  # beside units.csv
FIELDS = ("unit_code", "unit_name", "unit_type", "aliases", "active_from", "active_to", "area_code")
AREA_FIELDS = ("area_code", "area_name", "area_type", "parent_code")
AREA_TYPE_ZH = {"county": "县（市、区）", "city": "设区的市", "province": "省（自治区、直辖市）"}
AREA_TYPES = tuple(AREA_TYPE_ZH)
_LEVEL = {t: i for i, t in enumerate(AREA_TYPES)}  # a parent is of a higher level than its child
# the area a unit of each type belongs to: its county, except a city's government (its city)
_UNIT_AREA_TYPE = {"city_government": "city"}
REQUIRED = ("unit_code", "unit_name", "unit_type")
UNIT_TYPES = tuple(UNIT_TYPE_ZH)
LAST_YEAR = 2100  # active_to beyond this is a typing error, not a plan
MAX_REGISTRY_BYTES = 10 * 1024 * 1024


class RegistryError(ValueError):
    """The registry cannot be used; ``problems`` are Chinese, one per line of the file at fault."""

    def __init__(self, path: str | Path, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ……另有 {len(problems) - 50} 处" if len(problems) > 50 else ""
        super().__init__(f"单位名册 {path} 有 {len(problems)} 处错误，请改正后再运行：\n{shown}{more}")


@dataclass(frozen=True)
class Area:
    area_code: str
    area_name: str
    area_type: str  # county | city | province
    parent_code: str | None = None


@dataclass(frozen=True)
class Unit:
    unit_code: str
    unit_name: str
    unit_type: str
    aliases: tuple[str, ...] = ()
    active_from: int | None = None
    active_to: int | None = None
    area_code: str = ""  # the county (a city's government: the city); "" in a one-county registry

    @property
    def names(self) -> tuple[str, ...]:
        return (self.unit_name, *self.aliases)

    def expected_in(self, year: int) -> bool:
        return (self.active_from is None or year >= self.active_from) and (
            self.active_to is None or year <= self.active_to
        )


class Registry:
    def __init__(self, units: list[Unit], areas: list[Area] | tuple[Area, ...] = ()):
        self.units = units
        self.areas = list(areas)
        self.by_code = {u.unit_code: u for u in units}
        self.area_by_code = {a.area_code: a for a in self.areas}
        self._children: dict[str | None, list[Area]] = {}
        for a in self.areas:
            self._children.setdefault(a.parent_code, []).append(a)
        # per area, longest names first, so 大营镇人民政府 wins over 大营镇 inside a longer text
        self._names: dict[str, list[tuple[str, Unit]]] = {}
        for u in units:
            self._names.setdefault(u.area_code, []).extend((normalise(n), u) for n in u.names if n)
        for names in self._names.values():
            names.sort(key=lambda p: -len(p[0]))
        # name → the unit of each area with that name, as the loop would find it first
        self._exact: dict[str, dict[str, Unit]] = {}
        for area, names in self._names.items():
            for name, unit in names:
                self._exact.setdefault(name, {}).setdefault(area, unit)
        # counties by name, longest first (a file that names its county: 清河县大营镇人民政府)
        self._county_names = sorted(((normalise(a.area_name), a) for a in self.areas if a.area_type == "county"),
                                    key=lambda p: -len(p[0]))

    @classmethod
    def load(cls, path: str | Path = DEFAULT_REGISTRY) -> Registry:
        """Read and check the registry (and ``areas.csv`` beside it, when there is one); raises
        :class:`RegistryError` listing every problem with its line."""
        path = Path(path)
        areas_path = path.parent / AREAS_FILE
        areas = parse_areas(_read(areas_path), areas_path) if areas_path.is_file() else []
        return cls(parse_units(_read(path), path, areas), areas)

    @property
    def many_areas(self) -> bool:
        """Whether units of more than one area are registered (a name must then be matched within its area)."""
        return len(self._names) > 1

    def match(self, text: str, area: str | None = None) -> Unit | None:
        """The unit whose name or alias is the text, or failing that, the longest one contained in it; within
        ``area`` (a county, or every county under a city or province) when given. Where units of several areas fit
        equally, the first registered: :meth:`matches` tells them apart."""
        found = self.matches(text, area)
        return found[0] if found else None

    def matches(self, text: str, area: str | None = None) -> list[Unit]:
        """The units that fit the text best — one per area whose units fit it equally well (the same township name
        in two counties); within ``area`` when given. Empty when none fits."""
        key = normalise(text)
        if not key:
            return []
        scope = self._scope(area)
        exact = self._exact.get(key)
        if exact:
            found = [u for a, u in exact.items() if scope is None or a in scope]
            if found:
                return found
        best: list[Unit] = []
        longest = 0
        for a, names in self._names.items():
            if scope is not None and a not in scope:
                continue
            for name, unit in names:
                if len(name) < longest:
                    break
                if name in key:
                    if len(name) > longest:
                        best, longest = [], len(name)
                    best.append(unit)
                    break
        return best

    def _scope(self, area: str | None) -> set[str] | None:
        if area is None:
            return None
        return {area} | {a.area_code for a in self.descendants(area)}

    def counties_named(self, text: str) -> list[Area]:
        """The counties whose name the text carries (清河县大营镇人民政府 → 清河县), longest name first."""
        key = normalise(text)
        return [a for name, a in self._county_names if name and name in key]

    def children(self, code: str | None) -> list[Area]:
        """The areas directly under ``code`` (None: the roots), in registry order."""
        return list(self._children.get(code, []))

    def descendants(self, code: str) -> list[Area]:
        out: list[Area] = []
        todo = self.children(code)
        while todo:
            a = todo.pop(0)
            out.append(a)
            todo.extend(self.children(a.area_code))
        return out

    def ancestors(self, code: str) -> list[Area]:
        """The areas above ``code``, nearest first."""
        out: list[Area] = []
        parent = self.area_by_code[code].parent_code if code in self.area_by_code else None
        while parent is not None and parent in self.area_by_code:
            out.append(self.area_by_code[parent])
            parent = self.area_by_code[parent].parent_code
        return out

    def unknown_area(self, code: str | None) -> str | None:
        """Why ``code`` names no area of the registry (Chinese), or None when it does (or none is given)."""
        if code is None or code in self.area_by_code:
            return None
        return f"区划代码“{code}”不在区划表中"

    def area_name(self, code: str) -> str:
        area = self.area_by_code.get(code)
        return area.area_name if area else code

    def expected(self, year: int) -> list[Unit]:
        return [u for u in self.units if u.expected_in(year)]


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_REGISTRY_BYTES:
            raise RegistryError(path, [f"文件过大（超过 {MAX_REGISTRY_BYTES // 1024 // 1024} MB），不像名册"])
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise RegistryError(path, [f"无法读取（{exc.strerror or exc}）"]) from exc
    except UnicodeDecodeError as exc:
        raise RegistryError(path, [f"不是 UTF-8 编码（第 {text_line(exc)} 行附近）：请用 UTF-8 另存"]) from exc


def text_line(exc: UnicodeDecodeError) -> int:
    return exc.object[: exc.start].count(b"\n") + 1


def _records(text: str, path: str | Path, fields: tuple[str, ...], required: tuple[str, ...]):
    """(line, {column: stripped text}) of each non-blank row of a registry CSV, and the problems of its shape."""
    import io

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise RegistryError(path, ["文件是空的：第 1 行应为表头 " + ",".join(fields)]) from None
    except csv.Error as exc:
        raise RegistryError(path, [f"第 1 行：{exc}"]) from None
    missing = [f for f in required if f not in header]
    if missing:
        raise RegistryError(path, [f"第 1 行（表头）缺少列：{'、'.join(missing)}（应为 {','.join(fields)}）"])
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise RegistryError(path, [f"第 {reader.line_num} 行：{exc}"]) from None
    records: list[tuple[int, dict[str, str]]] = []
    problems: list[str] = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(row) < len(header):
            problems.append(f"第 {line} 行只有 {len(row)} 列，应有 {len(header)} 列（{','.join(header)}）")
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            problems.append(f"第 {line} 行有 {len(row)} 列，多于表头的 {len(header)} 列（名称中的逗号请加英文双引号）")
            continue
        record = {f: "" for f in fields}
        record.update({h: (row[i] if i < len(row) else "").strip() for i, h in enumerate(header)})
        empty = [f"第 {line} 行：{f} 为空" for f in required if not record[f]]
        if empty:
            problems.extend(empty)
            continue
        records.append((line, record))
    return records, problems


def parse_areas(text: str, path: str | Path = AREAS_FILE) -> list[Area]:
    """The areas of ``areas.csv``, checked: codes unique, types known, every parent listed and of a higher level
    (county → city → province; a 市辖区 is a county), so the tree has no loop; raises :class:`RegistryError`."""
    records, problems = _records(text, path, AREA_FIELDS, ("area_code", "area_name", "area_type"))
    lines = {r["area_code"]: line for line, r in reversed(records)}
    types = {r["area_code"]: r["area_type"] for _line, r in reversed(records)}
    seen: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    areas: list[Area] = []
    for line, r in records:
        here: list[str] = []
        code, name, kind, parent = r["area_code"], r["area_name"], r["area_type"], r["parent_code"] or None
        if code in seen:
            here.append(f"第 {line} 行：区划代码“{code}”与第 {seen[code]} 行重复")
        if kind not in AREA_TYPES:
            here.append(f"第 {line} 行：区划类型“{kind}”不在 {'、'.join(AREA_TYPES)} 之中")
        if parent is not None:
            if parent not in lines:
                here.append(f"第 {line} 行：上级区划“{parent}”不在区划表中")
            elif kind in _LEVEL and types[parent] in _LEVEL and _LEVEL[types[parent]] <= _LEVEL[kind]:
                here.append(f"第 {line} 行：上级区划“{parent}”是{AREA_TYPE_ZH[types[parent]]}，"
                            f"不能管辖{AREA_TYPE_ZH[kind]}“{name}”")
        key = (parent or "", normalise(name))
        if key in names:
            here.append(f"第 {line} 行：名称“{name}”与第 {names[key]} 行同属一个上级，重名")
        seen.setdefault(code, line)
        names.setdefault(key, line)
        if here:
            problems.extend(here)
            continue
        areas.append(Area(code, name, kind, parent))
    if problems:
        raise RegistryError(path, problems)
    if not areas:
        raise RegistryError(path, ["区划表中没有任何区划"])
    return areas


def parse_units(text: str, path: str | Path = "units.csv", areas: list[Area] | tuple[Area, ...] = ()) -> list[Unit]:
    """The units of a registry's text, checked against the areas (none: one county); raises :class:`RegistryError`.

    With areas, each unit names its area (its county; a city's government its city); a blank ``area_code`` is the
    one county where the areas have only one. Names are unique within an area: the same township name in two
    counties is two units."""
    records, problems = _records(text, path, FIELDS, REQUIRED)
    by_code = {a.area_code: a for a in areas}
    counties = [a for a in areas if a.area_type == "county"]
    units: list[Unit] = []
    codes: dict[str, int] = {}
    names: dict[tuple[str, str], tuple[int, str]] = {}  # (area, normalised name) → (line, unit code)
    for line, r in records:
        here: list[str] = []
        code, name, kind, area = r["unit_code"], r["unit_name"], r["unit_type"], r["area_code"]
        if kind not in UNIT_TYPES:
            hint = f"（是否应为 {kind.strip().lower()}？）" if kind.strip().lower() in UNIT_TYPES else ""
            here.append(f"第 {line} 行：单位类型“{kind}”不在 {'、'.join(UNIT_TYPES)} 之中{hint}")
        if area and not areas:
            here.append(f"第 {line} 行：填了区划代码“{area}”，但名册旁没有区划表 {AREAS_FILE}")
        elif area and area not in by_code:
            here.append(f"第 {line} 行：区划代码“{area}”不在区划表 {AREAS_FILE} 中")
        elif areas and not area:
            if len(counties) == 1:
                area = counties[0].area_code
            else:
                here.append(f"第 {line} 行：area_code 为空，但区划表中有 {len(counties)} 个县（市、区），请填写单位所属的县")
        if area in by_code and kind in UNIT_TYPES:
            wanted = _UNIT_AREA_TYPE.get(kind, "county")
            if by_code[area].area_type != wanted:
                here.append(f"第 {line} 行：{UNIT_TYPE_ZH[kind]}“{name}”应属于{AREA_TYPE_ZH[wanted]}，"
                            f"而区划“{area}”是{AREA_TYPE_ZH[by_code[area].area_type]}")
        years = {}
        for f in ("active_from", "active_to"):
            value = r.get(f, "")
            if not value:
                years[f] = None
                continue
            try:
                years[f] = int(value)
            except ValueError:
                here.append(f"第 {line} 行：{f}“{value}”不是年份（应填四位数字，如 2024，或留空）")
                continue
            if not FIRST_REPORT_YEAR <= years[f] <= LAST_YEAR:
                here.append(f"第 {line} 行：{f} {years[f]} 不在 {FIRST_REPORT_YEAR}–{LAST_YEAR} 之间")
        start, end = years.get("active_from"), years.get("active_to")
        if start is not None and end is not None and start > end:
            here.append(f"第 {line} 行：active_from {start} 晚于 active_to {end}")
        if code in codes:
            here.append(f"第 {line} 行：单位代码“{code}”与第 {codes[code]} 行重复")
        aliases = tuple(dict.fromkeys(a.strip() for a in r.get("aliases", "").split("|") if a.strip()))
        for n in dict.fromkeys((name, *aliases)):
            key = normalise(n)
            if not key:
                continue
            other = names.get((area, key))
            if other is not None and other[1] != code:
                here.append(f"第 {line} 行：名称“{n}”与第 {other[0]} 行的单位（{other[1]}）重名，"
                            "文件将无法确定属于哪个单位")
            else:
                names.setdefault((area, key), (line, code))
        codes.setdefault(code, line)
        if here:
            problems.extend(here)
            continue
        units.append(Unit(code, name, kind, aliases, start, end, area))
    if problems:
        raise RegistryError(path, problems)
    if not units:
        raise RegistryError(path, ["名册中没有任何单位"])
    return units
