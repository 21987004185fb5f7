"""Static, offline dashboards from the published warehouse: ``dashboards.build.build_dashboards(db, out)``.

See docs/dashboards.md (pages, filters, CSV files) and docs/analysts.md (the warehouse's relations, queries).
"""
