-- PostgreSQL revokes the server role's UPDATE/DELETE/TRUNCATE grant on the audit log here.
-- SQLite has no grants: its audit log is guarded by the append-only triggers of 0001 and the
-- hash chain that `bisidder audit verify` checks. Kept so both backends number their
-- migrations alike.
SELECT 1;
