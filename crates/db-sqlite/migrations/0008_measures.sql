-- Assistance measures (帮扶措施): one row per measure of a household or one of its members, with the
-- fields of its kind's form as JSON, and every version in measure_history.

-- village_code is the household's, copied so that scoped reports are range scans; destination is
-- the derived one of employment measures (in_county / in_province / cross_province)
CREATE TABLE measures (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    person_id    INTEGER REFERENCES persons (id),
    village_code TEXT NOT NULL,
    category     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    start_date   TEXT NOT NULL,
    end_date     TEXT,
    amount_fen   INTEGER NOT NULL DEFAULT 0,
    provider     TEXT,
    origin       TEXT NOT NULL CHECK (origin IN ('entered', 'imported')),
    status       TEXT NOT NULL CHECK (status IN ('active', 'ended', 'cancelled')),
    note         TEXT,
    details      TEXT NOT NULL DEFAULT '{"form":"general"}', -- JSON Details
    destination  TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX measures_household ON measures (household_id, start_date);
CREATE INDEX measures_person ON measures (person_id);
CREATE INDEX measures_village_kind ON measures (village_code, kind);

CREATE TABLE measure_history (
    id          INTEGER PRIMARY KEY,
    measure_id  INTEGER NOT NULL REFERENCES measures (id),
    version     INTEGER NOT NULL,
    action      TEXT NOT NULL,
    data        TEXT NOT NULL, -- JSON MeasureData
    origin      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (measure_id, version)
);
