"""Every form a report arrives in, read into one :class:`~.document.Document`: workbook, Word, PDF, portal page.

:func:`read_document` recognises the form from the bytes (:mod:`.sniff`) and hands them to that form's reader. Each
reader imports its library only when a file of its form comes (the readers run in worker processes; the DAG's
parse and ``check`` on a workbook never pay for pdfium or lxml).
"""

from __future__ import annotations

from transforms.reading.forms.document import FORMS, Document, Table, TextBlock, stack
from transforms.reading.forms.sniff import HTML, LEGACY_WORD, PDF, WORD, sniff

__all__ = ["FORMS", "Document", "Table", "TextBlock", "read_document", "sniff", "stack"]


def read_document(data: bytes) -> Document:
    """The file's tables and text. Raises :class:`transforms.reading.guard.Rejected` (reason in Chinese) for a
    file no reader takes; a reader library's own exception for a file that is damaged inside."""
    kind = sniff(data)
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

    return read_workbook(data)
