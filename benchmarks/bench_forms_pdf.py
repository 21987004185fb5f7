"""How fast is reading a PDF report? ``python benchmarks/bench_forms_pdf.py [--runs N]``

Documents: the three published PDFs in /work/shared/samples/published (hongze-qu-2023/2024: 5 pages, huaian-shi-2024:
6 pages; ruled tables over page breaks). Times, median of N runs:
  * ``read_pdf`` (pypdfium2 extraction, ruled tables rebuilt, text laid out) — the PDF reader's own cost;
  * ``read_submission`` end to end on the same files (read_pdf + table finding + numbers + year, unit, findings);
  * the floor: pypdfium2 alone opening the bytes, every char with its box (count, unicode, char box), and every page
    object with its bounds — what no reader built on pdfium can go below.
Target: median ``read_submission`` < 250 ms per five-page report.
"""

from __future__ import annotations

import argparse
import ctypes
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGET_MS = 250.0
PUBLISHED = ROOT.parent / "shared" / "samples" / "published"
NAMES = ("hongze-qu-2023", "hongze-qu-2024", "huaian-shi-2024")
UNITS = ("unit_code,unit_name,unit_type,aliases,active_from,active_to\n"
         "gov_hongze,淮安市洪泽区人民政府,county_government,洪泽区人民政府,,\n"
         "gov_huaian,淮安市人民政府,county_government,淮安市政府,,\n")


def floor(data: bytes) -> None:
    """pypdfium2 alone: open, every char with its box, every page object with its bounds."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(data)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    for i in range(len(pdf)):
        page = pdf[i]
        textpage = page.get_textpage()
        tp = textpage.raw
        for k in range(raw.FPDFText_CountChars(tp)):
            raw.FPDFText_GetUnicode(tp, k)
            raw.FPDFText_GetCharBox(tp, k, left, right, bottom, top)
        textpage.close()
        for obj in page.get_objects():
            obj.get_bounds()
        page.close()
    pdf.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()

    from timing import describe, repeat

    from transforms.reading import read_submission
    from transforms.reading.forms.pdf import read_pdf
    from transforms.registry import Registry

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        folder = Path(tmp)
        (folder / "units.csv").write_text(UNITS, encoding="utf-8")
        registry = Registry.load(folder / "units.csv")
        for name in NAMES:
            path = folder / f"{name}.pdf"
            shutil.copy(PUBLISHED / f"{name}.pdf", path)
            data = path.read_bytes()
            sub = read_submission(path, registry)  # warm-up: imports, label indexes
            assert not sub.unreadable and sub.format_version, sub.findings
            results[name] = {
                "read_pdf": repeat(lambda d=data: read_pdf(d), args.runs),
                "read_submission": repeat(lambda p=path: read_submission(p, registry), args.runs),
                "floor: pypdfium2 open + chars with boxes + objects": repeat(lambda d=data: floor(d), args.runs),
            }
            print(f"{name} ({len(data) // 1024} KB, {len(read_pdf(data).tables)} tables)")
            for what, ms in results[name].items():
                print("  " + describe(what, ms))

    worst = max(statistics.median(r["read_submission"]) for r in results.values())
    pdf = max(statistics.median(r["read_pdf"]) for r in results.values())
    verdict = "PASS" if worst < TARGET_MS else "FAIL"
    print(f"RESULT: slowest median read_pdf {pdf:.1f} ms, read_submission {worst:.1f} ms "
          f"(target < {TARGET_MS:.0f} ms per report): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
