"""Import Great Expectations once per process, without executing the modules countystats never uses up front.

``import great_expectations`` executes scipy.stats and altair at import time (≈1.4 of its ≈3 s on this machine kind:
measured with ``python -X importtime``), for statistical expectations and charts that countystats' suites do not
use. While GX itself is imported, those two packages are bound as stdlib ``importlib.util.LazyLoader`` modules: GX
gets its module objects, and a module is executed on first attribute access, if anything ever touches it. Nothing
else changes: every other import is untouched, and the finder is removed as soon as GX is in.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from types import ModuleType

DEFERRED = frozenset({"scipy.stats", "altair"})
_lock = threading.Lock()  # the nightly run warms GX up in a thread while the main thread may get there too


class _DeferredFinder:
    """A meta-path finder that hands out lazy modules for DEFERRED names only."""

    def find_spec(self, name, path=None, target=None):
        if name not in DEFERRED:
            return None
        for finder in sys.meta_path:  # the real spec, from the finders after this one
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


def import_great_expectations() -> ModuleType:
    """``great_expectations``, imported on first call (thread-safe); later calls return the loaded module."""
    with _lock:
        if "great_expectations" not in sys.modules:
            finder = _DeferredFinder()
            sys.meta_path.insert(0, finder)
            try:
                import great_expectations  # noqa: F401
            finally:
                sys.meta_path.remove(finder)
        return sys.modules["great_expectations"]
