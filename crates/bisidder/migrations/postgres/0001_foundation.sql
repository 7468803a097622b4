-- Foundation schema (PostgreSQL dialect). The SQLite file of the same name holds the same
-- tables; queries are written once in SQL both accept. Instants are BIGINT microseconds
-- since the Unix epoch (UTC); civil dates are ISO 'YYYY-MM-DD' TEXT; booleans BIGINT 0/1;
-- ids are ULID TEXT. Columns ending in _enc hold field-encrypted values (crypto module).

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    kommune_code TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret_enc TEXT,
    totp_pending_enc TEXT,
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    disabled BIGINT NOT NULL DEFAULT 0,
    is_platform_admin BIGINT NOT NULL DEFAULT 0,
    locale TEXT NOT NULL DEFAULT 'da',
    created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, org_id, role)
);
CREATE INDEX memberships_org ON memberships(org_id, role);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    org_id TEXT REFERENCES organisations(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    last_used_at BIGINT
);

-- Append-only. Each row's hash covers its content and the previous row's hash; the single
-- audit_head row is locked by every append so the chain has no forks across connections
-- or server instances. Triggers refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    at BIGINT NOT NULL,
    actor_user_id TEXT,
    actor_label TEXT NOT NULL,
    org_id TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    resource_type TEXT,
    resource_id TEXT,
    subject_person_id TEXT,
    reason TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log(org_id, at);
CREATE INDEX audit_log_subject ON audit_log(subject_person_id, at);
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- Durable outbox: a message is enqueued in the transaction that causes it and sent after
-- commit by the delivery worker.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

-- People who get (or asked for) a bisidder. Names are needed for work and search and are
-- protected by access control and audit; CPR is field-encrypted.
CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    first_name TEXT NOT NULL,
    last_name TEXT,
    birth_date TEXT,
    gender TEXT NOT NULL,
    kommune_code TEXT,
    phone TEXT,
    cpr_enc TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX persons_org ON persons(org_id);

CREATE TABLE bisidder_profiles (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    town TEXT NOT NULL,
    kommune_code TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    max_travel_minutes BIGINT NOT NULL,
    max_open_cases BIGINT NOT NULL,
    max_hours_per_week BIGINT NOT NULL,
    languages TEXT NOT NULL,
    skills TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, org_id)
);

-- Weekly availability: minutes after Monday 00:00 local time.
CREATE TABLE availability (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    weekday BIGINT NOT NULL,
    start_minute BIGINT NOT NULL,
    end_minute BIGINT NOT NULL
);
CREATE INDEX availability_user ON availability(user_id, org_id);

CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    person_id TEXT REFERENCES persons(id),
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    authority TEXT NOT NULL,
    kommune_code TEXT,
    meeting_at BIGINT,
    urgent BIGINT NOT NULL DEFAULT 0,
    unannounced BIGINT NOT NULL DEFAULT 0,
    requested_by_user_id TEXT REFERENCES users(id),
    consent_at BIGINT,
    assigned_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX requests_org_status ON requests(org_id, status);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    person_id TEXT NOT NULL REFERENCES persons(id),
    request_id TEXT REFERENCES requests(id),
    bisidder_user_id TEXT REFERENCES users(id),
    authority TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    close_reason TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX cases_org_opened ON cases(org_id, opened_on);
CREATE INDEX cases_bisidder ON cases(bisidder_user_id, closed_on);

CREATE TABLE reports_of_concern (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    kommune_code TEXT,
    sent_on TEXT,
    acute BIGINT NOT NULL DEFAULT 0,
    description_enc TEXT,
    created_by_user_id TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX reports_org_sent ON reports_of_concern(org_id, sent_on);
CREATE TABLE report_categories (
    report_id TEXT NOT NULL REFERENCES reports_of_concern(id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    PRIMARY KEY (report_id, category)
);

CREATE TABLE case_notes (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    author_user_id TEXT NOT NULL REFERENCES users(id),
    shared_with_coordinator BIGINT NOT NULL DEFAULT 0,
    body_enc TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id);
