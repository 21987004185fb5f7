"""Shared fixtures (the example county's registry and inbox, generated once per test session) and the test tiers.

Every test carries a tier marker (pyproject.toml lists them): ``unit`` (in-process), ``integration`` (real
processes or services), ``browser`` (headless Chromium), ``airflow`` (Airflow itself); ``slow`` may be added to any.
A test without a tier, or ``unit`` together with another tier, stops the collection: ``pytest -m unit`` must not
silently leave a test out, nor take in one that starts processes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TIERS = ("unit", "integration", "browser", "airflow")
# The suite runs in two processes (pytest-xdist): a module's tests stay in one process, so its module fixtures are
# built once; the modules that start the production services themselves (PostgreSQL, Redis, Celery, the test hosts)
# run one after the other in one process: never two deployments at once
SERVICES = frozenset({"test_deploy_hosts.py", "test_deploy_cleanup.py", "test_portal_postgres.py"})
# handed out first, the longest first (xdist's --no-loadscope-reorder keeps this order): a long module started last
# would leave the other process idle at the end
FIRST = (*sorted(SERVICES), "test_dag.py")


def pytest_xdist_make_scheduler(config, log):
    """Tests handed out by module (the services' modules as one), like ``--dist loadscope``; not ``loadgroup``:
    pytest 9 no longer lets xdist rename a test to mark its group, and the groups came apart."""
    from xdist.scheduler import LoadScopeScheduling

    class ByModule(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "services" if module.rpartition("/")[2] in SERVICES else module

    return ByModule(config, log)


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects: every collected test is checked
def pytest_collection_modifyitems(config, items):
    def tiers(item) -> set[str]:
        return {tier for tier in TIERS if item.get_closest_marker(tier)}

    wrong = [f"{item.nodeid} ({', '.join(sorted(tiers(item))) or 'no tier'})" for item in items
             if not tiers(item) or ("unit" in tiers(item) and len(tiers(item)) > 1)]
    first = {name: i for i, name in enumerate(FIRST)}
    items.sort(key=lambda item: first.get(item.path.name, len(FIRST)))  # stable: the rest keep their order
    if wrong:
        raise pytest.UsageError("every test needs a tier, unit alone or any of " + ", ".join(TIERS[1:])
                                + " (markers, see pyproject.toml); these do not:\n  " + "\n  ".join(wrong))


@pytest.fixture(scope="session")
def registry():
    from transforms.registry import Registry

    return Registry.load(ROOT / "config" / "units.csv")


@pytest.fixture(scope="session")
def example_inbox(tmp_path_factory) -> Path:
    """The bundled example county's submissions (deterministic), written once per session. Do not modify."""
    from countystats.examples.county import write_example_inbox

    inbox = tmp_path_factory.mktemp("example-inbox")
    write_example_inbox(inbox)
    return inbox


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Real headless Chromium (Debian's, which ``dev.py test`` installs), one per test module."""
    assert CHROMIUM.exists(), "Debian chromium is not installed: `python3 dev.py test` installs it"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def example_site(tmp_path_factory):
    """The example warehouse (three report years, every status, a hostile unit name) and its dashboards, built once
    for the test modules that only read them: (warehouse, site folder)."""
    from countystats.examples.warehouses import build_warehouse
    from dashboards.build import build_dashboards

    root = tmp_path_factory.mktemp("example-site")
    db = build_warehouse(root / "w.duckdb")
    out = root / "site"
    build_dashboards(db, out)
    return db, out
