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
-- a write that committed while it read is never stored over.
CREATE TABLE stats_history_cache (
    org_id TEXT NOT NULL,
    closed_before TEXT NOT NULL,
    groups TEXT NOT NULL,
    built_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, closed_before)
);
CREATE TABLE stats_history_writes (
    org_id TEXT PRIMARY KEY,
    writes INTEGER NOT NULL
);

CREATE TRIGGER cases_stats_history_insert AFTER INSERT ON cases
WHEN NEW.closed_on IS NOT NULL
BEGIN
    INSERT INTO stats_history_writes (org_id, writes) VALUES (NEW.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET writes = stats_history_writes.writes + 1;
    DELETE FROM stats_history_cache WHERE org_id = NEW.org_id AND NEW.closed_on < closed_before;
END;

CREATE TRIGGER cases_stats_history_update AFTER UPDATE OF org_id, opened_on, closed_on, authority ON cases
WHEN OLD.closed_on IS NOT NULL OR NEW.closed_on IS NOT NULL
BEGIN
    INSERT INTO stats_history_writes (org_id, writes) VALUES (OLD.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET writes = stats_history_writes.writes + 1;
    INSERT INTO stats_history_writes (org_id, writes) VALUES (NEW.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET writes = stats_history_writes.writes + 1;
    DELETE FROM stats_history_cache
    WHERE (org_id = OLD.org_id AND OLD.closed_on < closed_before)
       OR (org_id = NEW.org_id AND NEW.closed_on < closed_before);
END;

CREATE TRIGGER cases_stats_history_delete AFTER DELETE ON cases
WHEN OLD.closed_on IS NOT NULL
BEGIN
    INSERT INTO stats_history_writes (org_id, writes) VALUES (OLD.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET writes = stats_history_writes.writes + 1;
    DELETE FROM stats_history_cache WHERE org_id = OLD.org_id AND OLD.closed_on < closed_before;
END;
