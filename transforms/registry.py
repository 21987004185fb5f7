"""The county's unit registry (config/units.csv) and matching a workbook's unit name against it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from transforms.labels import normalise

DEFAULT_REGISTRY = Path(__file__).resolve().parent.parent / "config" / "units.csv"
FIELDS = ("unit_code", "unit_name", "unit_type", "aliases", "active_from", "active_to")


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
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        return cls(
            [
                Unit(
                    unit_code=r["unit_code"].strip(),
                    unit_name=r["unit_name"].strip(),
                    unit_type=r["unit_type"].strip(),
                    aliases=tuple(a.strip() for a in (r.get("aliases") or "").split("|") if a.strip()),
                    active_from=int(r["active_from"]) if (r.get("active_from") or "").strip() else None,
                    active_to=int(r["active_to"]) if (r.get("active_to") or "").strip() else None,
                )
                for r in rows
            ]
        )

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
