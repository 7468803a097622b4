-- Bisidder management (SPEC C10): applications with screening, the organisation's
-- required qualifications, each bisidder's training/supervision/undertaking records,
-- and municipal ambassadors.

CREATE TABLE volunteer_applications (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    town TEXT NOT NULL,
    kommune_code TEXT,
    motivation_enc TEXT,
    heard_of TEXT,
    status TEXT NOT NULL,
    screen_experience BIGINT,
    screen_communication BIGINT,
    screen_note_enc TEXT,
    decided_by_user_id TEXT REFERENCES users(id),
    decided_at BIGINT,
    user_id TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX volunteer_applications_org ON volunteer_applications(org_id, status);

CREATE TABLE org_requirements (
    org_id TEXT NOT NULL REFERENCES organisations(id),
    item TEXT NOT NULL,
    PRIMARY KEY (org_id, item)
);

CREATE TABLE qualifications (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    done_on TEXT NOT NULL,
    expires_on TEXT,
    note TEXT,
    recorded_by_user_id TEXT REFERENCES users(id),
    warned_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX qualifications_user ON qualifications(org_id, user_id);

CREATE TABLE ambassadors (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    kommune_code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
