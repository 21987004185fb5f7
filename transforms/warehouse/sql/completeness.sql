-- completeness: one row per expected unit and report year, with its status and timeliness.
-- Expected years: every report year the warehouse has seen, and the year being collected (meta 'collecting_year'):
-- at the start of the season nobody has reported it yet, and all are missing. Deadlines are the settings' (meta
-- 'deadline', 'county_deadline': MM-DD of the year after the report year), and 'as_of' the county's date of the
-- last load: a unit is late only once its deadline has passed without a report that counts (on_time NULL before).
-- A year whose counted report came in by a backfill run (a published report taken in years later) has no timeliness
-- to judge: on_time NULL, backfilled true; so has every unit of a year known only from a backfill (missing there means
-- "not among the published reports taken in", not "late").
-- Status: that of the year's current (counted) report; without one, that of its latest file (待核实, 退回, 未通过 —
-- an unreadable file leaves the year 未通过); without any file, missing.
-- Expected units: those of a type expected to report, and an area's own government (a city's, in a deployment of
-- many counties: {government}); each with its area (units.area_code, '' in a one-county registry).
-- {expected}: unit types expected to report; {late}: unit types with the later deadline; {counted}: statuses
-- counted; {of_unit_year}: statuses a unit's year can have; {government}: whether unit u is its area a's government.
CREATE OR REPLACE VIEW completeness AS
WITH settings AS (
    SELECT max(value) FILTER (WHERE key = 'deadline') AS deadline,
           max(value) FILTER (WHERE key = 'county_deadline') AS county_deadline,
           coalesce(max(value) FILTER (WHERE key = 'collecting_year'), '0')::INTEGER AS collecting_year,
           max(value) FILTER (WHERE key = 'as_of')::DATE AS as_of
    FROM meta),
years AS (
    SELECT report_year, bool_and(backfill) AS backfill_only FROM (
        SELECT report_year, backfill FROM submissions WHERE report_year IS NOT NULL
        UNION ALL SELECT collecting_year, false FROM settings WHERE collecting_year > 0)
    GROUP BY report_year),
expected AS (
    SELECT u.unit_code, u.unit_name, u.unit_type, u.area_code, y.report_year, y.backfill_only,
           CASE WHEN u.unit_type IN {late} THEN s.county_deadline ELSE s.deadline END AS month_day
    FROM units u LEFT JOIN areas a USING (area_code) CROSS JOIN years y CROSS JOIN settings s
    WHERE (u.unit_type IN {expected} OR {government})
      AND (u.active_from IS NULL OR y.report_year >= u.active_from)
      AND (u.active_to IS NULL OR y.report_year <= u.active_to)),
due AS (
    SELECT *, make_date(report_year + 1, split_part(month_day, '-', 1)::INTEGER,
                        split_part(month_day, '-', 2)::INTEGER) AS deadline
    FROM expected),
per AS (
    SELECT unit_code, report_year,
           min(received_at) AS first_received_at,
           min(received_at) FILTER (WHERE status IN {counted} AND NOT backfill) AS first_accepted_at,
           coalesce(bool_or(backfill) FILTER (WHERE status IN {counted}), false) AS backfilled,
           max(submission_id) FILTER (WHERE is_current) AS current_id,
           arg_max(submission_id, (received_at, submission_id)) AS latest_id
    FROM submissions WHERE unit_code IS NOT NULL GROUP BY ALL)
SELECT d.unit_code, d.unit_name, d.unit_type, d.area_code, d.report_year,
       CASE WHEN p.current_id IS NOT NULL THEN cur.status
            WHEN p.latest_id IS NOT NULL THEN
                CASE WHEN latest.status IN {of_unit_year} THEN latest.status ELSE 'rejected' END
            ELSE 'missing' END AS status,
       p.current_id AS submission_id, p.first_received_at, p.first_accepted_at, d.deadline,
       CASE WHEN p.first_accepted_at IS NOT NULL THEN p.first_accepted_at < d.deadline + INTERVAL 1 DAY
            WHEN p.backfilled OR d.backfill_only THEN NULL
            WHEN s.as_of > d.deadline THEN false
            END AS on_time,
       coalesce(p.backfilled, false) OR d.backfill_only AS backfilled
FROM due d
CROSS JOIN settings s
LEFT JOIN per p USING (unit_code, report_year)
LEFT JOIN submissions cur ON cur.submission_id = p.current_id
LEFT JOIN submissions latest ON latest.submission_id = p.latest_id
ORDER BY d.report_year, d.unit_code
