-- Rectification (整改销号): campaigns, problems with their trail of steps, and the data-quality
-- rules as data.

CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    description TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX campaigns_region ON campaigns (region_code);

-- region_code is the village for a household's or person's problem, else any region; scoped
-- lists and the board are range scans on it. A rule's or a comparison's problem carries the
-- rule (rule_code, `comparison:<kind>` for a list) and the subject it was found on: one problem
-- per (rule_code, subject_key), reopened rather than repeated.
CREATE TABLE problems (
    id                 INTEGER PRIMARY KEY,
    region_code        TEXT NOT NULL REFERENCES regions (code),
    household_id       INTEGER REFERENCES households (id),
    person_id          INTEGER REFERENCES persons (id),
    project_id         INTEGER,
    campaign_id        INTEGER REFERENCES campaigns (id),
    source             TEXT NOT NULL,
    source_ref         TEXT,
    rule_code          TEXT,
    subject_key        TEXT,
    description        TEXT NOT NULL,
    category           TEXT NOT NULL,
    severity           TEXT NOT NULL,
    responsible_unit   TEXT NOT NULL,
    responsible_person TEXT,
    found_on           TEXT NOT NULL,
    deadline           TEXT NOT NULL,
    measures           TEXT,
    status             TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'close_requested', 'closed')),
    evidence           TEXT, -- JSON
    close_requested_by TEXT,
    close_requested_at TEXT,
    closed_by          TEXT,
    closed_at          TEXT,
    escalated_to       TEXT,
    escalated_at       TEXT,
    version            INTEGER NOT NULL DEFAULT 1,
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX problems_region ON problems (region_code, id);
CREATE UNIQUE INDEX problems_subject ON problems (rule_code, subject_key) WHERE subject_key IS NOT NULL;
CREATE INDEX problems_campaign ON problems (campaign_id);
CREATE INDEX problems_household ON problems (household_id);
CREATE INDEX problems_escalated ON problems (escalated_to) WHERE escalated_to IS NOT NULL;

CREATE TABLE problem_events (
    id          INTEGER PRIMARY KEY,
    problem_id  INTEGER NOT NULL REFERENCES problems (id),
    seq         INTEGER NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    note        TEXT,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    UNIQUE (problem_id, seq)
);

CREATE TABLE quality_rules (
    code        TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    severity    TEXT NOT NULL,
    category    TEXT NOT NULL,
    params      TEXT NOT NULL, -- JSON object
    enabled     INTEGER NOT NULL DEFAULT 1
);
