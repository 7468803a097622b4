-- The source system's own ids, kept so that importing the same history again changes
-- nothing (SPEC §7).
ALTER TABLE organisations ADD COLUMN source_id TEXT;
ALTER TABLE persons ADD COLUMN source_id TEXT;
ALTER TABLE cases ADD COLUMN source_id TEXT;
ALTER TABLE reports_of_concern ADD COLUMN source_id TEXT;
CREATE UNIQUE INDEX organisations_source ON organisations(source_id);
CREATE UNIQUE INDEX persons_source ON persons(org_id, source_id);
CREATE UNIQUE INDEX cases_source ON cases(org_id, source_id);
CREATE UNIQUE INDEX reports_source ON reports_of_concern(org_id, source_id);
