"""Reading a unit's workbook into canonical cells, whatever its layout: the tables found by their labels.

The steps, one module each: the bytes guarded (:mod:`.guard`) → sheets as grids (:mod:`.grid`) → the tables found
by their labels under each format's lookup (:mod:`.tables`, :mod:`.labels`) → the format decided, numbers parsed
(:mod:`.numbers`), year and unit found, R-* findings (:mod:`.reader`).
"""

from transforms.reading.reader import ReadTask, read_isolated, read_submission, reader_pool

__all__ = ["ReadTask", "read_isolated", "read_submission", "reader_pool"]
