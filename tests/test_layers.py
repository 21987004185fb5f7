"""The layers the code is built in, checked from its imports: each package imports only from the layers below it,
and no two modules import each other (no cycle), counting imports inside functions too.

    dags, deploy, benchmarks                  run and measure it
    countystats (cli, pipeline, examples …)   the application: settings, the nightly steps, the clerks' tools
    dashboards                                pages from the published warehouse
    expectations                              Great Expectations suites, batch validation, feedback workbooks
    transforms.writing                        workbooks written (templates, the county's export)
    transforms.reading, transforms.warehouse  a file into cells; cells into DuckDB
    transforms.rules                          every rule, once
    transforms.registry, .isolation, .inbox   the county's units; untrusted work in child processes; the inbox
    transforms.model                          the in-memory submission
    transforms.format                         the format and its facts, as data
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
# lowest first; modules of one layer may import each other (but never in a circle)
LAYERS = [
    ("transforms.format",),
    ("transforms.model",),
    ("transforms.registry", "transforms.isolation", "transforms.inbox", "transforms.narrative"),
    ("transforms.rules",),
    ("transforms.reading", "transforms.warehouse"),
    ("transforms.writing",),
    ("expectations",),
    ("dashboards",),
    ("countystats",),
    ("dags", "deploy", "benchmarks"),
]
VERSION_LITERAL = re.compile(r"""["'](?:2019|2021)["']""")  # a statutory format's version, quoted
PACKAGES = ("transforms", "expectations", "dashboards", "countystats", "dags", "deploy", "benchmarks")


def _layer(module: str) -> int | None:
    for i, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    return None


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__" and not path.read_text(encoding="utf-8").strip():
                continue  # an empty package marker is in no layer
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path, module: str) -> set[str]:
    """Every project module ``path`` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {m for m in found if m.split(".")[0] in PACKAGES}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: {i for i in _imports(p, m) if i in modules} for m, p in modules.items()}


def test_every_module_has_a_layer(graph):
    assert [m for m in graph if _layer(m) is None] == []


def test_imports_only_go_down(graph):
    upward = [(m, i) for m, imported in graph.items() for i in imported if _layer(i) > _layer(m)]
    assert upward == []


def test_no_cycles(graph):
    # a package's __init__ re-exports its own modules: that is not a cycle of the code's logic
    edges = {m: {i for i in imported if not m.startswith(i + ".") and not i.startswith(m + ".")}
             for m, imported in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for i in sorted(edges.get(m, ())):
            if state.get(i) == 1:
                cycles.append(path[path.index(i):] + [i] if i in path else [m, i])
            elif i not in state:
                visit(i, [*path, i])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_the_format_package_alone_names_format_versions():
    """Outside transforms/format, no code compares against a version literal: it asks the format package."""
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.suffix not in (".py", ".sql") or path.is_relative_to(ROOT / "transforms" / "format"):
                continue
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(text.splitlines(), 1)
                          if VERSION_LITERAL.search(line)]
    assert offenders == []
