-- county_unmapped: what the current counted reports hold that the format of their year lacks (a unit that filed the
-- 2019 tables for a 2021 year: its 表二 measures of 2019), so it is never silently dropped from the figures of its
-- areas: listed here, with the unit's area (a city's or province's export lists those of the counties under it), and
-- in the consolidated report's 汇总说明.
-- {target}: the format a report year is meant for; {counted}, {expected}: statuses counted, unit types expected;
-- {government}: whether the report of unit s is its area a's government's own.
CREATE OR REPLACE VIEW county_unmapped AS
SELECT s.report_year, s.unit_code, s.unit_name, s.area_code, s.format_version, {target} AS year_format,
       v.section, v.row_code, v.column_code, v.value
FROM cell_values v JOIN submissions s USING (submission_id) JOIN areas a ON a.area_code = s.area_code
WHERE s.is_current AND s.status IN {counted} AND (s.unit_type IN {expected} OR {government})
  AND v.value IS NOT NULL AND v.value <> 0
  AND NOT EXISTS (SELECT 1 FROM format_cells f WHERE f.format_version = {target} AND f.section = v.section
                  AND f.row_code = v.row_code AND f.column_code = v.column_code)
