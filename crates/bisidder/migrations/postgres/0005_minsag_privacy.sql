-- Min sag (SPEC C7) and the data lifecycle (SPEC C11).

-- Retention per organisation: personal data of a closed case is removed this many months
-- after closing, either anonymised (the case stays countable for statistics) or deleted.
ALTER TABLE organisations ADD COLUMN retention_months BIGINT NOT NULL DEFAULT 24;
ALTER TABLE organisations ADD COLUMN retention_mode TEXT NOT NULL DEFAULT 'anonymise';
-- The child's age when the report was sent, kept when the birth date is removed so the
-- annual statistics' age bands do not change.
ALTER TABLE reports_of_concern ADD COLUMN child_age BIGINT;
CREATE INDEX cases_closed ON cases(closed_on);

-- A person's private link to their case. Only the SHA-256 of the link token and of the
-- one-time code are stored.
CREATE TABLE minsag_links (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    person_id TEXT NOT NULL REFERENCES persons(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    created_by_user_id TEXT REFERENCES users(id),
    revoked_at BIGINT,
    code_hash TEXT,
    code_expires_at BIGINT,
    wrong_codes BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    codes_sent BIGINT NOT NULL DEFAULT 0,
    codes_window_start BIGINT NOT NULL DEFAULT 0,
    feedback_given_at BIGINT
);
CREATE INDEX minsag_links_case ON minsag_links(case_id);

-- Short-lived sessions of a person in Min sag (not backed up, like staff sessions).
CREATE TABLE minsag_sessions (
    id_hash TEXT PRIMARY KEY,
    link_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Børnebreve: a short letter from the bisidder to the child (encrypted).
CREATE TABLE letters (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    author_user_id TEXT NOT NULL REFERENCES users(id),
    body_enc TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX letters_case ON letters(case_id);

-- Anonymous feedback after closing: no case, no person, only the organisation and month.
CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    month TEXT NOT NULL,
    helped TEXT NOT NULL,
    quote TEXT,
    quote_consent BIGINT NOT NULL DEFAULT 0
);

-- Exceptional access by a coordinator; the written reason is encrypted (it may name the
-- person) and removed with the case, while the audit row keeps only the id.
CREATE TABLE break_glass (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    reason_enc TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX break_glass_case ON break_glass(case_id);

-- Which closed cases had their personal data removed, and how. A restore re-applies these
-- (and the copy in the data directory's ledger file, which outlives older backups).
CREATE TABLE purges (
    case_id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    mode TEXT NOT NULL,
    purged_at BIGINT NOT NULL
);
