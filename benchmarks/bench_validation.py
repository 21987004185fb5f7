"""Validate 1,000 submissions in one run: GX import, context set-up and the validation itself, timed apart.

    .venv/bin/python benchmarks/bench_validation.py [N]

Submissions are built from the format definition with realistic random numbers (countystats.examples.reports); about 2 %
are broken (one T* rule each) and must all be found. Target: validation < 20 s for 1,000.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from countystats.examples.reports import make_submission, set_values  # noqa: E402
from transforms.format import current, versions  # noqa: E402

UNIT_TYPES = ("township",) * 5 + ("subdistrict",) * 2 + ("department",) * 6 + ("county_government",)


def _carry_one_more(sub):
    """One more application carried over than the column accounts for (row total kept in step): T3-BALANCE."""
    for col in ("commercial", "total"):
        key = ("requests", "carried_over", col)
        set_values(sub, [(key, (sub.value(*key) or 0) + 1)])
    return sub


BREAKS = {
    "T3-BALANCE": _carry_one_more,
    "T4-TOTAL": lambda s: set_values(s, [(("review_litigation", "reconsideration", "upheld"), 10),
                                         (("review_litigation", "reconsideration", "total"), 0)]),
    "T2-RULES": lambda s: set_values(s, [(("proactive", "rules", "issued"), 2)]),
}


def build(n: int, seed: int = 1) -> tuple[list, dict[int, str]]:
    rng = random.Random(seed)
    subs, broken = [], {}
    for i in range(n):
        fmt = versions()[0] if rng.random() < 0.1 else current().version
        sub = make_submission(fmt, rng.choice(UNIT_TYPES), random.Random(rng.random()), name=f"u{i:04d}")
        if rng.random() < 0.02:
            rule = rng.choice(sorted(BREAKS))
            BREAKS[rule](sub)
            broken[i] = rule
        subs.append(sub)
    return subs, broken


def main(n: int = 1000) -> None:
    t0 = time.perf_counter()
    subs, broken = build(n)
    t_build = time.perf_counter() - t0

    t0 = time.perf_counter()
    from expectations.gx_import import import_great_expectations

    import_great_expectations()  # what validate_submissions pays once per process (scipy.stats, altair deferred)

    t_import = time.perf_counter() - t0

    from expectations.validation import _get_runtime, validate_submissions

    t0 = time.perf_counter()
    _get_runtime()
    t_context = time.perf_counter() - t0

    t0 = time.perf_counter()
    validate_submissions(subs, None)
    t_validate = time.perf_counter() - t0

    found = {i for i, s in enumerate(subs) if s.status == "rejected"}
    missed = {i: r for i, r in broken.items() if not any(f.rule == r for f in subs[i].findings)}
    n_findings = sum(len(s.findings) for s in subs)
    print(f"submissions            {n} ({len(broken)} broken)")
    print(f"build (synthetic)      {t_build:6.2f} s")
    print(f"import GX              {t_import:6.2f} s")
    print(f"context + suites       {t_context:6.2f} s")
    print(f"validate (one batch)   {t_validate:6.2f} s   target < 20 s")
    print(f"findings               {n_findings}; rejected {len(found)}; broken not found {len(missed)}")
    if missed or found - set(broken):
        raise SystemExit(f"wrong result: missed {missed}, unexpected {sorted(found - set(broken))}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
