-- run_summary: what each run loaded, one row per run: files by status, errors and warnings.
-- {by_status}: one count column per status a file can have.
CREATE OR REPLACE VIEW run_summary AS
SELECT run_id, min(loaded_at) AS loaded_at, count(*) AS files, {by_status},
       sum(error_count) AS errors, sum(warning_count) AS warnings
FROM submissions GROUP BY run_id
ORDER BY loaded_at, run_id
