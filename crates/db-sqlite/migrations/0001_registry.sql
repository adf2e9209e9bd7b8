-- fupin registry schema, SQLite dialect.
-- Region codes are 12-digit TEXT; "a region and below" is a range scan `code BETWEEN lo AND hi`.
-- Dates are TEXT 'YYYY-MM-DD', timestamps TEXT RFC 3339 (UTC), money INTEGER fen, booleans INTEGER 0/1.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE regions (
    code                 TEXT PRIMARY KEY CHECK (length(code) = 12),
    name                 TEXT NOT NULL,
    level                TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
    parent_code          TEXT REFERENCES regions (code),
    poor_designation     TEXT,
    poor_designated_year INTEGER,
    poor_exit_year       INTEGER
);
CREATE INDEX regions_parent ON regions (parent_code, code);
CREATE INDEX regions_name ON regions (name);

CREATE TABLE code_tables (
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    source     TEXT,
    codes      TEXT NOT NULL, -- JSON array of {code, label}
    created_at TEXT NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE households (
    id                      INTEGER PRIMARY KEY,
    household_number        TEXT NOT NULL UNIQUE,
    village_code            TEXT NOT NULL REFERENCES regions (code),
    group_name              TEXT,
    address                 TEXT,
    phone                   TEXT,
    bank_name               TEXT,
    bank_account            TEXT,
    attribute               TEXT NOT NULL,
    identification_standard TEXT NOT NULL,
    identification_year     INTEGER NOT NULL,
    main_cause              TEXT NOT NULL,
    other_causes            TEXT NOT NULL DEFAULT '[]', -- JSON array of codes
    living                  TEXT NOT NULL DEFAULT '{}', -- JSON LivingConditions
    relocation              TEXT,                       -- JSON Relocation
    status                  TEXT NOT NULL,
    status_date             TEXT NOT NULL,
    exit_year               INTEGER,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    created_by              TEXT NOT NULL,
    updated_by              TEXT NOT NULL
);
-- lists by region (range on village_code), filtered by status, ordered by id
CREATE INDEX households_village ON households (village_code, id);
CREATE INDEX households_status ON households (status, village_code);

CREATE TABLE persons (
    id                        INTEGER PRIMARY KEY,
    household_id              INTEGER NOT NULL REFERENCES households (id),
    name                      TEXT NOT NULL,
    id_number                 TEXT NOT NULL,
    sex                       TEXT NOT NULL,
    birth_date                TEXT NOT NULL,
    relation                  TEXT NOT NULL,
    ethnicity                 TEXT,
    education                 TEXT,
    schooling                 TEXT,
    out_of_school_reason      TEXT,
    health                    TEXT,
    labour_ability            TEXT,
    work_status               TEXT,
    work_months               INTEGER,
    disability                INTEGER,
    basic_medical_insurance   INTEGER,
    serious_illness_insurance INTEGER,
    pension_insurance         INTEGER,
    phone                     TEXT,
    active                    INTEGER NOT NULL DEFAULT 1,
    joined_on                 TEXT,
    join_kind                 TEXT,
    left_on                   TEXT,
    leave_kind                TEXT,
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL
);
-- a person is an active member of at most one household in the whole registry
CREATE UNIQUE INDEX persons_active_id_number ON persons (id_number) WHERE active;
-- at most one active head per household (the rules in core require exactly one)
CREATE UNIQUE INDEX persons_one_head ON persons (household_id) WHERE active AND relation = '01';
CREATE INDEX persons_household ON persons (household_id);
CREATE INDEX persons_name ON persons (name);

CREATE TABLE status_history (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    date         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    exit_year    INTEGER,
    actor        TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX status_history_household ON status_history (household_id, date, id);

CREATE TABLE member_changes (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    kind         TEXT NOT NULL,
    date         TEXT NOT NULL,
    reason       TEXT,
    actor        TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX member_changes_household ON member_changes (household_id, date, id);

CREATE TABLE incomes (
    household_id      INTEGER NOT NULL REFERENCES households (id),
    year              INTEGER NOT NULL,
    wage_fen          INTEGER NOT NULL,
    business_fen      INTEGER NOT NULL,
    property_fen      INTEGER NOT NULL,
    dividend_fen      INTEGER,
    transfer_fen      INTEGER NOT NULL,
    business_cost_fen INTEGER NOT NULL,
    note              TEXT,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL,
    PRIMARY KEY (household_id, year)
);

CREATE TABLE village_profiles (
    village_code          TEXT NOT NULL REFERENCES regions (code),
    year                  INTEGER NOT NULL,
    collective_income_fen INTEGER,
    rural_population      INTEGER,
    note                  TEXT,
    updated_at            TEXT NOT NULL,
    updated_by            TEXT NOT NULL,
    PRIMARY KEY (village_code, year)
);
-- statistics of a scope and year read profiles by (year, code range)
CREATE INDEX village_profiles_year ON village_profiles (year, village_code);

-- Aggregates per (year, village), kept in step with every registry write; region statistics sum
-- the rows of one year over a code range. Keyed year first so that the sum reads one contiguous range.
CREATE TABLE village_year_stats (
    year                   INTEGER NOT NULL,
    village_code           TEXT NOT NULL,
    households             INTEGER NOT NULL DEFAULT 0,
    persons                INTEGER NOT NULL DEFAULT 0,
    newly_identified_h     INTEGER NOT NULL DEFAULT 0,
    newly_identified_p     INTEGER NOT NULL DEFAULT 0,
    poor_h                 INTEGER NOT NULL DEFAULT 0,
    poor_p                 INTEGER NOT NULL DEFAULT 0,
    exited_h               INTEGER NOT NULL DEFAULT 0,
    exited_p               INTEGER NOT NULL DEFAULT 0,
    relapsed_h             INTEGER NOT NULL DEFAULT 0,
    relapsed_p             INTEGER NOT NULL DEFAULT 0,
    monitored_h            INTEGER NOT NULL DEFAULT 0,
    monitored_p            INTEGER NOT NULL DEFAULT 0,
    risk_eliminated_h      INTEGER NOT NULL DEFAULT 0,
    risk_eliminated_p      INTEGER NOT NULL DEFAULT 0,
    income_households      INTEGER NOT NULL DEFAULT 0,
    income_persons         INTEGER NOT NULL DEFAULT 0,
    gross_income_fen       INTEGER NOT NULL DEFAULT 0,
    net_income_fen         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (year, village_code)
) WITHOUT ROWID;

CREATE TABLE village_year_causes (
    year         INTEGER NOT NULL,
    village_code TEXT NOT NULL,
    cause        TEXT NOT NULL,
    households   INTEGER NOT NULL DEFAULT 0,
    persons      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (year, village_code, cause)
) WITHOUT ROWID;
