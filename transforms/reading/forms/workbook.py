"""A workbook (.xlsx/.xlsm, legacy .xls/.et) as a Document: its sheets are the grids, read as they are.

The guard (:mod:`transforms.reading.guard`) sees what calamine will see before calamine touches the bytes; the
sheets it refuses are left out with why, and the formula and error cells it found go with the document.
"""

from __future__ import annotations

import zipfile

from transforms.reading.forms.document import Document
from transforms.reading.grid import load_grids
from transforms.reading.guard import Rejected, inspect


def read_workbook(data: bytes, opened: zipfile.ZipFile | None = None) -> Document:
    """``opened``: the .xlsx's zip as the sniffer opened it (its directory is not read again)."""
    insp = inspect(data, opened)
    grids, left_out = load_grids(data, skip=insp.oversized_sheets)
    skipped = {name: insp.oversized_reason(name) or "有内容的单元格延伸到极远处" for name in insp.oversized_sheets}
    skipped.update(left_out)
    if not grids:
        if skipped:
            raise Rejected("工作表范围过大（" + "；".join(f"“{n}”{why}" for n, why in sorted(skipped.items()))
                           + "），请删除多余内容后另存再报送")
        raise Rejected("工作簿里没有工作表")
    return Document("workbook", grids=grids, skipped={f"工作表“{n}”": why for n, why in skipped.items()},
                    inspection=insp)
