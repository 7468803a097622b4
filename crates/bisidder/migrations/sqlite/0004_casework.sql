-- Case work and reports of concern (SPEC C5, C6). Free text that can describe a person's
-- situation is field-encrypted (_enc columns, crypto::ENCRYPTED_COLUMNS).

-- An appointment's outcome: held (with hours and mileage for reimbursement) or cancelled.
ALTER TABLE appointments ADD COLUMN worked_minutes INTEGER;
ALTER TABLE appointments ADD COLUMN mileage_km INTEGER;
ALTER TABLE appointments ADD COLUMN outcome_at INTEGER;

-- Every event of a case that is not a request event: one timeline with request_events.
-- `detail` holds codes only, never free text.
CREATE TABLE case_events (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    at INTEGER NOT NULL,
    actor_user_id TEXT REFERENCES users(id),
    actor_label TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX case_events_case ON case_events(case_id, at);

-- An authority's decision and the complaint deadline computed from its receipt.
CREATE TABLE case_decisions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    authority TEXT NOT NULL,
    kind TEXT NOT NULL,
    decided_on TEXT,
    received_on TEXT NOT NULL,
    deadline_on TEXT,
    reminded_at INTEGER,
    created_by_user_id TEXT REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX case_decisions_due ON case_decisions(reminded_at, deadline_on);

-- The authority excluded the bisidder from a meeting (Barnets Lov § 6).
CREATE TABLE case_exclusions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    appointment_id TEXT REFERENCES appointments(id),
    occurred_on TEXT NOT NULL,
    reason_enc TEXT NOT NULL,
    created_by_user_id TEXT REFERENCES users(id),
    created_at INTEGER NOT NULL
);

-- A change of bisidder: who handed over to whom and why (the person is told the reason).
CREATE TABLE case_handovers (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    from_user_id TEXT REFERENCES users(id),
    to_user_id TEXT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    created_by_user_id TEXT REFERENCES users(id),
    created_at INTEGER NOT NULL
);

-- Network inquiries (netværkshenvendelser), handled by senior consultants.
CREATE TABLE network_inquiries (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    from_role TEXT NOT NULL,
    from_name TEXT,
    channel TEXT NOT NULL,
    question_enc TEXT NOT NULL,
    answer_enc TEXT,
    answered_at INTEGER,
    created_by_user_id TEXT REFERENCES users(id),
    answered_by_user_id TEXT REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX network_inquiries_case ON network_inquiries(case_id);

-- Reports of concern: the child, how and when sent, the municipality's acknowledgement.
ALTER TABLE reports_of_concern ADD COLUMN child_name TEXT;
ALTER TABLE reports_of_concern ADD COLUMN child_birth_date TEXT;
ALTER TABLE reports_of_concern ADD COLUMN cpr_enc TEXT;
ALTER TABLE reports_of_concern ADD COLUMN sent_how TEXT;
ALTER TABLE reports_of_concern ADD COLUMN ack_due_on TEXT;
ALTER TABLE reports_of_concern ADD COLUMN acknowledged_on TEXT;
ALTER TABLE reports_of_concern ADD COLUMN ack_reminded_at INTEGER;
ALTER TABLE reports_of_concern ADD COLUMN followup_enc TEXT;
CREATE INDEX reports_ack_due ON reports_of_concern(acknowledged_on, ack_reminded_at, ack_due_on);
