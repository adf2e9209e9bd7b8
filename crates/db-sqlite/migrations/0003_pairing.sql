-- Pairing and visits: helping units, designated villages, cadres, work teams, household–cadre
-- pairings with history, visits (cadres present, goods, photos) and micro-wishes.

CREATE TABLE helping_units (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    level         TEXT NOT NULL,
    contact_name  TEXT,
    contact_phone TEXT,
    created_at    TEXT NOT NULL
);

CREATE TABLE designations (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES helping_units (id),
    village_code TEXT NOT NULL REFERENCES regions (code),
    start_date   TEXT NOT NULL,
    end_date     TEXT
);
CREATE INDEX designations_village ON designations (village_code);

CREATE TABLE cadres (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES helping_units (id),
    rank    TEXT,
    phone   TEXT,
    user_id INTEGER UNIQUE REFERENCES users (id)
);
CREATE INDEX cadres_unit ON cadres (unit_id);

CREATE TABLE team_members (
    id           INTEGER PRIMARY KEY,
    cadre_id     INTEGER NOT NULL REFERENCES cadres (id),
    village_code TEXT NOT NULL REFERENCES regions (code),
    role         TEXT NOT NULL,
    start_date   TEXT NOT NULL,
    end_date     TEXT
);
CREATE INDEX team_members_village ON team_members (village_code);

-- village_code is the household's, copied so that scoped reports are range scans
CREATE TABLE pairings (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    cadre_id     INTEGER NOT NULL REFERENCES cadres (id),
    village_code TEXT NOT NULL,
    start_date   TEXT NOT NULL,
    end_date     TEXT,
    end_reason   TEXT,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX pairings_household ON pairings (household_id, start_date);
CREATE INDEX pairings_cadre ON pairings (cadre_id, start_date);
CREATE INDEX pairings_village ON pairings (village_code);

CREATE TABLE visits (
    id                   INTEGER PRIMARY KEY,
    household_id         INTEGER NOT NULL REFERENCES households (id),
    village_code         TEXT NOT NULL,
    date                 TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    findings             TEXT NOT NULL DEFAULT '{}', -- JSON VisitFindings
    problems             TEXT,
    actions              TEXT,
    follow_up            TEXT,
    condolence_money_fen INTEGER NOT NULL DEFAULT 0,
    goods                TEXT NOT NULL DEFAULT '[]', -- JSON [{description, value_fen}]
    goods_value_fen      INTEGER NOT NULL DEFAULT 0,
    lat                  REAL,
    lon                  REAL,
    recorded_by          TEXT NOT NULL,
    recorded_at          TEXT NOT NULL
);
CREATE INDEX visits_household ON visits (household_id, date);
CREATE INDEX visits_village_date ON visits (village_code, date);

CREATE TABLE visit_cadres (
    visit_id INTEGER NOT NULL REFERENCES visits (id),
    cadre_id INTEGER NOT NULL REFERENCES cadres (id),
    PRIMARY KEY (visit_id, cadre_id)
);
CREATE INDEX visit_cadres_cadre ON visit_cadres (cadre_id);

-- photos of visits and wishes, stored in the database (one file to back up)
CREATE TABLE photos (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    visit_id     INTEGER REFERENCES visits (id),
    wish_id      INTEGER,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    data         BLOB NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX photos_visit ON photos (visit_id);
CREATE INDEX photos_wish ON photos (wish_id);

CREATE TABLE wishes (
    id                  INTEGER PRIMARY KEY,
    household_id        INTEGER NOT NULL REFERENCES households (id),
    village_code        TEXT NOT NULL,
    person_id           INTEGER REFERENCES persons (id),
    text                TEXT NOT NULL,
    estimated_value_fen INTEGER NOT NULL,
    status              TEXT NOT NULL,
    submitted_on        TEXT NOT NULL,
    claimed_by_cadre    INTEGER REFERENCES cadres (id),
    claimed_by_unit     INTEGER REFERENCES helping_units (id),
    claimed_on          TEXT,
    fulfilled_on        TEXT,
    actual_value_fen    INTEGER,
    cancelled_on        TEXT,
    cancel_reason       TEXT
);
CREATE INDEX wishes_household ON wishes (household_id);
CREATE INDEX wishes_village ON wishes (village_code);
