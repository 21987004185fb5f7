"""How fast is reading a portal page? ``python benchmarks/bench_forms_html.py [--runs N]``

Pages: the two real annual report pages as posted on the Pingtan portal (/work/shared/samples/published, ~110 KB of
portal around the article each), and the 2024 page re-encoded as GBK and saved as a single-file page (.mht). Times,
median of N runs:
  * ``read_html`` (decode, parse, find the article among the portal's furniture, tables and paragraphs) — the
    figure that matters for the reader;
  * ``read_submission`` end to end on the same files (read_html + table finding + numbers + findings);
  * the floor: ``lxml.html.fromstring`` alone on the same bytes (parsing only), for the pages as posted (lxml alone
    stops reading the GBK copy at its charset declaration and does not open a .mht).
Target: median ``read_submission`` of each real page < 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))  # test_forms_html: the GBK and .mht copies its tests read

PUBLISHED = ROOT.parent / "shared" / "samples" / "published"
TARGET_MS = 50.0
UNITS = ("unit_code,unit_name,unit_type,aliases,active_from,active_to\n"
         "gov_pingtan,平潭综合实验区,county_government,平潭综合实验区管委会,,\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()

    import lxml.html
    from test_forms_html import _as_gbk, _as_mht
    from timing import describe, repeat

    from transforms.reading import read_submission
    from transforms.reading.forms.html import read_html
    from transforms.registry import Registry

    pages = {f"pingtan-{y}.html (as posted)": (PUBLISHED / f"pingtan-{y}.html").read_bytes() for y in (2024, 2025)}
    posted = pages["pingtan-2024.html (as posted)"]
    pages["pingtan-2024 as GBK"] = _as_gbk(posted)
    pages["pingtan-2024 as .mht (quoted-printable)"] = _as_mht(posted)
    with tempfile.TemporaryDirectory(prefix="bench-html-") as tmp:
        folder = Path(tmp)
        (folder / "units.csv").write_text(UNITS, encoding="utf-8")
        registry = Registry.load(folder / "units.csv")
        paths = {}
        for i, (name, data) in enumerate(pages.items()):
            paths[name] = folder / f"page{i}.htm"
            paths[name].write_bytes(data)
        read_submission(next(iter(paths.values())), registry)  # warm-up: imports, label indexes

        results = {}
        for name, data in pages.items():
            results[name] = {
                "read_html": repeat(lambda d=data: read_html(d), args.runs),
                "read_submission": repeat(lambda p=paths[name]: read_submission(p, registry), args.runs),
            }
            if name.endswith("(as posted)"):
                results[name]["floor: lxml.html.fromstring"] = repeat(lambda d=data: lxml.html.fromstring(d), args.runs)
            print(f"{name} ({len(data) // 1024} KB)")
            for what, ms in results[name].items():
                print("  " + describe(what, ms, 40))

    real = [n for n in results if n.endswith("(as posted)")]
    worst = max(statistics.median(results[n]["read_submission"]) for n in real)
    html = max(statistics.median(results[n]["read_html"]) for n in real)
    floor = max(statistics.median(results[n]["floor: lxml.html.fromstring"]) for n in real)
    verdict = "PASS" if worst < TARGET_MS else "FAIL"
    print(f"RESULT: real pages read_html median ≤ {html:.1f} ms (lxml parse floor ≤ {floor:.1f} ms), "
          f"read_submission median ≤ {worst:.1f} ms (target < {TARGET_MS:.0f} ms): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
