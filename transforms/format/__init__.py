"""The statutory report format and the facts around it, defined once, as data.

Everything else — the reader, the validation rules, blank templates, DuckDB labels, dashboards — derives from what
this package exports; no other module names a format version.

- :mod:`.model`: the shape (Label, Measure, Row, Block, Section, ReportFormat);
- :mod:`.statutory`: the 2019 and 2021 formats (``FORMAT_2019``, ``FORMAT_2021``: for tests of those very formats;
  everything else asks :mod:`.versions`); :mod:`.versions`: which exist, which a year is meant for;
- :mod:`.facts`: unit types, statuses, severities, the title and the fields around the tables;
- :mod:`.labels`: the matching key of a label.
"""

from transforms.format.facts import (
    COMPARED,
    COUNTED,
    EXPLANATION_LINE,
    EXPLANATIONS_SHEET,
    FILER,
    FILLED_BY,
    FIRST_REPORT_YEAR,
    MAX_VALUE,
    NARRATIVE,
    OF_FILE,
    OF_UNIT_YEAR,
    OUTLINE,
    REPORT_TITLE,
    RULE_ID,
    SEVERITY_ZH,
    STATUS_ZH,
    STATUSES,
    UNIT_TYPE_ZH,
    UNIT_TYPES,
    ZERO_WORDS,
    sql_list,
    unit_types,
)
from transforms.format.model import (
    JIAN,
    SECTIONS,
    TOTAL,
    UNDIVIDED,
    WAN_YUAN,
    YUAN,
    Block,
    Label,
    Measure,
    ReportFormat,
    Row,
    Section,
)
from transforms.format.versions import FORMATS, current, for_year, ordered, previous, versions

__all__ = [
    "COMPARED", "COUNTED", "OF_FILE", "OF_UNIT_YEAR", "EXPLANATION_LINE", "EXPLANATIONS_SHEET", "JIAN", "FILER", "FILLED_BY", "FIRST_REPORT_YEAR", "FORMATS", "MAX_VALUE", "NARRATIVE", "OUTLINE", "REPORT_TITLE", "RULE_ID",
    "SECTIONS", "SEVERITY_ZH", "UNDIVIDED", "STATUSES", "STATUS_ZH", "UNIT_TYPES", "UNIT_TYPE_ZH", "WAN_YUAN", "YUAN", "ZERO_WORDS", "Block",
    "Label", "Measure", "ReportFormat", "Row", "Section", "TOTAL", "current", "for_year", "ordered", "previous",
    "sql_list", "unit_types", "versions",
]
