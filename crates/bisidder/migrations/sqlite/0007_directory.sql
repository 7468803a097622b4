-- The national directory of bisidder schemes and referral between schemes (SPEC C9).
-- List-valued fields are comma-separated codes (the value lists are in
-- src/directory/domain.rs and documented in src/directory/README.md).

CREATE TABLE schemes (
    id TEXT PRIMARY KEY,
    -- The import's own id (SPEC §7), or 'survey2018:NN' for the 2018 listings.
    source_id TEXT,
    origin TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT,
    -- The organisation on the platform that runs the scheme (after a claim), if any.
    org_id TEXT REFERENCES organisations(id),
    -- none | pending | verified: a claim waits for a platform admin.
    claim_status TEXT NOT NULL DEFAULT 'none',
    verified INTEGER NOT NULL DEFAULT 0,
    -- 1 when the profile (the survey's questions) is complete; listings are 0.
    profiled INTEGER NOT NULL DEFAULT 0,
    base_town TEXT,
    kommune_code TEXT,
    lat REAL,
    lon REAL,
    coverage_national INTEGER NOT NULL DEFAULT 0,
    coverage_regions TEXT NOT NULL DEFAULT '',
    coverage_kommuner TEXT NOT NULL DEFAULT '',
    coverage_towns TEXT NOT NULL DEFAULT '',
    target_groups TEXT NOT NULL DEFAULT '',
    requirements TEXT NOT NULL DEFAULT '',
    meeting_types TEXT NOT NULL DEFAULT '',
    training TEXT NOT NULL DEFAULT '',
    support TEXT NOT NULL DEFAULT '',
    bisiddere INTEGER,
    tasks_per_week REAL,
    capacity_per_week INTEGER,
    open_hours_per_week REAL,
    opening_hours TEXT,
    request_channels TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    website TEXT,
    gives_advice INTEGER NOT NULL DEFAULT 0,
    turns_away TEXT,
    turn_away_reasons TEXT NOT NULL DEFAULT '',
    meets_demand TEXT,
    at_capacity INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX schemes_source ON schemes(source_id);
CREATE INDEX schemes_org ON schemes(org_id);

-- A request one scheme could not take, passed (with the person's consent, no notes) to
-- another. to_request_id is the new request in the receiving organisation's intake when
-- it is on the platform; otherwise the sending coordinator passes the referral on using
-- the scheme's public contact.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    from_org_id TEXT NOT NULL REFERENCES organisations(id),
    from_request_id TEXT NOT NULL REFERENCES requests(id),
    scheme_id TEXT NOT NULL REFERENCES schemes(id),
    to_org_id TEXT REFERENCES organisations(id),
    to_request_id TEXT REFERENCES requests(id),
    reason TEXT NOT NULL,
    -- pending | accepted | declined
    status TEXT NOT NULL,
    first_name TEXT NOT NULL,
    contact_channel TEXT,
    contact TEXT,
    kommune_code TEXT,
    authority TEXT NOT NULL,
    meeting_at INTEGER,
    created_by_user_id TEXT REFERENCES users(id),
    created_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    answered_at INTEGER,
    escalated_at INTEGER
);
CREATE INDEX referrals_from ON referrals(from_org_id, created_at);
CREATE INDEX referrals_due ON referrals(status, due_at);
CREATE INDEX referrals_to_request ON referrals(to_request_id);
