-- county_totals: each county's consolidated figures of each report year (area_totals of the counties; in one county's
-- registry the one county, area_code ''), in the format that year is meant for, in three scopes: 'units' (不含本级:
-- the townships, subdistricts and departments), 'own' (本级: the county government's own report) and 'all' (含本级).
-- Each value counts as the arithmetic rules read it (counted_values): a blank is 0, a blank 总计 is its row's sum; a
-- report in another format mapped where the cells are the same. Sums are exact: DECIMAL(38, 6).
CREATE OR REPLACE VIEW county_totals AS
SELECT area_code, report_year, format_version, scope, section, row_code, column_code, value, reports
FROM area_totals WHERE area_type = 'county'
