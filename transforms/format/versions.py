"""The formats countystats knows, oldest first: the one place that knows which versions exist.

Every other module asks here: which format a report year is meant for (``for_year``), the newest (``current``),
all of them (``FORMATS``, by version; ``ordered()``). A deployment — or a test of a format yet to come — adds
formats by naming modules in ``COUNTYSTATS_FORMAT_MODULES`` (comma-separated); each defines ``FORMATS``, a tuple of
:class:`~transforms.format.model.ReportFormat`, read when this package is first imported.
"""

from __future__ import annotations

import importlib
import os

from transforms.format.model import ReportFormat
from transforms.format.statutory import STATUTORY

PLUGIN_ENV = "COUNTYSTATS_FORMAT_MODULES"


def _load() -> dict[str, ReportFormat]:
    formats = list(STATUTORY)
    for name in filter(None, (m.strip() for m in os.environ.get(PLUGIN_ENV, "").split(","))):
        formats.extend(importlib.import_module(name).FORMATS)
    formats.sort(key=lambda f: f.meant_for_years[0])
    return {f.version: f for f in formats}


FORMATS: dict[str, ReportFormat] = _load()


def ordered(newest_first: bool = False) -> list[ReportFormat]:
    out = list(FORMATS.values())
    return out[::-1] if newest_first else out


def current() -> ReportFormat:
    """The newest format: what a blank template and the county's consolidated report use."""
    return ordered()[-1]


def for_year(year: int | None) -> ReportFormat:
    """The format a report for ``year`` is meant to use (the newest for an unknown year)."""
    if year is None:
        return current()
    meant = [f for f in ordered() if f.meant_for_years[0] <= year]
    return meant[-1] if meant else ordered()[0]


def versions() -> tuple[str, ...]:
    return tuple(FORMATS)


def previous(fmt: ReportFormat) -> ReportFormat | None:
    """The format before ``fmt`` (None for the oldest): what a unit that has not yet switched still files."""
    order = ordered()
    i = [f.version for f in order].index(fmt.version)
    return order[i - 1] if i else None
