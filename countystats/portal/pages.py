"""The portal's pages in Chinese, rendered by Jinja2 with autoescaping: every text that came from a file (a unit
name, a label, a file name) is shown as text, never as markup."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from transforms.format import SEVERITY_ZH, STATUS_ZH
from transforms.rules import RULES

HERE = Path(__file__).parent
SEVERITY_ORDER = {"error": 0, "warning": 1, "notice": 2}


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(STATUS_ZH=STATUS_ZH, SEVERITY_ZH=SEVERITY_ZH, rule_name=_rule_name)
    return env


def _rule_name(rule_id: str) -> str:
    rule = RULES.get(rule_id)
    return rule.name_zh if rule else rule_id


def _render(template: str, **values) -> str:
    return _env().get_template(template).render(**values)


def sign_in(root: str, csrf: str, message: str | None = None) -> str:
    return _render("sign_in.html", root=root, csrf=csrf, message=message, session=None)


def error(root: str, message: str, session) -> str:
    return _render("error.html", root=root, message=message, session=session)


def unit_home(root: str, session, rows: list[dict], max_mb: int) -> str:
    return _render("unit.html", root=root, session=session, rows=rows, max_mb=max_mb)


def receipt(root: str, session, row: dict) -> str:
    check = row["check"]
    findings = sorted(check["findings"], key=lambda f: SEVERITY_ORDER.get(f["severity"], 9))
    unexplained = sorted({f["rule"] for f in findings if f["severity"] == "warning" and not f.get("explanation")})
    counts = {s: sum(f["severity"] == s for f in findings) for s in SEVERITY_ZH}
    return _render("receipt.html", root=root, session=session, row=row, check=check, findings=findings,
                   counts=counts, unexplained=unexplained)


def office(portal, session, root: str, year: int | None, unit: str | None) -> str:
    """Every unit's latest status for a year, from the published warehouse, the portal's receipts beside it, and
    the review actions on each report."""
    year = year or portal.settings.collecting_year or portal.now().year - 1
    units = portal.completeness(session.holder, year)
    receipts = portal.receipts(session.holder, unit)
    latest: dict[str, dict] = {}
    for r in receipts:  # newest first
        if r["report_year"] in (year, None):
            latest.setdefault(r["unit_code"], r)
    return _render("office.html", root=root, session=session, year=year, units=units, latest=latest,
                   receipts=receipts[:200], unit=unit)
