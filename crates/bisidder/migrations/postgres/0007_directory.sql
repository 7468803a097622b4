-- The national directory of bisidder schemes and referral between schemes (SPEC C9), PostgreSQL dialect.
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
    verified BIGINT NOT NULL DEFAULT 0,
    -- 1 when the profile (the survey's questions) is complete; listings are 0.
    profiled BIGINT NOT NULL DEFAULT 0,
    base_town TEXT,
    kommune_code TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    coverage_national BIGINT NOT NULL DEFAULT 0,
    coverage_regions TEXT NOT NULL DEFAULT '',
    coverage_kommuner TEXT NOT NULL DEFAULT '',
    coverage_towns TEXT NOT NULL DEFAULT '',
    target_groups TEXT NOT NULL DEFAULT '',
    requirements TEXT NOT NULL DEFAULT '',
    meeting_types TEXT NOT NULL DEFAULT '',
    training TEXT NOT NULL DEFAULT '',
    support TEXT NOT NULL DEFAULT '',
    bisiddere BIGINT,
    tasks_per_week DOUBLE PRECISION,
    capacity_per_week BIGINT,
    open_hours_per_week DOUBLE PRECISION,
    opening_hours TEXT,
    request_channels TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    website TEXT,
    gives_advice BIGINT NOT NULL DEFAULT 0,
    turns_away TEXT,
    turn_away_reasons TEXT NOT NULL DEFAULT '',
    meets_demand TEXT,
    at_capacity BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
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
    meeting_at BIGINT,
    created_by_user_id TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    answered_at BIGINT,
    escalated_at BIGINT
);
CREATE INDEX referrals_from ON referrals(from_org_id, created_at);
CREATE INDEX referrals_due ON referrals(status, due_at);
CREATE INDEX referrals_to_request ON referrals(to_request_id);
