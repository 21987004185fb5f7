"""The shared HTML shell: head, navigation, filter bar, CSS (screen and print) and the client-side filter script.

Filtering is client-side so the pages stay static files that open offline (file:// or any web server):
- a ``<template class="variant" data-year data-type>`` holds one pre-rendered variant of a chart or a block; the
  script clones the one matching the filters into the block's ``.slot`` (scripts inside run on insertion, which
  draws the Plotly figure only when shown: one live figure per chart, whatever the number of variants);
- any element with class ``filtered`` and ``data-year`` / ``data-type`` is hidden when it does not match (``data-type``
  may name several types, separated by spaces: an N-COPY pair of a township and a department shows under either);
- the filters live in the query string (``?year=2024&type=township``) and are carried over by the navigation links,
  so a link such as ``quality.html?year=2024&type=all#f-T001-2024`` opens the right variant at a unit's findings.
"""

from __future__ import annotations

from html import escape

from dashboards import texts
from transforms.format import STATUS_ZH, STATUSES, UNIT_TYPE_ZH

# One colour per status, for every page (the completeness chart's bars, the dot before a status in any table):
# counted (greens), held for review and returned (two ambers: different states, different actions), refused (red),
# unreadable (dark red), nothing received (grey)
STATUS_COLORS = {"accepted": "#12b76a", "accepted_with_warnings": "#6ce9a6", "needs_review": "#f79009",
                 "returned": "#dc6803", "rejected": "#d92d20", "unreadable": "#7a271a", "missing": "#98a2b3"}
assert set(STATUS_COLORS) == set(STATUSES), "every status has its colour"

CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --accent:#1f5fa8; --bad:#b42318; --warn:#b54708; }
* { box-sizing: border-box; }
body { margin:0; font-family:"Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;
  color:var(--ink); background:#f7f9fb; font-size:15px; line-height:1.6; }
header { background:#16324f; color:#fff; padding:.6rem 1.2rem; }
header h1 { font-size:1.15rem; margin:0 0 .3rem; }
nav a { color:#d6e4f5; margin-right:1rem; text-decoration:none; white-space:nowrap; }
nav a.active { color:#fff; font-weight:bold; border-bottom:2px solid #fff; }
nav.areas { margin-top:.3rem; font-size:.9rem; color:#d6e4f5; }
nav.areas a { margin-right:.6rem; }
nav.areas .area-children { margin-left:1.2rem; }
nav.areas select { margin-left:1.2rem; font:inherit; font-size:.85rem; }
.filters { background:#fff; border-bottom:1px solid var(--line); padding:.5rem 1.2rem; position:sticky; top:0; z-index:5; }
.filters label { margin-right:1.2rem; }
.filters select { font:inherit; padding:.1rem .3rem; }
main { max-width:1200px; margin:0 auto; padding:1rem 1.2rem 3rem; }
section.block { background:#fff; border:1px solid var(--line); border-radius:6px; padding:.8rem 1rem; margin:0 0 1rem; }
section.block h2 { font-size:1.05rem; margin:0 0 .5rem; }
.note, .help, footer { color:var(--muted); font-size:.85rem; }
.download a { font-size:.85rem; }
table { border-collapse:collapse; width:100%; font-size:.9rem; }
th, td { border-bottom:1px solid var(--line); padding:.3rem .5rem; text-align:left; vertical-align:top; }
th { background:#f0f4f8; position:sticky; top:2.6rem; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.kpis { display:grid; grid-template-columns:repeat(auto-fit,minmax(210px,1fr)); gap:.8rem; }
.kpi { border:1px solid var(--line); border-radius:6px; padding:.6rem .8rem; background:#fbfcfd; }
.kpi .name { color:var(--muted); font-size:.85rem; }
.kpi .value { font-size:1.6rem; font-weight:bold; }
.kpi .prev { font-size:.85rem; color:var(--muted); }
.status { white-space:nowrap; }
.status::before { content:"\\25CF"; margin-right:.3em; }
.status-rejected, .status-unreadable, .status-missing, .overdue { color:var(--bad); font-weight:bold; }
.status-needs_review, .late { color:var(--warn); font-weight:bold; }
.status-returned { color:#93370d; font-weight:bold; }
.pending { color:var(--muted); }
.kpi-scope { font-size:.95rem; margin:0 0 .5rem; }
.kpi .parts { font-size:.8rem; color:var(--muted); }
.own, .coverage { font-size:.9rem; margin:.6rem 0 0; }
.coverage { padding-left:1.2rem; color:var(--muted); }
#summary table { max-width:36rem; }
.cards { margin-bottom:1rem; display:grid; grid-template-columns:repeat(auto-fit,minmax(230px,1fr)); gap:.8rem; }
.cards a { display:block; background:#fff; border:1px solid var(--line); border-radius:6px; padding:.7rem .9rem;
  text-decoration:none; color:var(--ink); }
.cards a strong { color:var(--accent); }
[hidden] { display:none !important; }
#narrative-findings td:nth-child(-n+2) { white-space:nowrap; }
.copy-pair { border-top:1px solid var(--line); padding-top:.6rem; margin-top:.8rem; }
.copy-pair h3 { font-size:.95rem; margin:0 0 .4rem; }
.pair { display:grid; grid-template-columns:repeat(2,minmax(0,1fr)); gap:.8rem; }
.pair .side { border:1px solid var(--line); border-radius:6px; padding:.5rem .7rem; background:#fbfcfd; }
.pair h4 { font-size:.9rem; margin:0 0 .3rem; }
.pair .file { color:var(--muted); font-weight:normal; font-size:.8rem; overflow-wrap:anywhere; }
.narrative-text { white-space:pre-wrap; overflow-wrap:anywhere; font-size:.9rem; }
mark { background:#fedf89; color:inherit; print-color-adjust:exact; -webkit-print-color-adjust:exact; }
@media (max-width:720px) { .pair { grid-template-columns:minmax(0,1fr); } }
""" + "".join(f".status-{code}::before {{ color:{color}; }}\n" for code, color in STATUS_COLORS.items()) + """@media print {
  header nav, .filters, .download, .print-button { display:none !important; }
  body { background:#fff; font-size:11pt; }
  main { max-width:none; padding:0; }
  section.block { border:none; padding:0; break-inside:avoid; page-break-inside:avoid; }
  th { position:static; }
  a { color:inherit; text-decoration:none; }
}
"""

SCRIPT = """
(function () {
  var params = new URLSearchParams(location.search);
  var year = document.getElementById('f-year'), type = document.getElementById('f-type');
  if (params.get('year') && year.querySelector('option[value="' + CSS.escape(params.get('year')) + '"]')) year.value = params.get('year');
  if (params.get('type') && type.querySelector('option[value="' + CSS.escape(params.get('type')) + '"]')) type.value = params.get('type');
  function matches(el, y, t) {
    var ey = el.getAttribute('data-year'), et = el.getAttribute('data-type');
    return (ey === null || ey === y) && (et === null || t === 'all' || et.split(' ').indexOf(t) >= 0);
  }
  function apply() {
    var y = year.value, t = type.value, q = '?year=' + encodeURIComponent(y) + '&type=' + encodeURIComponent(t);
    document.querySelectorAll('.variants').forEach(function (box) {
      var slot = box.querySelector('.slot');
      var tpl = box.querySelector('template[data-year="' + y + '"][data-type="' + t + '"]');
      slot.querySelectorAll('.js-plotly-plot').forEach(function (p) { if (window.Plotly) Plotly.purge(p); });
      slot.replaceChildren();
      if (tpl) slot.appendChild(document.importNode(tpl.content, true));
    });
    document.querySelectorAll('.filtered').forEach(function (el) { el.hidden = !matches(el, y, t); });
    document.querySelectorAll('a.keep-filters').forEach(function (a) {
      a.href = a.getAttribute('href').split(/[?#]/)[0] + q + (a.getAttribute('data-hash') || '');
    });
    try { history.replaceState(null, '', q + location.hash); } catch (e) { /* some file:// setups refuse */ }
  }
  year.addEventListener('change', apply);
  type.addEventListener('change', apply);
  apply();
  if (location.hash) { var target = document.getElementById(decodeURIComponent(location.hash.slice(1))); if (target) target.scrollIntoView(); }
})();
"""


def page(page_id: str, body: str, years: list[int], types: list[str], footer: str, with_plotly: bool,
         area_bar: str = "", area_name: str = "", assets: str = "") -> str:
    """One page. Many counties: ``area_bar`` the way up and down the area tree (dashboards.areas), ``area_name`` the
    area the page is of (in its title and heading), ``assets`` where the shared scripts are from its folder."""
    name, description = texts.PAGES[page_id]
    nav = "".join(
        f'<a class="keep-filters{" active" if pid == page_id else ""}" href="{pid}.html">{escape(n)}</a>'
        for pid, (n, _) in texts.PAGES.items()
    )
    year_opts = "".join(f'<option value="{y}">{y}</option>' for y in years)
    type_opts = f'<option value="all">{escape(texts.ALL_TYPES)}</option>' + "".join(
        f'<option value="{escape(t)}">{escape(UNIT_TYPE_ZH[t])}</option>' for t in types
    )
    plotly = (f'<script src="{assets}plotly.min.js"></script>\n<script src="{assets}plotly-locale-zh-cn.js"></script>'
              if with_plotly else "")
    site = f"{area_name} · {texts.SITE_TITLE}" if area_name else texts.SITE_TITLE
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(name)} · {escape(site)}</title>
<style>{CSS}</style>
{plotly}
</head>
<body>
<header><h1>{escape(site)}</h1><nav>{nav}</nav>{area_bar}</header>
<div class="filters">
<label>{escape(texts.YEAR)} <select id="f-year">{year_opts}</select></label>
<label>{escape(texts.UNIT_TYPE)} <select id="f-type">{type_opts}</select></label>
<button type="button" class="print-button" onclick="window.print()">{escape(texts.PRINT)}</button>
</div>
<main>
<noscript><p class="note">{escape(texts.NEEDS_JS)}</p></noscript>
<h2>{escape(name)}</h2>
<p class="help">{escape(description)}</p>
{body}
<footer>{escape(footer)}</footer>
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""


def block(title: str, inner: str, block_id: str = "", extra: str = "") -> str:
    ident = f' id="{escape(block_id)}"' if block_id else ""
    return f'<section class="block"{ident}><h2>{escape(title)}</h2>{inner}{extra}</section>'


def variants(items: dict[tuple[int, str], str]) -> str:
    """One ``.variants`` box: a slot plus a template per (year, type) filter combination."""
    templates = "".join(
        f'<template data-year="{y}" data-type="{escape(t)}">{html}</template>' for (y, t), html in items.items()
    )
    return f'<div class="variants"><div class="slot"></div>{templates}</div>'


def status_html(code) -> str:
    """A status as every page shows it: its Chinese name after a dot of its colour (STATUS_COLORS)."""
    code = "" if code is None or code != code else str(code)
    return f'<span class="status status-{escape(code)}">{escape(STATUS_ZH.get(code, code))}</span>'


def fmt_int(v: float | None) -> str:
    return texts.DASH if v is None else f"{v:,.0f}"


def fmt_pct(v: float | None) -> str:
    return texts.DASH if v is None else f"{v:.1%}"


def fmt_num(v) -> str:
    """Findings' expected/actual: numbers with separators, anything else as text, blank as “—”."""
    if v is None or (isinstance(v, float) and v != v):
        return texts.DASH
    if isinstance(v, int | float):
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"
    return str(v)


def findings_anchor(unit_code: str | None, year) -> str:
    """Stable HTML id of a unit's findings for a year (completeness links to it): ASCII, unique per code."""
    import hashlib
    import re

    code = "" if unit_code is None or unit_code != unit_code else str(unit_code)
    slug = re.sub(r"[^0-9A-Za-z_-]", "_", code)
    if slug != code or not code:
        slug += "_" + hashlib.sha1(code.encode()).hexdigest()[:8]
    return f"f-{slug}-{year}"
