-- Standards as data, per-year household facts for assessments, risk events, procedures (exit,
-- monitoring identification, risk elimination) and the early-warning list.

-- region_prefix '' = nationwide; otherwise a 12-digit code whose region and everything below it
-- the value applies to. value is the JSON of core's ParamValue.
CREATE TABLE parameters (
    key           TEXT NOT NULL,
    region_prefix TEXT NOT NULL DEFAULT '',
    year          INTEGER NOT NULL,
    value         TEXT NOT NULL,
    source        TEXT NOT NULL,
    confirmed     INTEGER NOT NULL DEFAULT 0,
    updated_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (key, region_prefix, year)
);

-- what a verification visit found for a year: food and clothing, rigid spending, income stability
CREATE TABLE household_years (
    household_id           INTEGER NOT NULL REFERENCES households (id),
    year                   INTEGER NOT NULL,
    food_secure            INTEGER,
    clothing_secure        INTEGER,
    medical_spending_fen   INTEGER NOT NULL DEFAULT 0,
    education_spending_fen INTEGER NOT NULL DEFAULT 0,
    disaster_spending_fen  INTEGER NOT NULL DEFAULT 0,
    income_stable_months   INTEGER,
    updated_by             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    PRIMARY KEY (household_id, year)
);

CREATE TABLE risk_events (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    village_code TEXT NOT NULL,
    date         TEXT NOT NULL,
    risk_type    TEXT NOT NULL,
    note         TEXT,
    resolved_on  TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX risk_events_household ON risk_events (household_id, date);

-- state is the JSON of core's Workflow for the kind; step and finished are copied for queries
CREATE TABLE procedures (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('exit', 'identification', 'elimination')),
    household_id INTEGER NOT NULL REFERENCES households (id),
    village_code TEXT NOT NULL,
    year         INTEGER NOT NULL,
    step         TEXT NOT NULL,
    finished     INTEGER NOT NULL DEFAULT 0,
    state        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX procedures_household ON procedures (household_id, kind);
CREATE INDEX procedures_village ON procedures (village_code, kind, finished);

CREATE TABLE early_warnings (
    household_id   INTEGER NOT NULL REFERENCES households (id),
    year           INTEGER NOT NULL,
    village_code   TEXT NOT NULL,
    flags          TEXT NOT NULL, -- JSON [{reason_code, reason}]
    suggested_kind TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (household_id, year)
);
CREATE INDEX early_warnings_village ON early_warnings (year, village_code);
