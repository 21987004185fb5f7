-- counted_values: what each current counted report adds to the figures of its areas, cell by cell, in the format its
-- year is meant for — the one place a report's values become figures; area_totals (and county_totals, its counties)
-- only add these up. The reports: the current reports that count (通过) of the units expected to report and of each
-- area's own government (own_report: a county's; a city's, in a deployment of many counties — in one county's registry
-- a city government is comparison data and counts nowhere).
-- Each value counts as the arithmetic rules read it: a blank is 0, a blank 总计 is its row's sum. A report in another
-- format is mapped where the year's format has the same cell (same codes, same measure); what it has that the year's
-- format lacks is left out and listed (county_unmapped). A derived row printed undivided (2019's single （六）其他处理,
-- or 2021 tables printed so) counts under the child the year's format names. Sums are exact: DECIMAL(38, 6).
-- {target}: the format a report year is meant for; {counted}: statuses counted; {expected}: unit types expected to
-- report; {government}: whether the report of unit s is its area a's government's own; {totalled}: tables whose rows
-- end in a 总计 column ({total}); {undivided_windows} / {undivided_rows}: each format's undivided rows, from the
-- format definition.
CREATE OR REPLACE VIEW counted_values AS
WITH reports AS (
    SELECT s.submission_id, s.unit_code, s.unit_name, s.unit_type, s.area_code, {government} AS own_report,
           s.report_year, {target} AS target
    FROM submissions s JOIN areas a USING (area_code)
    WHERE s.is_current AND s.status IN {counted} AND (s.unit_type IN {expected} OR {government})),
valued AS (
    SELECT r.submission_id, r.report_year, r.target, v.section, v.row_code, v.column_code, CASE
        WHEN v.value IS NOT NULL THEN v.value
        WHEN v.column_code = '{total}' AND v.section IN {totalled} THEN coalesce(
            sum(v.value) FILTER (WHERE v.column_code <> '{total}')
                OVER (PARTITION BY v.submission_id, v.section, v.row_code), 0)
        ELSE 0 END AS v{undivided_windows}
    FROM cell_values v JOIN reports r USING (submission_id)),
mapped AS (
    SELECT submission_id, report_year, target, section, row_code, column_code, v FROM valued{undivided_rows}),
-- one row per report and cell (an undivided row may add to a cell the report has too), so a total's `reports` is a
-- count(*): a count(DISTINCT submission_id) per cell holds every cell's set of reports at once, memory that grows
per_report AS (
    SELECT submission_id, target, section, row_code, column_code, sum(CAST(v AS DECIMAL(38, 6))) AS v
    FROM mapped GROUP BY ALL)
SELECT r.submission_id, r.unit_code, r.unit_name, r.unit_type, r.area_code, r.own_report, r.report_year,
       m.target AS format_version, m.section, m.row_code, m.column_code, m.v AS value
FROM per_report m
JOIN reports r USING (submission_id)
JOIN format_cells f ON f.format_version = m.target AND f.section = m.section AND f.row_code = m.row_code
                   AND f.column_code = m.column_code
