-- Projects, funds and their lifecycle (项目库, 资金监管).

-- One row per project. workflow is the JSON of core's ProjectWorkflow; stage and accepted_on are
-- copied from it for queries; allocated/received/disbursed are the sums of its allocations and
-- progress_percent its latest monthly report, kept in the same transaction as each write.
CREATE TABLE projects (
    id                 INTEGER PRIMARY KEY,
    village_code       TEXT NOT NULL,
    name               TEXT NOT NULL,
    category           TEXT NOT NULL,
    sub_category       TEXT,
    year               INTEGER NOT NULL,
    planned_start      TEXT NOT NULL,
    planned_end        TEXT NOT NULL,
    responsible_unit   TEXT NOT NULL,
    responsible_person TEXT NOT NULL,
    content            TEXT NOT NULL,
    budget_fen         INTEGER NOT NULL,
    targets            TEXT NOT NULL, -- JSON [Target]
    participation      TEXT,
    stage              TEXT NOT NULL,
    workflow           TEXT NOT NULL, -- JSON ProjectWorkflow
    accepted_on        TEXT,
    allocated_fen      INTEGER NOT NULL DEFAULT 0,
    received_fen       INTEGER NOT NULL DEFAULT 0,
    disbursed_fen      INTEGER NOT NULL DEFAULT 0,
    progress_percent   INTEGER NOT NULL DEFAULT 0,
    version            INTEGER NOT NULL DEFAULT 0,
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK (disbursed_fen <= received_fen AND received_fen <= allocated_fen)
);
CREATE INDEX projects_village ON projects (village_code, id);
CREATE INDEX projects_open_end ON projects (planned_end, village_code) WHERE accepted_on IS NULL;

CREATE TABLE project_beneficiaries (
    project_id   INTEGER NOT NULL REFERENCES projects (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    mode         TEXT NOT NULL,
    PRIMARY KEY (project_id, household_id, mode)
);
CREATE INDEX project_beneficiaries_household ON project_beneficiaries (household_id);

CREATE TABLE project_progress (
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    month       TEXT NOT NULL,
    percent     INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    spent_fen   INTEGER NOT NULL,
    note        TEXT,
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (project_id, month)
);

CREATE TABLE project_history (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    version     INTEGER NOT NULL,
    action      TEXT NOT NULL,
    data        TEXT NOT NULL, -- JSON of the project as it was after the action
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (project_id, version)
);

-- A sum made available to a region (county, township or village) in a year.
CREATE TABLE fund_sources (
    id            INTEGER PRIMARY KEY,
    region_code   TEXT NOT NULL,
    year          INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    document      TEXT,
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    date          TEXT NOT NULL,
    allocated_fen INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    CHECK (allocated_fen <= amount_fen)
);
CREATE INDEX fund_sources_region ON fund_sources (region_code, year);

CREATE TABLE fund_allocations (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES fund_sources (id),
    project_id    INTEGER NOT NULL REFERENCES projects (id),
    village_code  TEXT NOT NULL,
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    received_fen  INTEGER NOT NULL DEFAULT 0,
    disbursed_fen INTEGER NOT NULL DEFAULT 0,
    date          TEXT NOT NULL,
    document      TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    CHECK (disbursed_fen <= received_fen AND received_fen <= amount_fen)
);
CREATE INDEX fund_allocations_project ON fund_allocations (project_id);
CREATE INDEX fund_allocations_source ON fund_allocations (source_id);

-- Receipts (到账) and disbursements (支付) of an allocation; household_id when the payee is one.
CREATE TABLE fund_movements (
    id            INTEGER PRIMARY KEY,
    allocation_id INTEGER NOT NULL REFERENCES fund_allocations (id),
    project_id    INTEGER NOT NULL REFERENCES projects (id),
    village_code  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('receipt', 'disbursement')),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    date          TEXT NOT NULL,
    payee         TEXT,
    household_id  INTEGER REFERENCES households (id),
    voucher       TEXT,
    text          TEXT,
    actor         TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX fund_movements_project ON fund_movements (project_id, date);
CREATE INDEX fund_movements_household ON fund_movements (household_id) WHERE household_id IS NOT NULL;
