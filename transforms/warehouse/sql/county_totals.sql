-- county_totals: the county's consolidated figures of each report year, in the format that year is meant for: the
-- sum over the current reports that count (通过) of the units expected to report, in three scopes: 'units' (不含本级:
-- the townships, subdistricts and departments), 'own' (本级: the county government's own report) and 'all' (含本级).
-- Each value counts as the arithmetic rules read it: a blank is 0, a blank 总计 is its row's sum. A report in another
-- format is mapped where the year's format has the same cell (same codes, same measure); what it has that the year's
-- format lacks is left out and listed (county_unmapped). A derived row printed undivided (2019's single （六）其他处理,
-- or 2021 tables printed so) counts under the child the year's format names. Sums are exact: DECIMAL(38, 6).
-- {target}: the format a report year is meant for; {counted}: statuses counted; {expected}: unit types expected to
-- report; {own}: unit types whose report is the county government's own; {totalled}: tables whose rows end in a 总计
-- column ({total}); {undivided_windows} / {undivided_rows}: each format's undivided rows, from the format definition.
CREATE OR REPLACE VIEW county_totals AS
WITH reports AS (
    SELECT submission_id, report_year, {target} AS target,
           CASE WHEN unit_type IN {own} THEN 'own' ELSE 'units' END AS part
    FROM submissions
    WHERE is_current AND status IN {counted} AND unit_type IN {expected}),
valued AS (
    SELECT r.*, v.section, v.row_code, v.column_code, CASE
        WHEN v.value IS NOT NULL THEN v.value
        WHEN v.column_code = '{total}' AND v.section IN {totalled} THEN coalesce(
            sum(v.value) FILTER (WHERE v.column_code <> '{total}')
                OVER (PARTITION BY v.submission_id, v.section, v.row_code), 0)
        ELSE 0 END AS v{undivided_windows}
    FROM cell_values v JOIN reports r USING (submission_id)),
mapped AS (
    SELECT submission_id, report_year, target, part, section, row_code, column_code, v FROM valued{undivided_rows}),
-- one row per report and cell (an undivided row may add to a cell the report has too), so `reports` is a count(*):
-- a count(DISTINCT submission_id) per cell holds every cell's set of reports at once, memory that grows with them
per_report AS (
    SELECT submission_id, report_year, target, part, section, row_code, column_code,
           sum(CAST(v AS DECIMAL(38, 6))) AS v
    FROM mapped GROUP BY ALL)
SELECT m.report_year, m.target AS format_version, p.scope, m.section, m.row_code, m.column_code,
       sum(m.v) AS value, count(*) AS reports
FROM per_report m
JOIN format_cells f ON f.format_version = m.target AND f.section = m.section AND f.row_code = m.row_code
                   AND f.column_code = m.column_code
JOIN (VALUES ('units', 'units'), ('own', 'own'), ('units', 'all'), ('own', 'all')) p(part, scope) ON p.part = m.part
GROUP BY ALL
