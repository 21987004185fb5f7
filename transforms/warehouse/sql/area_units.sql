-- area_units: every area with every expected unit under it (its own units, those of the areas under it, and its own
-- government), per report year, with the unit's completeness: the drill-down province → city → county → unit, and
-- what area_coverage and area_completeness count. own_report: the unit is this area's own government (本级: the county
-- government for its county, the city government for its city), shown apart in every area's counts; a county
-- government is one of the units of its city and province. unit_label: the unit's name, with its county's before it
-- in the lists of the areas above (清河县·城关镇: every county has its 城关镇); a government's name says its area.
-- {government}: whether unit c is its area a's government.
CREATE OR REPLACE VIEW area_units AS
WITH placed AS (
    SELECT c.*, a.area_name AS unit_area_name, {government} AS is_government
    FROM completeness c JOIN areas a USING (area_code)),
rolled AS (SELECT unnest(path) AS rolls_into, area_code FROM areas)
SELECT above.area_code, above.area_type, p.report_year, p.unit_code, p.unit_name, p.unit_type,
       p.area_code AS unit_area_code,
       CASE WHEN p.area_code = above.area_code OR p.is_government OR p.unit_area_name = '' THEN p.unit_name
            ELSE p.unit_area_name || '·' || p.unit_name END AS unit_label,
       p.is_government AND p.area_code = above.area_code AS own_report,
       p.status, p.on_time, p.backfilled
FROM placed p
JOIN rolled r USING (area_code)
JOIN areas above ON above.area_code = r.rolls_into
