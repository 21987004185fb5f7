"""How fast is reading a Word report? ``python benchmarks/bench_forms_word.py [--runs N]``

Documents: the statutory template (/work/shared/samples/published) with every value cell filled, the same as a unit's
messy report (narrative, text box title, header, table 三 split by a page break, inside a 1×1 layout table; built
by tests/word_fixtures.py), and a full report written by transforms.writing.documents. Times, median of N runs:
  * ``read_word`` (zip guard, parts parsed, tables and text walked) — the figure that matters;
  * ``read_submission`` end to end on the same files (read_word + table finding + numbers + findings);
  * the floor: lxml parsing word/document.xml alone (already decompressed), and unzip + parse.
Target: median ``read_submission`` of the filled template < 50 ms.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))  # word_fixtures: the documents the Word reader's tests use

TARGET_MS = 50.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()

    from lxml import etree
    from timing import describe, repeat
    from word_fixtures import filled_template, messy_report

    from countystats.examples.reports import consistent_values
    from transforms.format.statutory import FORMAT_2021
    from transforms.reading import read_submission
    from transforms.reading.forms.word import _parser, read_word
    from transforms.registry import DEFAULT_REGISTRY, Registry
    from transforms.writing.documents import write_document

    registry = Registry.load(DEFAULT_REGISTRY)
    with tempfile.TemporaryDirectory(prefix="bench-word-") as tmp:
        folder = Path(tmp)
        docs = {
            "filled template": filled_template().data,
            "messy report (split, nested, text box)": messy_report(nested=True).data,
        }
        written = write_document(folder / "written.docx", FORMAT_2021, consistent_values(FORMAT_2021.version,
                                 rng=random.Random(1)), "大营镇", 2024, "word")
        docs["writer's full report"] = written.path.read_bytes()
        paths = {}
        for i, (name, data) in enumerate(docs.items()):
            paths[name] = folder / f"大营镇2024年报告{i}.docx"
            paths[name].write_bytes(data)
        read_submission(paths["filled template"], registry, year=2024, unit_name="大营镇")  # warm-up: imports, indexes

        results = {}
        for name, data in docs.items():
            xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
            kw = {"year": 2024, "unit_name": "大营镇"} if name == "filled template" else {}
            results[name] = {
                "read_word": repeat(lambda d=data: read_word(d), args.runs),
                "read_submission": repeat(lambda p=paths[name], k=kw: read_submission(p, registry, **k), args.runs),
                "floor: lxml parse of document.xml": repeat(lambda x=xml: etree.fromstring(x, _parser()), args.runs),
                "floor: unzip + parse document.xml": repeat(
                    lambda d=data: etree.fromstring(zipfile.ZipFile(io.BytesIO(d)).read("word/document.xml"),
                                                    _parser()), args.runs),
            }
            print(f"{name} ({len(data) // 1024} KB, document.xml {len(xml) // 1024} KB)")
            for what, ms in results[name].items():
                print("  " + describe(what, ms))

    median = statistics.median(results["filled template"]["read_submission"])
    word = statistics.median(results["filled template"]["read_word"])
    verdict = "PASS" if median < TARGET_MS else "FAIL"
    print(f"RESULT: filled template read_word median {word:.1f} ms, read_submission median {median:.1f} ms "
          f"(target < {TARGET_MS:.0f} ms): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
