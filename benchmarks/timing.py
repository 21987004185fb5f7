"""Timing shared by the reading benchmarks: run a call N times, say its median and 90th percentile in ms."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def repeat(fn: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of each of ``runs`` calls of ``fn``."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def describe(name: str, ms: list[float], width: int = 52) -> str:
    ms = sorted(ms)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    return f"{name:<{width}} n={len(ms):<4} median {statistics.median(ms):7.2f} ms   p90 {p90:7.2f} ms"
