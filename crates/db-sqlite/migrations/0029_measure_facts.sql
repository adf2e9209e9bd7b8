-- Poverty measures at scale: the facts the measures read, kept per (year, village) in a compact
-- binary form (core's `assessment::facts`), valid while the village's version is the one they were
-- computed at. The version is bumped by the triggers below in the writing transaction itself,
-- whatever path writes (form, import, merge, status change, asset dividend …), so no write can
-- leave cached facts in use: a row of `village_measure_facts` whose version differs from the
-- village's current one is stale and is recomputed by the next pass. A village without a row in
-- `village_versions` is at version 0. Versions only grow; `fupin stats rebuild` empties the facts.
--
-- A bulk import pauses the triggers instead: it inserts a row into `facts_pause` inside its own
-- transaction, writes, bumps every village it touched once, and deletes the row before it commits
-- (`Tx::pause_facts`; a failed or interrupted import rolls the row back with everything else). The
-- triggers do nothing while a row is there; SQLite has one writer, so no other write can happen
-- meanwhile. Rejected: the triggers at work during a load, about +9 to +24 % of a province
-- households import's CPU.
CREATE TABLE facts_pause (
    paused INTEGER NOT NULL
);

CREATE TABLE village_versions (
    village_code TEXT PRIMARY KEY,
    version      INTEGER NOT NULL
) WITHOUT ROWID;

-- Keyed year first: a region's facts of a year are one contiguous range.
CREATE TABLE village_measure_facts (
    year         INTEGER NOT NULL,
    village_code TEXT NOT NULL,
    version      INTEGER NOT NULL,
    households   INTEGER NOT NULL,
    facts        BLOB NOT NULL,
    PRIMARY KEY (year, village_code)
);

-- Which writes change the measures' inputs: a household's village, identification year and
-- living conditions; any member's membership, birth date, schooling, education, health and
-- insurance; incomes; status history; the year's food and clothing facts. Other columns (names,
-- phones, updated_at …) leave the facts as they are.
CREATE TRIGGER households_facts_insert AFTER INSERT ON households
WHEN NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version) VALUES (NEW.village_code, 1)
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER households_facts_delete AFTER DELETE ON households
WHEN NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version) VALUES (OLD.village_code, 1)
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER households_facts_update
AFTER UPDATE OF village_code, identification_year, living ON households
WHEN (OLD.village_code IS NOT NEW.village_code
   OR OLD.identification_year IS NOT NEW.identification_year
   OR OLD.living IS NOT NEW.living)
  AND NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version) VALUES (OLD.village_code, 1)
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
    INSERT INTO village_versions (village_code, version) VALUES (NEW.village_code, 1)
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER persons_facts_insert AFTER INSERT ON persons
WHEN NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = NEW.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER persons_facts_delete AFTER DELETE ON persons
WHEN NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = OLD.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER persons_facts_update
AFTER UPDATE OF household_id, birth_date, schooling, out_of_school_reason, education, health,
    basic_medical_insurance, joined_on, left_on ON persons
WHEN (OLD.household_id IS NOT NEW.household_id
   OR OLD.birth_date IS NOT NEW.birth_date
   OR OLD.schooling IS NOT NEW.schooling
   OR OLD.out_of_school_reason IS NOT NEW.out_of_school_reason
   OR OLD.education IS NOT NEW.education
   OR OLD.health IS NOT NEW.health
   OR OLD.basic_medical_insurance IS NOT NEW.basic_medical_insurance
   OR OLD.joined_on IS NOT NEW.joined_on
   OR OLD.left_on IS NOT NEW.left_on)
  AND NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = OLD.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = NEW.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER incomes_facts_insert AFTER INSERT ON incomes
WHEN NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = NEW.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER incomes_facts_delete AFTER DELETE ON incomes
WHEN NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = OLD.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER incomes_facts_update
AFTER UPDATE OF household_id, year, wage_fen, business_fen, property_fen, transfer_fen,
    business_cost_fen ON incomes
WHEN (OLD.household_id IS NOT NEW.household_id
   OR OLD.year IS NOT NEW.year
   OR OLD.wage_fen IS NOT NEW.wage_fen
   OR OLD.business_fen IS NOT NEW.business_fen
   OR OLD.property_fen IS NOT NEW.property_fen
   OR OLD.transfer_fen IS NOT NEW.transfer_fen
   OR OLD.business_cost_fen IS NOT NEW.business_cost_fen)
  AND NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = OLD.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = NEW.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER status_history_facts_insert AFTER INSERT ON status_history
WHEN NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = NEW.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER status_history_facts_delete AFTER DELETE ON status_history
WHEN NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = OLD.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER status_history_facts_update
AFTER UPDATE OF id, household_id, to_status, date ON status_history
WHEN (OLD.id IS NOT NEW.id
   OR OLD.household_id IS NOT NEW.household_id
   OR OLD.to_status IS NOT NEW.to_status
   OR OLD.date IS NOT NEW.date)
  AND NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = OLD.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = NEW.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER household_years_facts_insert AFTER INSERT ON household_years
WHEN NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = NEW.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER household_years_facts_delete AFTER DELETE ON household_years
WHEN NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = OLD.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER household_years_facts_update
AFTER UPDATE OF household_id, year, food_secure, clothing_secure ON household_years
WHEN (OLD.household_id IS NOT NEW.household_id
   OR OLD.year IS NOT NEW.year
   OR OLD.food_secure IS NOT NEW.food_secure
   OR OLD.clothing_secure IS NOT NEW.clothing_secure)
  AND NOT EXISTS (SELECT 1 FROM facts_pause)
BEGIN
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = OLD.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
    INSERT INTO village_versions (village_code, version)
    SELECT village_code, 1 FROM households WHERE id = NEW.household_id
    ON CONFLICT (village_code) DO UPDATE SET version = version + 1;
END;
