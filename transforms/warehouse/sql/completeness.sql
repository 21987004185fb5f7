-- completeness: one row per expected unit and report year, with its status and timeliness.
-- Expected years: every report year the warehouse has seen, and the year being collected (meta 'collecting_year'):
-- at the start of the season nobody has reported it yet, and all are missing. Deadlines are the settings' (meta
-- 'deadline', 'county_deadline': MM-DD of the year after the report year), written by every load.
-- {expected}: unit types expected to report; {late}: unit types with the later deadline; {counted}: statuses counted.
CREATE OR REPLACE VIEW completeness AS
WITH settings AS (
    SELECT max(value) FILTER (WHERE key = 'deadline') AS deadline,
           max(value) FILTER (WHERE key = 'county_deadline') AS county_deadline,
           coalesce(max(value) FILTER (WHERE key = 'collecting_year'), '0')::INTEGER AS collecting_year
    FROM meta),
years AS (
    SELECT DISTINCT report_year FROM submissions WHERE report_year IS NOT NULL
    UNION SELECT collecting_year FROM settings WHERE collecting_year > 0),
expected AS (
    SELECT u.unit_code, u.unit_name, u.unit_type, y.report_year,
           CASE WHEN u.unit_type IN {late} THEN s.county_deadline ELSE s.deadline END AS month_day
    FROM units u CROSS JOIN years y CROSS JOIN settings s
    WHERE u.unit_type IN {expected}
      AND (u.active_from IS NULL OR y.report_year >= u.active_from)
      AND (u.active_to IS NULL OR y.report_year <= u.active_to)),
per AS (
    SELECT unit_code, report_year,
           min(received_at) AS first_received_at,
           min(received_at) FILTER (WHERE status IN {counted}) AS first_accepted_at,
           max(submission_id) FILTER (WHERE is_current) AS current_id,
           count(*) AS files
    FROM submissions WHERE unit_code IS NOT NULL GROUP BY ALL)
SELECT e.unit_code, e.unit_name, e.unit_type, e.report_year,
       CASE WHEN p.current_id IS NOT NULL THEN cur.status
            WHEN p.files > 0 THEN 'rejected' ELSE 'missing' END AS status,
       p.current_id AS submission_id, p.first_received_at, p.first_accepted_at,
       make_date(e.report_year + 1, split_part(e.month_day, '-', 1)::INTEGER,
                 split_part(e.month_day, '-', 2)::INTEGER) AS deadline,
       coalesce(p.first_accepted_at < make_date(e.report_year + 1, split_part(e.month_day, '-', 1)::INTEGER,
                                                split_part(e.month_day, '-', 2)::INTEGER) + INTERVAL 1 DAY,
                false) AS on_time
FROM expected e
LEFT JOIN per p USING (unit_code, report_year)
LEFT JOIN submissions cur ON cur.submission_id = p.current_id
ORDER BY e.report_year, e.unit_code
