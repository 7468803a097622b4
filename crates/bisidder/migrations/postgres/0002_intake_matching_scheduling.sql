-- Intake, consent, offers, appointments, availability (SPEC C2–C4, C10 profile parts).

-- The person: how it is safe to reach them, language.
ALTER TABLE persons ADD COLUMN language TEXT;
ALTER TABLE persons ADD COLUMN needs_interpreter BIGINT NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN safe_channel TEXT;
ALTER TABLE persons ADD COLUMN safe_times TEXT;
ALTER TABLE persons ADD COLUMN email TEXT;
ALTER TABLE persons ADD COLUMN age_at_contact BIGINT;

-- Who contacted, the meeting, wishes, consent, the outcome.
ALTER TABLE requests ADD COLUMN ref TEXT;
ALTER TABLE requests ADD COLUMN contact_role TEXT;
ALTER TABLE requests ADD COLUMN contact_name TEXT;
ALTER TABLE requests ADD COLUMN contact_phone TEXT;
ALTER TABLE requests ADD COLUMN contact_email TEXT;
ALTER TABLE requests ADD COLUMN contact_org TEXT;
ALTER TABLE requests ADD COLUMN purpose TEXT;
ALTER TABLE requests ADD COLUMN meeting_mode TEXT NOT NULL DEFAULT 'in_person';
ALTER TABLE requests ADD COLUMN place_text TEXT;
ALTER TABLE requests ADD COLUMN postcode TEXT;
ALTER TABLE requests ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE requests ADD COLUMN lon DOUBLE PRECISION;
ALTER TABLE requests ADD COLUMN landmass TEXT;
ALTER TABLE requests ADD COLUMN wished_gender TEXT;
ALTER TABLE requests ADD COLUMN wished_language TEXT;
ALTER TABLE requests ADD COLUMN heard_of TEXT;
ALTER TABLE requests ADD COLUMN deadline_at BIGINT;
ALTER TABLE requests ADD COLUMN consent_by_user_id TEXT REFERENCES users(id);
ALTER TABLE requests ADD COLUMN consent_method TEXT;
ALTER TABLE requests ADD COLUMN consent_note TEXT;
ALTER TABLE requests ADD COLUMN closed_reason TEXT;
ALTER TABLE requests ADD COLUMN bisidder_user_id TEXT REFERENCES users(id);
-- No foreign key: cases already reference requests, and restore loads requests first.
ALTER TABLE requests ADD COLUMN duplicate_case_id TEXT;
ALTER TABLE requests ADD COLUMN escalated_at BIGINT;
ALTER TABLE requests ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX requests_ref ON requests(ref);

-- Every change of a request, with actor and time.
CREATE TABLE request_events (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    request_id TEXT NOT NULL REFERENCES requests(id),
    at BIGINT NOT NULL,
    actor_user_id TEXT REFERENCES users(id),
    actor_label TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX request_events_request ON request_events(request_id, at);

CREATE TABLE offers (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    request_id TEXT NOT NULL REFERENCES requests(id),
    bisidder_user_id TEXT NOT NULL REFERENCES users(id),
    strategy TEXT NOT NULL,
    rank BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    answered_at BIGINT
);
CREATE INDEX offers_request ON offers(request_id, status);
CREATE INDEX offers_bisidder ON offers(bisidder_user_id, status);

-- The three linked appointments (and later follow-ups). A planned appointment of a
-- bisidder is a booking; overlaps are refused inside the assigning transaction.
CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    request_id TEXT NOT NULL REFERENCES requests(id),
    case_id TEXT REFERENCES cases(id),
    kind TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    place_text TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    landmass TEXT,
    bisidder_user_id TEXT REFERENCES users(id),
    status TEXT NOT NULL,
    sequence BIGINT NOT NULL DEFAULT 0,
    reminded_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX appointments_bisidder ON appointments(bisidder_user_id, status, starts_at);
CREATE INDEX appointments_request ON appointments(request_id);
CREATE INDEX appointments_due ON appointments(status, starts_at);

CREATE TABLE absences (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    note TEXT
);
CREATE INDEX absences_user ON absences(user_id, org_id);

ALTER TABLE bisidder_profiles ADD COLUMN areas TEXT NOT NULL DEFAULT '';
ALTER TABLE bisidder_profiles ADD COLUMN gender TEXT;
ALTER TABLE bisidder_profiles ADD COLUMN phone TEXT;
ALTER TABLE bisidder_profiles ADD COLUMN qualified_until TEXT;
ALTER TABLE bisidder_profiles ADD COLUMN calendar_token_hash TEXT;
ALTER TABLE bisidder_profiles ADD COLUMN offers_made BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bisidder_profiles ADD COLUMN offers_answered BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX bisidder_calendar_token ON bisidder_profiles(calendar_token_hash);

-- A person who must not be served by a given bisidder (conflict of interest).
CREATE TABLE conflicts (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES persons(id),
    note TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, person_id)
);

-- The on-duty phone that gets SMS escalations of requests near their deadline.
ALTER TABLE organisations ADD COLUMN duty_phone TEXT;
