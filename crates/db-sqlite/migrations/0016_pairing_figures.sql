-- The pairing report's maintained figures (core's pairing::figures), brought in step in the
-- transaction of every write of a pairing, a visit, a wish or a household's status or village.
--
-- What each household holds: its pairing-years (visits owed and made per pairing and calendar
-- year), its visits and wishes per year, and whether it lacks a cadre now.
CREATE TABLE pairing_years (
    pairing_id   INTEGER NOT NULL,
    year         INTEGER NOT NULL,
    household_id INTEGER NOT NULL,
    village_code TEXT NOT NULL,
    cadre_id     INTEGER NOT NULL,
    covered_days INTEGER NOT NULL,
    required     INTEGER NOT NULL,
    done         INTEGER NOT NULL,
    PRIMARY KEY (pairing_id, year)
);
CREATE INDEX pairing_years_household ON pairing_years (household_id);
-- the list of pairings below the visit minimum of a region and year, in page order
CREATE INDEX pairing_years_below ON pairing_years (year, village_code, pairing_id) WHERE done < required;

CREATE TABLE household_pairing_years (
    household_id     INTEGER NOT NULL,
    year             INTEGER NOT NULL,
    village_code     TEXT NOT NULL,
    visits           INTEGER NOT NULL,
    person_times     INTEGER NOT NULL,
    money_fen        INTEGER NOT NULL,
    goods_fen        INTEGER NOT NULL,
    wishes_submitted INTEGER NOT NULL,
    wishes_fulfilled INTEGER NOT NULL,
    wishes_value_fen INTEGER NOT NULL,
    PRIMARY KEY (household_id, year)
);

CREATE TABLE households_without_cadre (
    village_code TEXT NOT NULL,
    household_id INTEGER NOT NULL,
    PRIMARY KEY (village_code, household_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX households_without_cadre_household ON households_without_cadre (household_id);

-- Summed per (year, region) for villages and every region above them, like village_year_stats.
CREATE TABLE pairing_year_stats (
    year             INTEGER NOT NULL,
    region_code      TEXT NOT NULL,
    pairings         INTEGER NOT NULL DEFAULT 0,
    pairings_below   INTEGER NOT NULL DEFAULT 0,
    visits_required  INTEGER NOT NULL DEFAULT 0,
    visits_done      INTEGER NOT NULL DEFAULT 0,
    visits_missing   INTEGER NOT NULL DEFAULT 0,
    visits           INTEGER NOT NULL DEFAULT 0,
    person_times     INTEGER NOT NULL DEFAULT 0,
    money_fen        INTEGER NOT NULL DEFAULT 0,
    goods_fen        INTEGER NOT NULL DEFAULT 0,
    wishes_submitted INTEGER NOT NULL DEFAULT 0,
    wishes_fulfilled INTEGER NOT NULL DEFAULT 0,
    wishes_value_fen INTEGER NOT NULL DEFAULT 0,
    cadres           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (year, region_code)
) WITHOUT ROWID;

-- Pairing-years per (year, region, cadre): the rows are the region's distinct cadres of the year.
CREATE TABLE pairing_year_cadres (
    year        INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    cadre_id    INTEGER NOT NULL,
    pairings    INTEGER NOT NULL,
    PRIMARY KEY (year, region_code, cadre_id)
) WITHOUT ROWID;
CREATE INDEX pairing_year_cadres_cadre ON pairing_year_cadres (cadre_id, year);

CREATE TABLE pairing_coverage (
    region_code              TEXT PRIMARY KEY,
    households_without_cadre INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
