-- area_totals: each area's consolidated figures of each report year, in the format that year is meant for, in three
-- scopes, at every level of the tree (areas.path: every area a report rolls up into):
--   own   (本级)   the report of the area's own government: a county government's; a city government's;
--   units (不含本级) everything under the area but that report: a county's townships, subdistricts and departments;
--                  a city's counties, each with its county government's own report (the sum of its counties' 'all');
--                  a province's cities likewise (the sum of its cities' 'all');
--   all   (含本级)   units + own: every counted report under the area.
-- So a city's 'units' figure is the sum of its counties' 'all' figures, cell by cell, and a province's of its cities'
-- (transforms.warehouse.rollup re-checks it, with the format's identities, at every level). A county's rows are
-- exactly county_totals. The values are counted_values' (a blank is 0, a blank 总计 its row's sum, exact).
-- In one county's registry (no areas.csv) there is one area, the implicit county '' (areas).
CREATE OR REPLACE VIEW area_totals AS
WITH rolled AS (  -- each report's values once for every area it rolls up into, its own area included
    SELECT unnest(a.path) AS rolls_into, a.area_code FROM areas a)
SELECT u.rolls_into AS area_code, above.area_type, v.report_year, v.format_version, p.scope, v.section, v.row_code,
       v.column_code, sum(v.value) AS value, count(*) AS reports
FROM counted_values v
JOIN rolled u USING (area_code)
JOIN areas above ON above.area_code = u.rolls_into
JOIN (VALUES ('units', 'units'), ('own', 'own'), ('units', 'all'), ('own', 'all')) p(part, scope)
  ON p.part = CASE WHEN v.own_report AND v.area_code = u.rolls_into THEN 'own' ELSE 'units' END
GROUP BY ALL
