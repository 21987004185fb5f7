-- county_totals: the county's consolidated figures, per report year and format: the sum over the current accepted
-- reports of the units that count toward the county (the county government's own report is shown apart).
-- Each value counts as the arithmetic rules read it: a blank is 0, a blank 总计 is the row's sum, and a derived row
-- printed undivided (R-FORMAT mixed signals) counts under the child the format names. Sums are exact: DECIMAL(38, 6).
-- {counted}: statuses counted; {excluded}: unit types not counted; {totalled}: tables whose rows end in a 总计 column
-- ({total}); {undivided_windows} / {undivided_value}: the undivided rows of each format, from the format definition.
CREATE OR REPLACE VIEW county_totals AS
WITH cells AS (
    SELECT s.report_year, s.format_version, v.submission_id, v.section, v.row_code, v.column_code, v.value
    FROM cell_values v JOIN submissions s USING (submission_id)
    WHERE s.is_current AND s.status IN {counted} AND s.unit_type NOT IN {excluded}),
blank_as_zero AS (
    SELECT *, CASE
        WHEN value IS NOT NULL THEN value
        WHEN column_code = '{total}' AND section IN {totalled} THEN coalesce(
            sum(value) FILTER (WHERE column_code <> '{total}')
                OVER (PARTITION BY submission_id, section, row_code), 0)
        ELSE 0 END AS v
    FROM cells),
undivided AS (
    SELECT *{undivided_windows}
    FROM blank_as_zero),
counted AS (
    SELECT report_year, format_version, submission_id, section, row_code, column_code, {undivided_value} AS v
    FROM undivided)
SELECT report_year, format_version, section, row_code, column_code,
       sum(CAST(v AS DECIMAL(38, 6))) AS value, count(DISTINCT submission_id) AS reports
FROM counted GROUP BY ALL
