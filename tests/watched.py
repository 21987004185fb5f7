"""A page in real headless Chromium with every console error, page error, dialog and non-file request recorded:
what the dashboards' browser tests open pages with."""

from __future__ import annotations


class Watched:
    """A page with every console error, page error, dialog and non-file request recorded."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1366, "height": 900})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: None if r.url.startswith(("file://", "data:", "blob:")) else self.foreign.append(r.url))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def charts(self) -> dict[str, list[int]]:
        """chart id -> series counts (distinct trace names: a series drawn in several small multiples is one) of its
        live figures (normally one figure, or none for an empty variant)."""
        return self.page.evaluate(
            """() => Object.fromEntries(Array.from(document.querySelectorAll('section[id^="chart-"]')).map(s =>
                [s.id.slice(6), Array.from(s.querySelectorAll('.js-plotly-plot')).map(
                    el => new Set(el.data.map(t => t.name)).size)]))"""
        )

    def traces(self, chart_id: str) -> list[dict]:
        return self.page.evaluate(
            """id => { const el = document.querySelector('#chart-' + id + ' .js-plotly-plot');
                return el ? el.data.map(t => ({name: t.name, x: t.x, y: t.y, orientation: t.orientation || 'v'})) : []; }""",
            chart_id,
        )

    def select(self, year: int, unit_type: str) -> None:
        self.page.select_option("#f-year", str(year))
        self.page.select_option("#f-type", unit_type)

    def close(self) -> None:
        self.page.close()

    def __enter__(self) -> Watched:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
