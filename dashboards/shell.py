"""The shared HTML shell: head, navigation, filter bar, CSS (screen and print), the colours every page shares and
the client-side script.

Filtering is client-side so the pages stay static files that open offline (file:// or any web server):
- a ``<template class="variant" data-year data-type>`` holds one pre-rendered variant of a chart or a block; the
  script clones the one matching the filters into the block's ``.slot`` (scripts inside run on insertion, which
  draws the Plotly figure only when shown: one live figure per chart, whatever the number of variants);
- any element with class ``filtered`` and ``data-year`` / ``data-type`` is hidden when it does not match (``data-type``
  may name several types, separated by spaces: an N-COPY pair of a township and a department shows under either);
- the filters live in the query string (``?year=2024&type=township``) and are carried over by the navigation links,
  so a link such as ``quality.html?year=2024&type=all#f-T001-2024`` opens the right variant at a unit's findings.

Every table with a ``<thead>`` becomes sortable (the vendored tablesort, ``dashboards/vendor/``; a column whose
header has ``data-sort-method="num"`` — or whose first cells read as numbers — sorts numerically, by the cells'
``data-sort`` raw figures where the text is formatted) and gets a search box hiding the rows that do not match —
also the tables of a variant, when the script clones it into its slot. A ``.search-list`` (the quality page's
findings) gets one search box for the items its ``data-items`` selects. Charts whose bars are units open the
unit's page on click (the URL in each point's ``customdata``); a figure with a ``meta.narrow`` layout is re-laid
out on a narrow screen. A link to an element inside a folded ``<details>`` opens it.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from dashboards import texts
from dashboards.data import OWN_FALLBACK, REVIEW, outcome_categories
from transforms.format import FORMATS, SEVERITY_ZH, STATUS_ZH, STATUSES, TOTAL, UNIT_TYPE_ZH

VENDOR = Path(__file__).parent / "vendor"
# small libraries shipped with the site (no CDN: the pages work offline), each with its licence beside it
ASSETS = ("tablesort.min.js", "LICENSE-tablesort.txt")
TABLESORT = "tablesort.min.js"
# the shell's own style and script, one file each for the whole site (not inline: a thousand unit pages would
# each carry ~20 KB of the same text)
STYLESHEET, SCRIPT_FILE = "dashboards.css", "dashboards.js"

# One colour per status, for every page (the completeness chart's bars, the dot before a status in any table):
# counted (greens), held for review and returned (two ambers: different states, different actions), refused (red),
# unreadable (dark red), nothing received (grey)
STATUS_COLORS = {"accepted": "#12b76a", "accepted_with_warnings": "#6ce9a6", "needs_review": "#f79009",
                 "returned": "#dc6803", "rejected": "#d92d20", "unreadable": "#7a271a", "missing": "#98a2b3"}
assert set(STATUS_COLORS) == set(STATUSES), "every status has its colour"


def outcome_groups() -> dict[str, str]:
    """Outcome category as the format names it (:func:`dashboards.data.outcome_categories`: 予以公开, 部分公开, 不予公开…)
    -> its group code: the leading words its rows' codes share in every format (granted, partly_granted, withheld,
    unavailable, rejected, other) — the key of :data:`OUTCOME_COLORS`, so no colour is keyed by a label."""
    categories = outcome_categories()
    rows: dict[str, set[str]] = {}
    for fmt in FORMATS.values():
        section = fmt.section("requests")
        for row in section.rows:
            if row.code in categories:
                rows.setdefault(categories[row.code], set()).add(row.code)
        for derived in section.derived_rows:  # （六）其他处理 and its printed parts: other_*
            if derived in categories:
                rows[categories[derived]].update(section.children(derived))
    groups = {}
    for name, codes in rows.items():
        words = [c.split("_") for c in sorted(codes)]
        shared = []
        for parts in zip(*words, strict=False):
            if len(set(parts)) > 1:
                break
            shared.append(parts[0])
        groups[name] = "_".join(shared) or min(codes)
    return groups


# The outcomes of requests, one colour per group of the format's 办理结果 (outcome_groups), on every page: disclosed
# (green), partly (teal), withheld (red), cannot be provided (amber), not processed (dark orange), other (grey); and
# the flows of the requests table where a chart shows them (new: blue, concluded: purple, carried forward: slate)
OUTCOME_COLORS = {"granted": "#079455", "partly_granted": "#2ed3b7", "withheld": "#d92d20", "unavailable": "#fdb022",
                  "rejected": "#b54708", "other": "#98a2b3",
                  "new_received": "#1570ef", "concluded_total": "#6941c6", "carried_forward": "#667085"}
assert set(outcome_groups().values()) <= set(OUTCOME_COLORS), "every outcome group has its colour"
# Findings by severity: errors red, warnings amber, notices blue
SEVERITY_COLORS = {"error": "#d92d20", "warning": "#f79009", "notice": "#2e90fa"}
assert set(SEVERITY_COLORS) == set(SEVERITY_ZH), "every severity has its colour"
# Review and litigation results: upheld (green), corrected (red: the unit's answer did not stand), other, pending
REVIEW_COLORS = {"upheld": "#079455", "corrected": "#d92d20", "other": "#98a2b3", "pending": "#d0d5dd"}
assert set(REVIEW_COLORS) == {m.code for m in REVIEW.columns if m.code != TOTAL}, "every result has its colour"
# Series that mean nothing good or bad (applicant types, measures, years): blues, purples, greys — no red or green
NEUTRAL = ("#1f5fa8", "#7a5af8", "#36bffa", "#ee46bc", "#475467", "#a48a5a", "#6172f3", "#98a2b3")


def outcome_colors() -> dict[str, str]:
    """Outcome category name -> its colour (OUTCOME_COLORS of its group): what the charts take."""
    return {name: OUTCOME_COLORS[code] for name, code in outcome_groups().items()}


def severity_colors() -> dict[str, str]:
    return {SEVERITY_ZH[code]: color for code, color in SEVERITY_COLORS.items()}


CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --accent:#1f5fa8; --bad:#b42318; --warn:#b54708;
  --sticky:2.6rem; }
* { box-sizing: border-box; }
body { margin:0; font-family:"Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;
  color:var(--ink); background:#f7f9fb; font-size:15px; line-height:1.6; }
header { background:#16324f; color:#fff; padding:.6rem 1.2rem; }
header h1 { font-size:1.15rem; margin:0 0 .3rem; }
header .stamp { font-size:.8rem; color:#d6e4f5; margin:0 0 .3rem; }
nav a { color:#d6e4f5; margin-right:1rem; text-decoration:none; white-space:nowrap; }
nav a.active { color:#fff; font-weight:bold; border-bottom:2px solid #fff; }
nav.areas { margin-top:.3rem; font-size:.9rem; color:#d6e4f5; }
nav.areas a { margin-right:.6rem; }
nav.areas .area-children { margin-left:1.2rem; }
nav.areas select { margin-left:1.2rem; font:inherit; font-size:.85rem; }
.filters { background:#fff; border-bottom:1px solid var(--line); padding:.5rem 1.2rem; position:sticky; top:0; z-index:5;
  display:flex; flex-wrap:wrap; align-items:center; gap:.3rem 1.2rem; }
.filters label { white-space:nowrap; }
.filters select { font:inherit; padding:.1rem .3rem; }
main { max-width:1200px; margin:0 auto; padding:1rem 1.2rem 3rem; }
[id] { scroll-margin-top:calc(var(--sticky) + .6rem); }
section.block { background:#fff; border:1px solid var(--line); border-radius:6px; padding:.8rem 1rem; margin:0 0 1rem; }
section.block h2 { font-size:1.05rem; margin:0 0 .5rem; }
.note, .help, footer { color:var(--muted); font-size:.85rem; }
.download a { font-size:.85rem; }
.table-wrap { max-width:100%; }
table { border-collapse:collapse; width:100%; font-size:.9rem; }
th, td { border-bottom:1px solid var(--line); padding:.3rem .5rem; text-align:left; vertical-align:top; }
th { background:#f0f4f8; position:sticky; top:var(--sticky); }
th[role=columnheader]:not([data-sort-method=none]) { cursor:pointer; }
th[role=columnheader]:not([data-sort-method=none])::after { content:"\\2195"; color:#9aa5b1; margin-left:.25em; font-weight:normal; }
th[aria-sort=ascending]::after { content:"\\25B2" !important; color:var(--accent) !important; }
th[aria-sort=descending]::after { content:"\\25BC" !important; color:var(--accent) !important; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.name { min-width:7em; }
td.text { min-width:12em; }
.nowrap { white-space:nowrap; }
.table-search { margin:.2rem 0 .4rem; display:flex; flex-wrap:wrap; align-items:center; gap:.6rem; }
.table-search input { font:inherit; font-size:.85rem; padding:.15rem .4rem; width:min(22rem,100%); }
.search-count { color:var(--muted); font-size:.8rem; }
.search-miss { display:none !important; }
.kpis { display:grid; grid-template-columns:repeat(auto-fit,minmax(210px,1fr)); gap:.8rem; }
.kpi { border:1px solid var(--line); border-radius:6px; padding:.6rem .8rem; background:#fbfcfd; }
.kpi .name { color:var(--muted); font-size:.85rem; }
.kpi .value { font-size:1.6rem; font-weight:bold; }
.kpi .value.few, .kpi .value.none { font-size:1.2rem; }
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
.severity { white-space:nowrap; font-weight:bold; }
.severity::before { content:"\\25A0"; margin-right:.25em; }
section.block.finding-group { padding:.45rem .8rem; margin-bottom:.45rem; }
.finding-group summary { cursor:pointer; }
.finding-group summary h2 { font-size:1rem !important; }
td.rule { min-width:6em; }
td.loc { min-width:8em; }
.finding-group summary h2 { display:inline; }
.finding-group summary .counts { font-weight:normal; font-size:.85rem; color:var(--muted); margin-left:.6em; white-space:nowrap; }
.finding-group td.cells-col { min-width:9em; }
button.toggle-all { font:inherit; font-size:.8rem; margin-left:.4rem; }
.finding-group .file-line { font-size:.85rem; color:var(--muted); margin:.3rem 0; overflow-wrap:anywhere; }
.finding-group table { margin-top:.3rem; }
ul.cells { margin:.2rem 0 0; padding-left:1.1rem; font-size:.85rem; }
details.more > summary { cursor:pointer; color:var(--accent); font-size:.85rem; }
.print-head { display:none; }
.js-plotly-plot .plotly .cursor-pointer { cursor:pointer; }
@media (max-width:720px) {
  .pair { grid-template-columns:minmax(0,1fr); }
  .table-wrap { overflow-x:auto; }
  th { position:static; white-space:nowrap; }
  main { padding:.6rem .6rem 2rem; }
  section.block { padding:.6rem .6rem; }
  header { padding:.5rem .7rem; }
}
@media (max-width:480px) {
  .filters { padding:.3rem .6rem; font-size:.85rem; gap:.2rem .6rem; }
  body { font-size:14px; }
}
""" + "".join(f".status-{code}::before {{ color:{color}; }}\n" for code, color in STATUS_COLORS.items()) + "".join(
    f".severity-{code}::before {{ color:{color}; }}\n" for code, color in SEVERITY_COLORS.items()) + """@media print {
  header nav, .filters, .download, .print-button, .table-search { display:none !important; }
  .print-head { display:block; border-bottom:1px solid #000; margin:0 0 .6rem; padding:0 0 .3rem; }
  .print-head strong { font-size:12pt; }
  body { background:#fff; font-size:11pt; }
  header { display:none !important; }  /* the print header says it all: site, page, filters, data as of */
  main { max-width:none; padding:0; }
  section.block { border:none; padding:0; break-inside:avoid; page-break-inside:avoid; }
  th { position:static; }
  th::after { content:none !important; }
  a { color:inherit; text-decoration:none; }
}
"""

SCRIPT = """
(function () {
  var body = document.body, params = new URLSearchParams(location.search);
  var year = document.getElementById('f-year'), type = document.getElementById('f-type');
  if (params.get('year') && year.querySelector('option[value="' + CSS.escape(params.get('year')) + '"]')) year.value = params.get('year');
  if (params.get('type') && type.querySelector('option[value="' + CSS.escape(params.get('type')) + '"]')) type.value = params.get('type');
  function matches(el, y, t) {
    var ey = el.getAttribute('data-year'), et = el.getAttribute('data-type');
    return (ey === null || ey === y) && (et === null || t === 'all' || et.split(' ').indexOf(t) >= 0);
  }
  function sticky() {  // anchors and table headers land below the sticky filter bar, whatever its height
    var bar = document.querySelector('.filters');
    document.documentElement.style.setProperty('--sticky', (bar ? bar.offsetHeight : 0) + 'px');
  }
  // numbers as the tables print them (1,234 · 67.7% · — for none); data-sort holds the raw figure
  var NUM = /^[-+]?(\\d{1,3}(,\\d{3})+|\\d+)(\\.\\d+)?%?$/;
  function num(v) { v = String(v).replace(/[,%\\s]/g, ''); return v === '' || v === '\\u2014' ? NaN : parseFloat(v); }
  if (window.Tablesort) Tablesort.extend('num', function (v) { v = v.trim(); return NUM.test(v) || v === '\\u2014'; },
    function (a, b) { var x = num(a), y = num(b); if (isNaN(x)) return isNaN(y) ? 0 : 1; if (isNaN(y)) return -1; return y - x; });
  function searchBox(before, rows, label) {
    var box = document.createElement('div'), input = document.createElement('input'), info = document.createElement('span');
    box.className = 'table-search'; info.className = 'search-count';
    label = label || body.dataset.searchLabel;
    input.type = 'search'; input.placeholder = label; input.setAttribute('aria-label', label);
    box.appendChild(input); box.appendChild(info);
    before.parentNode.insertBefore(box, before);
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase(), shown = 0, total = 0;
      rows().forEach(function (r) {
        var hit = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
        r.classList.toggle('search-miss', !hit);
        if (!r.hidden) { total++; if (hit) shown++; }
      });
      info.textContent = q ? body.dataset.searchCount.replace('{shown}', shown).replace('{total}', total) : '';
    });
  }
  function enhance(root) {
    root.querySelectorAll('table').forEach(function (table) {
      if (table.dataset.enhanced || !table.tHead || !table.tBodies.length) return;
      table.dataset.enhanced = '1';
      var wrap = table.parentNode;
      if (!wrap.classList.contains('table-wrap')) {
        wrap = document.createElement('div'); wrap.className = 'table-wrap';
        table.parentNode.insertBefore(wrap, table); wrap.appendChild(table);
      }
      Array.prototype.forEach.call(table.tHead.rows[table.tHead.rows.length - 1].cells, function (th) {
        if (th.getAttribute('data-sort-method') !== 'none' && !th.title) th.title = body.dataset.sortHelp;
      });
      if (window.Tablesort) new Tablesort(table);
      if (!table.classList.contains('no-search') && table.tBodies[0].rows.length > 1)
        searchBox(wrap, function () { return Array.prototype.slice.call(table.querySelectorAll('tbody tr')); });
    });
    root.querySelectorAll('.search-list').forEach(function (list) {
      if (list.dataset.enhanced) return;
      list.dataset.enhanced = '1';
      var box = list.appendChild(document.createElement('div'));  // the items are the page's, after the box
      searchBox(box, function () { return Array.prototype.slice.call(document.querySelectorAll(list.dataset.items)); }, list.dataset.label);
      box.remove();
    });
  }
  function hookPlots(root) {
    root.querySelectorAll('.plotly-graph-div').forEach(function (gd) {
      var meta = (gd.layout && gd.layout.meta) || {};
      if (meta.narrow && window.Plotly && gd.clientWidth && gd.clientWidth < 600) {
        gd.style.height = gd.parentElement.style.height = meta.narrow.height + 'px';  // and to_html's wrapper
        Plotly.relayout(gd, meta.narrow);
      }
      if (meta.links && gd.on) gd.on('plotly_click', function (ev) {
        var p = ev && ev.points && ev.points[0];
        if (p && typeof p.customdata === 'string' && p.customdata) location.href = p.customdata + location.search;
      });
    });
  }
  function printHead() {
    var head = document.getElementById('print-head');
    if (!head) return;
    var heading = document.querySelector('main > h2');  // a unit page names the unit there
    if (heading) head.querySelector('.print-page').textContent = heading.textContent;
    head.querySelector('.print-filters').textContent = head.dataset.template
      .replace('{year}', head.dataset.yearLabel.replace('{year}', year.value))
      .replace('{type}', type.options[type.selectedIndex] ? type.options[type.selectedIndex].text : type.value);
  }
  function apply() {
    var y = year.value, t = type.value, q = '?year=' + encodeURIComponent(y) + '&type=' + encodeURIComponent(t);
    document.querySelectorAll('.variants').forEach(function (box) {
      var slot = box.querySelector('.slot');
      var tpl = box.querySelector('template[data-year="' + y + '"][data-type="' + t + '"]');
      slot.querySelectorAll('.js-plotly-plot').forEach(function (p) { if (window.Plotly) Plotly.purge(p); });
      slot.replaceChildren();
      if (tpl) slot.appendChild(document.importNode(tpl.content, true));
      enhance(slot);
      hookPlots(slot);
    });
    document.querySelectorAll('.filtered').forEach(function (el) { el.hidden = !matches(el, y, t); });
    document.querySelectorAll('a.keep-filters').forEach(function (a) {
      a.href = a.getAttribute('href').split(/[?#]/)[0] + q + (a.getAttribute('data-hash') || '');
    });
    document.querySelectorAll('.table-search input').forEach(function (i) { if (i.value) i.dispatchEvent(new Event('input')); });
    printHead();
    try { history.replaceState(null, '', q + location.hash); } catch (e) { /* some file:// setups refuse */ }
  }
  function reveal(id) {  // a link to a finding: open what holds it, then show it below the filter bar
    var target = id && document.getElementById(id);
    if (!target) return;
    for (var el = target; el; el = el.parentElement) if (el.tagName === 'DETAILS') el.open = true;
    var own = target.querySelector(':scope > details');  // a unit-year's findings, folded under its heading
    if (own) own.open = true;
    target.scrollIntoView();
  }
  var opened = [];  // printing: the findings folded away are printed too
  window.addEventListener('beforeprint', function () {
    for (var pass = 0; pass < 3; pass++) document.querySelectorAll('details:not([open])').forEach(function (d) {
      if (d.offsetParent !== null) { d.open = true; opened.push(d); }
    });
  });
  window.addEventListener('afterprint', function () { opened.forEach(function (d) { d.open = false; }); opened = []; });
  document.querySelectorAll('button.toggle-all').forEach(function (button) {  // the findings: all open or all folded
    button.addEventListener('click', function () {
      var open = button.textContent === button.dataset.open;
      document.querySelectorAll('.finding-group').forEach(function (g) {
        if (!g.hidden) g.querySelectorAll(':scope > details').forEach(function (d) { d.open = open; });
      });
      button.textContent = open ? button.dataset.close : button.dataset.open;
    });
  });
  year.addEventListener('change', apply);
  type.addEventListener('change', apply);
  window.addEventListener('resize', sticky);
  window.addEventListener('hashchange', function () { reveal(decodeURIComponent(location.hash.slice(1))); });
  sticky();
  enhance(document.querySelector('main'));
  apply();
  if (location.hash) reveal(decodeURIComponent(location.hash.slice(1)));
})();
"""


def site_name(wh) -> str:
    """The county (or area) a site is of: the area's name, or for a one-county registry the name of the county
    government's unit without 人民政府 (清河县人民政府 → 清河县); '' where the registry names neither."""
    if wh.area_name:
        return wh.area_name
    own = wh.own_name or ""
    if not own or own in OWN_FALLBACK.values():
        return ""
    return own.removesuffix("人民政府") or own


def footer_line(wh, generated_at: str) -> str:
    """清河县 · 数据截至 2025-01-31 02:10（第3次运行）· 生成时间 …: the county and the data's as-of time — the last
    run's load (meta ``last_loaded_at``, ``last_run_id``), never the warehouse's file name."""
    name = site_name(wh) or texts.UNNAMED_AREA
    loaded = str(wh.meta.get("last_loaded_at") or "")[:16]
    if not loaded:
        return texts.FOOTER_NO_DATA.format(name=name, at=generated_at)
    run = wh.meta.get("last_run_id")
    n = wh.runs.index(run) + 1 if run in wh.runs else len(wh.runs)
    return texts.FOOTER.format(name=name, loaded=loaded, n=n, at=generated_at)


def write_assets(out_dir: Path) -> None:
    """The vendored libraries (and their licences) and the shell's stylesheet and script beside the pages, each
    rewritten only when it differs."""
    files = {name: (VENDOR / name).read_bytes() for name in ASSETS}
    files.update({STYLESHEET: CSS.encode(), SCRIPT_FILE: SCRIPT.encode()})
    for name, data in files.items():
        target = out_dir / name
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)


def page(page_id: str | None, body: str, years: list[int], types: list[str], footer: str, with_plotly: bool,
         area_bar: str = "", area_name: str = "", assets: str = "", heading: tuple[str, str] | None = None,
         links: str = "") -> str:
    """One page. Many counties: ``area_bar`` the way up and down the area tree (dashboards.areas), ``area_name`` the
    area the page is of (in its title and heading; one county: its name, :func:`site_name`), ``assets`` where the
    shared scripts are from its folder. ``footer``: the county and the data's as-of time (:func:`footer_line`), shown
    under the heading, at the foot and in print, where a header names the page and the filters chosen (kept up to
    date by the script; the trends page's year reads 截至2024年). A page of no menu entry (a unit's): ``page_id``
    None, ``heading`` its (name, description) and ``links`` the way from its folder to its area's pages."""
    name, description = heading or texts.PAGES[page_id]
    nav = "".join(
        f'<a class="keep-filters{" active" if pid == page_id else ""}" href="{links}{pid}.html">{escape(n)}</a>'
        for pid, (n, _) in texts.PAGES.items()
    )
    year_opts = "".join(f'<option value="{y}">{y}</option>' for y in years)
    type_opts = f'<option value="all">{escape(texts.ALL_TYPES)}</option>' + "".join(
        f'<option value="{escape(t)}">{escape(UNIT_TYPE_ZH[t])}</option>' for t in types
    )
    plotly = (f'<script src="{assets}plotly.min.js"></script>\n<script src="{assets}plotly-locale-zh-cn.js"></script>'
              if with_plotly else "")
    site = f"{area_name} · {texts.SITE_TITLE}" if area_name else texts.SITE_TITLE
    data = (f'data-search-label="{escape(texts.SEARCH)}" data-search-count="{escape(texts.SEARCH_COUNT)}" '
            f'data-sort-help="{escape(texts.SORT_HELP)}"')
    print_head = (f'<div class="print-head" id="print-head" data-template="{escape(texts.PRINT_HEAD)}" '
                  f'data-year-label="{escape(texts.UPTO_YEAR if page_id == "trends" else texts.THIS_YEAR)}">'
                  f'<strong>{escape(site)}</strong><br><span class="print-page">{escape(name)}</span> · '
                  f'<span class="print-filters"></span><br>{escape(footer)}</div>')
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(name)} · {escape(site)}</title>
<link rel="stylesheet" href="{assets}{STYLESHEET}">
{plotly}
<script src="{assets}{TABLESORT}"></script>
</head>
<body {data}>
{print_head}
<header><h1>{escape(site)}</h1><p class="stamp">{escape(footer)}</p><nav>{nav}</nav>{area_bar}</header>
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
<script src="{assets}{SCRIPT_FILE}"></script>
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


def fmt_rate(num: float | None, den: float | None, min_cases: int, none: str = texts.DASH) -> tuple[str, str]:
    """A rate as every page shows it, never a bare 100.0% over a case or two: (text, kind). No figures: “—”
    ("none"); no cases (a denominator of 0): ``none``, e.g. —（无办结件） ("none"); fewer than ``min_cases`` cases: the
    two figures, 1 ÷ 1 ("few"); else 67.7% ("")."""
    if num is None or den is None:
        return texts.DASH, "none"
    if not den:
        return none, "none"
    if den < min_cases:
        return texts.PARTS.format(num=fmt_int(num), den=fmt_int(den)), "few"
    return fmt_pct(num / den), ""


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
