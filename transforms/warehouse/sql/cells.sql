-- {view}: one table of the current accepted reports, one row per value (a view, not a copy: the current report can
-- only ever be what submissions.is_current says).
-- {section}: the table's code; {row_col} / {col_col}: its axes' column names; {counted}: statuses counted.
CREATE OR REPLACE VIEW {view} AS
SELECT s.unit_code, s.unit_name, s.unit_type, s.area_code, s.report_year, s.format_version,
       v.row_code AS {row_col}, v.column_code AS {col_col}, v.value,
       v.submission_id, s.source_file, v.source_cell
FROM cell_values v JOIN submissions s USING (submission_id)
WHERE s.is_current AND s.status IN {counted} AND v.section = '{section}'
