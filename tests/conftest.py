"""Shared fixtures: the example county's registry and inbox, generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


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
