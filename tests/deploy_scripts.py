"""deploy/ is a folder of scripts, not an installed package: the tests load deploy/integration.py from its file, once
per session, under one module name (dataclasses look their module up while a class is created)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_integration():
    """deploy/integration.py: the compose file as `docker compose` reads it, the machine's PostgreSQL and Redis."""
    name = "countystats_deploy_integration"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "deploy" / "integration.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
