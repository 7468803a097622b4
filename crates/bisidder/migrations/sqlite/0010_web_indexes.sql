-- The case page lists a case's appointments (cases::store, WHERE case_id = $1); without
-- an index that was a scan of every appointment: 46 ms at 29,000 appointments on SQLite,
-- seconds at national scale (bench/WEB.md).
CREATE INDEX appointments_case ON appointments(case_id, starts_at);
