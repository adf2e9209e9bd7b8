-- Poverty measures at scale: the facts the measures read, kept per (year, village) in a compact
-- binary form (core's `assessment::facts`), valid while the village's version is the one they were
-- computed at. The version is bumped by the triggers below in the writing transaction itself,
-- whatever path writes (form, import, merge, status change, asset dividend …), so no write can
-- leave cached facts in use: a row of `village_measure_facts` whose version differs from the
-- village's current one is stale and is recomputed by the next pass. A village without a row in
-- `village_versions` is at version 0. Versions only grow; `fupin stats rebuild` empties the facts.
--
-- A bulk import pauses the triggers instead: it sets `fupin.facts_paused` to `on` for its own
-- transaction (`SET LOCAL`, through `Tx::pause_facts`), writes, bumps every village it touched
-- once, and sets it back before it commits; the setting ends with the transaction whatever
-- happens, and no other transaction sees it, so concurrent writes from forms still bump. The
-- triggers are row triggers whose `WHEN` reads the setting: a paused row costs one comparison and
-- queues nothing. Rejected: statement triggers over transition tables (one set-based bump per
-- statement): their rows are captured whatever the function then does, so a paused `COPY` still
-- paid for the capture (a bare `COPY` of 3,000,000 rows: +11 to +28 % server CPU with a function
-- that returned at once, against +5 to +8 % for these row triggers), and every per-household
-- `UPDATE` of an import paid a function call; a table holding a pause row, which row triggers'
-- `WHEN` cannot read (no subqueries there).
CREATE TABLE village_versions (
    village_code TEXT PRIMARY KEY,
    version      BIGINT NOT NULL
);

-- Keyed year first: a region's facts of a year are one contiguous range.
CREATE TABLE village_measure_facts (
    year         INTEGER NOT NULL,
    village_code TEXT NOT NULL,
    version      BIGINT NOT NULL,
    households   BIGINT NOT NULL,
    facts        BYTEA NOT NULL,
    PRIMARY KEY (year, village_code)
);

-- Bump each village of `codes` once, in code order (so that two writers lock versions in the same
-- order).
CREATE FUNCTION bump_village_versions(codes TEXT[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO village_versions (village_code, version)
    SELECT DISTINCT c, 1 FROM unnest(codes) AS c WHERE c IS NOT NULL ORDER BY 1
    ON CONFLICT (village_code) DO UPDATE SET version = village_versions.version + 1
$$;

-- Which writes change the measures' inputs: a household's village, identification year and
-- living conditions; any member's membership, birth date, schooling, education, health and
-- insurance; incomes; status history; the year's food and clothing facts. Other columns (names,
-- phones, updated_at …) leave the facts as they are: the update triggers' `WHEN` compares them.

-- A household's old and new villages.
CREATE FUNCTION households_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM bump_village_versions(ARRAY[NEW.village_code]);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM bump_village_versions(ARRAY[OLD.village_code]);
    ELSE
        PERFORM bump_village_versions(ARRAY[OLD.village_code, NEW.village_code]);
    END IF;
    RETURN NULL;
END $$;

-- The village of a row's household, old and new (persons, incomes, status history, household
-- years all point at their household).
CREATE FUNCTION household_rows_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM bump_village_versions(ARRAY(
            SELECT village_code FROM households WHERE id = NEW.household_id));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM bump_village_versions(ARRAY(
            SELECT village_code FROM households WHERE id = OLD.household_id));
    ELSE
        PERFORM bump_village_versions(ARRAY(
            SELECT village_code FROM households
            WHERE id IN (OLD.household_id, NEW.household_id)));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER households_facts_insert AFTER INSERT ON households FOR EACH ROW
    WHEN (current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION households_facts();
CREATE TRIGGER households_facts_delete AFTER DELETE ON households FOR EACH ROW
    WHEN (current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION households_facts();
CREATE TRIGGER households_facts_update
AFTER UPDATE OF village_code, identification_year, living ON households FOR EACH ROW
    WHEN ((OLD.village_code, OLD.identification_year, OLD.living)
          IS DISTINCT FROM (NEW.village_code, NEW.identification_year, NEW.living)
          AND current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION households_facts();

CREATE TRIGGER persons_facts_insert AFTER INSERT ON persons FOR EACH ROW
    WHEN (current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();
CREATE TRIGGER persons_facts_delete AFTER DELETE ON persons FOR EACH ROW
    WHEN (current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();
CREATE TRIGGER persons_facts_update
AFTER UPDATE OF household_id, birth_date, schooling, out_of_school_reason, education, health, basic_medical_insurance, joined_on, left_on ON persons FOR EACH ROW
    WHEN ((OLD.household_id, OLD.birth_date, OLD.schooling, OLD.out_of_school_reason, OLD.education, OLD.health, OLD.basic_medical_insurance, OLD.joined_on, OLD.left_on)
          IS DISTINCT FROM (NEW.household_id, NEW.birth_date, NEW.schooling, NEW.out_of_school_reason, NEW.education, NEW.health, NEW.basic_medical_insurance, NEW.joined_on, NEW.left_on)
          AND current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();

CREATE TRIGGER incomes_facts_insert AFTER INSERT ON incomes FOR EACH ROW
    WHEN (current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();
CREATE TRIGGER incomes_facts_delete AFTER DELETE ON incomes FOR EACH ROW
    WHEN (current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();
CREATE TRIGGER incomes_facts_update
AFTER UPDATE OF household_id, year, wage_fen, business_fen, property_fen, transfer_fen, business_cost_fen ON incomes FOR EACH ROW
    WHEN ((OLD.household_id, OLD.year, OLD.wage_fen, OLD.business_fen, OLD.property_fen, OLD.transfer_fen, OLD.business_cost_fen)
          IS DISTINCT FROM (NEW.household_id, NEW.year, NEW.wage_fen, NEW.business_fen, NEW.property_fen, NEW.transfer_fen, NEW.business_cost_fen)
          AND current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();

CREATE TRIGGER status_history_facts_insert AFTER INSERT ON status_history FOR EACH ROW
    WHEN (current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();
CREATE TRIGGER status_history_facts_delete AFTER DELETE ON status_history FOR EACH ROW
    WHEN (current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();
CREATE TRIGGER status_history_facts_update
AFTER UPDATE OF id, household_id, to_status, date ON status_history FOR EACH ROW
    WHEN ((OLD.id, OLD.household_id, OLD.to_status, OLD.date)
          IS DISTINCT FROM (NEW.id, NEW.household_id, NEW.to_status, NEW.date)
          AND current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();

CREATE TRIGGER household_years_facts_insert AFTER INSERT ON household_years FOR EACH ROW
    WHEN (current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();
CREATE TRIGGER household_years_facts_delete AFTER DELETE ON household_years FOR EACH ROW
    WHEN (current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();
CREATE TRIGGER household_years_facts_update
AFTER UPDATE OF household_id, year, food_secure, clothing_secure ON household_years FOR EACH ROW
    WHEN ((OLD.household_id, OLD.year, OLD.food_secure, OLD.clothing_secure)
          IS DISTINCT FROM (NEW.household_id, NEW.year, NEW.food_secure, NEW.clothing_secure)
          AND current_setting('fupin.facts_paused', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION household_rows_facts();
