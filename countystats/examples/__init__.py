"""Example data, consistent by construction: every generator of reports, workbooks and warehouses in one package.

- :mod:`.reports`: consistent figures for any format and unit type, and submissions built from them (tests and
  benchmarks of validation and loading, without a reader);
- :mod:`.county`: the example county 清河县, a season of workbooks in every layout and mess units really send (the
  README's demo, end-to-end tests);
- :mod:`.small`: a five-unit county and reports with the figures a test names (loading, history, roll-up);
- :mod:`.workbooks`: what a reader must read back from a workbook the product's writer wrote;
- :mod:`.rules`: the examples each rule declares (``transforms.rules``), made into submissions and workbooks;
- :mod:`.warehouses`: example warehouses of any size, every status present, validated by Great Expectations and
  built through the real schema and loader (the dashboards' and analysts' query tests, the dashboards benchmark).

Everything here is derived from the format definition (``transforms.format``): nothing spells a label.
"""
