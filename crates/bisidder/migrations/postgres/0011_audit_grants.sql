-- SPEC §8: audit rows cannot be changed — on PostgreSQL the server's own role has no
-- UPDATE, DELETE or TRUNCATE grant on the audit log, so even switching the append-only
-- triggers off (which the table's owner may do) does not let it rewrite history. A
-- superuser is not bound by grants; run the server as an ordinary role (README,
-- "Operating"). The hash chain (`bisidder audit verify`) catches what a superuser does.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM CURRENT_USER;
