-- Assets (扶贫资产) with their shareholders, yearly income and dividends (资产收益), and cooperatives
-- and enterprises with their members and the land they lease from households.

CREATE TABLE assets (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER REFERENCES projects (id),
    village_code  TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    value_fen     INTEGER NOT NULL,
    owner_kind    TEXT NOT NULL,
    owner_name    TEXT NOT NULL,
    custodian     TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    note          TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX assets_village ON assets (village_code, id);
CREATE INDEX assets_project ON assets (project_id) WHERE project_id IS NOT NULL;

CREATE TABLE asset_shareholders (
    asset_id     INTEGER NOT NULL REFERENCES assets (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    shares       INTEGER NOT NULL CHECK (shares > 0),
    PRIMARY KEY (asset_id, household_id)
);

-- One row per asset and year: its income and the part that went to the village collective.
CREATE TABLE asset_incomes (
    asset_id       INTEGER NOT NULL REFERENCES assets (id),
    year           INTEGER NOT NULL,
    village_code   TEXT NOT NULL,
    income_fen     INTEGER NOT NULL,
    collective_fen INTEGER NOT NULL,
    households_fen INTEGER NOT NULL,
    minimum_fen    INTEGER NOT NULL,
    paid_on        TEXT NOT NULL,
    actor          TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (asset_id, year)
);
CREATE INDEX asset_incomes_village ON asset_incomes (village_code, year);

-- Dividends paid to households; village_code is the household's.
CREATE TABLE dividends (
    asset_id     INTEGER NOT NULL REFERENCES assets (id),
    year         INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    village_code TEXT NOT NULL,
    shares       INTEGER NOT NULL,
    amount_fen   INTEGER NOT NULL CHECK (amount_fen >= 0),
    paid_on      TEXT NOT NULL,
    PRIMARY KEY (asset_id, year, household_id)
);
CREATE INDEX dividends_household ON dividends (household_id, year);
CREATE INDEX dividends_village ON dividends (village_code, year);

CREATE TABLE cooperatives (
    id             INTEGER PRIMARY KEY,
    village_code   TEXT NOT NULL,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    leader         TEXT NOT NULL,
    founded_on     TEXT NOT NULL,
    base_centimu   INTEGER NOT NULL,
    investment_fen INTEGER NOT NULL,
    note           TEXT,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX cooperatives_village ON cooperatives (village_code, id);

CREATE TABLE cooperative_members (
    cooperative_id INTEGER NOT NULL REFERENCES cooperatives (id),
    household_id   INTEGER NOT NULL REFERENCES households (id),
    shares         INTEGER NOT NULL CHECK (shares > 0),
    joined_on      TEXT NOT NULL,
    PRIMARY KEY (cooperative_id, household_id)
);
CREATE INDEX cooperative_members_household ON cooperative_members (household_id);

CREATE TABLE land_leases (
    id                INTEGER PRIMARY KEY,
    cooperative_id    INTEGER NOT NULL REFERENCES cooperatives (id),
    household_id      INTEGER NOT NULL REFERENCES households (id),
    area_centimu      INTEGER NOT NULL CHECK (area_centimu > 0),
    rent_fen_per_year INTEGER NOT NULL,
    date_from         TEXT NOT NULL,
    date_to           TEXT
);
CREATE INDEX land_leases_cooperative ON land_leases (cooperative_id, id);
