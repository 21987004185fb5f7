-- county_coverage: what each year's county figures cover (area_coverage of the counties; in one county's registry
-- the one county, area_code ''): the units expected (the county government's own report apart) and how many count,
-- and by name those missing (未报送), held (待核实), returned (退回) or rejected (未通过), whether the county
-- government's own report counts, and the units whose report is in another format (mapped where the cells are the
-- same, county_unmapped where not).
CREATE OR REPLACE VIEW county_coverage AS
SELECT area_code, report_year, units_expected, units_counted, missing, held, returned, rejected, own_counted,
       other_format
FROM area_coverage WHERE area_type = 'county'
ORDER BY report_year, area_code
