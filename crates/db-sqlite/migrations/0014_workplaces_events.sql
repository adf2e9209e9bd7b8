-- Poverty workshops and posts (workplaces) with the registered labourers they hire, events that
-- serve the public with the registered persons linked to them, the versions of all three, and the
-- services report's aggregates of both, kept in step by every write in its transaction.

CREATE TABLE workplaces (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('workshop', 'post')),
    name            TEXT NOT NULL,
    village_code    TEXT NOT NULL REFERENCES regions (code),
    in_poor_village INTEGER NOT NULL, -- the village's designation when the workplace was recorded
    work_type       TEXT NOT NULL,
    capacity        INTEGER NOT NULL CHECK (capacity > 0),
    operator        TEXT,
    opened          TEXT NOT NULL,
    closed          TEXT,
    note            TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX workplaces_village ON workplaces (village_code, id);

-- village_code is the labourer's household's, copied so that scope checks need no join
CREATE TABLE workplace_hires (
    id               INTEGER PRIMARY KEY,
    workplace_id     INTEGER NOT NULL REFERENCES workplaces (id),
    person_id        INTEGER NOT NULL REFERENCES persons (id),
    household_id     INTEGER NOT NULL REFERENCES households (id),
    village_code     TEXT NOT NULL,
    hire_date        TEXT NOT NULL,
    leave_date       TEXT,
    monthly_wage_fen INTEGER NOT NULL DEFAULT 0,
    version          INTEGER NOT NULL DEFAULT 1,
    updated_by       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX workplace_hires_workplace ON workplace_hires (workplace_id, hire_date);
CREATE INDEX workplace_hires_person ON workplace_hires (person_id);

CREATE TABLE service_events (
    id                    INTEGER PRIMARY KEY,
    kind                  TEXT NOT NULL,
    title                 TEXT NOT NULL,
    region_code           TEXT NOT NULL REFERENCES regions (code),
    place                 TEXT NOT NULL,
    date                  TEXT NOT NULL,
    served_total          INTEGER NOT NULL,
    registered            INTEGER NOT NULL,
    organiser             TEXT,
    medicine_fen          INTEGER NOT NULL DEFAULT 0,
    leaflets              INTEGER NOT NULL DEFAULT 0,
    placed_in_county      INTEGER NOT NULL DEFAULT 0,
    placed_in_province    INTEGER NOT NULL DEFAULT 0,
    placed_cross_province INTEGER NOT NULL DEFAULT 0,
    note                  TEXT,
    version               INTEGER NOT NULL DEFAULT 1,
    created_by            TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    updated_by            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX service_events_region ON service_events (region_code, date);

CREATE TABLE event_persons (
    event_id     INTEGER NOT NULL REFERENCES service_events (id),
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    village_code TEXT NOT NULL,
    PRIMARY KEY (event_id, person_id)
);
CREATE INDEX event_persons_person ON event_persons (person_id);

-- every version of a workplace, a hire or an event, as JSON
CREATE TABLE service_history (
    id          INTEGER PRIMARY KEY,
    entity      TEXT NOT NULL CHECK (entity IN ('workplace', 'hire', 'event')),
    entity_id   INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    action      TEXT NOT NULL,
    data        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (entity, entity_id, version)
);

-- workplaces (item 'site') and hires (item 'hire') per (village, kind, first and last month; last
-- 999912 while open): a report counts the rows whose months overlap its period. See core's
-- measures::PlaceTally.
CREATE TABLE workplace_stats (
    village_code TEXT NOT NULL,
    kind         TEXT NOT NULL,
    item         TEXT NOT NULL,
    first_month  INTEGER NOT NULL,
    last_month   INTEGER NOT NULL,
    n            BIGINT NOT NULL DEFAULT 0,
    in_poor      BIGINT NOT NULL DEFAULT 0,
    positions    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (village_code, kind, item, first_month, last_month)
) WITHOUT ROWID;

-- events per (region held, month, kind). See core's measures::EventTally.
CREATE TABLE event_stats (
    region_code           TEXT NOT NULL,
    month                 INTEGER NOT NULL,
    kind                  TEXT NOT NULL,
    events                BIGINT NOT NULL DEFAULT 0,
    served                BIGINT NOT NULL DEFAULT 0,
    registered            BIGINT NOT NULL DEFAULT 0,
    medicine_fen          BIGINT NOT NULL DEFAULT 0,
    leaflets              BIGINT NOT NULL DEFAULT 0,
    placed_in_county      BIGINT NOT NULL DEFAULT 0,
    placed_in_province    BIGINT NOT NULL DEFAULT 0,
    placed_cross_province BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (region_code, month, kind)
) WITHOUT ROWID;
