"""The county's unit registry (config/units.csv) and matching a workbook's unit name against it.

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
FIELDS = ("unit_code", "unit_name", "unit_type", "aliases", "active_from", "active_to")
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
class Unit:
    unit_code: str
    unit_name: str
    unit_type: str
    aliases: tuple[str, ...] = ()
    active_from: int | None = None
    active_to: int | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.unit_name, *self.aliases)

    def expected_in(self, year: int) -> bool:
        return (self.active_from is None or year >= self.active_from) and (
            self.active_to is None or year <= self.active_to
        )


class Registry:
    def __init__(self, units: list[Unit]):
        self.units = units
        self.by_code = {u.unit_code: u for u in units}
        # longest names first, so 大营镇人民政府 wins over 大营镇 inside a longer text
        self._names = sorted(
            ((normalise(n), u) for u in units for n in u.names if n), key=lambda p: -len(p[0])
        )
        self._exact: dict[str, Unit] = {}  # the first unit of _names with that name, as the loop would find it
        for name, unit in self._names:
            self._exact.setdefault(name, unit)

    @classmethod
    def load(cls, path: str | Path = DEFAULT_REGISTRY) -> Registry:
        """Read and check the registry; raises :class:`RegistryError` listing every problem with its line."""
        path = Path(path)
        try:
            if path.stat().st_size > MAX_REGISTRY_BYTES:
                raise RegistryError(path, [f"文件过大（超过 {MAX_REGISTRY_BYTES // 1024 // 1024} MB），不像单位名册"])
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise RegistryError(path, [f"无法读取（{exc.strerror or exc}）"]) from exc
        except UnicodeDecodeError as exc:
            raise RegistryError(path, [f"不是 UTF-8 编码（第 {text_line(exc)} 行附近）：请用 UTF-8 另存"]) from exc
        return cls(parse_units(text, path))

    def match(self, text: str) -> Unit | None:
        """The unit whose name or alias is the text, or failing that, the longest one contained in it."""
        key = normalise(text)
        if not key:
            return None
        if key in self._exact:
            return self._exact[key]
        for name, unit in self._names:
            if name in key:
                return unit
        return None

    def expected(self, year: int) -> list[Unit]:
        return [u for u in self.units if u.expected_in(year)]


def text_line(exc: UnicodeDecodeError) -> int:
    return exc.object[: exc.start].count(b"\n") + 1


def parse_units(text: str, path: str | Path = "units.csv") -> list[Unit]:
    """The units of a registry's text, checked; raises :class:`RegistryError`."""
    import io

    problems: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise RegistryError(path, ["文件是空的：第 1 行应为表头 " + ",".join(FIELDS)]) from None
    except csv.Error as exc:
        raise RegistryError(path, [f"第 1 行：{exc}"]) from None
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        raise RegistryError(path, [f"第 1 行（表头）缺少列：{'、'.join(missing)}（应为 {','.join(FIELDS)}）"])
    units: list[Unit] = []
    codes: dict[str, int] = {}
    names: dict[str, tuple[int, str]] = {}  # normalised name → (line, unit code)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise RegistryError(path, [f"第 {reader.line_num} 行：{exc}"]) from None
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(row) < len(header):
            problems.append(f"第 {line} 行只有 {len(row)} 列，应有 {len(header)} 列（{','.join(header)}）")
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            problems.append(f"第 {line} 行有 {len(row)} 列，多于表头的 {len(header)} 列（单位名称中的逗号请加英文双引号）")
            continue
        r = {h: (row[i] if i < len(row) else "").strip() for i, h in enumerate(header)}
        here: list[str] = []
        for f in REQUIRED:
            if not r[f]:
                here.append(f"第 {line} 行：{f} 为空")
        code, name, kind = r["unit_code"], r["unit_name"], r["unit_type"]
        if kind and kind not in UNIT_TYPES:
            hint = f"（是否应为 {kind.strip().lower()}？）" if kind.strip().lower() in UNIT_TYPES else ""
            here.append(f"第 {line} 行：单位类型“{kind}”不在 {'、'.join(UNIT_TYPES)} 之中{hint}")
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
            other = names.get(key)
            if other is not None and other[1] != code:
                here.append(f"第 {line} 行：名称“{n}”与第 {other[0]} 行的单位（{other[1]}）重名，"
                            "文件将无法确定属于哪个单位")
            else:
                names.setdefault(key, (line, code))
        if code:
            codes.setdefault(code, line)
        if here:
            problems.extend(here)
            continue
        units.append(Unit(code, name, kind, aliases, start, end))
    if problems:
        raise RegistryError(path, problems)
    if not units:
        raise RegistryError(path, ["名册中没有任何单位"])
    return units
