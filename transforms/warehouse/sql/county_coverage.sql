-- county_coverage: what each year's county figures cover: the units expected (the county government's own report
-- apart) and how many count, and by name those missing (未报送), held (待核实), returned (退回) or rejected (未通过),
-- whether the county government's own report counts, and the units whose report is in another format (mapped where
-- the cells are the same, county_unmapped where not).
-- {counted}: statuses counted; {own}: unit types whose report is the county government's own; {target}: the format
-- a report year is meant for.
CREATE OR REPLACE VIEW county_coverage AS
SELECT c.report_year,
       count(*) FILTER (WHERE c.unit_type NOT IN {own}) AS units_expected,
       count(*) FILTER (WHERE c.unit_type NOT IN {own} AND c.status IN {counted}) AS units_counted,
       coalesce(list(c.unit_name ORDER BY c.unit_code)
                FILTER (WHERE c.unit_type NOT IN {own} AND c.status = 'missing'), []) AS missing,
       coalesce(list(c.unit_name ORDER BY c.unit_code)
                FILTER (WHERE c.unit_type NOT IN {own} AND c.status = 'needs_review'), []) AS held,
       coalesce(list(c.unit_name ORDER BY c.unit_code)
                FILTER (WHERE c.unit_type NOT IN {own} AND c.status = 'returned'), []) AS returned,
       coalesce(list(c.unit_name ORDER BY c.unit_code)
                FILTER (WHERE c.unit_type NOT IN {own} AND c.status = 'rejected'), []) AS rejected,
       coalesce(bool_or(c.status IN {counted}) FILTER (WHERE c.unit_type IN {own}), false) AS own_counted,
       coalesce((SELECT list(DISTINCT s.unit_name ORDER BY s.unit_name) FROM submissions s
                 WHERE s.is_current AND s.status IN {counted} AND s.report_year = c.report_year
                   AND s.format_version <> {target}), []) AS other_format
FROM completeness c
GROUP BY c.report_year
ORDER BY c.report_year
