"""countystats: collect, check, consolidate and publish county disclosure annual reports."""
