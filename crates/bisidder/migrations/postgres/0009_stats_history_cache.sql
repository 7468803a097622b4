-- The annual report's history of closed years (SPEC §5, §8): the old closed cases of a
-- report year — opened before the year before and closed before the year — counted by
-- opening year, closing year and authority (stats::store::old_case_groups). They do not
-- change once a year has ended unless a case of that period is written, so the counts are
-- kept per organisation and cut-off (cases closed before `closed_before`, 'YYYY-01-01')
-- and built on first need. Counts only, no person; a cache, so not backed up.
--
-- Kept right by triggers on `cases`, so no writer can forget: a write that could change
-- a cut-off's groups (a case whose old or new closing date is before it) deletes that
-- cut-off's row, and bumps the organisation's `stats_history_writes` counter, which a
-- report that is building the groups checks (under a write lock) before it stores them:
-- a write that committed while it read is never stored over. Statement-level triggers
-- with transition tables, so a bulk insert pays once per statement, not per row.
CREATE TABLE stats_history_cache (
    org_id TEXT NOT NULL,
    closed_before TEXT NOT NULL,
    groups TEXT NOT NULL,
    built_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, closed_before)
);
CREATE TABLE stats_history_writes (
    org_id TEXT PRIMARY KEY,
    writes BIGINT NOT NULL
);

CREATE FUNCTION stats_history_touch_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_history_writes (org_id, writes)
        SELECT DISTINCT org_id, 1 FROM new_rows WHERE closed_on IS NOT NULL ORDER BY org_id
        ON CONFLICT (org_id) DO UPDATE SET writes = stats_history_writes.writes + 1;
    DELETE FROM stats_history_cache c USING new_rows n
        WHERE n.org_id = c.org_id AND n.closed_on < c.closed_before;
    RETURN NULL;
END; $$;

CREATE FUNCTION stats_history_touch_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_history_writes (org_id, writes)
        SELECT DISTINCT org_id, 1 FROM old_rows WHERE closed_on IS NOT NULL ORDER BY org_id
        ON CONFLICT (org_id) DO UPDATE SET writes = stats_history_writes.writes + 1;
    DELETE FROM stats_history_cache c USING old_rows o
        WHERE o.org_id = c.org_id AND o.closed_on < c.closed_before;
    RETURN NULL;
END; $$;

-- An update counts when a column the groups read changed (or the row moved organisation);
-- both the old and the new row may leave or enter a cut-off's groups.
CREATE FUNCTION stats_history_touch_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH changed AS (
        SELECT x.org_id, x.closed_on
        FROM old_rows o JOIN new_rows n ON n.id = o.id,
             LATERAL (VALUES (o.org_id, o.closed_on), (n.org_id, n.closed_on)) AS x (org_id, closed_on)
        WHERE (o.org_id, o.opened_on, o.closed_on, o.authority)
              IS DISTINCT FROM (n.org_id, n.opened_on, n.closed_on, n.authority)
          AND x.closed_on IS NOT NULL
    ), bumped AS (
        INSERT INTO stats_history_writes (org_id, writes)
            SELECT DISTINCT org_id, 1 FROM changed ORDER BY org_id
            ON CONFLICT (org_id) DO UPDATE SET writes = stats_history_writes.writes + 1
            RETURNING 1
    )
    DELETE FROM stats_history_cache c USING changed x
        WHERE x.org_id = c.org_id AND x.closed_on < c.closed_before;
    RETURN NULL;
END; $$;

CREATE FUNCTION stats_history_touch_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stats_history_writes SET writes = writes + 1;
    DELETE FROM stats_history_cache;
    RETURN NULL;
END; $$;

CREATE TRIGGER cases_stats_history_insert AFTER INSERT ON cases
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION stats_history_touch_insert();
CREATE TRIGGER cases_stats_history_update AFTER UPDATE ON cases
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION stats_history_touch_update();
CREATE TRIGGER cases_stats_history_delete AFTER DELETE ON cases
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION stats_history_touch_delete();
CREATE TRIGGER cases_stats_history_truncate AFTER TRUNCATE ON cases
FOR EACH STATEMENT EXECUTE FUNCTION stats_history_touch_truncate();
