-- area_completeness: completeness and timeliness per area and report year, at every level (area_units): how many of
-- the units under the area (its own government apart: own_status) were expected, sent a file, count, came on time
-- or late, are held, returned, rejected or missing. A city's counts are its counties' together (their governments
-- among the units), a province's its cities'; compare the areas under one by filtering on parent_code.
-- on_time / late: counted units whose first counted report came by / after its deadline (a backfilled year: neither).
-- {counted}: statuses counted.
CREATE OR REPLACE VIEW area_completeness AS
SELECT u.area_code, u.area_type, a.parent_code, u.report_year,
       count(*) FILTER (WHERE NOT u.own_report) AS units_expected,
       count(*) FILTER (WHERE NOT u.own_report AND u.status <> 'missing') AS units_reported,
       count(*) FILTER (WHERE NOT u.own_report AND u.status IN {counted}) AS units_counted,
       count(*) FILTER (WHERE NOT u.own_report AND u.status IN {counted} AND u.on_time) AS on_time,
       count(*) FILTER (WHERE NOT u.own_report AND u.status IN {counted} AND NOT u.on_time) AS late,
       count(*) FILTER (WHERE NOT u.own_report AND u.status = 'needs_review') AS held,
       count(*) FILTER (WHERE NOT u.own_report AND u.status = 'returned') AS returned,
       count(*) FILTER (WHERE NOT u.own_report AND u.status = 'rejected') AS rejected,
       count(*) FILTER (WHERE NOT u.own_report AND u.status = 'missing') AS missing,
       any_value(u.status) FILTER (WHERE u.own_report) AS own_status
FROM area_units u JOIN areas a USING (area_code)
GROUP BY u.area_code, u.area_type, a.parent_code, u.report_year
ORDER BY u.report_year, u.area_code
