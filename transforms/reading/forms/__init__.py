"""Every form a report arrives in, read into one :class:`~.document.Document`: workbook, Word, PDF, portal page.

:func:`read_document` recognises the form from the bytes (:mod:`.sniff`) and hands them to that form's reader. Each
reader imports its library only when a file of its form comes (the readers run in worker processes; the DAG's
parse and ``check`` on a workbook never pay for pdfium or lxml).
"""

from __future__ import annotations

import zipfile

from transforms.reading.forms.document import FORM_ZH, FORMS, Document, Table, TextBlock, stack
from transforms.reading.forms.sniff import (
    HTML,
    LEGACY_WORD,
    LEGACY_WORKBOOK,
    PDF,
    WORD,
    WORKBOOK,
    sniff,
    sniff_opened,
)
from transforms.reading.guard import Rejected

__all__ = ["FORMS", "FORM_OF", "FORM_ZH", "Document", "Table", "TextBlock", "read_document", "sniff", "sniff_opened",
           "stack"]


FORM_OF = {WORKBOOK: "workbook", LEGACY_WORKBOOK: "workbook", WORD: "word", LEGACY_WORD: "word", PDF: "pdf",
           HTML: "html"}  # what sniff() sees → the form it is read as (Document.kind)


def read_document(data: bytes, kind: str | None = None, opened: zipfile.ZipFile | None = None) -> Document:
    """The file's tables and text. ``kind``: what :func:`sniff` said, if already asked (``opened``: the zip it
    opened, :func:`~.sniff.sniff_opened`). Raises :class:`transforms.reading.guard.Rejected` (reason in Chinese) for
    a file no reader takes; a reader library's own exception for a file that is damaged inside."""
    if kind is None:
        kind, opened = sniff_opened(data)
    if kind == WORD:
        from transforms.reading.forms.word import read_word

        return read_word(data)
    if kind == PDF:
        from transforms.reading.forms.pdf import read_pdf

        return read_pdf(data)
    if kind == HTML:
        from transforms.reading.forms.html import read_html

        return read_html(data)
    if kind == LEGACY_WORD:
        from transforms.reading.forms.legacy import read_legacy_word

        return read_legacy_word(data)
    from transforms.reading.forms.workbook import read_workbook

    if kind != LEGACY_WORKBOOK:
        return read_workbook(data, opened)
    try:
        return read_workbook(data)
    except Rejected:
        raise
    except Exception:  # noqa: BLE001 - calamine cannot open it (a WPS .et, a damaged or very old .xls)
        from transforms.reading.forms.legacy import complete_compound, read_legacy_workbook, soffice

        if soffice() is None or not complete_compound(data):
            raise
        return read_legacy_workbook(data)
