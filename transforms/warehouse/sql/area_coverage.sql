-- area_coverage: what each area's figures of each year (area_totals) cover, at every level: the units expected under
-- the area (its own government apart: own_counted; a city's and a province's units include the county governments
-- under them, as their 'units' figures do) and how many count, and by name (unit_label: with the county above the
-- county level) those missing (未报送), held (待核实), returned (退回) or rejected (未通过), and the units whose report
-- is in another format (mapped where the cells are the same, county_unmapped where not).
-- {counted}: statuses counted; {target}: the format a report year (of s) is meant for.
CREATE OR REPLACE VIEW area_coverage AS
WITH other AS (
    SELECT u.area_code, u.report_year, list(DISTINCT u.unit_label ORDER BY u.unit_label) AS other_format
    FROM area_units u JOIN submissions s ON s.unit_code = u.unit_code AND s.report_year = u.report_year
    WHERE s.is_current AND s.status IN {counted} AND s.format_version <> {target}
    GROUP BY ALL)
SELECT u.area_code, u.area_type, u.report_year,
       count(*) FILTER (WHERE NOT u.own_report) AS units_expected,
       count(*) FILTER (WHERE NOT u.own_report AND u.status IN {counted}) AS units_counted,
       coalesce(list(u.unit_label ORDER BY u.unit_area_code, u.unit_code)
                FILTER (WHERE NOT u.own_report AND u.status = 'missing'), []) AS missing,
       coalesce(list(u.unit_label ORDER BY u.unit_area_code, u.unit_code)
                FILTER (WHERE NOT u.own_report AND u.status = 'needs_review'), []) AS held,
       coalesce(list(u.unit_label ORDER BY u.unit_area_code, u.unit_code)
                FILTER (WHERE NOT u.own_report AND u.status = 'returned'), []) AS returned,
       coalesce(list(u.unit_label ORDER BY u.unit_area_code, u.unit_code)
                FILTER (WHERE NOT u.own_report AND u.status = 'rejected'), []) AS rejected,
       coalesce(bool_or(u.status IN {counted}) FILTER (WHERE u.own_report), false) AS own_counted,
       coalesce(any_value(o.other_format), []) AS other_format
FROM area_units u
LEFT JOIN other o USING (area_code, report_year)
GROUP BY u.area_code, u.area_type, u.report_year
ORDER BY u.report_year, u.area_code
