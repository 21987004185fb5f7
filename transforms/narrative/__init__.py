"""What the narrative of a report says, read against its tables and against other reports.

:mod:`.figures`: the figures a sentence states for a table quantity (N-TEXT). :mod:`.copies`: sections nearly the
same as another report's (N-COPY), found among thousands of reports without comparing every pair.
"""
